package synapse

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"runtime/debug"
	"strconv"
	"sync"
	"testing"
	"time"
)

// The dendrite's allocations per call, measured apart from the axon's: a real axon
// answers one call through a recording proxy, and a replay server then answers
// every request with those exact bytes, allocating nothing per request itself. So
// testing.AllocsPerRun counts the dendrite's work only (signing, request, response
// head and header parse, body decode, result).

// recordedResponse returns the raw bytes of one real echo axon's response to a
// Query with in, as they crossed the wire.
func recordedResponse(t testing.TB, in *Prompt) []byte {
	t.Helper()
	_, target := echoAxon(t, AxonConfig{}, Options{})
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	var rec bytes.Buffer
	done := make(chan struct{})
	go func() {
		defer close(done)
		c, err := l.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		up, err := net.Dial("tcp", net.JoinHostPort(target.IP, strconv.Itoa(target.Port)))
		if err != nil {
			return
		}
		defer up.Close()
		go func() { _, _ = io.Copy(up, c); up.Close() }()
		_, _ = io.Copy(io.MultiWriter(c, &rec), up)
	}()
	d := newDendrite(t, "Alice")
	via := AxonInfo{IP: "127.0.0.1", Port: l.Addr().(*net.TCPAddr).Port, Hotkey: target.Hotkey}
	if r := Query(context.Background(), d, via, in, 10*time.Second); r.StatusCode != 200 {
		t.Fatalf("recording call: %d %s %v", r.StatusCode, r.StatusMessage, r.Err)
	}
	d.Close() // closes the proxied connection, which ends the copy
	<-done
	if rec.Len() == 0 {
		t.Fatal("nothing recorded")
	}
	return rec.Bytes()
}

// replayAxon serves resp to every request on a loopback port (keep-alive) and
// returns the target (hotkey Bob, the recorded axon's).
func replayAxon(t testing.TB, resp []byte) AxonInfo {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var conns []net.Conn
	t.Cleanup(func() {
		l.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	wg.Go(func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			wg.Go(func() { replayConn(c, resp) })
		}
	})
	return AxonInfo{IP: "127.0.0.1", Port: l.Addr().(*net.TCPAddr).Port, Hotkey: key(t, "Bob").SS58Address()}
}

// replayConn reads requests (head, then Content-Length bytes of body) and answers
// each with resp, without allocating per request.
func replayConn(c net.Conn, resp []byte) {
	defer c.Close()
	br := bufio.NewReaderSize(c, 16<<10)
	for {
		n := int64(-1)
		for {
			line, err := br.ReadSlice('\n')
			if err != nil {
				return
			}
			if len(line) == 2 {
				break
			}
			if v, ok := bytes.CutPrefix(line, []byte("Content-Length: ")); ok {
				n = 0
				for _, b := range bytes.TrimSpace(v) {
					n = n*10 + int64(b-'0')
				}
			}
		}
		if n < 0 {
			return
		}
		if _, err := br.Discard(int(n)); err != nil {
			return
		}
		if _, err := c.Write(resp); err != nil {
			return
		}
	}
}

// replayTargets starts n replay servers of one recorded response.
func replayTargets(t testing.TB, n int, in *Prompt) []AxonInfo {
	resp := recordedResponse(t, in)
	targets := make([]AxonInfo, n)
	for i := range targets {
		targets[i] = replayAxon(t, resp)
	}
	return targets
}

var allocPrompt = &Prompt{Roles: []string{"user"}, Messages: []string{"Summarize the plot of Hamlet."}}

// fanOutOK runs one fan-out and fails on any call that did not decode a 200.
func fanOutOK(t testing.TB, d *Dendrite, targets []AxonInfo) {
	for _, r := range QueryMany(context.Background(), d, targets, allocPrompt, 10*time.Second) {
		if r.StatusCode != 200 || r.Err != nil || r.Synapse == nil || r.Synapse.Completion == "" {
			t.Fatalf("call: %d %s %v", r.StatusCode, r.StatusMessage, r.Err)
		}
	}
}

// maxAllocsPerCall pins the dendrite's heap allocations per call in a 64-way
// fan-out (the per-fan-out work shared out): signing, request, response head (the
// axon's new terminal strings, no copy of the fields: KeepHeaders is off; the
// response itself in the call's pooled state), body, decoded copy and result.
const maxAllocsPerCall = 7

func TestDendriteAllocsPerCall(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates on its own")
	}
	const n = 64
	targets := replayTargets(t, n, allocPrompt)
	d := newDendrite(t, "Alice")
	fanOutOK(t, d, targets) // connections and lanes
	// No collection while counting: one would empty the pools mid-run.
	defer debug.SetGCPercent(debug.SetGCPercent(-1))
	allocs := testing.AllocsPerRun(20, func() { fanOutOK(t, d, targets) })
	perCall := allocs / n
	t.Logf("%.1f allocations per call (%.0f per %d-way fan-out)", perCall, allocs, n)
	if perCall > maxAllocsPerCall {
		t.Fatalf("%.1f allocations per call, want at most %d", perCall, maxAllocsPerCall)
	}
}

// BenchmarkDendriteFanOut64 is a 64-way fan-out against replay servers: the
// dendrite's own CPU, bytes and allocations (per fan-out; divide by 64 for a call).
func BenchmarkDendriteFanOut64(b *testing.B) {
	const n = 64
	targets := replayTargets(b, n, allocPrompt)
	d := newDendrite(b, "Alice")
	fanOutOK(b, d, targets)
	b.ReportAllocs()
	cpu0 := cpuTime()
	for b.Loop() {
		fanOutOK(b, d, targets)
	}
	reportCPU(b, cpu0)
}

// TestReplayMatchesAxon: the replayed response decodes to what the real axon's
// does, so the allocation pin measures the real path.
func TestReplayMatchesAxon(t *testing.T) {
	raw := recordedResponse(t, allocPrompt)
	target := replayAxon(t, raw)
	// The recorded head as net/http reads it (a dendrite keeps no header fields by
	// default).
	std, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(raw)), nil)
	if err != nil {
		t.Fatal(err)
	}
	std.Body.Close()
	d := newDendrite(t, "Alice")
	r := Query(context.Background(), d, target, allocPrompt, 10*time.Second)
	if r.StatusCode != 200 || r.Err != nil {
		t.Fatalf("replay: %d %v", r.StatusCode, r.Err)
	}
	if want := "echo: " + allocPrompt.Messages[0]; r.Synapse.Completion != want {
		t.Fatalf("completion %q, want %q", r.Synapse.Completion, want)
	}
	if r.Axon.Signature == "" || r.Axon.Nonce == 0 || std.Header.Get("bt_header_axon_signature") != r.Axon.Signature {
		t.Fatalf("axon terminal %+v", r.Axon)
	}
}
