package ristretto

import (
	"bytes"
	"encoding/hex"
	"testing"

	"filippo.io/edwards25519"
	gtank "github.com/gtank/ristretto255"
	"pgregory.net/rapid"
)

// These tests hold this package to github.com/gtank/ristretto255 v0.1.2, the
// independent implementation go-schnorrkel (and so every sr25519 signature
// this project made before) uses, on random inputs.

// drawScalar draws a scalar as 64 uniform bytes reduced mod ℓ in both
// libraries (so it covers the whole range, not just canonical 32-byte draws).
func drawScalar(t *rapid.T, name string) (*edwards25519.Scalar, *gtank.Scalar) {
	wide := rapid.SliceOfN(rapid.Byte(), 64, 64).Draw(t, name)
	ours, err := edwards25519.NewScalar().SetUniformBytes(wide)
	if err != nil {
		t.Fatal(err)
	}
	theirs := gtank.NewScalar().FromUniformBytes(wide)
	if !bytes.Equal(ours.Bytes(), theirs.Encode(nil)) {
		t.Fatalf("scalar reduction differs for %x", wide)
	}
	return ours, theirs
}

// drawElement draws a random element from 64 uniform bytes in both libraries.
func drawElement(t *rapid.T, name string) (*Element, *gtank.Element) {
	wide := rapid.SliceOfN(rapid.Byte(), 64, 64).Draw(t, name)
	ours := NewElement().FromUniformBytes(wide)
	theirs := gtank.NewElement().FromUniformBytes(wide)
	sameEncoding(t, "FromUniformBytes", ours, theirs)
	return ours, theirs
}

func sameEncoding(t *rapid.T, what string, ours *Element, theirs *gtank.Element) {
	t.Helper()
	if a, b := ours.Encode(nil), theirs.Encode(nil); !bytes.Equal(a, b) {
		t.Fatalf("%s: ours encodes %x, gtank %x", what, a, b)
	}
}

func TestAgreesWithGtankGroupOps(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		a, ga := drawElement(t, "a")
		b, gb := drawElement(t, "b")
		x, gx := drawScalar(t, "x")
		y, gy := drawScalar(t, "y")

		sameEncoding(t, "Add", NewElement().Add(a, b), gtank.NewElement().Add(ga, gb))
		sameEncoding(t, "Subtract", NewElement().Subtract(a, b), gtank.NewElement().Subtract(ga, gb))
		sameEncoding(t, "Negate", NewElement().Negate(a), gtank.NewElement().Negate(ga))
		sameEncoding(t, "ScalarBaseMult", NewElement().ScalarBaseMult(x), gtank.NewElement().ScalarBaseMult(gx))
		sameEncoding(t, "ScalarMult", NewElement().ScalarMult(x, a), gtank.NewElement().ScalarMult(gx, ga))
		sameEncoding(t, "VarTimeDoubleScalarBaseMult",
			NewElement().VarTimeDoubleScalarBaseMult(x, a, y),
			gtank.NewElement().VarTimeDoubleScalarBaseMult(gx, ga, gy))

		// Equal is an equivalence-class test: a and a + 0 compare equal even
		// when the representatives differ; a and b only when gtank agrees.
		if NewElement().Add(a, NewElement()).Equal(a) != 1 {
			t.Fatal("a + 0 != a")
		}
		if got, want := a.Equal(b), ga.Equal(gb); got != want {
			t.Fatalf("Equal=%d, gtank %d", got, want)
		}
	})
}

// TestAgreesWithGtankDecode: random 32-byte strings (almost all invalid) and
// encodings of random elements (all valid), plain and with one bit flipped,
// are accepted by both or by neither, and what is accepted re-encodes alike.
func TestAgreesWithGtankDecode(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		var in []byte
		if rapid.Bool().Draw(t, "fromElement") {
			e, _ := drawElement(t, "e")
			in = e.Encode(nil)
			if rapid.Bool().Draw(t, "flip") {
				i := rapid.IntRange(0, 255).Draw(t, "bit")
				in[i/8] ^= 1 << (i % 8)
			}
		} else {
			in = rapid.SliceOfN(rapid.Byte(), 32, 32).Draw(t, "bytes")
		}
		ours, theirs := NewElement(), gtank.NewElement()
		errOurs, errTheirs := ours.Decode(in), theirs.Decode(in)
		if (errOurs == nil) != (errTheirs == nil) {
			t.Fatalf("decode %x: ours %v, gtank %v", in, errOurs, errTheirs)
		}
		if errOurs == nil {
			sameEncoding(t, "decoded", ours, theirs)
			if !bytes.Equal(ours.Encode(nil), in) {
				t.Fatalf("%x decodes but re-encodes differently", in)
			}
		}
	})
}

func FuzzDecode(f *testing.F) {
	for _, h := range rfcGeneratorMultiples {
		f.Add(hexBytes(h))
	}
	for _, h := range rfcInvalidEncodings {
		f.Add(hexBytes(h))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		ours, theirs := NewElement(), gtank.NewElement()
		errOurs, errTheirs := ours.Decode(in), theirs.Decode(in)
		if (errOurs == nil) != (errTheirs == nil) {
			t.Fatalf("decode %x: ours %v, gtank %v", in, errOurs, errTheirs)
		}
		if errOurs == nil && !bytes.Equal(ours.Encode(nil), in) {
			t.Fatalf("%x decodes but re-encodes as %x", in, ours.Encode(nil))
		}
	})
}

func hexBytes(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}
