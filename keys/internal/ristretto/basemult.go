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
// in profiles). Here an entry is 128 bytes of limbs, masked and or-ed into
// accumulators, four 256-bit words at a time on amd64 with AVX2
// (basemult_amd64.s), in registers otherwise. Every entry of a row is read
// for every digit, and no branch or memory index depends on x.

const (
	windowBits = 5
	rowEntries = 1 << (windowBits - 1)               // multiples 1..16 of a row's point
	numDigits  = (253 + windowBits - 1) / windowBits // x < 2^253
	numRows    = (numDigits + 1) / 2                 // one per even/odd digit pair
	rowFactor  = 2 * windowBits                      // row k holds multiples of 2^(10k)·B
)

// baseEntry is one table entry: the limbs of Y+X, Y−X and 2dT of an affine
// point (affineCached), padded to 128 bytes so a row is whole 32-byte words.
type baseEntry [16]uint64

// baseTable[k][j] = (j+1)·2^(10k)·B (52 KiB, built at first use).
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
			copy(t[k][j][0:5], limbsOf(&a.YplusX)[:])
			copy(t[k][j][5:10], limbsOf(&a.YminusX)[:])
			copy(t[k][j][10:15], limbsOf(&a.T2d)[:])
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
	var masks [rowEntries]uint64
	for j := range masks {
		// All ones when abs = j+1: abs ^ (j+1) is then 0, and for a small
		// x, (x − 1) >> 63 is 1 exactly when x = 0.
		masks[j] = -(((abs ^ uint64(j+1)) - 1) >> 63)
	}
	var e baseEntry
	selectRow(&e, row, &masks)
	isZero := (abs - 1) >> 63 // no entry taken: the identity
	e[0] |= isZero
	e[5] |= isZero
	*limbsOf(&v.YplusX) = [5]uint64(e[0:5])
	*limbsOf(&v.YminusX) = [5]uint64(e[5:10])
	*limbsOf(&v.T2d) = [5]uint64(e[10:15])

	// −P swaps Y+X and Y−X and negates 2dT.
	neg := int(sign & 1)
	var swap field.Element
	swap.Set(&v.YplusX)
	v.YplusX.Select(&v.YminusX, &v.YplusX, neg)
	v.YminusX.Select(&swap, &v.YminusX, neg)
	swap.Negate(&v.T2d)
	v.T2d.Select(&swap, &v.T2d, neg)
}

// selectRowGeneric sets out to the OR of row[j] & masks[j] over all j; with
// one mask all ones and the rest zero, that is the one entry. The
// accumulators are plain variables so they stay in registers.
func selectRowGeneric(out *baseEntry, row *[rowEntries]baseEntry, masks *[rowEntries]uint64) {
	for part := 0; part < 16; part += 4 {
		var a0, a1, a2, a3 uint64
		for j := range row {
			e, m := (*[4]uint64)(row[j][part:part+4]), masks[j]
			a0 |= e[0] & m
			a1 |= e[1] & m
			a2 |= e[2] & m
			a3 |= e[3] & m
		}
		out[part], out[part+1], out[part+2], out[part+3] = a0, a1, a2, a3
	}
}

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
