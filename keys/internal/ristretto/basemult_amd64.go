//go:build amd64 && !purego

package ristretto

import "golang.org/x/sys/cpu"

// useAVX2 picks the vector table scan; the tests run both scans.
var useAVX2 = cpu.X86.HasAVX2

// selectRowAVX2 is selectRowGeneric with 256-bit registers: per entry, four
// loads, ANDs and ORs instead of sixteen (basemult_amd64.s).
//
//go:noescape
func selectRowAVX2(out *baseEntry, row *[8]baseEntry, masks *[8]uint64)

func selectRow(out *baseEntry, row *[8]baseEntry, masks *[8]uint64) {
	if useAVX2 {
		selectRowAVX2(out, row, masks)
	} else {
		selectRowGeneric(out, row, masks)
	}
}
