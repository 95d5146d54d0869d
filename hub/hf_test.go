package hub

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func gitBlobSHA1(b []byte) string {
	h := sha1.New()
	fmt.Fprintf(h, "blob %d\x00", len(b))
	h.Write(b)
	return hex.EncodeToString(h.Sum(nil))
}

// fakeHF serves one repo the way huggingface.co does: model_info with
// blobs=true (git blob ids for every file, lfs.sha256 for LFS files), resolve
// paths, and LFS files redirected (302) to a CDN path. It is a stand-in for
// the real Hub in this unit test of the client.
func fakeHF(t *testing.T, files map[string][]byte, lfs map[string]bool, tamper func(name string, b []byte) []byte) (*httptest.Server, string, *atomic.Int64) {
	const sha = "0123456789abcdef0123456789abcdef01234567"
	var ranged atomic.Int64
	mux := http.NewServeMux()
	mux.HandleFunc("/api/models/org/model/revision/{rev}", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("blobs") != "true" {
			t.Errorf("info request without blobs=true: %s", r.URL)
		}
		if rev := r.PathValue("rev"); rev != "main" && rev != sha {
			http.Error(w, `{"error":"Invalid rev id: `+rev+`"}`, 404)
			return
		}
		var sib []map[string]any
		for name, b := range files {
			s := map[string]any{"rfilename": name, "size": len(b), "blobId": gitBlobSHA1(b)}
			if lfs[name] {
				sum := sha256Hex(b)
				pointer := fmt.Sprintf("version https://git-lfs.github.com/spec/v1\noid sha256:%s\nsize %d\n", sum, len(b))
				s["blobId"] = gitBlobSHA1([]byte(pointer))
				s["lfs"] = map[string]any{"sha256": sum, "size": len(b), "pointerSize": len(pointer)}
			}
			sib = append(sib, s)
		}
		json.NewEncoder(w).Encode(map[string]any{"_id": "x", "id": "org/model", "sha": sha, "private": false, "siblings": sib})
	})
	mux.HandleFunc("/org/model/resolve/{rev}/{file...}", func(w http.ResponseWriter, r *http.Request) {
		name := r.PathValue("file")
		b, ok := files[name]
		if !ok || r.PathValue("rev") != sha {
			w.Header().Set("X-Error-Code", "EntryNotFound")
			http.Error(w, "Entry not found", 404)
			return
		}
		if lfs[name] {
			http.Redirect(w, r, "/cdn/"+sha256Hex(b), http.StatusFound)
			return
		}
		if tamper != nil {
			b = tamper(name, b)
		}
		w.Header().Set("ETag", `"`+gitBlobSHA1(b)+`"`)
		http.ServeContent(w, r, "", zeroTime, strings.NewReader(string(b)))
	})
	mux.HandleFunc("/cdn/{sha}", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Range") != "" {
			ranged.Add(1)
		}
		for name, b := range files {
			if sha256Hex(b) == r.PathValue("sha") {
				if tamper != nil {
					b = tamper(name, b)
				}
				http.ServeContent(w, r, "", zeroTime, strings.NewReader(string(b)))
				return
			}
		}
		http.NotFound(w, r)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv, sha, &ranged
}

func hfFiles() (map[string][]byte, map[string]bool) {
	w := make([]byte, 100_000)
	for i := range w {
		w[i] = byte(i * 31)
	}
	return map[string][]byte{
			"config.json":       []byte(`{"model_type":"gpt2"}`),
			"model.safetensors": w,
			"tokenizer.json":    []byte(`{"version":"1.0"}`),
			"README.md":         []byte("# card"),
			".gitattributes":    []byte("*.safetensors filter=lfs"),
		}, map[string]bool{
			"model.safetensors": true,
		}
}

func TestClientAgainstHuggingFaceShape(t *testing.T) {
	files, lfs := hfFiles()
	srv, sha, _ := fakeHF(t, files, lfs, nil)
	c := NewClient(srv.URL, t.TempDir())
	ri, err := c.Info(context.Background(), "org/model", "main")
	if err != nil {
		t.Fatal(err)
	}
	if ri.SHA != sha || len(ri.Siblings) != 5 {
		t.Fatalf("info %+v", ri)
	}
	var all int64
	for _, b := range files {
		all += int64(len(b))
	}
	if ri.TotalSize() != all {
		t.Fatalf("TotalSize %d, want %d (all files, as upstream)", ri.TotalSize(), all)
	}
	snap, err := c.Download(context.Background(), "org/model", "main", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	if snap.Revision != sha || len(snap.Files) != 3 {
		t.Fatalf("snapshot %+v (want the 3 allow-listed files)", snap)
	}
	for _, f := range snap.Files {
		b, _ := os.ReadFile(filepath.Join(snap.Dir, f.Path))
		if string(b) != string(files[f.Path]) || f.SHA256 != sha256Hex(b) {
			t.Errorf("%s differs", f.Path)
		}
	}
	if _, err := os.Stat(filepath.Join(snap.Dir, "README.md")); err == nil {
		t.Error("README.md downloaded")
	}
	// Filter can select every file, hidden ones included.
	c2 := NewClient(srv.URL, t.TempDir())
	c2.Filter = func(string) bool { return true }
	if _, err := c2.Download(context.Background(), "org/model", sha, "", nil); !errors.Is(err, ErrInvalid) {
		t.Fatalf(".gitattributes is not a valid snapshot path here: %v", err)
	}
	c2.Filter = func(p string) bool { return p != ".gitattributes" }
	snap2, err := c2.Download(context.Background(), "org/model", sha, "", nil)
	if err != nil || len(snap2.Files) != 4 {
		t.Fatalf("filtered download: %v %+v", err, snap2)
	}
}

func TestClientDetectsTamperedHFFiles(t *testing.T) {
	for _, target := range []string{"config.json", "model.safetensors"} {
		files, lfs := hfFiles()
		srv, sha, _ := fakeHF(t, files, lfs, func(name string, b []byte) []byte {
			if name != target {
				return b
			}
			c := append([]byte(nil), b...)
			c[len(c)/2] ^= 0x40
			return c
		})
		c := NewClient(srv.URL, t.TempDir())
		c.Retries = 0
		_, err := c.Download(context.Background(), "org/model", sha, "", nil)
		if !errors.Is(err, ErrCorrupt) {
			t.Errorf("tampered %s: %v, want ErrCorrupt", target, err)
		}
	}
}

func TestClientNotFound(t *testing.T) {
	files, lfs := hfFiles()
	srv, _, _ := fakeHF(t, files, lfs, nil)
	c := NewClient(srv.URL, t.TempDir())
	_, err := c.Download(context.Background(), "org/model", strings.Repeat("f", 40), "", nil)
	if !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown revision: %v", err)
	}
	if _, err := c.Download(context.Background(), "org/model/x", "main", "", nil); !errors.Is(err, ErrInvalid) {
		t.Fatalf("bad repo id: %v", err)
	}
}

var zeroTime time.Time
