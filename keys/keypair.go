package keys

import (
	"crypto/rand"
	"crypto/sha512"
	"errors"
	"fmt"
	"strings"

	"filippo.io/edwards25519"
	schnorrkel "github.com/ChainSafe/go-schnorrkel"
	bip39 "github.com/cosmos/go-bip39"

	"github.com/taonet/taonet/keys/internal/ristretto"
)

// SigningContext is the schnorrkel signing context Substrate (and Bittensor)
// use for account signatures.
const SigningContext = "substrate"

// SignatureSize is the length of an sr25519 signature.
const SignatureSize = 64

// Keypair is an sr25519 key pair. The secret is always present; the
// mini-secret seed and the mnemonic are kept when the pair was made from them
// so that wallet files can store them (secretSeed / secretPhrase).
type Keypair struct {
	pub      [32]byte
	key      [32]byte              // schnorrkel secret scalar (SecretKey::to_bytes()[..32])
	nonce    [32]byte              // schnorrkel signing nonce seed (SecretKey::to_bytes()[32..])
	secret   *schnorrkel.SecretKey // for derivation (suri.go)
	x        *edwards25519.Scalar  // the secret scalar, decoded once; read-only after construction
	seed     [32]byte
	hasSeed  bool
	mnemonic string
}

// FromSeed builds the keypair of a 32-byte mini-secret (Substrate
// "secretSeed") with schnorrkel's Ed25519-mode expansion.
func FromSeed(seed [32]byte) (*Keypair, error) {
	msk, err := schnorrkel.NewMiniSecretKeyFromRaw(seed)
	if err != nil {
		return nil, fmt.Errorf("keys: mini-secret: %w", err)
	}
	sk := msk.ExpandEd25519()
	// ExpandEd25519 keeps the nonce private; it is the upper half of
	// SHA-512(mini-secret) (schnorrkel keys.rs, ExpansionMode::Ed25519).
	h := sha512.Sum512(seed[:])
	var nonce [32]byte
	copy(nonce[:], h[32:])
	kp, err := fromSecret(sk.Encode(), nonce)
	if err != nil {
		return nil, err
	}
	kp.seed, kp.hasSeed = seed, true
	return kp, nil
}

// FromPrivateKey builds a keypair from a 64-byte schnorrkel secret key
// (SecretKey::to_bytes(): 32-byte scalar ‖ 32-byte nonce), the "privateKey"
// field of a Bittensor keyfile.
func FromPrivateKey(priv [64]byte) (*Keypair, error) {
	var key, nonce [32]byte
	copy(key[:], priv[:32])
	copy(nonce[:], priv[32:])
	return fromSecret(key, nonce)
}

// FromEd25519Bytes builds a keypair from a secret in schnorrkel's
// "Ed25519 bytes" form (SecretKey::from_ed25519_bytes: the scalar times the
// cofactor ‖ nonce), the form polkadot-js stores in PKCS#8 JSON backups.
func FromEd25519Bytes(b [64]byte) (*Keypair, error) {
	sk := schnorrkel.NewSecretKeyFromEd25519Bytes(b)
	var nonce [32]byte
	copy(nonce[:], b[32:])
	return fromSecret(sk.Encode(), nonce)
}

func fromSecret(key, nonce [32]byte) (*Keypair, error) {
	// Like schnorrkel's SecretKey::from_bytes, the scalar must be canonical
	// (below the group order ℓ).
	x, err := edwards25519.NewScalar().SetCanonicalBytes(key[:])
	if err != nil {
		return nil, fmt.Errorf("keys: invalid secret scalar: %w", err)
	}
	kp := &Keypair{key: key, nonce: nonce, secret: schnorrkel.NewSecretKey(key, nonce), x: x}
	kp.pub = ristretto.NewElement().ScalarBaseMult(x).Bytes()
	return kp, nil
}

// normalizeMnemonic collapses whitespace so "a  b\n c" and "a b c" are one phrase.
func normalizeMnemonic(phrase string) string {
	return strings.Join(strings.Fields(phrase), " ")
}

// ErrInvalidMnemonic is returned for phrases that are not valid English
// BIP39 mnemonics (unknown word, wrong word count or bad checksum).
var ErrInvalidMnemonic = errors.New("keys: invalid mnemonic")

// FromMnemonic derives the keypair of a BIP39 mnemonic the Substrate way
// (substrate-bip39: PBKDF2-HMAC-SHA512 over the entropy, salt
// "mnemonic"+password, 2048 rounds; first 32 bytes = mini-secret). Bittensor
// always uses password "". The phrase is kept for wallet files.
func FromMnemonic(phrase, password string) (*Keypair, error) {
	phrase = normalizeMnemonic(phrase)
	if !bip39.IsMnemonicValid(phrase) {
		return nil, fmt.Errorf("%w: need 12, 15, 18, 21 or 24 words from the English BIP39 list", ErrInvalidMnemonic)
	}
	seed64, err := schnorrkel.SeedFromMnemonic(phrase, password)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidMnemonic, err)
	}
	var seed [32]byte
	copy(seed[:], seed64[:32])
	kp, err := FromSeed(seed)
	if err != nil {
		return nil, err
	}
	kp.mnemonic = phrase
	return kp, nil
}

// GenerateMnemonic returns a fresh English BIP39 mnemonic of 12, 15, 18, 21
// or 24 words from crypto/rand.
func GenerateMnemonic(words int) (string, error) {
	switch words {
	case 12, 15, 18, 21, 24:
	default:
		return "", fmt.Errorf("keys: mnemonic length %d words not supported (12, 15, 18, 21 or 24)", words)
	}
	ent, err := bip39.NewEntropy(words * 32 / 3)
	if err != nil {
		return "", fmt.Errorf("keys: entropy: %w", err)
	}
	return bip39.NewMnemonic(ent)
}

// Generate returns a keypair for a freshly generated mnemonic of the given
// word count (the mnemonic is retrievable with Mnemonic).
func Generate(words int) (*Keypair, error) {
	m, err := GenerateMnemonic(words)
	if err != nil {
		return nil, err
	}
	return FromMnemonic(m, "")
}

// PublicKey returns the 32-byte sr25519 public key (the Substrate AccountId).
func (k *Keypair) PublicKey() [32]byte { return k.pub }

// SS58Address returns the prefix-42 SS58 address of the public key.
func (k *Keypair) SS58Address() string { return SS58Encode(k.pub) }

// String identifies the pair by its address only, so formatting a Keypair
// (%v, %s, %+v) can never leak the secret.
func (k *Keypair) String() string {
	if k == nil {
		return "sr25519(nil)"
	}
	return "sr25519(" + k.SS58Address() + ")"
}

// GoString is String for %#v.
func (k *Keypair) GoString() string { return k.String() }

// Seed returns the 32-byte mini-secret and true when the pair was created
// from a seed, mnemonic or an all-hard derivation path; false after a soft
// derivation or when created from a bare private key.
func (k *Keypair) Seed() ([32]byte, bool) { return k.seed, k.hasSeed }

// Mnemonic returns the mnemonic the pair was made from, or "" (also "" for
// URIs with a derivation path, whose key is not the phrase's own key).
func (k *Keypair) Mnemonic() string { return k.mnemonic }

// PrivateKey returns schnorrkel's SecretKey::to_bytes(): scalar ‖ nonce, the
// "privateKey" field of Bittensor keyfiles.
func (k *Keypair) PrivateKey() [64]byte {
	var out [64]byte
	copy(out[:32], k.key[:])
	copy(out[32:], k.nonce[:])
	return out
}

// Sign returns a 64-byte sr25519 signature of msg under the "substrate"
// signing context. Signatures are randomized: signing twice gives different
// bytes that both verify.
//
// This is schnorrkel's Schnorr-over-transcript signature (sign.rs) written
// out, rather than go-schnorrkel's SecretKey.Sign: the transcript is
// schnorrkel's (Merlin, labels proto-name "Schnorr-sig", sign:pk, sign:R,
// challenge sign:c; see challenge), run on package merlin's allocation-free
// transcript, the group arithmetic is package ristretto's
// (edwards25519 underneath, several times faster than the pure-Go
// gtank/ristretto255 go-schnorrkel uses), and the encoded public key and the
// decoded secret scalar are computed once when the pair is built.
func (k *Keypair) Sign(msg []byte) ([]byte, error) {
	if k == nil || k.x == nil {
		return nil, errEmptyKeypair
	}
	// r is a fresh uniform scalar (go-schnorrkel does the same; Rust
	// schnorrkel also mixes in the nonce seed, which verifiers cannot see).
	r, err := randomScalar()
	if err != nil {
		return nil, fmt.Errorf("keys: sign: %w", err)
	}
	sig := make([]byte, 0, SignatureSize)
	sig = ristretto.NewElement().ScalarBaseMult(r).Encode(sig) // R = r·B, constant time
	var c edwards25519.Scalar
	if err := challenge(&c, msg, k.pub[:], sig); err != nil {
		return nil, fmt.Errorf("keys: sign: %w", err)
	}
	s := edwards25519.NewScalar().MultiplyAdd(&c, k.x, r) // k.x is shared: never a receiver
	sig = append(sig, s.Bytes()...)
	sig[63] |= 0x80 // schnorrkel marks its signatures apart from Ed25519
	return sig, nil
}

// errEmptyKeypair: a Keypair's zero value (or nil) has no secret to sign with.
var errEmptyKeypair = errors.New("keys: sign with an empty keypair")

// randomScalar returns a uniform non-zero scalar from crypto/rand (64 bytes
// reduced mod ℓ, as go-schnorrkel's NewRandomScalar, which also refuses 0).
func randomScalar() (*edwards25519.Scalar, error) {
	var wide [64]byte
	if _, err := rand.Read(wide[:]); err != nil {
		return nil, err
	}
	r, err := edwards25519.NewScalar().SetUniformBytes(wide[:])
	if err != nil {
		return nil, err
	}
	if r.Equal(edwards25519.NewScalar()) == 1 {
		return nil, errors.New("random scalar was zero")
	}
	return r, nil
}

// Verify reports whether sig is a valid sr25519 signature of msg by this pair.
func (k *Keypair) Verify(msg, sig []byte) bool { return Verify(k.pub, msg, sig) }

// Verify reports whether sig is a valid 64-byte sr25519 signature of msg
// (context "substrate") by the public key pub. Malformed keys or signatures
// give false, never a panic. The decoded key is kept in a bounded
// process-wide cache (see cachedPublicKey), so a signer seen again costs
// neither the decoding nor, from its second signature on, the generic
// scalar multiplication.
func Verify(pub [32]byte, msg, sig []byte) bool {
	pk, err := cachedPublicKey(pub)
	return err == nil && pk.Verify(msg, sig)
}

// VerifyWrapped is Verify with the polkadot-js compatibility fallback that
// Python's substrate-interface Keypair.verify applies: if the raw message
// does not verify, try it wrapped as "<Bytes>" + msg + "</Bytes>" (how
// browser extensions sign raw payloads).
func VerifyWrapped(pub [32]byte, msg, sig []byte) bool {
	pk, err := cachedPublicKey(pub)
	return err == nil && pk.VerifyWrapped(msg, sig)
}

// VerifySS58 is Verify with the signer given as a prefix-42 SS58 address;
// an unparsable address gives false.
func VerifySS58(addr string, msg, sig []byte) bool {
	pub, err := SS58Decode(addr)
	if err != nil {
		return false
	}
	return Verify(pub, msg, sig)
}

// randomNonce returns fresh schnorrkel nonce bytes; soft derivation picks its
// nonce at random in schnorrkel too (witness_bytes over thread_rng).
func randomNonce() ([32]byte, error) {
	var n [32]byte
	_, err := rand.Read(n[:])
	return n, err
}
