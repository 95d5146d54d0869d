package h1

import (
	"bufio"
	"bytes"
	"io"
	"net/http"
	"reflect"
	"testing"
)

// readRequestFrom parses one request from raw as the server does (head, then the
// body through the server's body reader) and returns it with its body bytes.
func readRequestFrom(raw []byte) (*Request, []byte, error) {
	br := bufio.NewReaderSize(bytes.NewReader(raw), 64)
	var scratch []byte
	// A small head limit: the fuzzer reaches the too-long path with small inputs
	// (minimizing a many-kilobyte input stalls the fuzzing engine).
	head, err := readRequestHead(br, &scratch, 1024)
	if err != nil {
		return nil, nil, err
	}
	r := &Request{}
	if err := parseRequest(head, r); err != nil {
		return nil, nil, err
	}
	b := &requestBody{body: body{br: br, remaining: r.ContentLength, chunked: r.ContentLength < 0}}
	if r.ContentLength < 0 {
		b.remaining = -1
	}
	got, err := io.ReadAll(b)
	return r, got, err
}

// FuzzReadRequest: the request parser never panics, and whatever it accepts (head
// and body) net/http.ReadRequest reads the same way: method, target, path, version,
// Host, header fields, body framing, keep-alive and body bytes.
func FuzzReadRequest(f *testing.F) {
	for _, s := range []string{
		"POST /StreamPromptingSynapse HTTP/1.1\r\nHost: 127.0.0.1:8091\r\nContent-Length: 5\r\nbt_header_dendrite_nonce: 17\r\n\r\nhello",
		"POST /p?x=1 HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nExpect: 100-continue\r\n\r\n3\r\nabc\r\n0\r\nT: 1\r\n\r\n",
		"GET http://h:80/a%20b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
		"GET / HTTP/1.0\r\nConnection: keep-alive\r\nContent-Length: 1\r\ncontent-length: 1\r\n\r\nx",
		"HEAD /%2F HTTP/1.1\r\nHost: [::1]:9\r\nX: caf\xc3\xa9\t\r\nPragma: no-cache\r\n\r\n",
		"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nab",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(checkReadRequest)
}

func checkReadRequest(t *testing.T, raw []byte) {
	{
		got, gotBody, err := readRequestFrom(raw)
		if err != nil {
			return
		}
		want, err := http.ReadRequest(bufio.NewReader(bytes.NewReader(raw)))
		if err != nil {
			t.Fatalf("h1 accepted what net/http refuses (%v): %q", err, raw)
		}
		wantBody, err := io.ReadAll(want.Body)
		if err != nil {
			t.Fatalf("h1 read a body net/http refuses (%v): %q", err, raw)
		}
		if got.Method != want.Method || got.Target != want.RequestURI || got.Path != want.URL.Path ||
			got.ProtoMinor != want.ProtoMinor || want.ProtoMajor != 1 || got.Host != want.Host {
			t.Fatalf("%s %q %q 1.%d host %q; net/http %s %q %q %d.%d host %q: %q", got.Method, got.Target, got.Path, got.ProtoMinor, got.Host,
				want.Method, want.RequestURI, want.URL.Path, want.ProtoMajor, want.ProtoMinor, want.Host, raw)
		}
		if got.ContentLength != want.ContentLength || !bytes.Equal(gotBody, wantBody) {
			t.Fatalf("length %d body %q; net/http %d %q: %q", got.ContentLength, gotBody, want.ContentLength, wantBody, raw)
		}
		if got.keepAlive == want.Close {
			t.Fatalf("keep-alive %v, net/http Close %v: %q", got.keepAlive, want.Close, raw)
		}
		gotH := got.Header.HTTP()
		// net/http moves Host and the framing out of the map, and adds
		// Cache-Control: no-cache to a request with Pragma: no-cache alone.
		for _, h := range []http.Header{gotH, want.Header} {
			for _, k := range []string{"Host", "Content-Length", "Transfer-Encoding", "Connection"} {
				h.Del(k)
			}
		}
		if _, ok := gotH["Cache-Control"]; !ok {
			want.Header.Del("Cache-Control")
		}
		if len(gotH) == 0 && len(want.Header) == 0 {
			return
		}
		if !reflect.DeepEqual(gotH, want.Header) {
			t.Fatalf("header %q, net/http %q: %q", gotH, want.Header, raw)
		}
	}
}
