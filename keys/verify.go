package keys

import (
	"errors"
	"runtime"
	"sync/atomic"

	"filippo.io/edwards25519"

	"github.com/taonet/taonet/keys/internal/ristretto"
)

// PublicKey is a decoded sr25519 public key, ready to verify many signatures.
// Decoding a ristretto point costs a field square root; verifiers that see
// the same signer repeatedly (an axon and its validators) parse once and keep
// the PublicKey. After its second valid signature a PublicKey also keeps
// precomputed multiples of the key (about 10 KiB, built once at the cost of
// about one verification) that make each further verification about twice
// as fast; a key seen once, or only with invalid signatures, never pays for
// them, and at most maxTabledKeys live keys hold tables at once. It is safe
// for concurrent use.
type PublicKey struct {
	raw      [32]byte
	negA     *ristretto.Element                    // -A, the form the verification equation uses; never a receiver
	valid    atomic.Uint32                         // signatures accepted before the tables exist
	building atomic.Bool                           // a call is building (or has built) the tables
	table    atomic.Pointer[ristretto.Precomputed] // tables of -A, built after the second valid signature
}

// ErrInvalidPublicKey is returned for bytes that are not a canonical
// ristretto255 encoding, or encode the identity.
var ErrInvalidPublicKey = errors.New("keys: invalid sr25519 public key")

// ParsePublicKey decodes a 32-byte sr25519 public key. As go-schnorrkel, it
// refuses the identity point (all zero bytes).
func ParsePublicKey(pub [32]byte) (*PublicKey, error) {
	if pub == ([32]byte{}) {
		return nil, ErrInvalidPublicKey
	}
	a := ristretto.NewElement()
	if err := a.Decode(pub[:]); err != nil {
		return nil, ErrInvalidPublicKey
	}
	return &PublicKey{raw: pub, negA: a.Negate(a)}, nil
}

// Bytes returns the 32-byte encoding.
func (p *PublicKey) Bytes() [32]byte { return p.raw }

// Verify reports whether sig is a valid 64-byte sr25519 signature of msg
// (context "substrate") by p.
//
// This is schnorrkel's verify (sign.rs) written out: the transcript takes the
// public key and R as the bytes received (go-schnorrkel re-encodes both, an
// inversion each), and instead of decoding R (a square root) the recomputed
// R' = s·B − k·A is encoded and compared with R's bytes, as Rust schnorrkel
// does. A non-canonical R can never equal a canonical encoding, so the set
// of accepted signatures is the same as go-schnorrkel's.
func (p *PublicKey) Verify(msg, sig []byte) bool {
	if p == nil || p.negA == nil || len(sig) != SignatureSize || sig[63]&0x80 == 0 {
		return false
	}
	var sb [32]byte
	copy(sb[:], sig[32:])
	sb[31] &= 0x7f
	s, err := edwards25519.NewScalar().SetCanonicalBytes(sb[:])
	if err != nil {
		return false // s not reduced
	}
	var k edwards25519.Scalar
	if challenge(&k, msg, p.raw[:], sig[:32]) != nil {
		return false
	}
	tab := p.table.Load()
	var r [32]byte
	if tab != nil {
		r = ristretto.NewElement().VarTimeDoubleScalarBaseMultPrecomputed(&k, tab, s).Bytes()
	} else {
		r = ristretto.NewElement().VarTimeDoubleScalarBaseMult(&k, p.negA, s).Bytes()
	}
	ok := constantTimeEq(r[:], sig[:32])
	if ok && tab == nil {
		p.countValid()
	}
	return ok
}

// maxTabledKeys bounds how many live PublicKeys hold tables at once (about
// 10 KiB each, so 10 MiB): anyone can make fresh keys sign twice, and
// without a bound a verifier's key cache (synapse keeps up to 8,192 keys)
// could be made to hold ~80 MB of tables. A key over the budget verifies on
// the generic path and tries again at its next valid signature. A variable
// so that tests can lower it.
var maxTabledKeys int64 = 1024

// tabledKeys counts the live PublicKeys holding tables; a key's cleanup
// gives its slot back once the garbage collector has freed the key.
var tabledKeys atomic.Int64

// countValid builds the precomputed tables once the key has made two valid
// signatures: a key that only ever shows up once (or only with bad
// signatures) never costs the build or the memory. One call at a time
// builds (building); concurrent ones keep taking the generic path until the
// tables are stored.
func (p *PublicKey) countValid() {
	if p.valid.Add(1) < 2 || !p.building.CompareAndSwap(false, true) {
		return
	}
	if tabledKeys.Add(1) > maxTabledKeys {
		tabledKeys.Add(-1)
		p.building.Store(false)
		return
	}
	p.table.Store(ristretto.NewPrecomputed(p.negA))
	runtime.AddCleanup(p, func(struct{}) { tabledKeys.Add(-1) }, struct{}{})
}

// VerifyWrapped is Verify with the polkadot-js "<Bytes>…</Bytes>" fallback
// (see the package-level VerifyWrapped).
func (p *PublicKey) VerifyWrapped(msg, sig []byte) bool {
	if p.Verify(msg, sig) {
		return true
	}
	w := make([]byte, 0, len(msg)+15)
	w = append(append(append(w, "<Bytes>"...), msg...), "</Bytes>"...)
	return p.Verify(w, sig)
}

// constantTimeEq compares two equal-length public byte strings (R is public;
// constant time only keeps the comparison boring).
func constantTimeEq(a, b []byte) bool {
	if len(a) != len(b) {
		return false
	}
	var v byte
	for i := range a {
		v |= a[i] ^ b[i]
	}
	return v == 0
}
