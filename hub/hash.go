package hub

import (
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
)

// ModelFiles is the explicit allow-list of top-level file names that make up
// a model's identity: the files transformers downloads into a snapshot for a
// causal LM and its tokenizer (finetuning spec §1.3). Sharded weights are
// matched by ShardPattern in addition. Anything else in a directory (README.md,
// .gitattributes, checkpoints, optimizer state) is ignored by DirHash.
var ModelFiles = []string{
	"added_tokens.json",
	"config.json",
	"generation_config.json",
	"model.safetensors",
	"model.safetensors.index.json",
	"special_tokens_map.json",
	"tokenizer.json",
	"tokenizer.model",
	"tokenizer_config.json",
}

// ShardPattern matches the weight shards named by model.safetensors.index.json
// in the Hugging Face layout (model-00001-of-00003.safetensors).
var ShardPattern = regexp.MustCompile(`^model-[0-9]{5}-of-[0-9]{5}\.safetensors$`)

var modelFileSet = func() map[string]bool {
	m := make(map[string]bool, len(ModelFiles))
	for _, f := range ModelFiles {
		m[f] = true
	}
	return m
}()

// AllowedFile reports whether the slash-separated relative path names a file
// in the model allow-list. Only top-level files qualify.
func AllowedFile(rel string) bool {
	return modelFileSet[rel] || ShardPattern.MatchString(rel)
}

// FileHashB64 returns base64(sha256(contents)) of the file at path, the
// per-file string of the upstream algorithm (44 characters, padded).
func FileHashB64(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("hash %s: %w", path, err)
	}
	return base64.StdEncoding.EncodeToString(h.Sum(nil)), nil
}

// ChainHashes is the second level of the upstream hash: the ASCII bytes of the
// per-file base64 strings, in order, fed into one sha256, returned as base64.
func ChainHashes(fileB64 []string) string {
	h := sha256.New()
	for _, s := range fileB64 {
		io.WriteString(h, s)
	}
	return base64.StdEncoding.EncodeToString(h.Sum(nil))
}

// WalkFiles lists the regular files under dir in Python os.walk(topdown)
// order with sorted directory and file names (byte order of UTF-8 names equals
// code-point order): at each level all files of the directory first, then
// each subdirectory recursively. Paths are slash-separated and relative to
// dir. As in os.walk(followlinks=False), a symlink to a file counts as a file
// (its target's bytes are hashed) and a symlink to a directory is not entered.
func WalkFiles(dir string) ([]string, error) {
	var out []string
	var walk func(rel string) error
	walk = func(rel string) error {
		full := filepath.Join(dir, filepath.FromSlash(rel))
		entries, err := os.ReadDir(full)
		if err != nil {
			return err
		}
		var files, dirs []string
		for _, e := range entries {
			name := e.Name()
			isDir := e.IsDir()
			if e.Type()&fs.ModeSymlink != 0 {
				// os.walk classifies a symlink by its target: a link to a
				// directory is a dirname (not descended), otherwise a filename.
				st, err := os.Stat(filepath.Join(full, name))
				if err == nil && st.IsDir() {
					continue
				}
				isDir = false
			}
			if isDir {
				dirs = append(dirs, name)
			} else {
				files = append(files, name)
			}
		}
		sort.Strings(files)
		sort.Strings(dirs)
		for _, f := range files {
			out = append(out, joinRel(rel, f))
		}
		for _, d := range dirs {
			if err := walk(joinRel(rel, d)); err != nil {
				return err
			}
		}
		return nil
	}
	if err := walk(""); err != nil {
		return nil, err
	}
	return out, nil
}

func joinRel(rel, name string) string {
	if rel == "" {
		return name
	}
	return rel + "/" + name
}

// TreeHash is the upstream get_hash_of_directory over every file under dir
// (no allow-list): os.walk order, base64(sha256(file)) strings chained into
// one sha256, base64 result.
func TreeHash(dir string) (string, error) {
	files, err := WalkFiles(dir)
	if err != nil {
		return "", err
	}
	return hashList(dir, files)
}

// DirHash returns the model hash H of the model in dir: the upstream algorithm
// (TreeHash) restricted to the allow-listed files (AllowedFile), which is
// exactly the file set transformers downloads into a snapshot. It fails if
// dir holds no allow-listed file or lacks config.json.
func DirHash(dir string) (string, error) {
	files, err := HashedFiles(dir)
	if err != nil {
		return "", err
	}
	return hashList(dir, files)
}

// HashedFiles lists the allow-listed files of dir in hash order; it is the
// file set DirHash covers and Client.Upload publishes.
func HashedFiles(dir string) ([]string, error) {
	all, err := WalkFiles(dir)
	if err != nil {
		return nil, err
	}
	var files []string
	hasConfig := false
	for _, f := range all {
		if AllowedFile(f) {
			files = append(files, f)
			hasConfig = hasConfig || f == "config.json"
		}
	}
	if !hasConfig {
		return nil, fmt.Errorf("%w model directory %s: no config.json", ErrInvalid, dir)
	}
	return files, nil
}

func hashList(dir string, files []string) (string, error) {
	sums := make([]string, len(files))
	for i, f := range files {
		s, err := FileHashB64(filepath.Join(dir, filepath.FromSlash(f)))
		if err != nil {
			return "", err
		}
		sums[i] = s
	}
	return ChainHashes(sums), nil
}

// SecureHash is the hotkey-salted hash S = base64(sha256(utf8(h + hotkey))),
// plain concatenation without a separator (upstream get_hash_of_two_strings).
func SecureHash(h, hotkey string) string {
	sum := sha256.Sum256([]byte(h + hotkey))
	return base64.StdEncoding.EncodeToString(sum[:])
}
