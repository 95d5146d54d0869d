package subtensor

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	fixture "github.com/taonet/taonet/subtensor/polkadottest"
	"github.com/taonet/taonet/subtensor/rpc"
	"github.com/taonet/taonet/subtensor/scale"
	"github.com/taonet/taonet/subtensor/substratetest"
)

// TestHeaderHashMatchesFinneyAndPolkadot: head notifications carry no hash,
// so the follower hashes headers itself. Our header encoding equals
// @polkadot/api's Header encoding (with an Aura pre-runtime log and a
// RuntimeEnvironmentUpdated log), and, where the Bittensor SDK's recorded
// finney exchanges are mirrored locally, every recorded chain_getHeader
// answer hashes to the block hash it was asked for.
func TestHeaderHashMatchesFinneyAndPolkadot(t *testing.T) {
	hdr := Header{ParentHash: "0xb5a3b72cc914b520a12e45e9f73fc3076b86fbae1be20b191fb7da4967c6ac47", Number: "0x63fe87",
		StateRoot:      "0x800d3090504b36e496fc579edf9db972a9cbc7522d52d96d4804e3396b21be7d",
		ExtrinsicsRoot: "0xe3ccef094f2e6176bc4a2d2f42a2d0b0c5f815c8506cf4299c8390c0eac62d39"}
	hdr.Digest.Logs = []string{"0x066175726120a7489a0800000000", "0x08"}
	ours, err := hdr.Encode()
	if err != nil {
		t.Fatal(err)
	}
	js, _ := json.Marshal(hdr)
	var value map[string]any
	_ = json.Unmarshal(js, &value)
	got := fixture.Polkadot(t, []map[string]any{{"op": "encodeType", "net": string(fixture.Finney), "type": "Header", "value": value}})
	if want := fixture.Hex(t, got[0]); !bytes.Equal(ours, want) {
		t.Fatalf("header encoding:\n ours %x\n @polkadot/api %x", ours, want)
	}
	if !hdr.RuntimeUpdated() {
		t.Error("RuntimeEnvironmentUpdated log not recognised")
	}

	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 is needed to read the SDK's Python recordings")
	}
	cmd := exec.Command(py, "-c", pyToJSON)
	cmd.Stdin = bytes.NewReader(sdkFile(t, "tests/helpers/integration_websocket_data.py"))
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("reading the recordings: %v", err)
	}
	var rec map[string]map[string]map[string]json.RawMessage
	if err := json.Unmarshal(out, &rec); err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, methods := range rec {
		for params, answer := range methods["chain_getHeader"] {
			var ps []string
			var a struct{ Result *Header }
			if json.Unmarshal([]byte(params), &ps) != nil || len(ps) != 1 || ps[0] == "" || json.Unmarshal(answer, &a) != nil || a.Result == nil {
				continue
			}
			h, err := a.Result.Head()
			if err != nil || !strings.EqualFold(h.HashHex(), ps[0]) {
				t.Errorf("recorded header of %s hashes to %s (%v)", ps[0], h.HashHex(), err)
			}
			checked++
		}
	}
	if checked < 10 {
		t.Fatalf("only %d recorded headers checked", checked)
	}
	t.Logf("%d recorded finney headers hash to their block hashes", checked)
}

// headsNode is a scripted node on the finney runtime and a client of it with
// fast backoff and polling.
func headsNode(t *testing.T, http bool) (*substratetest.Server, *Client, *logBuf) {
	t.Helper()
	mat := fixture.Load(t, fixture.Finney)
	g, _ := hash32(mat.GenesisHash)
	spec, _ := strconv.Atoi(mat.SpecVersion)
	srv, err := substratetest.New(g, substratetest.Runtime{SpecName: "node-subtensor", SpecVersion: uint32(spec), TxVersion: 1, Metadata: mat.Metadata})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	ep := srv.URL
	if http {
		ep = srv.HTTPURL
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	log := &logBuf{}
	c, err := Dial(ctx, Config{Endpoints: []string{ep}, Genesis: mat.GenesisHash, PollInterval: 20 * time.Millisecond, Logger: slog.New(slog.NewTextHandler(log, nil)),
		RPC: rpc.Options{Timeout: 5 * time.Second, DialTimeout: time.Second, Backoff: 20 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return srv, c, log
}

// logBuf collects log output from the follower goroutines.
type logBuf struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuf) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuf) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// expectHeads waits for blocks from..to on h and checks each is the node's
// block of that number, delivered by the follower itself (not read back).
func expectHeads(t *testing.T, srv *substratetest.Server, h *Heads, from, to uint64) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for n := from; n <= to; n++ {
		got, err := h.Wait(ctx, n)
		if err != nil {
			t.Fatalf("block %d: %v", n, err)
		}
		if got.Number != n || got.Hash != srv.BlockHash(n) {
			t.Fatalf("block %d: got %d %s, node has %x", n, got.Number, got.HashHex(), srv.BlockHash(n))
		}
		h.mu.Lock()
		_, seen := h.recent[n]
		h.mu.Unlock()
		if !seen {
			t.Fatalf("block %d was skipped by the follower", n)
		}
	}
}

// TestHeadsSubscriptionGapsRestartUpgrade: a head subscription delivers
// every block in order; notifications the node swallows are filled from
// headers; the node killed and restarted mid-stream (blocks produced while
// it is down) is resubscribed with no block missing; a block that enacts a
// runtime upgrade has the new metadata fetched before anything reads.
func TestHeadsSubscriptionGapsRestartUpgrade(t *testing.T) {
	srv, c, log := headsNode(t, false)
	h := c.FollowHeads(false)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	first, err := h.Latest(ctx)
	if err != nil || first.Number != srv.Head() {
		t.Fatalf("first head %d (node at %d): %v", first.Number, srv.Head(), err)
	}
	srv.AddBlock()
	srv.AddBlock()
	expectHeads(t, srv, h, first.Number+1, first.Number+2)
	if h.Mode() != HeadsSubscribed {
		t.Fatalf("mode %s", h.Mode())
	}

	srv.DropHeadNotifications(3)
	for range 4 {
		srv.AddBlock()
	}
	expectHeads(t, srv, h, first.Number+3, first.Number+6)
	if !strings.Contains(log.String(), "filled a gap") {
		t.Errorf("no gap was filled:\n%s", log)
	}

	srv.Kill()
	for range 3 {
		srv.AddBlock()
	}
	if err := srv.Restart(); err != nil {
		t.Fatal(err)
	}
	srv.AddBlock()
	expectHeads(t, srv, h, first.Number+7, first.Number+10)
	if n := srv.HeadSubscriptions(); n != 1 {
		t.Errorf("%d head subscriptions after the restart, want 1", n)
	}
	if _, live, _ := h.Current(); !live || !strings.Contains(log.String(), "resubscribing") {
		t.Errorf("follower not live after resubscribing (%v):\n%s", live, log)
	}

	next := fixture.Load(t, fixture.Testnet)
	spec, _ := strconv.Atoi(next.SpecVersion)
	if err := srv.Upgrade(substratetest.Runtime{SpecName: "node-subtensor", SpecVersion: uint32(spec), TxVersion: 1, Metadata: next.Metadata}); err != nil {
		t.Fatal(err)
	}
	expectHeads(t, srv, h, first.Number+11, first.Number+11)
	deadline := time.Now().Add(5 * time.Second)
	for {
		c.mu.Lock()
		rt := c.runtimes[uint32(spec)]
		c.mu.Unlock()
		if rt != nil {
			if !rt.Meta.HasStorage("SubtensorModule", "SubnetTAO") {
				t.Fatal("prefetched metadata is not the upgraded runtime's")
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the upgraded runtime's metadata was not fetched on the upgrade block")
		}
		time.Sleep(10 * time.Millisecond)
	}
	h.Close()
	if _, err := h.Wait(ctx, first.Number+100); err != ErrHeadsStopped {
		t.Errorf("wait after close: %v", err)
	}
}

// TestHeadsPollWithoutSubscriptions: an HTTP endpoint and a WebSocket
// endpoint that refuses subscriptions are followed by polling, best and
// finalized heads alike, with no block skipped; WaitHeight and
// Submit(WaitFinalized) over HTTP work on it.
func TestHeadsPollWithoutSubscriptions(t *testing.T) {
	for _, tc := range []struct {
		name string
		http bool
	}{{"http", true}, {"ws-refusing", false}} {
		t.Run(tc.name, func(t *testing.T) {
			srv, c, log := headsNode(t, tc.http)
			srv.RefuseSubscriptions(!tc.http)
			best, fin := c.FollowHeads(false), c.FollowHeads(true)
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			first, err := best.Latest(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for range 3 {
				srv.AddBlock()
				time.Sleep(5 * time.Millisecond) // polling may see several at once; both are checked
			}
			expectHeads(t, srv, best, first.Number+1, first.Number+3)
			expectHeads(t, srv, fin, first.Number+1, first.Number+3)
			if best.Mode() != HeadsPolling || fin.Mode() != HeadsPolling || !strings.Contains(log.String(), "polling") {
				t.Fatalf("modes %s %s\n%s", best.Mode(), fin.Mode(), log)
			}
			b := NewBackend(c)
			var seen []uint64
			go func() { time.Sleep(50 * time.Millisecond); srv.AddBlock(); srv.AddBlock() }()
			if err := b.WaitHeight(ctx, first.Number+5, func(n uint64) { seen = append(seen, n) }); err != nil {
				t.Fatal(err)
			}
			if len(seen) != 2 || seen[1] != first.Number+5 {
				t.Errorf("WaitHeight progress %v", seen)
			}
		})
	}
}

// TestSubmitFinalizedOverHTTP: without subscriptions a submission is found
// by following blocks and, with WaitFinalized, confirmed finalized.
func TestSubmitFinalizedOverHTTP(t *testing.T) {
	srv, c, _ := headsNode(t, true)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var lines []string
	hot := substratetest.KP(t, "//Alice")
	res, err := c.Submit(ctx, substratetest.KP(t, "//Eve"), "SubtensorModule", "add_stake",
		map[string]any{"hotkey": hot.PublicKey(), "amount_staked": uint64(5)},
		SubmitOptions{WaitFinalized: true, Progress: func(s string) { lines = append(lines, s) }})
	if err != nil || !res.Finalized || res.BlockNumber != srv.Head() || res.Index != 0 {
		t.Fatalf("%+v %v (rejected %v)", res, err, srv.Rejected())
	}
	if len(lines) < 3 || !strings.HasPrefix(lines[0], "submitted") || !strings.HasPrefix(lines[len(lines)-1], "finalized") {
		t.Errorf("progress %q", lines)
	}
}

// TestSubmitSurvivesLostStatusStream: the node includes the extrinsic and
// the connection breaks before any status arrives; the client follows the
// new blocks (after reconnecting) and finds it there instead of failing or
// submitting again, with --wait-finalized as well.
func TestSubmitSurvivesLostStatusStream(t *testing.T) {
	srv, c, _ := headsNode(t, false)
	srv.DropWatchConnections(true)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var lines []string
	hot := substratetest.KP(t, "//Alice")
	res, err := c.Submit(ctx, substratetest.KP(t, "//Eve"), "SubtensorModule", "add_stake",
		map[string]any{"hotkey": hot.PublicKey(), "amount_staked": uint64(5)},
		SubmitOptions{WaitFinalized: true, Progress: func(s string) { lines = append(lines, s) }})
	if err != nil || !res.Finalized || res.BlockNumber != srv.Head() || res.Index != 0 {
		t.Fatalf("%+v %v (progress %q)", res, err, lines)
	}
	if len(srv.Calls()) != 1 {
		t.Errorf("node included %d calls, want 1", len(srv.Calls()))
	}
	if len(lines) == 0 || !strings.Contains(strings.Join(lines, "\n"), "following new blocks") {
		t.Errorf("progress %q", lines)
	}
}

// TestHeadsLongGap: after an outage longer than the follower's window
// (1,100 blocks unannounced) it reads the last 1,024 headers by parent hash
// and the older blocks by number when asked: still no block skipped.
func TestHeadsLongGap(t *testing.T) {
	srv, c, log := headsNode(t, false)
	h := c.FollowHeads(false)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	first, err := h.Latest(ctx)
	if err != nil {
		t.Fatal(err)
	}
	srv.DropHeadNotifications(1100)
	for range 1101 {
		srv.AddBlock()
	}
	last := first.Number + 1101
	if got, err := h.Wait(ctx, last); err != nil || got.Hash != srv.BlockHash(last) {
		t.Fatalf("head %d: %v", last, err)
	}
	if !strings.Contains(log.String(), "headers_read=1024") {
		t.Errorf("gap walk:\n%s", log)
	}
	for n := first.Number + 1; n <= last; n++ {
		got, err := h.Wait(ctx, n)
		if err != nil || got.Number != n || got.Hash != srv.BlockHash(n) {
			t.Fatalf("block %d: %+v %v", n, got, err)
		}
	}
}

// FuzzHeaderEncode: any header JSON a node sends either fails to encode
// with an error or encodes to parent ++ compact(number) ++ roots ++ logs,
// with the number read back from its compact form.
func FuzzHeaderEncode(f *testing.F) {
	f.Add(`{"parentHash":"0xb5a3b72cc914b520a12e45e9f73fc3076b86fbae1be20b191fb7da4967c6ac47","number":"0x63fe87","stateRoot":"0x800d3090504b36e496fc579edf9db972a9cbc7522d52d96d4804e3396b21be7d","extrinsicsRoot":"0xe3ccef094f2e6176bc4a2d2f42a2d0b0c5f815c8506cf4299c8390c0eac62d39","digest":{"logs":["0x066175726120a7489a0800000000","0x08"]}}`)
	f.Add(`{"number":"0x1g"}`)
	f.Add(`{"number":"0x"}`)
	f.Fuzz(func(t *testing.T, js string) {
		var h Header
		if json.Unmarshal([]byte(js), &h) != nil {
			return
		}
		enc, err := h.Encode()
		if err != nil {
			return
		}
		n, err := parseHexUint(h.Number)
		if err != nil {
			t.Fatalf("encoded a header with number %q: %v", h.Number, err)
		}
		d := scale.NewDecoder(enc[32:])
		got, err := d.CompactU64()
		if err != nil || got != n {
			t.Fatalf("number %d encoded as %d (%v)", n, got, err)
		}
		if _, err := h.Head(); err != nil {
			t.Fatal(err)
		}
	})
}

// TestLatestBlockFromHeads: a following Backend answers LatestBlock from the
// head stream: once a block's summary is read, asking again before the next
// block costs the node nothing, and a new block is seen without asking.
func TestLatestBlockFromHeads(t *testing.T) {
	srv, c, _ := headsNode(t, false)
	b := NewBackend(c)
	h := b.Follow()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	first, err := h.Latest(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.LatestBlock(ctx); err != nil { // the block's summary, read once
		t.Fatal(err)
	}
	before := srv.Requests()
	for range 20 {
		s, err := b.LatestBlock(ctx)
		if err != nil || s.Height != first.Number {
			t.Fatalf("latest %+v %v", s, err)
		}
	}
	if n := srv.Requests() - before; n != 0 {
		t.Errorf("20 LatestBlock calls between blocks made %d requests, want 0", n)
	}
	srv.AddBlock()
	if err := b.WaitHeight(ctx, first.Number+1, nil); err != nil {
		t.Fatal(err)
	}
	if s, err := b.LatestBlock(ctx); err != nil || s.Height != first.Number+1 {
		t.Fatalf("after a block: %+v %v", s, err)
	}
}
