// Package timelock implements the timelock encryption subtensor's
// commit-reveal v3/v4 uses: a validator encrypts its weights to a future
// drand quicknet round, and the chain decrypts them itself once that round's
// beacon signature is published.
//
// The scheme is the `tle` crate's (ideal-lab5/timelock at the revision
// subtensor and bittensor-drand pin, 5416406c): Boneh–Franklin FullIdent IBE
// over BLS12-381 with drand quicknet's roles ("TinyBLS381": signatures and
// identities on G1, the public key on G2, identity = hash-to-G1 with DST
// BLS_SIG_BLS12381G1_XMD:SHA-256_SSWU_RO_NUL_ of sha256(round as u64
// big-endian)), wrapping a 32-byte AES-256-GCM key that encrypts the message.
// The ciphertext travels in ark-serialize's compressed encoding of
// TLECiphertext (see Ciphertext). The pairing and curve arithmetic come from
// Cloudflare's circl (the library drand/kyber's own BLS12-381 suite wraps);
// only the tle construction and the arkworks byte layout are written here.
//
// The plaintext the chain expects is the SCALE-encoded WeightsTlockPayload
// (Payload), and the reveal round is chosen as the Bittensor SDK's
// bittensor-drand generate_commit chooses it (RevealRound).
package timelock
