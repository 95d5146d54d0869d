package ristretto

import "filippo.io/edwards25519/field"

// Encoding a point (RFC 9496 §4.3.2) costs an inverse square root, and
// inverse square roots do not batch. The encoding of a doubled point needs
// only an inversion, and inversions do (Montgomery's trick: one inversion and
// three multiplications per element). The derivation, for P = (X:Y:Z:T) on
// −x² + y² = 1 + d·x²·y² (a = −1), T·Z = X·Y:
//
// Doubling (Hisil–Wong–Carter–Dawson 2008, §3.3) gives 2P = (e/f, g/h) with
//
//	e = 2XY, g = Y² + X², f = Z² + dT² = Y² − X², h = Z² − dT² = 2Z² − f,
//
// so (X':Y':Z':T') = (eh : gf : fh : eg) is 2P in extended coordinates; f and
// h are never zero on the curve (d is not a square).
//
// In §4.3.2 on that point, u1 = Z'² − Y'² = f²·(h² − g²) and, from the curve
// equation (in affine terms h − g = 2(1 − y²), h + g = 2(1 + x²) and
// (1 − y²)(1 + x²) = −(1 + d)·x²y²), h² − g² = (a − d)·e². With
// W = e²f²gh, u1·u2² = (a − d)·W², whose inverse square root is ±c/W for
// c = INVSQRT_A_MINUS_D. The encoding does not depend on which root
// SQRT_RATIO_M1 picks: z_inv is its square and s goes through CT_ABS. Taking
// +c/W and c²(a − d) = 1:
//
//	den1 = c(a − d)/(gh), den2 = c/(ef), z_inv = 1/(fh),
//	enchanted_denominator = 1/(gh), rotate = IS_NEGATIVE(eg/(fh)).
//
// Not rotated: x = eh, y = gf, den_inv = c/(ef); y is negated when e/f is
// negative (σ = −1, else σ = 1), and s = |c·(h − σg)/e|.
// Rotated: x = i·gf, y = i·eh, den_inv = 1/(gh); y is negated when i·g/h is
// negative, and s = |(f − σ·i·e)/g|.
//
// Everything needed comes from one inverse 1/(efgh): 1/(fh) = eg/(efgh),
// 1/e = fh·g/(efgh), 1/g = fh·e/(efgh). When efgh = 0 (e = 0 or g = 0: 2P is
// in the 4-torsion, the identity element) the spec gives invsqrt = 0 and s = 0;
// that slot inverts 1 instead, so it cannot spoil the shared product, and
// outputs zero.

// batchChunk bounds the scratch of DoubleAndEncodeBatch (kept on the stack):
// past a few dozen points the one shared inversion is already a small part
// of the cost per point.
const batchChunk = 32

// doubling holds the quantities of the derivation above for one point.
type doubling struct {
	e, f, g, h field.Element
	eg, fh     field.Element
	v          field.Element // efgh, or 1 when that is 0
	prefix     field.Element // the product of v over the chunk up to here
	zero       int           // 1 when efgh = 0
}

// DoubleAndEncodeBatch sets out[i] to the canonical encoding of
// points[i] + points[i] (what Encode of the sum gives) for every i, with one
// field inversion per 32 points instead of an inverse square root per point.
// It runs in time independent of the points' values (only their number
// matters), so the points may be secret. It panics if the lengths differ.
func DoubleAndEncodeBatch(points []*Element, out [][32]byte) {
	if len(points) != len(out) {
		panic("ristretto: DoubleAndEncodeBatch needs one output per point")
	}
	for len(points) > 0 {
		n := min(len(points), batchChunk)
		var scratch [batchChunk]doubling
		doubleAndEncodeChunk(points[:n], out[:n], scratch[:n])
		points, out = points[n:], out[n:]
	}
}

func doubleAndEncodeChunk(points []*Element, out [][32]byte, ds []doubling) {
	for i, p := range points {
		prev := feOne
		if i > 0 {
			prev = &ds[i-1].prefix
		}
		ds[i].set(p, prev)
	}
	// Montgomery's trick, backwards: inv is 1/(v_0·…·v_i) on entry to step i.
	var inv, vInv field.Element
	inv.Invert(&ds[len(ds)-1].prefix)
	for i := len(ds) - 1; i >= 0; i-- {
		if i > 0 {
			vInv.Multiply(&inv, &ds[i-1].prefix)
			inv.Multiply(&inv, &ds[i].v)
		} else {
			vInv.Set(&inv)
		}
		ds[i].encode(&out[i], &vInv)
	}
}

// set computes the doubling quantities of p and the running product
// prefix = prev·v.
func (d *doubling) set(p *Element, prev *field.Element) {
	X, Y, Z, _ := p.p.ExtendedCoordinates()
	var xx, yy, zz2 field.Element
	xx.Square(X)
	yy.Square(Y)
	zz2.Square(Z)
	zz2.Add(&zz2, &zz2)

	d.e.Multiply(X, Y)
	d.e.Add(&d.e, &d.e)
	d.g.Add(&yy, &xx)
	d.f.Subtract(&yy, &xx)
	d.h.Subtract(&zz2, &d.f)

	d.eg.Multiply(&d.e, &d.g)
	d.fh.Multiply(&d.f, &d.h)
	var efgh, zero field.Element
	efgh.Multiply(&d.eg, &d.fh)
	d.zero = efgh.Equal(&zero)
	d.v.Select(feOne, &efgh, d.zero)
	d.prefix.Multiply(prev, &d.v)
}

// encode writes the encoding of the doubled point, given inv = 1/v.
func (d *doubling) encode(out *[32]byte, inv *field.Element) {
	var zInv, t field.Element
	zInv.Multiply(&d.eg, inv) // 1/(fh)
	rotate := t.Multiply(&d.eg, &zInv).IsNegative()

	var ie, ig field.Element
	ie.Multiply(&d.e, sqrtM1)
	ig.Multiply(&d.g, sqrtM1)

	// The sign test of y: e/f = e·h·z_inv, or rotated i·g/h = i·g·f·z_inv.
	var a, num field.Element
	a.Select(&ig, &d.e, rotate)
	num.Select(&d.f, &d.h, rotate)
	t.Multiply(&a, &num)
	negate := t.Multiply(&t, &zInv).IsNegative()

	var q, negQ field.Element
	q.Select(&ie, &d.g, rotate)
	negQ.Negate(&q)
	q.Select(&negQ, &q, negate)
	num.Subtract(&num, &q)

	// den_inv·(Z' − y) reduces to num/e times c, or rotated num/g.
	var other, denInv, m field.Element
	other.Select(&d.e, &d.g, rotate)
	denInv.Multiply(&d.fh, &other)
	denInv.Multiply(&denInv, inv)
	m.Select(feOne, invsqrtAMinusD, rotate)
	denInv.Multiply(&denInv, &m)

	var s, zero field.Element
	s.Multiply(&num, &denInv)
	s.Absolute(&s)
	s.Select(&zero, &s, d.zero)
	copy(out[:], s.Bytes())
}
