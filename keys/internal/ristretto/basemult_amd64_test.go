//go:build amd64 && !purego

package ristretto

import (
	"testing"

	"golang.org/x/sys/cpu"
	"pgregory.net/rapid"
)

// TestSelectRowAVX2MatchesGeneric: the vector scan and the portable one give
// the same words for every row, every single-entry mask and random masks
// (several entries or none selected: the OR of the selected entries).
func TestSelectRowAVX2MatchesGeneric(t *testing.T) {
	if !cpu.X86.HasAVX2 {
		t.Skip("this CPU has no AVX2; the portable scan is the one in use")
	}
	table := baseTable()
	check := func(t interface{ Fatalf(string, ...any) }, k int, masks *[rowEntries]uint64) {
		var a, b baseEntry
		selectRowAVX2(&a, &table[k], masks)
		selectRowGeneric(&b, &table[k], masks)
		if a != b {
			t.Fatalf("row %d masks %x: AVX2 %x, generic %x", k, masks, a, b)
		}
	}
	for k := range table {
		for j := range rowEntries + 1 {
			var masks [rowEntries]uint64
			if j < rowEntries {
				masks[j] = ^uint64(0)
			}
			check(t, k, &masks)
		}
	}
	rapid.Check(t, func(t *rapid.T) {
		var masks [rowEntries]uint64
		for j := range masks {
			masks[j] = rapid.Uint64().Draw(t, "mask")
		}
		check(t, rapid.IntRange(0, len(table)-1).Draw(t, "row"), &masks)
	})
}

// TestScalarBaseMultGenericScan runs the multiplication checks on the
// portable scan too (the other tests use the AVX2 one on this CPU).
func TestScalarBaseMultGenericScan(t *testing.T) {
	defer func(saved bool) { useAVX2 = saved }(useAVX2)
	useAVX2 = false
	TestScalarBaseMultEdgeScalars(t)
	TestScalarBaseMultProperty(t)
}
