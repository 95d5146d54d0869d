package hub

import (
	"bytes"
	"context"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
)

// The Hugging Face upload protocol, as huggingface_hub and @huggingface/hub
// speak it, used by Upload and SetPrivate when the Client has a Token (so the
// same code publishes to huggingface.co and to a taonet hub):
//
//  1. POST /api/models/{repo}/preupload/main {"files":[{path,size,sample}]}
//     → which files go inline ("regular") and which through LFS;
//  2. POST /{repo}.git/info/lfs/objects/batch (git-lfs batch API, basic
//     transfer) → an upload href per object the hub lacks; PUT the bytes there
//     (without the token: the href may be a storage bucket), then POST the
//     verify href if one is given;
//  3. POST /api/models/{repo}/commit/main, NDJSON: a header naming the parent
//     commit, "file" lines (base64) for regular files, "lfsFile" lines for LFS
//     ones, "deletedFile" lines for model files the repo has and the
//     directory lacks → {"commitOid"}.

// localFile is a file of the directory being uploaded.
type localFile struct {
	path, full string
	size       int64
	sha256     string
	gitSHA1    string // git blob id, to compare with non-LFS remote files
	sample     []byte // first 512 bytes
}

func hashLocal(dir, p string) (localFile, error) {
	lf := localFile{path: p, full: filepath.Join(dir, filepath.FromSlash(p))}
	f, err := os.Open(lf.full)
	if err != nil {
		return lf, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return lf, err
	}
	lf.size = st.Size()
	h256, h1 := sha256.New(), sha1.New()
	fmt.Fprintf(h1, "blob %d\x00", lf.size)
	var head bytes.Buffer
	n, err := io.Copy(io.MultiWriter(h256, h1, &prefixWriter{b: &head, n: 512}), f)
	if err != nil {
		return lf, err
	}
	if n != lf.size {
		return lf, fmt.Errorf("%s changed while hashing", lf.full)
	}
	lf.sha256, lf.gitSHA1, lf.sample = hex.EncodeToString(h256.Sum(nil)), hex.EncodeToString(h1.Sum(nil)), head.Bytes()
	return lf, nil
}

// prefixWriter keeps the first n bytes written.
type prefixWriter struct {
	b *bytes.Buffer
	n int
}

func (p *prefixWriter) Write(b []byte) (int, error) {
	if room := p.n - p.b.Len(); room > 0 {
		p.b.Write(b[:min(room, len(b))])
	}
	return len(b), nil
}

// sameAs reports whether the remote sibling has this file's content.
func (lf localFile) sameAs(s Sibling) bool {
	if s.LFS != nil && ValidSHA256(s.LFS.SHA256) {
		return s.LFS.SHA256 == lf.sha256 && s.LFS.Size == lf.size
	}
	return s.BlobID == lf.gitSHA1
}

// uploadHF publishes dir's model files to repo with the Hub protocol and
// returns the commit id (the head itself when nothing changed).
func (c *Client) uploadHF(ctx context.Context, repo, dir string) (string, error) {
	paths, err := HashedFiles(dir)
	if err != nil {
		return "", err
	}
	var files []localFile
	for _, p := range paths {
		lf, err := hashLocal(dir, p)
		if err != nil {
			return "", err
		}
		files = append(files, lf)
	}
	head, remote, err := c.remoteHead(ctx, repo)
	if err != nil {
		return "", err
	}
	var deletions []string
	local := map[string]bool{}
	changed := false
	for _, lf := range files {
		local[lf.path] = true
		if s, ok := remote[lf.path]; !ok || !lf.sameAs(s) {
			changed = true
		}
	}
	for p := range remote {
		if AllowedFile(p) && !local[p] { // a stale model file would change the model's hash
			deletions = append(deletions, p)
		}
	}
	if !changed && len(deletions) == 0 && head != "" {
		return head, nil // as the signed protocol: equal files are no new revision
	}
	modes, err := c.preuploadHF(ctx, repo, files)
	if err != nil {
		return "", err
	}
	var lfs []localFile
	for _, lf := range files {
		if modes[lf.path] == "lfs" {
			lfs = append(lfs, lf)
		}
	}
	if err := c.lfsUploadHF(ctx, repo, lfs); err != nil {
		return "", err
	}
	return c.commitHF(ctx, repo, head, files, modes, deletions)
}

// remoteHead returns main's commit and files ("" and none for a repo
// without commits).
func (c *Client) remoteHead(ctx context.Context, repo string) (string, map[string]Sibling, error) {
	ri, err := c.Info(ctx, repo, "main")
	var he *HTTPError
	if errors.As(err, &he) && he.Status == http.StatusNotFound && he.Code == "RevisionNotFound" {
		return "", nil, nil // created, empty
	}
	if err != nil {
		return "", nil, err
	}
	m := make(map[string]Sibling, len(ri.Siblings))
	for _, s := range ri.Siblings {
		m[s.RFilename] = s
	}
	return ri.SHA, m, nil
}

func (c *Client) preuploadHF(ctx context.Context, repo string, files []localFile) (map[string]string, error) {
	modes := map[string]string{}
	for start := 0; start < len(files); start += 100 { // the Hub takes 100 per call
		var req struct {
			Files []PreuploadFile `json:"files"`
		}
		for _, lf := range files[start:min(len(files), start+100)] {
			req.Files = append(req.Files, PreuploadFile{Path: lf.path, Size: lf.size, Sample: base64.StdEncoding.EncodeToString(lf.sample)})
		}
		var out struct {
			Files []PreuploadMode `json:"files"`
		}
		if err := c.retry(ctx, func() error {
			return c.postJSON(ctx, c.url("api/models", escapePath(repo), "preupload", "main"), req, &out)
		}); err != nil {
			return nil, fmt.Errorf("hub preupload: %w", err)
		}
		for _, f := range out.Files {
			modes[f.Path] = f.UploadMode
		}
	}
	for _, lf := range files {
		if m := modes[lf.path]; m != "lfs" && m != "regular" {
			return nil, fmt.Errorf("hub preupload: no upload mode for %s (got %q)", lf.path, m)
		}
		if modes[lf.path] == "regular" && lf.size > MaxInlineFile {
			modes[lf.path] = "lfs" // never inline more than a commit line may carry
		}
	}
	return modes, nil
}

func (c *Client) lfsUploadHF(ctx context.Context, repo string, files []localFile) error {
	var total, sent int64
	for _, lf := range files {
		total += lf.size
	}
	for start := 0; start < len(files); start += 100 {
		chunk := files[start:min(len(files), start+100)]
		req := lfsBatchRequest{Operation: "upload", Transfers: []string{"basic"}, HashAlgo: "sha256"}
		req.Ref = &lfsRef{Name: "refs/heads/main"}
		for _, lf := range chunk {
			req.Objects = append(req.Objects, lfsObject{OID: lf.sha256, Size: lf.size})
		}
		body, _ := json.Marshal(req)
		var out struct {
			Transfer string            `json:"transfer"`
			Objects  []lfsObjectResult `json:"objects"`
		}
		err := c.retry(ctx, func() error {
			return c.doJSON(ctx, http.MethodPost, c.url(escapePath(repo)+".git", "info/lfs/objects/batch"), "application/vnd.git-lfs+json", body, &out)
		})
		if err != nil {
			return fmt.Errorf("hub LFS batch: %w", err)
		}
		if out.Transfer != "" && out.Transfer != "basic" {
			return fmt.Errorf("hub LFS batch: server chose transfer %q, want basic", out.Transfer)
		}
		byOID := map[string]localFile{}
		for _, lf := range chunk {
			byOID[lf.sha256] = lf
		}
		for _, o := range out.Objects {
			lf, ok := byOID[o.OID]
			if !ok {
				return fmt.Errorf("hub LFS batch: answer names object %s that was not asked for", o.OID)
			}
			if o.Error != nil {
				return &HTTPError{Status: o.Error.Code, Message: o.Error.Message + " (" + lf.path + ")", URL: "LFS batch"}
			}
			base := sent
			if up := o.Actions["upload"]; up != nil {
				if err := c.lfsPut(ctx, up, lf, func(n int64) {
					if c.UploadProgress != nil {
						c.UploadProgress(base+n, total)
					}
				}); err != nil {
					return err
				}
				if v := o.Actions["verify"]; v != nil {
					if err := c.lfsVerifyHF(ctx, v, lf); err != nil {
						return err
					}
				}
			}
			sent += lf.size
			if c.UploadProgress != nil && o.Actions["upload"] == nil { // already stored: counts as sent
				c.UploadProgress(sent, total)
			}
		}
	}
	return nil
}

// lfsPut sends one object to its upload href, with the action's headers
// only: the href may be a storage service that must not see the token.
func (c *Client) lfsPut(ctx context.Context, a *lfsAction, lf localFile, progress func(int64)) error {
	if _, chunked := a.Header["chunk_size"]; chunked {
		return fmt.Errorf("hub LFS: %s: the server asks for a multipart upload, which this client does not speak", lf.path)
	}
	if _, err := url.Parse(a.Href); err != nil {
		return fmt.Errorf("hub LFS: bad upload href: %w", err)
	}
	return c.retry(ctx, func() error {
		f, err := os.Open(lf.full)
		if err != nil {
			return err
		}
		defer f.Close()
		var body io.Reader = &countingReader{r: f, report: progress}
		if lf.size == 0 {
			body = http.NoBody
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodPut, a.Href, body)
		if err != nil {
			return err
		}
		req.ContentLength = lf.size
		for k, v := range a.Header {
			req.Header.Set(k, v)
		}
		return c.doDrained(req)
	})
}

func (c *Client) lfsVerifyHF(ctx context.Context, a *lfsAction, lf localFile) error {
	body, _ := json.Marshal(lfsObject{OID: lf.sha256, Size: lf.size})
	return c.retry(ctx, func() error {
		req, err := c.newRequest(ctx, http.MethodPost, a.Href, bytes.NewReader(body))
		if err != nil {
			return err
		}
		req.Header.Set("Content-Type", "application/vnd.git-lfs+json")
		for k, v := range a.Header {
			req.Header.Set(k, v)
		}
		resp, err := c.httpClient().Do(req)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		if resp.StatusCode/100 != 2 {
			return fmt.Errorf("hub LFS verify of %s: %w", lf.path, httpErr(resp))
		}
		return nil
	})
}

// commitHF sends the NDJSON commit; parent "" means the repo has no commit.
func (c *Client) commitHF(ctx context.Context, repo, parent string, files []localFile, modes map[string]string, deletions []string) (string, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	header := map[string]any{"summary": "Upload model with taonet"}
	if parent != "" { // the commit fails if main moved since remoteHead
		header["parentCommit"] = parent
	}
	enc.Encode(map[string]any{"key": "header", "value": header})
	for _, lf := range files {
		if modes[lf.path] == "lfs" {
			enc.Encode(map[string]any{"key": "lfsFile", "value": map[string]any{"path": lf.path, "algo": "sha256", "oid": lf.sha256, "size": lf.size}})
			continue
		}
		content, err := os.ReadFile(lf.full)
		if err != nil {
			return "", err
		}
		if sha256Hex(content) != lf.sha256 {
			return "", fmt.Errorf("%s changed during the upload", lf.full)
		}
		enc.Encode(map[string]any{"key": "file", "value": map[string]any{"path": lf.path, "content": base64.StdEncoding.EncodeToString(content), "encoding": "base64"}})
	}
	for _, p := range deletions {
		enc.Encode(map[string]any{"key": "deletedFile", "value": map[string]any{"path": p}})
	}
	var out CommitResult
	// Not retried: a commit that landed but whose answer was lost would be
	// refused on retry (its parent moved); the caller uploads again.
	if err := c.doJSON(ctx, http.MethodPost, c.url("api/models", escapePath(repo), "commit", "main"), "application/x-ndjson", b.Bytes(), &out); err != nil {
		return "", fmt.Errorf("hub commit: %w", err)
	}
	if !ValidRevisionID(out.CommitOID) {
		return "", fmt.Errorf("hub commit: commitOid %q is not 40 lowercase hex", out.CommitOID)
	}
	return out.CommitOID, nil
}

// CreateRepo creates repo (private or public) with a token, as
// huggingface_hub's create_repo; an existing repo is ErrConflict.
func (c *Client) CreateRepo(ctx context.Context, repo string, private bool) error {
	ns, name, err := ParseRepoID(repo)
	if err != nil {
		return err
	}
	return c.postJSON(ctx, c.url("api/repos/create"), map[string]any{"name": name, "organization": ns, "private": private, "type": "model"}, nil)
}

// setPrivateHF creates the repo with the visibility if it does not exist,
// else changes its settings.
func (c *Client) setPrivateHF(ctx context.Context, repo string, private bool) error {
	if private {
		err := c.CreateRepo(ctx, repo, true)
		if err == nil || !errors.Is(err, ErrConflict) {
			return err
		}
	}
	body, _ := json.Marshal(map[string]bool{"private": private})
	return c.retry(ctx, func() error {
		return c.doJSON(ctx, http.MethodPut, c.url("api/models", escapePath(repo), "settings"), "application/json", body, nil)
	})
}

// tokenMode reports whether the Client speaks the Hub protocol (a token is
// set) rather than taonet's signed one.
func (c *Client) tokenMode() bool { return strings.TrimSpace(c.Token) != "" }
