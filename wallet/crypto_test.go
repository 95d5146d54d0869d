package wallet

import (
	"bytes"
	"encoding/hex"
	"errors"
	"os"
	"testing"
)

const vectorPassword = "correct horse battery staple"

// cheapKDF swaps in fast Argon2 parameters for tests of the logic around
// the KDF; the golden test below pins the real ones.
func cheapKDF(t testing.TB) {
	t.Helper()
	old := naclKDF
	naclKDF = kdfParams{time: 1, memKiB: 64, threads: 1}
	t.Cleanup(func() { naclKDF = old })
}

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestNaClGoldenVector checks the real upstream parameters against bytes
// produced by PyNaCl (testdata/gen_vectors.py): the Argon2i key, the opened
// plaintext, and byte-identical sealing with the same nonce.
func TestNaClGoldenVector(t *testing.T) {
	if testing.Short() {
		t.Skip("real Argon2i (512 MiB, 8 passes) takes seconds")
	}
	want := string(bytes.TrimSpace(readTestdata(t, "nacl_key.hex")))
	key := naclKey(vectorPassword)
	if got := hex.EncodeToString(key[:]); got != want {
		t.Fatalf("argon2i key %s, PyNaCl %s", got, want)
	}
	enc := readTestdata(t, "coldkey_nacl.bin")
	plain := readTestdata(t, "keyfile_plain.json")
	got, err := openNaCl(enc, key)
	if err != nil || !bytes.Equal(got, plain) {
		t.Fatalf("open: %v %q", err, got)
	}
	var nonce [24]byte
	for i := range nonce {
		nonce[i] = byte(i)
	}
	if again := sealNaCl(plain, key, nonce); !bytes.Equal(again, enc) {
		t.Fatal("sealing with the same key and nonce differs from PyNaCl")
	}
	k, err := ParseKeyfile(got)
	if err != nil || k.SS58Address() != "5DfhGyQdFobKM8NsWvEeAKk5EQQgYe9AydgJ7rMB6E1EqRzV" {
		t.Fatalf("decrypted keyfile: %v", err)
	}
}

func TestLegacyFernetVector(t *testing.T) {
	if testing.Short() {
		t.Skip("legacy PBKDF2 runs 10^7 rounds")
	}
	enc := readTestdata(t, "coldkey_legacy.bin")
	if EncryptionMethod(enc) != MethodLegacy {
		t.Fatal("legacy prefix not detected")
	}
	got, err := Decrypt(enc, vectorPassword)
	if err != nil || !bytes.Equal(got, readTestdata(t, "keyfile_plain.json")) {
		t.Fatalf("legacy decrypt: %v %q", err, got)
	}
}

func TestLegacyWrongPasswordAndCorrupt(t *testing.T) {
	old := legacyIterations
	legacyIterations = 1
	defer func() { legacyIterations = old }()
	enc := readTestdata(t, "coldkey_legacy.bin")
	// With one PBKDF2 round the real password no longer gives the right key:
	// exactly the "wrong password" path.
	if _, err := Decrypt(enc, vectorPassword); !errors.Is(err, ErrWrongPassword) {
		t.Fatalf("wrong key: %v", err)
	}
	for _, bad := range [][]byte{[]byte("gAAAAA!!!"), []byte("gAAAAAAA"), append([]byte{}, enc[:60]...)} {
		if _, err := Decrypt(bad, "x"); !errors.Is(err, ErrCorrupt) {
			t.Errorf("%q: %v", bad, err)
		}
	}
}

// TestAnsibleVaultVector decrypts a file written by ansible-core's VaultLib
// (what bittensor < 5 used) with the vector password.
func TestAnsibleVaultVector(t *testing.T) {
	enc := readTestdata(t, "coldkey_ansible.bin")
	if EncryptionMethod(enc) != MethodAnsible {
		t.Fatal("ansible prefix not detected")
	}
	got, err := Decrypt(enc, vectorPassword)
	if err != nil || !bytes.Equal(got, readTestdata(t, "keyfile_plain.json")) {
		t.Fatalf("ansible decrypt: %v %q", err, got)
	}
	if _, err := Decrypt(enc, "not it"); !errors.Is(err, ErrWrongPassword) {
		t.Fatalf("wrong password: %v", err)
	}
	for _, bad := range []string{
		"$ANSIBLE_VAULT;1.1;AES256",
		"$ANSIBLE_VAULT;1.1;AES256\nzz",
		"$ANSIBLE_VAULT;1.1;AES256\n" + hex.EncodeToString([]byte("aa\nbb")),
		"$ANSIBLE_VAULT;1.1;AES256\n" + hex.EncodeToString([]byte("aa\nbb\ncc")),
		"$ANSIBLE_VAULT;9.9;AES256\n00",
	} {
		if _, err := Decrypt([]byte(bad), "x"); !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrUnsupported) {
			t.Errorf("%q: %v", bad, err)
		}
	}
}

func TestEncryptRoundTrip(t *testing.T) {
	cheapKDF(t)
	plain := []byte(`{"secretSeed": "0x00"}`)
	enc, err := Encrypt(plain, "pw-123456")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(enc, []byte("$NACL")) || EncryptionMethod(enc) != MethodNaCl || !IsEncrypted(enc) {
		t.Fatal("missing $NACL prefix")
	}
	enc2, _ := Encrypt(plain, "pw-123456")
	if bytes.Equal(enc, enc2) {
		t.Fatal("nonce reused")
	}
	got, err := Decrypt(enc, "pw-123456")
	if err != nil || !bytes.Equal(got, plain) {
		t.Fatalf("decrypt: %v", err)
	}
	if _, err := Decrypt(enc, "pw-123457"); !errors.Is(err, ErrWrongPassword) {
		t.Fatalf("wrong password: %v", err)
	}
	for i := 5; i < len(enc); i++ {
		bad := append([]byte{}, enc...)
		bad[i] ^= 0x80
		if _, err := Decrypt(bad, "pw-123456"); !errors.Is(err, ErrWrongPassword) {
			t.Fatalf("flipped byte %d: %v", i, err)
		}
	}
	for n := 5; n < 5+24+16; n++ {
		if _, err := Decrypt(enc[:n], "pw-123456"); !errors.Is(err, ErrCorrupt) {
			t.Fatalf("truncated to %d: %v", n, err)
		}
	}
	if _, err := Decrypt(plain, "x"); !errors.Is(err, ErrNotEncrypted) {
		t.Fatalf("plaintext: %v", err)
	}
	if _, err := Decrypt([]byte("$ANSIBLE_VAULT;1.1;AES128\n00"), "x"); !errors.Is(err, ErrUnsupported) {
		t.Fatalf("ansible cipher: %v", err)
	}
}

func FuzzDecrypt(f *testing.F) {
	f.Add([]byte("$NACL"), "pw")
	f.Add(append([]byte("$NACL"), make([]byte, 60)...), "")
	f.Add([]byte("gAAAAABlU_EAAAECAwQFBgcICQoLDA0ODw=="), "pw")
	f.Add([]byte("$ANSIBLE_VAULT"), "pw")
	f.Add([]byte("{}"), "pw")
	f.Fuzz(func(t *testing.T, data []byte, pw string) {
		cheapKDF(t)
		old := legacyIterations
		legacyIterations = 1
		defer func() { legacyIterations = old }()
		_, err := Decrypt(data, pw)
		if err != nil && !(errors.Is(err, ErrCorrupt) || errors.Is(err, ErrWrongPassword) ||
			errors.Is(err, ErrUnsupported) || errors.Is(err, ErrNotEncrypted)) {
			t.Fatalf("unclassified error: %v", err)
		}
	})
}

func BenchmarkNaClKDF(b *testing.B) {
	for b.Loop() {
		naclKey("benchmark password")
	}
}
