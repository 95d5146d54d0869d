package node_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/taonet/taonet/chain"
	"github.com/taonet/taonet/client"
	"github.com/taonet/taonet/keys"
	"github.com/taonet/taonet/node"
)

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
	buildDir  string
)

// taonetBinary builds the taonet command once per test run.
func taonetBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		buildDir, buildErr = os.MkdirTemp("", "taonet-node-test")
		if buildErr != nil {
			return
		}
		binPath = filepath.Join(buildDir, "taonet")
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		root, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
		if err != nil {
			buildErr = err
			return
		}
		cmd := exec.CommandContext(ctx, "go", "build", "-o", binPath, "./cmd/taonet")
		cmd.Dir = filepath.Dir(strings.TrimSpace(string(root)))
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build ./cmd/taonet: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

func TestMain(m *testing.M) {
	code := m.Run()
	if buildDir != "" {
		os.RemoveAll(buildDir)
	}
	os.Exit(code)
}

// proc is a node process; it is SIGKILLed at cleanup at the latest.
type proc struct {
	t    *testing.T
	home string
	cmd  *exec.Cmd
	log  *bytes.Buffer
	done chan struct{}
}

type syncBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuf) Write(p []byte) (int, error) { s.mu.Lock(); defer s.mu.Unlock(); return s.b.Write(p) }

func startProc(t *testing.T, home string) *proc {
	t.Helper()
	cmd := exec.Command(taonetBinary(t), "chain", "start", "--home", home)
	logf, err := os.OpenFile(filepath.Join(home, "node.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &proc{t: t, home: home, cmd: cmd, done: make(chan struct{})}
	go func() { cmd.Wait(); logf.Close(); close(p.done) }()
	t.Cleanup(p.kill)
	return p
}

func (p *proc) kill() {
	select {
	case <-p.done:
		return
	default:
	}
	p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.done
}

func (p *proc) logTail() string {
	b, _ := os.ReadFile(filepath.Join(p.home, "node.log"))
	if len(b) > 2000 {
		b = b[len(b)-2000:]
	}
	return string(b)
}

func run(t *testing.T, args ...string) string {
	t.Helper()
	bin := taonetBinary(t) // built before the command's own time limit starts
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, bin, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("taonet %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

func waitHeight(t *testing.T, ctx context.Context, c *client.Client, h uint64, p *proc) node.BlockSummary {
	t.Helper()
	for {
		b, err := c.LatestBlock(ctx)
		if err == nil && b.Height >= h {
			return b
		}
		select {
		case <-ctx.Done():
			tail := ""
			if p != nil {
				tail = p.logTail()
			}
			t.Fatalf("height %d not reached (last %+v, %v)\n%s", h, b, err, tail)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func mustClient(t *testing.T, urls ...string) *client.Client {
	t.Helper()
	c, err := client.New(urls, client.WithRetry(3, 50*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestClusterSurvivesKilledValidator runs 4 validators as separate processes
// (node.StartCluster running `taonet chain start`): with one SIGKILLed, the
// other three keep committing blocks; the killed one restarts, catches up and
// reports the same app hashes. Then the whole cluster restarts on its data.
func TestClusterSurvivesKilledValidator(t *testing.T) {
	if testing.Short() {
		t.Skip("multi-process cluster")
	}
	alice, _ := keys.FromURI("//Alice")
	bob, _ := keys.FromURI("//Bob")
	st, err := node.BuildAppState("", nil, []string{alice.SS58Address() + "=1000000000000000"})
	if err != nil {
		t.Fatal(err)
	}
	bin := taonetBinary(t) // built before the cluster's time limit starts
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Second)
	defer cancel()
	dir := t.TempDir()
	opts := node.ClusterOptions{Dir: dir, Nodes: 4, Binary: bin, AppState: st, BlockTime: 200 * time.Millisecond}
	cl, err := node.StartCluster(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Stop)
	urls := cl.URLs()
	var clients []*client.Client
	for _, u := range urls {
		clients = append(clients, mustClient(t, u))
	}
	for _, c := range clients {
		waitHeight(t, ctx, c, 3, nil)
	}
	all := mustClient(t, urls...)
	for i := 0; i < 3; i++ {
		if _, err := all.Submit(ctx, alice, &chain.Transfer{Dest: bob.SS58Address(), Amount: 1000}); err != nil {
			t.Fatal(err)
		}
	}
	t0 := time.Now()
	cl.Kill(3)
	b, _ := clients[0].LatestBlock(ctx)
	// Transactions still go through, via failover from the dead node's URL.
	failover := mustClient(t, urls[3], urls[0], urls[1])
	for i := 0; i < 3; i++ {
		if _, err := failover.Submit(ctx, alice, &chain.Transfer{Dest: bob.SS58Address(), Amount: 1000}); err != nil {
			t.Fatal("submit with node3 down: ", err)
		}
	}
	waitHeight(t, ctx, clients[1], b.Height+5, nil)

	if err := cl.Start(3); err != nil {
		t.Fatal(err)
	}
	t.Logf("3 validators continued: %s", time.Since(t0))
	target, _ := clients[0].LatestBlock(ctx)
	waitHeight(t, ctx, clients[3], target.Height+2, nil)
	t.Logf("killed node restarted and caught up: %s", time.Since(t0))
	sameAppHash(t, ctx, clients, target.Height)
	acc, err := clients[3].Account(ctx, bob.SS58Address())
	if err != nil || acc.Balance != 6000 {
		t.Fatalf("bob on restarted node: %+v %v", acc, err)
	}

	// Whole-cluster restart on the same directory resumes the chain.
	last, _ := clients[0].LatestBlock(ctx)
	cl.Stop()
	t.Logf("cluster stopped: %s", time.Since(t0))
	cl, err = node.StartCluster(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Stop)
	for _, c := range clients {
		waitHeight(t, ctx, c, last.Height+3, nil)
	}
	t.Logf("cluster restarted: %s", time.Since(t0))
	sameAppHash(t, ctx, clients, last.Height+2)
	if acc, err := clients[2].Account(ctx, bob.SS58Address()); err != nil || acc.Balance != 6000 {
		t.Fatalf("bob after cluster restart: %+v %v", acc, err)
	}
}

// sameAppHash checks every node reports one app hash for block h.
func sameAppHash(t *testing.T, ctx context.Context, clients []*client.Client, h uint64) {
	t.Helper()
	var want string
	for i, c := range clients {
		blk, err := c.Block(ctx, h)
		if err != nil {
			t.Fatalf("node%d block %d: %v", i, h, err)
		}
		if blk.AppHash == "" {
			t.Fatalf("node%d block %d has no app hash", i, h)
		}
		if i == 0 {
			want = blk.AppHash
		} else if blk.AppHash != want {
			t.Fatalf("node%d app hash %s at %d, node0 %s", i, blk.AppHash, h, want)
		}
	}
}

// TestCrashSafety SIGKILLs a node while transactions stream in; after a
// restart every transaction it had reported committed is there, once.
func TestCrashSafety(t *testing.T) {
	if testing.Short() {
		t.Skip("multi-process crash test")
	}
	alice, _ := keys.FromURI("//Alice")
	bob, _ := keys.FromURI("//Bob")
	home := filepath.Join(t.TempDir(), "n")
	ports, err := node.FreePorts(2)
	if err != nil {
		t.Fatal(err)
	}
	api := fmt.Sprintf("127.0.0.1:%d", ports[0])
	run(t, "chain", "init", "--home", home, "--block-time", "150ms", "--api", api,
		"--p2p", fmt.Sprintf("127.0.0.1:%d", ports[1]), "--alloc", alice.SS58Address()+"=1000000000000000")
	p := startProc(t, home)
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	c := mustClient(t, "http://"+api)
	waitHeight(t, ctx, c, 2, p)

	type done struct {
		hash   string
		height uint64
	}
	var mu sync.Mutex
	var committed []done
	sctx, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for sctx.Err() == nil {
				o, err := c.Submit(sctx, alice, &chain.Transfer{Dest: bob.SS58Address(), Amount: 7})
				if err != nil {
					continue // the node is down or the nonce moved: keep streaming
				}
				mu.Lock()
				committed = append(committed, done{o.Hash, o.Height})
				mu.Unlock()
			}
		}()
	}
	for {
		mu.Lock()
		n := len(committed)
		mu.Unlock()
		if n >= 30 {
			break
		}
		select {
		case <-ctx.Done():
			t.Fatalf("only %d txs committed\n%s", n, p.logTail())
		case <-time.After(20 * time.Millisecond):
		}
	}
	p.kill()
	stop()
	wg.Wait()
	mu.Lock()
	got := append([]done(nil), committed...)
	mu.Unlock()

	p = startProc(t, home)
	waitHeight(t, ctx, c, got[len(got)-1].height+1, p)
	acc, err := c.Account(ctx, alice.SS58Address())
	if err != nil {
		t.Fatal(err)
	}
	bacc, err := c.Account(ctx, bob.SS58Address())
	if err != nil {
		t.Fatal(err)
	}
	if acc.Nonce < uint64(len(got)) {
		t.Fatalf("alice nonce %d < %d committed txs", acc.Nonce, len(got))
	}
	// Exactly one transfer per nonce: none applied twice, none lost.
	if bacc.Balance != 7*acc.Nonce {
		t.Fatalf("bob has %d rao for %d transfers of 7", bacc.Balance, acc.Nonce)
	}
	for _, d := range got {
		o, err := c.Tx(ctx, d.hash)
		if err != nil || o.Height != d.height || o.Code != 0 {
			t.Fatalf("committed tx %s (block %d) after restart: %+v %v", d.hash, d.height, o, err)
		}
	}
	t.Logf("%d txs confirmed before SIGKILL; %d applied after restart", len(got), acc.Nonce)
}
