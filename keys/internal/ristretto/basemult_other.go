//go:build !amd64 || purego

package ristretto

const useAVX2 = false

func lookupAVX2(out *[15]uint64, row *[rowEntries]baseEntry, abs, negMask uint64) {
	panic("ristretto: no AVX2 table scan on this platform")
}

func lookup(out *[15]uint64, row *[rowEntries]baseEntry, abs, negMask uint64) {
	lookupGeneric(out, row, abs, negMask)
}
