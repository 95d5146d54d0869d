// Package detmath provides the transcendental functions the LM engine needs
// (Exp, Log, Pow, Sin, Cos, Tanh, Erf) with results that are bit-identical on
// every GOARCH, GOAMD64 level and CPU.
//
// The standard library's versions are not: on amd64 math.Exp and math.Log are
// assembly whose instruction choice depends on the CPU (FMA or not) at run
// time, and the pure-Go bodies used elsewhere contain a*b + c expressions that
// the compiler fuses into one FMA on arm64 and under GOAMD64=v3 (the Go spec
// allows fusion unless an explicit conversion rounds the product). Validators
// that must agree on losses therefore cannot use them.
//
// Every function here is plain float64 arithmetic in which each product that
// feeds an addition or subtraction is rounded by an explicit float64(...)
// conversion, so no target may fuse it; the remaining operations (+, -, *, /,
// math.Sqrt, math.Ldexp, math.Frexp) are exactly rounded IEEE 754 operations
// everywhere. Accuracy is a few float64 ulps (see the tests), far below the
// float32 precision of the model; the algorithms are the textbook ones
// (argument reduction by a split constant, then a truncated Taylor series or
// a continued fraction), chosen for being easy to check rather than fast.
package detmath
