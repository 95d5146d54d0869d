// Package merlin is the Merlin transcript construction (merlin.cool, v1.0
// framing) on STROBE-128 over Keccak-f[1600], written from the Merlin and
// STROBE v1.0.2 specifications and FIPS 202 for the permutation.
//
// It exists so that sr25519 signing and verification in package keys run
// their transcript without allocating: github.com/gtank/merlin v0.1.1 (what
// go-schnorrkel uses) allocates on every AppendMessage, ExtractBytes and
// transcript construction. Here a Transcript is a plain value: copying it
// forks the transcript, so a prefix shared by every signature (the signing
// context) is built once and copied per signature, and ExtractBytes writes
// into the caller's buffer.
//
// Only the STROBE operations Merlin uses are implemented: meta-AD, AD and
// PRF. Every branch and index depends on lengths and positions only, never
// on the bytes processed; the permutation has no table lookups indexed by
// data.
package merlin
