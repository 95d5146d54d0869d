package synapse

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestGateOrdersByPriority(t *testing.T) {
	g := newGate(1, 10)
	if err := g.acquire(context.Background(), 0); err != nil {
		t.Fatal(err)
	}
	prios := []float64{1, 5, 3, 5, 2}
	order := make(chan int, len(prios))
	for i, p := range prios {
		go func() {
			if err := g.acquire(context.Background(), p); err != nil {
				t.Error(err)
				return
			}
			order <- i
		}()
		// Enqueue one at a time so FIFO among equals is observable.
		for {
			if _, q := g.stats(); q == i+1 {
				break
			}
			time.Sleep(time.Millisecond)
		}
	}
	want := []int{1, 3, 2, 4, 0} // 5 (first), 5 (second), 3, 2, 1
	for _, w := range want {
		g.release()
		if got := <-order; got != w {
			t.Fatalf("granted %d, want %d", got, w)
		}
	}
	g.release()
	if free, q := g.stats(); free != 1 || q != 0 {
		t.Fatalf("free %d queued %d", free, q)
	}
}

func TestGateCancelAndFull(t *testing.T) {
	g := newGate(1, 1)
	if err := g.acquire(context.Background(), 0); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- g.acquire(ctx, 1) }()
	for {
		if _, q := g.stats(); q == 1 {
			break
		}
		time.Sleep(time.Millisecond)
	}
	if err := g.acquire(context.Background(), 9); !errors.Is(err, errQueueFull) {
		t.Fatalf("want queue full, got %v", err)
	}
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Fatal(err)
	}
	g.release()
	if free, q := g.stats(); free != 1 || q != 0 {
		t.Fatalf("slot leaked: free %d queued %d", free, q)
	}
}

func TestNonceStorePrunes(t *testing.T) {
	s := newNonceStore(time.Second)
	now := time.Now()
	old := now.Add(-time.Hour).UnixNano()
	for i := range 5000 {
		if err := s.commit(nonceKey{hotkey: string(rune('a' + i%26)), uuid: string(rune(i))}, old, now); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.commit(nonceKey{hotkey: "fresh"}, now.UnixNano(), now); err != nil {
		t.Fatal(err)
	}
	if n := s.size(); n > 4097 {
		t.Fatalf("store not pruned: %d entries", n)
	}
	if err := s.check(nonceKey{hotkey: "fresh"}, now.UnixNano(), now, 1, true); err == nil {
		t.Fatal("equal nonce accepted")
	}
}
