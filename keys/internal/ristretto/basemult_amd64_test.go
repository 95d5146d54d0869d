//go:build amd64 && !purego

package ristretto

import (
	"testing"

	"golang.org/x/sys/cpu"
)

// TestLookupAVX2MatchesGeneric: the vector lookup and the portable one give
// the same limbs for every row, every index 0..16 and both signs, of the
// table's point, its negation or the identity; out-of-range indexes
// (which the digits never produce) select nothing, as in the portable one.
func TestLookupAVX2MatchesGeneric(t *testing.T) {
	if !cpu.X86.HasAVX2 {
		t.Skip("this CPU has no AVX2; the portable lookup is the one in use")
	}
	table := baseTable()
	for k := range table {
		for _, abs := range []uint64{0, 1, 2, 7, 8, 9, 15, 16, 17, 1 << 40, ^uint64(0)} {
			for _, negMask := range []uint64{0, ^uint64(0)} {
				var a, b affineCached
				lookupAVX2(cachedLimbs(&a), &table[k], abs, negMask)
				lookupGeneric(cachedLimbs(&b), &table[k], abs, negMask)
				if *cachedLimbs(&a) != *cachedLimbs(&b) {
					t.Fatalf("row %d entry %d neg %x: AVX2 %x, generic %x", k, abs, negMask, *cachedLimbs(&a), *cachedLimbs(&b))
				}
				if abs > rowEntries {
					continue
				}
				if want := tableMultiple(k, abs, negMask != 0); !sameCached(&a, &want) {
					t.Fatalf("row %d entry %d neg %x: %x, want %x", k, abs, negMask, *cachedLimbs(&a), *cachedLimbs(&want))
				}
			}
		}
	}
}

// TestScalarBaseMultGenericScan runs the multiplication checks on the
// portable scan too (the other tests use the AVX2 one on this CPU).
func TestScalarBaseMultGenericScan(t *testing.T) {
	defer func(saved bool) { useAVX2 = saved }(useAVX2)
	useAVX2 = false
	TestScalarBaseMultEdgeScalars(t)
	TestScalarBaseMultProperty(t)
}
