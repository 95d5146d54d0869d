package node

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// gatedFactory builds counter machines whose EndBlock waits while the gate
// is closed (a stalled block) or panics from a chosen height (a consensus
// failure, as a failed state write would cause).
type gatedFactory struct {
	counterFactory
	g *gate
}

type gate struct {
	hold      atomic.Bool
	release   chan struct{}
	panicFrom atomic.Uint64
}

type gatedMachine struct {
	*counterMachine
	g *gate
}

func (f gatedFactory) FromGenesis(id string, st json.RawMessage) (Machine, error) {
	m, err := f.counterFactory.FromGenesis(id, st)
	return gatedMachine{m.(*counterMachine), f.g}, err
}
func (f gatedFactory) Decode(b []byte) (Machine, error) {
	m, err := f.counterFactory.Decode(b)
	if err != nil {
		return nil, err
	}
	return gatedMachine{m.(*counterMachine), f.g}, nil
}
func (m gatedMachine) Clone() Machine {
	return gatedMachine{m.counterMachine.Clone().(*counterMachine), m.g}
}
func (m gatedMachine) EndBlock() []Event {
	if p := m.g.panicFrom.Load(); p > 0 && m.blocks+1 >= p {
		panic("state write failed: no space left on device (simulated)")
	}
	if m.g.hold.Load() {
		<-m.g.release
	}
	return m.counterMachine.EndBlock()
}

func getHealth(t *testing.T, url string) (int, Health) {
	t.Helper()
	resp, err := http.Get(url + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var h Health
	if err := json.NewDecoder(resp.Body).Decode(&h); err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, h
}

// waitHealth polls /healthz until it answers want or the deadline passes.
func waitHealth(t *testing.T, url string, want int, within time.Duration) Health {
	t.Helper()
	end := time.Now().Add(within)
	for {
		code, h := getHealth(t, url)
		if code == want {
			return h
		}
		if time.Now().After(end) {
			t.Fatalf("/healthz still %d %+v after %s, want %d", code, h, within, want)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func startGated(t *testing.T, g *gate) *Node {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	n, err := StartEmbedded(ctx, Options{Home: t.TempDir(), Factory: gatedFactory{g: g}, BlockTime: 100 * time.Millisecond,
		AppState: []byte(`{"start":0}`), StallAfter: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { n.Stop() })
	if err := n.WaitHeight(ctx, 2); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestHealthzFailsDuringStall: a block that does not finish makes /healthz
// answer 503 naming the stall; once blocks commit again it answers 200.
func TestHealthzFailsDuringStall(t *testing.T) {
	g := &gate{release: make(chan struct{})}
	n := startGated(t, g)
	if code, h := getHealth(t, n.APIURL()); code != 200 || h.Status != "ok" {
		t.Fatalf("healthy node: %d %+v", code, h)
	}
	g.hold.Store(true)
	h := waitHealth(t, n.APIURL(), http.StatusServiceUnavailable, 10*time.Second)
	if h.Status != "failing" || !strings.Contains(h.Error, "no block committed") {
		t.Fatalf("stalled health %+v", h)
	}
	g.hold.Store(false)
	close(g.release)
	waitHealth(t, n.APIURL(), http.StatusOK, 10*time.Second)
}

// TestConsensusFailureIsFatal: CometBFT only logs a panic in block
// execution and stops committing; the node must report it as fatal.
func TestConsensusFailureIsFatal(t *testing.T) {
	g := &gate{release: make(chan struct{})}
	n := startGated(t, g)
	g.panicFrom.Store(n.Height() + 2)
	select {
	case <-n.Failed():
	case <-time.After(20 * time.Second):
		t.Fatal("consensus failure not reported")
	}
	if err := n.Err(); err == nil || !strings.Contains(err.Error(), "consensus failure") || !strings.Contains(err.Error(), "no space left") {
		t.Fatalf("fatal error %v", err)
	}
	code, h := getHealth(t, n.APIURL())
	if code != http.StatusServiceUnavailable || !strings.Contains(h.Error, "consensus failure") {
		t.Fatalf("health after failure: %d %+v", code, h)
	}
}

// TestDiskReserve: a node whose filesystem has less free space than its
// reserve refuses to start, naming the directory and the way out.
func TestDiskReserve(t *testing.T) {
	home := t.TempDir()
	_, err := StartEmbedded(context.Background(), Options{Home: home, Factory: counterFactory{}, BlockTime: 100 * time.Millisecond,
		AppState: []byte(`{"start":0}`), MinFreeDisk: 1 << 62})
	if err == nil || !strings.Contains(err.Error(), "disk almost full") || !strings.Contains(err.Error(), home) {
		t.Fatalf("start with no disk reserve: %v", err)
	}
	if err := checkFreeDisk(home, 1); err != nil {
		t.Fatal(err)
	}
}
