package ristretto

import (
	"github.com/taonet/taonet/bench/threadcpu"

	"crypto/rand"
	"testing"

	"filippo.io/edwards25519"
)

func benchScalar(b *testing.B) *edwards25519.Scalar {
	var wide [64]byte
	rand.Read(wide[:])
	s, err := edwards25519.NewScalar().SetUniformBytes(wide[:])
	if err != nil {
		b.Fatal(err)
	}
	return s
}

func BenchmarkScalarBaseMult(b *testing.B) {
	x, e := benchScalar(b), NewElement()
	defer threadcpu.PerOp(b)()
	for b.Loop() {
		e.ScalarBaseMult(x)
	}
}

func BenchmarkEncode(b *testing.B) {
	e := NewElement().ScalarBaseMult(benchScalar(b))
	defer threadcpu.PerOp(b)()
	for b.Loop() {
		e.Bytes()
	}
}

func BenchmarkDecode(b *testing.B) {
	enc := NewElement().ScalarBaseMult(benchScalar(b)).Bytes()
	e := NewElement()
	defer threadcpu.PerOp(b)()
	for b.Loop() {
		if err := e.Decode(enc[:]); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVarTimeDoubleScalarBaseMult(b *testing.B) {
	x, y, e := benchScalar(b), benchScalar(b), NewElement()
	A := NewElement().ScalarBaseMult(benchScalar(b))
	defer threadcpu.PerOp(b)()
	for b.Loop() {
		e.VarTimeDoubleScalarBaseMult(x, A, y)
	}
}

func BenchmarkVarTimeDoubleScalarBaseMultPrecomputed(b *testing.B) {
	x, y, e := benchScalar(b), benchScalar(b), NewElement()
	A := NewPrecomputed(NewElement().ScalarBaseMult(benchScalar(b)))
	generatorTables()
	defer threadcpu.PerOp(b)()
	for b.Loop() {
		e.VarTimeDoubleScalarBaseMultPrecomputed(x, A, y)
	}
}

func BenchmarkNewPrecomputed(b *testing.B) {
	A := NewElement().ScalarBaseMult(benchScalar(b))
	defer threadcpu.PerOp(b)()
	for b.Loop() {
		NewPrecomputed(A)
	}
}
