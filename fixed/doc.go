// Package fixed implements the substrate_fixed fixed-point formats used by
// subtensor's Yuma Consensus (I32F32, I64F64, I96F32, U64F64, U96F32) on plain
// integers, with exactly upstream's rounding: multiply floors (arithmetic shift
// of the full-width product), divide truncates toward zero, SafeDiv returns 0 on
// a zero divisor or an overflowing quotient, saturating conversions floor and
// clamp, Round rounds half away from zero, and Exp is the truncated Taylor series
// of substrate_fixed's transcendental::exp. It has no floating point on any path
// used by the epoch (FromFloat64 exists only for tests and literals).
package fixed
