package h1

import (
	"bufio"
	"bytes"
	"io"
	"net/http"
	"reflect"
	"testing"
	"testing/iotest"
)

// FuzzReadResponse: the parser never panics, and whatever it accepts net/http's
// ReadResponse reads the same way: status, header fields and body bytes.
func FuzzReadResponse(f *testing.F) {
	for _, s := range []string{
		"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nbt_header_axon_nonce: 17\r\n\r\nhello",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nHel\r\na\r\nlo world!!\r\n0\r\nX-T: 1\r\n\r\n",
		"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx",
		"HTTP/1.0 500 \r\n\r\nrest",
		"HTTP/1.1 204 No Content\r\nContent-Length: 7\r\nConnection: close\r\n\r\n",
		"HTTP/1.1 200 OK\r\nContent-Length: 1\r\ncontent-length: 1\r\nX: caf\xc3\xa9\t\r\n\r\nx",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		resp, gotBody, err := parse(raw)
		if err != nil {
			return
		}
		br := bufio.NewReader(bytes.NewReader(raw))
		var want *http.Response
		for {
			want, err = http.ReadResponse(br, nil)
			if err != nil {
				t.Fatalf("h1 accepted what net/http refuses (%v): %q", err, raw)
			}
			if want.StatusCode >= 200 {
				break
			}
		}
		wantBody, err := io.ReadAll(want.Body)
		if err != nil {
			t.Fatalf("h1 read a body net/http refuses (%v): %q", err, raw)
		}
		if resp.StatusCode != want.StatusCode || !bytes.Equal(gotBody, wantBody) {
			t.Fatalf("status %d body %q, net/http %d %q: %q", resp.StatusCode, gotBody, want.StatusCode, wantBody, raw)
		}
		if want.Close && resp.Body.(*body).keepAlive {
			t.Fatalf("h1 keeps alive a connection net/http closes: %q", raw)
		}
		// net/http moves the framing and "Connection: close" out of the map.
		got := resp.Header.HTTP()
		for _, h := range []http.Header{got, want.Header} {
			h.Del("Content-Length")
			h.Del("Transfer-Encoding")
			h.Del("Connection")
		}
		if !reflect.DeepEqual(got, want.Header) {
			t.Fatalf("header %q, net/http %q: %q", got, want.Header, raw)
		}
	})
}

// FuzzBufferedHead: taking a head from the buffer in one piece gives exactly what the
// line-by-line reader gives (a reader that yields one byte per read never has a
// whole head buffered, so it always takes the line path): the same head or error,
// and the same bytes left for the body.
func FuzzBufferedHead(f *testing.F) {
	for _, s := range []string{
		"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello",
		"HTTP/1.1 200 OK\r\nX: 1\n\r\nrest",
		"\r\nHTTP/1.1 200 OK\r\n\r\n",
		"\nHTTP/1.1 200 OK\r\n\r\n",
		"HTTP/1.1 200 OK\r\nX: 1\r\n",
		"HTTP/1.1 200 OK\r\nX: 12345678901234567890\r\n\r\n",
		"",
	} {
		f.Add([]byte(s), uint8(40))
	}
	f.Fuzz(func(t *testing.T, raw []byte, max uint8) {
		read := func(r io.Reader) (string, string, []byte) {
			br := bufio.NewReaderSize(r, 64)
			var scratch []byte
			head, err := readHeadBytes(br, &scratch, int(max))
			msg := ""
			if err != nil {
				msg = err.Error()
			}
			rest, _ := io.ReadAll(br)
			return head, msg, rest
		}
		h1, e1, r1 := read(bytes.NewReader(raw))
		h2, e2, r2 := read(iotest.OneByteReader(bytes.NewReader(raw)))
		if h1 != h2 || e1 != e2 || (e1 == "" && !bytes.Equal(r1, r2)) {
			t.Fatalf("buffered: %q %q %q; line by line: %q %q %q", h1, e1, r1, h2, e2, r2)
		}
	})
}
