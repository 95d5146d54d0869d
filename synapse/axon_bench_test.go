package synapse

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkAxonServe measures the axon's side of verified requests: the requests are
// signed and serialized before the timer starts, and a minimal client writes them on
// keep-alive loopback connections and skims the responses, so nearly all of the
// process CPU (cpu-ns/op) is the axon's: net/http's server, header parsing, nonce and
// signature checks, body hash, handler, response signing and writing.
func BenchmarkAxonServe(b *testing.B) {
	for _, conns := range []int{1, 8} {
		b.Run(fmt.Sprintf("conns=%d", conns), func(b *testing.B) {
			_, target := echoAxon(b, AxonConfig{MaxConcurrent: 256}, Options{})
			reqs := make([][][]byte, conns)
			nonce := time.Now().UnixNano()
			for i := range b.N {
				c := i % conns
				nonce++
				hr := rawRequest{signer: key(b, "Alice"), nonce: nonce, uuid: fmt.Sprintf("bench-%d", c),
					messages: []string{"What is the capital of France?"}}.build(b, target)
				var buf bytes.Buffer
				if err := hr.Write(&buf); err != nil {
					b.Fatal(err)
				}
				reqs[c] = append(reqs[c], buf.Bytes())
			}
			addr := net.JoinHostPort(target.IP, strconv.Itoa(target.Port))
			b.ReportAllocs()
			b.ResetTimer()
			cpu0 := cpuTime()
			var wg sync.WaitGroup
			for c := range conns {
				wg.Add(1)
				go func() {
					defer wg.Done()
					if err := replay(addr, reqs[c]); err != nil {
						b.Error(err)
					}
				}()
			}
			wg.Wait()
			reportCPU(b, cpu0)
		})
	}
}

// replay sends reqs one after another on one connection and checks each response is
// a 200 with a Content-Length body.
func replay(addr string, reqs [][]byte) error {
	if len(reqs) == 0 {
		return nil
	}
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		return err
	}
	defer conn.Close()
	br := bufio.NewReaderSize(conn, 16<<10)
	for _, r := range reqs {
		if _, err := conn.Write(r); err != nil {
			return err
		}
		if err := skimResponse(br); err != nil {
			return err
		}
	}
	return nil
}

// skimResponse reads one response head and its Content-Length body.
func skimResponse(br *bufio.Reader) error {
	line, err := br.ReadSlice('\n')
	if err != nil {
		return err
	}
	if !bytes.HasPrefix(line, []byte("HTTP/1.1 200 ")) {
		return fmt.Errorf("status line %q", line)
	}
	n := -1
	for {
		line, err = br.ReadSlice('\n')
		if err != nil {
			return err
		}
		if len(line) <= 2 {
			break
		}
		if k, v, ok := bytes.Cut(line, []byte(": ")); ok && bytes.EqualFold(k, []byte("Content-Length")) {
			n, err = strconv.Atoi(string(bytes.TrimSpace(v)))
			if err != nil {
				return err
			}
		}
	}
	if n < 0 {
		return fmt.Errorf("response without Content-Length")
	}
	_, err = br.Discard(n)
	return err
}

// BenchmarkAxonHandler is the axon's own per-request work, in process: ServeHTTP on a
// verified-looking request with the sr25519 verification and response signature
// stubbed and no network or HTTP server around it, so what remains is header
// parsing, nonce rules, body read, decode and hash check, the handler, the response
// body, hash and headers. Steadier than BenchmarkAxonServe on a shared machine.
func BenchmarkAxonHandler(b *testing.B) {
	a, hr, body := benchAxon(b)
	br := bytes.NewReader(body)
	hr.Body = io.NopCloser(br)
	hr.RemoteAddr = "127.0.0.1:50000"
	w := &discardWriter{}
	nonce := time.Now().UnixNano()
	b.ReportAllocs()
	for b.Loop() {
		nonce++
		hr.Header["bt_header_dendrite_nonce"] = []string{strconv.FormatInt(nonce, 10)}
		br.Reset(body)
		w.h, w.code = http.Header{}, 0
		a.ServeHTTP(w, hr)
		if w.code != http.StatusOK {
			b.Fatalf("status %d: %v", w.code, w.h)
		}
	}
}

// BenchmarkAxonConn is BenchmarkAxonHandler with the axon's HTTP server included:
// Serve reads the requests (back to back, a fresh nonce each) from a connection in
// memory and writes the responses to it, so the request heads are parsed and the
// response heads written by whatever server Serve runs, still without network or
// signatures. The connection makes each request by patching the nonce into one
// serialized request, so under callgrind nearly all instructions are the axon's.
func BenchmarkAxonConn(b *testing.B) {
	a, hr, body := benchAxon(b)
	benchAxonConn(b, a, hr, body)
}

// BenchmarkAxonConnDone is BenchmarkAxonConn with a handler that waits on
// ctx.Done() (without blocking), as the fan-out benchmark's sleeping handler does:
// what a request's context costs when someone asks for its Done channel.
func BenchmarkAxonConnDone(b *testing.B) {
	a, hr, body := benchAxonWith(b, func(ctx context.Context, r *Request, p *Prompt) error {
		select {
		case <-ctx.Done():
			return ctx.Err()
		default:
		}
		p.Completion = "echo: " + strings.Join(p.Messages, "|")
		return nil
	})
	benchAxonConn(b, a, hr, body)
}

// benchAxonConn serves b.N requests of hr with body to a through Serve on a
// connection in memory.
func benchAxonConn(b *testing.B, a *Axon, hr *http.Request, body []byte) {
	nonce := time.Now().UnixNano()
	hr.Header["bt_header_dendrite_nonce"] = []string{strconv.FormatInt(nonce, 10)}
	hr.Body = io.NopCloser(bytes.NewReader(body))
	var wire bytes.Buffer
	if err := hr.Write(&wire); err != nil {
		b.Fatal(err)
	}
	conn := &memConn{tmpl: wire.Bytes(), nonce: nonce, left: b.N, want: b.N,
		all: make(chan struct{}), closed: make(chan struct{}), wake: make(chan struct{}, 1)}
	conn.noncePos = bytes.Index(conn.tmpl, []byte("bt_header_dendrite_nonce: ")) + len("bt_header_dendrite_nonce: ")
	l := &memListener{conn: conn, closed: make(chan struct{})}
	b.ReportAllocs()
	b.ResetTimer()
	served := make(chan error, 1)
	go func() { served <- a.Serve(l) }()
	select {
	case <-conn.all:
	case <-conn.closed:
	}
	b.StopTimer()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = a.Shutdown(ctx)
	if err := <-served; err != nil {
		b.Fatal(err)
	}
	if conn.ok != b.N {
		b.Fatalf("%d of %d responses were 200s in one write", conn.ok, b.N)
	}
}

// benchAxon is an echo axon with stubbed signatures and a clock fixed at its
// creation, and a request to it with its body.
func benchAxon(b testing.TB) (*Axon, *http.Request, []byte) {
	return benchAxonWith(b, func(ctx context.Context, r *Request, p *Prompt) error {
		p.Completion = "echo: " + strings.Join(p.Messages, "|")
		return nil
	})
}

// benchAxonWith is benchAxon with h as the handler.
func benchAxonWith(b testing.TB, h Handler[Prompt]) (*Axon, *http.Request, []byte) {
	bob := key(b, "Bob")
	now := time.Now()
	a, err := NewAxon(AxonConfig{Hotkey: stubSigner{bob.SS58Address()}, Now: func() time.Time { return now },
		Verify: func(string, []byte, []byte) bool { return true }})
	if err != nil {
		b.Fatal(err)
	}
	if err := Register(a, h, Options{}); err != nil {
		b.Fatal(err)
	}
	hr := rawRequest{signer: key(b, "Alice"), nonce: now.UnixNano(), messages: []string{"What is the capital of France?"}}.build(b,
		AxonInfo{IP: "127.0.0.1", Port: 8091, Hotkey: bob.SS58Address()})
	body, err := io.ReadAll(hr.Body)
	if err != nil {
		b.Fatal(err)
	}
	return a, hr, body
}

// memConn is a connection whose client sends left requests back to back, each tmpl
// with the next nonce at noncePos, and then waits: it counts the writes that are a
// whole 200 response, and reports when want of them came. A read past the requests
// waits for Close or a read deadline in the past (with which net/http's server stops
// its background read), as a client keeping the connection open would.
type memConn struct {
	tmpl      []byte
	noncePos  int
	nonce     int64
	left      int
	cur       []byte // the unread rest of the current request
	want, ok  int
	all       chan struct{}
	closed    chan struct{}
	closeOnce sync.Once
	deadline  atomic.Int64 // read deadline, unix ns; 0: none
	wake      chan struct{}
}

func (c *memConn) Read(p []byte) (int, error) {
	if len(c.cur) == 0 && c.left > 0 {
		c.left--
		c.nonce++
		var num [20]byte
		copy(c.tmpl[c.noncePos:], strconv.AppendInt(num[:0], c.nonce, 10))
		c.cur = c.tmpl
	}
	n := copy(p, c.cur)
	c.cur = c.cur[n:]
	var err error
	if n == 0 && len(p) > 0 {
		err = io.EOF
	}
	for err == io.EOF {
		if d := c.deadline.Load(); d != 0 && d <= time.Now().UnixNano() {
			return 0, os.ErrDeadlineExceeded
		}
		select {
		case <-c.closed:
			return 0, io.EOF
		case <-c.wake:
		}
	}
	return n, err
}

func (c *memConn) SetReadDeadline(t time.Time) error {
	d := int64(0)
	if !t.IsZero() {
		d = t.UnixNano()
	}
	c.deadline.Store(d)
	if d != 0 && d <= time.Now().UnixNano() {
		select {
		case c.wake <- struct{}{}:
		default:
		}
	}
	return nil
}

func (c *memConn) Write(p []byte) (int, error) {
	if bytes.HasPrefix(p, []byte("HTTP/1.1 200 OK\r\n")) {
		if c.ok++; c.ok == c.want {
			close(c.all)
		}
	}
	return len(p), nil
}

func (c *memConn) Close() error {
	c.closeOnce.Do(func() { close(c.closed) })
	return nil
}

func (c *memConn) LocalAddr() net.Addr              { return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 8091} }
func (c *memConn) RemoteAddr() net.Addr             { return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 50000} }
func (c *memConn) SetDeadline(time.Time) error      { return nil }
func (c *memConn) SetWriteDeadline(time.Time) error { return nil }

// memListener accepts conn once, then waits for Close.
type memListener struct {
	conn      *memConn
	accepted  bool
	closed    chan struct{}
	closeOnce sync.Once
}

func (l *memListener) Accept() (net.Conn, error) {
	if !l.accepted {
		l.accepted = true
		return l.conn, nil
	}
	<-l.closed
	return nil, net.ErrClosed
}

func (l *memListener) Close() error {
	l.closeOnce.Do(func() { close(l.closed) })
	return nil
}

func (l *memListener) Addr() net.Addr { return l.conn.LocalAddr() }

// stubSigner has an address and returns a fixed signature.
type stubSigner struct{ addr string }

func (s stubSigner) SS58Address() string         { return s.addr }
func (s stubSigner) Sign([]byte) ([]byte, error) { return make([]byte, 64), nil }

// discardWriter is the least an http.ResponseWriter can be: a fresh header map per
// request, as net/http hands out, a status, and connection deadlines that are
// accepted (without them every ResponseController call would build an error).
type discardWriter struct {
	h    http.Header
	code int
}

func (w *discardWriter) SetReadDeadline(time.Time) error  { return nil }
func (w *discardWriter) SetWriteDeadline(time.Time) error { return nil }

func (w *discardWriter) Header() http.Header { return w.h }
func (w *discardWriter) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
}
func (w *discardWriter) Write(p []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	return len(p), nil
}
