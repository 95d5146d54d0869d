package keys

import (
	"github.com/taonet/taonet/bench/threadcpu"

	"testing"

	schnorrkel "github.com/ChainSafe/go-schnorrkel"
	"pgregory.net/rapid"
)

// referenceVerify is go-schnorrkel's verification, the implementation
// PublicKey.Verify replaced.
func referenceVerify(pub [32]byte, msg, sig []byte) bool {
	if len(sig) != SignatureSize {
		return false
	}
	pk, err := schnorrkel.NewPublicKey(pub)
	if err != nil {
		return false
	}
	var sb [SignatureSize]byte
	copy(sb[:], sig)
	s := new(schnorrkel.Signature)
	if err := s.Decode(sb); err != nil {
		return false
	}
	ok, err := pk.Verify(s, schnorrkel.NewSigningContext([]byte(SigningContext), msg))
	return err == nil && ok
}

// TestVerifyAgreesWithGoSchnorrkel: on genuine signatures and on every kind of
// tampering (a flipped bit anywhere in the key, message or signature, a
// non-canonical s, a cleared schnorrkel marker) both verifiers give the same
// answer.
func TestVerifyAgreesWithGoSchnorrkel(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		var seed [32]byte
		copy(seed[:], rapid.SliceOfN(rapid.Byte(), 32, 32).Draw(t, "seed"))
		kp, err := FromSeed(seed)
		if err != nil {
			t.Fatal(err)
		}
		msg := rapid.SliceOfN(rapid.Byte(), 0, 200).Draw(t, "msg")
		sig, err := kp.Sign(msg)
		if err != nil {
			t.Fatal(err)
		}
		pub := kp.PublicKey()
		if !Verify(pub, msg, sig) || !referenceVerify(pub, msg, sig) {
			t.Fatal("genuine signature rejected")
		}
		switch rapid.IntRange(0, 4).Draw(t, "tamper") {
		case 0: // flip a bit of the signature
			i := rapid.IntRange(0, 511).Draw(t, "bit")
			sig[i/8] ^= 1 << (i % 8)
		case 1: // flip a bit of the public key
			i := rapid.IntRange(0, 255).Draw(t, "bit")
			pub[i/8] ^= 1 << (i % 8)
		case 2: // change the message
			msg = append(msg, rapid.Byte().Draw(t, "extra"))
		case 3: // s + l: same value mod l, not canonical
			l := [32]byte{0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
				0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10}
			sig[63] &= 0x7f
			var carry uint16
			for i := range 32 {
				v := uint16(sig[32+i]) + uint16(l[i]) + carry
				sig[32+i], carry = byte(v), v>>8
			}
			sig[63] |= 0x80
		case 4: // an Ed25519-style signature without the schnorrkel marker
			sig[63] &= 0x7f
		}
		got, want := Verify(pub, msg, sig), referenceVerify(pub, msg, sig)
		if got != want {
			t.Fatalf("Verify=%v, go-schnorrkel=%v for pub %x msg %x sig %x", got, want, pub, msg, sig)
		}
	})
}

func TestParsePublicKey(t *testing.T) {
	if _, err := ParsePublicKey([32]byte{}); err == nil {
		t.Fatal("identity accepted")
	}
	var bad [32]byte
	for i := range bad {
		bad[i] = 0xff // not canonical
	}
	if _, err := ParsePublicKey(bad); err == nil {
		t.Fatal("non-canonical key accepted")
	}
	alice, _ := FromURI("//Alice")
	pk, err := ParsePublicKey(alice.PublicKey())
	if err != nil || pk.Bytes() != alice.PublicKey() {
		t.Fatal(err)
	}
	sig, _ := alice.Sign([]byte("x"))
	if !pk.Verify([]byte("x"), sig) || pk.Verify([]byte("y"), sig) || pk.Verify([]byte("x"), sig[:63]) {
		t.Fatal("PublicKey.Verify")
	}
	var nilKey *PublicKey
	if nilKey.Verify([]byte("x"), sig) {
		t.Fatal("nil key verified")
	}
}

func BenchmarkPublicKeyVerify(b *testing.B) {
	alice, _ := FromURI("//Alice")
	pk, _ := ParsePublicKey(alice.PublicKey())
	msg := []byte("1700000000000000000.5Grw.5FHn.uuid.7d572de8b8df200488c8c72bb6a1588ac7073e7c32d036d196ba7f7b2ada3e3f")
	sig, _ := alice.Sign(msg)
	defer threadcpu.PerOp(b)()
	for b.Loop() {
		if !pk.Verify(msg, sig) {
			b.Fatal("rejected")
		}
	}
}

// BenchmarkVerifyGoSchnorrkel is the replaced verifier, for the ratio.
func BenchmarkVerifyGoSchnorrkel(b *testing.B) {
	alice, _ := FromURI("//Alice")
	msg := []byte("1700000000000000000.5Grw.5FHn.uuid.7d572de8b8df200488c8c72bb6a1588ac7073e7c32d036d196ba7f7b2ada3e3f")
	sig, _ := alice.Sign(msg)
	pub := alice.PublicKey()
	defer threadcpu.PerOp(b)()
	for b.Loop() {
		if !referenceVerify(pub, msg, sig) {
			b.Fatal("rejected")
		}
	}
}

// BenchmarkPublicKeyVerifyFirstUse is a signer's first verification: decode
// the key, generic scalar multiplication, no tables.
func BenchmarkPublicKeyVerifyFirstUse(b *testing.B) {
	alice, _ := FromURI("//Alice")
	msg := []byte("1700000000000000000.5Grw.5FHn.uuid.7d572de8b8df200488c8c72bb6a1588ac7073e7c32d036d196ba7f7b2ada3e3f")
	sig, _ := alice.Sign(msg)
	defer threadcpu.PerOp(b)()
	for b.Loop() {
		pk, err := ParsePublicKey(alice.PublicKey())
		if err != nil || !pk.Verify(msg, sig) {
			b.Fatal("rejected")
		}
	}
}

// BenchmarkSignGoSchnorrkel is go-schnorrkel's SecretKey.Sign, for the ratio.
func BenchmarkSignGoSchnorrkel(b *testing.B) {
	alice, _ := FromURI("//Alice")
	defer threadcpu.PerOp(b)()
	for b.Loop() {
		if _, err := alice.secret.Sign(schnorrkel.NewSigningContext([]byte(SigningContext), benchMsg)); err != nil {
			b.Fatal(err)
		}
	}
}
