package synapse

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"pgregory.net/rapid"
)

// pyFloatReference is PyFloat as first written (string operations and fmt), kept
// to check the allocation-free appendPyFloat against.
func pyFloatReference(f float64) string {
	switch {
	case math.IsNaN(f):
		return "nan"
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	}
	e := strconv.FormatFloat(f, 'e', -1, 64)
	neg := false
	if e[0] == '-' {
		neg = true
		e = e[1:]
	}
	mant, expStr, _ := strings.Cut(e, "e")
	exp, _ := strconv.Atoi(expStr)
	digits := strings.Replace(mant, ".", "", 1)
	var out string
	if exp >= -4 && exp < 16 {
		if exp >= 0 {
			if len(digits) <= exp+1 {
				out = digits + strings.Repeat("0", exp+1-len(digits)) + ".0"
			} else {
				out = digits[:exp+1] + "." + digits[exp+1:]
			}
		} else {
			out = "0." + strings.Repeat("0", -exp-1) + digits
		}
	} else {
		m := digits[:1]
		if len(digits) > 1 {
			m += "." + digits[1:]
		}
		sign := "+"
		if exp < 0 {
			sign = "-"
			exp = -exp
		}
		out = fmt.Sprintf("%se%s%02d", m, sign, exp)
	}
	if neg {
		out = "-" + out
	}
	return out
}

// TestPyFloatMatchesReference: the appending PyFloat renders every float64 (random
// bit patterns, so subnormals, huge exponents, NaN and infinities included) and the
// boundaries of positional notation exactly as the string-building version.
func TestPyFloatMatchesReference(t *testing.T) {
	for _, f := range []float64{0, math.Copysign(0, -1), 1, -1, 15, 0.1, 1e16, 9999999999999998, 1e-5, 0.0001, 0.00012345,
		1e100, 1e-100, 5e-324, math.MaxFloat64, 123456789.125, 12, 5, 60, 0.0523, math.Inf(1), math.Inf(-1), math.NaN()} {
		if got, want := PyFloat(f), pyFloatReference(f); got != want {
			t.Errorf("PyFloat(%v) = %q, want %q", f, got, want)
		}
	}
	rapid.Check(t, func(t *rapid.T) {
		f := math.Float64frombits(rapid.Uint64().Draw(t, "bits"))
		if got, want := PyFloat(f), pyFloatReference(f); got != want {
			t.Fatalf("PyFloat(%v) = %q, want %q", f, got, want)
		}
	})
}

// encodeHeadersReference is encodeHeaders as first written: h.Set per header, and
// header_size summed over the map.
func encodeHeadersReference(h http.Header, sc *schema, r *Request, totalSize int64) {
	set := func(k, v string) { h[k] = []string{v} }
	terminal := func(keys *terminalKeys, t *TerminalInfo) {
		if t.StatusCode != 0 {
			set(keys.statusCode, strconv.Itoa(t.StatusCode))
		}
		if t.StatusMessage != "" {
			set(keys.statusMessage, headerSafe(t.StatusMessage))
		}
		if t.ProcessTime != 0 {
			set(keys.processTime, pyFloatReference(t.ProcessTime))
		}
		if t.IP != "" {
			set(keys.ip, headerSafe(t.IP))
		}
		if t.Port != 0 {
			set(keys.port, strconv.Itoa(t.Port))
		}
		if t.Version != 0 {
			set(keys.version, strconv.Itoa(t.Version))
		}
		if t.Nonce != 0 {
			set(keys.nonce, strconv.FormatInt(t.Nonce, 10))
		}
		if t.UUID != "" {
			set(keys.uuid, headerSafe(t.UUID))
		}
		if t.Hotkey != "" {
			set(keys.hotkey, headerSafe(t.Hotkey))
		}
		if t.Signature != "" {
			set(keys.signature, headerSafe(t.Signature))
		}
	}
	set(hdrName, headerSafe(r.Name))
	set(hdrTimeout, pyFloatReference(r.Timeout))
	terminal(axonKeys, &r.Axon)
	terminal(dendriteKeys, &r.Dendrite)
	if sc != nil {
		for _, f := range sc.fields {
			if k, ok := sc.inputObjKey[f.wire]; ok {
				set(k, sc.inputObj[f.wire])
			}
		}
	}
	size := 0
	for k, vs := range h {
		for _, v := range vs {
			size += len(k) + len(v) + 4
		}
	}
	set(hdrHeaderSize, strconv.Itoa(size))
	set(hdrTotalSize, strconv.FormatInt(totalSize, 10))
	set(hdrBodyHash, headerSafe(r.BodyHash))
}

// manyInputs has more required fields than the encoder's fixed set holds, so its
// input_obj headers overflow into the encoder's extra list.
type manyInputs struct {
	A0 string `json:"a0" synapse:"required"`
	A1 string `json:"a1" synapse:"required"`
	A2 string `json:"a2" synapse:"required"`
	A3 string `json:"a3" synapse:"required"`
	A4 string `json:"a4" synapse:"required"`
	A5 string `json:"a5" synapse:"required"`
	A6 string `json:"a6" synapse:"required"`
	A7 string `json:"a7" synapse:"required"`
	A8 string `json:"a8" synapse:"required,hash"`
}

// TestEncodeHeadersMatchesReference: the encoder's header set equals the
// straightforward one for full and empty terminal infos, hostile values, an empty
// and a pre-filled header map (header_size then counts the earlier headers too, and
// an overwritten one once), and more input_obj headers than the fixed set holds.
func TestEncodeHeadersMatchesReference(t *testing.T) {
	prompt, err := schemaOf[Prompt]()
	if err != nil {
		t.Fatal(err)
	}
	many, err := schemaOf[manyInputs]()
	if err != nil {
		t.Fatal(err)
	}
	full := Request{Name: "StreamPromptingSynapse", Timeout: 12, BodyHash: strings.Repeat("ab", 32),
		Dendrite: TerminalInfo{IP: "10.1.2.3", Port: 51648, Version: DefaultVersion, Nonce: 1733472000123456789,
			UUID: "0c7d3e3a-8f1e-11ef-9a6b-0242ac120002", Hotkey: "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY", Signature: "0x" + strings.Repeat("cd", 64)},
		Axon: TerminalInfo{StatusCode: 200, StatusMessage: "Success", ProcessTime: 0.052345678, IP: "127.0.0.1", Port: 8091, Version: DefaultVersion,
			Nonce: 1733472000223456789, UUID: "f304e3f7-be41-41fb-8edf-afc1e1246dd8", Hotkey: "5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty", Signature: "0x" + strings.Repeat("ef", 64)}}
	hostile := full
	hostile.Name, hostile.BodyHash = "a\r\nX-Injected: 1", "\x00"
	hostile.Axon.StatusMessage, hostile.Axon.ProcessTime, hostile.Timeout = "bad\nline\x7f", 1e-7, math.Inf(1)
	for _, tc := range []struct {
		name  string
		sc    *schema
		r     Request
		total int64
		pre   http.Header
	}{
		{"full", prompt, full, 1040, nil},
		{"empty", nil, Request{}, 0, nil},
		{"hostile", prompt, hostile, 1, nil},
		{"prefilled", prompt, full, 7, http.Header{"Content-Type": {"application/json"}, "name": {"old"}, "X-Two": {"a", "b"}}},
		{"many inputs", many, full, 99, nil},
		{"many inputs prefilled", many, full, 99, http.Header{"bt_header_input_obj_a8": {"old"}, "X": {"y"}}},
	} {
		got, want := http.Header{}, http.Header{}
		for k, vs := range tc.pre {
			got[k] = append([]string(nil), vs...)
			want[k] = append([]string(nil), vs...)
		}
		encodeHeaders(got, tc.sc, &tc.r, tc.total)
		encodeHeadersReference(want, tc.sc, &tc.r, tc.total)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s:\n got %v\nwant %v", tc.name, got, want)
		}
	}
}

// BenchmarkEncodeResponseHeaders is the axon's header encoding of a 200 into the
// fresh map net/http hands each request.
func BenchmarkEncodeResponseHeaders(b *testing.B) {
	p, r := benchRequest(b)
	r.Axon.StatusCode, r.Axon.StatusMessage, r.Axon.ProcessTime = 200, "Success", 0.0523
	r.Axon.Nonce, r.Axon.UUID, r.Axon.Version, r.Axon.Signature = 1733472000123456789, newUUID(), DefaultVersion, r.Dendrite.Signature
	b.ReportAllocs()
	for b.Loop() {
		encodeHeaders(http.Header{}, p.sc, &r, 1040)
	}
}

// pyQuoteReference is repr(str) as first written (strings.Builder and fmt), kept to
// check the appending version against.
func pyQuoteReference(s string) string {
	var b strings.Builder
	quote := byte('\'')
	if strings.IndexByte(s, '\'') >= 0 && strings.IndexByte(s, '"') < 0 {
		quote = '"'
	}
	b.WriteByte(quote)
	for _, r := range s {
		switch {
		case r == rune(quote) || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		case r < 0x7f:
			b.WriteRune(r)
		case pyPrintable(r):
			b.WriteRune(r)
		case r <= 0xff:
			fmt.Fprintf(&b, `\x%02x`, r)
		case r <= 0xffff:
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			fmt.Fprintf(&b, `\U%08x`, r)
		}
	}
	b.WriteByte(quote)
	return b.String()
}

// TestPyReprMatchesReference: the appending repr quotes and escapes arbitrary
// strings (invalid UTF-8, controls, quotes, non-printable planes) exactly as the
// first version, whose output the CPython golden vectors pin.
func TestPyReprMatchesReference(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		var s string
		if rapid.Bool().Draw(t, "bytes") {
			s = string(rapid.SliceOf(rapid.Byte()).Draw(t, "b"))
		} else {
			s = rapid.String().Draw(t, "s")
		}
		got, err := PyRepr(s)
		if err != nil {
			t.Fatal(err)
		}
		if want := pyQuoteReference(s); got != want {
			t.Fatalf("PyRepr(%q) = %s, want %s", s, got, want)
		}
		str, _ := PyStr([]string{s, "x"})
		if want := "[" + pyQuoteReference(s) + ", 'x']"; str != want {
			t.Fatalf("PyStr([%q x]) = %s, want %s", s, str, want)
		}
	})
}

// TestByteTables: the lookup tables say for every byte what the tests they replace
// said (encoding/json's plain string bytes; net/http's refused header value bytes).
func TestByteTables(t *testing.T) {
	for i := 0; i < 256; i++ {
		c := byte(i)
		if want := !(c < 0x20 || c > 0x7e || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&'); jsonPlain[c] != want {
			t.Errorf("jsonPlain[%#x] = %v", c, jsonPlain[c])
		}
		if want := c < 0x20 && c != '\t' || c == 0x7f; headerBad[c] != want {
			t.Errorf("headerBad[%#x] = %v", c, headerBad[c])
		}
	}
}

// TestResponseBodyHashFollowsHandler: a response's computed_body_hash (header and
// body) is the hash of the synapse the handler returns: the request's when the
// handler leaves the hash fields alone (reused, not recomputed), a new one when it
// changes them, including a change that renders differently only by length.
func TestResponseBodyHashFollowsHandler(t *testing.T) {
	for _, tc := range []struct {
		name   string
		edit   func(p *Prompt)
		result []string
	}{
		{"unchanged", func(p *Prompt) { p.Completion = "done" }, []string{"Hello"}},
		{"changed", func(p *Prompt) { p.Messages = append(p.Messages, "there") }, []string{"Hello", "there"}},
		{"emptied", func(p *Prompt) { p.Messages = nil }, nil},
		{"restored", func(p *Prompt) { p.Messages = []string{"x"}; p.Messages = []string{"Hello"} }, []string{"Hello"}},
	} {
		a, err := NewAxon(AxonConfig{Hotkey: key(t, "Bob")})
		if err != nil {
			t.Fatal(err)
		}
		if err := Register(a, func(_ context.Context, _ *Request, p *Prompt) error { tc.edit(p); return nil }, Options{}); err != nil {
			t.Fatal(err)
		}
		target := startAxon(t, a)
		resp, err := http.DefaultClient.Do(rawRequest{signer: key(t, "Alice"), messages: []string{"Hello"}}.build(t, target))
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		want, err := BodyHash(&Prompt{Messages: tc.result})
		if err != nil {
			t.Fatal(err)
		}
		if got := resp.Header.Get("computed_body_hash"); resp.StatusCode != 200 || got != want {
			t.Errorf("%s: status %d, header hash %s, want %s", tc.name, resp.StatusCode, got, want)
		}
		if !strings.Contains(string(body), `"computed_body_hash":"`+want+`"`) {
			t.Errorf("%s: body hash in %s, want %s", tc.name, body, want)
		}
	}
}

// TestHeaderCleanEveryByteEveryPlace: the word-at-a-time check agrees with the byte
// table for every byte value at every position of strings up to 20 bytes, next to
// clean bytes and next to bytes that are near misses (tab, 0x1f, 0x20, 0x7e, 0x80).
func TestHeaderCleanEveryByteEveryPlace(t *testing.T) {
	ref := func(s string) bool {
		for i := 0; i < len(s); i++ {
			if headerBad[s[i]] {
				return false
			}
		}
		return true
	}
	for _, fill := range []byte{'a', '\t', 0x20, 0x7e, 0x80, 0xff} {
		for n := 1; n <= 20; n++ {
			for pos := 0; pos < n; pos++ {
				for c := 0; c < 256; c++ {
					b := bytes.Repeat([]byte{fill}, n)
					b[pos] = byte(c)
					if got, want := headerClean(string(b)), ref(string(b)); got != want {
						t.Fatalf("headerClean(%q) = %v, want %v", b, got, want)
					}
				}
			}
		}
	}
}
