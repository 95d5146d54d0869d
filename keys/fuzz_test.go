package keys

import (
	"errors"
	"testing"
)

func FuzzSS58Decode(f *testing.F) {
	for _, s := range []string{aliceSS58, bobSS58, specSS58, "", "1", "11111111111111111111111111111111111111111111111", "15oF4uVJwmo4TdGW7VfQxNLavjCXviqxT9S1MgbjMNHr6Sp5", "zzzz", "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQ0", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		pub, err := SS58Decode(s)
		if err != nil {
			if !(errors.Is(err, ErrSS58Empty) || errors.Is(err, ErrSS58Base58) || errors.Is(err, ErrSS58Length) ||
				errors.Is(err, ErrSS58Prefix) || errors.Is(err, ErrSS58Checksum) || errors.Is(err, ErrSS58BadFormat)) {
				t.Fatalf("unclassified error %v", err)
			}
			return
		}
		// Whatever decodes must re-encode to itself: the encoding is canonical.
		if SS58Encode(pub) != s {
			t.Fatalf("%q decodes but re-encodes as %q", s, SS58Encode(pub))
		}
	})
}

func FuzzFromURI(f *testing.F) {
	for _, s := range []string{"//Alice", "/soft//hard///pw", "0x" + specMiniSecret + "//x", specMnemonic + "//1", "///", "//", "a b c", "0x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		kp, err := FromURI(s)
		if err != nil {
			return
		}
		sig, err := kp.Sign([]byte(s))
		if err != nil || !Verify(kp.PublicKey(), []byte(s), sig) {
			t.Fatalf("derived key from %q cannot sign: %v", s, err)
		}
	})
}

func FuzzVerify(f *testing.F) {
	alice, _ := FromURI("//Alice")
	seedSig, _ := alice.Sign([]byte("m"))
	if !Verify(alice.pub, []byte("m"), seedSig) {
		f.Fatal("seed signature rejected")
	}
	f.Add(alice.pub[:], []byte("m"), seedSig)
	f.Add(alice.pub[:], []byte("M"), seedSig)
	f.Add(make([]byte, 32), []byte{}, make([]byte, 64))
	f.Fuzz(func(t *testing.T, pub, msg, sig []byte) {
		var p [32]byte
		copy(p[:], pub)
		// Must not panic; and the only signatures the fuzzer can know are
		// Alice's of "m" (signing is randomized and each fuzz worker makes its
		// own seed): any other accepted (key, message) pair is a forgery.
		if Verify(p, msg, sig) && (p != alice.pub || string(msg) != "m") {
			t.Fatalf("accepted a signature nobody made: pub %x msg %q sig %x", p, msg, sig)
		}
	})
}
