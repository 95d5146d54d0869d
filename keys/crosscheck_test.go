package keys

import (
	"bytes"
	"math/rand/v2"
	"sync"
	"testing"

	schnorrkel "github.com/ChainSafe/go-schnorrkel"
)

// groupOrder is ℓ = 2^252 + 27742317777372353535851937790883648493, little endian.
var groupOrder = [32]byte{0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10}

// mutateSignature returns a tampered copy of (pub, msg, sig), one kind of
// tampering per value of kind, chosen to hit every rejection path of both
// verifiers: wrong key, wrong message, a flipped bit anywhere in R or s,
// s + ℓ (same value, not canonical), a cleared schnorrkel marker, R or the
// key replaced by a non-canonical encoding (p + small, or bit 255 set) or by
// random bytes, a truncated or extended signature.
func mutateSignature(rng *rand.Rand, kind int, pub [32]byte, msg, sig []byte) ([32]byte, []byte, []byte) {
	msg = append([]byte(nil), msg...)
	sig = append([]byte(nil), sig...)
	switch kind {
	case 0:
		i := rng.IntN(512)
		sig[i/8] ^= 1 << (i % 8)
	case 1:
		i := rng.IntN(256)
		pub[i/8] ^= 1 << (i % 8)
	case 2:
		msg = append(msg, byte(rng.Uint32()))
	case 3:
		sig[63] &= 0x7f
		var carry uint16
		for i := range 32 {
			v := uint16(sig[32+i]) + uint16(groupOrder[i]) + carry
			sig[32+i], carry = byte(v), v>>8
		}
		sig[63] |= 0x80
	case 4:
		sig[63] &= 0x7f
	case 5: // R := p + R (non-canonical when R < 19) or R with bit 255 set
		if rng.IntN(2) == 0 {
			sig[31] |= 0x80
		} else {
			copy(sig[:32], nonCanonicalSmall(rng))
		}
	case 6:
		if rng.IntN(2) == 0 {
			pub[31] |= 0x80
		} else {
			copy(pub[:], nonCanonicalSmall(rng))
		}
	case 7:
		for i := range pub {
			pub[i] = byte(rng.Uint32())
		}
	case 8:
		for i := range 32 {
			sig[i] = byte(rng.Uint32())
		}
	case 9:
		if rng.IntN(2) == 0 {
			sig = sig[:rng.IntN(len(sig))]
		} else {
			sig = append(sig, 0)
		}
	}
	return pub, msg, sig
}

const mutationKinds = 10

// nonCanonicalSmall is p + k for k in [0, 19): a field encoding ≥ p of a
// small value, which canonical decoders must refuse.
func nonCanonicalSmall(rng *rand.Rand) []byte {
	b := bytes.Repeat([]byte{0xff}, 32)
	b[0] = 0xed + byte(rng.IntN(19))
	b[31] = 0x7f
	return b
}

// TestSignaturesCrossVerifyWithGoSchnorrkel: for 1000 random keys and
// messages, a signature from Sign verifies under go-schnorrkel, a signature
// from go-schnorrkel's SecretKey.Sign verifies under Verify, and on every
// kind of tampering Verify and go-schnorrkel give the same answer.
func TestSignaturesCrossVerifyWithGoSchnorrkel(t *testing.T) {
	// Every kept key below must get tables, faster than the collector hands
	// back the slots of the ones before it: lift the process-wide budget.
	defer withTableBudget(1 << 20)()
	n := 1000
	if testing.Short() || raceEnabled {
		n = 100
	}
	rng := rand.New(rand.NewChaCha8([32]byte{'s', 'r', '2', '5', '5', '1', '9'}))
	rejected := 0
	for i := range n {
		var seed [32]byte
		for j := range seed {
			seed[j] = byte(rng.Uint32())
		}
		kp, err := FromSeed(seed)
		if err != nil {
			t.Fatal(err)
		}
		msg := make([]byte, rng.IntN(300))
		for j := range msg {
			msg[j] = byte(rng.Uint32())
		}
		pub := kp.PublicKey()

		sig, err := kp.Sign(msg)
		if err != nil {
			t.Fatal(err)
		}
		if !referenceVerify(pub, msg, sig) {
			t.Fatalf("#%d: go-schnorrkel rejects our signature: pub %x msg %x sig %x", i, pub, msg, sig)
		}
		if !Verify(pub, msg, sig) {
			t.Fatalf("#%d: Verify rejects our signature", i)
		}

		theirs, err := kp.secret.Sign(schnorrkel.NewSigningContext([]byte(SigningContext), msg))
		if err != nil {
			t.Fatal(err)
		}
		enc := theirs.Encode()
		if !Verify(pub, msg, enc[:]) {
			t.Fatalf("#%d: Verify rejects go-schnorrkel's signature %x", i, enc)
		}

		// A kept PublicKey: its first verification takes the generic path,
		// the second builds the precomputed tables, the mutations below use them.
		pk, err := ParsePublicKey(pub)
		if err != nil {
			t.Fatal(err)
		}
		if !pk.Verify(msg, sig) || !pk.Verify(msg, enc[:]) || pk.table.Load() == nil {
			t.Fatalf("#%d: kept PublicKey rejects a genuine signature or built no tables", i)
		}

		for kind := range mutationKinds {
			p, m, s := mutateSignature(rng, kind, pub, msg, sig)
			want := referenceVerify(p, m, s)
			// Three paths: the package-level Verify (through the key cache),
			// a freshly parsed key (generic scalar multiplication), and the
			// kept key with its tables.
			got := Verify(p, m, s)
			fresh, err := ParsePublicKey(p)
			gotFresh := err == nil && fresh.Verify(m, s)
			if got != want || gotFresh != want {
				t.Fatalf("#%d mutation %d: Verify=%v fresh PublicKey.Verify=%v go-schnorrkel=%v (pub %x msg %x sig %x)", i, kind, got, gotFresh, want, p, m, s)
			}
			if p == pub && pk.Verify(m, s) != want {
				t.Fatalf("#%d mutation %d: precomputed PublicKey.Verify=%v go-schnorrkel=%v (msg %x sig %x)", i, kind, !want, want, m, s)
			}
			if !got {
				rejected++
			}
		}
	}
	// Every mutation kind but none should almost always be a rejection; make
	// sure the comparison above was not vacuous.
	if rejected < n*mutationKinds*9/10 {
		t.Fatalf("only %d of %d tampered signatures rejected", rejected, n*mutationKinds)
	}
}

// TestParsePublicKeyAgreesWithGoSchnorrkel: the keys ParsePublicKey accepts
// are exactly go-schnorrkel's minus the identity, on valid keys, flipped
// bits, non-canonical and random encodings.
func TestParsePublicKeyAgreesWithGoSchnorrkel(t *testing.T) {
	rng := rand.New(rand.NewChaCha8([32]byte{'p', 'k'}))
	alice, _ := FromURI("//Alice")
	for i := range 3000 {
		pub := alice.PublicKey()
		switch i % 3 {
		case 0:
			bit := rng.IntN(256)
			pub[bit/8] ^= 1 << (bit % 8)
		case 1:
			copy(pub[:], nonCanonicalSmall(rng))
		case 2:
			for j := range pub {
				pub[j] = byte(rng.Uint32())
			}
		}
		checkParseAgrees(t, pub)
	}
	checkParseAgrees(t, [32]byte{})
	checkParseAgrees(t, alice.PublicKey())
}

func checkParseAgrees(t *testing.T, pub [32]byte) {
	t.Helper()
	_, errOurs := ParsePublicKey(pub)
	_, errRef := schnorrkel.NewPublicKey(pub)
	want := errRef == nil && pub != [32]byte{}
	if (errOurs == nil) != want {
		t.Fatalf("ParsePublicKey(%x) = %v, go-schnorrkel accepts: %v", pub, errOurs, errRef == nil)
	}
}

// FuzzVerifyMatchesGoSchnorrkel: on any public key, message and signature
// bytes, Verify answers exactly as go-schnorrkel, and ParsePublicKey accepts
// exactly the keys go-schnorrkel decodes (minus the identity).
func FuzzVerifyMatchesGoSchnorrkel(f *testing.F) {
	alice, _ := FromURI("//Alice")
	msg := []byte("fuzz")
	sig, _ := alice.Sign(msg)
	rng := rand.New(rand.NewChaCha8([32]byte{'f'}))
	f.Add(alice.pub[:], msg, sig)
	for kind := range mutationKinds {
		p, m, s := mutateSignature(rng, kind, alice.pub, msg, sig)
		f.Add(p[:], m, s)
	}
	f.Fuzz(func(t *testing.T, pubBytes, msg, sig []byte) {
		var pub [32]byte
		copy(pub[:], pubBytes)
		checkParseAgrees(t, pub)
		if got, want := Verify(pub, msg, sig), referenceVerify(pub, msg, sig); got != want {
			t.Fatalf("Verify=%v go-schnorrkel=%v (pub %x msg %x sig %x)", got, want, pub, msg, sig)
		}
	})
}

// TestPublicKeyTablesAreLazy: invalid signatures never make a PublicKey
// build tables; one valid signature does not either; the second does. Many
// goroutines verifying through one fresh key (run with -race) all get
// correct answers while that happens.
func TestPublicKeyTablesAreLazy(t *testing.T) {
	alice, _ := FromURI("//Alice")
	msg := []byte("lazy")
	sig, _ := alice.Sign(msg)
	bad := append([]byte(nil), sig...)
	bad[5] ^= 1
	pk, _ := ParsePublicKey(alice.PublicKey())
	for range 3 {
		if pk.Verify(msg, bad) || pk.table.Load() != nil {
			t.Fatal("bad signature: accepted, or tables built")
		}
	}
	if !pk.Verify(msg, sig) || pk.table.Load() != nil {
		t.Fatal("first valid signature: rejected, or tables built")
	}
	if !pk.Verify(msg, sig) || pk.table.Load() == nil {
		t.Fatal("second valid signature: rejected, or no tables")
	}
	if !pk.Verify(msg, sig) || pk.Verify(msg, bad) {
		t.Fatal("verification through the tables is wrong")
	}

	shared, _ := ParsePublicKey(alice.PublicKey())
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 10 {
				if !shared.Verify(msg, sig) || shared.Verify(msg, bad) {
					t.Errorf("goroutine %d round %d: wrong answer", g, i)
					return
				}
			}
		}()
	}
	wg.Wait()
}

// TestPublicKeyCacheBounded: the package-level Verify keeps valid keys only,
// and never more than publicKeyCacheSize of them.
func TestPublicKeyCacheBounded(t *testing.T) {
	msg := []byte("cache")
	for i := range publicKeyCacheSize + 50 {
		var seed [32]byte
		seed[0], seed[1] = byte(i), byte(i>>8)
		kp, err := FromSeed(seed)
		if err != nil {
			t.Fatal(err)
		}
		sig, _ := kp.Sign(msg)
		if !Verify(kp.PublicKey(), msg, sig) {
			t.Fatalf("key %d rejected", i)
		}
	}
	bad := [32]byte{0xff}
	Verify(bad, msg, make([]byte, 64))
	publicKeyCache.mu.RLock()
	n, badCached := len(publicKeyCache.keys), publicKeyCache.keys[bad] != nil
	publicKeyCache.mu.RUnlock()
	if n > publicKeyCacheSize || n == 0 || badCached {
		t.Fatalf("cache holds %d keys (bound %d), invalid key cached: %v", n, publicKeyCacheSize, badCached)
	}
}
