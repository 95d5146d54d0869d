package keys

import (
	"fmt"
	"runtime"
	"testing"
	"time"
)

// TestTabledKeysBounded: with the budget full, a key's second valid
// signature builds no tables (it still verifies, on the generic path); once
// a tabled key has been garbage-collected its slot comes back and the next
// valid signature of the waiting key builds them.
func TestTabledKeysBounded(t *testing.T) {
	defer withTableBudget(settledTabledKeys(t) + 2)()

	msg := []byte("budget")
	var pks [3]*PublicKey
	var sigs [3][]byte
	for i := range pks {
		kp, err := FromURI(fmt.Sprintf("//Budget%d", i))
		if err != nil {
			t.Fatal(err)
		}
		if sigs[i], err = kp.Sign(msg); err != nil {
			t.Fatal(err)
		}
		if pks[i], err = ParsePublicKey(kp.PublicKey()); err != nil {
			t.Fatal(err)
		}
		for range 2 {
			if !pks[i].Verify(msg, sigs[i]) {
				t.Fatalf("key %d: valid signature rejected", i)
			}
		}
	}
	if pks[0].table.Load() == nil || pks[1].table.Load() == nil {
		t.Fatal("keys within the budget have no tables")
	}
	if pks[2].table.Load() != nil {
		t.Fatal("a key over the budget built tables")
	}
	if !pks[2].Verify(msg, sigs[2]) || pks[2].table.Load() != nil {
		t.Fatal("over the budget: rejected, or tables built")
	}

	before := tabledKeys.Load()
	pks[0] = nil
	deadline := time.Now().Add(10 * time.Second)
	for tabledKeys.Load() >= before {
		if time.Now().After(deadline) {
			t.Fatal("a collected key never gave its slot back")
		}
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
	}
	if !pks[2].Verify(msg, sigs[2]) || pks[2].table.Load() == nil {
		t.Fatal("with a free slot, the waiting key built no tables")
	}
	if !pks[2].Verify(msg, sigs[2]) || !pks[1].Verify(msg, sigs[1]) {
		t.Fatal("verification through the tables is wrong")
	}
}

// settledTabledKeys collects until the keys earlier tests left behind have
// given back their slots (cleanups run after the collection, on their own
// goroutine), so that no slot frees up during the test.
func settledTabledKeys(t *testing.T) int64 {
	t.Helper()
	last, same := int64(-1), 0
	for deadline := time.Now().Add(10 * time.Second); same < 3; {
		if time.Now().After(deadline) {
			t.Fatal("the count of tabled keys never settled")
		}
		runtime.GC()
		time.Sleep(20 * time.Millisecond)
		if n := tabledKeys.Load(); n == last {
			same++
		} else {
			last, same = n, 0
		}
	}
	return last
}

// withTableBudget sets maxTabledKeys to n and returns the undo.
func withTableBudget(n int64) func() {
	old := maxTabledKeys
	maxTabledKeys = n
	return func() { maxTabledKeys = old }
}
