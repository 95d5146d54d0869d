package h1

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// serveOwnShutdown runs s on a loopback port for a test that shuts it down itself;
// served receives Serve's result.
func serveOwnShutdown(t *testing.T, s *Server) (addr string, served <-chan error) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- s.Serve(l) }()
	return l.Addr().String(), done
}

// serve runs s with h on a loopback port until the test ends.
func serve(t *testing.T, s *Server, h HandlerFunc) string {
	t.Helper()
	s.Handler = h
	addr, done := serveOwnShutdown(t, s)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := s.Shutdown(ctx); err != nil {
			t.Errorf("shutdown: %v", err)
		}
		if err := <-done; !errors.Is(err, ErrServerClosed) {
			t.Errorf("serve: %v", err)
		}
	})
	return addr
}

// echo answers with the method, path and body it read, and one field per
// request field named x-*.
func echo(w *ResponseWriter, r *Request) {
	b, err := io.ReadAll(r.Body)
	if err != nil {
		w.WriteStatus(http.StatusBadRequest)
		msg := err.Error()
		w.EndHead(int64(len(msg)))
		_, _ = w.Write([]byte(msg))
		return
	}
	out := r.Method + " " + r.Path + " " + string(b)
	w.WriteStatus(http.StatusOK)
	for _, f := range r.Header {
		if strings.HasPrefix(strings.ToLower(f.Name), "x-") {
			w.WriteFieldBytes(f.Name, []byte(f.Value))
		}
	}
	w.EndHead(int64(len(out)))
	_, _ = w.Write([]byte(out))
}

func dial(t *testing.T, addr string) (net.Conn, *bufio.Reader) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	return c, bufio.NewReader(c)
}

// readResponse reads one response with net/http's reader and its whole body.
func readResponse(t *testing.T, br *bufio.Reader, method string) (*http.Response, string) {
	t.Helper()
	resp, err := http.ReadResponse(br, &http.Request{Method: method})
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

// closed reports whether the server closed the connection (EOF or reset before
// the test's deadline).
func closed(br *bufio.Reader) bool {
	_, err := br.ReadByte()
	var ne net.Error
	return err != nil && !(errors.As(err, &ne) && ne.Timeout())
}

func post(path, body string, extra ...string) string {
	return "POST " + path + " HTTP/1.1\r\nHost: test\r\n" + strings.Join(extra, "") +
		"Content-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n" + body
}

// Pipelined requests written at once are answered in order on one connection,
// chunked bodies included, and the fields come back as sent.
func TestServerPipelining(t *testing.T) {
	addr := serve(t, &Server{}, echo)
	c, br := dial(t, addr)
	chunked := "POST /c HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n1\r\nc\r\n0\r\n\r\n"
	if _, err := io.WriteString(c, post("/a", "one", "x-n: 1\r\n")+chunked+post("/b%2F", "two", "x-n: 3\r\n")); err != nil {
		t.Fatal(err)
	}
	for i, want := range []string{"POST /a one", "POST /c abc", "POST /b/ two"} {
		resp, body := readResponse(t, br, "POST")
		if resp.StatusCode != 200 || body != want || resp.Close {
			t.Fatalf("response %d: %d %q close=%v", i, resp.StatusCode, body, resp.Close)
		}
		if n := resp.Header.Get("x-n"); i != 1 && n != strconv.Itoa(i+1) || resp.Header.Get("Date") == "" {
			t.Fatalf("response %d header %v", i, resp.Header)
		}
	}
}

// Each malformed head gets its status, a precise reason and Connection: close,
// then the connection ends; the server keeps serving.
func TestServerRefusesMalformedRequests(t *testing.T) {
	s := &Server{MaxHeaderBytes: 1024}
	addr := serve(t, s, echo)
	cases := []struct {
		name, raw string
		status    int
		reason    string
	}{
		{"oversized head", "GET / HTTP/1.1\r\nHost: t\r\nX: " + strings.Repeat("a", 2000) + "\r\n\r\n", 431, "request head longer than 1024 bytes"},
		{"bare LF", "GET / HTTP/1.1\nHost: t\n\n", 400, "line not terminated by CRLF"},
		{"bare LF in a field", "GET / HTTP/1.1\r\nHost: t\nX: 1\r\n\r\n", 400, "line not terminated by CRLF"},
		{"blank line first", "\r\nGET / HTTP/1.1\r\nHost: t\r\n\r\n", 400, "blank line before the request line"},
		{"obs-fold", "GET / HTTP/1.1\r\nHost: t\r\nX: a\r\n b\r\n\r\n", 400, `obs-fold: header line " b" starts with whitespace`},
		{"space before colon", "GET / HTTP/1.1\r\nHost: t\r\nX : a\r\n\r\n", 400, `header name "X "`},
		{"control byte", "GET / HTTP/1.1\r\nHost: t\r\nX: a\x01b\r\n\r\n", 400, "control byte in header X"},
		{"no colon", "GET / HTTP/1.1\r\nHost: t\r\nX\r\n\r\n", 400, `header line "X"`},
		{"conflicting lengths", "POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nxx", 400, "conflicting Content-Length values"},
		{"signed length", "POST / HTTP/1.1\r\nHost: t\r\nContent-Length: +1\r\n\r\nx", 400, `Content-Length "+1"`},
		{"length and chunked", "POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n", 400, "both Transfer-Encoding and Content-Length"},
		{"gzip coding", "POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 501, `unsupported Transfer-Encoding "gzip, chunked"`},
		{"chunked on 1.0", "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", 400, "Transfer-Encoding in an HTTP/1.0 request"},
		{"HTTP/2.0", "GET / HTTP/2.0\r\nHost: t\r\n\r\n", 505, "unsupported protocol version HTTP/2.0"},
		{"bad version", "GET / HTTQ/1.1\r\nHost: t\r\n\r\n", 400, `HTTP version "HTTQ/1.1"`},
		{"no Host", "GET / HTTP/1.1\r\n\r\n", 400, "missing required Host header"},
		{"two Hosts", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400, "too many Host headers"},
		{"bad Host", "GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", 400, "malformed Host header"},
		{"bad method", "G(T / HTTP/1.1\r\nHost: t\r\n\r\n", 400, `method "G(T"`},
		{"double space", "GET  / HTTP/1.1\r\nHost: t\r\n\r\n", 400, `request line "GET  / HTTP/1.1"`},
		{"asterisk", "OPTIONS * HTTP/1.1\r\nHost: t\r\n\r\n", 400, `request-target "*" is neither origin-form nor absolute-form`},
		{"bad escape", "GET /%zz HTTP/1.1\r\nHost: t\r\n\r\n", 400, `request-target "/%zz": bad escape`},
		{"non-ASCII target", "GET /caf\xc3\xa9 HTTP/1.1\r\nHost: t\r\n\r\n", 400, "request-target"},
		{"bad authority", "GET http://a@b/ HTTP/1.1\r\nHost: t\r\n\r\n", 400, `authority "a@b"`},
		{"unknown expectation", "POST / HTTP/1.1\r\nHost: t\r\nExpect: 200-ok\r\nContent-Length: 1\r\n\r\nx", 417, `unsupported expectation "200-ok"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, br := dial(t, addr)
			if _, err := io.WriteString(c, tc.raw); err != nil {
				t.Fatal(err)
			}
			resp, body := readResponse(t, br, "GET")
			want := fmt.Sprintf("%d %s: %s", tc.status, http.StatusText(tc.status), tc.reason)
			if resp.StatusCode != tc.status || !strings.HasPrefix(body, want) || !resp.Close {
				t.Fatalf("%d %q close=%v, want %q", resp.StatusCode, body, resp.Close, want)
			}
			if !closed(br) {
				t.Fatal("connection left open after a refused request")
			}
		})
	}
	// Still serving.
	c, br := dial(t, addr)
	_, _ = io.WriteString(c, post("/ok", "x"))
	if resp, body := readResponse(t, br, "POST"); resp.StatusCode != 200 || body != "POST /ok x" {
		t.Fatalf("%d %q", resp.StatusCode, body)
	}
}

// Expect: 100-continue gets "100 Continue" before the client sends the body; a
// handler that answers without reading the body never invites it, and the
// connection then closes (the client may or may not send it).
func TestServerExpectContinue(t *testing.T) {
	addr := serve(t, &Server{}, func(w *ResponseWriter, r *Request) {
		if r.Path == "/refuse" {
			w.WriteStatus(http.StatusForbidden)
			w.EndHead(0)
			return
		}
		echo(w, r)
	})
	c, br := dial(t, addr)
	head := "POST /p HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n"
	_, _ = io.WriteString(c, head)
	line, err := br.ReadString('\n')
	if err != nil || line != "HTTP/1.1 100 Continue\r\n" {
		t.Fatalf("%q %v", line, err)
	}
	if blank, _ := br.ReadString('\n'); blank != "\r\n" {
		t.Fatalf("interim response not ended: %q", blank)
	}
	_, _ = io.WriteString(c, "body")
	if resp, body := readResponse(t, br, "POST"); resp.StatusCode != 200 || body != "POST /p body" || resp.Close {
		t.Fatalf("%d %q close=%v", resp.StatusCode, body, resp.Close)
	}
	_, _ = io.WriteString(c, strings.Replace(head, "/p", "/refuse", 1))
	resp, _ := readResponse(t, br, "POST")
	if resp.StatusCode != 403 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	if !closed(br) {
		t.Fatal("connection kept after a body that was never invited")
	}
}

// A body the handler leaves unread is skipped so the connection carries the next
// request; Connection: close and HTTP/1.0 without keep-alive end the connection
// after the response, and HEAD gets no body.
func TestServerConnectionReuse(t *testing.T) {
	addr := serve(t, &Server{}, func(w *ResponseWriter, r *Request) {
		w.WriteStatus(http.StatusOK)
		w.EndHead(2)
		_, _ = w.Write([]byte("ok"))
	})
	c, br := dial(t, addr)
	_, _ = io.WriteString(c, post("/", strings.Repeat("x", 10000))+"HEAD / HTTP/1.1\r\nHost: t\r\n\r\n"+post("/", "", "Connection: close\r\n"))
	if resp, body := readResponse(t, br, "POST"); body != "ok" || resp.Close {
		t.Fatalf("%q close=%v", body, resp.Close)
	}
	if resp, body := readResponse(t, br, "HEAD"); body != "" || resp.ContentLength != 2 {
		t.Fatalf("HEAD: %q length %d", body, resp.ContentLength)
	}
	if resp, _ := readResponse(t, br, "POST"); !resp.Close {
		t.Fatal("no Connection: close in the answer to Connection: close")
	}
	if !closed(br) {
		t.Fatal("connection kept after Connection: close")
	}

	c, br = dial(t, addr)
	_, _ = io.WriteString(c, "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET / HTTP/1.0\r\n\r\n")
	if resp, _ := readResponse(t, br, "GET"); resp.Close || resp.Header.Get("Connection") != "keep-alive" {
		t.Fatalf("HTTP/1.0 keep-alive: close=%v %v", resp.Close, resp.Header)
	}
	if resp, _ := readResponse(t, br, "GET"); !resp.Close {
		t.Fatal("HTTP/1.0 without keep-alive kept")
	}
	if !closed(br) {
		t.Fatal("connection kept after an HTTP/1.0 request without keep-alive")
	}
}

// A streamed response arrives chunk by chunk as the handler flushes, before the
// handler has finished.
func TestServerStreaming(t *testing.T) {
	next := make(chan struct{})
	addr := serve(t, &Server{}, func(w *ResponseWriter, r *Request) {
		w.WriteStatus(http.StatusOK)
		w.WriteField("Content-Type", "text/event-stream")
		w.EndHead(-1)
		for _, s := range []string{"one", "two"} {
			_, _ = w.Write([]byte(s))
			_ = w.Flush()
			<-next
		}
	})
	c, br := dial(t, addr)
	_, _ = io.WriteString(c, "GET /s HTTP/1.1\r\nHost: t\r\n\r\n")
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.TransferEncoding) != 1 || resp.TransferEncoding[0] != "chunked" {
		t.Fatalf("transfer encoding %v", resp.TransferEncoding)
	}
	buf := make([]byte, 3)
	for _, want := range []string{"one", "two"} {
		if _, err := io.ReadFull(resp.Body, buf); err != nil || string(buf) != want {
			t.Fatalf("%q %v", buf, err)
		}
		next <- struct{}{}
	}
	if rest, err := io.ReadAll(resp.Body); err != nil || len(rest) != 0 {
		t.Fatalf("%q %v", rest, err)
	}
	// HEAD gets the head alone, not even the last chunk, and the connection
	// carries on.
	go func() { next <- struct{}{}; next <- struct{}{} }()
	_, _ = io.WriteString(c, "HEAD /s HTTP/1.1\r\nHost: t\r\n\r\n")
	if resp, body := readResponse(t, br, "HEAD"); resp.StatusCode != 200 || body != "" {
		t.Fatalf("HEAD: %d %q", resp.StatusCode, body)
	}
	_, _ = io.WriteString(c, "GET /s HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
	go func() { next <- struct{}{}; next <- struct{}{} }()
	if resp, body := readResponse(t, br, "GET"); resp.StatusCode != 200 || body != "onetwo" {
		t.Fatalf("GET after HEAD: %d %q", resp.StatusCode, body)
	}
}

// Silent, slow-header and idle connections are closed at their timeouts; a slow
// body fails the handler's read at the deadline the handler set.
func TestServerTimeouts(t *testing.T) {
	bodyErr := make(chan error, 1)
	s := &Server{ReadHeaderTimeout: 200 * time.Millisecond, IdleTimeout: 300 * time.Millisecond}
	addr := serve(t, s, func(w *ResponseWriter, r *Request) {
		if r.Path == "/slow" {
			_ = w.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
			_, err := io.ReadAll(r.Body)
			bodyErr <- err
		}
		w.WriteStatus(http.StatusOK)
		w.EndHead(0)
	})
	check := func(name, send string, within time.Duration) {
		c, br := dial(t, addr)
		t0 := time.Now()
		_, _ = io.WriteString(c, send)
		if send != "" && strings.HasSuffix(send, "\r\n\r\n") {
			readResponse(t, br, "GET")
		}
		if !closed(br) || time.Since(t0) > within {
			t.Errorf("%s: not closed within %v", name, within)
		}
	}
	check("silent", "", 2*time.Second)
	check("slow header", "GET / HTTP/1.1\r\nHost:", 2*time.Second)
	check("idle", "GET / HTTP/1.1\r\nHost: t\r\n\r\n", 2*time.Second)

	c, br := dial(t, addr)
	_, _ = io.WriteString(c, "POST /slow HTTP/1.1\r\nHost: t\r\nContent-Length: 100\r\n\r\nabc")
	if err := <-bodyErr; err == nil || !strings.Contains(err.Error(), "timeout") {
		t.Fatalf("slow body read: %v", err)
	}
	readResponse(t, br, "POST")
	if !closed(br) {
		t.Fatal("connection kept after an unfinished body")
	}
}

// Shutdown closes idle connections at once, lets an in-flight request finish
// (its response says Connection: close), and returns when it has; with a context
// that ends first it reports that.
func TestServerShutdown(t *testing.T) {
	release := make(chan struct{})
	started := make(chan struct{})
	s := &Server{}
	s.Handler = HandlerFunc(func(w *ResponseWriter, r *Request) {
		if r.Path == "/wait" {
			close(started)
			<-release
		}
		w.WriteStatus(http.StatusOK)
		w.EndHead(0)
	})
	addr, served := serveOwnShutdown(t, s)

	idle, idleBr := dial(t, addr)
	_, _ = io.WriteString(idle, "GET / HTTP/1.1\r\nHost: t\r\n\r\n")
	readResponse(t, idleBr, "GET")
	busy, busyBr := dial(t, addr)
	_, _ = io.WriteString(busy, "GET /wait HTTP/1.1\r\nHost: t\r\n\r\n")
	<-started

	short, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if err := s.Shutdown(short); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("shutdown with a request in flight: %v", err)
	}
	if err := <-served; !errors.Is(err, ErrServerClosed) {
		t.Fatalf("serve: %v", err)
	}
	if !closed(idleBr) {
		t.Fatal("idle connection kept open by Shutdown")
	}
	if _, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		t.Fatal("still accepting after Shutdown")
	}
	done := make(chan error, 1)
	go func() { done <- s.Shutdown(context.Background()) }()
	close(release)
	if resp, _ := readResponse(t, busyBr, "GET"); resp.StatusCode != 200 {
		t.Fatalf("in-flight request: %d", resp.StatusCode)
	}
	if err := <-done; err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	if !closed(busyBr) {
		t.Fatal("connection kept after Shutdown")
	}
}

// A panicking handler costs its connection (after a 500 when it had not begun its
// response), not the process or the server.
func TestServerHandlerPanic(t *testing.T) {
	addr := serve(t, &Server{}, func(w *ResponseWriter, r *Request) {
		if r.Path == "/panic" {
			panic("boom")
		}
		echo(w, r)
	})
	c, br := dial(t, addr)
	_, _ = io.WriteString(c, "GET /panic HTTP/1.1\r\nHost: t\r\n\r\n")
	if resp, _ := readResponse(t, br, "GET"); resp.StatusCode != 500 || !resp.Close {
		t.Fatalf("panic answered %d close=%v", resp.StatusCode, resp.Close)
	}
	if !closed(br) {
		t.Fatal("connection kept after a panic")
	}
	c, br = dial(t, addr)
	_, _ = io.WriteString(c, post("/ok", "x"))
	if resp, body := readResponse(t, br, "POST"); resp.StatusCode != 200 || body != "POST /ok x" {
		t.Fatalf("%d %q", resp.StatusCode, body)
	}
}

// net/http's client (someone else's) talks to the server: keep-alive reuse and a
// body it sends chunked.
func TestServerWithNetHTTPClient(t *testing.T) {
	addr := serve(t, &Server{}, echo)
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	cl := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	for i, body := range []io.Reader{strings.NewReader("plain"), io.MultiReader(strings.NewReader("chun"), strings.NewReader("ked"))} {
		req, _ := http.NewRequest("POST", "http://"+addr+"/n?q=1", body)
		req.Header.Set("x-i", strconv.Itoa(i))
		resp, err := cl.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		want := []string{"POST /n plain", "POST /n chunked"}[i]
		if string(b) != want || resp.Header.Get("x-i") != strconv.Itoa(i) {
			t.Fatalf("%q %v", b, resp.Header)
		}
	}
}

// A body longer than its declared length is refused at the Write; one left short
// ends the connection, so the client sees the response cut rather than the next one
// misframed.
func TestServerBodyLength(t *testing.T) {
	writeErr := make(chan error, 1)
	addr := serve(t, &Server{}, func(w *ResponseWriter, r *Request) {
		w.WriteStatus(http.StatusOK)
		w.EndHead(5)
		if r.Path == "/long" {
			_, _ = w.Write([]byte("12345"))
			_, err := w.Write([]byte("6"))
			writeErr <- err
			return
		}
		_, _ = w.Write([]byte("123"))
	})
	c, br := dial(t, addr)
	_, _ = io.WriteString(c, "GET /long HTTP/1.1\r\nHost: t\r\n\r\n")
	if resp, body := readResponse(t, br, "GET"); body != "12345" || resp.Close {
		t.Fatalf("%q close=%v", body, resp.Close)
	}
	if err := <-writeErr; !errors.Is(err, ErrBodyLength) {
		t.Fatalf("write past the length: %v", err)
	}
	_, _ = io.WriteString(c, "GET /short HTTP/1.1\r\nHost: t\r\n\r\n")
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	if b, err := io.ReadAll(resp.Body); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("short body read %q, %v", b, err)
	}
}
