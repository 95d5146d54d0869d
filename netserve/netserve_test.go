package netserve

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// fast is a configuration with short limits so the tests run in seconds.
var fast = Config{ReadHeaderTimeout: 300 * time.Millisecond, IdleTimeout: 300 * time.Millisecond,
	WriteTimeout: 300 * time.Millisecond, BodyGrace: 300 * time.Millisecond, MinBodyRate: 2000, MaxConns: 64}

// start serves h with c on a loopback port and returns its address.
func start(t *testing.T, h http.Handler, c Config) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := NewServer(h, c)
	go srv.Serve(LimitListener(ln, c.MaxConns))
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().String()
}

// closedWithin reports whether the server closes conn within d (anything
// it sends first is drained).
func closedWithin(conn net.Conn, d time.Duration) (bool, string) {
	conn.SetReadDeadline(time.Now().Add(d))
	got, err := io.ReadAll(conn)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return false, string(got)
	}
	return true, string(got)
}

func dial(t *testing.T, addr string) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func readAllHandler(w http.ResponseWriter, r *http.Request) {
	b, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	fmt.Fprintf(w, "%d", len(b))
}

func TestSlowBodyClosed(t *testing.T) {
	addr := start(t, http.HandlerFunc(readAllHandler), fast)
	c := dial(t, addr)
	fmt.Fprintf(c, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n")
	stop := make(chan struct{})
	defer close(stop)
	go func() { // one byte every 50 ms: 20 B/s, far under 2000 B/s
		for {
			select {
			case <-stop:
				return
			case <-time.After(50 * time.Millisecond):
				if _, err := c.Write([]byte("x")); err != nil {
					return
				}
			}
		}
	}()
	t0 := time.Now()
	closed, got := closedWithin(c, 5*time.Second)
	if !closed {
		t.Fatalf("slow-body connection still open after %s", time.Since(t0))
	}
	if !strings.Contains(got, "400") || !strings.Contains(got, "too slowly") {
		t.Errorf("want a 400 naming the slow body, got %q", got)
	}
}

func TestLongFastUploadNotCut(t *testing.T) {
	addr := start(t, http.HandlerFunc(readAllHandler), fast)
	pr, pw := io.Pipe()
	go func() { // 8 KiB every 20 ms for ~1.5 s (5x BodyGrace), well above 2000 B/s
		chunk := make([]byte, 8<<10)
		for range 75 {
			time.Sleep(20 * time.Millisecond)
			if _, err := pw.Write(chunk); err != nil {
				return
			}
		}
		pw.Close()
	}()
	resp, err := http.Post("http://"+addr+"/", "application/octet-stream", pr)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || string(b) != fmt.Sprint(75*8<<10) {
		t.Fatalf("long upload: %d %q", resp.StatusCode, b)
	}
}

func TestIdleKeepAliveClosed(t *testing.T) {
	addr := start(t, http.HandlerFunc(readAllHandler), fast)
	c := dial(t, addr)
	fmt.Fprintf(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	if closed, got := closedWithin(c, 3*time.Second); !closed || !strings.Contains(got, "200 OK") {
		t.Fatalf("idle keep-alive: closed=%v after %q", closed, got)
	}
}

func TestSlowHeaderClosed(t *testing.T) {
	addr := start(t, http.HandlerFunc(readAllHandler), fast)
	c := dial(t, addr)
	fmt.Fprintf(c, "GET / HTTP/1.1\r\nHost: x\r\n")
	if closed, _ := closedWithin(c, 3*time.Second); !closed {
		t.Fatal("half-sent header still open")
	}
	idle := dial(t, addr) // connects and sends nothing
	if closed, _ := closedWithin(idle, 3*time.Second); !closed {
		t.Fatal("silent connection still open")
	}
}

// A body answered before it is read (401 on an unauthenticated upload) is
// not read further: with a long grace, the only way the connection closes
// quickly is that the server gave up on the body.
func TestAnsweredBodyNotReadFurther(t *testing.T) {
	c := fast
	c.BodyGrace = time.Minute
	var reads atomic.Int64
	addr := start(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "unauthenticated", http.StatusUnauthorized)
	}), c)
	conn := dial(t, addr)
	fmt.Fprintf(conn, "PUT /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n%s", strings.Repeat("a", 1000))
	go func() {
		for range 100 {
			time.Sleep(20 * time.Millisecond)
			if _, err := conn.Write([]byte("a")); err != nil {
				return
			}
			reads.Add(1)
		}
	}()
	closed, got := closedWithin(conn, 2*time.Second)
	if !closed {
		t.Fatal("server kept reading a body it had answered with 401")
	}
	if !strings.Contains(got, "401") || !strings.Contains(strings.ToLower(got), "connection: close") {
		t.Errorf("want 401 with Connection: close, got %q", got)
	}
}

func TestPanicAnswers500(t *testing.T) {
	addr := start(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/boom" {
			var m map[string]int
			m["x"]++ // nil map write: a runtime panic
		}
		w.Write([]byte("fine"))
	}), fast)
	resp, err := http.Get("http://" + addr + "/boom")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 500 || !strings.Contains(string(b), "internal error") {
		t.Fatalf("panic: %d %q", resp.StatusCode, b)
	}
	resp, err = http.Get("http://" + addr + "/ok")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("after panic: %d", resp.StatusCode)
	}
}

// A stream whose events are further apart than WriteTimeout, and that lasts
// many WriteTimeouts, must not be cut.
func TestHealthyStreamOutlivesWriteTimeout(t *testing.T) {
	addr := start(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		for i := range 4 {
			fmt.Fprintf(w, "data: %d\n\n", i)
			w.(http.Flusher).Flush()
			time.Sleep(450 * time.Millisecond) // > WriteTimeout between events
		}
	}), fast)
	resp, err := http.Get("http://" + addr + "/")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || strings.Count(string(b), "data:") != 4 {
		t.Fatalf("stream cut: %v %q", err, b)
	}
}

func TestWebSocketOutlivesTimeouts(t *testing.T) {
	addr := start(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer ws.CloseNow()
		for i := range 3 {
			time.Sleep(450 * time.Millisecond) // > write, idle and header timeouts
			if err := ws.Write(r.Context(), websocket.MessageText, []byte(fmt.Sprint(i))); err != nil {
				return
			}
		}
		ws.Close(websocket.StatusNormalClosure, "")
	}), fast)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ws, _, err := websocket.Dial(ctx, "ws://"+addr+"/", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.CloseNow()
	for i := range 3 {
		_, m, err := ws.Read(ctx)
		if err != nil || string(m) != fmt.Sprint(i) {
			t.Fatalf("message %d: %q %v", i, m, err)
		}
	}
}

// A client that stops reading a stream is cut after WriteTimeout.
func TestStalledReaderCut(t *testing.T) {
	done := make(chan error, 1)
	addr := start(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		chunk := make([]byte, 64<<10)
		for {
			if _, err := w.Write(chunk); err != nil {
				done <- err
				return
			}
		}
	}), fast)
	c := dial(t, addr)
	fmt.Fprintf(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n") // and never read
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("write to a client that never reads did not fail")
	}
}

func TestConnectionCap(t *testing.T) {
	c := fast
	c.ReadHeaderTimeout, c.MaxConns = 10*time.Second, 2
	addr := start(t, http.HandlerFunc(readAllHandler), c)
	dial(t, addr)
	dial(t, addr) // two idle connections fill the cap
	time.Sleep(100 * time.Millisecond)
	third := dial(t, addr)
	fmt.Fprintf(third, "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
	third.SetReadDeadline(time.Now().Add(500 * time.Millisecond))
	if n, _ := third.Read(make([]byte, 1)); n > 0 {
		t.Fatal("third connection served over a cap of 2")
	}
}

func TestConnectionCapFreesSlots(t *testing.T) {
	c := fast
	c.MaxConns = 2
	addr := start(t, http.HandlerFunc(readAllHandler), c)
	for range 10 { // sequential requests on fresh connections reuse slots
		conn := dial(t, addr)
		fmt.Fprintf(conn, "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
		conn.SetReadDeadline(time.Now().Add(3 * time.Second))
		line, err := bufio.NewReader(conn).ReadString('\n')
		if err != nil || !strings.Contains(line, "200") {
			t.Fatalf("slot not freed: %q %v", line, err)
		}
		conn.Close()
	}
}

func TestConfigOverrides(t *testing.T) {
	t.Setenv(EnvVar, "header=2s, idle=5s,write=7s,grace=3s,rate=99,conns=12")
	c := DefaultConfig()
	want := Config{ReadHeaderTimeout: 2 * time.Second, IdleTimeout: 5 * time.Second, WriteTimeout: 7 * time.Second,
		BodyGrace: 3 * time.Second, MinBodyRate: 99, MaxConns: 12}
	if c != want {
		t.Fatalf("got %+v want %+v", c, want)
	}
	var bad Config
	err := bad.apply("header=-1s,rate=x,nope=1,idle")
	for _, s := range []string{"header", "rate", "nope", "idle"} {
		if err == nil || !strings.Contains(err.Error(), s) {
			t.Errorf("error %v does not name %s", err, s)
		}
	}
}

func TestRaiseFDLimit(t *testing.T) {
	lim, err := RaiseFDLimit()
	if err != nil || lim == 0 {
		t.Skipf("no fd limit here: %v", err)
	}
	if lim < 64 {
		t.Fatalf("soft limit %d", lim)
	}
	if perListenerCap() > int(lim/4) && perListenerCap() != minConns {
		t.Fatalf("per-listener cap %d over a quarter of %d", perListenerCap(), lim)
	}
}
