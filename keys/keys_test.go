package keys

import (
	"bytes"
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	subkey "github.com/vedhavyas/go-subkey/v2"
	subsr "github.com/vedhavyas/go-subkey/v2/sr25519"
	"pgregory.net/rapid"
)

const (
	specMnemonic   = "bottom drive obey lake curtain smoke basket hold race lonely fit walk"
	specMiniSecret = "fac7959dbfe72f052e5a0c3c8d6530f202b02fd8f9f5ca3580ec8deb7797479e"
	specPublic     = "46ebddef8cd9bb167dc30878d7113b7e168e6f0646beffd77d69d39bad76b47a"
	specSS58       = "5DfhGyQdFobKM8NsWvEeAKk5EQQgYe9AydgJ7rMB6E1EqRzV"
	aliceSS58      = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY"
	alicePublic    = "d43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d"
	bobSS58        = "5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty"
)

func TestSpecMnemonicVector(t *testing.T) {
	kp, err := FromMnemonic(specMnemonic, "")
	if err != nil {
		t.Fatal(err)
	}
	seed, ok := kp.Seed()
	if !ok || hex.EncodeToString(seed[:]) != specMiniSecret {
		t.Fatalf("mini-secret = %x (%v), want %s", seed, ok, specMiniSecret)
	}
	pub := kp.PublicKey()
	if hex.EncodeToString(pub[:]) != specPublic {
		t.Fatalf("public = %x, want %s", pub, specPublic)
	}
	if got := kp.SS58Address(); got != specSS58 {
		t.Fatalf("ss58 = %s, want %s", got, specSS58)
	}
	if kp.Mnemonic() != specMnemonic {
		t.Fatalf("mnemonic not retained: %q", kp.Mnemonic())
	}
	// Whitespace variants are the same phrase.
	kp2, err := FromMnemonic("  bottom drive obey lake\tcurtain smoke basket hold race lonely fit\nwalk ", "")
	if err != nil || kp2.SS58Address() != specSS58 {
		t.Fatalf("whitespace-normalized mnemonic: %v %v", err, kp2)
	}
}

func TestDevAccounts(t *testing.T) {
	cases := map[string]string{
		"//Alice":                       aliceSS58,
		"//Bob":                         bobSS58,
		"//Alice//stash":                "5GNJqTPyNqANBkUVMN1LPPrxXnFouWXoe2wNSmmEoLctxiZY",
		"//Bob//stash":                  "5HpG9w8EBLe5XCrbczpwq5TSXvedjrBGCwqxK1iQ7qUsSWFc",
		"//Charlie":                     "5FLSigC9HGRKVhB9FiEo4Y3koPsNmBmLJbpXg2mp1hXcS59Y",
		specMnemonic + "//Alice":        aliceSS58,
		"0x" + specMiniSecret:           specSS58,
		"0x" + specMiniSecret + "//Bob": bobSS58,
		// Computed by @polkadot/keyring 14.0.3 (Rust schnorrkel via wasm).
		"//Alice/soft/1":                   "5EJVuiSkauKYisFQeMx1rMqHLgt24MutFku5AqoNyAZzscqa",
		specMnemonic + "//polkadot/0///pw": "5ExkBnshpyTT7d6rYSwcHfbaeUEVC9Tx37d2errYG7BZ9gtb",
	}
	for uri, want := range cases {
		kp, err := FromURI(uri)
		if err != nil {
			t.Fatalf("%s: %v", uri, err)
		}
		if got := kp.SS58Address(); got != want {
			t.Errorf("%s → %s, want %s", uri, got, want)
		}
	}
	alice, _ := FromURI("//Alice")
	pub := alice.PublicKey()
	if hex.EncodeToString(pub[:]) != alicePublic {
		t.Fatalf("alice public %x", pub)
	}
	if s, ok := alice.Seed(); !ok || s == ([32]byte{}) {
		t.Fatal("all-hard path should keep a seed")
	}
	if alice.Mnemonic() != "" {
		t.Fatal("derived key must not report the root mnemonic")
	}
}

// TestDeriveMatchesGoSubkey cross-checks the SURI glue against an independent
// implementation over hard, soft, numeric, long and password junctions.
func TestDeriveMatchesGoSubkey(t *testing.T) {
	long := strings.Repeat("x", 40)
	uris := []string{
		"", "//Alice", "/soft", "//hard/soft", "/soft//hard", "//0", "/1", "//18446744073709551615",
		"//" + long, "/" + long, "//a/b//c/d", "///password", "//Alice///pw",
		specMnemonic + "//polkadot/0", specMnemonic + "///secret",
	}
	for _, u := range uris {
		mine, err := FromURI(u)
		if err != nil {
			t.Fatalf("%q: %v", u, err)
		}
		ref, err := subkey.DeriveKeyPair(subsr.Scheme{}, u)
		if err != nil {
			t.Fatalf("go-subkey %q: %v", u, err)
		}
		pub := mine.PublicKey()
		if !bytes.Equal(pub[:], ref.Public()) {
			t.Errorf("%q: public %x, go-subkey %x", u, pub, ref.Public())
		}
		seed, ok := mine.Seed()
		if ref.Seed() != nil && ok && !bytes.Equal(seed[:], ref.Seed()) {
			t.Errorf("%q: seed %x, go-subkey %x", u, seed, ref.Seed())
		}
		if (ref.Seed() != nil) != ok {
			t.Errorf("%q: seed presence %v, go-subkey %v", u, ok, ref.Seed() != nil)
		}
		// A signature of ours verifies with the reference and vice versa.
		msg := []byte("cross " + u)
		sig, err := mine.Sign(msg)
		if err != nil || !ref.Verify(msg, sig) {
			t.Errorf("%q: go-subkey rejects our signature (%v)", u, err)
		}
		rsig, _ := ref.Sign(msg)
		if !Verify(pub, msg, rsig) {
			t.Errorf("%q: we reject go-subkey's signature", u)
		}
	}
}

func TestParseJunctionRustU64(t *testing.T) {
	if a, b := ParseJunction("+5"), ParseJunction("5"); a != b {
		t.Fatal("Rust u64::from_str accepts a leading +")
	}
	if a, b := ParseJunction("+"), ParseJunction("5"); a == b {
		t.Fatal("bare + is a string junction")
	}
	if !ParseJunction("/x").Hard || ParseJunction("x").Hard {
		t.Fatal("hardness")
	}
}

func TestInvalidInputs(t *testing.T) {
	for _, m := range []string{"", "bottom", strings.Repeat("bottom ", 12), "bottom drive obey lake curtain smoke basket hold race lonely fit fit"} {
		if _, err := FromMnemonic(m, ""); !errors.Is(err, ErrInvalidMnemonic) {
			t.Errorf("mnemonic %q: err = %v", m, err)
		}
	}
	for _, u := range []string{"0x12", "0xzz" + strings.Repeat("0", 62), "not a valid phrase", "a-b", strings.Repeat("/", 5000)} {
		if _, err := FromURI(u); err == nil {
			t.Errorf("uri %q accepted", u)
		}
	}
	if _, err := GenerateMnemonic(13); err == nil {
		t.Error("13 words accepted")
	}
}

func TestGenerateMnemonic(t *testing.T) {
	for _, n := range []int{12, 15, 18, 21, 24} {
		m, err := GenerateMnemonic(n)
		if err != nil {
			t.Fatal(err)
		}
		if w := len(strings.Fields(m)); w != n {
			t.Fatalf("%d words requested, got %d", n, w)
		}
		kp, err := FromMnemonic(m, "")
		if err != nil {
			t.Fatal(err)
		}
		ref, err := subkey.DeriveKeyPair(subsr.Scheme{}, m)
		if err != nil || !bytes.Equal(ref.Public(), kp.pub[:]) {
			t.Fatalf("generated mnemonic disagrees with go-subkey: %v", err)
		}
	}
	a, _ := GenerateMnemonic(12)
	b, _ := GenerateMnemonic(12)
	if a == b {
		t.Fatal("two generated mnemonics are equal")
	}
}

func TestSignVerify(t *testing.T) {
	alice, _ := FromURI("//Alice")
	bob, _ := FromURI("//Bob")
	msg := []byte("12345.5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY.5FHne.uuid.hash")
	sig, err := alice.Sign(msg)
	if err != nil || len(sig) != SignatureSize {
		t.Fatalf("sign: %v len %d", err, len(sig))
	}
	if !Verify(alice.PublicKey(), msg, sig) || !VerifySS58(aliceSS58, msg, sig) || !alice.Verify(msg, sig) {
		t.Fatal("valid signature rejected")
	}
	sig2, _ := alice.Sign(msg)
	if bytes.Equal(sig, sig2) {
		t.Fatal("sr25519 signatures are expected to be randomized")
	}
	if !Verify(alice.PublicKey(), msg, sig2) {
		t.Fatal("second signature rejected")
	}
	tampered := append([]byte{}, msg...)
	tampered[0] ^= 1
	if Verify(alice.PublicKey(), tampered, sig) {
		t.Fatal("tampered message accepted")
	}
	for i := 0; i < SignatureSize; i++ {
		bad := append([]byte{}, sig...)
		bad[i] ^= 0x01
		if Verify(alice.PublicKey(), msg, bad) {
			t.Fatalf("signature with byte %d flipped accepted", i)
		}
	}
	if Verify(bob.PublicKey(), msg, sig) || VerifySS58(bobSS58, msg, sig) {
		t.Fatal("wrong key accepted")
	}
	if Verify(alice.PublicKey(), msg, sig[:63]) || Verify(alice.PublicKey(), msg, append(sig, 0)) || Verify(alice.PublicKey(), msg, nil) {
		t.Fatal("wrong-length signature accepted")
	}
	if VerifySS58("garbage", msg, sig) {
		t.Fatal("bad address accepted")
	}
	var zero [32]byte
	if Verify(zero, msg, sig) {
		t.Fatal("zero key accepted")
	}
	var empty *Keypair
	if _, err := empty.Sign(msg); err == nil {
		t.Fatal("nil keypair signed")
	}
}

func TestPrivateKeyRoundTrip(t *testing.T) {
	kp, _ := FromMnemonic(specMnemonic, "")
	kp2, err := FromPrivateKey(kp.PrivateKey())
	if err != nil {
		t.Fatal(err)
	}
	if kp2.PublicKey() != kp.PublicKey() {
		t.Fatal("public key differs after private-key round trip")
	}
	msg := []byte("m")
	sig, _ := kp2.Sign(msg)
	if !kp.Verify(msg, sig) {
		t.Fatal("signature by restored key rejected")
	}
	// Soft-derived keys have no seed but their private key still restores them.
	soft, err := FromURI("//Alice/soft")
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := soft.Seed(); ok {
		t.Fatal("soft-derived key reports a seed")
	}
	back, err := FromPrivateKey(soft.PrivateKey())
	if err != nil || back.PublicKey() != soft.PublicKey() {
		t.Fatalf("soft private key round trip: %v", err)
	}
}

func TestSS58(t *testing.T) {
	pub, err := SS58Decode(aliceSS58)
	if err != nil || hex.EncodeToString(pub[:]) != alicePublic {
		t.Fatalf("decode alice: %x %v", pub, err)
	}
	if SS58Encode(pub) != aliceSS58 {
		t.Fatal("encode alice")
	}
	if p, _ := PublicFromSS58(aliceSS58); p != pub {
		t.Fatal("PublicFromSS58")
	}
	// Polkadot (prefix 0) and Kusama (prefix 2) forms of Alice.
	polka, _ := SS58EncodePrefix(pub, 0)
	if polka != "15oF4uVJwmo4TdGW7VfQxNLavjCXviqxT9S1MgbjMNHr6Sp5" {
		t.Fatalf("polkadot alice = %s", polka)
	}
	if _, err := SS58Decode(polka); !errors.Is(err, ErrSS58Prefix) {
		t.Fatalf("prefix 0 address: %v", err)
	}
	two, _ := SS58EncodePrefix(pub, 1000)
	if p, got, err := SS58DecodePrefix(two); err != nil || p != 1000 || got != pub {
		t.Fatalf("2-byte prefix round trip: %d %v", p, err)
	}
	if _, err := SS58Decode(two); !errors.Is(err, ErrSS58Prefix) {
		t.Fatalf("2-byte prefix: %v", err)
	}
	// Checksum: change the last character.
	last := aliceSS58[len(aliceSS58)-1]
	repl := byte('Z')
	if last == 'Z' {
		repl = 'Y'
	}
	bad := aliceSS58[:len(aliceSS58)-1] + string(repl)
	if _, err := SS58Decode(bad); !errors.Is(err, ErrSS58Checksum) {
		t.Fatalf("bad checksum: %v", err)
	}
	for _, tc := range []struct {
		in   string
		want error
	}{
		{"", ErrSS58Empty},
		{aliceSS58[:40], ErrSS58Length},
		{aliceSS58 + "1", ErrSS58Length},
		{"0OIl" + aliceSS58[4:], ErrSS58Base58},
		{strings.Repeat("z", 100), ErrSS58Length},
		{"5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQ!", ErrSS58Base58},
	} {
		if _, err := SS58Decode(tc.in); !errors.Is(err, tc.want) {
			t.Errorf("%q: err = %v, want %v", tc.in, err, tc.want)
		}
	}
	if ValidSS58(bad) || !ValidSS58(aliceSS58) {
		t.Fatal("ValidSS58")
	}
	if _, err := SS58EncodePrefix(pub, 20000); err == nil {
		t.Fatal("prefix out of range accepted")
	}
}

func TestSS58Property(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		var pub [32]byte
		copy(pub[:], rapid.SliceOfN(rapid.Byte(), 32, 32).Draw(t, "pub"))
		prefix := uint16(rapid.IntRange(0, 16383).Draw(t, "prefix"))
		addr, err := SS58EncodePrefix(pub, prefix)
		if err != nil {
			t.Fatal(err)
		}
		p, got, err := SS58DecodePrefix(addr)
		if err != nil || p != prefix || got != pub {
			t.Fatalf("round trip %d %x: %d %x %v", prefix, pub, p, got, err)
		}
		if prefix == SS58Prefix {
			if SS58Encode(pub) != addr || len(addr) != 48 || addr[0] != '5' {
				t.Fatalf("prefix-42 address %q", addr)
			}
		}
		// Any single-character change is detected (or changes the prefix/length).
		i := rapid.IntRange(0, len(addr)-1).Draw(t, "i")
		c := base58Alphabet[rapid.IntRange(0, 57).Draw(t, "c")]
		if c == addr[i] {
			return
		}
		mut := addr[:i] + string(c) + addr[i+1:]
		if p2, got2, err := SS58DecodePrefix(mut); err == nil && p2 == prefix && got2 == pub {
			t.Fatalf("mutation %q decodes to the same account", mut)
		}
	})
}

func TestSignProperty(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		var seed [32]byte
		copy(seed[:], rapid.SliceOfN(rapid.Byte(), 32, 32).Draw(t, "seed"))
		kp, err := FromSeed(seed)
		if err != nil {
			t.Fatal(err)
		}
		msg := rapid.SliceOf(rapid.Byte()).Draw(t, "msg")
		sig, err := kp.Sign(msg)
		if err != nil || !Verify(kp.PublicKey(), msg, sig) {
			t.Fatalf("round trip failed: %v", err)
		}
		other := append(append([]byte{}, msg...), rapid.Byte().Draw(t, "extra"))
		if Verify(kp.PublicKey(), other, sig) {
			t.Fatal("signature valid for an extended message")
		}
	})
}

// TestVerifiesRustSchnorrkelSignature checks a signature made by
// @polkadot/util-crypto 14.0.3 (Rust schnorrkel compiled to wasm) with //Alice.
func TestVerifiesRustSchnorrkelSignature(t *testing.T) {
	sig, _ := hex.DecodeString("dab91b004beccc30ae46b8f8e8e63528ac19a61db3adfc014273efda43cc0478301a28ce5df9b9bd7775e0c71d92789d80472abb1fa4a4256a56e7c1e506f58a")
	msg := []byte("taonet interop message")
	if !VerifySS58(aliceSS58, msg, sig) {
		t.Fatal("polkadot-js signature rejected")
	}
	if VerifySS58(aliceSS58, []byte("taonet interop messagE"), sig) || VerifySS58(bobSS58, msg, sig) {
		t.Fatal("polkadot-js signature accepted for the wrong message/key")
	}
}

// TestSignEveryConstructor: Sign uses the scalar and public key cached at
// construction, so every way of building a pair must fill both; a zero
// Keypair refuses to sign. (Signatures from this Sign were also checked with
// @polkadot/util-crypto 14.0.3's sr25519Verify, Rust schnorrkel in wasm.)
func TestSignEveryConstructor(t *testing.T) {
	spec, _ := FromMnemonic(specMnemonic, "")
	fromPriv, err1 := FromPrivateKey(spec.PrivateKey())
	fromEd, err2 := FromEd25519Bytes(spec.PrivateKey())
	derived, err3 := FromURI("//Alice/soft//hard")
	seeded, err4 := FromSeed([32]byte{7})
	if err := errors.Join(err1, err2, err3, err4); err != nil {
		t.Fatal(err)
	}
	msg := []byte("every constructor")
	for name, kp := range map[string]*Keypair{"mnemonic": spec, "private": fromPriv, "ed25519": fromEd, "derived": derived, "seed": seeded} {
		sig, err := kp.Sign(msg)
		if err != nil || !Verify(kp.PublicKey(), msg, sig) {
			t.Errorf("%s: sign/verify failed: %v", name, err)
		}
	}
	if _, err := new(Keypair).Sign(msg); err == nil {
		t.Error("zero Keypair signed")
	}
}
