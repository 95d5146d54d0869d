package h1

import (
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

const watchDelay = 50 * time.Millisecond

// watchedServer serves h with a short DisconnectWatchAfter and counts the watchers
// that start reading ahead; started receives one token per watcher.
func watchedServer(t *testing.T, h HandlerFunc) (addr string, watches *atomic.Int32, started chan struct{}) {
	t.Helper()
	watches = new(atomic.Int32)
	started = make(chan struct{}, 16)
	s := &Server{DisconnectWatchAfter: watchDelay}
	s.onWatch = func() {
		watches.Add(1)
		started <- struct{}{}
	}
	return serve(t, s, h), watches, started
}

// waitCtx blocks until ctx is done or a bound passes, and returns how long it took.
func waitCtx(ctx context.Context) (time.Duration, bool) {
	t0 := time.Now()
	select {
	case <-ctx.Done():
		return time.Since(t0), true
	case <-time.After(5 * time.Second):
		return time.Since(t0), false
	}
}

// A client that closes its connection while the handler runs cancels the
// request's context and runs the OnHangUp hook, within the watch delay (plus a
// margin) of the close; the server keeps serving.
func TestServerDisconnectCancelsContext(t *testing.T) {
	entered := make(chan struct{}, 1)
	result := make(chan time.Duration, 1)
	hooked := make(chan struct{})
	addr, watches, _ := watchedServer(t, func(w *ResponseWriter, r *Request) {
		if r.Path == "/quick" {
			echo(w, r)
			return
		}
		r.OnHangUp(func() { close(hooked) })
		ctx := r.Context()
		entered <- struct{}{}
		d, ok := waitCtx(ctx)
		if !ok {
			d = -1
		}
		result <- d
	})
	c, _ := dial(t, addr)
	_, _ = io.WriteString(c, "GET /wait HTTP/1.1\r\nHost: t\r\n\r\n")
	<-entered
	closedAt := time.Now()
	c.Close()
	d := <-result
	if d < 0 {
		t.Fatal("the handler's context was not cancelled after the client closed")
	}
	if since := time.Since(closedAt); since > watchDelay+time.Second {
		t.Fatalf("cancelled %v after the close (delay %v)", since, watchDelay)
	}
	select {
	case <-hooked:
	case <-time.After(time.Second):
		t.Fatal("OnHangUp's function did not run")
	}
	if n := watches.Load(); n != 1 {
		t.Fatalf("%d watchers for one long request", n)
	}
	c2, br2 := dial(t, addr)
	_, _ = io.WriteString(c2, post("/quick", "x"))
	if resp, body := readResponse(t, br2, "POST"); resp.StatusCode != 200 || body != "POST /quick x" {
		t.Fatalf("after the hang-up: %d %q", resp.StatusCode, body)
	}
}

// Requests whose handler returns before the delay start no watcher, their context
// ends when the handler returns (as net/http's), and one that runs past it does
// start one without being cancelled.
func TestServerDisconnectShortRequestsUnwatched(t *testing.T) {
	ctxs := make(chan context.Context, 64)
	addr, watches, _ := watchedServer(t, func(w *ResponseWriter, r *Request) {
		ctxs <- r.Context()
		if r.Path == "/slow" {
			time.Sleep(3 * watchDelay)
			if err := r.Context().Err(); err != nil {
				t.Errorf("slow request cancelled with the client alive: %v", err)
			}
		}
		echo(w, r)
	})
	c, br := dial(t, addr)
	for range 40 {
		_, _ = io.WriteString(c, post("/quick", "abc"))
		if resp, body := readResponse(t, br, "POST"); resp.StatusCode != 200 || body != "POST /quick abc" {
			t.Fatalf("%d %q", resp.StatusCode, body)
		}
		if err := (<-ctxs).Err(); err != context.Canceled {
			t.Fatalf("context after the handler returned: %v", err)
		}
	}
	if n := watches.Load(); n != 0 {
		t.Fatalf("%d watchers for requests shorter than the delay", n)
	}
	_, _ = io.WriteString(c, "GET /slow HTTP/1.1\r\nHost: t\r\n\r\n")
	if resp, body := readResponse(t, br, "GET"); resp.StatusCode != 200 || body != "GET /slow " {
		t.Fatalf("%d %q", resp.StatusCode, body)
	}
	<-ctxs
	if n := watches.Load(); n != 1 {
		t.Fatalf("%d watchers for one request past the delay", n)
	}
}

// A request pipelined while a long handler runs is read ahead by the watcher (the
// client is alive, so nothing is cancelled) and served whole after it: the peeked
// byte stays in the connection's buffer.
func TestServerDisconnectPipelinedDuringWatch(t *testing.T) {
	release := make(chan struct{})
	addr, _, started := watchedServer(t, func(w *ResponseWriter, r *Request) {
		if r.Path == "/wait" {
			<-release
			if err := r.Context().Err(); err != nil {
				t.Errorf("long request cancelled by a pipelined one: %v", err)
			}
		}
		echo(w, r)
	})
	c, br := dial(t, addr)
	_, _ = io.WriteString(c, "GET /wait HTTP/1.1\r\nHost: t\r\n\r\n")
	<-started // the watcher is reading ahead on the socket
	_, _ = io.WriteString(c, post("/next", "two"))
	time.Sleep(2 * watchDelay) // let the watcher take the bytes
	close(release)
	for _, want := range []string{"GET /wait ", "POST /next two"} {
		if resp, body := readResponse(t, br, want[:strings.IndexByte(want, ' ')]); resp.StatusCode != 200 || body != want {
			t.Fatalf("%d %q, want %q", resp.StatusCode, body, want)
		}
	}
}

// A client that half-closes (shutdown of its write side) after its request is
// taken as hung up, as net/http's background read takes EOF: the context is
// cancelled, and the response the handler still writes reaches the client.
func TestServerDisconnectHalfClose(t *testing.T) {
	addr, _, _ := watchedServer(t, func(w *ResponseWriter, r *Request) {
		_, ok := waitCtx(r.Context())
		msg := map[bool]string{true: "cancelled", false: "not cancelled"}[ok]
		w.WriteStatus(http.StatusOK)
		w.EndHead(int64(len(msg)))
		_, _ = w.Write([]byte(msg))
	})
	c, br := dial(t, addr)
	_, _ = io.WriteString(c, "GET / HTTP/1.1\r\nHost: t\r\n\r\n")
	if err := c.(*net.TCPConn).CloseWrite(); err != nil {
		t.Fatal(err)
	}
	if resp, body := readResponse(t, br, "GET"); resp.StatusCode != 200 || body != "cancelled" {
		t.Fatalf("%d %q", resp.StatusCode, body)
	}
	if !closed(br) {
		t.Fatal("connection kept after the client's EOF")
	}
}

// Shutdown with a watched request in flight waits for it, and the request is not
// cancelled by the watch's end.
func TestServerDisconnectShutdownWhileWatched(t *testing.T) {
	release := make(chan struct{})
	s := &Server{DisconnectWatchAfter: watchDelay}
	started := make(chan struct{}, 1)
	s.onWatch = func() { started <- struct{}{} }
	cancelled := make(chan bool, 1)
	s.Handler = HandlerFunc(func(w *ResponseWriter, r *Request) {
		<-release
		cancelled <- r.Context().Err() != nil
		w.WriteStatus(http.StatusOK)
		w.EndHead(0)
	})
	addr, served := serveOwnShutdown(t, s)
	c, br := dial(t, addr)
	_, _ = io.WriteString(c, "GET / HTTP/1.1\r\nHost: t\r\n\r\n")
	<-started
	done := make(chan error, 1)
	go func() { done <- s.Shutdown(context.Background()) }()
	time.Sleep(2 * watchDelay)
	close(release)
	if resp, _ := readResponse(t, br, "GET"); resp.StatusCode != 200 {
		t.Fatalf("in-flight request: %d", resp.StatusCode)
	}
	if <-cancelled {
		t.Fatal("request cancelled with its client alive")
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("shutdown: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Shutdown did not return after the watched request ended")
	}
	if err := <-served; err != ErrServerClosed {
		t.Fatalf("serve: %v", err)
	}
	if !closed(br) {
		t.Fatal("connection kept after Shutdown")
	}
}

// A streaming (chunked) response is cancelled too when its client goes away
// mid-stream.
func TestServerDisconnectStreaming(t *testing.T) {
	result := make(chan bool, 1)
	addr, _, _ := watchedServer(t, func(w *ResponseWriter, r *Request) {
		w.WriteStatus(http.StatusOK)
		w.EndHead(-1)
		_, _ = w.Write([]byte("first"))
		_ = w.Flush()
		_, ok := waitCtx(r.Context())
		result <- ok
	})
	c, br := dial(t, addr)
	_, _ = io.WriteString(c, "GET /s HTTP/1.1\r\nHost: t\r\n\r\n")
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 5)
	if _, err := io.ReadFull(resp.Body, buf); err != nil || string(buf) != "first" {
		t.Fatalf("%q %v", buf, err)
	}
	c.Close()
	if !<-result {
		t.Fatal("streaming handler not cancelled after the client closed")
	}
}

// The watch never reads into a body the handler has not read (net/http's rule):
// such a request is not watched. A negative delay disables the watch.
func TestServerDisconnectNotWatched(t *testing.T) {
	for _, tc := range []struct {
		name  string
		delay time.Duration
		req   string
	}{
		{"unread body", watchDelay, post("/", strings.Repeat("b", 10))},
		{"disabled", -1, "GET / HTTP/1.1\r\nHost: t\r\n\r\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var watches atomic.Int32
			s := &Server{DisconnectWatchAfter: tc.delay}
			s.onWatch = func() { watches.Add(1) }
			result := make(chan error, 1)
			entered := make(chan struct{})
			addr := serve(t, s, func(w *ResponseWriter, r *Request) {
				close(entered)
				select {
				case <-r.Context().Done():
				case <-time.After(6 * watchDelay):
				}
				result <- r.Context().Err()
			})
			c, _ := dial(t, addr)
			_, _ = io.WriteString(c, tc.req)
			<-entered
			c.Close()
			if err := <-result; err != nil {
				t.Fatalf("cancelled: %v", err)
			}
			if n := watches.Load(); n != 0 {
				t.Fatalf("%d watchers", n)
			}
		})
	}
}

// BenchmarkServerWatchShortRequest is what the watch costs a request whose handler
// returns before the delay (the timer's reset and stop, the hook and its reset),
// against the whole request in BenchmarkAxonConn (~11 µs).
func BenchmarkServerWatchShortRequest(b *testing.B) {
	s := &Server{}
	s.init()
	client, server := net.Pipe()
	defer client.Close()
	c := s.track(server)
	defer c.nc.Close()
	_, cancel := context.WithCancel(context.Background())
	defer cancel()
	c.req.c = c
	b.ReportAllocs()
	for b.Loop() {
		c.armWatch()
		c.req.OnHangUp(cancel)
		c.stopWatch()
	}
	if c.watch.timer != nil && c.watch.timer.Stop() {
		b.Fatal("timer left running")
	}
}
