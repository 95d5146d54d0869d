package hub

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/taonet/taonet/keys"
)

// testHub is a real hub server on 127.0.0.1 over a store in a temp dir.
type testHub struct {
	store    *Store
	server   *Server
	http     *httptest.Server
	requests atomic.Int64 // requests that reached the hub
	wrap     func(next http.Handler) http.Handler
}

func newTestHub(t *testing.T, lim Limits, wrap func(http.Handler) http.Handler) *testHub {
	t.Helper()
	st, err := OpenStore(t.TempDir(), lim)
	if err != nil {
		t.Fatal(err)
	}
	h := &testHub{store: st, server: NewServer(st, ServerOptions{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})}
	var handler http.Handler = h.server
	if wrap != nil {
		handler = wrap(handler)
	}
	h.http = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.requests.Add(1)
		handler.ServeHTTP(w, r)
	}))
	t.Cleanup(h.http.Close)
	return h
}

func (h *testHub) client(t *testing.T) *Client {
	c := NewClient(h.http.URL, t.TempDir())
	c.RetryDelay = time.Millisecond
	return c
}

func mustKey(t testing.TB, uri string) *keys.Keypair {
	t.Helper()
	k, err := keys.FromURI(uri)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// makeModel writes a model directory with a weights file of size bytes
// (pseudo-random from seed) plus config/tokenizer files and non-model files.
func makeModel(t testing.TB, seed int64, size int) string {
	t.Helper()
	dir := t.TempDir()
	w := make([]byte, size)
	rand.New(rand.NewSource(seed)).Read(w)
	files := map[string][]byte{
		"config.json":            []byte(fmt.Sprintf(`{"model_type":"llama","seed":%d}`, seed)),
		"generation_config.json": []byte(`{"eos_token_id":2}`),
		"model.safetensors":      w,
		"tokenizer.json":         []byte(`{"model":{"type":"BPE"}}`),
		"tokenizer_config.json":  []byte(`{}`),
		"README.md":              []byte("not part of the model"),
		"optimizer.pt":           []byte("not uploaded"),
	}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestUploadDownloadRoundTrip(t *testing.T) {
	h := newTestHub(t, Limits{}, nil)
	alice := mustKey(t, "//Alice")
	src := makeModel(t, 1, 300_000)
	if err := os.WriteFile(filepath.Join(src, "added_tokens.json"), nil, 0o644); err != nil { // empty file
		t.Fatal(err)
	}
	// Same content as tokenizer_config.json: one blob, two paths.
	if err := os.WriteFile(filepath.Join(src, "special_tokens_map.json"), []byte(`{}`), 0o644); err != nil {
		t.Fatal(err)
	}
	wantH, err := DirHash(src)
	if err != nil {
		t.Fatal(err)
	}
	c := h.client(t)
	var upDone, upTotal int64
	c.UploadProgress = func(d, tot int64) { upDone, upTotal = d, tot }
	ctx := context.Background()
	rev, err := c.Upload(ctx, alice, "alice/tiny", src)
	if err != nil {
		t.Fatal(err)
	}
	if upTotal != 300_000+int64(len(`{"model_type":"llama","seed":1}`))+int64(len(`{"eos_token_id":2}`))+int64(len(`{"model":{"type":"BPE"}}`))+2 || upDone != upTotal {
		t.Fatalf("upload progress %d/%d", upDone, upTotal)
	}
	if !ValidRevisionID(rev) {
		t.Fatalf("revision %q is not 40 hex", rev)
	}

	info, err := c.Info(ctx, "alice/tiny", "main")
	if err != nil {
		t.Fatal(err)
	}
	if info.SHA != rev || len(info.Siblings) != 7 {
		t.Fatalf("info sha %s siblings %d, want %s and 7 (README/optimizer not uploaded)", info.SHA, len(info.Siblings), rev)
	}

	// Download with a fresh client (empty cache) into a destination dir.
	d := h.client(t)
	dest := filepath.Join(t.TempDir(), "model")
	var last, total int64
	var calls int
	snap, err := d.Download(ctx, "alice/tiny", rev, dest, func(done, tot int64) { last, total = done, tot; calls++ })
	if err != nil {
		t.Fatal(err)
	}
	if snap.Revision != rev || snap.Dir != dest || snap.Cached {
		t.Fatalf("snapshot %+v", snap)
	}
	if calls == 0 || last != total || total != info.TotalSize() {
		t.Fatalf("progress: %d calls, last %d/%d, info total %d", calls, last, total, info.TotalSize())
	}
	gotH, err := DirHash(dest)
	if err != nil || gotH != wantH {
		t.Fatalf("downloaded DirHash %s, %v; want %s", gotH, err, wantH)
	}
	if sH, _ := DirHash(snap.Dir); sH != wantH {
		t.Fatal("snapshot dir hash differs")
	}

	// The second download of a pinned revision makes no request at all.
	before := h.requests.Load()
	dest2 := filepath.Join(t.TempDir(), "again")
	snap2, err := d.Download(ctx, "alice/tiny", rev, dest2, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !snap2.Cached || h.requests.Load() != before {
		t.Fatalf("cached download: cached=%v, %d requests", snap2.Cached, h.requests.Load()-before)
	}
	if h2, _ := DirHash(dest2); h2 != wantH {
		t.Fatal("cached copy hash differs")
	}

	// "main" resolves to the same revision (one info request, no file transfer).
	before = h.requests.Load()
	snap3, err := d.Download(ctx, "alice/tiny", "main", "", nil)
	if err != nil || snap3.Revision != rev {
		t.Fatalf("main: %v %+v", err, snap3)
	}
	if n := h.requests.Load() - before; n != 1 {
		t.Fatalf("main download of a cached revision made %d requests, want 1", n)
	}

	// Uploading the same files again is not a new revision; a change is, with
	// the previous one as parent, and the old revision stays downloadable.
	if again, err := c.Upload(ctx, alice, "alice/tiny", src); err != nil || again != rev {
		t.Fatalf("re-upload: %s %v, want %s", again, err, rev)
	}
	if err := os.WriteFile(filepath.Join(src, "config.json"), []byte(`{"model_type":"llama","v":2}`), 0o644); err != nil {
		t.Fatal(err)
	}
	rev2, err := c.Upload(ctx, alice, "alice/tiny", src)
	if err != nil || rev2 == rev {
		t.Fatalf("second revision: %s %v", rev2, err)
	}
	r2, err := h.store.Revision("alice/tiny", rev2)
	if err != nil || r2.Parent != rev || r2.Author != alice.SS58Address() {
		t.Fatalf("revision doc %+v %v", r2, err)
	}
	old, err := h.client(t).Download(ctx, "alice/tiny", rev, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	if oh, _ := DirHash(old.Dir); oh != wantH {
		t.Fatal("old revision changed")
	}

	// A hotkey always owns its ss58 namespace.
	if _, err := c.Upload(ctx, alice, alice.SS58Address()+"/m", src); err != nil {
		t.Fatal(err)
	}
}

func TestResolveHeadersAndRange(t *testing.T) {
	h := newTestHub(t, Limits{}, nil)
	src := makeModel(t, 2, 5000)
	rev, err := h.store.ImportDir("ns/m", "", src)
	if err != nil {
		t.Fatal(err)
	}
	fe, _ := rev.File("model.safetensors")
	want, _ := os.ReadFile(filepath.Join(src, "model.safetensors"))
	req, _ := http.NewRequest("GET", h.http.URL+"/ns/m/resolve/"+rev.ID+"/model.safetensors", nil)
	req.Header.Set("Range", "bytes=100-199")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 206 || !bytes.Equal(body, want[100:200]) || resp.Header.Get("Content-Length") != "100" {
		t.Fatalf("range: %d len %d cl %s", resp.StatusCode, len(body), resp.Header.Get("Content-Length"))
	}
	if resp.Header.Get("ETag") != `"`+fe.SHA256+`"` || resp.Header.Get("X-Repo-Commit") != rev.ID {
		t.Fatalf("headers %v", resp.Header)
	}
	resp, err = http.Head(h.http.URL + "/ns/m/resolve/main/model.safetensors")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.ContentLength != 5000 {
		t.Fatalf("HEAD: %d %d", resp.StatusCode, resp.ContentLength)
	}
	for path, code := range map[string]int{
		"/ns/m/resolve/main/nope.bin":                               404,
		"/ns/other/resolve/main/config.json":                        404,
		"/ns/m/resolve/" + strings.Repeat("a", 40) + "/config.json": 404,
		"/ns/m/resolve/v1.0/config.json":                            404, // RevisionNotFound, as the Hub answers
		"/api/models/ns/m/revision/zzz":                             404,
		"/ns/m/resolve/v~1/config.json":                             400,
		"/api/models/ns":                                            404,
		"/nothing":                                                  404,
	} {
		resp, err := http.Get(h.http.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		var ae apiError
		json.NewDecoder(resp.Body).Decode(&ae)
		resp.Body.Close()
		if resp.StatusCode != code || ae.Error == "" {
			t.Errorf("GET %s: %d %q, want %d with a JSON error", path, resp.StatusCode, ae.Error, code)
		}
	}
	resp, _ = http.Post(h.http.URL+"/ns/m/resolve/main/config.json", "text/plain", nil)
	resp.Body.Close()
	if resp.StatusCode != 405 {
		t.Errorf("POST resolve: %d", resp.StatusCode)
	}
	resp, err = http.Get(h.http.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	m, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(m), `hub_requests_total{code="206",route="resolve"} 1`) {
		t.Errorf("metrics missing the resolve counter:\n%s", m)
	}
}

func TestPathTraversalRejected(t *testing.T) {
	h := newTestHub(t, Limits{}, nil)
	if _, err := h.store.ImportDir("ns/m", "", makeModel(t, 3, 100)); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{
		"/ns/m/resolve/main/../../../etc/passwd",
		"/ns/m/resolve/main/./config.json",
		"/ns/m/resolve/main//config.json",
		"/ns/m/resolve/main/a\\..\\b",
		"/../m/resolve/main/config.json",
		"/ns/../resolve/main/config.json",
		"/api/models/../etc/revision/main",
	} {
		rec := httptest.NewRecorder()
		h.server.ServeHTTP(rec, httptest.NewRequest("GET", "http://hub"+strings.ReplaceAll(p, "\\", "%5C"), nil))
		if rec.Code != 400 {
			t.Errorf("GET %s: %d %s, want 400", p, rec.Code, rec.Body)
		}
	}
	// Encoded dots arrive decoded in URL.Path and are rejected the same way.
	resp, err := http.Get(h.http.URL + "/ns/m/resolve/main/%2e%2e/%2e%2e/etc/passwd")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 400 {
		t.Errorf("encoded traversal: %d", resp.StatusCode)
	}
	// A manifest naming ../x is refused by commit.
	alice := mustKey(t, "//Alice")
	c := h.client(t)
	doc := []byte(`{"files":[{"path":"../x","size":1,"sha256":"` + strings.Repeat("0", 64) + `"}]}`)
	var out CommitResponse
	err = c.signedJSON(context.Background(), alice, "POST", h.http.URL+"/api/models/alice/x/commit", doc, &out)
	if !errors.Is(err, ErrInvalid) {
		t.Fatalf("commit ../x: %v, want 400", err)
	}
}

func TestUnauthorizedUploads(t *testing.T) {
	h := newTestHub(t, Limits{}, nil)
	alice, bob := mustKey(t, "//Alice"), mustKey(t, "//Bob")
	src := makeModel(t, 4, 1000)
	ctx := context.Background()
	c := h.client(t)
	if _, err := c.Upload(ctx, alice, "alice/m", src); err != nil {
		t.Fatal(err)
	}
	// Wrong hotkey for a claimed namespace and for another key's ss58 namespace.
	for _, repo := range []string{"alice/m", "alice/other", alice.SS58Address() + "/m"} {
		if _, err := c.Upload(ctx, bob, repo, src); !errors.Is(err, ErrForbidden) {
			t.Errorf("bob -> %s: %v, want 403", repo, err)
		}
	}
	// Stale timestamp (client clock 10 minutes behind).
	stale := h.client(t)
	stale.Now = func() time.Time { return time.Now().Add(-10 * time.Minute) }
	if _, err := stale.Upload(ctx, alice, "alice/m", src); !errors.Is(err, ErrUnauthorized) {
		t.Errorf("stale: %v, want 401", err)
	}

	doc := []byte(`{"files":[{"path":"config.json","size":2,"sha256":"` + sha256Hex([]byte("{}")) + `"}]}`)
	u := h.http.URL + "/api/models/alice/m/preupload"
	signed := func(s Signer, body []byte) *http.Request {
		req, _ := http.NewRequest("POST", u, bytes.NewReader(body))
		if err := SignRequest(req, s, sha256Hex(body), time.Now()); err != nil {
			t.Fatal(err)
		}
		return req
	}
	send := func(req *http.Request, body []byte) int {
		req.Body = io.NopCloser(bytes.NewReader(body))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	// A valid request passes once; its replay is refused.
	req := signed(alice, doc)
	if code := send(req, doc); code != 200 {
		t.Fatalf("valid preupload: %d", code)
	}
	if code := send(req, doc); code != 401 {
		t.Errorf("replay: %d, want 401", code)
	}
	// Bad signature: Bob's signature under Alice's hotkey header.
	req = signed(bob, doc)
	req.Header.Set(HeaderHotkey, alice.SS58Address())
	if code := send(req, doc); code != 401 {
		t.Errorf("bad signature: %d, want 401", code)
	}
	// Body swapped after signing.
	req = signed(alice, doc)
	other := []byte(`{"files":[{"path":"config.json","size":3,"sha256":"` + strings.Repeat("1", 64) + `"}]}`)
	if code := send(req, other); code != 401 {
		t.Errorf("swapped body: %d, want 401", code)
	}
	// Path changed after signing (signature covers the path).
	req = signed(alice, doc)
	req.URL.Path = "/api/models/alice/n/preupload"
	if code := send(req, doc); code != 401 {
		t.Errorf("changed path: %d, want 401", code)
	}
	// No signature at all.
	req, _ = http.NewRequest("POST", u, nil)
	if code := send(req, doc); code != 401 {
		t.Errorf("unsigned: %d, want 401", code)
	}
	// A blob PUT whose content differs from its signed id stores nothing.
	bad := []byte("not the blob")
	id := strings.Repeat("ab", 32)
	req, _ = http.NewRequest("PUT", h.http.URL+"/api/models/alice/m/blobs/"+id, bytes.NewReader(bad))
	SignRequest(req, alice, id, time.Now())
	if code := send(req, bad); code != 400 {
		t.Errorf("mismatched blob: %d, want 400", code)
	}
	if _, ok := h.store.HasBlob(id); ok {
		t.Error("mismatched blob was stored")
	}
}

func TestOversizeRejectedBeforeTransfer(t *testing.T) {
	h := newTestHub(t, Limits{MaxTotal: 50_000, MaxFileBytes: 40_000, MaxFiles: 10}, nil)
	alice := mustKey(t, "//Alice")
	ctx := context.Background()
	c := h.client(t)
	_, err := c.Upload(ctx, alice, "alice/big", makeModel(t, 5, 60_000))
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("oversize upload: %v, want 413", err)
	}
	if n := countFiles(t, filepath.Join(h.store.Dir(), "blobs")); n != 0 {
		t.Fatalf("%d blobs stored before the rejection", n)
	}
	// A blob PUT announcing more than the per-file limit is refused before its body.
	body := make([]byte, 45_000)
	id := sha256Hex(body)
	req, _ := http.NewRequest("PUT", h.http.URL+"/api/models/alice/big/blobs/"+id, bytes.NewReader(body))
	SignRequest(req, alice, id, time.Now())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 413 {
		t.Fatalf("oversize blob: %d", resp.StatusCode)
	}

	// Client side: a validator's size limit refuses before any file request.
	h2 := newTestHub(t, Limits{}, nil)
	rev, err := h2.store.ImportDir("ns/m", "", makeModel(t, 6, 60_000))
	if err != nil {
		t.Fatal(err)
	}
	d := h2.client(t)
	d.MaxTotalBytes = 50_000
	before := h2.requests.Load()
	if _, err := d.Download(ctx, "ns/m", rev.ID, "", nil); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("client size limit: %v", err)
	}
	if n := h2.requests.Load() - before; n != 1 {
		t.Fatalf("%d requests, want only the info request", n)
	}
}

func countFiles(t *testing.T, dir string) int {
	n := 0
	filepath.WalkDir(dir, func(_ string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			n++
		}
		return nil
	})
	return n
}

// cutWriter aborts the connection after limit body bytes.
type cutWriter struct {
	http.ResponseWriter
	limit int
}

func (w *cutWriter) Write(b []byte) (int, error) {
	if len(b) >= w.limit {
		w.ResponseWriter.Write(b[:w.limit])
		w.ResponseWriter.(http.Flusher).Flush()
		panic(http.ErrAbortHandler)
	}
	w.limit -= len(b)
	return w.ResponseWriter.Write(b)
}

func TestResumeAfterCutConnection(t *testing.T) {
	var cuts, ranged atomic.Int64
	h := newTestHub(t, Limits{}, func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.HasSuffix(r.URL.Path, "/model.safetensors") {
				if rg := r.Header.Get("Range"); rg != "" && rg != "bytes=0-" {
					ranged.Add(1)
				}
				if cuts.Add(1) <= 2 { // the first two transfers die mid-file
					next.ServeHTTP(&cutWriter{ResponseWriter: w, limit: 200_000}, r)
					return
				}
			}
			next.ServeHTTP(w, r)
		})
	})
	src := makeModel(t, 7, 1_000_000)
	rev, err := h.store.ImportDir("ns/m", "", src)
	if err != nil {
		t.Fatal(err)
	}
	c := h.client(t)
	var maxDone, total int64
	snap, err := c.Download(context.Background(), "ns/m", rev.ID, "", func(d, tot int64) {
		if d > maxDone {
			maxDone = d
		}
		total = tot
	})
	if err != nil {
		t.Fatal(err)
	}
	if ranged.Load() < 2 {
		t.Fatalf("%d ranged requests, want resumes after both cuts", ranged.Load())
	}
	if maxDone != total {
		t.Fatalf("progress reached %d of %d", maxDone, total)
	}
	want, _ := DirHash(src)
	if got, _ := DirHash(snap.Dir); got != want {
		t.Fatal("resumed download differs")
	}
}

func TestResumeAcrossCalls(t *testing.T) {
	var cut atomic.Bool
	cut.Store(true)
	var rangeStart atomic.Value
	rangeStart.Store("")
	h := newTestHub(t, Limits{}, func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.HasSuffix(r.URL.Path, "/model.safetensors") {
				if cut.Load() {
					next.ServeHTTP(&cutWriter{ResponseWriter: w, limit: 300_000}, r)
					return
				}
				rangeStart.Store(r.Header.Get("Range"))
			}
			next.ServeHTTP(w, r)
		})
	})
	src := makeModel(t, 8, 800_000)
	rev, _ := h.store.ImportDir("ns/m", "", src)
	c := h.client(t)
	c.Retries = 0
	if _, err := c.Download(context.Background(), "ns/m", rev.ID, "", nil); err == nil {
		t.Fatal("download through a cut connection without retries succeeded")
	}
	cut.Store(false)
	snap, err := c.Download(context.Background(), "ns/m", rev.ID, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	if rs := rangeStart.Load().(string); !strings.HasPrefix(rs, "bytes=") || rs == "bytes=0-" {
		t.Fatalf("second call did not resume: Range %q", rs)
	}
	want, _ := DirHash(src)
	if got, _ := DirHash(snap.Dir); got != want {
		t.Fatal("resumed download differs")
	}
}

func TestCorruptBlobDetected(t *testing.T) {
	h := newTestHub(t, Limits{}, nil)
	src := makeModel(t, 9, 10_000)
	rev, _ := h.store.ImportDir("ns/m", "", src)
	fe, _ := rev.File("model.safetensors")
	b, _ := os.ReadFile(h.store.BlobPath(fe.SHA256))
	b[5000] ^= 1 // same size, one bit flipped
	if err := os.WriteFile(h.store.BlobPath(fe.SHA256), b, 0o644); err != nil {
		t.Fatal(err)
	}
	c := h.client(t)
	_, err := c.Download(context.Background(), "ns/m", rev.ID, "", nil)
	if !errors.Is(err, ErrCorrupt) {
		t.Fatalf("corrupt blob: %v, want ErrCorrupt", err)
	}
	rc, _ := c.repoCache("ns/m")
	if _, err := os.Stat(filepath.Join(rc, "manifests", rev.ID+".json")); err == nil {
		t.Fatal("a corrupt revision was recorded in the cache")
	}
	// Truncated on the server (size mismatch) is caught too.
	if err := os.WriteFile(h.store.BlobPath(fe.SHA256), b[:100], 0o644); err != nil {
		t.Fatal(err)
	}
	c.Retries = 1
	if _, err := c.Download(context.Background(), "ns/m", rev.ID, "", nil); err == nil {
		t.Fatal("truncated blob accepted")
	}
}

func TestConcurrentDownloadsAndUploads(t *testing.T) {
	h := newTestHub(t, Limits{}, nil)
	src := makeModel(t, 10, 200_000)
	want, _ := DirHash(src)
	rev, _ := h.store.ImportDir("ns/m", "", src)
	c := h.client(t) // one client, shared cache
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for i := 0; i < 6; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			dest := filepath.Join(t.TempDir(), "d")
			snap, err := c.Download(context.Background(), "ns/m", rev.ID, dest, nil)
			if err != nil {
				errs <- err
				return
			}
			if got, _ := DirHash(snap.Dir); got != want {
				errs <- fmt.Errorf("download %d: hash differs", i)
			}
		}(i)
	}
	// Concurrent uploads to one repo form a linear history.
	alice := mustKey(t, "//Alice")
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			if _, err := h.client(t).Upload(context.Background(), alice, "alice/c", makeModel(t, int64(100+i), 1000)); err != nil {
				errs <- err
			}
		}(i)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	r, err := h.store.Revision("alice/c", "main")
	if err != nil {
		t.Fatal(err)
	}
	n := 1
	for r.Parent != "" {
		if r, err = h.store.Revision("alice/c", r.Parent); err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n != 4 {
		t.Fatalf("history has %d revisions, want 4", n)
	}
}

func newBenchHub(b *testing.B, st *Store) string {
	srv := httptest.NewServer(NewServer(st, ServerOptions{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}))
	b.Cleanup(srv.Close)
	return srv.URL
}

func TestAllowWriterHook(t *testing.T) {
	st, _ := OpenStore(t.TempDir(), Limits{})
	alice, bob := mustKey(t, "//Alice"), mustKey(t, "//Bob")
	srv := httptest.NewServer(NewServer(st, ServerOptions{AllowWriter: func(_ context.Context, hk string) error {
		if hk != alice.SS58Address() {
			return errors.New("not registered on the subnet")
		}
		return nil
	}}))
	defer srv.Close()
	c := NewClient(srv.URL, t.TempDir())
	src := makeModel(t, 21, 100)
	if _, err := c.Upload(context.Background(), bob, "bob/m", src); !errors.Is(err, ErrForbidden) || !strings.Contains(err.Error(), "not registered") {
		t.Fatalf("bob: %v", err)
	}
	if _, err := c.Upload(context.Background(), alice, "alice/m", src); err != nil {
		t.Fatal(err)
	}
}

func TestPrivateRepoUntilPublished(t *testing.T) {
	h := newTestHub(t, Limits{}, nil)
	alice, bob := mustKey(t, "//Alice"), mustKey(t, "//Bob")
	ctx := context.Background()
	owner := h.client(t)
	owner.Signer = alice
	if err := owner.SetPrivate(ctx, alice, "alice/m", true); err != nil {
		t.Fatal(err)
	}
	if err := owner.SetPrivate(ctx, bob, "alice/m", false); !errors.Is(err, ErrForbidden) {
		t.Fatalf("bob publishing alice's repo: %v", err)
	}
	src := makeModel(t, 22, 2000)
	rev, err := owner.Upload(ctx, alice, "alice/m", src)
	if err != nil {
		t.Fatal(err)
	}
	// Anonymous and foreign signed reads see nothing.
	anon := h.client(t)
	if _, err := anon.Info(ctx, "alice/m", rev); !errors.Is(err, ErrNotFound) {
		t.Fatalf("anonymous info of a private repo: %v", err)
	}
	other := h.client(t)
	other.Signer = bob
	if _, err := other.Download(ctx, "alice/m", rev, "", nil); !errors.Is(err, ErrNotFound) {
		t.Fatalf("bob's download of a private repo: %v", err)
	}
	resp, err := http.Get(h.http.URL + "/alice/m/resolve/" + rev + "/config.json")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 404 {
		t.Fatalf("anonymous resolve: %d", resp.StatusCode)
	}
	// The owner reads it (signed requests), e.g. to re-hash before committing.
	snap, err := owner.Download(ctx, "alice/m", rev, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := DirHash(src)
	if got, _ := DirHash(snap.Dir); got != want {
		t.Fatal("owner download differs")
	}
	// Published after the chain commitment: everyone can read.
	if err := owner.SetPrivate(ctx, alice, "alice/m", false); err != nil {
		t.Fatal(err)
	}
	ri, err := anon.Info(ctx, "alice/m", rev)
	if err != nil || ri.Private {
		t.Fatalf("public info: %+v %v", ri, err)
	}
	if _, err := anon.Download(ctx, "alice/m", rev, "", nil); err != nil {
		t.Fatal(err)
	}
}

func TestCacheEditedInPlaceIsRefetched(t *testing.T) {
	h := newTestHub(t, Limits{}, nil)
	src := makeModel(t, 23, 5000)
	want, _ := DirHash(src)
	rev, _ := h.store.ImportDir("ns/m", "", src)
	c := h.client(t)
	dest := filepath.Join(t.TempDir(), "d")
	if _, err := c.Download(context.Background(), "ns/m", rev.ID, dest, nil); err != nil {
		t.Fatal(err)
	}
	// A careless in-place write into destDir reaches the cache (hard link).
	p := filepath.Join(dest, "model.safetensors")
	b, _ := os.ReadFile(p)
	b[0] ^= 0xff
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	later := time.Now().Add(time.Second)
	os.Chtimes(p, later, later)
	snap, err := c.Download(context.Background(), "ns/m", rev.ID, dest, nil)
	if err != nil {
		t.Fatal(err)
	}
	if snap.Cached {
		t.Fatal("edited cache entry served as cached")
	}
	if got, _ := DirHash(dest); got != want {
		t.Fatal("destDir not repaired")
	}
	if got, _ := DirHash(snap.Dir); got != want {
		t.Fatal("snapshot not repaired")
	}
	again, err := c.Download(context.Background(), "ns/m", rev.ID, "", nil)
	if err != nil || !again.Cached {
		t.Fatalf("repaired entry not cached: %v %+v", err, again)
	}
}

func TestStalledTransferRetried(t *testing.T) {
	var first atomic.Bool
	first.Store(true)
	h := newTestHub(t, Limits{}, func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.HasSuffix(r.URL.Path, "/model.safetensors") && first.CompareAndSwap(true, false) {
				// Headers and a little data, then silence until the client gives up.
				w.Header().Set("Content-Length", "400000")
				w.WriteHeader(200)
				w.Write(make([]byte, 1000))
				w.(http.Flusher).Flush()
				<-r.Context().Done()
				return
			}
			next.ServeHTTP(w, r)
		})
	})
	src := makeModel(t, 24, 400_000)
	rev, _ := h.store.ImportDir("ns/m", "", src)
	c := h.client(t)
	c.IdleTimeout = time.Second // the stalled server never resumes, so only the margin for a loaded machine matters
	c.Retries = 10
	snap, err := c.Download(context.Background(), "ns/m", rev.ID, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := DirHash(src)
	if got, _ := DirHash(snap.Dir); got != want {
		t.Fatal("download after a stall differs")
	}
}

func TestDestDirHoldsExactlyTheRevision(t *testing.T) {
	h := newTestHub(t, Limits{}, nil)
	src := makeModel(t, 25, 3000)
	want, _ := DirHash(src)
	rev, _ := h.store.ImportDir("ns/m", "", src)
	dest := t.TempDir()
	// Leftovers of another model, plus a user file that is not a model file.
	os.WriteFile(filepath.Join(dest, "tokenizer.model"), []byte("stale"), 0o644)
	os.WriteFile(filepath.Join(dest, "notes.txt"), []byte("mine"), 0o644)
	if _, err := h.client(t).Download(context.Background(), "ns/m", rev.ID, dest, nil); err != nil {
		t.Fatal(err)
	}
	if got, _ := DirHash(dest); got != want {
		t.Fatal("stale allow-listed file changed the hash of destDir")
	}
	if _, err := os.Stat(filepath.Join(dest, "notes.txt")); err != nil {
		t.Fatal("non-model file removed")
	}
}

func TestReplayedCommitAfterRestartIsHarmless(t *testing.T) {
	st, _ := OpenStore(t.TempDir(), Limits{})
	quiet := ServerOptions{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	srv1 := httptest.NewServer(NewServer(st, quiet))
	defer srv1.Close()
	alice := mustKey(t, "//Alice")
	ctx := context.Background()
	c := NewClient(srv1.URL, t.TempDir())
	v1 := makeModel(t, 30, 500)
	rev1, err := c.Upload(ctx, alice, "alice/m", v1)
	if err != nil {
		t.Fatal(err)
	}
	v2 := makeModel(t, 31, 500)
	if _, err := c.Upload(ctx, alice, "alice/m", v2); err != nil {
		t.Fatal(err)
	}
	r2, _ := st.Revision("alice/m", "main")
	parent := rev1
	// A different old manifest (v1's files) signed on top of rev1: the
	// attacker replays it after a server restart (empty nonce memory).
	r1, _ := st.Revision("alice/m", rev1)
	oldBody, _ := json.Marshal(CommitRequest{Files: r1.Files, Parent: &parent})
	srv2 := httptest.NewServer(NewServer(st, quiet))
	defer srv2.Close()
	req, _ := http.NewRequest("POST", srv2.URL+"/api/models/alice/m/commit", bytes.NewReader(oldBody))
	SignRequest(req, alice, sha256Hex(oldBody), time.Now())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusConflict {
		t.Fatalf("stale-parent commit: %d, want 409", resp.StatusCode)
	}
	if head, _ := st.Revision("alice/m", "main"); head.ID != r2.ID {
		t.Fatal("head moved back")
	}
}

func TestCommitOntoConflict(t *testing.T) {
	st, _ := OpenStore(t.TempDir(), Limits{})
	put := func(s string) FileEntry {
		sha, n, _ := st.PutBlob(strings.NewReader(s), "", -1)
		return FileEntry{Path: "config.json", Size: n, SHA256: sha}
	}
	a, b := Manifest{Files: []FileEntry{put("a")}}, Manifest{Files: []FileEntry{put("b")}}
	if _, _, err := st.CommitOnto("ns/m", "", strings.Repeat("1", 40), a); !errors.Is(err, ErrConflict) {
		t.Fatalf("parent on an empty repo: %v", err)
	}
	ra, _, err := st.CommitOnto("ns/m", "", "", a)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := st.CommitOnto("ns/m", "", "", b); !errors.Is(err, ErrConflict) {
		t.Fatalf("stale parent: %v", err)
	}
	if r, created, err := st.CommitOnto("ns/m", "", "", a); err != nil || created || r.ID != ra.ID {
		t.Fatalf("same files with a stale parent is the existing revision: %v %v", created, err)
	}
	if _, created, err := st.CommitOnto("ns/m", "", ra.ID, b); err != nil || !created {
		t.Fatalf("fresh parent: %v", err)
	}
}

func TestMissingBlobIsServerError(t *testing.T) {
	h := newTestHub(t, Limits{}, nil)
	rev, _ := h.store.ImportDir("ns/m", "", makeModel(t, 40, 100))
	fe, _ := rev.File("config.json")
	os.Remove(h.store.BlobPath(fe.SHA256))
	resp, err := http.Get(h.http.URL + "/ns/m/resolve/main/config.json")
	if err != nil {
		t.Fatal(err)
	}
	var ae apiError
	json.NewDecoder(resp.Body).Decode(&ae)
	resp.Body.Close()
	if resp.StatusCode != 500 || strings.Contains(ae.Error, h.store.Dir()) {
		t.Fatalf("%d %q", resp.StatusCode, ae.Error)
	}
	c := h.client(t)
	c.Retries = 1
	if _, err := c.Download(context.Background(), "ns/m", rev.ID, "", nil); err == nil {
		t.Fatal("download of a damaged revision succeeded")
	}
}
