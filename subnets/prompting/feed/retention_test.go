package feed

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"

	"github.com/taonet/taonet/chain"
	"github.com/taonet/taonet/keys"
)

// oldCap is the per-validator record count at which the client used to
// stop accepting new records (silently).
const oldCap = 100_000

// signMany signs n distinct records of k, blocks first..first+n/perBlock,
// on every core.
func signMany(t *testing.T, k *keys.Keypair, n, perBlock int, first uint64) []Record {
	out := make([]Record, n)
	workers := runtime.GOMAXPROCS(0)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := w; i < n; i += workers {
				r := Record{Netuid: 1, Block: first + uint64(i/perBlock), Task: "qa", Challenge: fmt.Sprint("q", i), Reference: "a"}
				if err := r.Sign(k); err != nil {
					panic(err)
				}
				out[i] = r
			}
		}(w)
	}
	wg.Wait()
	return out
}

// writeStore writes records as a store file (what Append would have written)
// and opens it.
func writeStore(t *testing.T, recs []Record) *Store {
	dir := t.TempDir()
	f, err := os.Create(filepath.Join(dir, FileName))
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range recs {
		r.Seq = uint64(i + 1)
		fmt.Fprintf(f, "%s\n", mustJSON(t, r))
	}
	f.Close()
	s, err := OpenStore(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// A feed holding more records than the old cap keeps serving its newest
// window: the client takes every verified record inside the retention
// window, however many there are, and prunes what leaves the window as the
// chain moves on. (Skipped under the race detector: it verifies 100k
// signatures.)
func TestFeedBeyondOldCapServesNewestWindow(t *testing.T) {
	if raceEnabled {
		t.Skip("100k signature verifications under -race")
	}
	alice := kp(t, "//Alice")
	const perBlock = 50
	n := oldCap + 5*perBlock
	recs := signMany(t, alice, n, perBlock, 1) // blocks 1..2005
	s := writeStore(t, recs)
	srv := httptest.NewServer(Handler(s))
	defer srv.Close()
	mg := &chain.Metagraph{Block: 2005, Hotkeys: []string{alice.SS58Address()}, Stake: []uint64{1}, ValidatorPermit: []bool{true}}
	fc := &fakeChain{mg: mg, cs: []chain.Commitment{{Hotkey: alice.SS58Address(), Text: CommitmentText(srv.URL)}}}
	c := &Client{Chain: fc, Netuid: 1, Retention: 2100, MaxPagesPerSync: 1000}
	ctx := context.Background()
	got, err := c.Samples(ctx, 2001, 2005)
	if err != nil {
		t.Fatal(err)
	}
	if c.Len() != n || len(got) != 5*perBlock {
		t.Fatalf("holding %d of %d records, newest window %d samples (want %d)", c.Len(), n, len(got), 5*perBlock)
	}
	// The validator publishes on and the chain moves: new records are still
	// accepted, the ones that left the window are pruned.
	for i := 0; i < 3; i++ {
		if _, err := s.Append(rec(t, alice, 2010, fmt.Sprint("new", i))); err != nil {
			t.Fatal(err)
		}
	}
	mg.Block = 2010 + 1500 // window now [1410, 3510]
	got, err = c.Samples(ctx, 2006, 3510)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 {
		t.Fatalf("newest records: %d samples, want 3", len(got))
	}
	if want := (2005-1410+1)*perBlock + 3; c.Len() != want {
		t.Fatalf("after pruning: %d records held, want %d", c.Len(), want)
	}
}

// Per-validator rate limit: records beyond MaxPerBlock in one block are
// dropped with a count (never silently), others still come in; records
// older than the window are not taken.
func TestFeedRateLimitAndWindow(t *testing.T) {
	alice := kp(t, "//Alice")
	s, err := OpenStore(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for i := 0; i < 5; i++ {
		s.Append(rec(t, alice, 100, fmt.Sprint("burst", i)))
	}
	s.Append(rec(t, alice, 101, "next block"))
	s.Append(rec(t, alice, 400, "far ahead")) // more than a window ahead of head 150
	srv := httptest.NewServer(Handler(s))
	defer srv.Close()
	mg := &chain.Metagraph{Block: 150, Hotkeys: []string{alice.SS58Address()}, Stake: []uint64{1}, ValidatorPermit: []bool{true}}
	fc := &fakeChain{mg: mg, cs: []chain.Commitment{{Hotkey: alice.SS58Address(), Text: CommitmentText(srv.URL)}}}
	c := &Client{Chain: fc, Netuid: 1, Retention: 100, MaxPerBlock: 3}
	got, err := c.Samples(context.Background(), 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 4 || c.OverRate() != 2 || c.Rejected() != 1 {
		t.Fatalf("%d samples, %d over the rate, %d rejected", len(got), c.OverRate(), c.Rejected())
	}
	// A second client that starts after the window moved past block 100
	// does not take the records that left it.
	mg.Block = 260
	c2 := &Client{Chain: fc, Netuid: 1, Retention: 100, MaxPerBlock: 3}
	if got, _ := c2.Samples(context.Background(), 0, 1000); len(got) != 0 || c2.Len() != 0 {
		t.Fatalf("late client took %d old records", c2.Len())
	}
}

func mustJSON(t *testing.T, v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
