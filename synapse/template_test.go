package synapse

import (
	"bufio"
	"bytes"
	"io"
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
		wireCase(t, p, &r, got, wh)
	}
}

// wireCase reads the dendrite's request bytes back with net/http's server-side parser
// and requires encodeHeaders' set (as net/http's client would have written it:
// canonical keys, trimmed values), the Host, method, path and body.
func wireCase(t *testing.T, p *prepared, r *Request, body []byte, want http.Header) {
	t.Helper()
	const host = "10.0.0.7:8091"
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
