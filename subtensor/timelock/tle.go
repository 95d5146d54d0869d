package timelock

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	bls "github.com/cloudflare/circl/ecc/bls12381"
)

// DST is quicknet's hash-to-G1 domain separation tag (RFC 9380 suite
// BLS12381G1_XMD:SHA-256_SSWU_RO_ with the BLS signature prefix), the one
// tle's TinyBLS381 hashes identities with.
const DST = "BLS_SIG_BLS12381G1_XMD:SHA-256_SSWU_RO_NUL_"

// CipherSuite is tle's AESGCMStreamCipherProvider::CIPHER_SUITE.
const CipherSuite = "AES_GCM_"

const (
	keySize   = 32 // the IBE-wrapped AES-256 key and sigma
	nonceSize = 12 // AES-GCM nonce
)

// ErrWrongSignature is returned when a signature does not open a ciphertext:
// it is not the beacon signature of the round the ciphertext was made for.
var ErrWrongSignature = errors.New("timelock: the signature does not open this ciphertext (not the round it was encrypted to)")

// Identity is the IBE identity of a drand round: sha256 of the round number
// as a big-endian u64 (the message quicknet signs).
func Identity(round uint64) []byte {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], round)
	h := sha256.Sum256(b[:])
	return h[:]
}

// Encrypt timelock-encrypts msg to round of the beacon whose public key is
// pub (compressed G2), as tle's tle::<TinyBLS381, AESGCMStreamCipherProvider>
// does, and returns the ark-serialize compressed TLECiphertext. Randomness
// comes from r (crypto/rand when nil).
func Encrypt(pub []byte, round uint64, msg []byte, r io.Reader) ([]byte, error) {
	if r == nil {
		r = rand.Reader
	}
	if len(pub) != bls.G2SizeCompressed {
		return nil, fmt.Errorf("timelock: beacon public key is %d bytes, want a %d-byte compressed G2 point", len(pub), bls.G2SizeCompressed)
	}
	var ppub bls.G2
	if err := setCompressed(&ppub, pub); err != nil {
		return nil, fmt.Errorf("timelock: beacon public key is not a G2 point: %w", err)
	}
	var key, sigma [keySize]byte
	nonce := make([]byte, nonceSize)
	for _, b := range [][]byte{key[:], sigma[:], nonce} {
		if _, err := io.ReadFull(r, b); err != nil {
			return nil, fmt.Errorf("timelock: randomness: %w", err)
		}
	}
	ct := &Ciphertext{CipherSuite: []byte(CipherSuite)}
	ct.U, ct.V, ct.W = ibeEncrypt(&ppub, Identity(round), &key, &sigma)
	body, err := sealAES(key[:], nonce, msg)
	if err != nil {
		return nil, err
	}
	ct.Body = body
	return ct.Bytes(), nil
}

// ibeEncrypt is BF-IBE FullIdent as tle's Identity::encrypt computes it:
// r = H3(sigma, m), U = r·G2, V = sigma ⊕ H2(e(Q_id, r·P_pub)),
// W = m ⊕ H4(sigma).
func ibeEncrypt(ppub *bls.G2, id []byte, m, sigma *[keySize]byte) (u *bls.G2, v, w []byte) {
	r := h3(sigma[:], m[:])
	u = new(bls.G2)
	u.ScalarMult(r, bls.G2Generator())
	var rp bls.G2
	rp.ScalarMult(r, ppub)
	var q bls.G1
	q.Hash(id, []byte(DST))
	v = xor32(sigma[:], h2(bls.Pair(&q, &rp)))
	w = xor32(m[:], h4(sigma[:]))
	return u, v, w
}

// Decrypt opens a TLECiphertext with a beacon signature (compressed G1, 48
// bytes) of the round it was encrypted to, as tle's tld does. Bytes after
// the ciphertext are ignored, as the chain's ark-serialize reader does.
func Decrypt(ciphertext, signature []byte) ([]byte, error) {
	ct, _, err := Decode(ciphertext)
	if err != nil {
		return nil, err
	}
	return ct.Open(signature)
}

// Open decrypts ct with a beacon signature.
func (ct *Ciphertext) Open(signature []byte) ([]byte, error) {
	var sig bls.G1
	if len(signature) != bls.G1SizeCompressed {
		return nil, fmt.Errorf("timelock: signature is %d bytes, want a %d-byte compressed G1 point", len(signature), bls.G1SizeCompressed)
	}
	if err := setCompressed(&sig, signature); err != nil {
		return nil, fmt.Errorf("timelock: signature is not a G1 point: %w", err)
	}
	key, err := ibeDecrypt(&sig, ct.U, ct.V, ct.W)
	if err != nil {
		return nil, err
	}
	aesCT, nonce, err := ct.AES()
	if err != nil {
		return nil, err
	}
	if len(nonce) != nonceSize {
		return nil, fmt.Errorf("timelock: AES-GCM nonce is %d bytes, want %d", len(nonce), nonceSize)
	}
	gcm, err := newGCM(key)
	if err != nil {
		return nil, err
	}
	pt, err := gcm.Open(nil, nonce, aesCT, nil)
	if err != nil {
		return nil, fmt.Errorf("timelock: AES-GCM: %w", err)
	}
	return pt, nil
}

// ibeDecrypt is tle's IBESecret::decrypt: sigma = V ⊕ H2(e(sig, U)),
// m = W ⊕ H4(sigma), and the check U == H3(sigma, m)·G2.
func ibeDecrypt(sig *bls.G1, u *bls.G2, v, w []byte) ([]byte, error) {
	if len(v) != keySize || len(w) != keySize {
		return nil, fmt.Errorf("timelock: IBE ciphertext parts are %d and %d bytes, want %d", len(v), len(w), keySize)
	}
	sigma := xor32(v, h2(bls.Pair(sig, u)))
	m := xor32(w, h4(sigma))
	var check bls.G2
	check.ScalarMult(h3(sigma, m), bls.G2Generator())
	if !check.IsEqual(u) {
		return nil, ErrWrongSignature
	}
	return m, nil
}

// newGCM is AES-256-GCM with the standard 12-byte nonce, tle's stream cipher.
func newGCM(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

func sealAES(key, nonce, msg []byte) ([]byte, error) {
	gcm, err := newGCM(key)
	if err != nil {
		return nil, err
	}
	// tle's AESOutput {ciphertext (with the 16-byte tag), nonce}, serialized
	// as the TLECiphertext body.
	var out []byte
	out = appendVec(out, gcm.Seal(nil, nonce, msg, nil))
	return appendVec(out, nonce), nil
}

// h2 hashes a pairing result: sha256 of its ark-serialize encoding.
func h2(gt *bls.Gt) []byte {
	h := sha256.Sum256(arkGT(gt))
	return h[:]
}

// h3 maps sha256(a‖b), read big-endian and reduced mod r, to a scalar
// (arkworks' from_be_bytes_mod_order).
func h3(a, b []byte) *bls.Scalar {
	h := sha256.New()
	h.Write(a)
	h.Write(b)
	s := new(bls.Scalar)
	s.SetBytes(h.Sum(nil))
	return s
}

// h4 is sha256 truncated to the input's length (32 bytes here).
func h4(a []byte) []byte {
	h := sha256.Sum256(a)
	return h[:len(a)]
}

func xor32(a, b []byte) []byte {
	out := make([]byte, keySize)
	subtle.XORBytes(out, a[:keySize], b[:keySize])
	return out
}

// arkGT is the ark-serialize encoding of a BLS12-381 target-group element
// (an Fq12 = c0 + c1·w over Fq6 = c0 + c1·v + c2·v² over Fq2 = c0 + c1·u):
// the twelve Fq coefficients from c0.c0.c0 to c1.c2.c1, each 48 bytes
// little-endian. circl marshals the same tower from the highest
// coefficient down, each big-endian, so the arkworks bytes are circl's
// reversed.
func arkGT(gt *bls.Gt) []byte {
	b, err := gt.MarshalBinary()
	if err != nil {
		panic(err) // circl's Gt marshal cannot fail
	}
	for i, j := 0, len(b)-1; i < j; i, j = i+1, j-1 {
		b[i], b[j] = b[j], b[i]
	}
	return b
}
