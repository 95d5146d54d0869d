package hub

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
)

// The Hub's commit endpoint (POST /api/models/{repo}/commit/{rev}) takes
// NDJSON: one {"key": …, "value": …} object per line, a header first:
//
//	{"key":"header","value":{"summary":"…","description":"…","parentCommit":"…"}}
//	{"key":"file","value":{"path":"config.json","content":"<base64>","encoding":"base64"}}
//	{"key":"lfsFile","value":{"path":"model.safetensors","algo":"sha256","oid":"<sha256>","size":123}}
//	{"key":"deletedFile","value":{"path":"old.bin"}}
//	{"key":"deletedFolder","value":{"path":"dir"}}
//
// as @huggingface/hub (commit.ts) and huggingface_hub (_commit_api.py) send it.

// Limits of a commit body.
const (
	MaxInlineFile = 2 << 20  // decoded bytes of one "file" operation (larger files go through LFS)
	maxNDJSONLine = 4 << 20  // one line (base64 of MaxInlineFile plus JSON)
	MaxCommitBody = 64 << 20 // the whole NDJSON body
	maxCommitOps  = 10000    // operations per commit
)

// CommitHeader is the first line's value.
type CommitHeader struct {
	Summary      string `json:"summary"`
	Description  string `json:"description,omitempty"`
	ParentCommit string `json:"parentCommit,omitempty"`
}

// InlineFile is a "file" operation: its content travels in the commit.
type InlineFile struct {
	Path    string
	Content []byte
}

// LFSFile is an "lfsFile" operation: the content was uploaded through the
// LFS batch API and is named by its sha256.
type LFSFile struct {
	Path string
	OID  string // sha256 hex
	Size int64  // -1 if the client did not send it
}

// CommitOps is a parsed NDJSON commit.
type CommitOps struct {
	Header         CommitHeader
	Files          []InlineFile
	LFSFiles       []LFSFile
	DeletedFiles   []string
	DeletedFolders []string
}

type ndjsonLine struct {
	Key   string          `json:"key"`
	Value json.RawMessage `json:"value"`
}

type ndjsonValue struct {
	Path         *string `json:"path"`
	Content      *string `json:"content"`
	Encoding     string  `json:"encoding"`
	OldPath      *string `json:"oldPath"`
	Algo         string  `json:"algo"`
	OID          string  `json:"oid"`
	Size         *int64  `json:"size"`
	Summary      *string `json:"summary"`
	Description  string  `json:"description"`
	ParentCommit string  `json:"parentCommit"`
}

// ParseCommitNDJSON reads and validates a commit body. Every path is checked
// (ValidatePath), a path appears in at most one operation, inline files are
// at most MaxInlineFile bytes, and LFS oids are 64 lowercase hex. Errors wrap
// ErrInvalid or ErrTooLarge; nothing is stored.
func ParseCommitNDJSON(r io.Reader) (*CommitOps, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), maxNDJSONLine)
	ops := &CommitOps{}
	seen := map[string]bool{}
	n, header := 0, false
	for sc.Scan() {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		n++
		if n > maxCommitOps+1 {
			return nil, fmt.Errorf("%w: more than %d commit operations", ErrTooLarge, maxCommitOps)
		}
		var l ndjsonLine
		if err := decodeStrict(line, &l); err != nil {
			return nil, fmt.Errorf("%w commit line %d: %v", ErrInvalid, n, err)
		}
		var v ndjsonValue
		if err := decodeStrict(l.Value, &v); err != nil {
			return nil, fmt.Errorf("%w commit line %d (%s): value: %v", ErrInvalid, n, l.Key, err)
		}
		if (l.Key == "header") != (n == 1) {
			return nil, fmt.Errorf("%w commit line %d: the header must be the first line, once (got %q)", ErrInvalid, n, l.Key)
		}
		if l.Key == "header" {
			if err := ops.setHeader(v); err != nil {
				return nil, fmt.Errorf("%w commit header: %v", ErrInvalid, err)
			}
			header = true
			continue
		}
		if err := ops.add(l.Key, v, seen); err != nil {
			return nil, fmt.Errorf("commit line %d (%s): %w", n, l.Key, err)
		}
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, fmt.Errorf("%w: a commit line is over %d bytes (upload files over %d bytes through LFS)", ErrTooLarge, maxNDJSONLine, MaxInlineFile)
		}
		return nil, err
	}
	if !header {
		return nil, fmt.Errorf("%w commit: empty body (want a header line)", ErrInvalid)
	}
	if len(ops.Files)+len(ops.LFSFiles)+len(ops.DeletedFiles)+len(ops.DeletedFolders) == 0 {
		return nil, fmt.Errorf("%w commit: no operations", ErrInvalid)
	}
	return ops, nil
}

// decodeStrict decodes one JSON value with nothing after it.
func decodeStrict(b []byte, v any) error {
	if len(b) == 0 {
		return errors.New("missing")
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("trailing data")
	}
	return nil
}

func (ops *CommitOps) setHeader(v ndjsonValue) error {
	if v.Summary == nil {
		return errors.New("summary missing")
	}
	if len(*v.Summary) > 1024 || len(v.Description) > 64<<10 {
		return errors.New("summary over 1 KiB or description over 64 KiB")
	}
	if v.ParentCommit != "" && !ValidRevisionID(v.ParentCommit) {
		return fmt.Errorf("parentCommit %q is not a 40-hex commit", v.ParentCommit)
	}
	ops.Header = CommitHeader{Summary: *v.Summary, Description: v.Description, ParentCommit: v.ParentCommit}
	return nil
}

func (ops *CommitOps) add(key string, v ndjsonValue, seen map[string]bool) error {
	if v.Path == nil {
		return fmt.Errorf("%w: path missing", ErrInvalid)
	}
	p := *v.Path
	if v.OldPath != nil {
		return fmt.Errorf("%w: oldPath (copy or rename) is not supported; upload the file again", ErrInvalid)
	}
	if key == "deletedFolder" {
		p = strings.TrimSuffix(p, "/")
	}
	if err := ValidatePath(p); err != nil {
		return err
	}
	if seen[p] {
		return fmt.Errorf("%w: %s appears in two operations", ErrInvalid, p)
	}
	seen[p] = true
	switch key {
	case "file":
		b, err := decodeInline(v)
		if err != nil {
			return err
		}
		ops.Files = append(ops.Files, InlineFile{Path: p, Content: b})
	case "lfsFile":
		if v.Algo != "sha256" {
			return fmt.Errorf("%w: algo %q, want sha256", ErrInvalid, v.Algo)
		}
		if !ValidSHA256(v.OID) {
			return fmt.Errorf("%w: oid %q is not 64 lowercase hex", ErrInvalid, v.OID)
		}
		size := int64(-1)
		if v.Size != nil {
			if size = *v.Size; size < 0 {
				return fmt.Errorf("%w: negative size", ErrInvalid)
			}
		}
		ops.LFSFiles = append(ops.LFSFiles, LFSFile{Path: p, OID: v.OID, Size: size})
	case "deletedFile":
		ops.DeletedFiles = append(ops.DeletedFiles, p)
	case "deletedFolder":
		ops.DeletedFolders = append(ops.DeletedFolders, p)
	default:
		return fmt.Errorf("%w: unknown operation key %q", ErrInvalid, key)
	}
	return nil
}

func decodeInline(v ndjsonValue) ([]byte, error) {
	if v.Content == nil {
		return nil, fmt.Errorf("%w: content missing", ErrInvalid)
	}
	c := *v.Content
	switch v.Encoding {
	case "base64":
		if base64.StdEncoding.DecodedLen(len(c)) > MaxInlineFile+3 {
			return nil, fmt.Errorf("%w: inline file over %d bytes; upload it through LFS", ErrTooLarge, MaxInlineFile)
		}
		b, err := base64.StdEncoding.DecodeString(c)
		if err != nil {
			return nil, fmt.Errorf("%w: content is not base64: %v", ErrInvalid, err)
		}
		if len(b) > MaxInlineFile {
			return nil, fmt.Errorf("%w: inline file over %d bytes; upload it through LFS", ErrTooLarge, MaxInlineFile)
		}
		return b, nil
	case "utf-8", "":
		if len(c) > MaxInlineFile {
			return nil, fmt.Errorf("%w: inline file over %d bytes; upload it through LFS", ErrTooLarge, MaxInlineFile)
		}
		return []byte(c), nil
	}
	return nil, fmt.Errorf("%w: encoding %q, want base64 or utf-8", ErrInvalid, v.Encoding)
}

// Apply returns the manifest that results from applying ops to base (the
// parent revision's files; nil for a first commit): deletions first, then
// additions. inline maps each inline file to its stored entry; lfs reports
// the stored size of an LFS object (false if it was never uploaded).
// Deleting a path or folder the parent lacks is ErrNotFound (EntryNotFound).
func (ops *CommitOps) Apply(base []FileEntry, lfs func(oid string) (int64, bool)) (Manifest, error) {
	files := make(map[string]FileEntry, len(base))
	for _, f := range base {
		files[f.Path] = f
	}
	for _, p := range ops.DeletedFiles {
		if _, ok := files[p]; !ok {
			return Manifest{}, fmt.Errorf("cannot delete %s: %w: %w", p, ErrNotFound, errEntryNotFound)
		}
		delete(files, p)
	}
	for _, d := range ops.DeletedFolders {
		hit := false
		for p := range files {
			if strings.HasPrefix(p, d+"/") {
				delete(files, p)
				hit = true
			}
		}
		if !hit {
			return Manifest{}, fmt.Errorf("cannot delete folder %s: %w: %w", d, ErrNotFound, errEntryNotFound)
		}
	}
	for _, f := range ops.Files {
		files[f.Path] = FileEntry{Path: f.Path, Size: int64(len(f.Content)), SHA256: sha256Hex(f.Content)}
	}
	for _, f := range ops.LFSFiles {
		size, ok := lfs(f.OID)
		if !ok {
			return Manifest{}, fmt.Errorf("%w: LFS object %s of %s was not uploaded (use the LFS batch API first)", ErrInvalid, f.OID, f.Path)
		}
		if f.Size >= 0 && f.Size != size {
			return Manifest{}, fmt.Errorf("%w: %s declared %d bytes, LFS object %s has %d", ErrInvalid, f.Path, f.Size, f.OID, size)
		}
		files[f.Path] = FileEntry{Path: f.Path, Size: size, SHA256: f.OID}
	}
	m := Manifest{Files: make([]FileEntry, 0, len(files))}
	for _, f := range files {
		m.Files = append(m.Files, f)
	}
	sort.Slice(m.Files, func(i, j int) bool { return m.Files[i].Path < m.Files[j].Path })
	return m, nil
}
