package synapse

import (
	"container/heap"
	"context"
	"errors"
	"sync"
)

// errQueueFull is returned when the priority queue already holds its maximum.
var errQueueFull = errors.New("priority queue is full")

// gate admits at most `slots` concurrent holders; waiters are served highest priority
// first, FIFO among equal priorities. It is the Go counterpart of upstream's priority
// thread pool, except that the slot is held for the whole handler run, so the number of
// concurrently running handlers is really bounded.
type gate struct {
	mu       sync.Mutex
	free     int
	maxQueue int
	seq      uint64
	waiting  waitHeap
}

type waiter struct {
	prio    float64
	seq     uint64
	index   int
	ready   chan struct{}
	granted bool
}

func newGate(slots, maxQueue int) *gate {
	return &gate{free: slots, maxQueue: maxQueue}
}

// acquire waits for a slot until ctx is done.
func (g *gate) acquire(ctx context.Context, prio float64) error {
	g.mu.Lock()
	if g.free > 0 && len(g.waiting) == 0 {
		g.free--
		g.mu.Unlock()
		return nil
	}
	if len(g.waiting) >= g.maxQueue {
		g.mu.Unlock()
		return errQueueFull
	}
	g.seq++
	w := &waiter{prio: prio, seq: g.seq, ready: make(chan struct{})}
	heap.Push(&g.waiting, w)
	g.mu.Unlock()

	select {
	case <-w.ready:
		return nil
	case <-ctx.Done():
		g.mu.Lock()
		if w.granted {
			// Granted concurrently with cancellation: hand the slot on.
			g.releaseLocked()
		} else {
			heap.Remove(&g.waiting, w.index)
		}
		g.mu.Unlock()
		return ctx.Err()
	}
}

// release returns a slot, waking the best waiter if any.
func (g *gate) release() {
	g.mu.Lock()
	g.releaseLocked()
	g.mu.Unlock()
}

func (g *gate) releaseLocked() {
	if len(g.waiting) > 0 {
		w := heap.Pop(&g.waiting).(*waiter)
		w.granted = true
		close(w.ready)
		return
	}
	g.free++
}

// stats reports free slots and queue length.
func (g *gate) stats() (free, queued int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.free, len(g.waiting)
}

type waitHeap []*waiter

// waitHeap implements heap.Interface: highest priority first, then arrival order.
func (h waitHeap) Len() int { return len(h) }
func (h waitHeap) Less(i, j int) bool {
	if h[i].prio != h[j].prio {
		return h[i].prio > h[j].prio
	}
	return h[i].seq < h[j].seq
}
func (h waitHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index = i
	h[j].index = j
}
func (h *waitHeap) Push(x any) {
	w := x.(*waiter)
	w.index = len(*h)
	*h = append(*h, w)
}
func (h *waitHeap) Pop() any {
	old := *h
	w := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	w.index = -1
	return w
}
