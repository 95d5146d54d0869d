package synapse

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"runtime/pprof"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/taonet/taonet/keys"
)

// Prompt is a test synapse shaped like prompting's StreamPromptingSynapse.
type Prompt struct {
	Roles      []string `json:"roles" synapse:"required"`
	Messages   []string `json:"messages" synapse:"required,hash"`
	Completion string   `json:"completion"`
}

func (Prompt) SynapseName() string { return "StreamPromptingSynapse" }

// ReceiveChunk appends streamed text to the completion, as prompting does.
func (p *Prompt) ReceiveChunk(c []byte) { p.Completion += string(c) }

var (
	keyOnce sync.Once
	keyMap  map[string]*keys.Keypair
)

// key returns a cached dev keypair (//Alice, //Bob, ...).
func key(t testing.TB, name string) *keys.Keypair {
	t.Helper()
	keyOnce.Do(func() {
		keyMap = map[string]*keys.Keypair{}
		for _, n := range []string{"Alice", "Bob", "Charlie", "Dave", "Eve"} {
			kp, err := keys.FromURI("//" + n)
			if err != nil {
				panic(err)
			}
			keyMap[n] = kp
		}
	})
	kp := keyMap[name]
	if kp == nil {
		t.Fatalf("no key %s", name)
	}
	return kp
}

// startAxon serves a on a loopback port and returns its AxonInfo.
func startAxon(t testing.TB, a *Axon) AxonInfo {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		// The label lets a CPU profile split axon-side from dendrite-side work.
		pprof.Do(context.Background(), pprof.Labels("side", "axon"), func(context.Context) {
			if err := a.Serve(l); err != nil {
				t.Errorf("serve: %v", err)
			}
		})
	}()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = a.Shutdown(ctx)
		<-done
	})
	addr := l.Addr().(*net.TCPAddr)
	return AxonInfo{IP: "127.0.0.1", Port: addr.Port, Hotkey: a.Hotkey()}
}

// echoAxon is an axon (hotkey Bob) whose Prompt handler answers "echo: <last message>".
func echoAxon(t testing.TB, cfg AxonConfig, opt Options) (*Axon, AxonInfo) {
	t.Helper()
	if cfg.Hotkey == nil {
		cfg.Hotkey = key(t, "Bob")
	}
	a, err := NewAxon(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := Register(a, func(ctx context.Context, r *Request, p *Prompt) error {
		p.Completion = "echo: " + strings.Join(p.Messages, "|")
		return nil
	}, opt); err != nil {
		t.Fatal(err)
	}
	return a, startAxon(t, a)
}

func newDendrite(t testing.TB, name string) *Dendrite {
	t.Helper()
	d, err := NewDendrite(key(t, name), DendriteConfig{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(d.Close)
	return d
}

// rawRequest is a hand-built signed request for tests that break one rule at a time.
type rawRequest struct {
	signer    *keys.Keypair // signs the message
	hotkey    string        // claimed dendrite hotkey (default signer's)
	axonKey   string        // axon hotkey in the signed message
	nonce     int64
	uuid      string
	version   int
	timeout   float64
	messages  []string
	bodyEdit  func([]byte) []byte // tamper after signing
	noSig     bool
	synapseNm string
}

func (rr rawRequest) build(t testing.TB, target AxonInfo) *http.Request {
	t.Helper()
	sc, err := schemaOf[Prompt]()
	if err != nil {
		t.Fatal(err)
	}
	p := &Prompt{Roles: []string{"user"}, Messages: rr.messages}
	if p.Messages == nil {
		p.Messages = []string{"hi"}
	}
	hotkey := rr.hotkey
	if hotkey == "" {
		hotkey = rr.signer.SS58Address()
	}
	if rr.axonKey == "" {
		rr.axonKey = target.Hotkey
	}
	if rr.uuid == "" {
		rr.uuid = "test-uuid"
	}
	if rr.version == 0 {
		rr.version = DefaultVersion
	}
	if rr.nonce == 0 {
		rr.nonce = time.Now().UnixNano()
	}
	if rr.timeout == 0 {
		rr.timeout = 5
	}
	bh, err := sc.bodyHash(reflectValue(p))
	if err != nil {
		t.Fatal(err)
	}
	req := &Request{Name: sc.name, Timeout: rr.timeout, BodyHash: bh,
		Dendrite: TerminalInfo{Hotkey: hotkey, Nonce: rr.nonce, UUID: rr.uuid, Version: rr.version, IP: "0.0.0.0"},
		Axon:     TerminalInfo{IP: target.IP, Port: target.Port, Hotkey: target.Hotkey}}
	if !rr.noSig {
		sig, err := rr.signer.Sign(RequestMessage(rr.nonce, hotkey, rr.axonKey, rr.uuid, bh))
		if err != nil {
			t.Fatal(err)
		}
		req.Dendrite.Signature = EncodeSignature(sig)
	}
	payload, err := marshalPayload(p)
	if err != nil {
		t.Fatal(err)
	}
	body, err := encodeBody(sc, req, payload)
	if err != nil {
		t.Fatal(err)
	}
	if rr.bodyEdit != nil {
		body = rr.bodyEdit(body)
	}
	name := sc.name
	if rr.synapseNm != "" {
		name = rr.synapseNm
	}
	hr, err := http.NewRequest(http.MethodPost, fmt.Sprintf("http://%s:%d/%s", target.IP, target.Port, name), bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	encodeHeaders(hr.Header, sc, req, int64(len(body)))
	hr.Header.Set("Content-Type", "application/json")
	return hr
}

// do sends hr and returns the status code and the axon's status message.
func do(t testing.TB, hr *http.Request) (int, string, http.Header) {
	t.Helper()
	resp, err := http.DefaultClient.Do(hr)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var buf bytes.Buffer
	_, _ = buf.ReadFrom(resp.Body)
	return resp.StatusCode, resp.Header.Get("bt_header_axon_status_message"), resp.Header
}
