package node

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	abci "github.com/cometbft/cometbft/abci/types"
)

func finalize(t *testing.T, a *App, h int64, txs ...string) *abci.ResponseFinalizeBlock {
	t.Helper()
	var raw [][]byte
	for _, s := range txs {
		raw = append(raw, []byte(s))
	}
	res, err := a.FinalizeBlock(context.Background(), &abci.RequestFinalizeBlock{Height: h, Time: time.Unix(1000+h, 0), Hash: bytes.Repeat([]byte{byte(h)}, 32), Txs: raw})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// TestAppPersistAndCrashBeforeCommit drives the ABCI app directly: state is
// durable only after Commit, and a crash between FinalizeBlock and Commit
// restarts from the previous commit (CometBFT then replays the block).
func TestAppPersistAndCrashBeforeCommit(t *testing.T) {
	db := filepath.Join(t.TempDir(), "state.db")
	a, err := NewApp(db, counterFactory{}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	info, _ := a.Info(context.Background(), &abci.RequestInfo{})
	if info.LastBlockHeight != 0 || len(info.LastBlockAppHash) != 0 {
		t.Fatalf("fresh app info = %+v", info)
	}
	if _, err := a.InitChain(context.Background(), &abci.RequestInitChain{AppStateBytes: []byte(`{"start":5}`)}); err != nil {
		t.Fatal(err)
	}
	// CheckTx applies to the check state: consecutive values pass, gaps fail.
	for i, want := range []uint32{0, 0, 3} {
		tx := []string{"6", "7", "9"}[i]
		r, _ := a.CheckTx(context.Background(), &abci.RequestCheckTx{Tx: []byte(tx)})
		if r.Code != want {
			t.Fatalf("check %s: code %d want %d (%s)", tx, r.Code, want, r.Log)
		}
	}
	res := finalize(t, a, 1, "6", "x", "7")
	if res.TxResults[0].Code != 0 || res.TxResults[1].Code != 2 || res.TxResults[2].Code != 0 {
		t.Fatalf("tx results %+v", res.TxResults)
	}
	if a.Committed().(*counterMachine).last != 5 {
		t.Fatal("finalized block visible before commit")
	}
	if _, err := a.Commit(context.Background(), &abci.RequestCommit{}); err != nil {
		t.Fatal(err)
	}
	hash1 := res.AppHash
	// Block 2 is finalized but the process "crashes" before Commit.
	finalize(t, a, 2, "8")
	a.Close()

	b, err := NewApp(db, counterFactory{}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	info, _ = b.Info(context.Background(), &abci.RequestInfo{})
	if info.LastBlockHeight != 1 || !bytes.Equal(info.LastBlockAppHash, hash1) {
		t.Fatalf("after crash: info %+v, want height 1 hash %X", info, hash1)
	}
	// Replay of block 2 gives the same state as before the crash.
	res2 := finalize(t, b, 2, "8")
	if _, err := b.Commit(context.Background(), &abci.RequestCommit{}); err != nil {
		t.Fatal(err)
	}
	if c := b.Committed().(*counterMachine); c.last != 8 || c.sum != 21 || c.blocks != 2 {
		t.Fatalf("state after replay %+v", c)
	}
	// Wrong height is refused rather than applied.
	if _, err := b.FinalizeBlock(context.Background(), &abci.RequestFinalizeBlock{Height: 7}); err == nil {
		t.Fatal("out-of-order height accepted")
	}
	if !bytes.Equal(res2.AppHash, b.Committed().AppHash()) {
		t.Fatal("app hash mismatch")
	}
}

func postTx(t *testing.T, url, tx string, wait bool) (int, []byte) {
	t.Helper()
	u := url + "/api/v1/tx"
	if wait {
		u += "?wait=true&wait_timeout=20s"
	}
	resp, err := http.Post(u, "application/octet-stream", strings.NewReader(tx))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// TestEmbeddedNodePlumbing runs a real in-process CometBFT node with a test
// machine: txs go through the API and mempool into blocks, the block stream
// delivers, and a restart resumes with the same state.
func TestEmbeddedNodePlumbing(t *testing.T) {
	home := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	n, err := StartEmbedded(ctx, Options{Home: home, Factory: counterFactory{}, BlockTime: 100 * time.Millisecond,
		AppState: []byte(`{"start":0}`)})
	if err != nil {
		t.Fatal(err)
	}
	defer n.Stop()
	url := n.APIURL()

	// Block stream.
	req, _ := http.NewRequestWithContext(ctx, "GET", url+"/api/v1/blocks/stream", nil)
	sresp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer sresp.Body.Close()
	if ct := sresp.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Fatalf("stream content type %q", ct)
	}

	for i := 1; i <= 5; i++ {
		code, body := postTx(t, url, strconv.Itoa(i), i%2 == 1)
		if i%2 == 1 {
			var sr SubmitResponse
			if code != 200 || json.Unmarshal(body, &sr) != nil || !sr.Included || sr.Result.Code != 0 || sr.Result.Height == 0 {
				t.Fatalf("submit %d: %d %s", i, code, body)
			}
		} else if code != http.StatusAccepted {
			t.Fatalf("submit %d: %d %s", i, code, body)
		}
	}
	// A stale value is refused by CheckTx with the machine's code.
	code, body := postTx(t, url, "03", false)
	var ae APIError
	if code != http.StatusUnprocessableEntity || json.Unmarshal(body, &ae) != nil || ae.Code != 3 || ae.Codespace != Codespace {
		t.Fatalf("stale tx: %d %s", code, body)
	}
	// The last tx becomes committed.
	code, body = postTx(t, url, "6", true)
	if code != 200 {
		t.Fatalf("tx 6: %d %s", code, body)
	}
	var sr SubmitResponse
	json.Unmarshal(body, &sr)
	// Lookup by hash through CometBFT's tx index (indexing trails commit slightly).
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := http.Get(url + "/api/v1/tx/" + sr.Hash)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode == 200 {
			var o TxOutcome
			json.Unmarshal(b, &o)
			if o.Height != sr.Result.Height || o.Code != 0 {
				t.Fatalf("tx lookup %s", b)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("tx lookup: %d %s", resp.StatusCode, b)
		}
		time.Sleep(50 * time.Millisecond)
	}
	// Read one event from the stream.
	buf := make([]byte, 4096)
	k, _ := sresp.Body.Read(buf)
	if !strings.Contains(string(buf[:k]), "event: block") {
		t.Fatalf("stream sent %q", buf[:k])
	}
	c := n.App().Committed().(*counterMachine)
	if c.last != 6 || c.sum != 21 {
		t.Fatalf("state %+v", c)
	}
	h := n.Height()
	if err := n.Stop(); err != nil {
		t.Fatal(err)
	}

	n2, err := StartEmbedded(ctx, Options{Home: home, Factory: counterFactory{}, BlockTime: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer n2.Stop()
	if c := n2.App().Committed().(*counterMachine); c.last != 6 || c.sum != 21 {
		t.Fatalf("state after restart %+v", c)
	}
	if err := n2.WaitHeight(ctx, h+2); err != nil {
		t.Fatal(err)
	}
	code, body = postTx(t, n2.APIURL(), "7", true)
	if code != 200 {
		t.Fatalf("after restart: %d %s", code, body)
	}
	// Metrics are exported.
	resp, err := http.Get(n2.APIURL() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	mb, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(mb), "taonet_block_height") || !strings.Contains(string(mb), `taonet_block_txs_total{code="0",reason="ok",result="accepted"} 1`) {
		t.Fatalf("metrics:\n%s", mb)
	}
}

// TestWebSocketBlocks reads block summaries from the WebSocket stream.
func TestWebSocketBlocks(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	n, err := StartEmbedded(ctx, Options{Home: t.TempDir(), Factory: counterFactory{}, BlockTime: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer n.Stop()
	c, _, err := websocket.Dial(ctx, strings.Replace(n.APIURL(), "http", "ws", 1)+"/api/v1/blocks/ws", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseNow()
	var last uint64
	for i := 0; i < 3; i++ {
		_, data, err := c.Read(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var b BlockSummary
		if err := json.Unmarshal(data, &b); err != nil || b.Height <= last || b.AppHash == "" {
			t.Fatalf("ws block %s after %d: %v", data, last, err)
		}
		last = b.Height
	}
	// Stopping the node closes the stream instead of hanging.
	n.Stop()
	if _, _, err := c.Read(ctx); err == nil {
		t.Fatal("stream still open after stop")
	}
}
