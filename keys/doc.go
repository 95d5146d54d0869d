// Package keys owns Bittensor/Substrate-compatible sr25519 key material:
// substrate-bip39 mnemonics, Substrate secret URIs (`phrase//hard/soft///password`,
// dev accounts such as `//Alice`), schnorrkel keypairs expanded in Ed25519 mode,
// signing and verification with the "substrate" signing context, and SS58
// addresses (generic Substrate prefix 42).
//
// Key derivation comes from github.com/ChainSafe/go-schnorrkel; the Merlin
// transcript of Sign and Verify is keys/internal/merlin (allocation-free,
// checked against Merlin's conformance vectors and github.com/gtank/merlin,
// and bit for bit against go-schnorrkel's challenge in
// TestChallengeMatchesGoSchnorrkel); mnemonics from github.com/cosmos/go-bip39,
// hashing from golang.org/x/crypto; this package is the glue that reproduces
// Substrate's derivation rules and byte formats exactly (see
// shared/specs/wire-protocol.md §5). Derivation is cross-checked in tests
// against github.com/vedhavyas/go-subkey. The ristretto255 group arithmetic of
// Sign and Verify is keys/internal/ristretto (RFC 9496 over
// filippo.io/edwards25519); signatures are cross-checked both ways against
// go-schnorrkel (TestSignaturesCrossVerifyWithGoSchnorrkel,
// FuzzVerifyMatchesGoSchnorrkel) and against Rust schnorrkel via polkadot-js
// (TestVerifiesRustSchnorrkelSignature). SignMany / SignManyInto sign many
// messages at once, ~20% cheaper per signature than Sign in batches of 32
// (signmany.go; BENCHMARKS.md, keys-batch), with signatures of exactly Sign's
// kind (TestSignManyVerifies, TestSignManyProperty).
package keys
