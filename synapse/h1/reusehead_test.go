package h1

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
)

// TestServerReuseHead: with ReuseHead the handler sees each of a connection's
// pipelined requests (different lengths, so a later head overwrites an earlier one
// partly) exactly as without it, and the server answers them the same.
func TestServerReuseHead(t *testing.T) {
	reqs := post("/first", "one", "x-a: a-long-value-that-the-next-head-overwrites\r\n") +
		post("/b", "two", "x-b: short\r\n") +
		"POST /c%20d?q=1 HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\nx-c: 3\r\n\r\n1\r\nx\r\n0\r\n\r\n" +
		post("/last", "", "x-d: 4\r\nx-e: 5\r\n")
	run := func(reuse bool) ([]string, string) {
		var mu sync.Mutex
		var seen []string
		addr := serve(t, &Server{ReuseHead: reuse}, func(w *ResponseWriter, r *Request) {
			mu.Lock()
			seen = append(seen, fmt.Sprintf("%s %s %s %s %d %v", r.Method, r.Target, r.Path, r.Host, r.ContentLength, r.Header))
			mu.Unlock()
			echo(w, r)
		})
		c, br := dial(t, addr)
		if _, err := io.WriteString(c, reqs); err != nil {
			t.Fatal(err)
		}
		var out strings.Builder
		for range 4 {
			resp, body := readResponse(t, br, "POST")
			fmt.Fprintf(&out, "%d %q %v\n", resp.StatusCode, body, resp.Header.Values("x-a")) // Date varies
		}
		mu.Lock()
		defer mu.Unlock()
		return seen, out.String()
	}
	want, wantOut := run(false)
	got, gotOut := run(true)
	if fmt.Sprint(got) != fmt.Sprint(want) || gotOut != wantOut {
		t.Fatalf("with ReuseHead:\n%q\n%s\nwithout:\n%q\n%s", got, gotOut, want, wantOut)
	}
	if len(want) != 4 {
		t.Fatalf("%d requests seen", len(want))
	}
}

// FuzzReadRequestHeadInto: reading heads into a reused buffer gives, head after head
// on one stream, the same strings and errors as reading each into a string of its
// own.
func FuzzReadRequestHeadInto(f *testing.F) {
	f.Add([]byte("POST /a HTTP/1.1\r\nHost: h\r\nX: 1\r\n\r\nGET /bb HTTP/1.1\r\nHost: h\r\n\r\n"))
	f.Add([]byte("GET / HTTP/1.1\r\n\r\n\r\nGET / HTTP/1.1\n\r\n"))
	f.Add([]byte("G"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		br1 := bufio.NewReaderSize(bytes.NewReader(raw), 64)
		br2 := bufio.NewReaderSize(bytes.NewReader(raw), 64)
		var s1, s2 []byte
		keep := []byte(strings.Repeat("garbage", 40))
		for range 8 {
			want, werr := readRequestHead(br1, &s1, 256)
			got, gerr := readRequestHeadInto(br2, &s2, &keep, 256)
			if got != want || fmt.Sprint(gerr) != fmt.Sprint(werr) {
				t.Fatalf("into: %q, %v; own: %q, %v", got, gerr, want, werr)
			}
			if werr != nil {
				return
			}
		}
	})
}
