package synapse

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func streamAxon(t *testing.T, chunks []string, stall bool) AxonInfo {
	t.Helper()
	a, err := NewAxon(AxonConfig{Hotkey: key(t, "Bob")})
	if err != nil {
		t.Fatal(err)
	}
	release := make(chan struct{})
	if err := RegisterStream(a, func(ctx context.Context, _ *Request, p *Prompt, w *StreamWriter) error {
		for _, c := range chunks {
			if _, err := w.Write([]byte(c)); err != nil {
				return err
			}
		}
		if stall {
			// Ignore the deadline so only the client's timeout ends the stream.
			<-release
		}
		return nil
	}, Options{}); err != nil {
		t.Fatal(err)
	}
	info := startAxon(t, a)
	t.Cleanup(func() { close(release) }) // runs before the axon's shutdown
	return info
}

func TestStreaming(t *testing.T) {
	target := streamAxon(t, []string{"Hel", "lo ", "wor", "ld"}, false)
	d := newDendrite(t, "Alice")
	st := OpenStream(context.Background(), d, target, &Prompt{Messages: []string{"hi"}}, 5*time.Second)
	var got []string
	for c := range st.Chunks() {
		got = append(got, string(c))
	}
	res := st.Result()
	if res.StatusCode != 200 || res.Err != nil {
		t.Fatalf("%d %q %v", res.StatusCode, res.StatusMessage, res.Err)
	}
	if strings.Join(got, "") != "Hello world" || string(res.Streamed) != "Hello world" || res.Synapse.Completion != "Hello world" {
		t.Fatalf("chunks %q streamed %q completion %q", got, res.Streamed, res.Synapse.Completion)
	}
	if res.Axon.Signature == "" || res.Axon.StatusMessage != "Success" {
		t.Fatalf("axon headers %+v", res.Axon)
	}
}

func TestStreamingTimeoutKeepsPartial(t *testing.T) {
	target := streamAxon(t, []string{"partial"}, true)
	d := newDendrite(t, "Alice")
	// The first chunk must arrive before the client's timeout ends the stream:
	// leave room for a loaded machine (the handler then stalls until cleanup).
	st := OpenStream(context.Background(), d, target, &Prompt{Messages: []string{"hi"}}, time.Second)
	for range st.Chunks() {
	}
	res := st.Result()
	if res.StatusCode != 408 || string(res.Streamed) != "partial" || res.Synapse.Completion != "partial" {
		t.Fatalf("%d %q streamed %q", res.StatusCode, res.StatusMessage, res.Streamed)
	}
}

func TestStreamingRejectedBeforeStart(t *testing.T) {
	target := streamAxon(t, []string{"x"}, false)
	// Eve's request is addressed to the right axon but signed by Charlie.
	d := newDendrite(t, "Alice")
	bad := target
	bad.Hotkey = key(t, "Dave").SS58Address()
	st := OpenStream(context.Background(), d, bad, &Prompt{Messages: []string{"hi"}}, time.Second)
	if _, ok := st.Next(); ok {
		t.Fatal("chunk from a rejected stream")
	}
	if res := st.Result(); res.StatusCode != 401 {
		t.Fatalf("%d %q", res.StatusCode, res.StatusMessage)
	}
}

func TestFanOut64(t *testing.T) {
	const n = 64
	targets := make([]AxonInfo, n+1)
	for i := range n {
		a, err := NewAxon(AxonConfig{Hotkey: key(t, []string{"Bob", "Charlie", "Dave"}[i%3])})
		if err != nil {
			t.Fatal(err)
		}
		if err := Register(a, func(_ context.Context, _ *Request, p *Prompt) error {
			p.Completion = fmt.Sprintf("axon %d", i)
			return nil
		}, Options{}); err != nil {
			t.Fatal(err)
		}
		targets[i] = startAxon(t, a)
	}
	// A dead target: a port nobody listens on.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := l.Addr().(*net.TCPAddr).Port
	l.Close()
	targets[n] = AxonInfo{IP: "127.0.0.1", Port: dead, Hotkey: key(t, "Bob").SS58Address()}
	// A metagraph entry that is not serving.
	targets = append(targets, AxonInfo{IP: "0.0.0.0", Port: targets[0].Port, Hotkey: targets[0].Hotkey})

	d := newDendrite(t, "Alice")
	for round := range 2 { // the second round reuses connections
		res := QueryMany(context.Background(), d, targets, &Prompt{Messages: []string{"q"}}, 5*time.Second)
		for i := range n {
			if res[i].StatusCode != 200 || res[i].Synapse.Completion != fmt.Sprintf("axon %d", i) || res[i].Target != targets[i] {
				t.Fatalf("round %d axon %d: %d %q %q", round, i, res[i].StatusCode, res[i].StatusMessage, res[i].Synapse.Completion)
			}
			if res[i].Latency <= 0 {
				t.Fatalf("latency %v", res[i].Latency)
			}
		}
		if res[n].StatusCode != 503 || !strings.HasPrefix(res[n].StatusMessage, "Service at 127.0.0.1:") {
			t.Fatalf("dead target: %d %q", res[n].StatusCode, res[n].StatusMessage)
		}
		if res[n+1].StatusCode != 503 || !errors.Is(res[n+1].Err, errNotServing) {
			t.Fatalf("unserved target: %d %q %v", res[n+1].StatusCode, res[n+1].StatusMessage, res[n+1].Err)
		}
	}

	// Streaming fan-out over streaming axons.
	stTargets := []AxonInfo{streamAxon(t, []string{"a", "b"}, false), streamAxon(t, []string{"c"}, false)}
	var mu sync.Mutex
	seen := map[int]string{}
	out := StreamMany(context.Background(), d, stTargets, &Prompt{Messages: []string{"q"}}, 5*time.Second, func(i int, c []byte) {
		mu.Lock()
		seen[i] += string(c)
		mu.Unlock()
	})
	if out[0].StatusCode != 200 || out[1].StatusCode != 200 || seen[0] != "ab" || seen[1] != "c" || out[0].Synapse.Completion != "ab" {
		t.Fatalf("stream many: %+v %v", out, seen)
	}
}

// A hostile "axon" sending huge or endless bodies is cut off at MaxResponseBytes.
func TestHostileResponses(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Header.Get("bt_header_axon_port") {
		case "1": // declared huge
			w.Header().Set("Content-Length", "100000000")
			w.WriteHeader(200)
		case "2": // endless chunked JSON
			w.WriteHeader(200)
			buf := []byte(strings.Repeat(" ", 4096))
			for r.Context().Err() == nil {
				if _, err := w.Write(buf); err != nil {
					return
				}
			}
		case "3": // endless stream
			w.Header().Set("Content-Type", "text/event-stream")
			w.WriteHeader(200)
			buf := []byte(strings.Repeat("t", 4096))
			for r.Context().Err() == nil {
				if _, err := w.Write(buf); err != nil {
					return
				}
				w.(http.Flusher).Flush()
			}
		case "4": // not JSON
			w.WriteHeader(200)
			_, _ = w.Write([]byte("<html>"))
		case "5": // lies about success in headers
			w.Header()["bt_header_axon_status_code"] = []string{"200"}
			w.WriteHeader(500)
			_, _ = w.Write([]byte(`{"message":"x"}`))
		}
	}))
	defer srv.Close()
	addr := srv.Listener.Addr().(*net.TCPAddr)
	d, err := NewDendrite(key(t, "Alice"), DendriteConfig{MaxResponseBytes: 64 << 10,
		// Route every target to the test server; the port header tells it what to do.
		Dial: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, "tcp", addr.String())
		}})
	if err != nil {
		t.Fatal(err)
	}
	at := func(port int) AxonInfo {
		return AxonInfo{IP: "10.0.0.1", Port: port, Hotkey: key(t, "Bob").SS58Address()}
	}
	for port, want := range map[int]int{1: 422, 2: 422, 4: 422, 5: 500} {
		res := Query(context.Background(), d, at(port), &Prompt{Messages: []string{"q"}}, 5*time.Second)
		if res.StatusCode != want {
			t.Errorf("case %d: %d %q", port, res.StatusCode, res.StatusMessage)
		}
	}
	st := OpenStream(context.Background(), d, at(3), &Prompt{Messages: []string{"q"}}, 5*time.Second)
	for range st.Chunks() {
	}
	res := st.Result()
	if res.StatusCode != 422 || int64(len(res.Streamed)) > 64<<10 || len(res.Streamed) == 0 {
		t.Fatalf("endless stream: %d %q, %d bytes", res.StatusCode, res.StatusMessage, len(res.Streamed))
	}
}

// A metagraph entry whose IP would smuggle header lines into the request is refused
// before anything is signed or sent.
func TestHostileTargetAddress(t *testing.T) {
	d := newDendrite(t, "Alice")
	for _, ip := range []string{"127.0.0.1\r\nX-Injected: 1", "a b", "", "host/path"} {
		res := Query(context.Background(), d, AxonInfo{IP: ip, Port: 8091, Hotkey: key(t, "Bob").SS58Address()}, &Prompt{}, time.Second)
		if res.StatusCode != 503 || !errors.Is(res.Err, errBadAddress) || res.Dendrite.Signature != "" {
			t.Errorf("%q: %d %q %v", ip, res.StatusCode, res.StatusMessage, res.Err)
		}
	}
}

func TestNonceStrictlyIncreasing(t *testing.T) {
	d := newDendrite(t, "Alice")
	var mu sync.Mutex
	seen := map[int64]bool{}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 1000 {
				n := d.nextNonce()
				mu.Lock()
				if seen[n] {
					t.Errorf("nonce %d reused", n)
				}
				seen[n] = true
				mu.Unlock()
			}
		})
	}
	wg.Wait()
}

// Concurrent calls from one dendrite to one axon must not trip the axon's per-(hotkey,
// uuid) nonce ordering: each in-flight call uses its own lane.
func TestConcurrentCallsToOneAxon(t *testing.T) {
	_, target := echoAxon(t, AxonConfig{}, Options{})
	d := newDendrite(t, "Alice")
	var wg sync.WaitGroup
	var mu sync.Mutex
	uuids := map[string]bool{}
	for g := range 16 {
		wg.Go(func() {
			for i := range 8 {
				r := Query(context.Background(), d, target, &Prompt{Messages: []string{fmt.Sprint(g, i)}}, 5*time.Second)
				if r.StatusCode != 200 {
					t.Errorf("call %d/%d: %d %s", g, i, r.StatusCode, r.StatusMessage)
					return
				}
				mu.Lock()
				uuids[r.Dendrite.UUID] = true
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if !uuids[d.UUID()] || len(uuids) > 16 {
		t.Fatalf("lanes: %d uuids (base used: %v)", len(uuids), uuids[d.UUID()])
	}
	// Sequential calls afterwards reuse a lane instead of creating new ones.
	before := len(uuids)
	for range 4 {
		r := Query(context.Background(), d, target, &Prompt{Messages: []string{"seq"}}, 5*time.Second)
		if r.StatusCode != 200 {
			t.Fatal(r.StatusMessage)
		}
		uuids[r.Dendrite.UUID] = true
	}
	if len(uuids) != before {
		t.Fatal("sequential calls created new lanes")
	}
}

func TestMaxInFlight(t *testing.T) {
	a, err := NewAxon(AxonConfig{Hotkey: key(t, "Bob")})
	if err != nil {
		t.Fatal(err)
	}
	var cur, peak atomic.Int32
	if err := Register(a, func(ctx context.Context, _ *Request, p *Prompt) error {
		n := cur.Add(1)
		for {
			old := peak.Load()
			if n <= old || peak.CompareAndSwap(old, n) {
				break
			}
		}
		time.Sleep(5 * time.Millisecond)
		cur.Add(-1)
		return nil
	}, Options{}); err != nil {
		t.Fatal(err)
	}
	addr, err := a.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer a.Shutdown(context.Background())
	d, err := NewDendrite(key(t, "Alice"), DendriteConfig{MaxInFlight: 3})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	target := AxonInfo{IP: "127.0.0.1", Port: addr.Port, Hotkey: a.Hotkey()}
	targets := make([]AxonInfo, 20)
	for i := range targets {
		targets[i] = target
	}
	for _, r := range QueryMany(context.Background(), d, targets, &Prompt{Messages: []string{"x"}}, 10*time.Second) {
		if r.StatusCode != 200 {
			t.Fatalf("%d %s", r.StatusCode, r.StatusMessage)
		}
	}
	if p := peak.Load(); p > 3 || p < 1 {
		t.Fatalf("peak concurrency %d with MaxInFlight 3", p)
	}
}
