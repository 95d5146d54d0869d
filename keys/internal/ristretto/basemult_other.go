//go:build !amd64 || purego

package ristretto

const useAVX2 = false

func selectRowAVX2(out *baseEntry, row *[rowEntries]baseEntry, masks *[rowEntries]uint64) {
	panic("ristretto: no AVX2 table scan on this platform")
}

func selectRow(out *baseEntry, row *[rowEntries]baseEntry, masks *[rowEntries]uint64) {
	selectRowGeneric(out, row, masks)
}
