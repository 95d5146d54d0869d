package hub

import (
	"bytes"
	"crypto/sha1"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/taonet/taonet/keys"
)

// This file holds the Hugging Face Hub API endpoints that huggingface_hub and
// @huggingface/hub call (tree, paths-info, create, settings, preupload, LFS
// batch, NDJSON commit, whoami, tokens). Every stored file is served as the
// Hub serves an LFS file: its tree entry carries the git blob id of its LFS
// pointer and lfs {oid: sha256, size, pointerSize}; raw serves the content
// like resolve (the hub keeps no git pointer files).

// lfsPointer is the git-lfs pointer text of content with the given sha256
// and size (git-lfs spec v1).
func lfsPointer(sha string, size int64) string {
	return "version https://git-lfs.github.com/spec/v1\noid sha256:" + sha + "\nsize " + strconv.FormatInt(size, 10) + "\n"
}

// gitBlobID is the git object id of a blob with content b.
func gitBlobID(b []byte) string {
	h := sha1.New()
	fmt.Fprintf(h, "blob %d\x00", len(b))
	h.Write(b)
	return hex.EncodeToString(h.Sum(nil))
}

// TreeEntry is one entry of the tree and paths-info answers.
type TreeEntry struct {
	Type       string      `json:"type"` // "file" or "directory"
	OID        string      `json:"oid"`
	Size       int64       `json:"size"`
	Path       string      `json:"path"`
	LFS        *TreeLFS    `json:"lfs,omitempty"`
	LastCommit *LastCommit `json:"lastCommit,omitempty"`
}

// TreeLFS is a tree entry's LFS data.
type TreeLFS struct {
	OID         string `json:"oid"` // sha256
	Size        int64  `json:"size"`
	PointerSize int64  `json:"pointerSize"`
}

// LastCommit is the commit an expanded entry belongs to.
type LastCommit struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	Date  string `json:"date"`
}

func fileEntry(f FileEntry) TreeEntry {
	p := lfsPointer(f.SHA256, f.Size)
	return TreeEntry{Type: "file", OID: gitBlobID([]byte(p)), Size: f.Size, Path: f.Path,
		LFS: &TreeLFS{OID: f.SHA256, Size: f.Size, PointerSize: int64(len(p))}}
}

// dirEntry is a directory entry; its oid is a digest of the files below it
// (the hub keeps no git trees, so it is not git's tree id).
func dirEntry(dir string, files []FileEntry) TreeEntry {
	h := sha1.New()
	for _, f := range files {
		if strings.HasPrefix(f.Path, dir+"/") {
			fmt.Fprintf(h, "%s\x00%s\x00", f.Path, f.SHA256)
		}
	}
	return TreeEntry{Type: "directory", OID: hex.EncodeToString(h.Sum(nil)), Path: dir}
}

// treeEntries lists the entries below dir ("" = root): direct children, or
// every file and directory below when recursive; sorted by path.
func treeEntries(files []FileEntry, dir string, recursive bool) ([]TreeEntry, bool) {
	prefix := ""
	if dir != "" {
		prefix = dir + "/"
	}
	dirs := map[string]bool{}
	var out []TreeEntry
	found := dir == ""
	for _, f := range files {
		if !strings.HasPrefix(f.Path, prefix) {
			continue
		}
		found = true
		rest := f.Path[len(prefix):]
		parts := strings.Split(rest, "/")
		for i := 1; i < len(parts); i++ {
			d := prefix + strings.Join(parts[:i], "/")
			if !dirs[d] && (recursive || i == 1) {
				dirs[d] = true
				out = append(out, dirEntry(d, files))
			}
		}
		if recursive || len(parts) == 1 {
			out = append(out, fileEntry(f))
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, found
}

// baseURL is the hub's external URL for links in answers.
func (s *Server) baseURL(r *http.Request) string {
	if s.public != "" {
		return s.public
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// treePageSize is the tree listing's page size (the Hub pages by 1000).
const treePageSize = 1000

func (s *Server) tree(w *statusWriter, r *http.Request, rt route) error {
	rev, err := s.revision(r, rt)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	recursive := q.Get("recursive") == "true" || q.Get("recursive") == "1" || q.Get("recursive") == "True"
	entries, found := treeEntries(rev.Files, rt.file, recursive)
	if !found {
		return fmt.Errorf("%s at %s: %w: %w", rt.file, rev.ID, ErrNotFound, errEntryNotFound)
	}
	limit := treePageSize
	if s.treePage > 0 {
		limit = s.treePage
	}
	if l, err := strconv.Atoi(q.Get("limit")); err == nil && l > 0 && l < limit {
		limit = l
	}
	start := 0
	if c := q.Get("cursor"); c != "" {
		after, err := base64.RawURLEncoding.DecodeString(c)
		if err != nil {
			return fmt.Errorf("%w cursor %q", ErrInvalid, c)
		}
		start = sort.Search(len(entries), func(i int) bool { return entries[i].Path > string(after) })
	}
	page := entries[start:min(len(entries), start+limit)]
	if start+limit < len(entries) {
		next := *r.URL
		nq := next.Query()
		nq.Set("cursor", base64.RawURLEncoding.EncodeToString([]byte(page[len(page)-1].Path)))
		next.RawQuery = nq.Encode()
		w.Header().Set("Link", "<"+s.baseURL(r)+next.RequestURI()+`>; rel="next"`)
	}
	if q.Get("expand") == "true" {
		for i := range page {
			page[i].LastCommit = lastCommit(rev)
		}
	}
	writeJSON(w, http.StatusOK, page)
	return nil
}

func lastCommit(rev *Revision) *LastCommit {
	return &LastCommit{ID: rev.ID, Title: rev.Title, Date: rev.Created.UTC().Format(time.RFC3339)}
}

// maxPathsInfo bounds a paths-info request.
const maxPathsInfo = 1 << 20

func (s *Server) pathsInfo(w *statusWriter, r *http.Request, rt route) error {
	rev, err := s.revision(r, rt)
	if err != nil {
		return err
	}
	paths, expand, err := readPathsInfo(w, r)
	if err != nil {
		return err
	}
	out := []TreeEntry{}
	for _, p := range paths {
		p = strings.TrimSuffix(p, "/")
		if ValidatePath(p) != nil {
			continue // the Hub omits paths it does not have
		}
		var e TreeEntry
		if f, ok := rev.File(p); ok {
			e = fileEntry(f)
		} else if _, found := treeEntries(rev.Files, p, false); found {
			e = dirEntry(p, rev.Files)
		} else {
			continue
		}
		if expand {
			e.LastCommit = lastCommit(rev)
		}
		out = append(out, e)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// readPathsInfo reads {"paths": [...], "expand": bool} as JSON
// (@huggingface/hub) or as a form (huggingface_hub sends paths=…&expand=True).
func readPathsInfo(w http.ResponseWriter, r *http.Request) ([]string, bool, error) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxPathsInfo))
	if err != nil {
		return nil, false, err
	}
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		v, err := url.ParseQuery(string(body))
		if err != nil {
			return nil, false, fmt.Errorf("%w paths-info form: %v", ErrInvalid, err)
		}
		e := strings.ToLower(v.Get("expand"))
		return v["paths"], e == "true" || e == "1", nil
	}
	var req struct {
		Paths  []string `json:"paths"`
		Expand bool     `json:"expand"`
	}
	if err := decodeStrict(body, &req); err != nil {
		return nil, false, fmt.Errorf("%w paths-info JSON: %v", ErrInvalid, err)
	}
	return req.Paths, req.Expand, nil
}

// readJSON decodes a small JSON request body (at most maxManifestJSON).
func readJSON(w http.ResponseWriter, r *http.Request, v any) error {
	if r.ContentLength > maxManifestJSON {
		return fmt.Errorf("%w: body over %d bytes", ErrTooLarge, maxManifestJSON)
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxManifestJSON))
	if err != nil {
		return err
	}
	if err := decodeStrict(body, v); err != nil {
		return fmt.Errorf("%w JSON body: %v", ErrInvalid, err)
	}
	return nil
}

// createRequest is POST /api/repos/create's body.
type createRequest struct {
	Name         string `json:"name"`
	Organization string `json:"organization"`
	Type         string `json:"type"`
	Private      *bool  `json:"private"`
	Visibility   string `json:"visibility"`
}

func (s *Server) createRepo(w *statusWriter, r *http.Request) error {
	hotkey, err := s.bearer(r)
	if err != nil {
		return err
	}
	if hotkey == "" {
		return fmt.Errorf("%w: creating a repo needs Authorization: Bearer <token> (taonet hub login)", ErrUnauthorized)
	}
	var req createRequest
	if err := readJSON(w, r, &req); err != nil {
		return err
	}
	if req.Type != "" && req.Type != "model" {
		return fmt.Errorf("%w repo type %q: this hub stores models only", ErrInvalid, req.Type)
	}
	ns := req.Organization
	if ns == "" {
		ns = hotkey
	}
	repo := ns + "/" + req.Name
	if _, _, err := ParseRepoID(repo); err != nil {
		return err
	}
	private := req.Visibility == "private" || (req.Private != nil && *req.Private)
	if req.Visibility != "" && req.Visibility != "private" && req.Visibility != "public" {
		return fmt.Errorf("%w visibility %q: want private or public", ErrInvalid, req.Visibility)
	}
	if err := s.mayWrite(r.Context(), ns, hotkey, true); err != nil {
		return err
	}
	if err := s.store.CreateRepo(repo, private); err != nil {
		return err
	}
	s.log.Info("hub repo created", "repo", repo, "private", private, "by", hotkey)
	writeJSON(w, http.StatusOK, map[string]string{"url": s.baseURL(r) + "/" + repo, "name": repo, "id": repo})
	return nil
}

// settingsRequest is the settings body: {"private": bool} (taonet's signed
// protocol and huggingface_hub) or {"visibility": "private"|"public"}.
type settingsRequest struct {
	Private    *bool  `json:"private"`
	Visibility string `json:"visibility"`
	Gated      any    `json:"gated"`
}

func (rq settingsRequest) settings() (RepoSettings, error) {
	switch {
	case rq.Visibility == "private" || rq.Visibility == "public":
		return RepoSettings{Private: rq.Visibility == "private"}, nil
	case rq.Visibility != "":
		return RepoSettings{}, fmt.Errorf("%w visibility %q: want private or public", ErrInvalid, rq.Visibility)
	case rq.Gated != nil && rq.Gated != false:
		return RepoSettings{}, fmt.Errorf("%w: gated repos are not supported by this hub", ErrInvalid)
	case rq.Private == nil:
		return RepoSettings{}, fmt.Errorf("%w settings: want private or visibility", ErrInvalid)
	}
	return RepoSettings{Private: *rq.Private}, nil
}

// PreuploadFile is one file of the Hub's preupload request.
type PreuploadFile struct {
	Path   string `json:"path"`
	Size   int64  `json:"size"`
	Sample string `json:"sample"` // base64 of the first 512 bytes
}

// PreuploadMode is the Hub's preupload answer for one file.
type PreuploadMode struct {
	Path         string `json:"path"`
	UploadMode   string `json:"uploadMode"` // "lfs" or "regular"
	ShouldIgnore bool   `json:"shouldIgnore"`
}

// RegularFileLimit is the largest file preupload sends inline ("regular");
// binary files (a NUL byte in the sample) and larger ones go through LFS.
const RegularFileLimit = 1 << 20

// uploadMode decides how a client should send a file.
func uploadMode(f PreuploadFile) string {
	sample, err := base64.StdEncoding.DecodeString(f.Sample)
	if f.Size > RegularFileLimit || err != nil || bytes.IndexByte(sample, 0) >= 0 {
		return "lfs"
	}
	return "regular"
}

func (s *Server) hfPreupload(w *statusWriter, r *http.Request, rt route) error {
	if _, _, err := s.authWrite(r, rt, false); err != nil {
		return err
	}
	if err := s.writableRevision(rt); err != nil {
		return err
	}
	var req struct {
		Files         []PreuploadFile `json:"files"`
		GitAttributes *string         `json:"gitAttributes"`
		GitIgnore     *string         `json:"gitIgnore"`
	}
	if err := readJSON(w, r, &req); err != nil {
		return err
	}
	lim := s.store.Limits()
	if len(req.Files) > lim.MaxFiles {
		return fmt.Errorf("%w: %d files, limit %d", ErrTooLarge, len(req.Files), lim.MaxFiles)
	}
	out := struct {
		Files     []PreuploadMode `json:"files"`
		CommitOID string          `json:"commitOid,omitempty"`
	}{Files: []PreuploadMode{}}
	for _, f := range req.Files {
		if err := ValidatePath(f.Path); err != nil {
			return err
		}
		if f.Size < 0 || f.Size > lim.MaxFileBytes {
			return fmt.Errorf("%w: %s is %d bytes, limit %d", ErrTooLarge, f.Path, f.Size, lim.MaxFileBytes)
		}
		out.Files = append(out.Files, PreuploadMode{Path: f.Path, UploadMode: uploadMode(f)})
	}
	if head, err := s.store.Revision(rt.repo, "main"); err == nil {
		out.CommitOID = head.ID
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// writableRevision checks that commits to rt.revision are possible: the
// hub has one branch, main.
func (s *Server) writableRevision(rt route) error {
	if rt.revision == "main" {
		return nil
	}
	if !s.store.RepoExists(rt.repo) {
		return fmt.Errorf("repo %s: %w", rt.repo, ErrNotFound)
	}
	return fmt.Errorf("branch %q of %s (this hub commits to main only): %w: %w", rt.revision, rt.repo, ErrNotFound, errRevisionNotFound)
}

// CommitResult is the Hub's commit answer.
type CommitResult struct {
	Success        bool    `json:"success"`
	CommitOID      string  `json:"commitOid"`
	CommitURL      string  `json:"commitUrl"`
	HookOutput     string  `json:"hookOutput"`
	PullRequestURL *string `json:"pullRequestUrl"`
}

func (s *Server) hfCommit(w *statusWriter, r *http.Request, rt route) error {
	hotkey, _, err := s.authWrite(r, rt, false)
	if err != nil {
		return err
	}
	if err := s.writableRevision(rt); err != nil {
		return err
	}
	if r.URL.Query().Get("create_pr") != "" {
		return fmt.Errorf("%w: pull requests are not supported by this hub", ErrInvalid)
	}
	if r.ContentLength > MaxCommitBody {
		return fmt.Errorf("%w: commit body of %d bytes, limit %d", ErrTooLarge, r.ContentLength, MaxCommitBody)
	}
	ops, err := ParseCommitNDJSON(http.MaxBytesReader(w, r.Body, MaxCommitBody))
	if err != nil {
		return err
	}
	head, err := s.store.Revision(rt.repo, "main")
	var base []FileEntry
	parent := ""
	switch {
	case err == nil:
		base, parent = head.Files, head.ID
	case errors.Is(err, ErrNotFound) && s.store.RepoExists(rt.repo):
	default:
		return err
	}
	if ops.Header.ParentCommit != "" && ops.Header.ParentCommit != parent {
		return fmt.Errorf("%w: parentCommit %s is not the head of main (%q)", ErrConflict, ops.Header.ParentCommit, parent)
	}
	m, err := ops.Apply(base, s.store.HasBlob)
	if err != nil {
		return err
	}
	if err := m.Validate(s.store.Limits()); err != nil {
		return err
	}
	if err := s.store.Authorize(rt.ns, hotkey); err != nil {
		return err
	}
	for _, f := range ops.Files { // only now, with the commit known to be valid
		if _, _, err := s.store.PutBlob(bytes.NewReader(f.Content), "", int64(len(f.Content))); err != nil {
			return err
		}
	}
	rev, created, err := s.store.CommitTitled(rt.repo, hotkey, ops.Header.Summary, &parent, m)
	if err != nil {
		return err
	}
	if created {
		s.metrics.revisions.Inc()
		s.log.Info("hub revision committed", "repo", rt.repo, "revision", rev.ID, "author", hotkey, "files", len(rev.Files), "bytes", rev.TotalSize())
	}
	writeJSON(w, http.StatusOK, CommitResult{Success: true, CommitOID: rev.ID, CommitURL: s.baseURL(r) + "/" + rt.repo + "/commit/" + rev.ID})
	return nil
}

// lfsBatchRequest is the git-lfs batch request.
type lfsBatchRequest struct {
	Operation string      `json:"operation"`
	Transfers []string    `json:"transfers"`
	Ref       *lfsRef     `json:"ref"`
	Objects   []lfsObject `json:"objects"`
	HashAlgo  string      `json:"hash_algo"`
}

type lfsRef struct {
	Name string `json:"name"`
}

type lfsObject struct {
	OID  string `json:"oid"`
	Size int64  `json:"size"`
}

type lfsAction struct {
	Href      string            `json:"href"`
	Header    map[string]string `json:"header,omitempty"`
	ExpiresIn int64             `json:"expires_in,omitempty"`
}

type lfsObjectResult struct {
	OID           string                `json:"oid"`
	Size          int64                 `json:"size"`
	Authenticated bool                  `json:"authenticated,omitempty"`
	Actions       map[string]*lfsAction `json:"actions,omitempty"`
	Error         *lfsError             `json:"error,omitempty"`
}

type lfsError struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

// lfsLinkTTL is how long batch upload links stay valid.
const lfsLinkTTL = time.Hour

func (s *Server) lfsBatch(w *statusWriter, r *http.Request, rt route) error {
	if _, _, err := s.authWrite(r, rt, false); err != nil {
		return err
	}
	var req lfsBatchRequest
	if err := readJSON(w, r, &req); err != nil {
		return err
	}
	if req.Operation != "upload" {
		return fmt.Errorf("%w LFS operation %q: this hub takes uploads (download with resolve)", ErrInvalid, req.Operation)
	}
	if req.HashAlgo != "" && req.HashAlgo != "sha256" && req.HashAlgo != "sha_256" {
		return fmt.Errorf("%w LFS hash_algo %q: want sha256", ErrInvalid, req.HashAlgo)
	}
	if req.Ref != nil && req.Ref.Name != "" && strings.TrimPrefix(req.Ref.Name, "refs/heads/") != "main" {
		return fmt.Errorf("branch %q of %s (this hub commits to main only): %w: %w", req.Ref.Name, rt.repo, ErrNotFound, errRevisionNotFound)
	}
	if len(req.Objects) > s.store.Limits().MaxFiles {
		return fmt.Errorf("%w: %d LFS objects, limit %d", ErrTooLarge, len(req.Objects), s.store.Limits().MaxFiles)
	}
	exp := time.Now().Add(lfsLinkTTL).Unix()
	out := struct {
		Transfer string            `json:"transfer"`
		Objects  []lfsObjectResult `json:"objects"`
		HashAlgo string            `json:"hash_algo"`
	}{Transfer: "basic", Objects: []lfsObjectResult{}, HashAlgo: "sha256"}
	for _, o := range req.Objects {
		res := lfsObjectResult{OID: o.OID, Size: o.Size, Authenticated: true}
		switch {
		case !ValidSHA256(o.OID):
			res.Error = &lfsError{Code: http.StatusUnprocessableEntity, Message: "oid must be 64 lowercase hex (sha256)"}
		case o.Size < 0 || o.Size > s.store.Limits().MaxFileBytes:
			res.Error = &lfsError{Code: http.StatusUnprocessableEntity, Message: fmt.Sprintf("object of %d bytes, limit %d", o.Size, s.store.Limits().MaxFileBytes)}
		default:
			if size, ok := s.store.HasBlob(o.OID); ok && size == o.Size {
				s.store.touch(o.OID) // about to be referenced: keep it from GC
				break                // already stored: no actions
			}
			q := url.Values{"size": {strconv.FormatInt(o.Size, 10)}, "exp": {strconv.FormatInt(exp, 10)},
				"sig": {s.tokens.lfsSig(rt.repo, o.OID, o.Size, exp)}}.Encode()
			href := s.baseURL(r) + "/api/lfs/" + rt.repo + "/" + o.OID
			res.Actions = map[string]*lfsAction{
				"upload": {Href: href + "?" + q, ExpiresIn: int64(lfsLinkTTL / time.Second)},
				"verify": {Href: href + "/verify?" + q, ExpiresIn: int64(lfsLinkTTL / time.Second)},
			}
		}
		out.Objects = append(out.Objects, res)
	}
	b, _ := json.Marshal(out)
	w.Header().Set("Content-Type", "application/vnd.git-lfs+json")
	w.WriteHeader(http.StatusOK)
	w.Write(b)
	return nil
}

// lfsLink checks an upload or verify link's signature and returns its size.
func (s *Server) lfsLink(r *http.Request, rt route) (int64, error) {
	q := r.URL.Query()
	size, err1 := strconv.ParseInt(q.Get("size"), 10, 64)
	exp, err2 := strconv.ParseInt(q.Get("exp"), 10, 64)
	if err1 != nil || err2 != nil || size < 0 || q.Get("sig") != s.tokens.lfsSig(rt.repo, rt.sha, size, exp) {
		return 0, fmt.Errorf("%w: LFS link signature invalid; ask the batch API again", ErrForbidden)
	}
	if time.Now().Unix() > exp {
		return 0, fmt.Errorf("%w: LFS link expired; ask the batch API again", ErrForbidden)
	}
	return size, nil
}

func (s *Server) lfsPut(w *statusWriter, r *http.Request, rt route) error {
	size, err := s.lfsLink(r, rt)
	if err != nil {
		return err
	}
	if r.ContentLength >= 0 && r.ContentLength != size {
		return fmt.Errorf("%w LFS object: Content-Length %d, the batch request declared %d", ErrInvalid, r.ContentLength, size)
	}
	if have, ok := s.store.HasBlob(rt.sha); ok && have == size {
		return nil // idempotent
	}
	n, err := s.putStream(w, r.Body, rt.sha, size)
	if err != nil {
		return err
	}
	s.metrics.uploaded.Add(float64(n))
	w.WriteHeader(http.StatusOK)
	return nil
}

// putStream stores a blob body, refusing it past size bytes.
func (s *Server) putStream(w http.ResponseWriter, body io.ReadCloser, sha string, size int64) (int64, error) {
	_, n, err := s.store.PutBlob(http.MaxBytesReader(w, body, size), sha, size)
	return n, err
}

func (s *Server) lfsVerify(w *statusWriter, r *http.Request, rt route) error {
	size, err := s.lfsLink(r, rt)
	if err != nil {
		return err
	}
	var o lfsObject
	if err := readJSON(w, r, &o); err != nil {
		return err
	}
	if o.OID != rt.sha || o.Size != size {
		return fmt.Errorf("%w LFS verify: object %s/%d, link is for %s/%d", ErrInvalid, o.OID, o.Size, rt.sha, size)
	}
	if have, ok := s.store.HasBlob(rt.sha); !ok || have != size {
		return fmt.Errorf("LFS object %s: %w", rt.sha, ErrNotFound)
	}
	w.Header().Set("Content-Type", "application/vnd.git-lfs+json")
	w.WriteHeader(http.StatusOK)
	w.Write([]byte("{}"))
	return nil
}

func (s *Server) whoami(w *statusWriter, r *http.Request) error {
	hotkey, err := s.bearer(r)
	if err != nil {
		return err
	}
	if hotkey == "" {
		return fmt.Errorf("%w: send Authorization: Bearer <token> (taonet hub login)", ErrUnauthorized)
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"type": "user", "id": hotkey, "name": hotkey, "fullname": hotkey, "isPro": false, "orgs": []any{},
		"auth": map[string]any{"type": "access_token", "accessToken": map[string]any{"displayName": "taonet hub login", "role": "write"}},
	})
	return nil
}

func (s *Server) challenge(w *statusWriter, r *http.Request) error {
	var req struct {
		Hotkey string `json:"hotkey"`
	}
	if err := readJSON(w, r, &req); err != nil {
		return err
	}
	c, exp, err := s.tokens.Challenge(req.Hotkey)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"challenge": c, "expiresAt": exp.UTC().Format(time.RFC3339)})
	return nil
}

// TokenRequest is POST /api/auth/token's body.
type TokenRequest struct {
	Hotkey    string `json:"hotkey"`
	Challenge string `json:"challenge"`
	Signature string `json:"signature"` // hex sr25519 signature over the challenge bytes
	ExpiresIn int64  `json:"expiresIn"` // seconds; 0 means DefaultTokenTTL
}

// TokenResponse is POST /api/auth/token's answer.
type TokenResponse struct {
	Token     string `json:"token"`
	Hotkey    string `json:"hotkey"`
	ExpiresAt string `json:"expiresAt"`
}

func (s *Server) issueToken(w *statusWriter, r *http.Request) error {
	var req TokenRequest
	if err := readJSON(w, r, &req); err != nil {
		return err
	}
	if !keys.ValidSS58(req.Hotkey) {
		return fmt.Errorf("%w hotkey %q: not an ss58 address", ErrInvalid, req.Hotkey)
	}
	sig, err := hex.DecodeString(req.Signature)
	if err != nil || len(sig) != 64 {
		return fmt.Errorf("%w: signature must be 64 bytes hex", ErrUnauthorized)
	}
	if req.ExpiresIn < 0 {
		return fmt.Errorf("%w: negative expiresIn", ErrInvalid)
	}
	tok, exp, err := s.tokens.Issue(req.Hotkey, req.Challenge, sig, time.Duration(req.ExpiresIn)*time.Second)
	if err != nil {
		return err
	}
	s.log.Info("hub token issued", "hotkey", req.Hotkey, "expires", exp.UTC())
	writeJSON(w, http.StatusOK, TokenResponse{Token: tok, Hotkey: req.Hotkey, ExpiresAt: exp.UTC().Format(time.RFC3339)})
	return nil
}

// createTag is huggingface_hub's create_tag: POST …/tag/{rev} {"tag", "message"}.
func (s *Server) createTag(w *statusWriter, r *http.Request, rt route) error {
	if _, _, err := s.authWrite(r, rt, false); err != nil {
		return err
	}
	var req struct {
		Tag     string `json:"tag"`
		Message string `json:"message"`
	}
	if err := readJSON(w, r, &req); err != nil {
		return err
	}
	if _, err := s.revision(r, rt); err != nil {
		return err
	}
	rev, err := s.store.CreateTag(rt.repo, req.Tag, rt.revision)
	if err != nil {
		return err
	}
	s.log.Info("hub tag created", "repo", rt.repo, "tag", req.Tag, "revision", rev.ID)
	writeJSON(w, http.StatusOK, map[string]string{"tag": req.Tag, "commit": rev.ID})
	return nil
}

// gitRef is one entry of the refs listing.
type gitRef struct {
	Name         string `json:"name"`
	Ref          string `json:"ref"`
	TargetCommit string `json:"targetCommit"`
}

// refs is list_repo_refs: GET …/refs → {"branches", "tags", "converts"}.
func (s *Server) refs(w *statusWriter, r *http.Request, rt route) error {
	rt.revision = "main"
	out := struct {
		Branches []gitRef `json:"branches"`
		Tags     []gitRef `json:"tags"`
		Converts []gitRef `json:"converts"`
	}{Branches: []gitRef{}, Tags: []gitRef{}, Converts: []gitRef{}}
	head, err := s.revision(r, rt)
	switch {
	case err == nil:
		out.Branches = append(out.Branches, gitRef{Name: "main", Ref: "refs/heads/main", TargetCommit: head.ID})
	case !errors.Is(err, errRevisionNotFound):
		return err
	}
	tags, err := s.store.Tags(rt.repo)
	if err != nil {
		return err
	}
	for name, id := range tags {
		out.Tags = append(out.Tags, gitRef{Name: name, Ref: "refs/tags/" + name, TargetCommit: id})
	}
	sort.Slice(out.Tags, func(i, j int) bool { return out.Tags[i].Name < out.Tags[j].Name })
	writeJSON(w, http.StatusOK, out)
	return nil
}
