package hub

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"
)

// Limits bound what one revision may contain. The zero value means
// DefaultLimits.
type Limits struct {
	MaxFiles     int   // files per revision
	MaxFileBytes int64 // bytes per file
	MaxTotal     int64 // bytes per revision (sum of file sizes)
}

// DefaultLimits are the server's default limits: 256 files, 16 GiB per file,
// 20 GiB per revision (upstream's largest competition limit, spec §2.3).
var DefaultLimits = Limits{MaxFiles: 256, MaxFileBytes: 16 << 30, MaxTotal: 20 << 30}

func (l Limits) orDefault() Limits {
	if l.MaxFiles <= 0 {
		l.MaxFiles = DefaultLimits.MaxFiles
	}
	if l.MaxFileBytes <= 0 {
		l.MaxFileBytes = DefaultLimits.MaxFileBytes
	}
	if l.MaxTotal <= 0 {
		l.MaxTotal = DefaultLimits.MaxTotal
	}
	return l
}

// FileEntry is one file of a revision.
type FileEntry struct {
	Path   string `json:"path"`   // slash-separated, relative, validated by ValidatePath
	Size   int64  `json:"size"`   // bytes
	SHA256 string `json:"sha256"` // lowercase hex
}

// Manifest is the file list of a revision, sorted by path.
type Manifest struct {
	Files []FileEntry `json:"files"`
}

// TotalSize is the sum of the file sizes.
func (m Manifest) TotalSize() int64 {
	var t int64
	for _, f := range m.Files {
		t += f.Size
	}
	return t
}

// Error kinds returned (wrapped) by validation; the server maps them to HTTP
// statuses.
var (
	ErrInvalid  = errors.New("invalid")
	ErrTooLarge = errors.New("too large")
	ErrNotFound = errors.New("not found")
	ErrConflict = errors.New("conflict")
)

const maxPathLen = 255

// ValidatePath checks a file path inside a repository: slash-separated,
// relative, at most 255 bytes of valid UTF-8, no empty, "." or ".." segments,
// no backslashes, control characters or ':' (which a commitment or a Windows
// path could misread), and no leading '.' segment (hidden files).
func ValidatePath(p string) error {
	if p == "" {
		return fmt.Errorf("%w path: empty", ErrInvalid)
	}
	if len(p) > maxPathLen {
		return fmt.Errorf("%w path: longer than %d bytes", ErrInvalid, maxPathLen)
	}
	if !utf8.ValidString(p) {
		return fmt.Errorf("%w path %q: not UTF-8", ErrInvalid, p)
	}
	if strings.HasPrefix(p, "/") {
		return fmt.Errorf("%w path %q: absolute", ErrInvalid, p)
	}
	for _, r := range p {
		if r < 0x20 || r == 0x7f || r == '\\' || r == ':' {
			return fmt.Errorf("%w path %q: forbidden character %q", ErrInvalid, p, r)
		}
	}
	for _, seg := range strings.Split(p, "/") {
		switch {
		case seg == "":
			return fmt.Errorf("%w path %q: empty segment", ErrInvalid, p)
		case seg == "." || seg == "..":
			return fmt.Errorf("%w path %q: dot segment", ErrInvalid, p)
		case strings.HasPrefix(seg, "."):
			return fmt.Errorf("%w path %q: hidden segment", ErrInvalid, p)
		}
	}
	return nil
}

// ValidSHA256 reports whether s is 64 lowercase hex characters.
func ValidSHA256(s string) bool { return isLowerHex(s, 64) }

// ValidRevisionID reports whether s is a 40-character lowercase hex revision.
func ValidRevisionID(s string) bool { return isLowerHex(s, 40) }

func isLowerHex(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < n; i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// Validate checks every entry (path, size, sha256), rejects duplicate paths
// and paths that are both a file and a directory, enforces the limits, and
// sorts the files by path. Errors wrap ErrInvalid or ErrTooLarge.
func (m *Manifest) Validate(lim Limits) error {
	lim = lim.orDefault()
	if len(m.Files) == 0 {
		return fmt.Errorf("%w manifest: no files", ErrInvalid)
	}
	if len(m.Files) > lim.MaxFiles {
		return fmt.Errorf("%w: %d files, limit %d", ErrTooLarge, len(m.Files), lim.MaxFiles)
	}
	var total int64
	for _, f := range m.Files {
		if err := ValidatePath(f.Path); err != nil {
			return err
		}
		if f.Size < 0 {
			return fmt.Errorf("%w manifest: %s has negative size", ErrInvalid, f.Path)
		}
		if !ValidSHA256(f.SHA256) {
			return fmt.Errorf("%w manifest: %s sha256 %q is not 64 lowercase hex", ErrInvalid, f.Path, f.SHA256)
		}
		if f.Size > lim.MaxFileBytes {
			return fmt.Errorf("%w: %s is %d bytes, limit %d", ErrTooLarge, f.Path, f.Size, lim.MaxFileBytes)
		}
		total += f.Size
		if total > lim.MaxTotal {
			return fmt.Errorf("%w: total over %d bytes", ErrTooLarge, lim.MaxTotal)
		}
	}
	sort.Slice(m.Files, func(i, j int) bool { return m.Files[i].Path < m.Files[j].Path })
	for i := 1; i < len(m.Files); i++ {
		prev, cur := m.Files[i-1].Path, m.Files[i].Path
		if prev == cur {
			return fmt.Errorf("%w manifest: duplicate path %s", ErrInvalid, cur)
		}
	}
	// A path that is a file cannot also be a directory of another file, and
	// no two paths may differ only in case (they would overwrite each other
	// on case-insensitive file systems, and the Hub refuses them): both are
	// checked on case-folded paths.
	paths := make(map[string]string, len(m.Files))
	for _, f := range m.Files {
		k := strings.ToLower(f.Path)
		if prev, dup := paths[k]; dup {
			return fmt.Errorf("%w manifest: paths %s and %s differ only in case", ErrInvalid, prev, f.Path)
		}
		paths[k] = f.Path
	}
	for _, f := range m.Files {
		k := strings.ToLower(f.Path)
		for i := strings.IndexByte(k, '/'); i >= 0; i = nextSlash(k, i) {
			if p, ok := paths[k[:i]]; ok {
				return fmt.Errorf("%w manifest: %s is both a file and a directory", ErrInvalid, p)
			}
		}
	}
	return nil
}

func nextSlash(s string, i int) int {
	j := strings.IndexByte(s[i+1:], '/')
	if j < 0 {
		return -1
	}
	return i + 1 + j
}

// maxManifestJSON bounds a manifest document (256 files of 255-byte paths fit
// comfortably).
const maxManifestJSON = 1 << 20

// ParseManifest decodes and validates a JSON manifest
// ({"files":[{"path","size","sha256"}]}); unknown fields are rejected.
func ParseManifest(data []byte, lim Limits) (Manifest, error) {
	var m Manifest
	if len(data) > maxManifestJSON {
		return m, fmt.Errorf("%w: manifest over %d bytes", ErrTooLarge, maxManifestJSON)
	}
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		return Manifest{}, fmt.Errorf("%w manifest JSON: %v", ErrInvalid, err)
	}
	if dec.More() {
		return Manifest{}, fmt.Errorf("%w manifest JSON: trailing data", ErrInvalid)
	}
	if err := m.Validate(lim); err != nil {
		return Manifest{}, err
	}
	return m, nil
}

// CommitRequest is the commit endpoint's body: the manifest plus, optionally,
// the revision the uploader built on. With Parent set, the commit fails with
// ErrConflict unless Parent is still the latest revision ("" = none), which
// both serializes concurrent uploaders and makes a replayed old commit
// harmless.
type CommitRequest struct {
	Files  []FileEntry `json:"files"`
	Parent *string     `json:"parent,omitempty"`
}

// ParseCommitRequest decodes and validates a commit body (unknown fields are
// rejected; the manifest is validated as by ParseManifest).
func ParseCommitRequest(data []byte, lim Limits) (Manifest, *string, error) {
	var cr CommitRequest
	if len(data) > maxManifestJSON {
		return Manifest{}, nil, fmt.Errorf("%w: commit over %d bytes", ErrTooLarge, maxManifestJSON)
	}
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&cr); err != nil {
		return Manifest{}, nil, fmt.Errorf("%w commit JSON: %v", ErrInvalid, err)
	}
	if dec.More() {
		return Manifest{}, nil, fmt.Errorf("%w commit JSON: trailing data", ErrInvalid)
	}
	if cr.Parent != nil && *cr.Parent != "" && !ValidRevisionID(*cr.Parent) {
		return Manifest{}, nil, fmt.Errorf("%w commit: parent %q is not a revision id", ErrInvalid, *cr.Parent)
	}
	m := Manifest{Files: cr.Files}
	if err := m.Validate(lim); err != nil {
		return Manifest{}, nil, err
	}
	return m, cr.Parent, nil
}

// RevisionID is the id of a revision: the first 40 hex characters of
// sha256("taonet-hub-revision-v1\n" + repo + "\n" + parent + "\n" +
// canonical manifest JSON), where parent is the previous revision id ("" for
// the first). It is 40 hex like a Hugging Face commit sha, so commitment
// strings and clients treat both alike; it is deterministic, and chaining the
// parent gives a re-upload of older content a new id, as a git commit would.
func RevisionID(repo, parent string, m Manifest) string {
	h := sha256.New()
	fmt.Fprintf(h, "taonet-hub-revision-v1\n%s\n%s\n", repo, parent)
	b, _ := json.Marshal(m) // cannot fail: strings and ints only
	h.Write(b)
	return hex.EncodeToString(h.Sum(nil))[:40]
}

// MaxRepoIDLen is upstream's repo id limit (spec §1.2): 128 − 40 − 44 − 2 − 4.
const MaxRepoIDLen = 38

// ParseRepoID splits "namespace/name" and validates both parts: 1-96
// characters of [A-Za-z0-9._-], not starting with '.' or '-' and without
// "..". (The upstream 38-character limit on the whole id applies to chain
// commitments, not to storage: ss58 namespaces are 48 characters.)
func ParseRepoID(repo string) (ns, name string, err error) {
	i := strings.IndexByte(repo, '/')
	if i < 0 || strings.IndexByte(repo[i+1:], '/') >= 0 {
		return "", "", fmt.Errorf("%w repo id %q: want namespace/name", ErrInvalid, repo)
	}
	ns, name = repo[:i], repo[i+1:]
	if err := validName(ns); err != nil {
		return "", "", fmt.Errorf("%w repo id %q: namespace: %v", ErrInvalid, repo, err)
	}
	if err := validName(name); err != nil {
		return "", "", fmt.Errorf("%w repo id %q: name: %v", ErrInvalid, repo, err)
	}
	return ns, name, nil
}

func validName(s string) error {
	if s == "" || len(s) > 96 {
		return errors.New("length must be 1-96")
	}
	if s[0] == '.' || s[0] == '-' {
		return errors.New("must start with a letter, digit or '_'")
	}
	if strings.Contains(s, "..") {
		return errors.New(`contains ".."`)
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
			return fmt.Errorf("character %q not in [A-Za-z0-9._-]", c)
		}
	}
	return nil
}
