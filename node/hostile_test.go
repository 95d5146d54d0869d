package node_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/taonet/taonet/netserve"
	"github.com/taonet/taonet/netserve/netservetest"
	"github.com/taonet/taonet/node"
)

// TestNodeSurvivesIdleConnectionBurst: with its file-descriptor limit at
// 256, a node takes a burst of 240 idle connections to its API and keeps
// committing blocks. Without a connection cap the burst used the
// descriptors CometBFT needs to write its validator state, and consensus
// halted for good ("too many open files").
func TestNodeSurvivesIdleConnectionBurst(t *testing.T) {
	if testing.Short() {
		t.Skip("node process under prlimit")
	}
	prlimit, err := exec.LookPath("prlimit")
	if err != nil {
		t.Fatal("prlimit (util-linux) is required: ", err)
	}
	dir := t.TempDir()
	home := filepath.Join(dir, "node")
	ports, err := node.FreePorts(2)
	if err != nil {
		t.Fatal(err)
	}
	api := fmt.Sprintf("127.0.0.1:%d", ports[0])
	run(t, "chain", "init", "--home", home, "--block-time", "150ms", "--api", api, "--p2p", fmt.Sprintf("127.0.0.1:%d", ports[1]))
	cmd := exec.Command(prlimit, "--nofile=256", taonetBinary(t), "chain", "start", "--home", home)
	// Idle connections are dropped after 2 s instead of 10 s, to keep the test short.
	cmd.Env = append(os.Environ(), "TAONET_HTTP=header=2s")
	logf, err := os.Create(filepath.Join(home, "node.log"))
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

	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	c := mustClient(t, "http://"+api)
	h0 := waitHeight(t, ctx, c, 2, p).Height

	var conns []net.Conn
	for range 240 {
		conn, err := net.DialTimeout("tcp", api, 2*time.Second)
		if err != nil {
			t.Fatalf("dial %d: %v", len(conns), err)
		}
		conns = append(conns, conn)
	}
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	// Hold the burst across many blocks, then the chain must have moved on.
	time.Sleep(5 * time.Second)
	waitHeight(t, ctx, c, h0+10, p)
	select {
	case <-p.done:
		t.Fatalf("node exited under the burst:\n%s", p.logTail())
	default:
	}
	if log := p.logTail(); strings.Contains(log, "too many open files") || strings.Contains(log, "CONSENSUS FAILURE") {
		t.Fatalf("node log shows descriptor exhaustion:\n%s", log)
	}
}

// TestChainStartExitsOnHalt: `taonet chain start` on a node that halts (here:
// the disk reserve cannot be met) exits non-zero with the reason on stderr.
func TestChainStartExitsOnHalt(t *testing.T) {
	if testing.Short() {
		t.Skip("node process")
	}
	home := filepath.Join(t.TempDir(), "node")
	ports, err := node.FreePorts(2)
	if err != nil {
		t.Fatal(err)
	}
	run(t, "chain", "init", "--home", home, "--block-time", "150ms", "--api", fmt.Sprintf("127.0.0.1:%d", ports[0]),
		"--p2p", fmt.Sprintf("127.0.0.1:%d", ports[1]))
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, taonetBinary(t), "chain", "start", "--home", home, "--min-free-disk", "1000000000000")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	err = cmd.Run()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() == 0 || ee.Sys().(syscall.WaitStatus).Signaled() {
		t.Fatalf("chain start: %v, want a non-zero exit", err)
	}
	if !strings.Contains(stderr.String(), "disk almost full") {
		t.Fatalf("stderr does not give the reason: %q", stderr.String())
	}
}

// TestChainStartExitsOnConsensusFailure: when CometBFT cannot write its
// validator state (the file replaced by a directory, as a failing disk
// would), consensus fails; `taonet chain start` must exit non-zero with the
// reason on stderr instead of idling with a frozen height.
func TestChainStartExitsOnConsensusFailure(t *testing.T) {
	if testing.Short() {
		t.Skip("node process")
	}
	home := filepath.Join(t.TempDir(), "node")
	ports, err := node.FreePorts(2)
	if err != nil {
		t.Fatal(err)
	}
	api := fmt.Sprintf("127.0.0.1:%d", ports[0])
	run(t, "chain", "init", "--home", home, "--block-time", "150ms", "--api", api, "--p2p", fmt.Sprintf("127.0.0.1:%d", ports[1]))
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, taonetBinary(t), "chain", "start", "--home", home)
	var stderr syncBuf
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	waitHeight(t, ctx, mustClient(t, "http://"+api), 2, nil)
	state := filepath.Join(home, "data", "priv_validator_state.json")
	if err := os.Remove(state); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(state, "blocker"), 0o700); err != nil {
		t.Fatal(err)
	}
	select {
	case err = <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("node still running 30 s after its validator state became unwritable")
	}
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() <= 0 {
		t.Fatalf("chain start: %v, want a non-zero exit", err)
	}
	stderr.mu.Lock()
	out := stderr.b.String()
	stderr.mu.Unlock()
	if !strings.Contains(out, "consensus failure") {
		t.Fatalf("stderr does not give the reason: %q", out)
	}
}

// TestAPIClosesHostileClients: the node API closes silent, idle keep-alive
// and slow-body clients (limits shortened through TAONET_HTTP). Before,
// only a header timeout was set and the last two stayed open indefinitely.
func TestAPIClosesHostileClients(t *testing.T) {
	t.Setenv(netserve.EnvVar, netservetest.FastEnv)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	st, err := node.BuildAppState("", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	n, err := node.StartEmbedded(ctx, node.Options{Home: t.TempDir(), BlockTime: 100 * time.Millisecond, AppState: st})
	if err != nil {
		t.Fatal(err)
	}
	defer n.Stop()
	netservetest.CheckClosesHostileClients(t, strings.TrimPrefix(n.APIURL(), "http://"), "/api/v1/status", "/api/v1/tx", 10*time.Second)
}
