package timelock

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"testing"

	"github.com/drand/kyber"
	kbls "github.com/drand/kyber-bls12381"
	"github.com/drand/kyber/sign/bls"
)

// quicknetScheme is drand's bls-unchained-g1-rfc9380 scheme in drand's own
// library: kyber's BLS on G1 over kyber-bls12381, whose default G1 DST is
// quicknet's.
func quicknetScheme() (*kbls.Suite, interface {
	Verify(kyber.Point, []byte, []byte) error
}) {
	suite := kbls.NewBLS12381Suite().(*kbls.Suite)
	return suite, bls.NewSchemeOnG1(suite)
}

// TestQuicknetBeaconVerifiesWithKyber: the real round-1000 beacon verifies
// under drand/kyber against our Quicknet public key for message
// Identity(1000), so the key, the identity and the scheme are drand's; the
// invalid signature does not.
func TestQuicknetBeaconVerifiesWithKyber(t *testing.T) {
	suite, scheme := quicknetScheme()
	pk := suite.G2().Point()
	if err := pk.UnmarshalBinary(Quicknet.PublicKey); err != nil {
		t.Fatal(err)
	}
	if err := scheme.Verify(pk, Identity(quicknetRound), unhex(t, quicknetSig)); err != nil {
		t.Fatalf("real beacon does not verify: %v", err)
	}
	if err := scheme.Verify(pk, Identity(quicknetRound), unhex(t, badQuicknetSig)); err == nil {
		t.Fatal("invalid beacon verified")
	}
	if err := scheme.Verify(pk, Identity(quicknetRound+1), unhex(t, quicknetSig)); err == nil {
		t.Fatal("beacon verified for another round")
	}
}

// kyberOpen opens a ciphertext of ours with drand/kyber's BLS12-381
// (kyber-bls12381, a different pairing implementation from the circl one
// Decrypt uses): sigma = V ⊕ H2(e(sig, U)), key = W ⊕ H4(sigma), check
// U = H3(sigma, key)·G2, then AES-GCM.
func kyberOpen(t *testing.T, ctBytes, sig []byte) ([]byte, error) {
	suite, _ := quicknetScheme()
	ct, _, err := Decode(ctBytes)
	if err != nil {
		return nil, err
	}
	u := suite.G2().Point()
	if err := u.UnmarshalBinary(ct.U.BytesCompressed()); err != nil {
		return nil, err
	}
	s := suite.G1().Point()
	if err := s.UnmarshalBinary(sig); err != nil {
		return nil, err
	}
	gt, err := suite.Pair(s, u).MarshalBinary()
	if err != nil {
		return nil, err
	}
	// kyber-bls12381 (kilic) also writes Fq12 from the top coefficient down,
	// big-endian: reversed, it is arkworks' layout.
	for i, j := 0, len(gt)-1; i < j; i, j = i+1, j-1 {
		gt[i], gt[j] = gt[j], gt[i]
	}
	h := sha256.Sum256(gt)
	sigma := xorBytes(ct.V, h[:])
	hs := sha256.Sum256(sigma)
	key := xorBytes(ct.W, hs[:])
	rh := sha256.Sum256(append(append([]byte{}, sigma...), key...))
	r := suite.G2().Scalar().SetBytes(rh[:]) // big-endian, reduced mod the group order
	if !suite.G2().Point().Mul(r, nil).Equal(u) {
		return nil, errors.New("U check failed")
	}
	aesCT, nonce, err := ct.AES()
	if err != nil {
		return nil, err
	}
	return gcmOpen(key, nonce, aesCT)
}

func xorBytes(a, b []byte) []byte {
	out := make([]byte, len(a))
	for i := range a {
		out[i] = a[i] ^ b[i]
	}
	return out
}

// TestKyberDecryptsOurs: kyber's pairing opens our ciphertexts with the real
// round-1000 beacon.
func TestKyberDecryptsOurs(t *testing.T) {
	for i, pt := range testPayloads() {
		ct, err := Encrypt(Quicknet.PublicKey, quicknetRound, pt, nil)
		if err != nil {
			t.Fatal(err)
		}
		got, err := kyberOpen(t, ct, unhex(t, quicknetSig))
		if err != nil || !bytes.Equal(got, pt) {
			t.Errorf("payload %d: kyber opened %x, %v", i, got, err)
		}
	}
}
