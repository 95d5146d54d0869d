package ristretto

import (
	"sync"
	"unsafe"

	"filippo.io/edwards25519"
	"filippo.io/edwards25519/field"
)

// The fixed-base multiplication x·B of every signature's nonce. It is the
// method of edwards25519's own ScalarBaseMult (the Ed25519 paper's) with
// wider windows: x in 51 signed radix-32 digits d_i ∈ [−16, 16], the
// odd-indexed digits summed from tables of 1..16 times 1024^k·B, five
// doublings, then the even-indexed ones (51 additions where radix 16 needs
// 64), with the same addition formulas (formulas.go, never with negate set:
// a negative digit is handled in the lookup, without a branch).
//
// The wider windows pay because the constant-time table lookup is cheaper
// than edwards25519's, which does 24 field-element selects that each read
// and rewrite the destination in memory (a quarter of a signature's CPU time
// in profiles). Here an entry is 160 bytes of limbs (the point and its
// negation's 2dT), masked and or-ed into accumulators, five 256-bit words at
// a time on amd64 with AVX2 (basemult_amd64.s), in registers otherwise, and
// a negative digit swaps words under a mask. Every entry of a row is read
// for every digit, and no branch or memory index depends on x.

const (
	windowBits = 5
	rowEntries = 1 << (windowBits - 1)               // multiples 1..16 of a row's point
	numDigits  = (253 + windowBits - 1) / windowBits // x < 2^253
	numRows    = (numDigits + 1) / 2                 // one per even/odd digit pair
	rowFactor  = 2 * windowBits                      // row k holds multiples of 2^(10k)·B
)

// baseEntry is one table entry, the limbs of Y+X (P), Y−X (M), 2dT (T) and
// −2dT (N) of an affine point in five 32-byte words laid out so that −P,
// which swaps P with M and T with N, is a swap of whole words and of
// neighbouring pairs: P0-3 | M0-3 | P4 M4 T4 N4 | T0-3 | N0-3.
type baseEntry [20]uint64

// set stores a in e's layout.
func (e *baseEntry) set(a *affineCached) {
	var neg field.Element
	neg.Negate(&a.T2d)
	p, m, t, n := limbsOf(&a.YplusX), limbsOf(&a.YminusX), limbsOf(&a.T2d), limbsOf(&neg)
	copy(e[0:4], p[:4])
	copy(e[4:8], m[:4])
	e[8], e[9], e[10], e[11] = p[4], m[4], t[4], n[4]
	copy(e[12:16], t[:4])
	copy(e[16:20], n[:4])
}

// baseTable[k][j] = (j+1)·2^(10k)·B (65 KiB, built at first use).
var baseTable = sync.OnceValue(func() *[numRows][rowEntries]baseEntry {
	var t [numRows][rowEntries]baseEntry
	p := edwards25519.NewGeneratorPoint()
	var q edwards25519.Point
	var a affineCached
	for k := range t {
		q.Set(p)
		for j := range t[k] {
			if j > 0 {
				q.Add(&q, p)
			}
			a.fromPoint(&q)
			t[k][j].set(&a)
		}
		for range rowFactor {
			p.Double(p)
		}
	}
	return &t
})

// limbsOf views a field element as its five 51-bit limbs. field.Element is
// struct{ l0, l1, l2, l3, l4 uint64 } (filippo.io/edwards25519 v1.2.0,
// value = Σ l_i·2^(51i)); checkFieldLayout verifies that at start-up, so a
// different layout stops the process instead of giving wrong points.
func limbsOf(v *field.Element) *[5]uint64 {
	return (*[5]uint64)(unsafe.Pointer(v))
}

func init() { checkFieldLayout() }

func checkFieldLayout() {
	var one, big field.Element
	one.One()
	var b [32]byte
	b[6] = 0x08  // 2^51
	b[12] = 0x40 // 2^102
	var a affineCached
	if unsafe.Sizeof(a) != 120 || unsafe.Offsetof(a.YminusX) != 40 || unsafe.Offsetof(a.T2d) != 80 {
		panic("ristretto: affineCached is not three contiguous field elements")
	}
	if _, err := big.SetBytes(b[:]); err != nil || unsafe.Sizeof(one) != 40 ||
		*limbsOf(&one) != [5]uint64{1, 0, 0, 0, 0} || *limbsOf(&big) != [5]uint64{0, 1, 1, 0, 0} {
		panic("ristretto: filippo.io/edwards25519 field.Element is not five 51-bit limbs")
	}
}

// selectMultiple sets v = d·P for the row (1..16)·P and a digit
// d ∈ [−16, 16], reading every entry (0·P is the identity: Y+X = Y−X = 1,
// 2dT = 0).
func (v *affineCached) selectMultiple(row *[rowEntries]baseEntry, d int8) {
	sign := d >> 7 // −1 if negative
	abs := uint64(uint8((d + sign) ^ sign))
	lookup(cachedLimbs(v), row, abs, uint64(int64(sign)))
}

// cachedLimbs views an affineCached as the 15 limbs of Y+X, Y−X and 2dT in
// a row (checkFieldLayout checks that the three elements are contiguous).
func cachedLimbs(v *affineCached) *[15]uint64 {
	return (*[15]uint64)(unsafe.Pointer(v))
}

// lookupGeneric writes to out (Y+X, Y−X, 2dT) entry abs (1-based) of row,
// the identity for abs = 0, negated when negMask is all ones, reading every
// entry: each is masked (all ones only for the wanted one) and or-ed into
// accumulators, plain variables so they stay in registers.
func lookupGeneric(out *[15]uint64, row *[rowEntries]baseEntry, abs, negMask uint64) {
	var w baseEntry
	for part := 0; part < len(w); part += 5 {
		var a0, a1, a2, a3, a4 uint64
		for j := range row {
			m := -isZero(abs ^ uint64(j+1)) // all ones when abs = j+1
			e := (*[5]uint64)(row[j][part : part+5])
			a0 |= e[0] & m
			a1 |= e[1] & m
			a2 |= e[2] & m
			a3 |= e[3] & m
			a4 |= e[4] & m
		}
		w[part], w[part+1], w[part+2], w[part+3], w[part+4] = a0, a1, a2, a3, a4
	}
	identity := isZero(abs)
	w[0] |= identity
	w[4] |= identity
	condSwap := func(i, j int) {
		x := (w[i] ^ w[j]) & negMask
		w[i] ^= x
		w[j] ^= x
	}
	for i := range 4 {
		condSwap(i, 4+i)     // P ↔ M
		condSwap(12+i, 16+i) // T ↔ N
	}
	condSwap(8, 9)
	condSwap(10, 11)
	copy(out[0:4], w[0:4])
	out[4] = w[8]
	copy(out[5:9], w[4:8])
	out[9] = w[9]
	copy(out[10:14], w[12:16])
	out[14] = w[10]
}

// isZero is 1 for x = 0 and 0 otherwise, without a branch: x | −x has its
// top bit set exactly when x ≠ 0.
func isZero(x uint64) uint64 { return 1 ^ (x|-x)>>63 }

// signedDigits writes the scalar as Σ d_i·32^i with d_i ∈ [−16, 16) for
// i < 50 and d_50 ∈ [0, 8] (the scalar is below 2^253), using arithmetic
// only (the window positions are fixed).
func signedDigits(x *edwards25519.Scalar) [numDigits]int8 {
	b := x.Bytes()
	var limbs [5]uint64 // little-endian, a spare zero limb for the top window
	for i := range 4 {
		for k := 7; k >= 0; k-- {
			limbs[i] = limbs[i]<<8 | uint64(b[8*i+k])
		}
	}
	var d [numDigits]int8
	const mask = 1<<windowBits - 1
	for i := range d {
		pos := i * windowBits
		w := limbs[pos/64] >> (pos % 64)
		if pos%64 > 64-windowBits {
			w |= limbs[pos/64+1] << (64 - pos%64)
		}
		d[i] = int8(w & mask)
	}
	for i := range numDigits - 1 {
		carry := (d[i] + rowEntries) >> windowBits
		d[i] -= carry << windowBits
		d[i+1] += carry
	}
	return d
}

// scalarBaseMult sets v = x·B in constant time.
func scalarBaseMult(v *edwards25519.Point, x *edwards25519.Scalar) {
	table := baseTable()
	digits := signedDigits(x)

	var acc projP3
	var sum completed
	var entry affineCached
	acc.identity()
	// Odd digits: Σ d_(2k+1)·2^(10k)·B, then times 32.
	for i := 1; i < numDigits; i += 2 {
		entry.selectMultiple(&table[i/2], digits[i])
		sum.addAffine(&acc, &entry, false)
		acc.fromCompleted(&sum)
	}
	var p2 projP2
	p2.X, p2.Y, p2.Z = acc.X, acc.Y, acc.Z
	for range windowBits - 1 {
		sum.double(&p2)
		p2.fromCompleted(&sum)
	}
	sum.double(&p2)
	acc.fromCompleted(&sum)
	// Even digits: plus Σ d_(2k)·2^(10k)·B.
	for i := 0; i < numDigits; i += 2 {
		entry.selectMultiple(&table[i/2], digits[i])
		sum.addAffine(&acc, &entry, false)
		acc.fromCompleted(&sum)
	}
	if _, err := v.SetExtendedCoordinates(&acc.X, &acc.Y, &acc.Z, &acc.T); err != nil {
		panic("ristretto: fixed-base multiplication left the curve") // a bug, never input-dependent
	}
}

func (v *projP3) identity() {
	v.X.Zero()
	v.Y.One()
	v.Z.One()
	v.T.Zero()
}
