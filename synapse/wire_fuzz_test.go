package synapse

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/taonet/taonet/synapse/h1"
)

// wireConn is a connection whose client sent in and then closed its side: what the
// server writes is kept.
type wireConn struct {
	in  *bytes.Reader
	out bytes.Buffer
}

func (c *wireConn) Read(p []byte) (int, error)  { return c.in.Read(p) }
func (c *wireConn) Write(p []byte) (int, error) { return c.out.Write(p) }
func (c *wireConn) Close() error                { return nil }
func (c *wireConn) LocalAddr() net.Addr         { return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 8091} }
func (c *wireConn) RemoteAddr() net.Addr {
	return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 50000}
}
func (c *wireConn) SetDeadline(time.Time) error      { return nil }
func (c *wireConn) SetReadDeadline(time.Time) error  { return nil }
func (c *wireConn) SetWriteDeadline(time.Time) error { return nil }

// FuzzAxonWire drives the axon through its own HTTP server with arbitrary bytes on
// the connection: no panic, and everything the server writes is a sequence of
// responses net/http's client reads, each with a status the protocol defines (the
// axon's, or the server's refusals of a malformed head).
func FuzzAxonWire(f *testing.F) {
	a, err := NewAxon(AxonConfig{Hotkey: key(f, "Bob"), MaxBodyBytes: 1 << 12, MaxHeaderBytes: 1 << 12})
	if err != nil {
		f.Fatal(err)
	}
	if err := Register(a, func(_ context.Context, _ *Request, p *Prompt) error { p.Completion = "ok"; return nil }, Options{}); err != nil {
		f.Fatal(err)
	}
	good := rawRequest{signer: key(f, "Alice")}.build(f, AxonInfo{IP: "127.0.0.1", Port: 8091, Hotkey: a.Hotkey()})
	var wire bytes.Buffer
	if err := good.Write(&wire); err != nil {
		f.Fatal(err)
	}
	f.Add(wire.Bytes())
	f.Add(append(bytes.Clone(wire.Bytes()), "GET /StreamPromptingSynapse HTTP/1.1\r\nHost: x\r\ntimeout: -1\r\n\r\n"...))
	f.Add([]byte("POST /Nope HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nExpect: 100-continue\r\n\r\n2\r\n{}\r\n0\r\n\r\n"))
	f.Add([]byte("POST /StreamPromptingSynapse HTTP/1.0\r\nContent-Length: 1\r\n\r\n{"))
	allowed := map[int]bool{100: true, 200: true, 400: true, 401: true, 403: true, 404: true, 408: true, 413: true,
		417: true, 431: true, 500: true, 501: true, 503: true, 505: true}
	f.Fuzz(func(t *testing.T, raw []byte) {
		c := &wireConn{in: bytes.NewReader(raw)}
		srv := &h1.Server{Handler: h1.HandlerFunc(a.serveH1), MaxHeaderBytes: 1 << 12}
		srv.ServeConn(c)
		br := bufio.NewReader(&c.out)
		for {
			if _, err := br.Peek(1); err == io.EOF {
				return
			}
			resp, err := http.ReadResponse(br, nil)
			if err != nil {
				t.Fatalf("net/http cannot read the answer (%v) to %q:\n%q", err, raw, c.out.Bytes())
			}
			if _, err := io.Copy(io.Discard, resp.Body); err != nil {
				t.Fatalf("net/http cannot read the body (%v) of the answer to %q:\n%q", err, raw, c.out.Bytes())
			}
			if !allowed[resp.StatusCode] {
				t.Fatalf("status %d for %q", resp.StatusCode, raw)
			}
		}
	})
}
