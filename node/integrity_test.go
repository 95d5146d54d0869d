package node

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	dbm "github.com/cometbft/cometbft-db"
	bolt "go.etcd.io/bbolt"
)

func getJSON(t *testing.T, url string, v any) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if v != nil && resp.StatusCode == 200 {
		if err := json.Unmarshal(b, v); err != nil {
			t.Fatal(err)
		}
	}
	return resp.StatusCode, string(b)
}

// tamper rewrites the index record of hash with f applied (raw bytes).
func tamper(t *testing.T, n *Node, hash string, f func([]byte) []byte) {
	t.Helper()
	k, _ := hex.DecodeString(hash)
	err := n.app.store.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketTxs)
		return b.Put(k, f(append([]byte(nil), b.Get(k)...)))
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestTxIndexCheckedAgainstChain: an edited index record is detected —
// rebuilt from the committed block results when they verify, an error when
// it points elsewhere — and an unreadable record is a 500 with the reason,
// not "not found".
func TestTxIndexCheckedAgainstChain(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	n, err := StartEmbedded(ctx, Options{Home: t.TempDir(), Factory: counterFactory{}, BlockTime: 100 * time.Millisecond,
		AppState: []byte(`{"start":0}`)})
	if err != nil {
		t.Fatal(err)
	}
	defer n.Stop()
	url := n.APIURL()
	code, body := postTx(t, url, "1", true)
	if code != 200 {
		t.Fatalf("submit: %d %s", code, body)
	}
	var sub SubmitResponse
	json.Unmarshal(body, &sub)
	if err := n.WaitHeight(ctx, sub.Result.Height+1); err != nil { // results hash in the next header
		t.Fatal(err)
	}
	var orig TxOutcome
	if code, b := getJSON(t, url+"/api/v1/tx/"+sub.Hash, &orig); code != 200 {
		t.Fatalf("get: %d %s", code, b)
	}

	// A failed tx recorded as a success, with a forged log: rebuilt.
	tamper(t, n, sub.Hash, func(v []byte) []byte {
		var o TxOutcome
		json.Unmarshal(v, &o)
		o.Code, o.Log = 0, "forged"
		o.Events = append(o.Events, Event{Type: "transfer", Attrs: []Attr{{Key: "amount", Value: "1000000"}}})
		b, _ := json.Marshal(o)
		return b
	})
	var got TxOutcome
	if code, b := getJSON(t, url+"/api/v1/tx/"+sub.Hash, &got); code != 200 || !sameOutcome(got, orig) {
		t.Fatalf("tampered record served: %d %s, want %+v", code, b, orig)
	}
	if o, _, _ := n.app.Tx(mustHex(t, sub.Hash)); !sameOutcome(o, orig) {
		t.Fatalf("record not rebuilt: %+v", o)
	}

	// A record pointing at another block: no verified source, an error.
	tamper(t, n, sub.Hash, func(v []byte) []byte {
		var o TxOutcome
		json.Unmarshal(v, &o)
		o.Height++
		b, _ := json.Marshal(o)
		return b
	})
	if code, b := getJSON(t, url+"/api/v1/tx/"+sub.Hash, nil); code != 500 || !strings.Contains(b, "does not check against the chain") {
		t.Fatalf("record at a wrong height: %d %s", code, b)
	}
	// Unreadable: 500 with the reason, also with ?wait=true.
	tamper(t, n, sub.Hash, func([]byte) []byte { return []byte("{not json") })
	for _, q := range []string{"", "?wait=true&wait_timeout=2s"} {
		if code, b := getJSON(t, url+"/api/v1/tx/"+sub.Hash+q, nil); code != 500 || !strings.Contains(b, "unreadable") {
			t.Fatalf("unreadable record%s: %d %s", q, code, b)
		}
	}
}

func mustHex(t *testing.T, s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestCorruptBlockStore: a block whose stored metadata is garbage answers
// 500 naming the block — CometBFT's store panics on it, which used to drop
// the connection.
func TestCorruptBlockStore(t *testing.T) {
	home := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	o := Options{Home: home, Factory: counterFactory{}, BlockTime: 100 * time.Millisecond, AppState: []byte(`{"start":0}`)}
	n, err := StartEmbedded(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	if err := n.WaitHeight(ctx, 6); err != nil {
		t.Fatal(err)
	}
	n.Stop()
	db, err := dbm.NewGoLevelDB("blockstore", filepath.Join(home, "data"))
	if err != nil {
		t.Fatal(err)
	}
	if err := db.SetSync([]byte("H:3"), []byte("\xff\xffgarbage")); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if n, err = StartEmbedded(ctx, o); err != nil {
		t.Fatal(err)
	}
	defer n.Stop()
	code, b := getJSON(t, n.APIURL()+"/api/v1/block/3", nil)
	if code != 500 || !strings.Contains(b, "block 3 unreadable") {
		t.Fatalf("corrupt block: %d %s", code, b)
	}
	if code, _ := getJSON(t, n.APIURL()+"/api/v1/block/4", nil); code != 200 {
		t.Fatalf("intact block: %d", code)
	}
}

// TestTruncatedStateFile: a truncated state database stops the start with
// one error naming the file and what to do (bbolt used to panic).
func TestTruncatedStateFile(t *testing.T) {
	home := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	o := Options{Home: home, Factory: counterFactory{}, BlockTime: 100 * time.Millisecond, AppState: []byte(`{"start":0}`)}
	n, err := StartEmbedded(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	if err := n.WaitHeight(ctx, 3); err != nil {
		t.Fatal(err)
	}
	n.Stop()
	path := filepath.Join(home, "data", stateDBName)
	// (Size 0 is a fresh database: the node replays the chain, which is fine.)
	for _, size := range []int64{100, 4096 + 17} {
		if err := os.Truncate(path, size); err != nil {
			t.Fatal(err)
		}
		_, err := StartEmbedded(ctx, o)
		if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "move it aside") || strings.Count(err.Error(), "\n") > 0 {
			t.Fatalf("truncated to %d: %v", size, err)
		}
	}
}
