//go:build amd64 && !purego

package ristretto

import (
	"unsafe"

	"golang.org/x/sys/cpu"
)

// useAVX2 picks the vector table scan; the tests run both scans.
var useAVX2 = cpu.X86.HasAVX2

// lookupAVX2 is lookupGeneric with 256-bit registers: per entry, one
// compare for the mask and five loads, ANDs and ORs instead of twenty, and
// the identity and the negation done on whole words (basemult_amd64.s).
// It scans exactly 16 entries of 160 bytes: the expressions below stop the
// build if the rows change.
//
//go:noescape
func lookupAVX2(out *[15]uint64, row *[rowEntries]baseEntry, abs, negMask uint64)

var (
	_ = [1]struct{}{}[rowEntries-16]
	_ = [1]struct{}{}[unsafe.Sizeof(baseEntry{})-160]
)

func lookup(out *[15]uint64, row *[rowEntries]baseEntry, abs, negMask uint64) {
	if useAVX2 {
		lookupAVX2(out, row, abs, negMask)
	} else {
		lookupGeneric(out, row, abs, negMask)
	}
}
