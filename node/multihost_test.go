package node_test

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/taonet/taonet/node"
)

// TestValidatorsOnDistinctHosts: four validators on 127.0.0.2-127.0.0.5,
// written by `chain testnet --hosts` with the same ports on every host and
// no duplicate-IP allowance, commit blocks; a full node that joins later
// with `chain init --genesis --peers` catches up; with one validator
// killed, blocks continue.
func TestValidatorsOnDistinctHosts(t *testing.T) {
	if testing.Short() {
		t.Skip("multi-process cluster")
	}
	hosts := []string{"127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5"}
	base := freePortOn(t, hosts...)
	dir := t.TempDir()
	out := run(t, "chain", "testnet", "--hosts", strings.Join(hosts, ","), "--out", dir, "--base-port", fmt.Sprint(base),
		"--block-time", "200ms")
	peers := ""
	for _, l := range strings.Split(out, "\n") {
		if _, after, ok := strings.Cut(l, "--peers "); ok {
			peers = strings.TrimSpace(after)
		}
	}
	if strings.Count(peers, "@") != 4 {
		t.Fatalf("no peers line in:\n%s", out)
	}
	// The full node's home, made the way a new operator makes it.
	full := filepath.Join(dir, "full")
	fullAPI := fmt.Sprintf("127.0.0.6:%d", base+2)
	initOut := run(t, "chain", "init", "--home", full, "--genesis", filepath.Join(dir, "node0", "config", "genesis.json"),
		"--peers", peers, "--p2p", fmt.Sprintf("127.0.0.6:%d", base), "--api", fullAPI)
	fullID := ""
	if _, after, ok := strings.Cut(initOut, "node id "); ok {
		fullID, _, _ = strings.Cut(after, ")")
	}
	if len(fullID) != 40 {
		t.Fatalf("no node id in: %s", initOut)
	}
	// On one machine every loopback connection comes from 127.0.0.1, so a
	// validator refusing duplicate IPs accepts one inbound loopback peer at
	// most; the validators therefore also dial the full node (across
	// machines, its own dials suffice).
	var procs []*proc
	for i := range hosts {
		home := filepath.Join(dir, fmt.Sprintf("node%d", i))
		path := filepath.Join(home, "config", "config.toml")
		cfgText, _ := os.ReadFile(path)
		if !strings.Contains(string(cfgText), "allow_duplicate_ip = false") {
			t.Fatalf("node%d allows duplicate IPs", i)
		}
		cfgText = []byte(strings.Replace(string(cfgText), `persistent_peers = "`,
			fmt.Sprintf(`persistent_peers = "%s@127.0.0.6:%d,`, fullID, base), 1))
		if err := os.WriteFile(path, cfgText, 0o600); err != nil {
			t.Fatal(err)
		}
		procs = append(procs, startProc(t, home))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Second)
	defer cancel()
	api := func(i int) string { return fmt.Sprintf("http://%s:%d", hosts[i], base+2) }
	for i := range hosts {
		waitHeight(t, ctx, mustClient(t, api(i)), 5, procs[i])
	}

	// The full node starts later and catches up.
	c0 := mustClient(t, api(0))
	h := waitHeight(t, ctx, c0, 10, procs[0]).Height
	fp := startProc(t, full)
	waitHeight(t, ctx, mustClient(t, "http://"+fullAPI), h, fp)

	// One validator down: three of four still commit, and the full node follows.
	procs[3].kill()
	h = waitHeight(t, ctx, c0, h+1, procs[0]).Height
	waitHeight(t, ctx, c0, h+5, procs[0])
	waitHeight(t, ctx, mustClient(t, "http://"+fullAPI), h+5, fp)
	b0, err := c0.Block(ctx, h+3)
	if err != nil {
		t.Fatal(err)
	}
	bf, err := mustClient(t, "http://"+fullAPI).Block(ctx, h+3)
	if err != nil || bf.Hash != b0.Hash || bf.AppHash != b0.AppHash {
		t.Fatalf("full node block %d = %+v (%v), validator %+v", h+3, bf, err, b0)
	}
}

// freePortOn returns a port p such that p, p+1 and p+2 are free on every
// host (loopback addresses all route to this machine).
func freePortOn(t *testing.T, hosts ...string) int {
	t.Helper()
	for range 50 {
		ps, err := node.FreePorts(1)
		if err != nil {
			t.Fatal(err)
		}
		p, ok := ps[0], true
		for _, h := range append(hosts, "127.0.0.6") {
			for k := range 3 {
				l, err := net.Listen("tcp", net.JoinHostPort(h, fmt.Sprint(p+k)))
				if err != nil {
					ok = false
					break
				}
				l.Close()
			}
		}
		if ok {
			return p
		}
	}
	t.Fatal("no free port triple on the test hosts")
	return 0
}
