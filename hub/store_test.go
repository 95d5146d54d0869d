package hub

import (
	"bytes"
	"errors"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestStoreBlobs(t *testing.T) {
	st, err := OpenStore(t.TempDir(), Limits{MaxFileBytes: 100})
	if err != nil {
		t.Fatal(err)
	}
	data := []byte("hello blob")
	want := sha256Hex(data)
	sha, n, err := st.PutBlob(bytes.NewReader(data), want, int64(len(data)))
	if err != nil || sha != want || n != int64(len(data)) {
		t.Fatalf("PutBlob: %s %d %v", sha, n, err)
	}
	if _, _, err := st.PutBlob(bytes.NewReader(data), want, -1); err != nil {
		t.Fatalf("idempotent put: %v", err)
	}
	if _, _, err := st.PutBlob(bytes.NewReader(data), strings.Repeat("0", 64), -1); !errors.Is(err, ErrInvalid) {
		t.Fatalf("wrong hash: %v", err)
	}
	if _, _, err := st.PutBlob(bytes.NewReader(data), "", 3); !errors.Is(err, ErrInvalid) {
		t.Fatalf("wrong size: %v", err)
	}
	if _, _, err := st.PutBlob(bytes.NewReader(make([]byte, 101)), "", -1); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("oversize: %v", err)
	}
	if _, _, err := st.PutBlob(bytes.NewReader(nil), "", 101); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("oversize declared: %v", err)
	}
	if ents, _ := os.ReadDir(filepath.Join(st.Dir(), "tmp")); len(ents) != 0 {
		t.Fatalf("temp files left: %d", len(ents))
	}
	if _, err := st.OpenBlob(strings.Repeat("1", 64)); !errors.Is(err, ErrNotFound) {
		t.Fatalf("missing blob: %v", err)
	}
	if _, err := st.OpenBlob("../../x"); !errors.Is(err, ErrInvalid) {
		t.Fatalf("bad blob id: %v", err)
	}
}

func TestStoreCommitRules(t *testing.T) {
	st, _ := OpenStore(t.TempDir(), Limits{})
	a := []byte("a")
	sha, _, _ := st.PutBlob(bytes.NewReader(a), "", -1)
	m := Manifest{Files: []FileEntry{{Path: "config.json", Size: 1, SHA256: sha}}}
	if _, _, err := st.Commit("ns/m", "", Manifest{Files: []FileEntry{{Path: "config.json", Size: 1, SHA256: strings.Repeat("2", 64)}}}); !errors.Is(err, ErrInvalid) {
		t.Fatalf("missing blob: %v", err)
	}
	if _, _, err := st.Commit("ns/m", "", Manifest{Files: []FileEntry{{Path: "config.json", Size: 2, SHA256: sha}}}); !errors.Is(err, ErrInvalid) {
		t.Fatalf("size mismatch: %v", err)
	}
	if _, _, err := st.Commit("bad", "", m); !errors.Is(err, ErrInvalid) {
		t.Fatalf("bad repo: %v", err)
	}
	r, created, err := st.Commit("ns/m", "", m)
	if err != nil || !created {
		t.Fatal(err)
	}
	if r.ID != RevisionID("ns/m", "", m) {
		t.Fatal("revision id is not RevisionID(repo, parent, manifest)")
	}
	if _, err := st.Revision("ns/m", "main"); err != nil {
		t.Fatal(err)
	}
	// Reopening the store sees the same state.
	st2, _ := OpenStore(st.Dir(), Limits{})
	r2, err := st2.Revision("ns/m", r.ID)
	if err != nil || r2.ID != r.ID || len(r2.Files) != 1 {
		t.Fatalf("reopen: %+v %v", r2, err)
	}
	if h, err := st2.Revision("ns/m", "HEAD"); err != nil || h.ID != r.ID {
		t.Fatalf("revision HEAD (the default branch): %v %v", h, err)
	}
	if _, err := st2.Revision("ns/m", "v1.0"); !errors.Is(err, ErrNotFound) || !errors.Is(err, errRevisionNotFound) {
		t.Fatalf("unknown ref: %v", err)
	}
	if _, err := st2.Revision("ns/none", "main"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown repo: %v", err)
	}
}

func TestRevisionIDPinned(t *testing.T) {
	m := Manifest{Files: []FileEntry{{Path: "config.json", Size: 2, SHA256: sha256Hex([]byte("{}"))}}}
	// python3: hashlib.sha256(("taonet-hub-revision-v1\nns/m\n\n" +
	// '{"files":[{"path":"config.json","size":2,"sha256":"44136fa3…"}]}').encode()).hexdigest()[:40]
	const want = "45a74e128a4ba12a0850a946e931fa3167fe1f83"
	got := RevisionID("ns/m", "", m)
	if got != want {
		t.Fatalf("RevisionID = %s, want %s", got, want)
	}
	if got == RevisionID("ns/m", got, m) || got == RevisionID("ns/n", "", m) {
		t.Fatal("parent and repo must change the id")
	}
}

func TestNamespaceClaims(t *testing.T) {
	st, _ := OpenStore(t.TempDir(), Limits{})
	alice, bob := mustKey(t, "//Alice").SS58Address(), mustKey(t, "//Bob").SS58Address()
	if err := st.Authorize("team", alice); err != nil {
		t.Fatal(err)
	}
	if err := st.Authorize("team", alice); err != nil {
		t.Fatal(err)
	}
	if err := st.Authorize("team", bob); !errors.Is(err, ErrForbidden) {
		t.Fatalf("bob claims alice's namespace: %v", err)
	}
	if err := st.Authorize(alice, bob); !errors.Is(err, ErrForbidden) {
		t.Fatalf("bob writes alice's ss58 namespace: %v", err)
	}
	if err := st.Authorize(bob, bob); err != nil {
		t.Fatal(err)
	}
	if err := st.Authorize("../x", bob); !errors.Is(err, ErrInvalid) {
		t.Fatalf("bad namespace: %v", err)
	}
	if o, ok := st.NamespaceOwner("team"); !ok || o != alice {
		t.Fatalf("owner %s %v", o, ok)
	}
}

func TestGC(t *testing.T) {
	st, _ := OpenStore(t.TempDir(), Limits{})
	rev, err := st.ImportDir("ns/m", "", makeModel(t, 20, 1000))
	if err != nil {
		t.Fatal(err)
	}
	orphanOld, _, _ := st.PutBlob(bytes.NewReader([]byte("abandoned upload")), "", -1)
	orphanNew, _, _ := st.PutBlob(bytes.NewReader([]byte("upload in progress")), "", -1)
	old := time.Now().Add(-2 * time.Hour)
	os.Chtimes(st.BlobPath(orphanOld), old, old)
	for _, f := range rev.Files { // referenced blobs are kept however old
		os.Chtimes(st.BlobPath(f.SHA256), old, old)
	}
	tmp := filepath.Join(st.Dir(), "tmp", "blob-stale")
	os.WriteFile(tmp, []byte("x"), 0o644)
	os.Chtimes(tmp, old, old)

	stats, err := st.GC(time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if stats.Removed != 1 || stats.TempFiles != 1 || stats.Kept != len(rev.Files)+1 || stats.Revisions != 1 {
		t.Fatalf("stats %+v", stats)
	}
	if _, ok := st.HasBlob(orphanOld); ok {
		t.Fatal("old orphan kept")
	}
	if _, ok := st.HasBlob(orphanNew); !ok {
		t.Fatal("young orphan removed")
	}
	for _, f := range rev.Files {
		if _, ok := st.HasBlob(f.SHA256); !ok {
			t.Fatalf("referenced blob %s removed", f.Path)
		}
	}
	// The revision still reads back whole.
	if _, err := st.Revision("ns/m", rev.ID); err != nil {
		t.Fatal(err)
	}
}

func TestVerifierMemoryBound(t *testing.T) {
	alice := mustKey(t, "//Alice")
	v := &Verifier{MaxNonces: 2}
	for i := 0; i < 3; i++ {
		req := httptest.NewRequest("POST", "http://hub/api/models/a/b/commit", nil)
		if err := SignRequest(req, alice, emptySHA256, time.Now()); err != nil {
			t.Fatal(err)
		}
		_, _, err := v.Verify(req)
		if i < 2 && err != nil {
			t.Fatal(err)
		}
		if i == 2 && !errors.Is(err, ErrBusy) {
			t.Fatalf("third request: %v, want ErrBusy", err)
		}
	}
	if code, _ := statusOf(fmt.Errorf("x: %w", ErrBusy), route{}); code != 429 {
		t.Fatalf("status %d", code)
	}
}
