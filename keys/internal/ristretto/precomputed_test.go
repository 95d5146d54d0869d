package ristretto

import (
	"math/big"
	"testing"

	"filippo.io/edwards25519"
	"pgregory.net/rapid"
)

// scalarMinusOne is ℓ - 1, the largest scalar.
var scalarMinusOne = func() *edwards25519.Scalar {
	one, _ := edwards25519.NewScalar().SetCanonicalBytes(append([]byte{1}, make([]byte, 31)...))
	return edwards25519.NewScalar().Negate(one)
}()

func drawEdgeScalar(t *rapid.T, name string) *edwards25519.Scalar {
	switch rapid.IntRange(0, 5).Draw(t, name+"Kind") {
	case 0:
		return edwards25519.NewScalar()
	case 1:
		return scalarMinusOne
	default:
		s, _ := drawScalar(t, name)
		return s
	}
}

// TestNonAdjacentForm checks the NAF against its definition with math/big.
func TestNonAdjacentForm(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		s := drawEdgeScalar(t, "s")
		w := uint(rapid.IntRange(2, 8).Draw(t, "w"))
		naf := nonAdjacentForm(s, w)
		sum := new(big.Int)
		last := -1000
		for i := len(naf) - 1; i >= 0; i-- {
			d := int64(naf[i])
			sum.Lsh(sum, 1).Add(sum, big.NewInt(d))
			if d == 0 {
				continue
			}
			if d%2 == 0 || d >= 1<<(w-1) || d <= -(1<<(w-1)) {
				t.Fatalf("digit %d at %d out of range for width %d", d, i, w)
			}
			if last-i < int(w) && last >= 0 {
				t.Fatalf("non-zero digits at %d and %d closer than %d", i, last, w)
			}
			last = i
		}
		le := s.Bytes()
		be := make([]byte, 32)
		for i := range le {
			be[31-i] = le[i]
		}
		if want := new(big.Int).SetBytes(be); sum.Cmp(want) != 0 {
			t.Fatalf("NAF sums to %v, scalar is %v", sum, want)
		}
	})
}

// TestPrecomputedMatchesDoubleScalarMult: the table-driven a·A + b·B equals
// edwards25519's VarTimeDoubleScalarBaseMult, including zero and ℓ - 1
// scalars and the identity as A.
func TestPrecomputedMatchesDoubleScalarMult(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		A, _ := drawElement(t, "A")
		if rapid.IntRange(0, 9).Draw(t, "identity") == 0 {
			A = NewElement()
		}
		a := drawEdgeScalar(t, "a")
		b := drawEdgeScalar(t, "b")
		want := NewElement().VarTimeDoubleScalarBaseMult(a, A, b)
		got := NewElement().VarTimeDoubleScalarBaseMultPrecomputed(a, NewPrecomputed(A), b)
		if got.Equal(want) != 1 {
			t.Fatalf("precomputed %x, generic %x", got.Encode(nil), want.Encode(nil))
		}
	})
}
