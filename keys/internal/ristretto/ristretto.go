package ristretto

import (
	"crypto/subtle"
	"errors"
	"math/big"

	"filippo.io/edwards25519"
	"filippo.io/edwards25519/field"
)

// The constants of RFC 9496 §4.1, as the RFC writes them (decimal). Their
// defining equations are checked in TestConstants. The signs matter where a
// constant is not followed by an absolute value: SQRT_AD_MINUS_ONE fixes
// which of ±P the map of §4.3.4 returns, so it is the RFC's exact root.
var (
	feOne            = new(field.Element).One()
	feMinusOne       = new(field.Element).Negate(feOne)
	dConst           = feFromDecimal("37095705934669439343138083508754565189542113879843219016388785533085940283555")
	sqrtM1           = feFromDecimal("19681161376707505956807079304988542015446066515923890162744021073123829784752")
	sqrtADMinusOne   = feFromDecimal("25063068953384623474111414158702152701244531502492656460079210482610430750235")
	invsqrtAMinusD   = feFromDecimal("54469307008909316920995813868745141605393597292927456921205312896311721017578")
	oneMinusDSquared = feFromDecimal("1159843021668779879193775521855586647937357759715417654439879720876111806838")
	dMinusOneSquared = feFromDecimal("40440834346308536858101042469323190826248399146238708352240133220865137265952")
)

// feFromDecimal parses a decimal constant below p at package init.
func feFromDecimal(s string) *field.Element {
	n, ok := new(big.Int).SetString(s, 10)
	if !ok || n.BitLen() > 255 {
		panic("ristretto: bad constant " + s)
	}
	var le [32]byte
	n.FillBytes(le[:])
	for i := 0; i < 16; i++ { // big-endian → little-endian
		le[i], le[31-i] = le[31-i], le[i]
	}
	fe, err := new(field.Element).SetBytes(le[:])
	if err != nil {
		panic(err)
	}
	return fe
}

// ErrInvalidEncoding is returned by Decode for any 32 bytes that are not the
// canonical encoding of a ristretto255 element (RFC 9496 §4.3.1).
var ErrInvalidEncoding = errors.New("ristretto: invalid ristretto255 encoding")

// Element is a ristretto255 group element: an equivalence class of
// edwards25519 points, represented by any one of them. The zero value is not
// valid; use NewElement or NewGenerator.
type Element struct {
	p edwards25519.Point
}

// NewElement returns the identity element.
func NewElement() *Element {
	e := &Element{}
	e.p.Set(edwards25519.NewIdentityPoint())
	return e
}

// NewGenerator returns the generator B (RFC 9496 §4.4: the Ed25519 base point).
func NewGenerator() *Element {
	e := &Element{}
	e.p.Set(edwards25519.NewGeneratorPoint())
	return e
}

// Set sets e = u and returns e.
func (e *Element) Set(u *Element) *Element {
	e.p.Set(&u.p)
	return e
}

// Decode sets e to the element encoded by the 32 bytes in, per RFC 9496
// §4.3.1. Non-canonical field encodings (≥ p, or the top bit set), negative
// s, and encodings that are not of a valid element give ErrInvalidEncoding
// and leave e unchanged.
func (e *Element) Decode(in []byte) error {
	if len(in) != 32 {
		return ErrInvalidEncoding
	}
	s, err := new(field.Element).SetBytes(in)
	if err != nil {
		return ErrInvalidEncoding
	}
	// SetBytes ignores bit 255 and reduces values ≥ p; the encoding is
	// canonical exactly when re-encoding gives the input back.
	canonical := subtle.ConstantTimeCompare(s.Bytes(), in)

	ss := new(field.Element).Square(s)
	u1 := new(field.Element).Subtract(feOne, ss)
	u2 := new(field.Element).Add(feOne, ss)
	u2Sq := new(field.Element).Square(u2)

	// v = -(D·u1²) - u2²
	v := new(field.Element).Square(u1)
	v.Multiply(v, dConst)
	v.Negate(v)
	v.Subtract(v, u2Sq)

	t0 := new(field.Element).Multiply(v, u2Sq)
	invsqrt, wasSquare := new(field.Element).SqrtRatio(feOne, t0)

	denX := new(field.Element).Multiply(invsqrt, u2)
	denY := new(field.Element).Multiply(invsqrt, denX)
	denY.Multiply(denY, v)

	x := new(field.Element).Add(s, s)
	x.Multiply(x, denX)
	x.Absolute(x)
	y := new(field.Element).Multiply(u1, denY)
	t := new(field.Element).Multiply(x, y)

	var zero field.Element
	ok := canonical & (1 ^ s.IsNegative()) & wasSquare & (1 ^ t.IsNegative()) & (1 ^ y.Equal(&zero))
	if ok != 1 {
		return ErrInvalidEncoding
	}
	if _, err := e.p.SetExtendedCoordinates(x, y, feOne, t); err != nil {
		return ErrInvalidEncoding // unreachable for a valid decoding; kept as a guard
	}
	return nil
}

// Encode appends the canonical 32-byte encoding of e (RFC 9496 §4.3.2) to b.
func (e *Element) Encode(b []byte) []byte {
	X, Y, Z, T := e.p.ExtendedCoordinates()

	u1 := new(field.Element).Add(Z, Y)
	u1.Multiply(u1, new(field.Element).Subtract(Z, Y))
	u2 := new(field.Element).Multiply(X, Y)

	t0 := new(field.Element).Square(u2)
	t0.Multiply(t0, u1)
	invsqrt, _ := new(field.Element).SqrtRatio(feOne, t0)

	den1 := new(field.Element).Multiply(invsqrt, u1)
	den2 := new(field.Element).Multiply(invsqrt, u2)
	zInv := new(field.Element).Multiply(den1, den2)
	zInv.Multiply(zInv, T)

	ix := new(field.Element).Multiply(X, sqrtM1)
	iy := new(field.Element).Multiply(Y, sqrtM1)
	enchanted := new(field.Element).Multiply(den1, invsqrtAMinusD)

	rotate := new(field.Element).Multiply(T, zInv).IsNegative()
	x := new(field.Element).Select(iy, X, rotate)
	y := new(field.Element).Select(ix, Y, rotate)
	denInv := new(field.Element).Select(enchanted, den2, rotate)

	negY := new(field.Element).Negate(y)
	y.Select(negY, y, new(field.Element).Multiply(x, zInv).IsNegative())

	s := new(field.Element).Subtract(Z, y)
	s.Multiply(s, denInv)
	s.Absolute(s)
	return append(b, s.Bytes()...)
}

// Bytes returns the canonical encoding of e.
func (e *Element) Bytes() [32]byte {
	var out [32]byte
	e.Encode(out[:0])
	return out
}

// Equal returns 1 if e and u are the same ristretto255 element, 0 if not
// (RFC 9496 §4.3.3; the representatives may be different curve points).
func (e *Element) Equal(u *Element) int {
	X1, Y1, _, _ := e.p.ExtendedCoordinates()
	X2, Y2, _, _ := u.p.ExtendedCoordinates()
	a := new(field.Element).Multiply(X1, Y2)
	b := new(field.Element).Multiply(Y1, X2)
	c := new(field.Element).Multiply(Y1, Y2)
	d := new(field.Element).Multiply(X1, X2)
	return a.Equal(b) | c.Equal(d)
}

// FromUniformBytes sets e to the element derived from 64 uniformly random
// bytes by the one-way map of RFC 9496 §4.3.4 and returns e. It panics if
// len(b) != 64, like a slice index out of range: callers pass hash outputs.
func (e *Element) FromUniformBytes(b []byte) *Element {
	if len(b) != 64 {
		panic("ristretto: FromUniformBytes needs 64 bytes")
	}
	// SetBytes drops bit 255 and reduces modulo p, as §4.3.4 asks.
	r0, _ := new(field.Element).SetBytes(b[:32])
	r1, _ := new(field.Element).SetBytes(b[32:])
	var p1, p2 edwards25519.Point
	mapToPoint(&p1, r0)
	mapToPoint(&p2, r1)
	e.p.Add(&p1, &p2)
	return e
}

// mapToPoint is MAP(t) of RFC 9496 §4.3.4 (Elligator 2 for ristretto255),
// writing a representative of the image into p.
func mapToPoint(p *edwards25519.Point, t *field.Element) {
	r := new(field.Element).Square(t)
	r.Multiply(r, sqrtM1)

	u := new(field.Element).Add(r, feOne)
	u.Multiply(u, oneMinusDSquared)

	// v = (-1 - r·D) · (r + D)
	v := new(field.Element).Multiply(r, dConst)
	v.Subtract(feMinusOne, v)
	v.Multiply(v, new(field.Element).Add(r, dConst))

	s, wasSquare := new(field.Element).SqrtRatio(u, v)
	sPrime := new(field.Element).Multiply(s, t)
	sPrime.Absolute(sPrime)
	sPrime.Negate(sPrime)
	s.Select(s, sPrime, wasSquare)
	c := new(field.Element).Select(feMinusOne, r, wasSquare)

	// N = c·(r - 1)·D_MINUS_ONE_SQ - v
	n := new(field.Element).Subtract(r, feOne)
	n.Multiply(n, c)
	n.Multiply(n, dMinusOneSquared)
	n.Subtract(n, v)

	sSq := new(field.Element).Square(s)
	w0 := new(field.Element).Add(s, s)
	w0.Multiply(w0, v)
	w1 := new(field.Element).Multiply(n, sqrtADMinusOne)
	w2 := new(field.Element).Subtract(feOne, sSq)
	w3 := new(field.Element).Add(feOne, sSq)

	X := new(field.Element).Multiply(w0, w3)
	Y := new(field.Element).Multiply(w2, w1)
	Z := new(field.Element).Multiply(w1, w3)
	T := new(field.Element).Multiply(w0, w2)
	if _, err := p.SetExtendedCoordinates(X, Y, Z, T); err != nil {
		panic("ristretto: map produced a point off the curve") // a bug, never input-dependent
	}
}

// Add sets e = a + b and returns e.
func (e *Element) Add(a, b *Element) *Element {
	e.p.Add(&a.p, &b.p)
	return e
}

// Subtract sets e = a - b and returns e.
func (e *Element) Subtract(a, b *Element) *Element {
	e.p.Subtract(&a.p, &b.p)
	return e
}

// Negate sets e = -a and returns e.
func (e *Element) Negate(a *Element) *Element {
	e.p.Negate(&a.p)
	return e
}

// ScalarBaseMult sets e = x·B and returns e, in constant time (the secret
// nonce of a signature goes through here; basemult.go).
func (e *Element) ScalarBaseMult(x *edwards25519.Scalar) *Element {
	scalarBaseMult(&e.p, x)
	return e
}

// ScalarMult sets e = x·a and returns e, in constant time.
func (e *Element) ScalarMult(x *edwards25519.Scalar, a *Element) *Element {
	e.p.ScalarMult(x, &a.p)
	return e
}

// VarTimeDoubleScalarBaseMult sets e = a·A + b·B and returns e. Its time
// depends on a and b: use it only with public values.
func (e *Element) VarTimeDoubleScalarBaseMult(a *edwards25519.Scalar, A *Element, b *edwards25519.Scalar) *Element {
	e.p.VarTimeDoubleScalarBaseMult(a, &A.p, b)
	return e
}
