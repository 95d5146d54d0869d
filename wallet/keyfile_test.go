package wallet

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/taonet/taonet/keys"
)

const (
	specMnemonic = "bottom drive obey lake curtain smoke basket hold race lonely fit walk"
	specSS58     = "5DfhGyQdFobKM8NsWvEeAKk5EQQgYe9AydgJ7rMB6E1EqRzV"
	specPub      = "0x46ebddef8cd9bb167dc30878d7113b7e168e6f0646beffd77d69d39bad76b47a"
	specSeed     = "0xfac7959dbfe72f052e5a0c3c8d6530f202b02fd8f9f5ca3580ec8deb7797479e"
)

func TestMarshalKeypairMatchesPythonLayout(t *testing.T) {
	kp, err := keys.FromMnemonic(specMnemonic, "")
	if err != nil {
		t.Fatal(err)
	}
	priv := kp.PrivateKey()
	want := `{"accountId": "` + specPub + `", "publicKey": "` + specPub + `", "privateKey": "0x` + hex.EncodeToString(priv[:]) +
		`", "secretPhrase": "` + specMnemonic + `", "secretSeed": "` + specSeed + `", "ss58Address": "` + specSS58 + `"}`
	if got := string(MarshalKeypair(kp)); got != want {
		t.Fatalf("keyfile\n got %s\nwant %s", got, want)
	}
	// The same layout with privateKey null is what PyNaCl's vector encrypts
	// (json.dumps output from Python itself).
	py := string(readTestdata(t, "keyfile_plain.json"))
	mine := strings.Replace(want, `"0x`+hex.EncodeToString(priv[:])+`"`, "null", 1)
	if py != mine {
		t.Fatalf("python json.dumps layout differs:\n py %s\nours %s", py, mine)
	}
	wantPub := `{"accountId": "` + specPub + `", "publicKey": "` + specPub + `", "privateKey": null, "secretPhrase": null, "secretSeed": null, "ss58Address": "` + specSS58 + `"}`
	if got := string(MarshalPublic(kp.PublicKey())); got != wantPub {
		t.Fatalf("coldkeypub\n got %s\nwant %s", got, wantPub)
	}
}

func TestPyStringEscapes(t *testing.T) {
	var b bytes.Buffer
	writePyString(&b, "a\"b\\c\n\x01\x7fé😀")
	if got := b.String(); got != `"a\"b\\c\n\u0001\u007f\u00e9\ud83d\ude00"` {
		t.Fatalf("got %s", got)
	}
	var s string
	if err := json.Unmarshal(b.Bytes(), &s); err != nil || s != "a\"b\\c\n\x01\x7fé😀" {
		t.Fatalf("not valid JSON: %v %q", err, s)
	}
}

func TestParseKeyfileSources(t *testing.T) {
	kp, _ := keys.FromMnemonic(specMnemonic, "")
	priv := kp.PrivateKey()
	privHex := "0x" + hex.EncodeToString(priv[:])
	cases := map[string]struct {
		data    string
		secret  bool
		phrase  bool
		wantErr bool
	}{
		"full":          {data: string(MarshalKeypair(kp)), secret: true, phrase: true},
		"python vector": {data: string(readTestdata(t, "keyfile_plain.json")), secret: true, phrase: true},
		"seed only":     {data: `{"secretSeed": "` + specSeed + `"}`, secret: true},
		"phrase only":   {data: `{"secretPhrase": "` + specMnemonic + `"}`, secret: true, phrase: true},
		"private only":  {data: `{"privateKey": "` + privHex + `"}`, secret: true},
		"ss58 only":     {data: `{"ss58Address": "` + specSS58 + `"}`},
		"public only":   {data: `{"publicKey": "` + specPub + `", "secretSeed": null}`},
		"bare hex":      {data: specPub + "\n"},
		"coldkeypub":    {data: string(MarshalPublic(kp.PublicKey()))},
		// bittensor-wallet (Rust) writes a compact serde map in arbitrary order.
		"rust compact": {data: `{"ss58Address":"` + specSS58 + `","secretSeed":"` + specSeed + `","privateKey":"` + privHex + `","publicKey":"` + specPub + `","accountId":"` + specPub + `","secretPhrase":"` + specMnemonic + `"}`, secret: true, phrase: true},
	}
	for name, c := range cases {
		k, err := ParseKeyfile([]byte(c.data))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if k.SS58Address() != specSS58 {
			t.Errorf("%s: address %s", name, k.SS58Address())
		}
		if (k.Pair != nil) != c.secret {
			t.Errorf("%s: secret presence %v", name, k.Pair != nil)
		}
		if c.secret && (k.Pair.Mnemonic() != "") != c.phrase {
			t.Errorf("%s: phrase retained %q", name, k.Pair.Mnemonic())
		}
		if c.secret {
			sig, _ := k.Pair.Sign([]byte("x"))
			if !keys.VerifySS58(specSS58, []byte("x"), sig) {
				t.Errorf("%s: cannot sign", name)
			}
		}
	}
}

func TestParseKeyfileRejects(t *testing.T) {
	alice, _ := keys.FromURI("//Alice")
	full := string(MarshalKeypair(mustMnemonic(t)))
	bad := map[string]string{
		"empty":             "",
		"garbage":           "hello",
		"truncated":         full[:len(full)/2],
		"trailing":          full + "{}",
		"not an object":     `["a"]`,
		"no key":            `{"accountId": null}`,
		"bad seed hex":      `{"secretSeed": "0xzz"}`,
		"short seed":        `{"secretSeed": "0x0102"}`,
		"bad phrase":        `{"secretPhrase": "bottom drive obey"}`,
		"bad private":       `{"privateKey": "0x00"}`,
		"bad ss58":          `{"ss58Address": "5DfhGyQdFobKM8NsWvEeAKk5EQQgYe9AydgJ7rMB6E1EqRzW"}`,
		"bare short hex":    "0x1234",
		"encrypted":         "$NACL" + strings.Repeat("x", 50),
		"mismatched ss58":   strings.Replace(full, specSS58, alice.SS58Address(), 1),
		"mismatched pubkey": strings.Replace(full, `"publicKey": "`+specPub, `"publicKey": "0x`+strings.Repeat("00", 32), 1),
		"mismatched phrase": strings.Replace(full, specMnemonic, "legal winner thank year wave sausage worth useful legal winner thank yellow", 1),
		"non-utf8":          "\xff\xfe{}",
		"huge":              strings.Repeat(" ", maxKeyfileSize+1),
		"wrong type":        `{"secretSeed": 5}`,
	}
	for name, data := range bad {
		if _, err := ParseKeyfile([]byte(data)); !errors.Is(err, ErrBadKeyfile) {
			t.Errorf("%s: err = %v", name, err)
		}
	}
}

func mustMnemonic(t testing.TB) *keys.Keypair {
	kp, err := keys.FromMnemonic(specMnemonic, "")
	if err != nil {
		t.Fatal(err)
	}
	return kp
}

func FuzzParseKeyfile(f *testing.F) {
	kp, _ := keys.FromMnemonic(specMnemonic, "")
	f.Add(MarshalKeypair(kp))
	f.Add(MarshalPublic(kp.PublicKey()))
	f.Add([]byte(specPub))
	f.Add([]byte(`{"secretSeed": "` + specSeed + `"}`))
	f.Add([]byte(`{"privateKey": "0x` + strings.Repeat("ab", 64) + `"}`))
	f.Add([]byte(`{"ss58Address": "` + specSS58 + `", "publicKey": null}`))
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		k, err := ParseKeyfile(data)
		if err != nil {
			if !errors.Is(err, ErrBadKeyfile) {
				t.Fatalf("unclassified error %v", err)
			}
			return
		}
		// Whatever parses re-serializes to something that parses to the same key.
		var again []byte
		if k.Pair != nil {
			if k.Pair.PublicKey() != k.Public {
				t.Fatal("pair and public disagree")
			}
			again = MarshalKeypair(k.Pair)
		} else {
			again = MarshalPublic(k.Public)
		}
		k2, err := ParseKeyfile(again)
		if err != nil || k2.Public != k.Public || (k2.Pair == nil) != (k.Pair == nil) {
			t.Fatalf("re-serialized keyfile does not round-trip: %v", err)
		}
	})
}
