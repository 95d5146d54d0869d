package ristretto

import (
	"sync"

	"filippo.io/edwards25519"
)

// Verification computes a·A + b·B for a public key A that a verifier sees
// again and again (an axon's callers, a validator's miners). The generic
// VarTimeDoubleScalarBaseMult spends most of its time on ~253 doublings. With
// A's multiples 2^(32j)·A (j = 0..7) precomputed, a·A splits into eight
// 32-bit pieces, a = Σ a_j·2^(32j), summed by one shared 32-step
// double-and-add loop: an eighth of the doublings, about the same number of
// additions. The generator gets the same treatment once per process. (Four
// 64-bit pieces were measured too: half the table, a third slower.)
const (
	pieces    = 8
	pieceBits = 256 / pieces
	nafWidthA = 5 // per-key tables: 2^(5-2) = 8 points per piece, 64 in all (10 KiB)
	nafWidthB = 7 // generator tables: 32 points per piece, 256 in all (40 KiB), once
)

// Precomputed holds the odd multiples (1, 3, …, 15)·2^(32j)·A of an element
// A, ready for addition (see formulas.go), for
// VarTimeDoubleScalarBaseMultPrecomputed. It is immutable once built
// and safe for concurrent use.
type Precomputed struct {
	tables [pieces][1 << (nafWidthA - 2)]cachedPoint
}

// NewPrecomputed builds the tables of A. It costs 224 doublings and 64
// additions, about one generic VarTimeDoubleScalarBaseMult, and pays for
// itself by the second use of the tables.
func NewPrecomputed(A *Element) *Precomputed {
	pc := &Precomputed{}
	var multiples [1 << (nafWidthA - 2)]edwards25519.Point
	forPieceMultiples(&A.p, multiples[:], func(j, k int, m *edwards25519.Point) { pc.tables[j][k].fromPoint(m) })
	return pc
}

// forPieceMultiples calls put(j, k, (2k+1)·2^(32j)·p) for every piece j and
// each of the first len(scratch) odd multiples, building them in scratch.
func forPieceMultiples(p0 *edwards25519.Point, scratch []edwards25519.Point, put func(j, k int, m *edwards25519.Point)) {
	p := new(edwards25519.Point).Set(p0)
	for j := range pieces {
		if j > 0 {
			for range pieceBits {
				p.Double(p)
			}
		}
		fillOddMultiples(scratch, p)
		for k := range scratch {
			put(j, k, &scratch[k])
		}
	}
}

// fillOddMultiples sets t[k] = (2k+1)·p.
func fillOddMultiples(t []edwards25519.Point, p *edwards25519.Point) {
	twoP := new(edwards25519.Point).Double(p)
	t[0].Set(p)
	for k := 1; k < len(t); k++ {
		t[k].Add(&t[k-1], twoP)
	}
}

// generatorTables are the odd multiples (1, 3, …, 63)·2^(32j)·B, in affine
// form (one inversion each, once per process) so adding them skips a
// multiplication.
var generatorTables = sync.OnceValue(func() *[pieces][1 << (nafWidthB - 2)]affineCached {
	var t [pieces][1 << (nafWidthB - 2)]affineCached
	var multiples [1 << (nafWidthB - 2)]edwards25519.Point
	forPieceMultiples(edwards25519.NewGeneratorPoint(), multiples[:], func(j, k int, m *edwards25519.Point) { t[j][k].fromPoint(m) })
	return &t
})

// VarTimeDoubleScalarBaseMultPrecomputed sets e = a·A + b·B, where A is
// given by its tables, and returns e. Like VarTimeDoubleScalarBaseMult its
// time depends on a and b: use it only with public values.
func (e *Element) VarTimeDoubleScalarBaseMultPrecomputed(a *edwards25519.Scalar, A *Precomputed, b *edwards25519.Scalar) *Element {
	gen := generatorTables()
	nafA := nonAdjacentForm(a, nafWidthA)
	nafB := nonAdjacentForm(b, nafWidthB)

	// Start at the highest bit position any piece uses.
	top := pieceBits - 1
	for ; top >= 0; top-- {
		nonzero := false
		for j := range pieces {
			nonzero = nonzero || nafA[j*pieceBits+top] != 0 || nafB[j*pieceBits+top] != 0
		}
		if nonzero {
			break
		}
	}

	if top < 0 { // a = b = 0
		e.p.Set(edwards25519.NewIdentityPoint())
		return e
	}
	var acc projP2
	var sum completed
	var p3 projP3
	acc.identity()
	for i := top; i >= 0; i-- {
		sum.double(&acc)
		for j := range pieces {
			if d := nafA[j*pieceBits+i]; d != 0 {
				p3.fromCompleted(&sum)
				sum.addCached(&p3, &A.tables[j][abs8(d)/2], d < 0)
			}
			if d := nafB[j*pieceBits+i]; d != 0 {
				p3.fromCompleted(&sum)
				sum.addAffine(&p3, &gen[j][abs8(d)/2], d < 0)
			}
		}
		acc.fromCompleted(&sum)
	}
	p3.fromCompleted(&sum)
	if _, err := e.p.SetExtendedCoordinates(&p3.X, &p3.Y, &p3.Z, &p3.T); err != nil {
		panic("ristretto: table-driven multiplication left the curve") // a bug, never input-dependent
	}
	return e
}

func abs8(d int8) int8 {
	if d < 0 {
		return -d
	}
	return d
}

// nonAdjacentForm returns the width-w NAF of s: digits d_i, each zero or odd
// with |d_i| < 2^(w-1), any w consecutive ones having at most one non-zero,
// and s = Σ d_i·2^i. s < ℓ < 2^253, so 256 digits always suffice.
func nonAdjacentForm(s *edwards25519.Scalar, w uint) [256]int8 {
	b := s.Bytes()
	var limbs [5]uint64 // little-endian, one spare limb so windows can read past the top
	for i := range 4 {
		for k := 7; k >= 0; k-- {
			limbs[i] = limbs[i]<<8 | uint64(b[8*i+k])
		}
	}
	var naf [256]int8
	width := uint64(1) << w
	mask := width - 1
	carry := uint64(0)
	for pos := uint(0); pos < 256; {
		idx, bit := pos/64, pos%64
		window := limbs[idx] >> bit
		if bit+w > 64 {
			window |= limbs[idx+1] << (64 - bit)
		}
		window = carry + window&mask
		if window&1 == 0 {
			// The bit here, plus the carry, is even: digit zero, and the
			// carry (if any) moves on to the next position unchanged.
			pos++
			continue
		}
		if window < width/2 {
			naf[pos] = int8(window)
			carry = 0
		} else {
			naf[pos] = int8(int64(window) - int64(width))
			carry = 1
		}
		pos += w
	}
	return naf
}
