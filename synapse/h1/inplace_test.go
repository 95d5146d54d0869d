package h1

import (
	"bufio"
	"bytes"
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"unsafe"
)

// The response head is parsed in place (in the connection's buffer) and only the
// fields are copied out. The reference below is the parse it replaced, which copied
// the whole head into a string first and parsed that; FuzzParseHeadInPlace holds the
// two to the same result.

// parseHeadReference is the former parseHead: the head as a string of its own, the
// fields substrings of it.
func parseHeadReference(raw string) (*head, error) {
	line, rest, err := nextLine(raw)
	if err != nil {
		return nil, err
	}
	h := &head{length: -1}
	proto11, err := parseStatusLine(line, h)
	if err != nil {
		return nil, err
	}
	h.keepAlive = proto11
	n := strings.Count(rest, "\n") - 1
	h.header = make(Header, 0, max(n, 0))
	var te, cl bool
	for {
		line, rest, err = nextLine(rest)
		if err != nil {
			return nil, err
		}
		if line == "" {
			break
		}
		f, err := parseField(line)
		if err != nil {
			return nil, err
		}
		h.header = append(h.header, f)
		switch {
		case strings.EqualFold(f.Name, "Content-Length"):
			n, err := parseContentLength(f.Value)
			if err != nil {
				return nil, err
			}
			if cl && n != h.length {
				return nil, malformed("conflicting Content-Length values")
			}
			cl, h.length = true, n
		case strings.EqualFold(f.Name, "Transfer-Encoding"):
			if te || !strings.EqualFold(f.Value, "chunked") {
				return nil, malformed("unsupported Transfer-Encoding %q", f.Value)
			}
			te = true
		case strings.EqualFold(f.Name, "Connection"):
			for tok := range strings.SplitSeq(f.Value, ",") {
				if strings.EqualFold(strings.TrimSpace(tok), "close") {
					h.keepAlive = false
				}
			}
		}
	}
	if rest != "" {
		return nil, malformed("bytes after the head")
	}
	if te && cl {
		return nil, malformed("both Transfer-Encoding and Content-Length")
	}
	if te && !proto11 {
		return nil, malformed("Transfer-Encoding in an HTTP/1.0 response")
	}
	h.chunked = te
	if h.status == http.StatusNoContent || h.status == http.StatusNotModified || h.status < 200 {
		h.noBody, h.chunked, h.length = true, false, 0
	}
	if !h.noBody && !te && !cl {
		h.keepAlive = false // close-delimited
	}
	return h, nil
}

// axonHead is a response head as an axon sends it.
const axonHead = "HTTP/1.1 200 OK\r\nContent-Length: 1066\r\nContent-Type: application/json\r\n" +
	"bt_header_axon_hotkey: 5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty\r\nbt_header_axon_ip: 127.0.0.1\r\n" +
	"bt_header_axon_nonce: 1796557307738057510\r\nbt_header_axon_port: 43173\r\nbt_header_axon_process_time: 0.000417963\r\n" +
	"bt_header_axon_signature: 0xe66d29cc86300cb3160a3d1e5aa658aef15da631b714e0280a4feca0e9f8d73ac619365314894cd94527fdd6c2f54af41c158c1221366be5313ee2278c910a8a\r\n" +
	"bt_header_axon_status_code: 200\r\nbt_header_axon_status_message: Success\r\nbt_header_axon_uuid: a650afa1-7ea1-484e-a7bc-9e4e773d4d31\r\n" +
	"bt_header_axon_version: 7002000\r\nbt_header_dendrite_hotkey: 5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY\r\n" +
	"bt_header_dendrite_ip: 127.0.0.1\r\nbt_header_dendrite_nonce: 1796557307737561851\r\nbt_header_dendrite_port: 53180\r\n" +
	"bt_header_dendrite_signature: 0x9846d5ed36d5cc559b8fd243e6481bb89c0a2e03b84e75a09fc606d0c0650305b3343069a6ee3e6159d120d0c8ba015278121dc197ee4ef97d46b56a9257d48f\r\n" +
	"bt_header_dendrite_uuid: eb1c4a7c-3ee2-41e5-8879-8a6898e1aa63\r\nbt_header_dendrite_version: 7002000\r\n" +
	"bt_header_input_obj_messages: W10=\r\nbt_header_input_obj_roles: W10=\r\n" +
	"computed_body_hash: b00f239fa01e20fe852ac868903fb64f54e90713d524a40521b036e58aa16f7a\r\nheader_size: 1105\r\n" +
	"name: StreamPromptingSynapse\r\ntimeout: 10.0\r\ntotal_size: 1066\r\nDate: Sun, 06 Dec 2026 11:41:47 GMT\r\n\r\n"

// FuzzParseHeadInPlace: the in-place parse gives exactly the reference's head or
// error, and nothing it returns points into the buffer it parsed (overwriting the
// buffer afterwards changes nothing).
func FuzzParseHeadInPlace(f *testing.F) {
	for _, s := range []string{
		axonHead,
		"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nbt_header_axon_nonce: 17\r\nX-Other: v\r\nEmpty:\r\n\r\n",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
		"HTTP/1.0 500 \r\n\r\n",
		"HTTP/1.1 204 No Content\r\nContent-Length: 7\r\nConnection: close\r\n\r\n",
		"HTTP/1.1 200 OK\r\ncontent-length: 1\r\nname: x\r\nNAME: y\r\n\r\n",
		"HTTP/1.1 200 OK\r\nX: a\r\n b\r\n\r\n",
		"HTTP/1.1 100 Continue\r\n\r\n",
		"HTTP/1.1 200 OK\r\nX: 1\n\r\n",
		"",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		want, werr := parseHeadReference(string(raw))
		buf := bytes.Clone(raw)
		got, gerr := parseHead(buf)
		for i := range buf {
			buf[i] = 'Z'
		}
		if (werr == nil) != (gerr == nil) || werr != nil && werr.Error() != gerr.Error() {
			t.Fatalf("error %v, reference %v: %q", gerr, werr, raw)
		}
		if werr != nil {
			return
		}
		if !reflect.DeepEqual(&got, want) {
			t.Fatalf("head %+v, reference %+v: %q", got, *want, raw)
		}
	})
}

// TestParseHeadKeepsOneString: an axon's head is kept as its fields and one string
// of the values (the usual names are constants), not as a copy of the whole head.
func TestParseHeadKeepsOneString(t *testing.T) {
	raw := []byte(axonHead)
	h, err := parseHead(raw)
	if err != nil {
		t.Fatal(err)
	}
	var values int
	for _, f := range h.header {
		values += len(f.Value)
		if strings.HasPrefix(f.Name, "bt_header_input_obj_") {
			values += len(f.Name)
		} else if _, ok := knownName(f.Name); !ok {
			t.Fatalf("%q is not a known name", f.Name)
		}
	}
	// The values (and the two input_obj names) sit back to back in one string.
	first := unsafe.StringData(h.header[0].Value)
	last := h.header[len(h.header)-1].Value
	span := uintptr(unsafe.Pointer(unsafe.StringData(last))) + uintptr(len(last)) - uintptr(unsafe.Pointer(first))
	if int(span) != values {
		t.Fatalf("kept values span %d bytes, want %d", span, values)
	}
	if allocs := testing.AllocsPerRun(100, func() {
		if _, err := parseHead(raw); err != nil {
			t.Fatal(err)
		}
	}); allocs != 2 {
		t.Fatalf("%v allocations per head, want 2 (fields, one string)", allocs)
	}
}

// TestReadHeadFromBufferMatchesLines: a whole head in the buffer and one read
// byte by byte parse to the same head.
func TestReadHeadFromBufferMatchesLines(t *testing.T) {
	read := func(r io.Reader) head {
		var scratch []byte
		h, err := readHead(bufio.NewReaderSize(r, 4096), &scratch, 64<<10)
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	a := read(strings.NewReader(axonHead + "body"))
	b := read(&oneByte{strings.NewReader(axonHead + "body")})
	if !reflect.DeepEqual(a, b) || a.length != 1066 || len(a.header) != 27 {
		t.Fatalf("buffered %+v, line by line %+v", a, b)
	}
}

type oneByte struct{ r io.Reader }

func (o *oneByte) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	return o.r.Read(p[:1])
}

// FuzzTrimOWS: TrimOWS is strings.Trim(s, " \t").
func FuzzTrimOWS(f *testing.F) {
	for _, s := range []string{"", " ", "\t \t", " a ", "\ta\tb\t", "a", " \x00 ", "\v a \r"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := TrimOWS(s), strings.Trim(s, " \t"); got != want {
			t.Fatalf("TrimOWS(%q) = %q, want %q", s, got, want)
		}
	})
}
