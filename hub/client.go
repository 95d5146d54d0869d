package hub

import (
	"bytes"
	"context"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"
)

// ErrCorrupt is wrapped by errors about downloaded content that does not
// match the size or hash the server announced.
var ErrCorrupt = errors.New("corrupt download")

// HTTPError is a non-2xx answer from a hub.
type HTTPError struct {
	Status  int    // HTTP status code
	Code    string // X-Error-Code header (Hugging Face), if any
	Message string // the JSON "error" field, or the start of the body
	URL     string
}

// Error implements error.
func (e *HTTPError) Error() string {
	msg := fmt.Sprintf("hub: %s: HTTP %d", e.URL, e.Status)
	if e.Code != "" {
		msg += " " + e.Code
	}
	if e.Message != "" {
		msg += ": " + e.Message
	}
	return msg
}

// Is lets errors.Is(err, ErrNotFound), ErrTooLarge, ErrUnauthorized and
// ErrForbidden work across HTTP.
func (e *HTTPError) Is(target error) bool {
	switch target {
	case ErrNotFound:
		return e.Status == http.StatusNotFound
	case ErrTooLarge:
		return e.Status == http.StatusRequestEntityTooLarge
	case ErrUnauthorized:
		return e.Status == http.StatusUnauthorized
	case ErrForbidden:
		return e.Status == http.StatusForbidden
	case ErrInvalid:
		return e.Status == http.StatusBadRequest
	case ErrConflict:
		return e.Status == http.StatusConflict
	}
	return false
}

func transient(err error) bool {
	var he *HTTPError
	if errors.As(err, &he) {
		return he.Status >= 500 || he.Status == http.StatusTooManyRequests || he.Status == http.StatusRequestTimeout
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var ne net.Error
	return errors.As(err, &ne) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) ||
		errors.Is(err, errShortBody) || errors.Is(err, errStalled)
}

var (
	errShortBody = errors.New("connection closed before the end of the file")
	errStalled   = errors.New("no progress within the idle timeout")
)

func (c *Client) concurrency() int {
	if c.Concurrency > 0 {
		return c.Concurrency
	}
	return 4
}

func (c *Client) idle() time.Duration {
	if c.IdleTimeout > 0 {
		return c.IdleTimeout
	}
	return 60 * time.Second
}

// watchdog derives a context that is cancelled when kick is not called for
// the idle timeout; stalled maps the resulting error to errStalled (a
// transient error) when the parent context is still alive.
func (c *Client) watchdog(ctx context.Context) (wctx context.Context, kick func(), stalled func(error) error, stop func()) {
	wctx, cancel := context.WithCancel(ctx)
	idle := c.idle()
	t := time.AfterFunc(idle, cancel)
	kick = func() { t.Reset(idle) }
	stalled = func(err error) error {
		if err != nil && ctx.Err() == nil && wctx.Err() != nil {
			return fmt.Errorf("%w (%v): %v", errStalled, idle, err)
		}
		return err
	}
	stop = func() { t.Stop(); cancel() }
	return wctx, kick, stalled, stop
}

// Client downloads from and uploads to a hub with this package's (and
// Hugging Face's) URL layout. Set the fields before first use; methods are
// safe for concurrent use.
type Client struct {
	BaseURL       string                 // e.g. http://127.0.0.1:7860 or https://huggingface.co
	CacheDir      string                 // per-revision download cache
	HTTP          *http.Client           // nil means a client without overall timeout
	Token         string                 // optional bearer token (Hugging Face private repos)
	MaxTotalBytes int64                  // refuse revisions whose files sum to more; 0 = no limit
	MaxFileBytes  int64                  // refuse any selected file larger; 0 = no limit
	Retries       int                    // attempts after the first for transient errors
	RetryDelay    time.Duration          // first backoff (doubles, capped at 10 s)
	Filter        func(path string) bool // files to download; nil means AllowedFile
	Now           func() time.Time       // clock for request signatures; nil = time.Now
	Signer        Signer                 // if set, reads are signed too (to read your own private repos)
	IdleTimeout   time.Duration          // a transfer with no progress this long is retried; 0 = 60 s
	Concurrency   int                    // files transferred at once; 0 = 4
	// UploadProgress, if set, is called during Upload with the bytes sent and
	// the total of the blobs the server lacks.
	UploadProgress func(done, total int64)

	locks keyedMutex
}

// NewClient returns a Client for baseURL caching under cacheDir, with 5
// retries starting at 500 ms.
func NewClient(baseURL, cacheDir string) *Client {
	return &Client{BaseURL: baseURL, CacheDir: cacheDir, Retries: 5, RetryDelay: 500 * time.Millisecond}
}

// maxInfoJSON bounds API responses (a revision listing of thousands of files
// fits in a few MB).
const maxInfoJSON = 16 << 20

func (c *Client) httpClient() *http.Client {
	if c.HTTP != nil {
		return c.HTTP
	}
	return http.DefaultClient
}

func (c *Client) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

func (c *Client) url(parts ...string) string {
	var b strings.Builder
	b.WriteString(strings.TrimRight(c.BaseURL, "/"))
	for _, p := range parts {
		b.WriteByte('/')
		b.WriteString(p)
	}
	return b.String()
}

// escapePath escapes each segment of a slash path.
func escapePath(p string) string {
	seg := strings.Split(p, "/")
	for i, s := range seg {
		seg[i] = url.PathEscape(s)
	}
	return strings.Join(seg, "/")
}

func (c *Client) newRequest(ctx context.Context, method, u string, body io.Reader) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return nil, err
	}
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	req.Header.Set("User-Agent", "taonet-hub/1")
	if c.Signer != nil && body == nil {
		if err := SignRequest(req, c.Signer, emptySHA256, c.now()); err != nil {
			return nil, err
		}
	}
	return req, nil
}

// retry runs f until it succeeds, fails permanently, or the retries run out.
func (c *Client) retry(ctx context.Context, f func() error) error {
	delay := c.RetryDelay
	if delay <= 0 {
		delay = 500 * time.Millisecond
	}
	for attempt := 0; ; attempt++ {
		err := f()
		if err == nil || !transient(err) || attempt >= c.Retries {
			return err
		}
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			return errors.Join(err, ctx.Err())
		case <-t.C:
		}
		if delay *= 2; delay > 10*time.Second {
			delay = 10 * time.Second
		}
	}
}

// httpErr builds an HTTPError from a non-2xx response (reading at most 64 KiB).
func httpErr(resp *http.Response) error {
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	e := &HTTPError{Status: resp.StatusCode, Code: resp.Header.Get("X-Error-Code"), URL: resp.Request.URL.String()}
	var ae apiError
	if json.Unmarshal(body, &ae) == nil && ae.Error != "" {
		e.Message = ae.Error
	} else {
		e.Message = strings.TrimSpace(string(body[:min(len(body), 200)]))
	}
	return e
}

// doBounded sends req and returns its answer's body: a non-2xx status is
// the hub's error, and a body over maxInfoJSON bytes is refused (u names the
// request in that error).
func (c *Client) doBounded(req *http.Request, u string) ([]byte, error) {
	resp, err := c.httpClient().Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return nil, httpErr(resp)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxInfoJSON+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxInfoJSON {
		return nil, fmt.Errorf("hub: %s: response over %d bytes", u, maxInfoJSON)
	}
	return b, nil
}

// doDrained sends req for its status alone (a non-2xx status is the hub's
// error) and drains a bounded part of the body so the connection is reused.
func (c *Client) doDrained(req *http.Request) error {
	resp, err := c.httpClient().Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return httpErr(resp)
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	return nil
}

// getJSON GETs u into v with retries and a bounded body.
func (c *Client) getJSON(ctx context.Context, u string, v any) error {
	return c.retry(ctx, func() error {
		wctx, _, stalled, stop := c.watchdog(ctx) // the whole small response within one idle period
		defer stop()
		req, err := c.newRequest(wctx, http.MethodGet, u, nil)
		if err != nil {
			return err
		}
		resp, err := c.httpClient().Do(req)
		if err != nil {
			return stalled(err)
		}
		defer resp.Body.Close()
		if resp.StatusCode/100 != 2 {
			return httpErr(resp)
		}
		body, err := io.ReadAll(io.LimitReader(resp.Body, maxInfoJSON+1))
		if err != nil {
			return stalled(err)
		}
		if len(body) > maxInfoJSON {
			return fmt.Errorf("hub: %s: response over %d bytes", u, maxInfoJSON)
		}
		if err := json.Unmarshal(body, v); err != nil {
			return fmt.Errorf("hub: %s: decode: %w", u, err)
		}
		return nil
	})
}

// Info fetches the revision info of repo at revision ("main", a branch or a
// 40-hex commit) from GET /api/models/{repo}/revision/{revision}?blobs=true,
// the endpoint huggingface_hub's model_info(files_metadata=True) uses.
func (c *Client) Info(ctx context.Context, repo, revision string) (*RepoInfo, error) {
	if _, _, err := ParseRepoID(repo); err != nil {
		return nil, err
	}
	if revision == "" {
		revision = "main"
	}
	u := c.url("api/models", escapePath(repo), "revision", url.PathEscape(revision)) + "?blobs=true"
	var ri RepoInfo
	if err := c.getJSON(ctx, u, &ri); err != nil {
		return nil, err
	}
	if !ValidRevisionID(ri.SHA) {
		return nil, fmt.Errorf("%w: %s: revision sha %q is not 40 lowercase hex", ErrCorrupt, u, ri.SHA)
	}
	if ValidRevisionID(revision) && ri.SHA != revision {
		return nil, fmt.Errorf("%w: %s: asked for revision %s, got %s", ErrCorrupt, u, revision, ri.SHA)
	}
	return &ri, nil
}

// Snapshot is a downloaded revision.
type Snapshot struct {
	Repo     string      // namespace/name
	Revision string      // 40-hex revision id (commit sha)
	Dir      string      // directory holding the files
	Files    []FileEntry // the downloaded files, sorted by path, with their sha256
	Cached   bool        // served from the cache without network
}

// TotalSize is the sum of the downloaded file sizes.
func (s *Snapshot) TotalSize() int64 { return Manifest{Files: s.Files}.TotalSize() }

func (c *Client) cacheRoot() (string, error) {
	if c.CacheDir != "" {
		return c.CacheDir, nil
	}
	d, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("hub client: no CacheDir and no user cache dir: %w", err)
	}
	return filepath.Join(d, "taonet", "hub"), nil
}

// repoCache is the Hugging-Face-like cache directory of one repo:
// models--NS--NAME/{blobs,snapshots/REV,manifests/REV.json}.
func (c *Client) repoCache(repo string) (string, error) {
	root, err := c.cacheRoot()
	if err != nil {
		return "", err
	}
	ns, name, err := ParseRepoID(repo)
	if err != nil {
		return "", err
	}
	return filepath.Join(root, "models--"+ns+"--"+name), nil
}

// Download fetches the selected files (Filter; default the model allow-list)
// of repo at revision and returns the snapshot. A 40-hex revision already in
// the cache is served without any network request. Otherwise it reads the
// revision info, refuses the revision if its total size (all files, as
// upstream) exceeds MaxTotalBytes or a selected file exceeds MaxFileBytes,
// then downloads each file into the cache (resuming partial files with Range
// requests, retrying transient errors) and verifies its size and its sha256
// (LFS files) or git blob sha1 (other Hugging Face files). Files are placed in
// CACHE/models--NS--NAME/snapshots/REV/ and, if destDir is not empty, also
// hard-linked (or copied) into destDir, replacing any other model's
// allow-listed files there; editing those files in place turns the
// cache entry into a miss (detected by mtime), after which blobs are
// re-verified and re-downloaded as needed. progress, if not nil, is called with
// the bytes done and the total of the selected files.
func (c *Client) Download(ctx context.Context, repo, revision, destDir string, progress func(done, total int64)) (*Snapshot, error) {
	rc, err := c.repoCache(repo)
	if err != nil {
		return nil, err
	}
	if revision == "" {
		revision = "main"
	}
	if ValidRevisionID(revision) {
		if snap, ok := c.fromCache(repo, rc, revision); ok {
			if err := c.materialize(snap, destDir); err != nil {
				return nil, err
			}
			if progress != nil {
				progress(snap.TotalSize(), snap.TotalSize())
			}
			return snap, nil
		}
	}
	ri, err := c.Info(ctx, repo, revision)
	if err != nil {
		return nil, err
	}
	unlock := c.locks.lock(rc + "@" + ri.SHA)
	defer unlock()
	if snap, ok := c.fromCache(repo, rc, ri.SHA); ok { // another call finished it meanwhile
		if err := c.materialize(snap, destDir); err != nil {
			return nil, err
		}
		return snap, nil
	}
	if c.MaxTotalBytes > 0 && ri.TotalSize() > c.MaxTotalBytes {
		return nil, fmt.Errorf("%w: %s@%s is %d bytes, limit %d", ErrTooLarge, repo, ri.SHA, ri.TotalSize(), c.MaxTotalBytes)
	}
	filter := c.Filter
	if filter == nil {
		filter = AllowedFile
	}
	var sel []Sibling
	var total int64
	seen := map[string]bool{}
	for _, s := range ri.Siblings {
		if !filter(s.RFilename) {
			continue
		}
		if err := ValidatePath(s.RFilename); err != nil {
			return nil, fmt.Errorf("%s@%s: %w", repo, ri.SHA, err)
		}
		if seen[s.RFilename] {
			return nil, fmt.Errorf("%w: %s@%s lists %s twice", ErrCorrupt, repo, ri.SHA, s.RFilename)
		}
		seen[s.RFilename] = true
		if s.siblingSize() < 0 {
			return nil, fmt.Errorf("%w: %s has negative size", ErrCorrupt, s.RFilename)
		}
		if c.MaxFileBytes > 0 && s.siblingSize() > c.MaxFileBytes {
			return nil, fmt.Errorf("%w: %s is %d bytes, limit %d", ErrTooLarge, s.RFilename, s.siblingSize(), c.MaxFileBytes)
		}
		if (s.LFS == nil || !ValidSHA256(s.LFS.SHA256)) && !isLowerHex(s.BlobID, 40) {
			return nil, fmt.Errorf("%w: %s: the server announces neither an lfs sha256 nor a git blob id", ErrCorrupt, s.RFilename)
		}
		sel = append(sel, s)
		total += s.siblingSize()
	}
	if len(sel) == 0 {
		return nil, fmt.Errorf("%s@%s: no files to download (%d in the repo): %w", repo, ri.SHA, len(ri.Siblings), ErrNotFound)
	}
	snapDir := filepath.Join(rc, "snapshots", ri.SHA)
	var mu sync.Mutex // progress is reported from several transfers
	var done int64
	report := func(n int64) {
		mu.Lock()
		defer mu.Unlock()
		done += n
		if progress != nil {
			progress(done, total)
		}
	}
	snap := &Snapshot{Repo: repo, Revision: ri.SHA, Dir: snapDir}
	files := make([]FileEntry, len(sel))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(c.concurrency())
	for i, s := range sel {
		g.Go(func() error {
			blob, sha, err := c.fetchFile(gctx, repo, ri.SHA, rc, s, report)
			if err != nil {
				return err
			}
			if err := linkOrCopy(blob, filepath.Join(snapDir, filepath.FromSlash(s.RFilename))); err != nil {
				return err
			}
			files[i] = FileEntry{Path: s.RFilename, Size: s.siblingSize(), SHA256: sha}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	snap.Files = files
	m := Manifest{Files: snap.Files}
	if err := m.Validate(Limits{MaxFiles: 1 << 20, MaxFileBytes: 1 << 62, MaxTotal: 1 << 62}); err != nil {
		return nil, err
	}
	snap.Files = m.Files
	cm := cacheManifest{Files: m.Files}
	for _, f := range m.Files {
		st, err := os.Stat(filepath.Join(snapDir, filepath.FromSlash(f.Path)))
		if err != nil {
			return nil, err
		}
		cm.ModTimes = append(cm.ModTimes, st.ModTime().UnixNano())
	}
	doc, _ := json.Marshal(cm)
	if err := writeFileAtomic(filepath.Join(rc, "manifests", ri.SHA+".json"), doc); err != nil {
		return nil, err
	}
	if err := c.materialize(snap, destDir); err != nil {
		return nil, err
	}
	return snap, nil
}

// cacheManifest records a completed, verified snapshot. The files' mtimes
// detect later in-place edits (destDir files are hard links into the cache),
// which turn the entry into a miss that re-verifies every blob.
type cacheManifest struct {
	Files    []FileEntry `json:"files"`
	ModTimes []int64     `json:"mtimes"` // UnixNano, parallel to Files
}

// fromCache returns the cached snapshot of rev if its manifest exists and
// every file is present, unmodified since it was verified.
func (c *Client) fromCache(repo, rc, rev string) (*Snapshot, bool) {
	b, err := os.ReadFile(filepath.Join(rc, "manifests", rev+".json"))
	if err != nil {
		return nil, false
	}
	var m cacheManifest
	if json.Unmarshal(b, &m) != nil || len(m.ModTimes) != len(m.Files) {
		return nil, false
	}
	snapDir := filepath.Join(rc, "snapshots", rev)
	for i, f := range m.Files {
		if ValidatePath(f.Path) != nil {
			return nil, false
		}
		st, err := os.Stat(filepath.Join(snapDir, filepath.FromSlash(f.Path)))
		if err != nil || st.Size() != f.Size || st.ModTime().UnixNano() != m.ModTimes[i] {
			return nil, false
		}
	}
	return &Snapshot{Repo: repo, Revision: rev, Dir: snapDir, Files: m.Files, Cached: true}, true
}

// materialize places the snapshot's files in destDir (if set) and points
// snap.Dir there. Allow-listed model files in destDir that are not part of
// the snapshot (left by another model) are removed, so DirHash(destDir) is
// the revision's hash.
func (c *Client) materialize(snap *Snapshot, destDir string) error {
	if destDir == "" || filepath.Clean(destDir) == filepath.Clean(snap.Dir) {
		return nil
	}
	for _, f := range snap.Files {
		src := filepath.Join(snap.Dir, filepath.FromSlash(f.Path))
		if err := linkOrCopy(src, filepath.Join(destDir, filepath.FromSlash(f.Path))); err != nil {
			return err
		}
	}
	keep := make(map[string]bool, len(snap.Files))
	for _, f := range snap.Files {
		keep[f.Path] = true
	}
	ents, err := os.ReadDir(destDir)
	if err != nil {
		return err
	}
	for _, e := range ents {
		if !e.IsDir() && AllowedFile(e.Name()) && !keep[e.Name()] {
			if err := os.Remove(filepath.Join(destDir, e.Name())); err != nil {
				return err
			}
		}
	}
	snap.Dir = destDir
	return nil
}

// fetchFile downloads one sibling into the repo cache's blobs directory,
// resuming a partial download, and returns the blob path and its sha256.
func (c *Client) fetchFile(ctx context.Context, repo, rev, rc string, s Sibling, report func(int64)) (string, string, error) {
	size := s.siblingSize()
	wantSHA := ""
	if s.LFS != nil && ValidSHA256(s.LFS.SHA256) {
		wantSHA = s.LFS.SHA256
	}
	name := wantSHA
	if name == "" {
		name = s.BlobID
	}
	blobs := filepath.Join(rc, "blobs")
	if err := os.MkdirAll(blobs, 0o755); err != nil {
		return "", "", err
	}
	final := filepath.Join(blobs, name)
	unlock := c.locks.lock(final)
	defer unlock()
	if st, err := os.Stat(final); err == nil && st.Size() == size {
		// Shared with another cached revision: verify before reuse (cheap
		// next to a download, and cache files may have been edited in place).
		if sha, err := verifyFile(final, s); err == nil {
			report(size)
			return final, sha, nil
		}
		os.Remove(final)
	}
	partial := final + ".incomplete"
	u := c.url(escapePath(repo), "resolve", rev, escapePath(s.RFilename))
	var fileDone int64
	setDone := func(abs int64) {
		report(abs - fileDone)
		fileDone = abs
	}
	restarted := false
	for {
		var ch *contentHash
		err := c.retry(ctx, func() (err error) {
			ch, err = c.fetchRange(ctx, u, partial, s, setDone)
			return err
		})
		if err != nil {
			return "", "", err
		}
		sha, err := ch.check(s)
		if err == nil {
			if err := os.Rename(partial, final); err != nil {
				return "", "", err
			}
			return final, sha, nil
		}
		os.Remove(partial)
		if restarted {
			return "", "", fmt.Errorf("%s@%s %s: %w", repo, rev, s.RFilename, err)
		}
		// The partial file may have come from an earlier, different server
		// state; try once more from scratch before declaring the server bad.
		restarted = true
		setDone(0)
	}
}

// fetchRange appends the rest of the file at u to partial, starting from the
// partial file's current size.
// setDone reports the file's bytes on disk (absolute, so resumed and restarted
// transfers count correctly). The returned hash covers the whole file: the
// bytes already on disk are re-read once, the new ones hashed as they arrive.
func (c *Client) fetchRange(ctx context.Context, u, partial string, s Sibling, setDone func(int64)) (*contentHash, error) {
	size := s.siblingSize()
	f, err := os.OpenFile(partial, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	off, err := f.Seek(0, io.SeekEnd)
	if err != nil {
		return nil, err
	}
	if off > size { // stale partial larger than the file: start over
		if err := f.Truncate(0); err != nil {
			return nil, err
		}
		off = 0
	}
	ch := newContentHash(s)
	if off > 0 {
		if _, err := io.Copy(ch, io.NewSectionReader(f, 0, off)); err != nil {
			return nil, err
		}
	}
	if _, err := f.Seek(off, io.SeekStart); err != nil {
		return nil, err
	}
	setDone(off)
	if off == size {
		return ch, nil
	}
	wctx, kick, stalled, stop := c.watchdog(ctx)
	defer stop()
	req, err := c.newRequest(wctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	if off > 0 {
		req.Header.Set("Range", "bytes="+strconv.FormatInt(off, 10)+"-")
	}
	resp, err := c.httpClient().Do(req)
	if err != nil {
		return nil, stalled(err)
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusPartialContent && off > 0:
		if start, ok := contentRangeStart(resp.Header.Get("Content-Range")); !ok || start != off {
			return nil, fmt.Errorf("%w: %s: Content-Range %q does not start at %d", ErrCorrupt, u, resp.Header.Get("Content-Range"), off)
		}
	case resp.StatusCode == http.StatusOK:
		if off > 0 { // server ignored the Range: restart the file
			setDone(0)
			if err := f.Truncate(0); err != nil {
				return nil, err
			}
			if off, err = f.Seek(0, io.SeekStart); err != nil {
				return nil, err
			}
			ch = newContentHash(s)
		}
	default:
		return nil, httpErr(resp)
	}
	if err := checkLinked(resp, s, u); err != nil {
		return nil, err
	}
	if resp.ContentLength >= 0 && off+resp.ContentLength != size {
		return nil, fmt.Errorf("%w: %s: server sends %d bytes from %d, file is %d", ErrCorrupt, u, resp.ContentLength, off, size)
	}
	buf := make([]byte, 256<<10)
	want := size - off
	var got int64
	for got < want {
		n, rerr := resp.Body.Read(buf[:min(int64(len(buf)), want-got)])
		if n > 0 {
			if _, werr := f.Write(buf[:n]); werr != nil {
				return nil, werr
			}
			ch.Write(buf[:n])
			got += int64(n)
			setDone(off + got)
			kick()
		}
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			return nil, stalled(rerr)
		}
	}
	if got < want {
		return nil, fmt.Errorf("%s: %w (%d of %d bytes)", u, errShortBody, off+got, size)
	}
	// The body must end here: a longer body means the announced size is wrong.
	var one [1]byte
	if n, _ := io.ReadFull(resp.Body, one[:]); n > 0 {
		return nil, fmt.Errorf("%w: %s: body longer than the announced %d bytes", ErrCorrupt, u, size)
	}
	if err := f.Sync(); err != nil {
		return nil, err
	}
	return ch, nil
}

// contentRangeStart parses "bytes START-END/TOTAL".
func contentRangeStart(h string) (int64, bool) {
	rest, ok := strings.CutPrefix(h, "bytes ")
	if !ok {
		return 0, false
	}
	i := strings.IndexByte(rest, '-')
	if i <= 0 {
		return 0, false
	}
	v, err := strconv.ParseInt(rest[:i], 10, 64)
	return v, err == nil && v >= 0
}

// contentHash hashes a file's content the ways a hub may announce it:
// sha256 always, plus the git blob sha1 when no lfs sha256 is known.
type contentHash struct {
	h256 hash.Hash
	h1   hash.Hash // nil when the sibling has an lfs sha256
	n    int64
}

func newContentHash(s Sibling) *contentHash {
	ch := &contentHash{h256: sha256.New()}
	if s.LFS == nil || !ValidSHA256(s.LFS.SHA256) {
		ch.h1 = sha1.New()
		fmt.Fprintf(ch.h1, "blob %d\x00", s.siblingSize()) // git blob object header
	}
	return ch
}

func (ch *contentHash) Write(p []byte) (int, error) {
	ch.h256.Write(p)
	if ch.h1 != nil {
		ch.h1.Write(p)
	}
	ch.n += int64(len(p))
	return len(p), nil
}

// check compares the hashed content with the sibling's size and sha256 (or
// git blob sha1) and returns the content's sha256.
func (ch *contentHash) check(s Sibling) (string, error) {
	if ch.n != s.siblingSize() {
		return "", fmt.Errorf("%w: %s is %d bytes, want %d", ErrCorrupt, s.RFilename, ch.n, s.siblingSize())
	}
	sha := hex.EncodeToString(ch.h256.Sum(nil))
	if ch.h1 != nil {
		if got := hex.EncodeToString(ch.h1.Sum(nil)); got != s.BlobID {
			return "", fmt.Errorf("%w: %s git blob sha1 %s, want %s", ErrCorrupt, s.RFilename, got, s.BlobID)
		}
	} else if sha != s.LFS.SHA256 {
		return "", fmt.Errorf("%w: %s sha256 %s, want %s", ErrCorrupt, s.RFilename, sha, s.LFS.SHA256)
	}
	return sha, nil
}

// verifyFile checks the file at path against the sibling (see check).
func verifyFile(path string, s Sibling) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	ch := newContentHash(s)
	if _, err := io.Copy(ch, f); err != nil {
		return "", err
	}
	return ch.check(s)
}

// linkOrCopy places src at dst (replacing it atomically): a hard link when
// possible, else a copy.
func linkOrCopy(src, dst string) error {
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	if a, err := os.Stat(src); err == nil {
		if b, err := os.Stat(dst); err == nil && os.SameFile(a, b) {
			return nil
		}
	}
	tmp := fmt.Sprintf("%s.tmp-%d-%d", dst, os.Getpid(), tmpSeq.Add(1))
	if err := os.Link(src, tmp); err != nil {
		if err := copyFile(src, tmp); err != nil {
			os.Remove(tmp)
			return err
		}
	}
	if err := os.Rename(tmp, dst); err != nil {
		os.Remove(tmp)
		return err
	}
	return nil
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// writeFileAtomic writes data to path via a temp file in the same directory.
func writeFileAtomic(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// Upload publishes the allow-listed model files of dir (HashedFiles) as a new
// revision of repo and returns the revision id. With a Token it speaks the
// Hugging Face protocol (preupload, LFS batch, NDJSON commit; see
// hfclient.go), which huggingface.co and taonet hubs both take; otherwise
// requests are signed by signer. It sends
// the manifest to preupload (the server checks limits and ownership before any
// transfer), PUTs only the blobs the server lacks, then commits. Uploading
// files equal to the latest revision returns that revision.
func (c *Client) Upload(ctx context.Context, signer Signer, repo, dir string) (string, error) {
	if _, _, err := ParseRepoID(repo); err != nil {
		return "", err
	}
	if c.tokenMode() {
		return c.uploadHF(ctx, repo, dir)
	}
	if signer == nil {
		return "", fmt.Errorf("hub upload: need a token (HF_TOKEN) or a signing hotkey")
	}
	files, err := HashedFiles(dir)
	if err != nil {
		return "", err
	}
	var m Manifest
	paths := map[string]string{} // sha256 -> local path
	for _, p := range files {
		full := filepath.Join(dir, filepath.FromSlash(p))
		sha, n, err := fileSHA256(full)
		if err != nil {
			return "", err
		}
		m.Files = append(m.Files, FileEntry{Path: p, Size: n, SHA256: sha})
		paths[sha] = full
	}
	if err := m.Validate(Limits{}); err != nil {
		return "", err
	}
	doc, _ := json.Marshal(m)
	// Another upload to the same repo may land between preupload and commit
	// (409): then start over from the new head.
	for attempt := 0; ; attempt++ {
		var pre PreuploadResponse
		if err := c.signedJSON(ctx, signer, http.MethodPost, c.url("api/models", escapePath(repo), "preupload"), doc, &pre); err != nil {
			return "", err
		}
		var total, sent int64
		sizes := map[string]int64{}
		for _, f := range m.Files {
			sizes[f.SHA256] = f.Size
		}
		for _, sha := range pre.Missing {
			total += sizes[sha]
		}
		for _, sha := range pre.Missing {
			p, ok := paths[sha]
			if !ok {
				return "", fmt.Errorf("hub: server asked for blob %s not in the manifest", sha)
			}
			base := sent
			if err := c.putBlob(ctx, signer, repo, sha, p, func(n int64) {
				if c.UploadProgress != nil {
					c.UploadProgress(base+n, total)
				}
			}); err != nil {
				return "", err
			}
			sent += sizes[sha]
		}
		parent := pre.Head
		commitDoc, _ := json.Marshal(CommitRequest{Files: m.Files, Parent: &parent})
		var cr CommitResponse
		err := c.signedJSON(ctx, signer, http.MethodPost, c.url("api/models", escapePath(repo), "commit"), commitDoc, &cr)
		var he *HTTPError
		if errors.As(err, &he) && he.Status == http.StatusConflict && attempt < 10 {
			continue
		}
		if err != nil {
			return "", err
		}
		if !ValidRevisionID(cr.CommitOID) {
			return "", fmt.Errorf("hub: commit returned revision %q, not 40 lowercase hex", cr.CommitOID)
		}
		return cr.CommitOID, nil
	}
}

func fileSHA256(path string) (string, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", 0, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return "", 0, err
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}

// signedJSON sends a signed request with a JSON body and decodes the answer.
func (c *Client) signedJSON(ctx context.Context, signer Signer, method, u string, body []byte, out any) error {
	bodySHA := sha256Hex(body)
	return c.retry(ctx, func() error {
		req, err := c.newRequest(ctx, method, u, bytes.NewReader(body))
		if err != nil {
			return err
		}
		req.Header.Set("Content-Type", "application/json")
		if err := SignRequest(req, signer, bodySHA, c.now()); err != nil {
			return err
		}
		b, err := c.doBounded(req, u)
		if err != nil {
			return err
		}
		return json.Unmarshal(b, out)
	})
}

func (c *Client) putBlob(ctx context.Context, signer Signer, repo, sha, path string, progress func(sent int64)) error {
	u := c.url("api/models", escapePath(repo), "blobs", sha)
	return c.retry(ctx, func() error {
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		st, err := f.Stat()
		if err != nil {
			return err
		}
		var body io.Reader = &countingReader{r: f, report: progress}
		if st.Size() == 0 {
			body = http.NoBody // a zero length with a body would be sent chunked
		}
		req, err := c.newRequest(ctx, http.MethodPut, u, body)
		if err != nil {
			return err
		}
		req.ContentLength = st.Size()
		req.Header.Set("Content-Type", "application/octet-stream")
		if err := SignRequest(req, signer, sha, c.now()); err != nil {
			return err
		}
		return c.doDrained(req)
	})
}

// keyedMutex serializes work per key (a revision or a cache blob).
type keyedMutex struct {
	mu sync.Mutex
	m  map[string]*keyedEntry
}

type keyedEntry struct {
	mu   sync.Mutex
	refs int
}

func (k *keyedMutex) lock(key string) (unlock func()) {
	k.mu.Lock()
	if k.m == nil {
		k.m = map[string]*keyedEntry{}
	}
	e := k.m[key]
	if e == nil {
		e = &keyedEntry{}
		k.m[key] = e
	}
	e.refs++
	k.mu.Unlock()
	e.mu.Lock()
	return func() {
		e.mu.Unlock()
		k.mu.Lock()
		if e.refs--; e.refs == 0 {
			delete(k.m, key)
		}
		k.mu.Unlock()
	}
}

// SetPrivate sets repo's visibility (claiming its namespace if free). A
// miner can make its repo private before uploading and public once its chain
// commitment is included, as upstream miners do.
func (c *Client) SetPrivate(ctx context.Context, signer Signer, repo string, private bool) error {
	if _, _, err := ParseRepoID(repo); err != nil {
		return err
	}
	if c.tokenMode() {
		return c.setPrivateHF(ctx, repo, private)
	}
	doc, _ := json.Marshal(RepoSettings{Private: private})
	var out RepoSettings
	return c.signedJSON(ctx, signer, http.MethodPut, c.url("api/models", escapePath(repo), "settings"), doc, &out)
}

// countingReader reports the bytes read so far (upload progress).
type countingReader struct {
	r      io.Reader
	n      int64
	report func(int64)
}

func (cr *countingReader) Read(p []byte) (int, error) {
	n, err := cr.r.Read(p)
	if n > 0 {
		cr.n += int64(n)
		cr.report(cr.n)
	}
	return n, err
}

// checkLinked compares the headers the Hub sets on resolve answers (on the
// redirect to its CDN for LFS files, which Go keeps as resp.Request.Response)
// with the revision info, so a mismatch is refused before any byte is kept:
// X-Linked-Etag is the LFS sha256, X-Linked-Size the file size, and a plain
// ETag of 40 hex is the git blob id.
func checkLinked(resp *http.Response, s Sibling, u string) error {
	for r := resp; r != nil; r = r.Request.Response {
		if e := etagValue(r.Header.Get("X-Linked-Etag")); e != "" && s.LFS != nil && ValidSHA256(s.LFS.SHA256) && e != s.LFS.SHA256 {
			return fmt.Errorf("%w: %s: X-Linked-Etag %s, revision info says sha256 %s", ErrCorrupt, u, e, s.LFS.SHA256)
		}
		if ls := r.Header.Get("X-Linked-Size"); ls != "" {
			if n, err := strconv.ParseInt(ls, 10, 64); err != nil || n != s.siblingSize() {
				return fmt.Errorf("%w: %s: X-Linked-Size %q, revision info says %d bytes", ErrCorrupt, u, ls, s.siblingSize())
			}
		}
		if e := etagValue(r.Header.Get("ETag")); s.LFS == nil && isLowerHex(e, 40) && isLowerHex(s.BlobID, 40) && e != s.BlobID {
			return fmt.Errorf("%w: %s: ETag %s, revision info says git blob %s", ErrCorrupt, u, e, s.BlobID)
		}
		if r.Request == nil {
			break
		}
	}
	return nil
}

// etagValue strips a weak marker and quotes from an ETag.
func etagValue(e string) string {
	return strings.Trim(strings.TrimPrefix(e, "W/"), `"`)
}
