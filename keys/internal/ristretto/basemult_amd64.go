//go:build amd64 && !purego

package ristretto

import "golang.org/x/sys/cpu"

// useAVX2 picks the vector table scan; the tests run both scans.
var useAVX2 = cpu.X86.HasAVX2

// selectRowAVX2 is selectRowGeneric with 256-bit registers: per entry, four
// loads, ANDs and ORs instead of sixteen (basemult_amd64.s).
//
// It scans exactly 16 entries: the expression below stops the build if the
// rows change length.
//
//go:noescape
func selectRowAVX2(out *baseEntry, row *[rowEntries]baseEntry, masks *[rowEntries]uint64)

func selectRow(out *baseEntry, row *[rowEntries]baseEntry, masks *[rowEntries]uint64) {
	if useAVX2 {
		selectRowAVX2(out, row, masks)
	} else {
		selectRowGeneric(out, row, masks)
	}
}

var _ = [1]struct{}{}[rowEntries-16]
