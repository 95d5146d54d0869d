package h1

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unsafe"
)

// TestClientDoView: DoView's head has the same fields as Do's, read in place: the
// fields' slice is the connection's, reused by the next response on it.
func TestClientDoView(t *testing.T) {
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		w.Header()["bt_header_axon_nonce"] = []string{string(b)}
		w.Header()["Date"] = []string{"Sun, 06 Dec 2026 12:00:00 GMT"}
		_, _ = w.Write([]byte("ok:" + string(b)))
	})
	c := New(Config{})
	defer c.CloseIdle()
	var first *Field
	for i := range 6 {
		n := strconv.Itoa(100 + i)
		view := i%2 == 1
		do := c.Do
		if view {
			do = c.DoView
		}
		resp, err := do(context.Background(), s.addr(), request("/", n))
		if err != nil {
			t.Fatal(err)
		}
		want := Header{{"Date", "Sun, 06 Dec 2026 12:00:00 GMT"}, {"bt_header_axon_nonce", n}, {"Content-Length", strconv.Itoa(len("ok:" + n))}, {"Content-Type", "text/plain; charset=utf-8"}}
		if !reflect.DeepEqual(resp.Header, want) {
			t.Fatalf("request %d (view %v): header %v, want %v", i, view, resp.Header, want)
		}
		if view {
			p := unsafe.SliceData(resp.Header)
			if first == nil {
				first = p
			} else if p != first {
				t.Fatalf("request %d: a new field slice, not the connection's", i)
			}
		}
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || string(b) != "ok:"+n {
			t.Fatalf("request %d: body %q %v", i, b, err)
		}
	}
	if n := s.conns.Load(); n != 1 {
		t.Fatalf("%d connections", n)
	}
}

// TestClientDoViewIn: responses read into one caller-held slot, one after the other,
// each whole and correct, including after a body abandoned half-read (its
// connection is closed, not reused).
func TestClientDoViewIn(t *testing.T) {
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		w.Header()["bt_header_axon_nonce"] = []string{string(b)}
		_, _ = w.Write([]byte(strings.Repeat("x", 100) + string(b)))
	})
	c := New(Config{})
	defer c.CloseIdle()
	var slot Slot
	for i := range 6 {
		n := strconv.Itoa(100 + i)
		resp, err := c.DoViewIn(context.Background(), s.addr(), request("/", n), &slot)
		if err != nil {
			t.Fatal(err)
		}
		if resp != &slot.rb.resp || resp.Body != &slot.rb.body {
			t.Fatalf("request %d: the response is not in the slot", i)
		}
		if got := resp.Header.Get("bt_header_axon_nonce"); resp.StatusCode != 200 || got != n {
			t.Fatalf("request %d: %d nonce %q", i, resp.StatusCode, got)
		}
		if i == 2 { // abandoned after 10 bytes
			var b [10]byte
			if _, err := io.ReadFull(resp.Body, b[:]); err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			continue
		}
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || string(b) != strings.Repeat("x", 100)+n {
			t.Fatalf("request %d: body %q %v", i, b, err)
		}
	}
	if n := s.conns.Load(); n != 2 {
		t.Fatalf("%d connections, want 2 (one closed with the abandoned body)", n)
	}
}

// FuzzParseHeadViewMatchesReference: DoView's parse, into a field slice reused from a
// previous head, gives exactly the reference's head or error (the fields as views of
// the buffer, so compared before it changes).
func FuzzParseHeadViewMatchesReference(f *testing.F) {
	for _, s := range []string{
		axonHead,
		"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nbt_header_axon_nonce: 17\r\nX-Other: v\r\nEmpty:\r\n\r\n",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
		"HTTP/1.0 500 \r\n\r\n",
		"HTTP/1.1 204 No Content\r\nContent-Length: 7\r\nConnection: close\r\n\r\n",
		"HTTP/1.1 200 OK\r\nX: a\r\n b\r\n\r\n",
		"",
	} {
		f.Add([]byte(s))
	}
	// A previous head's fields, whose array the parse reuses.
	prev, err := parseHead([]byte(axonHead))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		want, werr := parseHeadReference(string(raw))
		reused := slices.Clone(prev.header)
		got, gerr := parseHeadViewBytes(bytes.Clone(raw), reused[:0])
		if (werr == nil) != (gerr == nil) || werr != nil && werr.Error() != gerr.Error() {
			t.Fatalf("error %v, reference %v: %q", gerr, werr, raw)
		}
		if werr != nil {
			return
		}
		if len(got.header) == 0 {
			got.header = want.header // nil or empty alike
		}
		if !reflect.DeepEqual(&got, want) {
			t.Fatalf("head %+v, reference %+v: %q", got, *want, raw)
		}
	})
}
