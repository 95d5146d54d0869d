package hub

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// Golden values printed by testdata/dirhash_golden.py (Debian python3,
// hashlib/base64/os.walk reproducing upstream get_hash_of_directory); run it
// again after changing the fixtures.
const (
	goldenTreeHash   = "kU3Ov1+mHO6uDgmrwIUtCjj/EW3IuiFet35Dc17IOT0="
	goldenBigFileB64 = "EtUU8Rkzy0VMdLMwRkJYfvqYG7s+/kDuG6kWQm04gyg="
	goldenModelH     = "ZpG0iighVA6q13mk/7Aofb02/GqhzXngG3qsfsQepj4="
	goldenModelS     = "RmpZTz2yCzVryRpXcJuykSOxoGonQxyl45kPPdMXkTw="
	goldenEmptyTree  = "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
	aliceSS58        = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY"
)

func TestWalkOrderMatchesOSWalk(t *testing.T) {
	got, err := WalkFiles("testdata/tree")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"B.txt", "_u.txt", "a.txt", "big.bin", "empty.txt", "zz.txt", "é.txt",
		"Z/x.bin", "a/inner.txt", "a/deep/z.txt", "a-b/c.txt"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("walk order\n got %q\nwant %q", got, want)
	}
}

func TestTreeHashGolden(t *testing.T) {
	h, err := TreeHash("testdata/tree")
	if err != nil {
		t.Fatal(err)
	}
	if h != goldenTreeHash {
		t.Fatalf("TreeHash = %s, want %s", h, goldenTreeHash)
	}
	b, err := FileHashB64("testdata/tree/big.bin")
	if err != nil || b != goldenBigFileB64 {
		t.Fatalf("FileHashB64(big.bin) = %s, %v; want %s", b, err, goldenBigFileB64)
	}
	e, err := TreeHash(t.TempDir())
	if err != nil || e != goldenEmptyTree {
		t.Fatalf("TreeHash(empty) = %s, %v; want %s", e, err, goldenEmptyTree)
	}
}

func TestDirHashGoldenIgnoresNonModelFiles(t *testing.T) {
	h, err := DirHash("testdata/model")
	if err != nil {
		t.Fatal(err)
	}
	if h != goldenModelH {
		t.Fatalf("DirHash = %s, want %s", h, goldenModelH)
	}
	if s := SecureHash(h, aliceSS58); s != goldenModelS {
		t.Fatalf("SecureHash = %s, want %s", s, goldenModelS)
	}
	files, err := HashedFiles("testdata/model")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"config.json", "generation_config.json", "model.safetensors", "special_tokens_map.json", "tokenizer.json", "tokenizer_config.json"}
	if !reflect.DeepEqual(files, want) {
		t.Fatalf("HashedFiles = %q, want %q", files, want)
	}

	// A copy holding only the allow-listed files (a transformers snapshot)
	// has the same DirHash and TreeHash.
	dir := t.TempDir()
	for _, f := range files {
		b, err := os.ReadFile(filepath.Join("testdata/model", f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if h2, _ := DirHash(dir); h2 != h {
		t.Fatalf("DirHash of snapshot copy = %s, want %s", h2, h)
	}
	if th, _ := TreeHash(dir); th != h {
		t.Fatalf("TreeHash of snapshot copy = %s, want %s", th, h)
	}
	// Changing any byte of a hashed file changes H; extra files do not.
	if err := os.WriteFile(filepath.Join(dir, "README.md"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if h3, _ := DirHash(dir); h3 != h {
		t.Fatal("README.md changed DirHash")
	}
	if err := os.WriteFile(filepath.Join(dir, "config.json"), []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	if h4, _ := DirHash(dir); h4 == h {
		t.Fatal("changing config.json did not change DirHash")
	}
}

func TestDirHashSymlinkedSnapshot(t *testing.T) {
	// A transformers cache snapshot holds symlinks into blobs/; hashing
	// follows them, so realizing the links is unnecessary for DirHash.
	blobs, snap := t.TempDir(), t.TempDir()
	for _, f := range []string{"config.json", "model.safetensors"} {
		b, err := os.ReadFile(filepath.Join("testdata/model", f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(blobs, f+".blob"), b, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(filepath.Join(blobs, f+".blob"), filepath.Join(snap, f)); err != nil {
			t.Skip("no symlinks:", err)
		}
	}
	real := t.TempDir()
	for _, f := range []string{"config.json", "model.safetensors"} {
		b, _ := os.ReadFile(filepath.Join("testdata/model", f))
		os.WriteFile(filepath.Join(real, f), b, 0o644)
	}
	a, err := DirHash(snap)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := DirHash(real)
	if a != b {
		t.Fatalf("symlinked %s != real %s", a, b)
	}
}

func TestDirHashErrors(t *testing.T) {
	if _, err := DirHash(t.TempDir()); err == nil {
		t.Fatal("empty dir: want error")
	}
	if _, err := DirHash(filepath.Join(t.TempDir(), "missing")); err == nil {
		t.Fatal("missing dir: want error")
	}
}

func TestSecureHashKnown(t *testing.T) {
	// sha256("") base64, as a sanity anchor for the concatenation rule.
	if got := SecureHash("", ""); got != goldenEmptyTree {
		t.Fatalf("SecureHash(\"\",\"\") = %s", got)
	}
	if SecureHash("ab", "c") != SecureHash("a", "bc") {
		t.Fatal("SecureHash must be plain concatenation")
	}
}

func TestAllowedFile(t *testing.T) {
	for _, ok := range []string{"config.json", "model.safetensors", "model-00001-of-00002.safetensors", "tokenizer.model"} {
		if !AllowedFile(ok) {
			t.Errorf("%s should be allowed", ok)
		}
	}
	for _, no := range []string{"README.md", ".gitattributes", "sub/config.json", "model-1-of-2.safetensors", "pytorch_model.bin", "model.safetensors.bak"} {
		if AllowedFile(no) {
			t.Errorf("%s should not be allowed", no)
		}
	}
}
