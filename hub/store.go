package hub

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/taonet/taonet/keys"
)

// ErrForbidden is wrapped by errors about writes to a namespace that belongs
// to another hotkey.
var ErrForbidden = errors.New("forbidden")

// Revision is an immutable revision of a repository.
type Revision struct {
	ID      string      `json:"id"`               // 40 hex, see RevisionID
	Repo    string      `json:"repo"`             // namespace/name
	Parent  string      `json:"parent,omitempty"` // previous revision id
	Author  string      `json:"author,omitempty"` // ss58 hotkey that committed it
	Created time.Time   `json:"created"`
	Title   string      `json:"title,omitempty"` // commit summary (not part of the id)
	Files   []FileEntry `json:"files"`           // sorted by path
}

// TotalSize is the sum of the file sizes.
func (r *Revision) TotalSize() int64 { return Manifest{Files: r.Files}.TotalSize() }

// File returns the entry for path.
func (r *Revision) File(path string) (FileEntry, bool) {
	for _, f := range r.Files {
		if f.Path == path {
			return f, true
		}
	}
	return FileEntry{}, false
}

// Store is a content-addressed model store on disk:
//
//	DIR/blobs/ab/abcdef…            file bytes, named by their sha256 (hex)
//	DIR/repos/NS/NAME/revisions/ID.json   immutable Revision documents
//	DIR/repos/NS/NAME/refs/main     id of the latest revision
//	DIR/namespaces/NS               ss58 hotkey owning NS
//	DIR/tmp/                        in-flight writes (renamed into place)
//
// Every write goes to DIR/tmp and is renamed into place, so readers never see
// a partial blob or document. A Store is safe for concurrent use; one process
// should own a directory at a time.
type Store struct {
	dir    string
	limits Limits
	secret []byte // HMAC key of access tokens and LFS upload links (DIR/secret)

	mu   sync.Mutex // serializes ref updates and namespace claims
	revs sync.Map   // revision cache: repo+"@"+id -> *Revision (immutable)
}

// OpenStore opens (creating if needed) a store in dir with the given limits
// (zero fields mean DefaultLimits).
func OpenStore(dir string, lim Limits) (*Store, error) {
	for _, d := range []string{"blobs", "repos", "namespaces", "tmp"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			return nil, fmt.Errorf("hub store: %w", err)
		}
	}
	secret, err := loadSecret(dir)
	if err != nil {
		return nil, fmt.Errorf("hub store: %w", err)
	}
	return &Store{dir: dir, limits: lim.orDefault(), secret: secret}, nil
}

// Dir is the store's root directory.
func (s *Store) Dir() string { return s.dir }

// Limits are the store's limits.
func (s *Store) Limits() Limits { return s.limits }

// BlobPath is the on-disk path of the blob with the given sha256.
func (s *Store) BlobPath(sha string) string {
	return filepath.Join(s.dir, "blobs", sha[:2], sha)
}

// HasBlob reports whether the blob exists and its size.
func (s *Store) HasBlob(sha string) (int64, bool) {
	if !ValidSHA256(sha) {
		return 0, false
	}
	st, err := os.Stat(s.BlobPath(sha))
	if err != nil || !st.Mode().IsRegular() {
		return 0, false
	}
	return st.Size(), true
}

// OpenBlob opens a blob for reading.
func (s *Store) OpenBlob(sha string) (*os.File, error) {
	if !ValidSHA256(sha) {
		return nil, fmt.Errorf("%w blob id %q", ErrInvalid, sha)
	}
	f, err := os.Open(s.BlobPath(sha))
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("blob %s: %w", sha, ErrNotFound)
	}
	return f, err
}

// PutBlob stores the bytes of r. If want is not empty the content must hash
// to it; if size >= 0 the content must be exactly size bytes. Content over the
// per-file limit is refused with ErrTooLarge as soon as the limit is passed.
// It returns the sha256 (hex) and size. Storing an existing blob is a no-op.
func (s *Store) PutBlob(r io.Reader, want string, size int64) (string, int64, error) {
	if want != "" && !ValidSHA256(want) {
		return "", 0, fmt.Errorf("%w blob id %q", ErrInvalid, want)
	}
	if size > s.limits.MaxFileBytes {
		return "", 0, fmt.Errorf("%w: blob of %d bytes, limit %d", ErrTooLarge, size, s.limits.MaxFileBytes)
	}
	tmp, err := os.CreateTemp(filepath.Join(s.dir, "tmp"), "blob-*")
	if err != nil {
		return "", 0, err
	}
	defer os.Remove(tmp.Name()) // no-op after a successful rename
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(tmp, h), io.LimitReader(r, s.limits.MaxFileBytes+1))
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", 0, fmt.Errorf("hub store: write blob: %w", err)
	}
	if n > s.limits.MaxFileBytes {
		return "", 0, fmt.Errorf("%w: blob over %d bytes", ErrTooLarge, s.limits.MaxFileBytes)
	}
	if size >= 0 && n != size {
		return "", 0, fmt.Errorf("%w blob: got %d bytes, want %d", ErrInvalid, n, size)
	}
	sha := hex.EncodeToString(h.Sum(nil))
	if want != "" && sha != want {
		return "", 0, fmt.Errorf("%w blob: content sha256 %s, want %s", ErrInvalid, sha, want)
	}
	if _, ok := s.HasBlob(sha); ok {
		s.touch(sha)
		return sha, n, nil
	}
	if err := os.MkdirAll(filepath.Dir(s.BlobPath(sha)), 0o755); err != nil {
		return "", 0, err
	}
	if err := os.Rename(tmp.Name(), s.BlobPath(sha)); err != nil {
		return "", 0, fmt.Errorf("hub store: %w", err)
	}
	return sha, n, nil
}

// Missing returns the sha256s of manifest files whose blobs are not stored
// (each once, in manifest order), and marks the stored ones as recently used.
func (s *Store) Missing(m Manifest) []string {
	var out []string
	seen := map[string]bool{}
	for _, f := range m.Files {
		if seen[f.SHA256] {
			continue
		}
		seen[f.SHA256] = true
		if _, ok := s.HasBlob(f.SHA256); !ok {
			out = append(out, f.SHA256)
		} else {
			s.touch(f.SHA256) // an upload is about to reference it: keep it from GC
		}
	}
	return out
}

func (s *Store) repoDir(repo string) (string, error) {
	ns, name, err := ParseRepoID(repo)
	if err != nil {
		return "", err
	}
	return filepath.Join(s.dir, "repos", ns, name), nil
}

// Commit records m as the new latest revision of repo, authored by author
// (may be empty for local imports). Every blob must already be stored with
// the declared size. If m equals the latest revision's files, that revision
// is returned with created=false (no empty commits, as huggingface_hub).
func (s *Store) Commit(repo, author string, m Manifest) (rev *Revision, created bool, err error) {
	return s.commit(repo, author, "", m, nil)
}

// CommitOnto is Commit that also requires parent to be the latest revision
// ("" = the repo has none), else it fails with ErrConflict. Files equal to
// the latest revision still return it (created=false) whatever the parent.
func (s *Store) CommitOnto(repo, author, parent string, m Manifest) (rev *Revision, created bool, err error) {
	return s.commit(repo, author, "", m, &parent)
}

// CommitTitled is CommitOnto (parent may be nil: no check) with a commit
// title, as the Hub's commit endpoint records a summary.
func (s *Store) CommitTitled(repo, author, title string, parent *string, m Manifest) (rev *Revision, created bool, err error) {
	return s.commit(repo, author, title, m, parent)
}

func (s *Store) commit(repo, author, title string, m Manifest, wantParent *string) (rev *Revision, created bool, err error) {
	if err := m.Validate(s.limits); err != nil {
		return nil, false, err
	}
	rd, err := s.repoDir(repo)
	if err != nil {
		return nil, false, err
	}
	s.mu.Lock() // also excludes GC between the blob check and the ref update
	defer s.mu.Unlock()
	for _, f := range m.Files {
		size, ok := s.HasBlob(f.SHA256)
		if !ok {
			return nil, false, fmt.Errorf("%w commit: blob %s of %s not uploaded", ErrInvalid, f.SHA256, f.Path)
		}
		if size != f.Size {
			return nil, false, fmt.Errorf("%w commit: %s declared %d bytes, blob has %d", ErrInvalid, f.Path, f.Size, size)
		}
	}
	parent := ""
	if latest, err := s.Revision(repo, "main"); err == nil {
		if sameFiles(latest.Files, m.Files) {
			return latest, false, nil
		}
		parent = latest.ID
	} else if !errors.Is(err, ErrNotFound) {
		return nil, false, err
	}
	if wantParent != nil && *wantParent != parent {
		return nil, false, fmt.Errorf("%w: %s moved to %q since the upload started from %q", ErrConflict, repo, parent, *wantParent)
	}
	r := &Revision{
		ID: RevisionID(repo, parent, m), Repo: repo, Parent: parent, Author: author,
		Created: time.Now().UTC().Truncate(time.Second), Title: title, Files: m.Files,
	}
	doc, err := json.MarshalIndent(r, "", " ")
	if err != nil {
		return nil, false, err
	}
	if err := s.writeAtomic(filepath.Join(rd, "revisions", r.ID+".json"), doc); err != nil {
		return nil, false, err
	}
	if err := s.writeAtomic(filepath.Join(rd, "refs", "main"), []byte(r.ID+"\n")); err != nil {
		return nil, false, err
	}
	return r, true, nil
}

func sameFiles(a, b []FileEntry) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// Revision returns the revision rev of repo; rev is a 40-hex id or "main"
// (the latest). Unknown repos and revisions give an error wrapping
// ErrNotFound.
func (s *Store) Revision(repo, rev string) (*Revision, error) {
	rd, err := s.repoDir(repo)
	if err != nil {
		return nil, err
	}
	if rev == "HEAD" {
		rev = "main" // the default branch
	}
	if rev == "main" {
		b, err := os.ReadFile(filepath.Join(rd, "refs", "main"))
		if errors.Is(err, os.ErrNotExist) {
			if s.RepoExists(repo) { // created, nothing committed yet
				return nil, fmt.Errorf("repo %s has no commit on main: %w: %w", repo, ErrNotFound, errRevisionNotFound)
			}
			return nil, fmt.Errorf("repo %s: %w", repo, ErrNotFound)
		}
		if err != nil {
			return nil, err
		}
		rev = strings.TrimSpace(string(b))
	}
	if !ValidRevisionID(rev) {
		if !s.RepoExists(repo) {
			return nil, fmt.Errorf("repo %s: %w", repo, ErrNotFound)
		}
		id, err := s.tag(rd, rev)
		if err != nil {
			return nil, fmt.Errorf("revision %q of %s: %w", rev, repo, err)
		}
		rev = id
	}
	key := repo + "@" + rev
	if r, ok := s.revs.Load(key); ok {
		return r.(*Revision), nil
	}
	b, err := os.ReadFile(filepath.Join(rd, "revisions", rev+".json"))
	if errors.Is(err, os.ErrNotExist) {
		if !s.RepoExists(repo) {
			return nil, fmt.Errorf("repo %s: %w", repo, ErrNotFound)
		}
		return nil, fmt.Errorf("revision %s of %s: %w: %w", rev, repo, ErrNotFound, errRevisionNotFound)
	}
	if err != nil {
		return nil, err
	}
	var r Revision
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("hub store: corrupt revision %s of %s: %w", rev, repo, err)
	}
	if r.ID != rev || r.Repo != repo {
		return nil, fmt.Errorf("hub store: revision document %s of %s names %s of %s", rev, repo, r.ID, r.Repo)
	}
	s.revs.Store(key, &r)
	return &r, nil
}

// NamespaceOwner returns the hotkey owning ns: ns itself if it is an ss58
// address, else the hotkey that claimed it.
func (s *Store) NamespaceOwner(ns string) (string, bool) {
	if keys.ValidSS58(ns) {
		return ns, true
	}
	if validName(ns) != nil || CheckNamespace(ns) != nil {
		return "", false
	}
	b, err := os.ReadFile(filepath.Join(s.dir, "namespaces", ns))
	if err != nil {
		return "", false
	}
	return strings.TrimSpace(string(b)), true
}

// Authorize checks that hotkey may write to ns, claiming ns for hotkey if it
// is free (first writer wins; ss58-shaped namespaces belong to that key only).
// Errors wrap ErrForbidden or ErrInvalid.
func (s *Store) Authorize(ns, hotkey string) error {
	if err := validName(ns); err != nil {
		return fmt.Errorf("%w namespace %q: %v", ErrInvalid, ns, err)
	}
	if err := CheckNamespace(ns); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if owner, ok := s.NamespaceOwner(ns); ok {
		if owner != hotkey {
			return fmt.Errorf("%w: namespace %s belongs to %s, not %s", ErrForbidden, ns, owner, hotkey)
		}
		return nil
	}
	// Namespaces are case-insensitive on the Hub: a claim may not shadow one
	// that differs only in case.
	claimed, err := os.ReadDir(filepath.Join(s.dir, "namespaces"))
	if err != nil {
		return err
	}
	for _, e := range claimed {
		if strings.EqualFold(e.Name(), ns) {
			return fmt.Errorf("%w: namespace %s collides with %s (names differ only in case)", ErrForbidden, ns, e.Name())
		}
	}
	return s.writeAtomic(filepath.Join(s.dir, "namespaces", ns), []byte(hotkey+"\n"))
}

// ImportDir stores the allow-listed model files of dir (HashedFiles) as a
// new revision of repo without going through HTTP (local publishing,
// localnet, tests).
func (s *Store) ImportDir(repo, author, dir string) (*Revision, error) {
	files, err := HashedFiles(dir)
	if err != nil {
		return nil, err
	}
	var m Manifest
	for _, p := range files {
		f, err := os.Open(filepath.Join(dir, filepath.FromSlash(p)))
		if err != nil {
			return nil, err
		}
		sha, n, err := s.PutBlob(f, "", -1)
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		m.Files = append(m.Files, FileEntry{Path: p, Size: n, SHA256: sha})
	}
	r, _, err := s.Commit(repo, author, m)
	return r, err
}

// writeAtomic writes data to path through a synced temp file and a rename.
func (s *Store) writeAtomic(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Join(s.dir, "tmp"), "doc-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	_, err = io.Copy(tmp, bytes.NewReader(data))
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

var tmpSeq atomic.Int64

// touch marks a blob as recently used (GC keeps blobs younger than its grace).
func (s *Store) touch(sha string) {
	now := time.Now()
	os.Chtimes(s.BlobPath(sha), now, now)
}

// GCStats reports what GC removed.
type GCStats struct {
	Revisions  int   // revision documents scanned
	Kept       int   // blobs referenced or younger than the grace period
	Removed    int   // blobs removed
	FreedBytes int64 // bytes of removed blobs
	TempFiles  int   // stale temp files removed
}

// GC removes blobs no revision references and temp files left by interrupted
// writes, if they are older than grace (so uploads in progress, whose blobs
// are not referenced until their commit, survive). Commits wait while GC runs.
func (s *Store) GC(grace time.Duration) (GCStats, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var st GCStats
	cutoff := time.Now().Add(-grace)
	live := map[string]bool{}
	docs, err := filepath.Glob(filepath.Join(s.dir, "repos", "*", "*", "revisions", "*.json"))
	if err != nil {
		return st, err
	}
	for _, d := range docs {
		b, err := os.ReadFile(d)
		if err != nil {
			return st, err
		}
		var r Revision
		if err := json.Unmarshal(b, &r); err != nil {
			return st, fmt.Errorf("hub gc: %s: %w (nothing removed)", d, err)
		}
		for _, f := range r.Files {
			live[f.SHA256] = true
		}
		st.Revisions++
	}
	blobs, err := filepath.Glob(filepath.Join(s.dir, "blobs", "*", "*"))
	if err != nil {
		return st, err
	}
	for _, p := range blobs {
		info, err := os.Stat(p)
		if err != nil {
			continue
		}
		if live[filepath.Base(p)] || info.ModTime().After(cutoff) {
			st.Kept++
			continue
		}
		if err := os.Remove(p); err != nil {
			return st, err
		}
		st.Removed++
		st.FreedBytes += info.Size()
	}
	tmps, _ := filepath.Glob(filepath.Join(s.dir, "tmp", "*"))
	for _, p := range tmps {
		if info, err := os.Stat(p); err == nil && info.ModTime().Before(cutoff) && os.Remove(p) == nil {
			st.TempFiles++
		}
	}
	return st, nil
}

// RepoSettings are a repository's mutable settings.
type RepoSettings struct {
	// Private hides the repo from everyone but its namespace owner's signed
	// requests: upstream miners keep a model private until their chain
	// commitment is included, so nobody can copy it into the same block.
	Private bool `json:"private"`
}

// Settings returns repo's settings (zero value if never set).
func (s *Store) Settings(repo string) (RepoSettings, error) {
	rd, err := s.repoDir(repo)
	if err != nil {
		return RepoSettings{}, err
	}
	var rs RepoSettings
	b, err := os.ReadFile(filepath.Join(rd, "settings.json"))
	if errors.Is(err, os.ErrNotExist) {
		return rs, nil
	}
	if err != nil {
		return rs, err
	}
	if err := json.Unmarshal(b, &rs); err != nil {
		return rs, fmt.Errorf("hub store: corrupt settings of %s: %w", repo, err)
	}
	return rs, nil
}

// SetSettings replaces repo's settings (the repo need not have revisions yet).
func (s *Store) SetSettings(repo string, rs RepoSettings) error {
	rd, err := s.repoDir(repo)
	if err != nil {
		return err
	}
	b, _ := json.Marshal(rs)
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.writeAtomic(filepath.Join(rd, "settings.json"), b)
}

// RepoExists reports whether repo was created or has a revision.
func (s *Store) RepoExists(repo string) bool {
	rd, err := s.repoDir(repo)
	if err != nil {
		return false
	}
	st, err := os.Stat(rd)
	return err == nil && st.IsDir()
}

// CreateRepo creates an empty repo with the given visibility; an existing
// repo (or one whose id differs only in case from an existing one) is
// ErrConflict. The caller has authorized the namespace.
func (s *Store) CreateRepo(repo string, private bool) error {
	rd, err := s.repoDir(repo)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ns, name, _ := ParseRepoID(repo)
	names, err := os.ReadDir(filepath.Join(s.dir, "repos", ns))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	for _, e := range names {
		if strings.EqualFold(e.Name(), name) {
			return fmt.Errorf("%w: you already created this model repo (%s/%s)", ErrConflict, ns, e.Name())
		}
	}
	b, _ := json.Marshal(RepoSettings{Private: private})
	return s.writeAtomic(filepath.Join(rd, "settings.json"), b)
}

// tag resolves a tag name in repo dir rd (ErrNotFound + RevisionNotFound if
// there is no such tag).
func (s *Store) tag(rd, name string) (string, error) {
	if validName(name) != nil {
		return "", fmt.Errorf("%w: %w", ErrNotFound, errRevisionNotFound)
	}
	b, err := os.ReadFile(filepath.Join(rd, "refs", "tags", name))
	if errors.Is(err, os.ErrNotExist) {
		return "", fmt.Errorf("%w: %w", ErrNotFound, errRevisionNotFound)
	}
	if err != nil {
		return "", err
	}
	id := strings.TrimSpace(string(b))
	if !ValidRevisionID(id) {
		return "", fmt.Errorf("hub store: tag %s names %q, not a revision", name, id)
	}
	return id, nil
}

// CreateTag points the new tag name at revision rev (a commit, main or an
// existing tag) of repo. Tags are immutable: an existing name is ErrConflict,
// and "main"/"HEAD" or a 40-hex name are refused.
func (s *Store) CreateTag(repo, name, rev string) (*Revision, error) {
	rd, err := s.repoDir(repo)
	if err != nil {
		return nil, err
	}
	if err := validName(name); err != nil || name == "main" || name == "HEAD" || isLowerHex(name, 40) {
		return nil, fmt.Errorf("%w tag name %q", ErrInvalid, name)
	}
	r, err := s.Revision(repo, rev)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p := filepath.Join(rd, "refs", "tags", name)
	if _, err := os.Stat(p); err == nil {
		return nil, fmt.Errorf("%w: tag %s already exists in %s", ErrConflict, name, repo)
	}
	return r, s.writeAtomic(p, []byte(r.ID+"\n"))
}

// Tags lists repo's tags and the revisions they name.
func (s *Store) Tags(repo string) (map[string]string, error) {
	rd, err := s.repoDir(repo)
	if err != nil {
		return nil, err
	}
	ents, err := os.ReadDir(filepath.Join(rd, "refs", "tags"))
	if errors.Is(err, os.ErrNotExist) {
		return map[string]string{}, nil
	}
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(ents))
	for _, e := range ents {
		if id, err := s.tag(rd, e.Name()); err == nil {
			out[e.Name()] = id
		}
	}
	return out, nil
}
