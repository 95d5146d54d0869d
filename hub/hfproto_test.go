package hub

import (
	"bytes"
	"context"
	"errors"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/taonet/taonet/netserve"
)

// cutOnce aborts the first GET of a path ending in suffix after half its
// body, as a dropped connection would, and counts ranged requests.
type cutOnce struct {
	next   http.Handler
	suffix string
	cut    atomic.Bool
	ranged atomic.Int64
}

func (c *cutOnce) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, c.suffix) {
		if r.Header.Get("Range") != "" {
			c.ranged.Add(1)
		}
		if c.cut.CompareAndSwap(false, true) {
			c.next.ServeHTTP(&halfCutWriter{ResponseWriter: w}, r)
			return
		}
	}
	c.next.ServeHTTP(w, r)
}

type halfCutWriter struct {
	http.ResponseWriter
	n int64
}

func (w *halfCutWriter) Write(p []byte) (int, error) {
	limit, _ := parseInt64(w.Header().Get("Content-Length"))
	if w.n+int64(len(p)) > limit/2 {
		p = p[:limit/2-w.n]
		w.ResponseWriter.Write(p)
		w.ResponseWriter.(http.Flusher).Flush()
		panic(http.ErrAbortHandler) // net/http drops the connection mid-body
	}
	n, err := w.ResponseWriter.Write(p)
	w.n += int64(n)
	return n, err
}

func parseInt64(s string) (int64, error) {
	var v int64
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, errors.New("not a number")
		}
		v = v*10 + int64(c-'0')
	}
	return v, nil
}

// serveLive serves h on a loopback port with the hardened server hub serve
// uses.
func serveLive(t *testing.T, h http.Handler) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	addr := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- netserve.Serve(ctx, "127.0.0.1:0", h, netserve.Config{}, func(a net.Addr) { addr <- a.String() })
	}()
	t.Cleanup(func() { cancel(); <-done })
	return "http://" + <-addr
}

// TestClientHFProtocol: taonet's own client publishes through the Hub
// protocol (the one it uses against huggingface.co) to a live hub: create
// private, preupload, LFS for the weights, inline for small files, commit;
// the repo is invisible to others until made public; an unchanged upload is
// no new commit; a removed model file becomes a deletion; a download cut
// mid-file resumes with a Range request and verifies.
func TestClientHFProtocol(t *testing.T) {
	st, err := OpenStore(t.TempDir(), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	cut := &cutOnce{next: NewServer(st, ServerOptions{}), suffix: "/model.safetensors"}
	url := serveLive(t, cut)
	alice := mustKey(t, "//Alice")
	ctx := context.Background()
	c := NewClient(url, t.TempDir())
	c.RetryDelay = time.Millisecond
	tr, err := c.Login(ctx, alice, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	c.Token = tr.Token
	if who, err := c.WhoAmI(ctx); err != nil || who != alice.SS58Address() {
		t.Fatalf("whoami %q %v", who, err)
	}
	repo := "alice-ns/tiny"
	src := makeModel(t, 3, 2<<20) // weights over RegularFileLimit: LFS
	wantH, _ := DirHash(src)
	if err := c.SetPrivate(ctx, nil, repo, true); err != nil { // creates the repo, private
		t.Fatal(err)
	}
	var upDone, upTotal int64
	c.UploadProgress = func(d, tot int64) { upDone, upTotal = d, tot }
	rev, err := c.Upload(ctx, nil, repo, src)
	if err != nil {
		t.Fatal(err)
	}
	if upTotal != 2<<20 || upDone != upTotal {
		t.Errorf("upload progress %d/%d, want the LFS bytes", upDone, upTotal)
	}
	head, err := st.Revision(repo, "main")
	if err != nil || head.ID != rev || len(head.Files) != 5 {
		t.Fatalf("store head %+v %v", head, err)
	}
	anon := NewClient(url, t.TempDir())
	anon.RetryDelay = time.Millisecond
	if _, err := anon.Info(ctx, repo, rev); !errors.Is(err, ErrNotFound) {
		t.Fatalf("anonymous info of a private repo: %v", err)
	}
	snap, err := c.Download(ctx, repo, rev, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	if h, _ := DirHash(snap.Dir); h != wantH {
		t.Fatalf("downloaded hash %s, want %s", h, wantH)
	}
	if !cut.cut.Load() || cut.ranged.Load() != 1 {
		t.Errorf("cut %v, ranged requests %d: want one cut and one resume", cut.cut.Load(), cut.ranged.Load())
	}
	got, _ := os.ReadFile(filepath.Join(snap.Dir, "model.safetensors"))
	want, _ := os.ReadFile(filepath.Join(src, "model.safetensors"))
	if !bytes.Equal(got, want) {
		t.Fatal("weights differ after the resumed download")
	}
	if again, err := c.Upload(ctx, nil, repo, src); err != nil || again != rev {
		t.Fatalf("unchanged upload: %s %v, want %s", again, err, rev)
	}
	os.Remove(filepath.Join(src, "generation_config.json"))
	rev2, err := c.Upload(ctx, nil, repo, src)
	if err != nil || rev2 == rev {
		t.Fatalf("upload after removing a file: %s %v", rev2, err)
	}
	if h2, _ := st.Revision(repo, "main"); len(h2.Files) != 4 || h2.Parent != rev {
		t.Fatalf("after deletion: %+v", h2)
	}
	if err := c.SetPrivate(ctx, nil, repo, false); err != nil {
		t.Fatal(err)
	}
	snap2, err := anon.Download(ctx, repo, rev2, "", nil)
	if err != nil {
		t.Fatalf("anonymous download once public: %v", err)
	}
	if h, _ := DirHash(snap2.Dir); h == wantH {
		t.Fatal("second revision hashes like the first")
	}
}

// TestClientRefusesLinkedEtagMismatch: a resolve answer whose X-Linked-Etag
// names other content than the revision info is refused before the bytes
// are kept.
func TestClientRefusesLinkedEtagMismatch(t *testing.T) {
	st, _ := OpenStore(t.TempDir(), Limits{})
	alice := mustKey(t, "//Alice")
	src := makeModel(t, 4, 1000)
	if _, err := st.ImportDir("ns/m", alice.SS58Address(), src); err != nil {
		t.Fatal(err)
	}
	srv := NewServer(st, ServerOptions{})
	url := serveLive(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/model.safetensors") {
			w = &etagRewriter{ResponseWriter: w}
		}
		srv.ServeHTTP(w, r)
	}))
	c := NewClient(url, t.TempDir())
	c.Retries = 0
	_, err := c.Download(context.Background(), "ns/m", "main", "", nil)
	if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "X-Linked-Etag") {
		t.Fatalf("download with a lying X-Linked-Etag: %v", err)
	}
}

type etagRewriter struct{ http.ResponseWriter }

func (w *etagRewriter) WriteHeader(code int) {
	w.Header().Set("X-Linked-Etag", `"`+strings.Repeat("ab", 32)+`"`)
	w.ResponseWriter.WriteHeader(code)
}
