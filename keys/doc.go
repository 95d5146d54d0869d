// Package keys owns Bittensor/Substrate-compatible sr25519 key material:
// substrate-bip39 mnemonics, Substrate secret URIs (`phrase//hard/soft///password`,
// dev accounts such as `//Alice`), schnorrkel keypairs expanded in Ed25519 mode,
// signing and verification with the "substrate" signing context, and SS58
// addresses (generic Substrate prefix 42).
//
// The cryptography itself comes from github.com/ChainSafe/go-schnorrkel,
// github.com/cosmos/go-bip39 and golang.org/x/crypto; this package is the glue
// that reproduces Substrate's derivation rules and byte formats exactly (see
// shared/specs/wire-protocol.md §5). Derivation is cross-checked in tests
// against github.com/vedhavyas/go-subkey.
package keys
