package hub

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/taonet/taonet/keys"
)

// storeState lists every file of the store (except tmp/) with its content
// hash, to prove a refused request changed nothing.
func storeState(t *testing.T, st *Store) string {
	t.Helper()
	var lines []string
	filepath.WalkDir(st.Dir(), func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(st.Dir(), p)
		if strings.HasPrefix(rel, "tmp"+string(filepath.Separator)) {
			return nil
		}
		b, _ := os.ReadFile(p)
		s := sha256.Sum256(b)
		lines = append(lines, rel+" "+hex.EncodeToString(s[:8]))
		return nil
	})
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

type hubReq struct {
	method, path, token, ctype string
	body                       []byte
}

func (h hubReq) do(t *testing.T, base string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(h.method, base+h.path, bytes.NewReader(h.body))
	if err != nil {
		t.Fatal(err)
	}
	if h.token != "" {
		req.Header.Set("Authorization", "Bearer "+h.token)
	}
	if h.ctype != "" {
		req.Header.Set("Content-Type", h.ctype)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, string(b)
}

func ndjson(lines ...string) []byte { return []byte(strings.Join(lines, "\n")) }

const hdr = `{"key":"header","value":{"summary":"x"}}`

func inline(path, content string) string {
	return fmt.Sprintf(`{"key":"file","value":{"path":%q,"content":%q,"encoding":"base64"}}`, path, base64.StdEncoding.EncodeToString([]byte(content)))
}

// TestHFBadInput: each bad request gets the Hub's status (and X-Error-Code
// where the Hub sends one) and a JSON error, and leaves the store unchanged.
func TestHFBadInput(t *testing.T) {
	var clock atomic.Int64 // seconds added to the real time
	now := func() time.Time { return time.Now().Add(time.Duration(clock.Load()) * time.Second) }
	st, err := OpenStore(t.TempDir(), Limits{MaxFileBytes: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	url := serveLive(t, NewServer(st, ServerOptions{Now: now}))
	alice, bob := mustKey(t, "//Alice"), mustKey(t, "//Bob")
	tokA, tokB := loginToken(t, url, alice), loginToken(t, url, bob)
	repo := alice.SS58Address() + "/m"
	// A repo with one commit to refuse things against.
	if r, b := (hubReq{"POST", "/api/repos/create", tokA, "application/json", []byte(`{"name":"m","organization":"` + alice.SS58Address() + `","private":false}`)}).do(t, url); r.StatusCode != 200 {
		t.Fatalf("create: %d %s", r.StatusCode, b)
	}
	if r, b := (hubReq{"POST", "/api/models/" + repo + "/commit/main", tokA, "application/x-ndjson", ndjson(hdr, inline("config.json", "{}"))}).do(t, url); r.StatusCode != 200 {
		t.Fatalf("commit: %d %s", r.StatusCode, b)
	}
	big := bytes.Repeat([]byte("x"), 2000)
	bigSHA := sha256Hex(big)
	expired := tokA // expires in an hour; used with the clock moved past it
	commit := "/api/models/" + repo + "/commit/main"
	batch := "/" + repo + ".git/info/lfs/objects/batch"
	cases := []struct {
		name   string
		req    hubReq
		clock  int64
		status int
		code   string // X-Error-Code, "" = none
		inBody string
	}{
		{"wrong token", hubReq{"POST", commit, "hf_bogus.00", "application/x-ndjson", ndjson(hdr, inline("a.txt", "a"))}, 0, 401, "", "invalid credentials"},
		{"token of another hub", hubReq{"POST", commit, "hf_" + base64.RawURLEncoding.EncodeToString([]byte(alice.SS58Address()+".9999999999.00")) + ".ab", "application/x-ndjson", ndjson(hdr, inline("a.txt", "a"))}, 0, 401, "", "invalid credentials"},
		{"expired token", hubReq{"POST", commit, expired, "application/x-ndjson", ndjson(hdr, inline("a.txt", "a"))}, 7200, 401, "", "expired"},
		{"no token", hubReq{"POST", commit, "", "application/x-ndjson", ndjson(hdr, inline("a.txt", "a"))}, 0, 401, "", "Bearer"},
		{"another namespace (commit)", hubReq{"POST", commit, tokB, "application/x-ndjson", ndjson(hdr, inline("a.txt", "a"))}, 0, 403, "", "belongs to"},
		{"another namespace (create)", hubReq{"POST", "/api/repos/create", tokB, "application/json", []byte(`{"name":"n","organization":"` + alice.SS58Address() + `"}`)}, 0, 403, "", "belongs to"},
		{"another namespace (settings)", hubReq{"PUT", "/api/models/" + repo + "/settings", tokB, "application/json", []byte(`{"private":true}`)}, 0, 403, "", "belongs to"},
		{"another namespace (LFS batch)", hubReq{"POST", batch, tokB, "application/vnd.git-lfs+json", []byte(`{"operation":"upload","objects":[]}`)}, 0, 403, "", "belongs to"},
		{"lookalike namespace (prefix 0)", hubReq{"POST", "/api/repos/create", tokA, "application/json", []byte(`{"name":"n","organization":"` + prefix0(t, alice) + `"}`)}, 0, 403, "", "prefix 0"},
		{"lookalike namespace (lowercased)", hubReq{"POST", "/api/repos/create", tokA, "application/json", []byte(`{"name":"n","organization":"` + strings.ToLower(alice.SS58Address()) + `"}`)}, 0, 403, "", "reserved"},
		{"malformed NDJSON (not JSON)", hubReq{"POST", commit, tokA, "application/x-ndjson", ndjson(hdr, `{"key":"file","value":`)}, 0, 400, "", "line 2"},
		{"malformed NDJSON (no header)", hubReq{"POST", commit, tokA, "application/x-ndjson", ndjson(inline("a.txt", "a"))}, 0, 400, "", "header"},
		{"malformed NDJSON (unknown key)", hubReq{"POST", commit, tokA, "application/x-ndjson", ndjson(hdr, `{"key":"rename","value":{"path":"a"}}`)}, 0, 400, "", "unknown operation"},
		{"malformed NDJSON (bad base64)", hubReq{"POST", commit, tokA, "application/x-ndjson", ndjson(hdr, `{"key":"file","value":{"path":"a","content":"@@","encoding":"base64"}}`)}, 0, 400, "", "base64"},
		{"malformed NDJSON (path escapes)", hubReq{"POST", commit, tokA, "application/x-ndjson", ndjson(hdr, inline("../x", "a"))}, 0, 400, "", "dot segment"},
		{"inline file over the limit", hubReq{"POST", commit, tokA, "application/x-ndjson", ndjson(hdr, inline("big.txt", strings.Repeat("x", MaxInlineFile+1)))}, 0, 413, "", "through LFS"},
		{"case-colliding paths", hubReq{"POST", commit, tokA, "application/x-ndjson", ndjson(hdr, inline("Config.json", "{}"))}, 0, 400, "", "differ only in case"},
		{"LFS file never uploaded", hubReq{"POST", commit, tokA, "application/x-ndjson", ndjson(hdr, `{"key":"lfsFile","value":{"path":"w.bin","algo":"sha256","oid":"`+bigSHA+`","size":2000}}`)}, 0, 400, "", "not uploaded"},
		{"delete a missing file", hubReq{"POST", commit, tokA, "application/x-ndjson", ndjson(hdr, `{"key":"deletedFile","value":{"path":"nope.txt"}}`)}, 0, 404, "EntryNotFound", "nope.txt"},
		{"stale parentCommit", hubReq{"POST", commit, tokA, "application/x-ndjson", ndjson(`{"key":"header","value":{"summary":"x","parentCommit":"`+strings.Repeat("0", 40)+`"}}`, inline("a.txt", "a"))}, 0, 409, "", "parentCommit"},
		{"commit to a missing branch", hubReq{"POST", "/api/models/" + repo + "/commit/dev", tokA, "application/x-ndjson", ndjson(hdr, inline("a.txt", "a"))}, 0, 404, "RevisionNotFound", "main only"},
		{"missing revision (info)", hubReq{"GET", "/api/models/" + repo + "/revision/" + strings.Repeat("1", 40), "", "", nil}, 0, 404, "RevisionNotFound", "not found"},
		{"missing branch (tree)", hubReq{"GET", "/api/models/" + repo + "/tree/v2", "", "", nil}, 0, 404, "RevisionNotFound", "not found"},
		{"missing file (resolve)", hubReq{"GET", "/" + repo + "/resolve/main/nope.bin", "", "", nil}, 0, 404, "EntryNotFound", "nope.bin"},
		{"missing path (tree)", hubReq{"GET", "/api/models/" + repo + "/tree/main/nodir", "", "", nil}, 0, 404, "EntryNotFound", "nodir"},
		{"missing repo", hubReq{"GET", "/api/models/" + alice.SS58Address() + "/none", "", "", nil}, 0, 404, "RepoNotFound", "not found"},
		{"repo exists", hubReq{"POST", "/api/repos/create", tokA, "application/json", []byte(`{"name":"M","organization":"` + alice.SS58Address() + `"}`)}, 0, 409, "", "already created"},
		{"LFS download operation", hubReq{"POST", batch, tokA, "application/vnd.git-lfs+json", []byte(`{"operation":"download","objects":[]}`)}, 0, 400, "", "uploads"},
	}
	before := storeState(t, st)
	for _, tc := range cases {
		clock.Store(tc.clock)
		resp, body := tc.req.do(t, url)
		clock.Store(0)
		var ae apiError
		json.Unmarshal([]byte(body), &ae)
		if resp.StatusCode != tc.status || resp.Header.Get("X-Error-Code") != tc.code || !strings.Contains(ae.Error, tc.inBody) {
			t.Errorf("%s: %d X-Error-Code=%q %s; want %d %q with %q", tc.name, resp.StatusCode, resp.Header.Get("X-Error-Code"), body, tc.status, tc.code, tc.inBody)
		}
		if after := storeState(t, st); after != before {
			t.Fatalf("%s changed the store:\n%s\nwas\n%s", tc.name, after, before)
		}
	}

	// LFS objects: oversize is refused per object in the batch answer (the
	// git-lfs way: 200 with an object error); a body longer than declared
	// or with another hash is refused at upload; the store keeps nothing.
	huge := fmt.Sprintf(`{"operation":"upload","transfers":["basic"],"objects":[{"oid":"%s","size":%d}]}`, strings.Repeat("a", 64), 2<<20)
	resp, body := (hubReq{"POST", batch, tokA, "application/vnd.git-lfs+json", []byte(huge)}).do(t, url)
	if resp.StatusCode != 200 || !strings.Contains(body, `"code":422`) || strings.Contains(body, "actions") {
		t.Errorf("oversize LFS batch: %d %s", resp.StatusCode, body)
	}
	ok := fmt.Sprintf(`{"operation":"upload","transfers":["basic"],"objects":[{"oid":"%s","size":%d}]}`, bigSHA, len(big))
	resp, body = (hubReq{"POST", batch, tokA, "application/vnd.git-lfs+json", []byte(ok)}).do(t, url)
	var br struct {
		Objects []lfsObjectResult `json:"objects"`
	}
	if err := json.Unmarshal([]byte(body), &br); err != nil || resp.StatusCode != 200 || len(br.Objects) != 1 || br.Objects[0].Actions["upload"] == nil {
		t.Fatalf("LFS batch: %d %s", resp.StatusCode, body)
	}
	href := br.Objects[0].Actions["upload"].Href
	put := func(b []byte, u string) (int, string) {
		req, _ := http.NewRequest("PUT", u, bytes.NewReader(b))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		rb, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return resp.StatusCode, string(rb)
	}
	tampered := append([]byte{}, big...)
	tampered[0] = 'y'
	for name, tc := range map[string]struct {
		body   []byte
		href   string
		status int
		msg    string
	}{
		"hash mismatch":        {tampered, href, 400, "sha256"},
		"longer than declared": {append(append([]byte{}, big...), 'z'), href, 400, "Content-Length"},
		"forged link":          {big, strings.Replace(href, "sig=", "sig=0", 1), 403, "signature"},
		"link for another oid": {tampered, strings.Replace(href, bigSHA, sha256Hex(tampered), 1), 403, "signature"},
	} {
		if code, msg := put(tc.body, tc.href); code != tc.status || !strings.Contains(msg, tc.msg) {
			t.Errorf("LFS PUT %s: %d %s, want %d %q", name, code, msg, tc.status, tc.msg)
		}
		if after := storeState(t, st); after != before {
			t.Fatalf("LFS PUT %s changed the store", name)
		}
	}
	if code, msg := put(big, href); code != 200 {
		t.Fatalf("LFS PUT: %d %s", code, msg)
	}
	if _, ok := st.HasBlob(bigSHA); !ok {
		t.Fatal("uploaded LFS object missing")
	}
}

func prefix0(t *testing.T, k *keys.Keypair) string {
	pub, _ := keys.SS58Decode(k.SS58Address())
	a, err := keys.SS58EncodePrefix(pub, 0)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// TestRefusedBodyNotRead: a write answered 401 before its body arrived is
// not read further; the connection is closed instead of drained.
func TestRefusedBodyNotRead(t *testing.T) {
	url, _ := liveHub(t, ServerOptions{})
	conn, err := net.Dial("tcp", strings.TrimPrefix(url, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	fmt.Fprintf(conn, "POST /api/models/ns/m/commit/main HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer hf_bogus.00\r\nContent-Length: %d\r\n\r\n", 100<<20)
	conn.Write(bytes.Repeat([]byte("a"), 4096))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	if resp.StatusCode != 401 || !resp.Close {
		t.Fatalf("status %d, close %v: want 401 with Connection: close", resp.StatusCode, resp.Close)
	}
	// The server hangs up rather than reading the 100 MiB it was promised.
	var one [1]byte
	if _, err := conn.Read(one[:]); err == nil {
		t.Fatal("connection still open after the refusal")
	}
}

// TestHubIdentity: namespaces that look like hotkeys must be the canonical
// ss58 of the key, claims may not differ only in case, and a revision may
// not hold paths that differ only in case.
func TestHubIdentity(t *testing.T) {
	alice := mustKey(t, "//Alice")
	addr := alice.SS58Address()
	bad := []byte(addr)
	bad[len(bad)-1] ^= 1 // checksum broken (base58 char flipped within the alphabet)
	if bad[len(bad)-1] == '0' || bad[len(bad)-1] == 'O' || bad[len(bad)-1] == 'I' || bad[len(bad)-1] == 'l' {
		bad[len(bad)-1] = 'z'
	}
	for name, ns := range map[string]string{
		"prefix 0":      prefix0(t, alice),
		"bad checksum":  string(bad),
		"lowercased":    strings.ToLower(addr),
		"uppercased":    strings.ToUpper(addr),
		"long non-ss58": strings.Repeat("a", 33),
	} {
		if err := CheckNamespace(ns); !errors.Is(err, ErrForbidden) {
			t.Errorf("%s namespace %s: %v, want forbidden", name, ns, err)
		}
	}
	if err := CheckNamespace(addr); err != nil {
		t.Errorf("canonical address: %v", err)
	}
	st, _ := OpenStore(t.TempDir(), Limits{})
	bob := mustKey(t, "//Bob").SS58Address()
	if err := st.Authorize("Team", addr); err != nil {
		t.Fatal(err)
	}
	if err := st.Authorize("team", bob); !errors.Is(err, ErrForbidden) {
		t.Errorf("case-colliding claim: %v", err)
	}
	if err := st.Authorize(strings.ToLower(addr), bob); !errors.Is(err, ErrForbidden) {
		t.Errorf("lowercased address claimed: %v", err)
	}
	z := strings.Repeat("0", 64)
	m := Manifest{Files: []FileEntry{{Path: "a", Size: 1, SHA256: z}, {Path: "A", Size: 1, SHA256: z}}}
	if err := m.Validate(Limits{}); !errors.Is(err, ErrInvalid) {
		t.Errorf("paths a and A: %v", err)
	}
	m = Manifest{Files: []FileEntry{{Path: "dir", Size: 1, SHA256: z}, {Path: "DIR/x", Size: 1, SHA256: z}}}
	if err := m.Validate(Limits{}); !errors.Is(err, ErrInvalid) {
		t.Errorf("file dir and DIR/x: %v", err)
	}
}

// TestReplayMemoryOnlyAfterPermission: signed requests from a key that may
// not write leave no replay entry; the memory is bounded per key.
func TestReplayMemoryOnlyAfterPermission(t *testing.T) {
	st, _ := OpenStore(t.TempDir(), Limits{})
	alice, bob := mustKey(t, "//Alice"), mustKey(t, "//Bob")
	srv := NewServer(st, ServerOptions{AllowWriter: func(_ context.Context, hk string) error {
		if hk != alice.SS58Address() {
			return errors.New("not registered")
		}
		return nil
	}})
	srv.verifier.MaxPerKey = 3
	url := serveLive(t, srv)
	send := func(k *keys.Keypair, repo string) int {
		body := []byte(`{"private":true}`)
		req, _ := http.NewRequest("PUT", url+"/api/models/"+repo+"/settings", bytes.NewReader(body))
		if err := SignRequest(req, k, sha256Hex(body), time.Now()); err != nil {
			t.Fatal(err)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	for i := 0; i < 20; i++ {
		if code := send(bob, bob.SS58Address()+"/m"); code != 403 {
			t.Fatalf("unregistered key: %d", code)
		}
		if code := send(alice, bob.SS58Address()+"/m"); code != 403 { // registered, wrong namespace
			t.Fatalf("foreign namespace: %d", code)
		}
	}
	srv.verifier.mu.Lock()
	n := srv.verifier.total
	srv.verifier.mu.Unlock()
	if n != 0 {
		t.Fatalf("%d replay entries stored for refused requests", n)
	}
	for i := 0; i < 3; i++ {
		if code := send(alice, alice.SS58Address()+"/m"); code != 200 {
			t.Fatalf("write %d: %d", i, code)
		}
	}
	if code := send(alice, alice.SS58Address()+"/m"); code != 429 {
		t.Fatalf("over the per-key bound: %d, want 429", code)
	}
}

// TestHFTagsAndRefs: huggingface_hub's create_tag and list_repo_refs; info,
// tree and resolve by tag; tags are immutable and survive new commits.
func TestHFTagsAndRefs(t *testing.T) {
	url, st := liveHub(t, ServerOptions{})
	alice := mustKey(t, "//Alice")
	tok := loginToken(t, url, alice)
	repo := alice.SS58Address() + "/m"
	mustOK := func(r hubReq) string {
		resp, body := r.do(t, url)
		if resp.StatusCode != 200 {
			t.Fatalf("%s %s: %d %s", r.method, r.path, resp.StatusCode, body)
		}
		return body
	}
	mustOK(hubReq{"POST", "/api/repos/create", tok, "application/json", []byte(`{"name":"m"}`)})
	mustOK(hubReq{"POST", "/api/models/" + repo + "/commit/main", tok, "application/x-ndjson", ndjson(hdr, inline("config.json", "v1"))})
	first, _ := st.Revision(repo, "main")
	mustOK(hubReq{"POST", "/api/models/" + repo + "/tag/main", tok, "application/json", []byte(`{"tag":"v1.0","message":"first"}`)})
	mustOK(hubReq{"POST", "/api/models/" + repo + "/commit/main", tok, "application/x-ndjson", ndjson(hdr, inline("config.json", "v2"))})
	var info RepoInfo
	json.Unmarshal([]byte(mustOK(hubReq{"GET", "/api/models/" + repo + "/revision/v1.0", "", "", nil})), &info)
	if info.SHA != first.ID {
		t.Fatalf("info at tag: sha %s, want %s", info.SHA, first.ID)
	}
	if got := mustOK(hubReq{"GET", "/" + repo + "/resolve/v1.0/config.json", "", "", nil}); got != "v1" {
		t.Fatalf("resolve at tag: %q", got)
	}
	var refs struct{ Branches, Tags []gitRef }
	json.Unmarshal([]byte(mustOK(hubReq{"GET", "/api/models/" + repo + "/refs", "", "", nil})), &refs)
	head, _ := st.Revision(repo, "main")
	if len(refs.Branches) != 1 || refs.Branches[0].TargetCommit != head.ID || len(refs.Tags) != 1 || refs.Tags[0] != (gitRef{"v1.0", "refs/tags/v1.0", first.ID}) {
		t.Fatalf("refs %+v", refs)
	}
	before := storeState(t, st)
	for name, tc := range map[string]struct {
		req    hubReq
		status int
		code   string
	}{
		"tag exists":       {hubReq{"POST", "/api/models/" + repo + "/tag/main", tok, "application/json", []byte(`{"tag":"v1.0"}`)}, 409, ""},
		"tag named main":   {hubReq{"POST", "/api/models/" + repo + "/tag/main", tok, "application/json", []byte(`{"tag":"main"}`)}, 400, ""},
		"missing revision": {hubReq{"POST", "/api/models/" + repo + "/tag/" + strings.Repeat("2", 40), tok, "application/json", []byte(`{"tag":"v2"}`)}, 404, "RevisionNotFound"},
		"no token":         {hubReq{"POST", "/api/models/" + repo + "/tag/main", "", "application/json", []byte(`{"tag":"v3"}`)}, 401, ""},
	} {
		resp, body := tc.req.do(t, url)
		if resp.StatusCode != tc.status || resp.Header.Get("X-Error-Code") != tc.code {
			t.Errorf("%s: %d %q %s, want %d %q", name, resp.StatusCode, resp.Header.Get("X-Error-Code"), body, tc.status, tc.code)
		}
	}
	if storeState(t, st) != before {
		t.Fatal("a refused tag changed the store")
	}
}

// TestHFPathsInfoBodies: paths-info takes JSON (@huggingface/hub) and a
// form with repeated paths (huggingface_hub's requests data=…); missing
// paths are left out, directories are listed as such.
func TestHFPathsInfoBodies(t *testing.T) {
	url, _ := liveHub(t, ServerOptions{})
	alice := mustKey(t, "//Alice")
	tok := loginToken(t, url, alice)
	repo := alice.SS58Address() + "/m"
	for _, r := range []hubReq{
		{"POST", "/api/repos/create", tok, "application/json", []byte(`{"name":"m"}`)},
		{"POST", "/api/models/" + repo + "/commit/main", tok, "application/x-ndjson", ndjson(hdr, inline("config.json", "{}"), inline("sub/a.txt", "a"))},
	} {
		if resp, body := r.do(t, url); resp.StatusCode != 200 {
			t.Fatalf("%s: %d %s", r.path, resp.StatusCode, body)
		}
	}
	for name, r := range map[string]hubReq{
		"json": {"POST", "/api/models/" + repo + "/paths-info/main", "", "application/json", []byte(`{"paths":["config.json","sub","nope"],"expand":true}`)},
		"form": {"POST", "/api/models/" + repo + "/paths-info/main", "", "application/x-www-form-urlencoded", []byte("paths=config.json&paths=sub&paths=nope&expand=True")},
	} {
		resp, body := r.do(t, url)
		var got []TreeEntry
		if err := json.Unmarshal([]byte(body), &got); err != nil || resp.StatusCode != 200 {
			t.Fatalf("%s: %d %s", name, resp.StatusCode, body)
		}
		if len(got) != 2 || got[0].Path != "config.json" || got[0].Type != "file" || got[0].LFS == nil || got[0].LFS.OID != sha256Hex([]byte("{}")) ||
			got[1].Path != "sub" || got[1].Type != "directory" || got[0].LastCommit == nil {
			t.Errorf("%s: %s", name, body)
		}
	}
}
