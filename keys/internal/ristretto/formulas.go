package ristretto

import (
	"filippo.io/edwards25519"
	"filippo.io/edwards25519/field"
)

// The table-driven verification loop and the fixed-base multiplication keep
// their accumulator in the point representations of Hisil–Wong–Carter–Dawson
// ("Twisted Edwards curves revisited", 2008, a = −1), the ones edwards25519
// uses internally but does not export: doubling from (X:Y:Z) and adding
// table entries stored ready for addition saves a field multiplication per
// step over going through edwards25519.Point's Add and Double. The formulas
// are straight-line field arithmetic except for the negate flag of
// addCached/addAffine, a branch: the constant-time scalarBaseMult always
// passes false (it negates inside its lookup); the variable-time
// VarTimeDoubleScalarBaseMultPrecomputed uses it for public digits.

// d2 is 2·d.
var d2 = new(field.Element).Add(dConst, dConst)

// projP2 is (X:Y:Z) with x = X/Z, y = Y/Z.
type projP2 struct{ X, Y, Z field.Element }

// projP3 is extended (X:Y:Z:T), additionally T = XY/Z.
type projP3 struct{ X, Y, Z, T field.Element }

// completed is the ((X:Z), (Y:T)) result of a doubling or addition.
type completed struct{ X, Y, Z, T field.Element }

// cachedPoint is a point stored for repeated addition: Y+X, Y−X, 2Z, 2d·T.
type cachedPoint struct{ YplusX, YminusX, Z2, T2d field.Element }

// affineCached is a cachedPoint with Z = 1 (table entries of the generator).
type affineCached struct{ YplusX, YminusX, T2d field.Element }

func (v *cachedPoint) fromPoint(p *edwards25519.Point) {
	X, Y, Z, T := p.ExtendedCoordinates()
	v.YplusX.Add(Y, X)
	v.YminusX.Subtract(Y, X)
	v.Z2.Add(Z, Z)
	v.T2d.Multiply(T, d2)
}

func (v *affineCached) fromPoint(p *edwards25519.Point) {
	X, Y, Z, _ := p.ExtendedCoordinates()
	zInv := new(field.Element).Invert(Z)
	x := new(field.Element).Multiply(X, zInv)
	y := new(field.Element).Multiply(Y, zInv)
	v.YplusX.Add(y, x)
	v.YminusX.Subtract(y, x)
	v.T2d.Multiply(x, y)
	v.T2d.Multiply(&v.T2d, d2)
}

func (v *projP2) identity() {
	v.X.Zero()
	v.Y.One()
	v.Z.One()
}

func (v *projP2) fromCompleted(c *completed) {
	v.X.Multiply(&c.X, &c.T)
	v.Y.Multiply(&c.Y, &c.Z)
	v.Z.Multiply(&c.Z, &c.T)
}

func (v *projP3) fromCompleted(c *completed) {
	v.X.Multiply(&c.X, &c.T)
	v.Y.Multiply(&c.Y, &c.Z)
	v.Z.Multiply(&c.Z, &c.T)
	v.T.Multiply(&c.X, &c.Y)
}

// double sets v = 2·p.
func (v *completed) double(p *projP2) {
	var xx, yy, zz2, xPlusYSq field.Element
	xx.Square(&p.X)
	yy.Square(&p.Y)
	zz2.Square(&p.Z)
	zz2.Add(&zz2, &zz2)
	xPlusYSq.Add(&p.X, &p.Y)
	xPlusYSq.Square(&xPlusYSq)

	v.Y.Add(&yy, &xx)
	v.Z.Subtract(&yy, &xx)
	v.X.Subtract(&xPlusYSq, &v.Y)
	v.T.Subtract(&zz2, &v.Z)
}

// addCached sets v = p + q, or p − q when negate.
func (v *completed) addCached(p *projP3, q *cachedPoint, negate bool) {
	plus, minus := &q.YplusX, &q.YminusX
	if negate {
		plus, minus = minus, plus
	}
	var pp, mm, tt2d, zz2 field.Element
	pp.Add(&p.Y, &p.X)
	pp.Multiply(&pp, plus)
	mm.Subtract(&p.Y, &p.X)
	mm.Multiply(&mm, minus)
	tt2d.Multiply(&p.T, &q.T2d)
	zz2.Multiply(&p.Z, &q.Z2)
	v.finishAdd(&pp, &mm, &tt2d, &zz2, negate)
}

// addAffine sets v = p + q, or p − q when negate, for q with Z = 1.
func (v *completed) addAffine(p *projP3, q *affineCached, negate bool) {
	plus, minus := &q.YplusX, &q.YminusX
	if negate {
		plus, minus = minus, plus
	}
	var pp, mm, tt2d, zz2 field.Element
	pp.Add(&p.Y, &p.X)
	pp.Multiply(&pp, plus)
	mm.Subtract(&p.Y, &p.X)
	mm.Multiply(&mm, minus)
	tt2d.Multiply(&p.T, &q.T2d)
	zz2.Add(&p.Z, &p.Z)
	v.finishAdd(&pp, &mm, &tt2d, &zz2, negate)
}

// finishAdd combines the products of an addition: negating q swaps Y+X and
// Y−X (done by the caller) and the sign of its T (done here).
func (v *completed) finishAdd(pp, mm, tt2d, zz2 *field.Element, negate bool) {
	v.X.Subtract(pp, mm)
	v.Y.Add(pp, mm)
	if negate {
		v.Z.Subtract(zz2, tt2d)
		v.T.Add(zz2, tt2d)
	} else {
		v.Z.Add(zz2, tt2d)
		v.T.Subtract(zz2, tt2d)
	}
}
