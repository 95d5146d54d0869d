package h1

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"testing"
	"time"
)

// watching returns how many contexts the client watches.
func (c *Client) watching() int {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	return len(c.watches)
}

// Requests in flight under one context share its watch: cancelling it ends every
// one of them at once, leaves a request under another context alone, and leaves no
// watch behind.
func TestClientContextWatchSharedByRequests(t *testing.T) {
	release := make(chan struct{})
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/wait" {
			select {
			case <-release:
			case <-r.Context().Done():
			}
		}
		_, _ = w.Write([]byte("ok"))
	})
	c := New(Config{})
	defer c.CloseIdle()

	ctx, cancel := context.WithCancel(context.Background())
	other, cancelOther := context.WithCancel(context.Background())
	defer cancelOther()
	const n = 8
	errs := make(chan error, n)
	for range n {
		go func() {
			_, err := c.Do(ctx, s.addr(), request("/wait", ""))
			errs <- err
		}()
	}
	otherDone := make(chan string, 1)
	go func() {
		_, body, err := call(t, c, other, s.addr(), request("/wait", ""))
		if err != nil {
			body = err.Error()
		}
		otherDone <- body
	}()
	deadline := time.Now().Add(5 * time.Second)
	for c.watching() != 2 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if w := c.watching(); w != 2 {
		t.Fatalf("%d watches for two contexts", w)
	}
	time.Sleep(50 * time.Millisecond) // let the requests reach the server
	start := time.Now()
	cancel()
	for range n {
		select {
		case err := <-errs:
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("request under the cancelled context: %v", err)
			}
		case <-time.After(5 * time.Second):
			close(release)
			t.Fatal("cancelling the context did not end its requests")
		}
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("cancelled requests took %v to end", d)
	}
	close(release)
	if body := <-otherDone; body != "ok" {
		t.Fatalf("request under the other context: %q", body)
	}
	if w := c.watching(); w != 0 {
		t.Fatalf("%d watches left", w)
	}
}

// A context that never ends leaves no watch once its requests are over, and its
// connection is reused.
func TestClientContextWatchDroppedWhenIdle(t *testing.T) {
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("ok")) })
	c := New(Config{})
	defer c.CloseIdle()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 50 {
				if _, body, err := call(t, c, ctx, s.addr(), request("/", "")); err != nil || body != "ok" {
					t.Errorf("%q %v", body, err)
					return
				}
			}
		})
	}
	wg.Wait()
	if w := c.watching(); w != 0 {
		t.Fatalf("%d watches left", w)
	}
	if n := s.conns.Load(); n > 4 {
		t.Fatalf("%d connections for 4 concurrent requesters", n)
	}
}
