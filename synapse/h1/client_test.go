package h1

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// server is a real net/http server on loopback that counts the connections opened.
type server struct {
	*httptest.Server
	conns, closed atomic.Int32
}

func newServer(t *testing.T, h http.HandlerFunc) *server {
	t.Helper()
	s := &server{}
	s.Server = httptest.NewUnstartedServer(h)
	s.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		switch st {
		case http.StateNew:
			s.conns.Add(1)
		case http.StateClosed:
			s.closed.Add(1)
		}
	}
	s.Start()
	t.Cleanup(s.Close)
	return s
}

func (s *server) addr() string { return s.Listener.Addr().String() }

func request(path, body string) []byte {
	return []byte("POST " + path + " HTTP/1.1\r\nHost: test\r\nContent-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n" + body)
}

// call does one request and reads the whole body.
func call(t *testing.T, c *Client, ctx context.Context, addr string, req []byte) (*Response, string, error) {
	t.Helper()
	resp, err := c.Do(ctx, addr, req)
	if err != nil {
		return nil, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp, string(b), err
}

func TestClientReusesConnections(t *testing.T) {
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		w.Header()["bt_header_axon_nonce"] = []string{"7"}
		_, _ = w.Write([]byte(r.URL.Path + ":" + string(b)))
	})
	c := New(Config{})
	defer c.CloseIdle()
	for i := range 20 {
		resp, body, err := call(t, c, context.Background(), s.addr(), request("/Prompt", strconv.Itoa(i)))
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != 200 || body != "/Prompt:"+strconv.Itoa(i) || resp.Header.Get("BT_HEADER_AXON_NONCE") != "7" {
			t.Fatalf("%d %q %v", resp.StatusCode, body, resp.Header)
		}
	}
	if n := s.conns.Load(); n != 1 {
		t.Fatalf("%d connections for 20 sequential requests", n)
	}
}

// A kept-alive connection the server closed while idle is replaced transparently.
func TestClientRetriesStaleConnection(t *testing.T) {
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("ok")) })
	c := New(Config{})
	defer c.CloseIdle()
	for i := range 3 {
		if _, body, err := call(t, c, context.Background(), s.addr(), request("/", "")); err != nil || body != "ok" {
			t.Fatalf("request %d: %q %v", i, body, err)
		}
		s.CloseClientConnections()
	}
	if n := s.conns.Load(); n != 3 {
		t.Fatalf("%d connections, want 3", n)
	}
}

// A streamed chunk is readable before the server sends the next one.
func TestClientStreamsChunks(t *testing.T) {
	next := make(chan struct{})
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte("first"))
		w.(http.Flusher).Flush()
		select {
		case <-next:
		case <-r.Context().Done():
			return
		}
		_, _ = w.Write([]byte("second"))
	})
	c := New(Config{})
	defer c.CloseIdle()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	resp, err := c.Do(ctx, s.addr(), request("/", ""))
	if err != nil {
		t.Fatal(err)
	}
	if resp.ContentLength != -1 {
		t.Fatalf("content length %d for a chunked body", resp.ContentLength)
	}
	buf := make([]byte, 64)
	n, err := resp.Body.Read(buf)
	if err != nil || string(buf[:n]) != "first" {
		t.Fatalf("%q %v", buf[:n], err)
	}
	close(next)
	rest, err := io.ReadAll(resp.Body)
	if err != nil || string(rest) != "second" {
		t.Fatalf("%q %v", rest, err)
	}
	resp.Body.Close()
	// The chunked body ended cleanly, so the connection is reused.
	if _, _, err := call(t, c, ctx, s.addr(), request("/", "")); err != nil {
		t.Fatal(err)
	}
	if n := s.conns.Load(); n != 1 {
		t.Fatalf("%d connections", n)
	}
}

func TestClientContextEndsExchange(t *testing.T) {
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
	c := New(Config{})
	defer c.CloseIdle()

	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	if _, err := c.Do(ctx, s.addr(), request("/", "")); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("deadline: %v", err)
	}
	ctx, cancel = context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	if _, err := c.Do(ctx, s.addr(), request("/", "")); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancel: %v", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("took %v", d)
	}
}

// A body abandoned before its end closes its connection; a "Connection: close"
// response is not reused either.
func TestClientDoesNotReuseUnfinishedConnections(t *testing.T) {
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/close" {
			w.Header().Set("Connection", "close")
		}
		_, _ = w.Write([]byte(strings.Repeat("x", 10000)))
	})
	c := New(Config{})
	defer c.CloseIdle()
	resp, err := c.Do(context.Background(), s.addr(), request("/", ""))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := resp.Body.Read(make([]byte, 10)); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if _, err := resp.Body.Read(make([]byte, 10)); err == nil {
		t.Fatal("read after close")
	}
	if _, body, err := call(t, c, context.Background(), s.addr(), request("/close", "")); err != nil || len(body) != 10000 {
		t.Fatal(err)
	}
	if _, _, err := call(t, c, context.Background(), s.addr(), request("/", "")); err != nil {
		t.Fatal(err)
	}
	if n := s.conns.Load(); n != 3 {
		t.Fatalf("%d connections, want 3", n)
	}
}

func TestClientMaxConnsPerHost(t *testing.T) {
	var cur, peak atomic.Int32
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		n := cur.Add(1)
		for old := peak.Load(); n > old && !peak.CompareAndSwap(old, n); old = peak.Load() {
		}
		time.Sleep(20 * time.Millisecond)
		cur.Add(-1)
	})
	c := New(Config{MaxConnsPerHost: 2})
	defer c.CloseIdle()
	var wg sync.WaitGroup
	for range 10 {
		wg.Go(func() {
			if _, _, err := call(t, c, context.Background(), s.addr(), request("/", "")); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if p := peak.Load(); p < 1 || p > 2 {
		t.Fatalf("peak concurrency %d with MaxConnsPerHost 2", p)
	}
	if n := s.conns.Load(); n > 2 {
		t.Fatalf("%d connections with MaxConnsPerHost 2", n)
	}
}

// A server that answers garbage gets a malformed-response error and its connection
// is dropped.
func TestClientMalformedResponse(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		for {
			nc, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer nc.Close()
				_, _ = nc.Read(make([]byte, 4096))
				_, _ = nc.Write([]byte("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nX: a\x00\r\n\r\nx"))
			}()
		}
	}()
	c := New(Config{})
	defer c.CloseIdle()
	if _, err := c.Do(context.Background(), l.Addr().String(), request("/", "")); !errors.Is(err, ErrMalformed) {
		t.Fatalf("%v", err)
	}
}

// An idle connection the server closed is noticed before it is written to, and one
// still open is kept, even after its last request's deadline passed.
func TestClientProbesIdleConnections(t *testing.T) {
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("ok")) })
	c := New(Config{})
	defer c.CloseIdle()
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	if _, _, err := call(t, c, ctx, s.addr(), request("/", "")); err != nil {
		t.Fatal(err)
	}
	cancel()
	hp := c.host(s.addr())
	hp.release()
	if len(hp.idle) != 1 {
		t.Fatalf("%d idle connections", len(hp.idle))
	}
	cn := hp.idle[0]
	time.Sleep(100 * time.Millisecond) // past the request's deadline
	if peerClosed(cn) {
		t.Fatal("a live connection probed as closed")
	}
	s.CloseClientConnections()
	deadline := time.Now().Add(5 * time.Second)
	for !peerClosed(cn) {
		if time.Now().After(deadline) {
			t.Fatal("a closed connection still probes as open")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Idle connections past IdleTimeout are closed by the next request to any address,
// and addresses left without connections are forgotten.
func TestClientSweepsIdleConnections(t *testing.T) {
	var servers []*server
	for range 3 {
		servers = append(servers, newServer(t, func(w http.ResponseWriter, r *http.Request) {}))
	}
	closed := func() (n int32) {
		for _, s := range servers {
			n += s.closed.Load()
		}
		return n
	}
	c := New(Config{IdleTimeout: 200 * time.Millisecond})
	defer c.CloseIdle()
	for _, s := range servers {
		if _, _, err := call(t, c, context.Background(), s.addr(), request("/", "")); err != nil {
			t.Fatal(err)
		}
	}
	time.Sleep(300 * time.Millisecond)
	if _, _, err := call(t, c, context.Background(), servers[0].addr(), request("/", "")); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for closed() < 3 { // the three expired connections
		if time.Now().After(deadline) {
			t.Fatalf("%d of 3 expired connections closed", closed())
		}
		time.Sleep(10 * time.Millisecond)
	}
	c.mu.Lock()
	n := len(c.hosts)
	c.mu.Unlock()
	if n != 1 {
		t.Fatalf("%d addresses kept, want 1", n)
	}
}
