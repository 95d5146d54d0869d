package hub

import (
	"bytes"
	"encoding/json"
	"errors"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func FuzzParseRoute(f *testing.F) {
	for _, s := range []string{
		"/ns/m/resolve/main/config.json", "/ns/m/resolve/" + strings.Repeat("a", 40) + "/sub/x.bin",
		"/ns/m/resolve/main/../../etc/passwd", "/api/models/ns/m", "/api/models/ns/m/revision/main",
		"/api/models/ns/m/preupload", "/api/models/ns/m/blobs/" + strings.Repeat("0", 64),
		"/api/models/ns/m/commit", "/api/models/ns/m/settings", "/metrics", "/healthz", "//", "/a/b/resolve//x", "/api/models/../x",
		"/ns/m/raw/main/a/b.txt", "/api/models/ns/m/tree/main/sub", "/api/models/ns/m/paths-info/HEAD", "/api/models/ns/m/commit/main",
		"/ns/m.git/info/lfs/objects/batch", "/api/lfs/ns/m/" + strings.Repeat("0", 64) + "/verify", "/api/repos/create",
	} {
		f.Add("GET", s)
		f.Add("PUT", s)
	}
	f.Fuzz(func(t *testing.T, method, path string) {
		rt, err := parseRoute(method, path)
		if err != nil {
			return
		}
		switch rt.kind {
		case routeResolve, routeRaw:
			if ValidatePath(rt.file) != nil {
				t.Fatalf("resolve accepted file %q", rt.file)
			}
			root := "/srv/hub"
			if rel, err := filepath.Rel(root, filepath.Join(root, rt.file)); err != nil || strings.HasPrefix(rel, "..") {
				t.Fatalf("file %q escapes", rt.file)
			}
			fallthrough
		case routeInfo, routeTree, routePathsInfo, routeHFPreupload, routeHFCommit:
			if rt.kind == routeTree && rt.file != "" && ValidatePath(rt.file) != nil {
				t.Fatalf("tree accepted path %q", rt.file)
			}
			if checkRevision(rt.revision) != nil {
				t.Fatalf("bad revision %q accepted", rt.revision)
			}
			fallthrough
		case routePreupload, routeCommit, routeBlob, routeSettings, routeLFSBatch, routeLFSPut, routeLFSVerify:
			if _, _, err := ParseRepoID(rt.repo); err != nil {
				t.Fatalf("bad repo %q accepted", rt.repo)
			}
			if strings.Contains(rt.repo, "..") {
				t.Fatalf("repo %q has ..", rt.repo)
			}
		}
		if rt.kind == routeBlob && !ValidSHA256(rt.sha) {
			t.Fatalf("bad blob id %q", rt.sha)
		}
	})
}

func FuzzParseManifest(f *testing.F) {
	z := strings.Repeat("0", 64)
	for _, s := range []string{
		`{"files":[{"path":"config.json","size":2,"sha256":"` + z + `"}]}`,
		`{"files":[{"path":"a/b","size":1,"sha256":"` + z + `"},{"path":"a","size":1,"sha256":"` + z + `"}]}`,
		`{"files":[{"path":"../x","size":1,"sha256":"` + z + `"}]}`,
		`{"files":[{"path":"x","size":-1,"sha256":"` + z + `"}]}`,
		`{"files":[]}`, `{}`, `[]`, `{"files":[{"path":"x","size":1,"sha256":"` + z + `"}]} x`,
		`{"files":[{"path":"x","size":99999999999999999999,"sha256":"` + z + `"}]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := ParseManifest(data, Limits{})
		if err != nil {
			return
		}
		var total int64
		for i, fe := range m.Files {
			if ValidatePath(fe.Path) != nil || !ValidSHA256(fe.SHA256) || fe.Size < 0 {
				t.Fatalf("accepted bad entry %+v", fe)
			}
			if i > 0 && m.Files[i-1].Path >= fe.Path {
				t.Fatal("not sorted/unique")
			}
			total += fe.Size
		}
		if total > DefaultLimits.MaxTotal || len(m.Files) > DefaultLimits.MaxFiles {
			t.Fatal("limits not enforced")
		}
		b, _ := json.Marshal(m)
		m2, err := ParseManifest(b, Limits{})
		if err != nil || !reflect.DeepEqual(m, m2) {
			t.Fatalf("round trip: %v", err)
		}
		if RevisionID("a/b", "", m) != RevisionID("a/b", "", m2) {
			t.Fatal("RevisionID not deterministic")
		}
	})
}

func FuzzValidatePath(f *testing.F) {
	for _, s := range []string{"config.json", "a/b/c", "../x", "/abs", "a//b", "a/./b", ".hidden", "a\\b", "c:x", "ok/é.txt", "\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, p string) {
		if ValidatePath(p) != nil {
			return
		}
		if filepath.IsAbs(p) || strings.Contains(p, "\\") {
			t.Fatalf("accepted %q", p)
		}
		root := "/srv/root"
		full := filepath.Join(root, filepath.FromSlash(p))
		if rel, err := filepath.Rel(root, full); err != nil || rel != filepath.FromSlash(p) {
			t.Fatalf("%q is not canonical under the root (rel %q)", p, rel)
		}
	})
}

func FuzzParseCommitRequest(f *testing.F) {
	z := strings.Repeat("0", 64)
	for _, s := range []string{
		`{"files":[{"path":"config.json","size":2,"sha256":"` + z + `"}],"parent":""}`,
		`{"files":[{"path":"config.json","size":2,"sha256":"` + z + `"}],"parent":"` + strings.Repeat("a", 40) + `"}`,
		`{"files":[{"path":"config.json","size":2,"sha256":"` + z + `"}],"parent":"main"}`,
		`{"files":[{"path":"config.json","size":2,"sha256":"` + z + `"}],"parent":null}`,
		`{"files":[],"extra":1}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, parent, err := ParseCommitRequest(data, Limits{})
		if err != nil {
			return
		}
		if parent != nil && *parent != "" && !ValidRevisionID(*parent) {
			t.Fatalf("bad parent %q accepted", *parent)
		}
		if err := m.Validate(Limits{}); err != nil {
			t.Fatalf("accepted manifest fails validation: %v", err)
		}
	})
}

// FuzzParseCommitNDJSON: whatever the body, the parser returns an error or
// operations whose paths are valid and unique, whose inline files are
// within MaxInlineFile and whose LFS oids are sha256 hex; applying them to a
// base never panics and yields valid, sorted entries or an error.
func FuzzParseCommitNDJSON(f *testing.F) {
	z := strings.Repeat("0", 64)
	for _, s := range []string{
		`{"key":"header","value":{"summary":"s"}}` + "\n" + `{"key":"file","value":{"path":"config.json","content":"e30=","encoding":"base64"}}`,
		`{"key":"header","value":{"summary":"s","parentCommit":"` + strings.Repeat("a", 40) + `"}}` + "\n" + `{"key":"lfsFile","value":{"path":"w.bin","algo":"sha256","oid":"` + z + `","size":3}}`,
		`{"key":"header","value":{"summary":"s"}}` + "\n" + `{"key":"deletedFile","value":{"path":"a"}}` + "\n" + `{"key":"deletedFolder","value":{"path":"d/"}}`,
		`{"key":"header","value":{"summary":"s"}}` + "\n" + `{"key":"file","value":{"path":"a","content":"x","encoding":"utf-8"}}` + "\n" + `{"key":"file","value":{"path":"a","content":"y"}}`,
		`{"key":"file","value":{"path":"a","content":"x"}}`, ``, "\n\n", `{"key":"header","value":{}}`, `{"key":"header"}`,
		`{"key":"header","value":{"summary":"s"}} trailing`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		ops, err := ParseCommitNDJSON(bytes.NewReader(data))
		if err != nil {
			if !errors.Is(err, ErrInvalid) && !errors.Is(err, ErrTooLarge) {
				t.Fatalf("error of no kind: %v", err)
			}
			return
		}
		seen := map[string]bool{}
		check := func(p string) {
			if ValidatePath(p) != nil || seen[p] {
				t.Fatalf("accepted path %q (dup %v)", p, seen[p])
			}
			seen[p] = true
		}
		for _, fl := range ops.Files {
			check(fl.Path)
			if len(fl.Content) > MaxInlineFile {
				t.Fatal("inline file over the limit")
			}
		}
		for _, l := range ops.LFSFiles {
			check(l.Path)
			if !ValidSHA256(l.OID) || l.Size < -1 {
				t.Fatalf("bad LFS entry %+v", l)
			}
		}
		for _, p := range append(append([]string{}, ops.DeletedFiles...), ops.DeletedFolders...) {
			check(p)
		}
		base := []FileEntry{{Path: "a", Size: 1, SHA256: z}, {Path: "d/x", Size: 3, SHA256: z}}
		m, err := ops.Apply(base, func(oid string) (int64, bool) { return 3, oid == z })
		if err != nil {
			return
		}
		for i, fe := range m.Files {
			if ValidatePath(fe.Path) != nil || !ValidSHA256(fe.SHA256) || (i > 0 && m.Files[i-1].Path >= fe.Path) {
				t.Fatalf("bad applied manifest %+v", m.Files)
			}
		}
	})
}
