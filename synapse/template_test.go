package synapse

import (
	"bufio"
	"bytes"
	"io"
	"math"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"
)

// emptySynapse has no payload fields and no required fields: the template's body tail
// is only the envelope, and no input_obj headers are fixed.
type emptySynapse struct{}

// templateCase encodes s with the template and with encodeBody/encodeHeaders for each
// pair of terminal infos and requires identical bytes and header sets on the wire.
func templateCase[T any](t *testing.T, s *T, timeout time.Duration, terms [][2]TerminalInfo) {
	t.Helper()
	p, err := prepare(s, timeout)
	if err != nil {
		t.Fatal(err)
	}
	for i, tv := range terms {
		r := p.request()
		r.Dendrite, r.Axon = tv[0], tv[1]
		want, err := encodeBody(p.sc, &r, p.payload)
		if err != nil {
			t.Fatal(err)
		}
		got, err := p.tmpl.body(&r)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != string(want) {
			t.Fatalf("case %d body:\n got %s\nwant %s", i, got, want)
		}
		wh := http.Header{}
		encodeHeaders(wh, p.sc, &r, int64(len(want)))
		wireCase(t, p, &r, got, wh, "10.0.0.7:8091")
	}
}

// wireCase reads the dendrite's request bytes back with net/http's server-side parser
// and requires encodeHeaders' set (as net/http's client would have written it:
// canonical keys, trimmed values), the Host, method, path and body.
func wireCase(t *testing.T, p *prepared, r *Request, body []byte, want http.Header, host string) {
	t.Helper()
	wire := p.tmpl.appendRequest(nil, host, r, body)
	hr, err := http.ReadRequest(bufio.NewReader(bytes.NewReader(wire)))
	if err != nil {
		t.Fatalf("net/http refuses the request: %v\n%s", err, wire)
	}
	got, err := io.ReadAll(hr.Body)
	if err != nil || hr.Method != "POST" || hr.URL.Path != "/"+p.sc.name || hr.Host != host ||
		hr.ContentLength != int64(len(body)) || !bytes.Equal(got, body) {
		t.Fatalf("request %s %s host %q length %d body %q (%v)", hr.Method, hr.URL, hr.Host, hr.ContentLength, got, err)
	}
	w := http.Header{"Content-Type": {"application/json"}}
	for k, vs := range want {
		for _, v := range vs {
			w.Add(k, strings.Trim(v, " \t"))
		}
	}
	hr.Header.Del("Content-Length")
	if !reflect.DeepEqual(hr.Header, w) {
		t.Fatalf("headers:\n got %v\nwant %v", hr.Header, w)
	}
}

// TestRequestTemplateMatchesEncoders: the per-fan-out template that the dendrite uses
// produces exactly the body and headers of the general encoders (which the Python
// golden tests pin), for ordinary and hostile terminal values.
func TestRequestTemplateMatchesEncoders(t *testing.T) {
	terms := [][2]TerminalInfo{
		{{}, {}},
		{
			{IP: "0.0.0.0", Version: DefaultVersion, Nonce: 1733472000123456789, UUID: "0c7d3e3a-8f1e-11ef-9a6b-0242ac120002",
				Hotkey: "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY", Signature: "0xab12"},
			{IP: "10.0.0.7", Port: 8091, Hotkey: "5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty"},
		},
		{
			{IP: "<&>\"\\\u2028\x01", Nonce: -5, UUID: "é\t\x7f", Hotkey: "\u00ff", StatusCode: 200, StatusMessage: "ok\r\n", ProcessTime: 0.125},
			{IP: "::1", Port: 65535, Hotkey: "\"}{", Version: 1, Signature: "\x00"},
		},
		{
			{IP: "a<b", StatusCode: 408, StatusMessage: "Timedout after 12.0 seconds.", UUID: "\xff\xfe", Hotkey: "日本"},
			{StatusCode: -1, StatusMessage: "a&b", Nonce: 9223372036854775807, Port: -80},
		},
	}
	templateCase(t, &Prompt{Roles: []string{"user"}, Messages: []string{"hi \"there\" <b>&", "\u2029"}}, 12*time.Second, terms)
	templateCase(t, &Prompt{}, 1500*time.Millisecond, terms)
	templateCase(t, &emptySynapse{}, 0, terms)
	templateCase(t, &hashOnly{}, 7*time.Second+333*time.Millisecond, terms)
}

// benchRequest is one fan-out request's common part with typical terminal infos.
func benchRequest(b *testing.B) (*prepared, Request) {
	p, err := prepare(&Prompt{Roles: []string{"user"}, Messages: []string{"what is the capital of France?"}}, 12*time.Second)
	if err != nil {
		b.Fatal(err)
	}
	r := p.request()
	r.Dendrite = TerminalInfo{IP: "0.0.0.0", Version: DefaultVersion, Nonce: 1733472000123456789, UUID: "0c7d3e3a-8f1e-11ef-9a6b-0242ac120002",
		Hotkey: "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY", Signature: "0x" + strings.Repeat("ab", 64)}
	r.Axon = TerminalInfo{IP: "10.0.0.7", Port: 8091, Hotkey: "5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty"}
	return p, r
}

// TestWireRequestMatchesEncoders: the dendrite's request bytes, read back by
// net/http's server-side parser, carry exactly encodeHeaders' header set and
// encodeBody's body, for IPv4, IPv6 and name hosts and hostile terminal values
// (TestRequestTemplateMatchesEncoders and FuzzRequestTemplate check the same on
// every case they encode).
func TestWireRequestMatchesEncoders(t *testing.T) {
	p, err := prepare(&Prompt{Roles: []string{"user"}, Messages: []string{"hi \"there\" <b>&"}}, 12*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	for _, host := range []string{"10.0.0.7:8091", "[::1]:8091", "axon.example:1"} {
		for _, d := range []TerminalInfo{
			{IP: "0.0.0.0", Version: DefaultVersion, Nonce: 1733472000123456789, UUID: "0c7d3e3a-8f1e-11ef-9a6b-0242ac120002",
				Hotkey: "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY", Signature: "0x" + strings.Repeat("ab", 64)},
			{IP: " padded\t", UUID: "\r\nX-Injected: 1", Hotkey: "caf\xc3\xa9", Signature: "\x00\x7f"},
		} {
			r := p.request()
			r.Dendrite, r.Axon = d, TerminalInfo{IP: "10.0.0.7", Port: 8091, Hotkey: "5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty"}
			body, err := p.tmpl.body(&r)
			if err != nil {
				t.Fatal(err)
			}
			want := http.Header{}
			encodeHeaders(want, p.sc, &r, int64(len(body)))
			wireCase(t, p, &r, body, want, host)
		}
	}
}

// BenchmarkEncodeRequestGeneral is the per-request encoding before the template.
func BenchmarkEncodeRequestGeneral(b *testing.B) {
	p, r := benchRequest(b)
	b.ReportAllocs()
	for b.Loop() {
		body, _ := encodeBody(p.sc, &r, p.payload)
		encodeHeaders(http.Header{}, p.sc, &r, int64(len(body)))
	}
}

// BenchmarkEncodeRequestTemplate is the per-request encoding the dendrite does: body
// and whole request into reused buffers.
func BenchmarkEncodeRequestTemplate(b *testing.B) {
	p, r := benchRequest(b)
	var body, wire []byte
	b.ReportAllocs()
	for b.Loop() {
		body, _ = p.tmpl.appendBody(body[:0], &r)
		wire = p.tmpl.appendRequest(wire[:0], "10.0.0.7:8091", &r, body)
	}
}

// FuzzRequestTemplate: for any terminal values the template's body and headers equal
// the general encoders' output.
func FuzzRequestTemplate(f *testing.F) {
	f.Add("0.0.0.0", "0c7d3e3a", "5Grw", "0xab", int64(1733472000123456789), 8091, "")
	f.Add("<&>", "\u2028", "\"", "\\", int64(-1), -1, "msg")
	f.Fuzz(func(t *testing.T, ip, uuid, hotkey, sig string, nonce int64, port int, msg string) {
		templateCase(t, &Prompt{Roles: []string{ip}, Messages: []string{msg}}, 3*time.Second, [][2]TerminalInfo{{
			{IP: ip, Nonce: nonce, UUID: uuid, Hotkey: hotkey, Signature: sig, StatusMessage: msg},
			{IP: sig, Port: port, Hotkey: uuid, Version: int(nonce)},
		}})
	})
}

// envelopeCase requires appendEnvelopeBody to equal encodeBody (encoding/json).
func envelopeCase[T any](t *testing.T, s *T, r Request) {
	t.Helper()
	sc, err := schemaOf[T]()
	if err != nil {
		t.Fatal(err)
	}
	payload, err := marshalPayload(s)
	if err != nil {
		t.Fatal(err)
	}
	want, werr := encodeBody(sc, &r, payload)
	got, gerr := appendEnvelopeBody(nil, sc, &r, payload)
	if (werr != nil) != (gerr != nil) || string(got) != string(want) {
		t.Fatalf("envelope:\n got %s (%v)\nwant %s (%v)", got, gerr, want, werr)
	}
}

// TestEnvelopeBodyMatchesEncodeBody: the axon's reflection-free response encoding is
// byte-identical to encodeBody (which the Python golden tests pin), including
// process times and timeouts in both float notations and hostile strings.
func TestEnvelopeBodyMatchesEncodeBody(t *testing.T) {
	terms := []TerminalInfo{
		{},
		{StatusCode: 200, StatusMessage: "Success", ProcessTime: 0.0123456789, IP: "127.0.0.1", Port: 8091, Version: DefaultVersion,
			Nonce: 1733472000123456789, UUID: "0c7d3e3a-8f1e-11ef-9a6b-0242ac120002", Hotkey: "5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty", Signature: "0xab"},
		{ProcessTime: 1e-7, StatusMessage: "<&>\"\\\u2028\x01\xff"},
		{ProcessTime: 2.5e21, StatusCode: -1},
		{ProcessTime: -3, Port: -80, Nonce: -1},
		{ProcessTime: 1e-6},
		{ProcessTime: 123456789.125},
	}
	for i, d := range terms {
		for _, a := range terms {
			for _, timeout := range []float64{12, 0, 0.5, 1e-9, 1e22, 3.000001} {
				r := Request{Name: "StreamPromptingSynapse", Timeout: timeout, TotalSize: int64(i * 1000), HeaderSize: -5,
					BodyHash: "a7ffc6f8" + d.StatusMessage, Dendrite: d, Axon: a}
				envelopeCase(t, &Prompt{Roles: []string{"user"}, Messages: []string{"hi"}, Completion: a.StatusMessage}, r)
				envelopeCase(t, &emptySynapse{}, r)
				envelopeCase(t, &hashOnly{}, r)
			}
		}
	}
	r := Request{Name: "x", Timeout: math.NaN()}
	envelopeCase(t, &Prompt{}, r) // both refuse
}

// FuzzEnvelopeBody: for any values, appendEnvelopeBody equals encodeBody.
func FuzzEnvelopeBody(f *testing.F) {
	f.Add("StreamPromptingSynapse", 12.0, 0.0123, int64(1733472000123456789), "Success", "127.0.0.1", "0xab", "done")
	f.Add("<", 1e-7, 1e21, int64(-1), "\u2028", "\x00", "\xff", "")
	f.Fuzz(func(t *testing.T, name string, timeout, pt float64, nonce int64, msg, ip, sig, completion string) {
		r := Request{Name: name, Timeout: timeout, TotalSize: nonce, HeaderSize: -nonce, BodyHash: sig,
			Dendrite: TerminalInfo{IP: ip, Nonce: nonce, Signature: sig, ProcessTime: -pt},
			Axon:     TerminalInfo{StatusCode: int(nonce), StatusMessage: msg, ProcessTime: pt, UUID: completion}}
		envelopeCase(t, &Prompt{Roles: []string{ip}, Messages: []string{msg}, Completion: completion}, r)
	})
}
