package node

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"path/filepath"
	"testing"

	bolt "go.etcd.io/bbolt"
)

// mutate returns a copy of b with a few random edits: byte changes, and with
// insert set an insertion or deletion that shifts the rest.
func mutate(r *rand.Rand, b []byte, insert bool) []byte {
	out := append([]byte(nil), b...)
	for i := r.IntN(6); i >= 0 && len(out) > 0; i-- {
		out[r.IntN(len(out))] ^= byte(1 + r.IntN(255))
	}
	if insert && len(out) > 0 {
		at := r.IntN(len(out))
		if r.IntN(2) == 0 {
			ins := make([]byte, 1+r.IntN(40))
			for i := range ins {
				ins[i] = byte(r.Uint32())
			}
			out = append(out[:at], append(ins, out[at:]...)...)
		} else {
			out = append(out[:at], out[min(len(out), at+1+r.IntN(40)):]...)
		}
	}
	return out
}

// Property: applyDiff(old, diffStates(old, new)) == new for random edits, and
// scattered edits of a large state make a small delta.
func TestDiffStatesRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 2000; i++ {
		old := make([]byte, r.IntN(3000))
		for j := range old {
			old[j] = byte(r.IntN(4)) // few symbols: many accidental matches
		}
		nw := mutate(r, old, i%3 == 0)
		if i%50 == 0 {
			nw = nil // everything removed
		}
		d := diffStates(old, nw)
		got, err := applyDiff(old, d)
		if err != nil || !bytes.Equal(got, nw) {
			t.Fatalf("case %d: round trip failed (%v): %d bytes, want %d", i, err, len(got), len(nw))
		}
	}
	big := make([]byte, 1<<20)
	for j := range big {
		big[j] = byte(r.Uint32())
	}
	nw := append([]byte(nil), big...)
	for _, at := range []int{10, 4000, 500_000, 1<<20 - 3} {
		nw[at]++
	}
	if d := diffStates(big, nw); len(d) > 4*(12+16) {
		t.Fatalf("4 scattered byte changes gave a %d-byte delta", len(d))
	}
	if _, err := applyDiff(big[:10], diffStates(big, nw)); err == nil {
		t.Fatal("delta applied to the wrong base")
	}
}

// The store keeps exactly the last window heights (plus the base the oldest
// one needs), rebuilds each bit for bit, refuses pruned and future heights,
// and goes on after a reopen.
func TestStateHistoryStore(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	st, err := openStore(path)
	if err != nil {
		t.Fatal(err)
	}
	const window = 7
	st.hist.window = window
	r := rand.New(rand.NewPCG(3, 4))
	state := make([]byte, 4096)
	for j := range state {
		state[j] = byte(r.Uint32())
	}
	states := map[uint64][]byte{}
	save := func(h uint64) {
		t.Helper()
		state = mutate(r, state, h%5 == 0)
		if h%11 == 0 {
			state = append(state, make([]byte, 1024)...) // a big change: a new base
		}
		states[h] = state
		if err := st.save(snapshot{State: state, Height: h, AppHash: []byte{1}}, nil); err != nil {
			t.Fatal(err)
		}
	}
	check := func(last uint64) {
		t.Helper()
		for h := uint64(1); h <= last+1; h++ {
			got, err := st.hist.get(st.db, h, last)
			switch {
			case h > last:
				if !errors.Is(err, ErrHeightFuture) {
					t.Fatalf("future %d: %v", h, err)
				}
			case h+window <= last:
				if !errors.Is(err, ErrHeightPruned) {
					t.Fatalf("pruned %d (last %d): %v", h, last, err)
				}
			default:
				if err != nil || !bytes.Equal(got, states[h]) {
					t.Fatalf("height %d (last %d): %v", h, last, err)
				}
			}
		}
		var n, full int
		st.db.View(func(tx *bolt.Tx) error {
			return tx.Bucket(bucketHistory).ForEach(func(_, v []byte) error {
				n++
				if v[0] == histFull {
					full++
				}
				return nil
			})
		})
		if n > window+1 {
			t.Fatalf("%d entries kept for a window of %d", n, window)
		}
		if full == n && n > 2 {
			t.Fatal("no deltas stored")
		}
	}
	for h := uint64(1); h <= 30; h++ {
		save(h)
	}
	check(30)
	st.close()
	if st, err = openStore(path); err != nil {
		t.Fatal(err)
	}
	st.hist.window = window
	for h := uint64(31); h <= 40; h++ {
		save(h)
	}
	check(40)
	st.close()
}
