package synapse

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/taonet/taonet/keys"
)

// again returns a function producing byte-identical copies of hr (a true replay).
func again(t *testing.T, hr *http.Request) func() *http.Request {
	body, err := io.ReadAll(hr.Body)
	if err != nil {
		t.Fatal(err)
	}
	return func() *http.Request {
		c := hr.Clone(context.Background())
		c.Body = io.NopCloser(bytes.NewReader(body))
		c.ContentLength = int64(len(body))
		return c
	}
}

func TestHappyPath(t *testing.T) {
	a, target := echoAxon(t, AxonConfig{}, Options{})
	d := newDendrite(t, "Alice")
	in := &Prompt{Roles: []string{"user"}, Messages: []string{"Hello", "world"}}
	res := Query(context.Background(), d, target, in, 5*time.Second)
	if res.StatusCode != 200 || res.Err != nil {
		t.Fatalf("status %d %q err %v", res.StatusCode, res.StatusMessage, res.Err)
	}
	if res.StatusMessage != "Success" {
		t.Fatalf("message %q", res.StatusMessage)
	}
	if res.Synapse.Completion != "echo: Hello|world" {
		t.Fatalf("completion %q", res.Synapse.Completion)
	}
	if in.Completion != "" {
		t.Fatal("the caller's synapse must not be modified")
	}
	if res.Axon.Hotkey != a.Hotkey() || res.Axon.UUID != a.UUID() || res.Axon.Version != DefaultVersion || res.Axon.ProcessTime <= 0 {
		t.Fatalf("axon terminal %+v", res.Axon)
	}
	if res.Dendrite.IP != "127.0.0.1" || res.Dendrite.Port == 0 || res.Dendrite.StatusCode != 200 {
		t.Fatalf("dendrite terminal %+v", res.Dendrite)
	}
	// The axon signed "{axon_nonce}.{dendrite_hotkey}.{axon_hotkey}.{axon_uuid}".
	sig, err := DecodeSignature(res.Axon.Signature)
	if err != nil {
		t.Fatal(err)
	}
	if !keys.VerifySS58(a.Hotkey(), ResponseMessage(res.Axon.Nonce, d.Hotkey(), a.Hotkey(), a.UUID()), sig) {
		t.Fatal("axon response signature does not verify")
	}
	// A second call reuses the nonce sequence and succeeds.
	res = Query(context.Background(), d, target, in, 5*time.Second)
	if res.StatusCode != 200 {
		t.Fatalf("second call %d %s", res.StatusCode, res.StatusMessage)
	}
}

func TestResponseHeadersLikeUpstream(t *testing.T) {
	_, target := echoAxon(t, AxonConfig{}, Options{})
	hr := rawRequest{signer: key(t, "Alice"), messages: []string{"Hello"}}.build(t, target)
	resp, err := http.DefaultClient.Do(hr)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	for _, k := range []string{"name", "timeout", "bt_header_axon_status_code", "bt_header_axon_status_message",
		"bt_header_axon_process_time", "bt_header_axon_nonce", "bt_header_axon_uuid", "bt_header_axon_hotkey",
		"bt_header_axon_signature", "bt_header_axon_version", "bt_header_dendrite_hotkey", "bt_header_dendrite_nonce",
		"bt_header_dendrite_ip", "bt_header_dendrite_port", "bt_header_input_obj_messages", "bt_header_input_obj_roles",
		"header_size", "total_size", "computed_body_hash"} {
		if resp.Header.Get(k) == "" {
			t.Errorf("response lacks header %s", k)
		}
	}
	// Python matches the bt_header_ prefixes case-sensitively: keys must be lower case on the wire.
	if _, ok := resp.Header["Bt_header_axon_status_code"]; !ok {
		t.Errorf("expected canonicalized key as parsed by Go; got %v", resp.Header)
	}
	if got := resp.Header.Get("bt_header_input_obj_messages"); got != "W10=" {
		t.Errorf("input_obj %q", got)
	}
	if got := resp.Header.Get("timeout"); got != "5.0" {
		t.Errorf("timeout header %q", got)
	}
	if got := resp.Header.Get("computed_body_hash"); got != "7d572de8b8df200488c8c72bb6a1588ac7073e7c32d036d196ba7f7b2ada3e3f" {
		t.Errorf("body hash header %q", got)
	}
	p, err := DecodeBody[Prompt](body)
	if err != nil || p.Completion != "echo: Hello" {
		t.Fatalf("body %s: %v", body, err)
	}
	if !strings.Contains(string(body), `"required_hash_fields":["messages"]`) || !strings.Contains(string(body), `"name":"StreamPromptingSynapse"`) {
		t.Errorf("body lacks base fields: %s", body)
	}
}

func TestReplayRejected(t *testing.T) {
	_, target := echoAxon(t, AxonConfig{}, Options{})
	mk := again(t, rawRequest{signer: key(t, "Alice")}.build(t, target))
	if code, msg, _ := do(t, mk()); code != 200 {
		t.Fatalf("first %d %s", code, msg)
	}
	code, msg, _ := do(t, mk())
	if code != 401 || !strings.Contains(msg, "Nonce is too old, a newer one was last processed") {
		t.Fatalf("replay: %d %q", code, msg)
	}
}

func TestConcurrentReplayOnlyOnePasses(t *testing.T) {
	_, target := echoAxon(t, AxonConfig{}, Options{})
	mk := again(t, rawRequest{signer: key(t, "Alice")}.build(t, target))
	var ok atomic.Int32
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if code, _, _ := do(t, mk()); code == 200 {
				ok.Add(1)
			}
		})
	}
	wg.Wait()
	if ok.Load() != 1 {
		t.Fatalf("%d identical requests accepted", ok.Load())
	}
}

func TestStaleNonce(t *testing.T) {
	_, target := echoAxon(t, AxonConfig{}, Options{})
	// timeout 5 s + 4 s allowed delta: a 30 s old nonce is stale for a first-seen key.
	hr := rawRequest{signer: key(t, "Alice"), nonce: time.Now().Add(-30 * time.Second).UnixNano()}.build(t, target)
	code, msg, _ := do(t, hr)
	if code != 401 || !strings.Contains(msg, "Nonce is too old: acceptable delta is 9.00 seconds") {
		t.Fatalf("stale: %d %q", code, msg)
	}
	// Legacy mode (upstream < 7.2.0 dendrites) accepts it, strict mode is the default.
	_, legacy := echoAxon(t, AxonConfig{AllowLegacyNonces: true}, Options{})
	hr = rawRequest{signer: key(t, "Alice"), version: 711, nonce: time.Now().Add(-30 * time.Second).UnixNano()}.build(t, legacy)
	if code, msg, _ := do(t, hr); code != 200 {
		t.Fatalf("legacy: %d %q", code, msg)
	}
	hr = rawRequest{signer: key(t, "Alice"), version: V720, uuid: "other", nonce: time.Now().Add(-30 * time.Second).UnixNano()}.build(t, legacy)
	if code, _, _ := do(t, hr); code != 401 {
		t.Fatalf("7.2.0 dendrite on legacy axon: %d", code)
	}
}

func TestNonceAgainstAxonClock(t *testing.T) {
	// The axon's clock is a minute ahead: a dendrite's fresh nonce looks stale.
	_, target := echoAxon(t, AxonConfig{Now: func() time.Time { return time.Now().Add(time.Minute) }}, Options{})
	res := Query(context.Background(), newDendrite(t, "Alice"), target, &Prompt{Messages: []string{"x"}}, 2*time.Second)
	if res.StatusCode != 401 || !strings.Contains(res.StatusMessage, "Nonce is too old") {
		t.Fatalf("%d %q", res.StatusCode, res.StatusMessage)
	}
}

func TestWrongSignature(t *testing.T) {
	_, target := echoAxon(t, AxonConfig{}, Options{})
	alice := key(t, "Alice").SS58Address()
	cases := map[string]rawRequest{
		"signed by another key":     {signer: key(t, "Charlie"), hotkey: alice},
		"addressed to another axon": {signer: key(t, "Alice"), axonKey: key(t, "Dave").SS58Address()},
		"missing signature":         {signer: key(t, "Alice"), noSig: true},
		"hotkey is not an ss58":     {signer: key(t, "Alice"), hotkey: "not-a-key"},
		"body hash header tampered": {signer: key(t, "Alice")},
	}
	for name, rr := range cases {
		t.Run(name, func(t *testing.T) {
			hr := rr.build(t, target)
			if name == "body hash header tampered" {
				hr.Header["computed_body_hash"] = []string{EmptyBodyHash}
			}
			code, msg, _ := do(t, hr)
			if code != 401 || !strings.HasPrefix(msg, "Not Verified with error: ") {
				t.Fatalf("%d %q", code, msg)
			}
		})
	}
}

// wrappingSigner signs like a polkadot-js browser extension: "<Bytes>msg</Bytes>".
type wrappingSigner struct{ *keys.Keypair }

func (w wrappingSigner) Sign(msg []byte) ([]byte, error) {
	return w.Keypair.Sign([]byte("<Bytes>" + string(msg) + "</Bytes>"))
}

func TestPolkadotJSWrappedSignatureAccepted(t *testing.T) {
	_, target := echoAxon(t, AxonConfig{}, Options{})
	d, err := NewDendrite(wrappingSigner{key(t, "Alice")}, DendriteConfig{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if r := Query(context.Background(), d, target, &Prompt{Messages: []string{"x"}}, 5*time.Second); r.StatusCode != 200 {
		t.Fatalf("%d %s", r.StatusCode, r.StatusMessage)
	}
}

func TestTamperedBody(t *testing.T) {
	_, target := echoAxon(t, AxonConfig{}, Options{})
	hr := rawRequest{signer: key(t, "Alice"), messages: []string{"pay 1"}, bodyEdit: func(b []byte) []byte {
		return bytes.Replace(b, []byte(`"pay 1"`), []byte(`"pay 9"`), 1)
	}}.build(t, target)
	code, msg, _ := do(t, hr)
	if code != 400 || !strings.Contains(msg, "Hash mismatch") {
		t.Fatalf("%d %q", code, msg)
	}
	// Unhashed fields are not protected, as upstream: editing roles passes.
	hr = rawRequest{signer: key(t, "Alice"), bodyEdit: func(b []byte) []byte {
		return bytes.Replace(b, []byte(`"user"`), []byte(`"system"`), 1)
	}}.build(t, target)
	if code, msg, _ := do(t, hr); code != 200 {
		t.Fatalf("unhashed edit: %d %q", code, msg)
	}
	// A body that is not JSON is a 400.
	hr = rawRequest{signer: key(t, "Alice"), bodyEdit: func([]byte) []byte { return []byte("{nope") }}.build(t, target)
	if code, _, _ := do(t, hr); code != 400 {
		t.Fatalf("garbage body: %d", code)
	}
}

// registered is a blacklist allowing only the given hotkeys, like a metagraph check.
func registered(hotkeys ...string) BlacklistFunc {
	return func(_ context.Context, r *Request) (bool, string) {
		for _, h := range hotkeys {
			if r.Dendrite.Hotkey == h {
				return false, ""
			}
		}
		return true, "Unrecognized hotkey " + r.Dendrite.Hotkey
	}
}

func TestBlacklistedHotkey(t *testing.T) {
	_, target := echoAxon(t, AxonConfig{}, Options{Blacklist: registered(key(t, "Alice").SS58Address())})
	res := Query(context.Background(), newDendrite(t, "Eve"), target, &Prompt{Messages: []string{"x"}}, 2*time.Second)
	if res.StatusCode != 403 || res.StatusMessage != "Forbidden. Key is blacklisted: Unrecognized hotkey "+key(t, "Eve").SS58Address()+"." {
		t.Fatalf("%d %q", res.StatusCode, res.StatusMessage)
	}
	if res := Query(context.Background(), newDendrite(t, "Alice"), target, &Prompt{Messages: []string{"x"}}, 2*time.Second); res.StatusCode != 200 {
		t.Fatalf("registered: %d %q", res.StatusCode, res.StatusMessage)
	}
}

// trackingBody records whether the axon read the body.
type trackingBody struct {
	io.Reader
	read atomic.Bool
}

func (b *trackingBody) Read(p []byte) (int, error) { b.read.Store(true); return b.Reader.Read(p) }
func (b *trackingBody) Close() error               { return nil }

func TestBlacklistRunsBeforeBodyAndVerify(t *testing.T) {
	var verified atomic.Int32
	a, err := NewAxon(AxonConfig{Hotkey: key(t, "Bob"), Verify: func(s string, m, sig []byte) bool {
		verified.Add(1)
		return keys.VerifySS58(s, m, sig)
	}})
	if err != nil {
		t.Fatal(err)
	}
	if err := Register(a, func(context.Context, *Request, *Prompt) error { return nil }, Options{Blacklist: registered()}); err != nil {
		t.Fatal(err)
	}
	target := AxonInfo{IP: "127.0.0.1", Port: 1, Hotkey: a.Hotkey()}
	hr := rawRequest{signer: key(t, "Alice")}.build(t, target)
	body := &trackingBody{Reader: hr.Body}
	hr.Body = body
	rec := httptest.NewRecorder()
	a.ServeHTTP(rec, hr)
	if rec.Code != 403 {
		t.Fatalf("status %d", rec.Code)
	}
	if body.read.Load() {
		t.Fatal("blacklisted request body was read")
	}
	if verified.Load() != 0 {
		t.Fatal("signature verified before blacklist")
	}
	if rec.Header().Get("bt_header_axon_signature") != "" {
		t.Fatal("axon signed a response to an unauthenticated request")
	}
}

func TestOversizeBody(t *testing.T) {
	_, target := echoAxon(t, AxonConfig{MaxBodyBytes: 2048}, Options{})
	big := strings.Repeat("x", 4096)
	// Declared length over the limit: refused before anything else is read.
	code, msg, _ := do(t, rawRequest{signer: key(t, "Alice"), messages: []string{big}}.build(t, target))
	if code != 413 || !strings.Contains(msg, "Request body too large") {
		t.Fatalf("%d %q", code, msg)
	}
	// Chunked (no declared length): refused while reading.
	hr := rawRequest{signer: key(t, "Alice"), messages: []string{big}}.build(t, target)
	hr.Body = io.NopCloser(io.MultiReader(hr.Body)) // hide the length
	hr.ContentLength = -1
	code, msg, _ = do(t, hr)
	if code != 413 {
		t.Fatalf("chunked: %d %q", code, msg)
	}
	// The dendrite reports the axon's 413.
	res := Query(context.Background(), newDendrite(t, "Alice"), target, &Prompt{Messages: []string{big}}, 2*time.Second)
	if res.StatusCode != 413 {
		t.Fatalf("dendrite: %d %q", res.StatusCode, res.StatusMessage)
	}
}

func TestSlowHandlerTimesOut(t *testing.T) {
	a, err := NewAxon(AxonConfig{Hotkey: key(t, "Bob")})
	if err != nil {
		t.Fatal(err)
	}
	release := make(chan struct{})
	defer close(release)
	if err := Register(a, func(ctx context.Context, _ *Request, p *Prompt) error {
		if p.Messages[0] == "ignore ctx" {
			// A miner that ignores its deadline: only the client's timeout can end the call.
			<-release
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-release:
			return nil
		}
	}, Options{}); err != nil {
		t.Fatal(err)
	}
	target := startAxon(t, a)
	res := Query(context.Background(), newDendrite(t, "Alice"), target, &Prompt{Messages: []string{"ignore ctx"}}, 300*time.Millisecond)
	if res.StatusCode != 408 || res.StatusMessage != "Timedout after 0.3 seconds." {
		t.Fatalf("%d %q", res.StatusCode, res.StatusMessage)
	}
	if !errors.Is(res.Err, context.DeadlineExceeded) {
		t.Fatalf("err %v", res.Err)
	}
	// The axon itself answers 408 once the handler gives up at the request's timeout.
	hr := rawRequest{signer: key(t, "Alice"), timeout: 0.2}.build(t, target)
	if code, msg, _ := do(t, hr); code != 408 || msg != "Timeout after: 0.2s" {
		t.Fatalf("axon side: %d %q", code, msg)
	}
}

func TestUnknownSynapseAndBadHeaders(t *testing.T) {
	_, target := echoAxon(t, AxonConfig{}, Options{})
	code, msg, _ := do(t, rawRequest{signer: key(t, "Alice"), synapseNm: "Nope"}.build(t, target))
	if code != 404 || msg != "Synapse name 'Nope' not found. Available synapses ['StreamPromptingSynapse']" {
		t.Fatalf("%d %q", code, msg)
	}
	for hdr, val := range map[string]string{"timeout": "soon", "bt_header_dendrite_nonce": "12x",
		"bt_header_dendrite_port": "70000", "bt_header_input_obj_messages": "!!!", "timeout ": "nan"} {
		hr := rawRequest{signer: key(t, "Alice")}.build(t, target)
		hr.Header[strings.TrimSpace(hdr)] = []string{val}
		if code, msg, _ := do(t, hr); code != 400 || !strings.HasPrefix(msg, "Improperly formatted request") {
			t.Errorf("%s=%q: %d %q", hdr, val, code, msg)
		}
	}
}

func TestHandlerErrors(t *testing.T) {
	a, err := NewAxon(AxonConfig{Hotkey: key(t, "Bob")})
	if err != nil {
		t.Fatal(err)
	}
	if err := Register(a, func(_ context.Context, _ *Request, p *Prompt) error {
		switch p.Messages[0] {
		case "panic":
			panic("boom")
		case "teapot":
			return &StatusError{Code: 418, Message: "short and stout"}
		}
		return errors.New("secret internal detail")
	}, Options{}); err != nil {
		t.Fatal(err)
	}
	target := startAxon(t, a)
	d := newDendrite(t, "Alice")
	for msg, want := range map[string]int{"panic": 500, "teapot": 418, "err": 500} {
		res := Query(context.Background(), d, target, &Prompt{Messages: []string{msg}}, 2*time.Second)
		if res.StatusCode != want {
			t.Errorf("%s: %d %q", msg, res.StatusCode, res.StatusMessage)
		}
		if strings.Contains(res.StatusMessage, "secret") {
			t.Errorf("internal error leaked: %q", res.StatusMessage)
		}
	}
	// The axon survived the panic.
	if res := Query(context.Background(), d, target, &Prompt{Messages: []string{"teapot"}}, 2*time.Second); res.StatusCode != 418 {
		t.Fatal("axon not serving after panic")
	}
}

func TestPriorityQueueFullAndTimeout(t *testing.T) {
	a, err := NewAxon(AxonConfig{Hotkey: key(t, "Bob"), MaxConcurrent: 1, MaxQueue: 1})
	if err != nil {
		t.Fatal(err)
	}
	hold := make(chan struct{})
	entered := make(chan struct{}, 4)
	if err := Register(a, func(ctx context.Context, _ *Request, p *Prompt) error {
		entered <- struct{}{}
		select {
		case <-hold:
		case <-ctx.Done():
		}
		return nil
	}, Options{Priority: func(context.Context, *Request) float64 { return 1 }}); err != nil {
		t.Fatal(err)
	}
	target := startAxon(t, a)
	d := newDendrite(t, "Alice")
	first := make(chan Response[Prompt], 1)
	go func() {
		first <- Query(context.Background(), d, target, &Prompt{Messages: []string{"1"}}, 10*time.Second)
	}()
	<-entered // slot taken
	// One waiter fills the queue; it gives up at its own timeout with 503.
	second := make(chan int, 1)
	go func() {
		hr := rawRequest{signer: key(t, "Charlie"), timeout: 2}.build(t, target)
		code, _, _ := do(t, hr)
		second <- code
	}()
	for {
		if _, q := a.gate.stats(); q == 1 {
			break
		}
		time.Sleep(time.Millisecond)
	}
	// The queue is full: immediate 503.
	code, msg, _ := do(t, rawRequest{signer: key(t, "Dave")}.build(t, target))
	if code != 503 || !strings.Contains(msg, "queue is full") {
		t.Fatalf("full: %d %q", code, msg)
	}
	if code := <-second; code != 503 {
		t.Fatalf("queued request past its timeout: %d", code)
	}
	close(hold)
	if r := <-first; r.StatusCode != 200 {
		t.Fatalf("first: %d", r.StatusCode)
	}
}

func TestRegisterValidation(t *testing.T) {
	a, err := NewAxon(AxonConfig{Hotkey: key(t, "Bob")})
	if err != nil {
		t.Fatal(err)
	}
	type reserved struct {
		Name string `json:"name"`
	}
	type badTag struct {
		X string `synapse:"hsh"`
	}
	type badHash struct {
		M map[string]int `json:"m" synapse:"hash"`
	}
	if err := Register(a, func(context.Context, *Request, *reserved) error { return nil }, Options{}); err == nil {
		t.Error("reserved wire name accepted")
	}
	if err := Register(a, func(context.Context, *Request, *badTag) error { return nil }, Options{}); err == nil {
		t.Error("unknown tag accepted")
	}
	if err := Register(a, func(context.Context, *Request, *badHash) error { return nil }, Options{}); err == nil {
		t.Error("unhashable field accepted")
	}
	if err := Register(a, func(context.Context, *Request, *int) error { return nil }, Options{}); err == nil {
		t.Error("non-struct accepted")
	}
	if err := Register(a, func(context.Context, *Request, *Prompt) error { return nil }, Options{}); err != nil {
		t.Fatal(err)
	}
	if err := Register(a, func(context.Context, *Request, *Prompt) error { return nil }, Options{}); err == nil {
		t.Error("duplicate registration accepted")
	}
	if _, err := NewAxon(AxonConfig{}); err == nil {
		t.Error("axon without hotkey accepted")
	}
}
