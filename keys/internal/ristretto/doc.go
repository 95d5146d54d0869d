// Package ristretto is the ristretto255 prime-order group of RFC 9496 built
// on filippo.io/edwards25519: decoding and encoding (§4.3.1, §4.3.2),
// equality (§4.3.3), the one-way map from 64 uniform bytes (§4.3.4), and the
// group operations and scalar multiplications the sr25519 signatures in
// package keys need.
//
// It exists for speed: edwards25519 has assembly field multiplication on
// amd64, a precomputed fixed-base table for ScalarBaseMult and a wide-NAF
// VarTimeDoubleScalarBaseMult, while github.com/gtank/ristretto255 v0.1.2
// (what go-schnorrkel uses) has the same kind of assembly and tables, so the
// switch alone gains little; the gain is in Precomputed, per-key tables that
// cut the doublings of a verification eightfold. The field arithmetic and the
// constant-time generic ScalarMult are edwards25519's. ScalarBaseMult is
// edwards25519's method with a cheaper constant-time table scan (AVX2 on
// amd64) that makes wider windows pay (basemult.go), and the variable-time
// table-driven loop is our own too; both add and double with their own copies
// of the standard extended-coordinate formulas (formulas.go), checked point
// for point against edwards25519 (TestScalarBaseMultProperty and the tests
// of precomputed_test.go). The scan reads field.Element's limbs through
// unsafe, guarded at start-up by checkFieldLayout.
//
// DoubleAndEncodeBatch encodes the doubles of many points with one shared
// field inversion instead of an inverse square root each (batch.go derives
// the formulas); package keys signs batches with it.
//
// Scalars are edwards25519.Scalar (integers modulo the group order ℓ, the
// same for ristretto255 and edwards25519). Constant-time: Decode, Encode,
// DoubleAndEncodeBatch, Equal, FromUniformBytes, ScalarBaseMult and
// ScalarMult run in time independent of their inputs' values;
// VarTimeDoubleScalarBaseMult does not and must only see public scalars
// (signature verification).
package ristretto
