package h1

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
)

// parse reads one response (head and whole body) from raw.
func parse(raw []byte) (*Response, []byte, error) {
	br := bufio.NewReaderSize(bytes.NewReader(raw), 4096)
	var scratch []byte
	h, err := readHead(br, &scratch, 64<<10)
	if err != nil {
		return nil, nil, err
	}
	resp := newResponse(h, nil, br)
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, nil, err
	}
	return resp, b, nil
}

func TestReadResponse(t *testing.T) {
	for _, tc := range []struct {
		name, raw  string
		status     int
		body       string
		length     int64
		keepAlive  bool
		wantHeader [][2]string
	}{
		{"content-length", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nbt_header_axon_nonce: 17\r\n\r\nhello", 200, "hello", 5, true,
			[][2]string{{"Content-Length", "5"}, {"bt_header_axon_nonce", "17"}}},
		{"chunked", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nHel\r\na\r\nlo world!!\r\n0\r\nX-T: 1\r\n\r\n", 200, "Hello world!!", -1, true, nil},
		{"no reason", "HTTP/1.1 404\r\nContent-Length: 0\r\n\r\n", 404, "", 0, true, nil},
		{"empty reason", "HTTP/1.1 500 \r\nContent-Length: 2\r\n\r\n{}", 500, "{}", 2, true, nil},
		{"ows and tabs", "HTTP/1.1 200 OK\r\nContent-Length:\t 3 \t\r\nname:  a b \r\n\r\nabc", 200, "abc", 3, true,
			[][2]string{{"Content-Length", "3"}, {"name", "a b"}}},
		{"same length twice", "HTTP/1.1 200 OK\r\nContent-Length: 1\r\ncontent-length: 1\r\n\r\nx", 200, "x", 1, true, nil},
		{"close-delimited", "HTTP/1.1 200 OK\r\n\r\nuntil the end", 200, "until the end", -1, false, nil},
		{"http/1.0", "HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\nx", 200, "x", 1, false, nil},
		{"connection close", "HTTP/1.1 200 OK\r\nConnection: keep-alive, Close\r\nContent-Length: 1\r\n\r\nx", 200, "x", 1, false, nil},
		{"204 ignores length", "HTTP/1.1 204 No Content\r\nContent-Length: 7\r\n\r\n", 204, "", 0, true, nil},
		{"interim skipped", "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx", 200, "x", 1, true, nil},
		{"obs-text value", "HTTP/1.1 200 OK\r\nX: caf\xc3\xa9\r\nContent-Length: 0\r\n\r\n", 200, "", 0, true, [][2]string{{"X", "caf\xc3\xa9"}, {"Content-Length", "0"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, got, err := parse([]byte(tc.raw))
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != tc.status || string(got) != tc.body || resp.ContentLength != tc.length {
				t.Fatalf("status %d body %q length %d", resp.StatusCode, got, resp.ContentLength)
			}
			if ka := resp.Body.(*body).keepAlive; ka != tc.keepAlive {
				t.Fatalf("keep-alive %v", ka)
			}
			for i, f := range tc.wantHeader {
				if resp.Header[i] != (Field{f[0], f[1]}) {
					t.Fatalf("field %d: %q", i, resp.Header[i])
				}
			}
		})
	}
}

func TestReadResponseRefuses(t *testing.T) {
	for name, raw := range map[string]string{
		"bare LF":                 "HTTP/1.1 200 OK\nContent-Length: 0\n\n",
		"bare LF in fields":       "HTTP/1.1 200 OK\r\nContent-Length: 0\n\r\n",
		"http/2":                  "HTTP/2 200 OK\r\n\r\n",
		"lower-case proto":        "http/1.1 200 OK\r\n\r\n",
		"two-digit status":        "HTTP/1.1 20 OK\r\n\r\n",
		"status 600":              "HTTP/1.1 600 X\r\n\r\n",
		"status with sign":        "HTTP/1.1 +20 OK\r\n\r\n",
		"no space after code":     "HTTP/1.1 200OK\r\n\r\n",
		"101":                     "HTTP/1.1 101 Switching Protocols\r\n\r\n",
		"empty status line":       "\r\nHTTP/1.1 200 OK\r\n\r\n",
		"space before colon":      "HTTP/1.1 200 OK\r\nContent-Length : 0\r\n\r\n",
		"obs-fold":                "HTTP/1.1 200 OK\r\nX: a\r\n b\r\nContent-Length: 0\r\n\r\n",
		"no colon":                "HTTP/1.1 200 OK\r\nX\r\n\r\n",
		"empty name":              "HTTP/1.1 200 OK\r\n: x\r\n\r\n",
		"NUL in value":            "HTTP/1.1 200 OK\r\nX: a\x00b\r\n\r\n",
		"CR in value":             "HTTP/1.1 200 OK\r\nX: a\rb\r\n\r\n",
		"DEL in value":            "HTTP/1.1 200 OK\r\nX: a\x7fb\r\n\r\n",
		"conflicting lengths":     "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nxx",
		"negative length":         "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
		"length list":             "HTTP/1.1 200 OK\r\nContent-Length: 1, 1\r\n\r\nx",
		"huge length":             "HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n",
		"gzip coding":             "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
		"te and cl":               "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n",
		"te twice":                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
		"te in 1.0":               "HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
		"chunk extension":         "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1;a=b\r\nx\r\n0\r\n\r\n",
		"chunk size space":        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1 \r\nx\r\n0\r\n\r\n",
		"chunk size 17 digits":    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n00000000000000001\r\nx\r\n0\r\n\r\n",
		"chunk size overflow":     "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffff\r\nx\r\n0\r\n\r\n",
		"chunk without CRLF":      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nxy\r\n0\r\n\r\n",
		"chunk not hex":           "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\ng\r\n",
		"bad trailer":             "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nbad trailer\r\n\r\n",
		"truncated body":          "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc",
		"truncated chunk":         "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab",
		"truncated head":          "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n",
		"six interim responses":   strings.Repeat("HTTP/1.1 100 Continue\r\n\r\n", 6) + "HTTP/1.1 200 OK\r\n\r\n",
		"head over the limit":     "HTTP/1.1 200 OK\r\nX: " + strings.Repeat("a", 70<<10) + "\r\n\r\n",
		"many small fields":       "HTTP/1.1 200 OK\r\n" + strings.Repeat("X: a\r\n", 12<<10) + "\r\n",
		"trailers over the limit": "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n" + strings.Repeat("X: aaaaaaaaaa\r\n", 1000) + "\r\n",
	} {
		if _, _, err := parse([]byte(raw)); err == nil {
			t.Errorf("%s: accepted", name)
		} else if !errors.Is(err, ErrMalformed) && !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Errorf("%s: %v is neither malformed nor unexpected EOF", name, err)
		}
	}
	if _, _, err := parse(nil); err != io.EOF {
		t.Errorf("empty input: %v, want io.EOF", err)
	}
}
