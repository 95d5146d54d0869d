package ristretto

import (
	"github.com/taonet/taonet/bench/threadcpu"

	"bytes"
	"encoding/hex"
	"fmt"
	"testing"

	"filippo.io/edwards25519"
	"pgregory.net/rapid"
)

// encodeDoubled is the reference: Encode (one inverse square root) of the
// sum edwards25519's own addition computes.
func encodeDoubled(p *Element) [32]byte {
	return NewElement().Add(p, p).Bytes()
}

func doubleAndEncode(points []*Element) [][32]byte {
	out := make([][32]byte, len(points))
	DoubleAndEncodeBatch(points, out)
	return out
}

func scalarOf(i int) *edwards25519.Scalar {
	var b [32]byte
	b[0], b[1] = byte(i), byte(i>>8)
	x, err := edwards25519.NewScalar().SetCanonicalBytes(b[:])
	if err != nil {
		panic(err)
	}
	return x
}

// TestDoubleAndEncodeRFCMultiples: for i·B, i = 0…7, the batch gives the
// RFC 9496 A.1 encoding of 2i·B (an independent reference), and for i up to
// 15 it agrees with Encode of i·B + i·B.
func TestDoubleAndEncodeRFCMultiples(t *testing.T) {
	points := make([]*Element, 16)
	for i := range points {
		points[i] = NewElement().ScalarBaseMult(scalarOf(i))
	}
	got := doubleAndEncode(points)
	for i, p := range points {
		if i < 8 {
			if h := hex.EncodeToString(got[i][:]); h != rfcGeneratorMultiples[2*i] {
				t.Errorf("[2](%d·B) encodes as %s, RFC 9496 says %s", i, h, rfcGeneratorMultiples[2*i])
			}
		}
		if want := encodeDoubled(p); got[i] != want {
			t.Errorf("[2](%d·B): batch %x, Encode %x", i, got[i], want)
		}
	}
}

// smallOrderPoints are the eight edwards25519 points of order dividing 8 in
// Ed25519 encoding; TestSmallOrderPoints checks their orders.
var smallOrderPoints = []string{
	"0100000000000000000000000000000000000000000000000000000000000000", // identity
	"ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", // order 2
	"0000000000000000000000000000000000000000000000000000000000000000", // order 4
	"0000000000000000000000000000000000000000000000000000000000000080", // order 4
	"26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05", // order 8
	"26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85", // order 8
	"c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a", // order 8
	"c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa", // order 8
}

var smallOrders = []int{1, 2, 4, 4, 8, 8, 8, 8}

func smallOrderPoint(i int) *Element {
	e := &Element{}
	if _, err := e.p.SetBytes(hexBytes(smallOrderPoints[i])); err != nil {
		panic(err)
	}
	return e
}

func TestSmallOrderPoints(t *testing.T) {
	id := edwards25519.NewIdentityPoint()
	for i := range smallOrderPoints {
		p := smallOrderPoint(i).p
		order, q := 1, new(edwards25519.Point).Set(&p)
		for q.Equal(id) != 1 {
			q.Add(q, &p)
			order++
			if order > 8 {
				break
			}
		}
		if order != smallOrders[i] {
			t.Errorf("point %d has order %d, want %d", i, order, smallOrders[i])
		}
	}
}

// TestDoubleAndEncodeTorsion: the identity, every small-order point, and
// random elements plus each small-order point (representatives outside the
// even subgroup included) encode like Encode(P + P). A small-order point
// alone doubles into the 4-torsion, the identity element (all zero); adding
// 4-torsion to P does not change the element, so neither does its double.
func TestDoubleAndEncodeTorsion(t *testing.T) {
	var points []*Element
	points = append(points, NewElement())
	for i := range smallOrderPoints {
		points = append(points, smallOrderPoint(i))
	}
	base := NewElement().FromUniformBytes(bytes.Repeat([]byte{7}, 64))
	for i := range smallOrderPoints {
		points = append(points, NewElement().Add(base, smallOrderPoint(i)))
	}
	got := doubleAndEncode(points)
	for i, p := range points {
		if want := encodeDoubled(p); got[i] != want {
			t.Errorf("point %d: batch %x, Encode %x", i, got[i], want)
		}
	}
	for i := 0; i <= len(smallOrderPoints); i++ {
		if got[i] != [32]byte{} {
			t.Errorf("small-order point %d doubles to %x, want the identity", i, got[i])
		}
	}
	baseDoubled := encodeDoubled(base)
	for i := range 4 { // orders 1, 2, 4: same element as base
		if got[1+len(smallOrderPoints)+i] != baseDoubled {
			t.Errorf("base + small-order point %d doubles to a different element", i)
		}
	}
}

// TestDoubleAndEncodeBatchProperty: random batches across the chunk size,
// mixing random elements, the identity and torsion-shifted representatives,
// agree point by point with Encode(P + P) and leave the inputs unchanged.
func TestDoubleAndEncodeBatchProperty(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(0, 3*batchChunk+1).Draw(t, "n")
		points := make([]*Element, n)
		before := make([][32]byte, n)
		for i := range points {
			switch rapid.IntRange(0, 9).Draw(t, "kind") {
			case 0:
				points[i] = NewElement()
			case 1:
				points[i] = smallOrderPoint(rapid.IntRange(0, len(smallOrderPoints)-1).Draw(t, "torsion"))
			case 2:
				p, _ := drawElement(t, "p")
				points[i] = p.Add(p, smallOrderPoint(rapid.IntRange(0, len(smallOrderPoints)-1).Draw(t, "torsion")))
			default:
				points[i], _ = drawElement(t, "p")
			}
			before[i] = points[i].Bytes()
		}
		got := doubleAndEncode(points)
		for i, p := range points {
			if want := encodeDoubled(p); got[i] != want {
				t.Fatalf("point %d of %d: batch %x, Encode %x", i, n, got[i], want)
			}
			if p.Bytes() != before[i] {
				t.Fatalf("point %d was modified", i)
			}
		}
	})
}

func TestDoubleAndEncodeBatchLengthMismatch(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("no panic for 2 points and 1 output")
		}
	}()
	DoubleAndEncodeBatch([]*Element{NewElement(), NewElement()}, make([][32]byte, 1))
}

// BenchmarkDoubleAndEncodeBatch: one op is one point, encoded in batches of
// 1, 32 or 256, to read beside BenchmarkEncode's ns per (undoubled) point.
func BenchmarkDoubleAndEncodeBatch(b *testing.B) {
	for _, n := range []int{1, 32, 256} {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			points := make([]*Element, n)
			for i := range points {
				points[i] = NewElement().ScalarBaseMult(benchScalar(b))
			}
			out := make([][32]byte, n)
			defer threadcpu.PerOp(b)()
			b.ResetTimer()
			for done := 0; done < b.N; done += n {
				k := min(n, b.N-done)
				DoubleAndEncodeBatch(points[:k], out[:k])
			}
		})
	}
}
