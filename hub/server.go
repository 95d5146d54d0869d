package hub

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// ServerOptions configure a Server. The zero value is usable.
type ServerOptions struct {
	AuthWindow time.Duration    // signature freshness window; 0 means AuthWindow
	Now        func() time.Time // clock for signature checks; nil means time.Now
	Logger     *slog.Logger     // nil means slog.Default()
	// AllowWriter, if set, must accept a verified hotkey before any write
	// (e.g. "registered on the subnet"); its error is returned as 403.
	AllowWriter func(ctx context.Context, hotkey string) error
	// PublicURL is the hub's external base URL (e.g. https://hub.example),
	// used in links it hands out (LFS upload hrefs, pagination, repo URLs);
	// empty means taken from each request's Host.
	PublicURL string
	// TreePageSize is the tree listing's page size; 0 means 1000 (the Hub's).
	TreePageSize int
}

// Server is the hub's HTTP API (see the package doc for the endpoints) over a
// Store. It is an http.Handler, safe for concurrent use.
type Server struct {
	store    *Store
	allow    func(ctx context.Context, hotkey string) error
	verifier *Verifier
	tokens   *tokenAuth
	public   string
	treePage int
	log      *slog.Logger
	reg      *prometheus.Registry
	metrics  serverMetrics
}

type serverMetrics struct {
	requests  *prometheus.CounterVec
	duration  *prometheus.HistogramVec
	served    prometheus.Counter
	uploaded  prometheus.Counter
	revisions prometheus.Counter
	authFail  prometheus.Counter
}

// NewServer returns a Server over store.
func NewServer(store *Store, opts ServerOptions) *Server {
	s := &Server{
		store:    store,
		verifier: &Verifier{Window: opts.AuthWindow, Now: opts.Now},
		tokens:   &tokenAuth{secret: store.secret, now: time.Now},
		public:   strings.TrimRight(opts.PublicURL, "/"),
		treePage: opts.TreePageSize,
		log:      opts.Logger,
		allow:    opts.AllowWriter,
		reg:      prometheus.NewRegistry(),
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	if opts.Now != nil {
		s.tokens.now = opts.Now
	}
	m := &s.metrics
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "hub_requests_total", Help: "HTTP requests by route and status code."}, []string{"route", "code"})
	m.duration = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "hub_request_duration_seconds", Help: "HTTP request duration by route.", Buckets: prometheus.ExponentialBuckets(0.001, 4, 10)}, []string{"route"})
	m.served = prometheus.NewCounter(prometheus.CounterOpts{Name: "hub_bytes_served_total", Help: "File bytes sent by resolve."})
	m.uploaded = prometheus.NewCounter(prometheus.CounterOpts{Name: "hub_bytes_uploaded_total", Help: "Blob bytes accepted by uploads."})
	m.revisions = prometheus.NewCounter(prometheus.CounterOpts{Name: "hub_revisions_created_total", Help: "Revisions committed."})
	m.authFail = prometheus.NewCounter(prometheus.CounterOpts{Name: "hub_auth_failures_total", Help: "Write requests rejected by signature, freshness, replay or namespace checks."})
	s.reg.MustRegister(m.requests, m.duration, m.served, m.uploaded, m.revisions, m.authFail,
		prometheus.NewGoCollector(), prometheus.NewProcessCollector(prometheus.ProcessCollectorOpts{}))
	return s
}

// Store is the server's store.
func (s *Server) Store() *Store { return s.store }

// Registry is the server's Prometheus registry (served on /metrics).
func (s *Server) Registry() *prometheus.Registry { return s.reg }

// apiError is the JSON error body: {"error": "..."} as Hugging Face returns.
type apiError struct {
	Error string `json:"error"`
}

// statusOf maps an error to an HTTP status and a Hugging-Face-style
// X-Error-Code.
func statusOf(err error, rt route) (int, string) {
	var me errMethod
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &me):
		return http.StatusMethodNotAllowed, ""
	case errors.Is(err, ErrBusy):
		return http.StatusTooManyRequests, ""
	case errors.Is(err, ErrUnauthorized):
		return http.StatusUnauthorized, ""
	case errors.Is(err, ErrForbidden):
		return http.StatusForbidden, ""
	case errors.Is(err, ErrTooLarge), errors.As(err, &mbe):
		return http.StatusRequestEntityTooLarge, ""
	case errors.Is(err, ErrConflict):
		return http.StatusConflict, ""
	case errors.Is(err, ErrInvalid):
		return http.StatusBadRequest, ""
	case errors.Is(err, ErrNotFound):
		code := "RepoNotFound"
		if errors.Is(err, errRevisionNotFound) {
			code = "RevisionNotFound"
		} else if errors.Is(err, errEntryNotFound) {
			code = "EntryNotFound"
		}
		return http.StatusNotFound, code
	}
	return http.StatusInternalServerError, ""
}

var (
	errRevisionNotFound = errors.New("revision not found")
	errEntryNotFound    = errors.New("entry not found")
)

// statusWriter records the status and keeps io.ReaderFrom (sendfile) usable.
type statusWriter struct {
	http.ResponseWriter
	code  int
	bytes int64
}

func (w *statusWriter) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.code == 0 {
		w.code = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

func (w *statusWriter) ReadFrom(r io.Reader) (int64, error) {
	if w.code == 0 {
		w.code = http.StatusOK
	}
	n, err := io.Copy(w.ResponseWriter, r) // uses the underlying ReaderFrom
	w.bytes += n
	return n, err
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	sw := &statusWriter{ResponseWriter: w}
	rt, err := parseRoute(r.Method, r.URL.Path)
	if err == nil {
		err = s.serve(sw, r, rt)
	}
	if err != nil {
		s.fail(sw, r, rt, err)
	}
	code := sw.code
	if code == 0 {
		code = http.StatusOK
	}
	s.metrics.requests.WithLabelValues(rt.kind.String(), strconv.Itoa(code)).Inc()
	s.metrics.duration.WithLabelValues(rt.kind.String()).Observe(time.Since(start).Seconds())
	if rt.kind == routeResolve {
		s.metrics.served.Add(float64(sw.bytes))
	}
}

func (s *Server) fail(w *statusWriter, r *http.Request, rt route, err error) {
	code, xerr := statusOf(err, rt)
	if code == http.StatusUnauthorized || code == http.StatusForbidden {
		s.metrics.authFail.Inc()
	}
	if code >= 500 {
		s.log.Error("hub request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	} else if rt.kind.writes() {
		s.log.Info("hub write rejected", "method", r.Method, "path", r.URL.Path, "status", code, "err", err)
	}
	if w.code != 0 {
		return // headers already sent (e.g. a failed copy mid-body)
	}
	if r.ContentLength != 0 {
		// The body of a refused request is not read further: closing the
		// connection stops net/http from draining it for keep-alive.
		w.Header().Set("Connection", "close")
	}
	if me := (errMethod{}); errors.As(err, &me) {
		w.Header().Set("Allow", me.allow)
	}
	if xerr != "" {
		w.Header().Set("X-Error-Code", xerr)
	}
	msg := err.Error()
	if code >= 500 {
		msg = "internal error (logged by the hub)" // details may name server paths
	}
	writeJSON(w, code, apiError{Error: msg})
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		code, b = http.StatusInternalServerError, []byte(`{"error":"encode response"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)+1))
	w.WriteHeader(code)
	w.Write(append(b, '\n'))
}

func (s *Server) serve(w *statusWriter, r *http.Request, rt route) error {
	switch rt.kind {
	case routeMetrics:
		promhttp.HandlerFor(s.reg, promhttp.HandlerOpts{}).ServeHTTP(w, r)
		return nil
	case routeHealth:
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
		return nil
	case routeResolve, routeRaw:
		return s.resolve(w, r, rt)
	case routeInfo:
		return s.info(w, r, rt)
	case routeTree:
		return s.tree(w, r, rt)
	case routePathsInfo:
		return s.pathsInfo(w, r, rt)
	case routeHFPreupload:
		return s.hfPreupload(w, r, rt)
	case routeHFCommit:
		return s.hfCommit(w, r, rt)
	case routeCreate:
		return s.createRepo(w, r)
	case routeWhoami:
		return s.whoami(w, r)
	case routeChallenge:
		return s.challenge(w, r)
	case routeToken:
		return s.issueToken(w, r)
	case routeLFSBatch:
		return s.lfsBatch(w, r, rt)
	case routeTag:
		return s.createTag(w, r, rt)
	case routeRefs:
		return s.refs(w, r, rt)
	case routeLFSPut:
		return s.lfsPut(w, r, rt)
	case routeLFSVerify:
		return s.lfsVerify(w, r, rt)
	case routePreupload:
		return s.preupload(w, r, rt)
	case routeBlob:
		return s.putBlob(w, r, rt)
	case routeCommit:
		return s.commit(w, r, rt)
	case routeSettings:
		return s.settings(w, r, rt)
	}
	return fmt.Errorf("path %q: %w", r.URL.Path, ErrNotFound)
}

// revision looks up the route's revision, hiding private repos from anyone
// but their namespace owner (bearer token or signed read).
func (s *Server) revision(r *http.Request, rt route) (*Revision, error) {
	rs, err := s.store.Settings(rt.repo)
	if err != nil {
		return nil, err
	}
	if rs.Private {
		if ok, err := s.ownerRead(r, rt); err != nil {
			return nil, err
		} else if !ok {
			return nil, fmt.Errorf("repo %s: %w", rt.repo, ErrNotFound) // as if absent: no existence leak
		}
	} else if _, err := s.bearer(r); err != nil {
		return nil, err // a bad token is refused even for public repos, as the Hub does
	}
	return s.store.Revision(rt.repo, rt.revision)
}

func (s *Server) resolve(w *statusWriter, r *http.Request, rt route) error {
	rev, err := s.revision(r, rt)
	if err != nil {
		return err
	}
	fe, ok := rev.File(rt.file)
	if !ok {
		return fmt.Errorf("%s at %s: %w: %w", rt.file, rev.ID, ErrNotFound, errEntryNotFound)
	}
	f, err := s.store.OpenBlob(fe.SHA256)
	if err != nil {
		return fmt.Errorf("blob of %s missing from store: %v", rt.file, err) // 500: store damaged
	}
	defer f.Close()
	h := w.Header()
	etag := `"` + fe.SHA256 + `"`
	h.Set("ETag", etag)
	h.Set("X-Linked-Etag", etag)
	h.Set("X-Linked-Size", strconv.FormatInt(fe.Size, 10))
	h.Set("X-Repo-Commit", rev.ID)
	h.Set("Content-Type", "application/octet-stream")
	if rs, _ := s.store.Settings(rt.repo); rs.Private {
		h.Set("Cache-Control", "private, no-store")
	} else if rt.revision == rev.ID {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "no-cache")
	}
	// ServeContent handles Range, If-Range/If-None-Match (by ETag), HEAD and
	// Content-Length; the blob's size must match the manifest.
	http.ServeContent(w, r, "", time.Time{}, &sizedFile{f: f, size: fe.Size})
	return nil
}

// sizedFile is an io.ReadSeeker over a blob that reports the manifest size.
type sizedFile struct {
	f    io.ReadSeeker
	size int64
}

func (s *sizedFile) Read(p []byte) (int, error) { return s.f.Read(p) }
func (s *sizedFile) Seek(off int64, whence int) (int64, error) {
	if whence == io.SeekEnd {
		return s.f.Seek(s.size+off, io.SeekStart)
	}
	return s.f.Seek(off, whence)
}

// Sibling is one file in a revision listing, in Hugging Face's shape.
type Sibling struct {
	RFilename string   `json:"rfilename"`
	Size      int64    `json:"size,omitempty"`
	BlobID    string   `json:"blobId,omitempty"` // git blob sha1 (hex)
	LFS       *LFSInfo `json:"lfs,omitempty"`
}

// LFSInfo is a sibling's LFS pointer data (sha256 of the content).
type LFSInfo struct {
	SHA256      string `json:"sha256"`
	Size        int64  `json:"size"`
	PointerSize int64  `json:"pointerSize,omitempty"`
}

// RepoInfo is the revision info document (Hugging Face's model_info with
// files_metadata=True).
type RepoInfo struct {
	MongoID      string    `json:"_id,omitempty"` // the Hub's object id; here the repo id
	ID           string    `json:"id"`
	ModelID      string    `json:"modelId,omitempty"`
	Author       string    `json:"author,omitempty"`
	SHA          string    `json:"sha"` // the revision id (40 hex)
	LastModified string    `json:"lastModified,omitempty"`
	CreatedAt    string    `json:"createdAt,omitempty"`
	Private      bool      `json:"private"`
	Gated        bool      `json:"gated"`
	Disabled     bool      `json:"disabled"`
	Downloads    int64     `json:"downloads"`
	Likes        int64     `json:"likes"`
	Tags         []string  `json:"tags,omitempty"`
	Siblings     []Sibling `json:"siblings"`
}

// TotalSize is the sum of all siblings' sizes (upstream's pre-download size
// check sums every file in the repo at that commit).
func (ri *RepoInfo) TotalSize() int64 {
	var t int64
	for _, s := range ri.Siblings {
		t += s.siblingSize()
	}
	return t
}

func (s Sibling) siblingSize() int64 {
	if s.LFS != nil && s.LFS.Size > 0 {
		return s.LFS.Size
	}
	return s.Size
}

func (s *Server) info(w *statusWriter, r *http.Request, rt route) error {
	rev, err := s.revision(r, rt)
	if err != nil {
		return err
	}
	rs, _ := s.store.Settings(rt.repo)
	private := rs.Private
	ns, _, _ := ParseRepoID(rev.Repo)
	ri := RepoInfo{MongoID: rev.Repo, ID: rev.Repo, ModelID: rev.Repo, Author: ns, SHA: rev.ID,
		LastModified: rev.Created.UTC().Format("2006-01-02T15:04:05.000Z"), Siblings: []Sibling{}, Tags: []string{}}
	for _, f := range rev.Files {
		te := fileEntry(f)
		ri.Siblings = append(ri.Siblings, Sibling{RFilename: f.Path, Size: f.Size, BlobID: te.OID,
			LFS: &LFSInfo{SHA256: f.SHA256, Size: f.Size, PointerSize: te.LFS.PointerSize}})
	}
	ri.Private = private
	if rt.revision == rev.ID && !private {
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	}
	writeJSON(w, http.StatusOK, ri)
	return nil
}

// authWrite authenticates a write (bearer token, or signed request) and
// checks that the writer may write to rt's namespace (claiming it if free
// and claim is set). A signed request's nonce is remembered only after every
// check passed. bodySHA is the signed body hash ("" for a token).
func (s *Server) authWrite(r *http.Request, rt route, claim bool) (hotkey, bodySHA string, err error) {
	hotkey, err = s.bearer(r)
	if err != nil {
		return "", "", err
	}
	var sr *signedReq
	if hotkey == "" {
		if r.Header.Get(HeaderSignature) == "" && r.Header.Get(HeaderHotkey) == "" {
			return "", "", fmt.Errorf("%w: send Authorization: Bearer <token> (taonet hub login) or sign the request", ErrUnauthorized)
		}
		c, err := s.verifier.check(r)
		if err != nil {
			return "", "", err
		}
		sr, hotkey, bodySHA = &c, c.hotkey, c.bodySHA
	}
	if err := s.mayWrite(r.Context(), rt.ns, hotkey, claim); err != nil {
		return "", "", err
	}
	if sr != nil {
		if err := s.verifier.consume(*sr); err != nil {
			return "", "", err
		}
	}
	return hotkey, bodySHA, nil
}

// mayWrite checks the AllowWriter policy and namespace ownership.
func (s *Server) mayWrite(ctx context.Context, ns, hotkey string, claim bool) error {
	if s.allow != nil {
		if aerr := s.allow(ctx, hotkey); aerr != nil {
			return fmt.Errorf("%w: hotkey %s may not write: %v", ErrForbidden, hotkey, aerr)
		}
	}
	if err := CheckNamespace(ns); err != nil {
		return err
	}
	if claim {
		return s.store.Authorize(ns, hotkey)
	}
	if owner, ok := s.store.NamespaceOwner(ns); ok && owner != hotkey {
		return fmt.Errorf("%w: namespace %s belongs to %s, not %s", ErrForbidden, ns, owner, hotkey)
	}
	return nil
}

// bearer returns the hotkey of r's bearer token ("" if none).
func (s *Server) bearer(r *http.Request) (string, error) {
	h := r.Header.Get("Authorization")
	if h == "" {
		return "", nil
	}
	tok, ok := strings.CutPrefix(h, "Bearer ")
	if !ok {
		return "", errBadToken
	}
	return s.tokens.Check(strings.TrimSpace(tok))
}

// readSignedBody reads a small JSON body and checks it against the signed hash.
func readSignedBody(w http.ResponseWriter, r *http.Request, bodySHA string) ([]byte, error) {
	if r.ContentLength > maxManifestJSON {
		return nil, fmt.Errorf("%w: body over %d bytes", ErrTooLarge, maxManifestJSON)
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxManifestJSON))
	if err != nil {
		return nil, err
	}
	if got := sha256Hex(body); bodySHA != "" && got != bodySHA { // "" = token auth: nothing signed
		return nil, fmt.Errorf("%w: body sha256 %s differs from the signed %s", ErrUnauthorized, got, bodySHA)
	}
	return body, nil
}

// PreuploadResponse lists the blobs the server still needs and the repo's
// latest revision ("" if none), to send back as the commit's parent.
type PreuploadResponse struct {
	Missing []string `json:"missing"`
	Head    string   `json:"head"`
}

func (s *Server) preupload(w *statusWriter, r *http.Request, rt route) error {
	_, bodySHA, err := s.authWrite(r, rt, false)
	if err != nil {
		return err
	}
	body, err := readSignedBody(w, r, bodySHA)
	if err != nil {
		return err
	}
	m, err := ParseManifest(body, s.store.Limits())
	if err != nil {
		return err
	}
	resp := PreuploadResponse{Missing: s.store.Missing(m)}
	if head, err := s.store.Revision(rt.repo, "main"); err == nil {
		resp.Head = head.ID
	} else if !errors.Is(err, ErrNotFound) {
		return err
	}
	if resp.Missing == nil {
		resp.Missing = []string{}
	}
	writeJSON(w, http.StatusOK, resp)
	return nil
}

func (s *Server) putBlob(w *statusWriter, r *http.Request, rt route) error {
	_, bodySHA, err := s.authWrite(r, rt, false)
	if err != nil {
		return err
	}
	if bodySHA != "" && bodySHA != rt.sha {
		return fmt.Errorf("%w: signed body sha256 %s differs from the blob id %s", ErrUnauthorized, bodySHA, rt.sha)
	}
	lim := s.store.Limits().MaxFileBytes
	if r.ContentLength < 0 {
		return fmt.Errorf("%w: blob upload needs Content-Length", ErrInvalid)
	}
	if r.ContentLength > lim {
		return fmt.Errorf("%w: blob of %d bytes, limit %d", ErrTooLarge, r.ContentLength, lim)
	}
	if size, ok := s.store.HasBlob(rt.sha); ok && size == r.ContentLength {
		writeJSON(w, http.StatusOK, FileEntry{Path: "", Size: size, SHA256: rt.sha})
		return nil
	}
	sha, n, err := s.store.PutBlob(http.MaxBytesReader(w, r.Body, lim), rt.sha, r.ContentLength)
	if err != nil {
		return err
	}
	s.metrics.uploaded.Add(float64(n))
	writeJSON(w, http.StatusCreated, FileEntry{Size: n, SHA256: sha})
	return nil
}

// CommitResponse is the commit endpoint's answer (Hugging Face's names).
type CommitResponse struct {
	CommitOID string `json:"commitOid"` // the revision id
	CommitURL string `json:"commitUrl"`
	Created   bool   `json:"created"` // false if the files equal the latest revision
}

func (s *Server) commit(w *statusWriter, r *http.Request, rt route) error {
	hotkey, bodySHA, err := s.authWrite(r, rt, false)
	if err != nil {
		return err
	}
	body, err := readSignedBody(w, r, bodySHA)
	if err != nil {
		return err
	}
	m, parent, err := ParseCommitRequest(body, s.store.Limits())
	if err != nil {
		return err
	}
	if err := s.store.Authorize(rt.ns, hotkey); err != nil {
		return err
	}
	var rev *Revision
	var created bool
	if parent != nil {
		rev, created, err = s.store.CommitOnto(rt.repo, hotkey, *parent, m)
	} else {
		rev, created, err = s.store.Commit(rt.repo, hotkey, m)
	}
	if err != nil {
		return err
	}
	if created {
		s.metrics.revisions.Inc()
		s.log.Info("hub revision committed", "repo", rt.repo, "revision", rev.ID, "author", hotkey, "files", len(rev.Files), "bytes", rev.TotalSize())
	}
	writeJSON(w, http.StatusOK, CommitResponse{CommitOID: rev.ID, CommitURL: "/" + rt.repo + "/commit/" + rev.ID, Created: created})
	return nil
}

// ownerRead reports whether r is a read by rt's namespace owner: a valid
// bearer token of the owner, or a valid signed read. A bad token is an error.
func (s *Server) ownerRead(r *http.Request, rt route) (bool, error) {
	owner, ok := s.store.NamespaceOwner(rt.ns)
	hotkey, err := s.bearer(r)
	if err != nil {
		return false, err
	}
	if hotkey != "" {
		return ok && owner == hotkey, nil
	}
	if r.Header.Get(HeaderSignature) == "" {
		return false, nil
	}
	sr, err := s.verifier.check(r)
	if err != nil || sr.bodySHA != emptySHA256 || !ok || owner != sr.hotkey {
		return false, nil
	}
	return s.verifier.consume(sr) == nil, nil
}

// emptySHA256 is the hex sha256 of an empty body (signed GET/HEAD requests).
var emptySHA256 = sha256Hex(nil)

func (s *Server) settings(w *statusWriter, r *http.Request, rt route) error {
	_, bodySHA, err := s.authWrite(r, rt, true)
	if err != nil {
		return err
	}
	body, err := readSignedBody(w, r, bodySHA)
	if err != nil {
		return err
	}
	var rq settingsRequest
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&rq); err != nil {
		return fmt.Errorf("%w settings JSON: %v", ErrInvalid, err)
	}
	rs, err := rq.settings()
	if err != nil {
		return err
	}
	if err := s.store.SetSettings(rt.repo, rs); err != nil {
		return err
	}
	s.log.Info("hub repo settings", "repo", rt.repo, "private", rs.Private)
	writeJSON(w, http.StatusOK, rs)
	return nil
}
