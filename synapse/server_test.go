package synapse

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// countingListener counts accepted connections.
type countingListener struct {
	net.Listener
	n atomic.Int32
}

func (l *countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err == nil {
		l.n.Add(1)
	}
	return c, err
}

// serveCounting serves a on a loopback listener that counts its connections, until
// the test ends.
func serveCounting(t *testing.T, a *Axon) (AxonInfo, *countingListener) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cl := &countingListener{Listener: l}
	go func() { _ = a.Serve(cl) }()
	t.Cleanup(func() { _ = a.Shutdown(context.Background()) })
	return AxonInfo{IP: "127.0.0.1", Port: l.Addr().(*net.TCPAddr).Port, Hotkey: a.Hotkey()}, cl
}

func TestDendriteReusesConnections(t *testing.T) {
	a, err := NewAxon(AxonConfig{Hotkey: key(t, "Bob")})
	if err != nil {
		t.Fatal(err)
	}
	if err := Register(a, func(context.Context, *Request, *Prompt) error { return nil }, Options{}); err != nil {
		t.Fatal(err)
	}
	target, cl := serveCounting(t, a)
	d := newDendrite(t, "Alice")
	for range 10 {
		if r := Query(context.Background(), d, target, &Prompt{Messages: []string{"x"}}, 5*time.Second); r.StatusCode != 200 {
			t.Fatalf("%d %s", r.StatusCode, r.StatusMessage)
		}
	}
	if n := cl.n.Load(); n != 1 {
		t.Fatalf("10 sequential calls opened %d connections", n)
	}
}

// A client that sends headers slowly is disconnected by ReadHeaderTimeout.
func TestSlowHeadersDisconnected(t *testing.T) {
	_, target := echoAxon(t, AxonConfig{ReadHeaderTimeout: 200 * time.Millisecond}, Options{})
	c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", target.Port))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := io.WriteString(c, "POST /StreamPromptingSynapse HTTP/1.1\r\nHost: x\r\n"); err != nil {
		t.Fatal(err)
	}
	// Never finish the headers. The server must give up; the 10 s bound only keeps a
	// broken server from hanging the test.
	_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
	_, err = io.ReadAll(c)
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		t.Fatal("server kept a slow-header connection open")
	}
}

// A client that declares a body and sends it slowly gets 408 at its own timeout and
// does not hold the handler slot beyond it.
func TestSlowBody(t *testing.T) {
	a, target := echoAxon(t, AxonConfig{MaxConcurrent: 1}, Options{})
	hr := rawRequest{signer: key(t, "Alice"), timeout: 0.3}.build(t, target)
	body, _ := io.ReadAll(hr.Body)
	c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", target.Port))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var sb strings.Builder
	fmt.Fprintf(&sb, "POST /StreamPromptingSynapse HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n", len(body))
	for k, v := range hr.Header {
		fmt.Fprintf(&sb, "%s: %s\r\n", k, v[0])
	}
	sb.WriteString("\r\n")
	if _, err := io.WriteString(c, sb.String()+string(body[:10])); err != nil {
		t.Fatal(err)
	}
	_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 408 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	// The slot is released right after the response is written; wait (bounded) for it.
	for i := 0; ; i++ {
		if free, _ := a.gate.stats(); free == 1 {
			break
		}
		if i == 5000 {
			t.Fatal("slot still held after the slow body gave up")
		}
		time.Sleep(time.Millisecond)
	}
}

// Python's from_headers matches "bt_header_axon_" case-sensitively, so the axon must put
// lower-case keys on the wire (Go's client canonicalizes them when reading).
func TestResponseHeaderKeysLowerCaseOnTheWire(t *testing.T) {
	_, target := echoAxon(t, AxonConfig{}, Options{})
	hr := rawRequest{signer: key(t, "Alice")}.build(t, target)
	body, _ := io.ReadAll(hr.Body)
	c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", target.Port))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var sb strings.Builder
	fmt.Fprintf(&sb, "POST /StreamPromptingSynapse HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: %d\r\n", len(body))
	for k, v := range hr.Header {
		fmt.Fprintf(&sb, "%s: %s\r\n", k, v[0])
	}
	sb.WriteString("\r\n")
	if _, err := io.WriteString(c, sb.String()+string(body)); err != nil {
		t.Fatal(err)
	}
	_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
	raw, err := io.ReadAll(c)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"bt_header_axon_status_code: 200", "bt_header_axon_status_message: Success", "bt_header_dendrite_hotkey: ", "computed_body_hash: ", "name: StreamPromptingSynapse", "timeout: 5.0"} {
		if !strings.Contains(string(raw), "\r\n"+k) {
			t.Errorf("raw response lacks %q:\n%s", k, raw)
		}
	}
}

// rawHead renders hr's head (request line, Host, Content-Length, its fields) for
// tests that write requests byte by byte.
func rawHead(hr *http.Request, length int, extra string) string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "POST %s HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n%s", hr.URL.Path, length, extra)
	for k, v := range hr.Header {
		fmt.Fprintf(&sb, "%s: %s\r\n", k, v[0])
	}
	sb.WriteString("\r\n")
	return sb.String()
}

// Signed requests pipelined on one connection are each verified and answered in
// order; an oversized head then gets 431 and the connection ends, the axon alive.
func TestAxonPipelinedRequestsAndOversizedHead(t *testing.T) {
	_, target := echoAxon(t, AxonConfig{MaxHeaderBytes: 4096}, Options{})
	var wire strings.Builder
	nonce := time.Now().UnixNano()
	for i := range 3 {
		hr := rawRequest{signer: key(t, "Alice"), nonce: nonce + int64(i), messages: []string{fmt.Sprint("m", i)}}.build(t, target)
		body, _ := io.ReadAll(hr.Body)
		wire.WriteString(rawHead(hr, len(body), "") + string(body))
	}
	c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", target.Port))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(c, wire.String()+"POST /StreamPromptingSynapse HTTP/1.1\r\nHost: x\r\nX: "+strings.Repeat("a", 5000)+"\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(c)
	for i := range 3 {
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 || !strings.Contains(string(b), fmt.Sprintf(`"completion":"echo: m%d"`, i)) {
			t.Fatalf("response %d: %d %s", i, resp.StatusCode, b)
		}
	}
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 431 || !resp.Close || !strings.Contains(string(b), "request head longer than 4096 bytes") {
		t.Fatalf("oversized head: %d close=%v %s", resp.StatusCode, resp.Close, b)
	}
	if r := Query(context.Background(), newDendrite(t, "Alice"), target, &Prompt{Messages: []string{"after"}}, 5*time.Second); r.StatusCode != 200 {
		t.Fatalf("axon after a refused head: %d %s", r.StatusCode, r.StatusMessage)
	}
}

// Shutdown waits for a request in flight, whose response still arrives (with
// Connection: close), and the axon stops accepting.
func TestAxonShutdownWithRequestInFlight(t *testing.T) {
	started, release := make(chan struct{}), make(chan struct{})
	a, err := NewAxon(AxonConfig{Hotkey: key(t, "Bob")})
	if err != nil {
		t.Fatal(err)
	}
	if err := Register(a, func(ctx context.Context, _ *Request, p *Prompt) error {
		close(started)
		<-release
		p.Completion = "finished"
		return nil
	}, Options{}); err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- a.Serve(l) }()
	target := AxonInfo{IP: "127.0.0.1", Port: l.Addr().(*net.TCPAddr).Port, Hotkey: a.Hotkey()}
	result := make(chan Response[Prompt], 1)
	go func() {
		result <- Query(context.Background(), newDendrite(t, "Alice"), target, &Prompt{Messages: []string{"x"}}, 10*time.Second)
	}()
	<-started
	shut := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		shut <- a.Shutdown(ctx)
	}()
	if err := <-served; err != nil {
		t.Fatalf("serve: %v", err)
	}
	select {
	case err := <-shut:
		t.Fatalf("Shutdown returned (%v) with a request in flight", err)
	case <-time.After(100 * time.Millisecond):
	}
	close(release)
	if r := <-result; r.StatusCode != 200 || r.Synapse.Completion != "finished" {
		t.Fatalf("in-flight request: %d %s", r.StatusCode, r.StatusMessage)
	}
	if err := <-shut; err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	if c, err := net.DialTimeout("tcp", l.Addr().String(), time.Second); err == nil {
		c.Close()
		t.Fatal("axon still accepting after Shutdown")
	}
}
