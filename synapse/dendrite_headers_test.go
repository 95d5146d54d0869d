package synapse

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
	"unsafe"

	"github.com/taonet/taonet/keys"
	"github.com/taonet/taonet/synapse/h1"
)

// TestDendriteHeadersOptIn: a dendrite keeps no copy of the response header fields
// unless asked (DendriteConfig.KeepHeaders, or WithResponseHeaders per call); either
// way the status and terminal infos are the same, and kept fields are the recorded
// response's, in wire order, as net/http also reads them.
func TestDendriteHeadersOptIn(t *testing.T) {
	raw := recordedResponse(t, allocPrompt)
	target := replayAxon(t, raw)
	wire := recordedFields(t, raw)
	std, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(raw)), nil)
	if err != nil {
		t.Fatal(err)
	}
	std.Body.Close()

	d := newDendrite(t, "Alice")
	plain := Query(context.Background(), d, target, allocPrompt, 10*time.Second)
	perCall := Query(WithResponseHeaders(context.Background()), d, target, allocPrompt, 10*time.Second)
	kd, err := NewDendrite(key(t, "Alice"), DendriteConfig{KeepHeaders: true, UUID: d.UUID()})
	if err != nil {
		t.Fatal(err)
	}
	defer kd.Close()
	kept := Query(context.Background(), kd, target, allocPrompt, 10*time.Second)

	if plain.StatusCode != 200 || plain.Err != nil || plain.Header != nil {
		t.Fatalf("plain call: %d %v, header %v", plain.StatusCode, plain.Err, plain.Header)
	}
	for name, r := range map[string]Response[Prompt]{"WithResponseHeaders": perCall, "KeepHeaders": kept} {
		if r.StatusCode != 200 || r.Err != nil {
			t.Fatalf("%s: %d %v", name, r.StatusCode, r.Err)
		}
		if !reflect.DeepEqual(r.Header, wire) {
			t.Fatalf("%s: header\n%v\nwant (the recorded head's lines)\n%v", name, r.Header, wire)
		}
		if got := r.Header.HTTP(); !reflect.DeepEqual(got, std.Header) {
			t.Fatalf("%s: header as http.Header\n%v\nnet/http reads\n%v", name, got, std.Header)
		}
		if r.StatusCode != plain.StatusCode || r.StatusMessage != plain.StatusMessage || r.Axon != plain.Axon ||
			r.Dendrite != plain.Dendrite || !reflect.DeepEqual(r.Synapse, plain.Synapse) {
			t.Fatalf("%s: %d %q %+v %+v %+v\nwithout headers: %d %q %+v %+v %+v", name,
				r.StatusCode, r.StatusMessage, r.Axon, r.Dendrite, r.Synapse,
				plain.StatusCode, plain.StatusMessage, plain.Axon, plain.Dendrite, plain.Synapse)
		}
	}
	if plain.Axon.Signature != std.Header.Get("bt_header_axon_signature") || plain.Axon.UUID != std.Header.Get("bt_header_axon_uuid") ||
		plain.Dendrite.IP != std.Header.Get("bt_header_dendrite_ip") || plain.Axon.StatusMessage != "Success" {
		t.Fatalf("terminal infos without headers: axon %+v dendrite %+v", plain.Axon, plain.Dendrite)
	}
}

// recordedFields splits a recorded response's head into its fields, in order.
func recordedFields(t *testing.T, raw []byte) h1.Header {
	head, _, ok := bytes.Cut(raw, []byte("\r\n\r\n"))
	if !ok {
		t.Fatal("no head in the recording")
	}
	var fields h1.Header
	for _, line := range strings.Split(string(head), "\r\n")[1:] {
		name, value, ok := strings.Cut(line, ":")
		if !ok {
			t.Fatalf("recorded line %q", line)
		}
		fields = append(fields, h1.Field{Name: name, Value: strings.TrimSpace(value)})
	}
	return fields
}

// TestDendriteHeadViewDetached: without kept headers the terminal infos are parsed
// from the connection's own buffer, which the next response overwrites; every
// result of a run of calls on one connection must still carry its own axon
// signature (it verifies against its own nonce) and uuid.
func TestDendriteHeadViewDetached(t *testing.T) {
	a, target := echoAxon(t, AxonConfig{}, Options{})
	d := newDendrite(t, "Alice")
	var out []Response[Prompt]
	for range 20 {
		r := Query(context.Background(), d, target, allocPrompt, 10*time.Second)
		if r.StatusCode != 200 || r.Header != nil {
			t.Fatalf("call: %d %v, header %v", r.StatusCode, r.Err, r.Header)
		}
		out = append(out, r)
	}
	for i, r := range out {
		sig, err := DecodeSignature(r.Axon.Signature)
		if err != nil || !keys.VerifySS58(a.Hotkey(), ResponseMessage(r.Axon.Nonce, d.Hotkey(), a.Hotkey(), r.Axon.UUID), sig) {
			t.Fatalf("call %d: axon signature %q does not verify (%v)", i, r.Axon.Signature, err)
		}
		if r.Axon.UUID != a.UUID() || r.Axon.Hotkey != a.Hotkey() || r.Dendrite.IP != "127.0.0.1" || r.Axon.StatusMessage != "Success" {
			t.Fatalf("call %d: axon %+v dendrite %+v", i, r.Axon, r.Dendrite)
		}
	}
}

// TestDendriteHeadViewErrorDetached: a header that fails to parse is reported with
// its value, which outlives the connection's buffer.
func TestDendriteHeadViewErrorDetached(t *testing.T) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header()["bt_header_axon_nonce"] = []string{"bad" + strconv.Itoa(int(n.Add(1)))}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{}`))
	}))
	defer srv.Close()
	target := AxonInfo{IP: "127.0.0.1", Port: srv.Listener.Addr().(*net.TCPAddr).Port, Hotkey: key(t, "Bob").SS58Address()}
	d := newDendrite(t, "Alice")
	first := Query(context.Background(), d, target, allocPrompt, 5*time.Second)
	second := Query(context.Background(), d, target, allocPrompt, 5*time.Second)
	for i, r := range []Response[Prompt]{first, second} {
		var he *HeaderError
		if r.StatusCode != 422 || !errors.As(r.Err, &he) || he.Value != "bad"+strconv.Itoa(i+1) ||
			!strings.Contains(r.StatusMessage, `"bad`+strconv.Itoa(i+1)+`"`) {
			t.Fatalf("call %d: %d %q %v", i+1, r.StatusCode, r.StatusMessage, r.Err)
		}
	}
}

// TestStreamHeadersOptIn: a stream keeps its header fields only when asked.
func TestStreamHeadersOptIn(t *testing.T) {
	target := streamAxon(t, []string{"a", "b"}, false)
	d := newDendrite(t, "Alice")
	for _, keep := range []bool{false, true} {
		ctx := context.Background()
		if keep {
			ctx = WithResponseHeaders(ctx)
		}
		st := OpenStream(ctx, d, target, &Prompt{Messages: []string{"q"}}, 5*time.Second)
		code, h := st.Header()
		for range st.Chunks() {
		}
		res := st.Result()
		if code != 200 || res.StatusCode != 200 || res.Synapse.Completion != "ab" || res.Axon.Signature == "" {
			t.Fatalf("keep %v: %d %+v", keep, code, res)
		}
		if got := h.Get("bt_header_axon_signature"); keep != (got != "") || keep != (res.Header != nil) ||
			(keep && got != res.Axon.Signature) {
			t.Fatalf("keep %v: header %v, result header %v", keep, h, res.Header)
		}
	}
}

// TestOwnStringsSeen: a view head's axon uuid and dendrite IP are the target's seen
// strings when they repeat, copied (and then seen) when they change, and every kept
// string is the dendrite's own, not the head buffer's.
func TestOwnStringsSeen(t *testing.T) {
	buf := []byte("u1" + "10.0.0.9" + "sig1" + "u2")
	view := func(from, to int) string { return unsafe.String(&buf[from], to-from) }
	inBuf := func(s string) bool {
		p := uintptr(unsafe.Pointer(unsafe.StringData(s)))
		base := uintptr(unsafe.Pointer(&buf[0]))
		return s != "" && p >= base && p < base+uintptr(len(buf))
	}
	var seen atomic.Pointer[seenStrings]
	sent := TerminalInfo{IP: "0.0.0.0", Hotkey: "hk"}
	run := func(uuid string) Request {
		srv := Request{Axon: TerminalInfo{UUID: uuid, Signature: view(10, 14), StatusMessage: "Success"},
			Dendrite: TerminalInfo{IP: view(2, 10), Hotkey: "hk"}}
		axon, dendrite := TerminalInfo{}, sent
		ownStrings(&srv, &axon, &dendrite, &seen)
		for _, s := range []string{srv.Axon.UUID, srv.Axon.Signature, srv.Axon.StatusMessage, srv.Dendrite.IP, srv.Dendrite.Hotkey} {
			if inBuf(s) {
				t.Fatalf("%q still points into the head", s)
			}
		}
		if srv.Axon.UUID != uuid || srv.Axon.Signature != "sig1" || srv.Dendrite.IP != "10.0.0.9" || srv.Dendrite.Hotkey != "hk" {
			t.Fatalf("owned values %+v", srv)
		}
		return srv
	}
	first := run(view(0, 2))
	if s := seen.Load(); s == nil || s.axonUUID != "u1" || unsafe.StringData(s.axonUUID) != unsafe.StringData(first.Axon.UUID) {
		t.Fatalf("seen after the first head: %+v", s)
	}
	second := run(view(0, 2))
	if unsafe.StringData(second.Axon.UUID) != unsafe.StringData(first.Axon.UUID) ||
		unsafe.StringData(second.Dendrite.IP) != unsafe.StringData(first.Dendrite.IP) {
		t.Fatal("a repeated uuid or IP was copied again, not taken from seen")
	}
	third := run(view(14, 16)) // the axon restarted with a new uuid
	if s := seen.Load(); third.Axon.UUID != "u2" || s.axonUUID != "u2" || unsafe.StringData(s.dendriteIP) != unsafe.StringData(first.Dendrite.IP) {
		t.Fatalf("after a new uuid: %q, seen %+v", third.Axon.UUID, s)
	}
}
