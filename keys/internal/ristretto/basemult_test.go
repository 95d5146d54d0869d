package ristretto

import (
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

// TestScalarBaseMultEdgeScalars: 0, small values, every single digit value
// at every position (d·16^i for d = 1..15, which the recoding turns into
// negative digits and carries), 2^252 and ℓ − 1 (the top of the range).
func TestScalarBaseMultEdgeScalars(t *testing.T) {
	for i := range 300 {
		sameAsEdwards(t, scalarOf(i))
	}
	for pos := range 64 {
		for d := 1; d < 16; d++ {
			var b [32]byte
			b[pos/2] = byte(d) << (4 * (pos % 2))
			if x, err := edwards25519.NewScalar().SetCanonicalBytes(b[:]); err == nil {
				sameAsEdwards(t, x)
			}
		}
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

// TestSignedRadix16: the digits are in range and sum back to the scalar.
func TestSignedRadix16(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		x, _ := drawScalar(t, "x")
		d := signedRadix16(x)
		sum := edwards25519.NewScalar()
		sixteen := scalarOf(16)
		for i := 63; i >= 0; i-- {
			if d[i] < -8 || d[i] > 8 || (i < 63 && d[i] == 8) {
				t.Fatalf("digit %d is %d", i, d[i])
			}
			sum.Multiply(sum, sixteen)
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
	for b.Loop() {
		p.ScalarBaseMult(x)
	}
}
