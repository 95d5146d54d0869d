package synapse

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"github.com/taonet/taonet/synapse/h1"
)

// headerLines turns "k: v\n" text into an http.Header.
func headerLines(s string) http.Header {
	h := http.Header{}
	for line := range strings.SplitSeq(s, "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		h[strings.TrimSpace(k)] = append(h[strings.TrimSpace(k)], strings.TrimSpace(v))
	}
	return h
}

func FuzzParseHeaders(f *testing.F) {
	f.Add("name: StreamPromptingSynapse\ntimeout: 12.0\nbt_header_dendrite_nonce: 1700000000000000000\nbt_header_dendrite_hotkey: 5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY\nbt_header_input_obj_messages: W10=\ncomputed_body_hash: " + EmptyBodyHash)
	f.Add("timeout: nan\nbt_header_axon_port: -1")
	f.Add("bt_header_axon_status_code: 99999999999999999999\nheader_size: 1e3\ntotal_size:  7 ")
	f.Add("bt_header_dendrite_version: 7002000.0\nbt_header_axon_process_time: inf")
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseHeaders(headerLines(s))
		if err != nil {
			return
		}
		// Whatever parsed must re-encode and parse back to the same request.
		h := http.Header{}
		encodeHeaders(h, nil, r, r.TotalSize)
		r2, err := ParseHeaders(h)
		if err != nil {
			t.Fatalf("re-encoded headers do not parse: %v (%v)", err, h)
		}
		r.HeaderSize, r2.HeaderSize = 0, 0
		r.Name, r2.Name = headerSafe(r.Name), headerSafe(r2.Name)
		if r2.Timeout != r.Timeout || r2.Dendrite.Nonce != r.Dendrite.Nonce || r2.Axon.Port != r.Axon.Port || r2.Axon.StatusCode != r.Axon.StatusCode {
			t.Fatalf("round trip changed the request: %+v vs %+v", r, r2)
		}
	})
}

func FuzzDecodeBody(f *testing.F) {
	f.Add([]byte(`{"name":"StreamPromptingSynapse","timeout":12.0,"roles":["user"],"messages":["Hello"],"completion":""}`))
	f.Add([]byte(`{"messages":[1,2]}`))
	f.Add([]byte(`{"messages":null,"dendrite":{"nonce":"x"}}`))
	f.Add([]byte(`[]`))
	f.Add([]byte(`{"messages":["\ud800"]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := DecodeBody[Prompt](b)
		if err != nil {
			return
		}
		if _, err := BodyHash(p); err != nil {
			t.Fatalf("decoded synapse does not hash: %v", err)
		}
	})
}

// FuzzAxonRequest drives the whole axon pipeline with arbitrary headers and bodies:
// no panic, and only statuses the protocol defines.
func FuzzAxonRequest(f *testing.F) {
	a, err := NewAxon(AxonConfig{Hotkey: key(f, "Bob"), MaxBodyBytes: 1 << 12})
	if err != nil {
		f.Fatal(err)
	}
	if err := Register(a, func(_ context.Context, _ *Request, p *Prompt) error { p.Completion = "ok"; return nil }, Options{}); err != nil {
		f.Fatal(err)
	}
	good := rawRequest{signer: key(f, "Alice")}.build(f, AxonInfo{IP: "127.0.0.1", Port: 1, Hotkey: a.Hotkey()})
	var hb strings.Builder
	for k, v := range good.Header {
		hb.WriteString(k + ": " + v[0] + "\n")
	}
	body := new(bytes.Buffer)
	_, _ = body.ReadFrom(good.Body)
	f.Add("/StreamPromptingSynapse", hb.String(), body.Bytes())
	f.Add("/Nope", "", []byte("{}"))
	f.Add("/StreamPromptingSynapse/x", "timeout: -1", []byte("{"))
	allowed := map[int]bool{200: true, 400: true, 401: true, 403: true, 404: true, 408: true, 413: true, 500: true, 503: true}
	f.Fuzz(func(t *testing.T, path, headers string, b []byte) {
		if !strings.HasPrefix(path, "/") {
			path = "/" + path
		}
		r := httptest.NewRequest(http.MethodPost, "http://axon/", bytes.NewReader(b))
		r.URL.Path = path
		r.Header = headerLines(headers)
		rec := httptest.NewRecorder()
		a.ServeHTTP(rec, r)
		if !allowed[rec.Code] {
			t.Fatalf("status %d", rec.Code)
		}
	})
}

// setHeaderReference is setHeader as first written (strings.EqualFold and
// strings.ToLower per header), the reference for the stack-lowering version.
func setHeaderReference(r *Request, k, v string) error {
	hasPrefixFold := func(s, prefix string) bool {
		return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
	}
	var err error
	switch {
	case hasPrefixFold(k, prefixAxon):
		err = setTerminal(&r.Axon, []byte(strings.ToLower(k[len(prefixAxon):])), v)
	case hasPrefixFold(k, prefixDendrite):
		err = setTerminal(&r.Dendrite, []byte(strings.ToLower(k[len(prefixDendrite):])), v)
	case hasPrefixFold(k, prefixInputObj):
		raw, derr := base64.StdEncoding.DecodeString(strings.TrimSpace(v))
		if derr != nil {
			err = derr
		} else if !json.Valid(raw) {
			err = fmt.Errorf("not JSON")
		}
	case strings.EqualFold(k, hdrName):
		r.Name = v
	case strings.EqualFold(k, hdrTimeout):
		f, perr := parsePyFloat(v)
		if perr == nil && (math.IsNaN(f) || math.IsInf(f, 0) || f < 0) {
			perr = fmt.Errorf("timeout must be a finite non-negative number")
		}
		r.Timeout, err = f, perr
	case strings.EqualFold(k, hdrHeaderSize):
		r.HeaderSize, err = parsePyInt(v)
	case strings.EqualFold(k, hdrTotalSize):
		r.TotalSize, err = parsePyInt(v)
	case strings.EqualFold(k, hdrBodyHash):
		r.BodyHash = v
	}
	if err != nil {
		return &HeaderError{Header: strings.ToLower(k), Value: v, Err: err}
	}
	return nil
}

// FuzzSetHeader: for header names HTTP allows (ASCII tokens), setHeader does what
// the reference does: same request, same error.
func FuzzSetHeader(f *testing.F) {
	for _, k := range []string{"Bt_header_axon_nonce", "BT_HEADER_DENDRITE_PORT", "Name", "timeout", "Header_size",
		"total_size", "Computed_body_hash", "bt_header_input_obj_messages", "Content-Type",
		"bt_header_axon_" + strings.Repeat("x", 80)} {
		f.Add(k, "17")
	}
	f.Fuzz(func(t *testing.T, k, v string) {
		for i := 0; i < len(k); i++ {
			if k[i] >= 0x80 {
				t.Skip("not an HTTP header name")
			}
		}
		var got, want Request
		gerr, werr := got.setHeader(k, v), setHeaderReference(&want, k, v)
		if fmt.Sprint(gerr) != fmt.Sprint(werr) || !reflect.DeepEqual(got, want) {
			t.Fatalf("%q=%q: got %+v (%v), want %+v (%v)", k, v, got, gerr, want, werr)
		}
	})
}

// parseFieldsReference is parseFields as first written: a new Request, every field
// through setHeaderReference.
func parseFieldsReference(h h1.Header) (*Request, error) {
	r := &Request{Timeout: DefaultTimeout}
	for i := len(h) - 1; i >= 0; i-- {
		if err := setHeaderReference(r, h[i].Name, h[i].Value); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// FuzzParseFields: parsing response fields into a reused value accepts and rejects
// exactly what the reference does and gives the same request, whatever the value
// held before.
func FuzzParseFields(f *testing.F) {
	f.Add("Name: StreamPromptingSynapse\nTimeout: 12.0\nBt_header_axon_status_code: 200\nBt_header_axon_nonce: 1733472000123456789\nBt_header_input_obj_roles: W10=\nBt_header_input_obj_messages: W10=\nContent-Type: application/json")
	f.Add("bt_header_axon_port: 1\nbt_header_axon_port: x")
	f.Add("bt_header_input_obj_x: " + base64.StdEncoding.EncodeToString([]byte(`{"a":[1,2,3],"b":"`+strings.Repeat("x", 120)+`"}`)))
	f.Add("bt_header_input_obj_x: W10\nbt_header_input_obj_y: e30=\nbt_header_input_obj_z:  W10= ")
	f.Add("bt_header_input_obj_x: " + base64.StdEncoding.EncodeToString([]byte(strings.Repeat("[", 95))))
	f.Fuzz(func(t *testing.T, s string) {
		var h h1.Header
		for line := range strings.SplitSeq(s, "\n") {
			k, v, ok := strings.Cut(line, ":")
			if !ok || strings.ContainsFunc(k, func(r rune) bool { return r >= 0x80 }) {
				continue
			}
			h = append(h, h1.Field{Name: strings.TrimSpace(k), Value: strings.TrimSpace(v)})
		}
		want, werr := parseFieldsReference(h)
		got := Request{Name: "stale", Timeout: 1, Dendrite: TerminalInfo{Nonce: 9}, Axon: TerminalInfo{Port: 9}, RemoteAddr: "x"}
		gerr := got.parseFields(h)
		if fmt.Sprint(gerr) != fmt.Sprint(werr) {
			t.Fatalf("%q: error %v, reference %v", s, gerr, werr)
		}
		if werr == nil && !reflect.DeepEqual(&got, want) {
			t.Fatalf("%q: got %+v, reference %+v", s, got, *want)
		}
	})
}

// TestLowerASCII: the word-at-a-time lowering equals the byte-wise one for every
// byte value at every position of names of every length up to 64.
func TestLowerASCII(t *testing.T) {
	ref := func(s string) string {
		b := []byte(s)
		for i, c := range b {
			if 'A' <= c && c <= 'Z' {
				b[i] = c + 'a' - 'A'
			}
		}
		return string(b)
	}
	var buf [64]byte
	for n := 0; n <= 64; n++ {
		for pos := 0; pos < n; pos++ {
			for c := 0; c < 256; c++ {
				b := []byte(strings.Repeat("Bt_Header_AXON_", 5)[:n])
				b[pos] = byte(c)
				if got, want := string(lowerASCII(&buf, string(b))), ref(string(b)); got != want {
					t.Fatalf("lowerASCII(%q) = %q, want %q", b, got, want)
				}
			}
		}
	}
}

// FuzzParsePyInt: the fast path changes no result.
func FuzzParsePyInt(f *testing.F) {
	for _, s := range []string{"0", "007", "1733472000123456789", "9223372036854775807", "9223372036854775808",
		"9999999999999999999", "18446744073709551616", "-1", "+1", " 1", "1.0", "1e3", "", "1_000", "٣"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, gerr := parsePyInt(s)
		want, werr := parsePyIntGeneral(s)
		if got != want || fmt.Sprint(gerr) != fmt.Sprint(werr) {
			t.Fatalf("%q: %d, %v; reference %d, %v", s, got, gerr, want, werr)
		}
	})
}
