package hub

import (
	"bytes"
	"context"
	"encoding/json"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

// liveHub runs a real server (ListenAndServe on a loopback port) over a new
// store and returns its URL.
func liveHub(t *testing.T, opts ServerOptions) (string, *Store) {
	t.Helper()
	st, err := OpenStore(t.TempDir(), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	srv := NewServer(st, opts)
	ctx, cancel := context.WithCancel(context.Background())
	addr := make(chan string, 1)
	done := make(chan error, 1)
	go func() { done <- srv.ListenAndServe(ctx, "127.0.0.1:0", func(a string) { addr <- a }) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("hub server: %v", err)
		}
	})
	select {
	case a := <-addr:
		return "http://" + a, st
	case err := <-done:
		t.Fatalf("hub server: %v", err)
	}
	return "", nil
}

// interopDir returns interop/NAME with its installed npm client, or skips
// (fails under CI=true, where scripts/setup.sh test installs it).
func interopDir(t *testing.T, name, module string) (node, dir string) {
	t.Helper()
	dir, _ = filepath.Abs(filepath.Join("..", "interop", name))
	node, err := exec.LookPath("node")
	if err == nil {
		_, err = os.Stat(filepath.Join(dir, "node_modules", filepath.FromSlash(module), "package.json"))
	}
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("node or %s missing (%v): scripts/setup.sh test installs them", module, err)
		}
		t.Skipf("node or %s not installed (%v); run scripts/setup.sh test", module, err)
	}
	return node, dir
}

func loginToken(t *testing.T, url string, s Signer) string {
	t.Helper()
	tr, err := NewClient(url, "").Login(context.Background(), s, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return tr.Token
}

// TestHFHubJSClient drives `hub serve` with the official @huggingface/hub
// npm client (interop/hfhub/drive.mjs): createRepo, uploadFiles (inline and
// LFS), commit with a deletion, modelInfo (HEAD and pinned), listFiles
// (recursive, paged through Link headers), fileExists, downloadFile (whole
// and ranged), pathsInfo and snapshotDownload of a private repo, with the
// other hotkey's and a bogus token refused. Files must round-trip
// byte-identical.
func TestHFHubJSClient(t *testing.T) {
	node, dir := interopDir(t, "hfhub", "@huggingface/hub")
	url, st := liveHub(t, ServerOptions{TreePageSize: 2})
	alice, bob := mustKey(t, "//Alice"), mustKey(t, "//Bob")
	tokA, tokB := loginToken(t, url, alice), loginToken(t, url, bob)
	repo := alice.SS58Address() + "/tiny-model"

	files := t.TempDir()
	weights := make([]byte, 3<<20) // over RegularFileLimit: goes through LFS
	rand.New(rand.NewSource(7)).Read(weights)
	content := map[string][]byte{
		"config.json":       []byte(`{"model_type":"llama","hidden_size":64}`),
		"tokenizer.json":    []byte(`{"version":"1.0","model":{"type":"BPE"}}`),
		"model.safetensors": weights,
		"sub/dir/notes.txt": []byte("nested file\n"),
		"small.bin":         {0, 1, 2, 3, 0, 255}, // binary: LFS although small
	}
	for p, b := range content {
		full := filepath.Join(files, filepath.FromSlash(p))
		os.MkdirAll(filepath.Dir(full), 0o755)
		if err := os.WriteFile(full, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	newConfig := `{"model_type":"llama","hidden_size":128}`
	cache := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, filepath.Join(dir, "drive.mjs"))
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "HUB_URL="+url, "REPO="+repo, "TOKEN="+tokA, "OTHER_TOKEN="+tokB,
		"FILES_DIR="+files, "NEW_CONFIG="+newConfig, "DELETE_PATH=tokenizer.json", "CACHE_DIR="+cache)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("drive.mjs: %v\nstderr:\n%s\nstdout:\n%s", err, stderr.String(), stdout.String())
	}
	var out struct {
		Whoami, First, Second, Snapshot string
		HeadFiles, FirstFiles           []string
		Listed                          []struct {
			Type, Path, Lfs string
			Size            int64
		}
		SliceBytes int
	}
	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n") // snapshotDownload logs progress lines first
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &out); err != nil {
		t.Fatalf("drive.mjs output %q: %v", stdout.String(), err)
	}
	if out.Whoami != alice.SS58Address() {
		t.Errorf("whoami %q, want %s", out.Whoami, alice.SS58Address())
	}
	// The store agrees with what the client saw.
	head, err := st.Revision(repo, "main")
	if err != nil || head.ID != out.Second || head.Parent != out.First {
		t.Fatalf("store head %+v %v, want %s on %s", head, err, out.Second, out.First)
	}
	wantHead := []string{"config.json", "model.safetensors", "small.bin", "sub/dir/notes.txt"}
	if strings.Join(out.HeadFiles, ",") != strings.Join(wantHead, ",") {
		t.Errorf("HEAD files %v, want %v", out.HeadFiles, wantHead)
	}
	if len(out.FirstFiles) != 5 {
		t.Errorf("first commit files %v", out.FirstFiles)
	}
	var listed []string
	for _, e := range out.Listed {
		listed = append(listed, e.Type+":"+e.Path)
		if e.Path == "model.safetensors" && (e.Lfs != sha256Hex(weights) || e.Size != int64(len(weights))) {
			t.Errorf("listed weights %+v", e)
		}
	}
	wantList := []string{"file:config.json", "file:model.safetensors", "file:small.bin", "directory:sub", "directory:sub/dir", "file:sub/dir/notes.txt"}
	if strings.Join(listed, ",") != strings.Join(wantList, ",") {
		t.Errorf("listFiles %v, want %v", listed, wantList)
	}
	if out.SliceBytes != 4000 {
		t.Errorf("slice %d bytes", out.SliceBytes)
	}
	// snapshotDownload wrote the HEAD files byte-identical.
	content["config.json"] = []byte(newConfig)
	var got []string
	filepath.Walk(out.Snapshot, func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(out.Snapshot, p)
		rel = filepath.ToSlash(rel)
		got = append(got, rel)
		b, err := os.ReadFile(p)
		if err != nil || !bytes.Equal(b, content[rel]) {
			t.Errorf("snapshot %s differs from the upload (%v)", rel, err)
		}
		return nil
	})
	sort.Strings(got)
	if strings.Join(got, ",") != strings.Join(wantHead, ",") {
		t.Errorf("snapshot files %v, want %v", got, wantHead)
	}
	if !strings.Contains(out.Snapshot, out.Second) {
		t.Errorf("snapshot dir %s is not at commit %s", out.Snapshot, out.Second)
	}
}
