package ristretto

import (
	"github.com/taonet/taonet/bench/threadcpu"

	"testing"

	"filippo.io/edwards25519"
	"pgregory.net/rapid"
)

// The fixed-base multiplication is held to edwards25519's own ScalarBaseMult
// (an independent implementation of the same method) point for point, and
// through ScalarBaseMult to the RFC 9496 multiples (TestRFCGeneratorMultiples)
// and to gtank/ristretto255 (TestAgreesWithGtankGroupOps).

func sameAsEdwards(t interface{ Fatalf(string, ...any) }, x *edwards25519.Scalar) {
	var ours edwards25519.Point
	scalarBaseMult(&ours, x)
	if want := new(edwards25519.Point).ScalarBaseMult(x); ours.Equal(want) != 1 {
		t.Fatalf("x = %x: %x, edwards25519 says %x", x.Bytes(), ours.Bytes(), want.Bytes())
	}
}

// TestScalarBaseMultEdgeScalars: 0, small values, every window value at
// every window position (d·32^i for d = 1..31, which the recoding turns into
// negative digits and carries), 2^252 and ℓ − 1 (the top of the range),
// and all ones below the top (a carry through every digit).
func TestScalarBaseMultEdgeScalars(t *testing.T) {
	for i := range 300 {
		sameAsEdwards(t, scalarOf(i))
	}
	thirtyTwo := scalarOf(32)
	for pos, weight := 0, scalarOf(1); pos < numDigits; pos++ {
		for d := 1; d < 32; d++ {
			sameAsEdwards(t, edwards25519.NewScalar().Multiply(scalarOf(d), weight))
		}
		weight.Multiply(weight, thirtyTwo)
	}
	minusOne := edwards25519.NewScalar().Subtract(edwards25519.NewScalar(), scalarOf(1))
	sameAsEdwards(t, minusOne)
	var top [32]byte
	top[31] = 0x10
	x, err := edwards25519.NewScalar().SetCanonicalBytes(top[:])
	if err != nil {
		t.Fatal(err)
	}
	sameAsEdwards(t, x)
	var all [32]byte // 0x0f…ff: every digit 15 below the top, maximal carries
	for i := range all {
		all[i] = 0xff
	}
	all[31] = 0x0f
	x, err = edwards25519.NewScalar().SetCanonicalBytes(all[:])
	if err != nil {
		t.Fatal(err)
	}
	sameAsEdwards(t, x)
}

func TestScalarBaseMultProperty(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		x, _ := drawScalar(t, "x")
		sameAsEdwards(t, x)
	})
}

// TestSignedDigits: the digits are in range and sum back to the scalar.
func TestSignedDigits(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		x, _ := drawScalar(t, "x")
		d := signedDigits(x)
		sum := edwards25519.NewScalar()
		radix := scalarOf(1 << windowBits)
		for i := numDigits - 1; i >= 0; i-- {
			if d[i] < -rowEntries || d[i] >= rowEntries || (i == numDigits-1 && d[i] < 0) {
				t.Fatalf("digit %d is %d", i, d[i])
			}
			sum.Multiply(sum, radix)
			v := scalarOf(int(max(d[i], -d[i])))
			if d[i] < 0 {
				v.Negate(v)
			}
			sum.Add(sum, v)
		}
		if sum.Equal(x) != 1 {
			t.Fatalf("digits of %x sum to %x", x.Bytes(), sum.Bytes())
		}
	})
}

func TestFieldLayout(t *testing.T) { checkFieldLayout() }

func BenchmarkScalarBaseMultEdwards(b *testing.B) {
	x, p := benchScalar(b), new(edwards25519.Point)
	defer threadcpu.PerOp(b)()
	for b.Loop() {
		p.ScalarBaseMult(x)
	}
}

// tableMultiple is ±abs·2^(10k)·B in affineCached form, computed with
// edwards25519 from scratch (the identity for abs = 0).
func tableMultiple(k int, abs uint64, negative bool) affineCached {
	p := edwards25519.NewGeneratorPoint()
	for range rowFactor * k {
		p.Double(p)
	}
	q := edwards25519.NewIdentityPoint()
	for range abs {
		q.Add(q, p)
	}
	if negative {
		q.Negate(q)
	}
	var a affineCached
	a.fromPoint(q)
	return a
}

// TestLookupGeneric: the portable lookup gives every table point, its
// negation and the identity, the same field values as
// affineCached.fromPoint (the AVX2 lookup is held to it limb for limb in
// TestLookupAVX2MatchesGeneric).
func TestLookupGeneric(t *testing.T) {
	table := baseTable()
	for _, k := range []int{0, 1, numRows - 1} {
		for abs := uint64(0); abs <= rowEntries; abs++ {
			for _, negative := range []bool{false, true} {
				var got affineCached
				lookupGeneric(cachedLimbs(&got), &table[k], abs, -uint64(b2i(negative)))
				want := tableMultiple(k, abs, negative)
				if !sameCached(&got, &want) {
					t.Fatalf("row %d ±%d (negative %v): %x, want %x", k, abs, negative, *cachedLimbs(&got), *cachedLimbs(&want))
				}
			}
		}
	}
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// sameCached compares the field values (not the limbs, whose representation
// may differ) of two affineCached points.
func sameCached(a, b *affineCached) bool {
	return a.YplusX.Equal(&b.YplusX) == 1 && a.YminusX.Equal(&b.YminusX) == 1 && a.T2d.Equal(&b.T2d) == 1
}
