package miner

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	pctx "github.com/taonet/taonet/subnets/prompting/context"
)

// CodeIndex is the tool miner's "repair" tool for debugging challenges: an
// index of the function-sized snippets of a source tree by their lines. A
// corrupted snippet still shares most of its lines with its original, so
// the snippet sharing the most lines is returned as the repair. It only
// helps when the miner indexes the same tree the validator draws from (for
// example GOROOT/src); otherwise the received code is echoed.
type CodeIndex struct {
	snippets []string
	byLine   map[string][]int32
}

// Code-index limits: files indexed, bytes read per file, and the lines that
// are too common or too short to identify a snippet.
const (
	DefaultMaxCodeFiles = 20000
	maxCodeFileBytes    = 1 << 20
	minLineLen          = 6
	maxLinePostings     = 64
)

var codeExts = map[string]string{".go": "Go", ".py": "Python", ".js": "JavaScript", ".ts": "TypeScript", ".c": "C",
	".h": "C", ".cc": "C++", ".cpp": "C++", ".java": "Java", ".rs": "Rust", ".sh": "Shell", ".rb": "Ruby"}

// NewCodeIndex indexes snippets of 5–100 lines from up to maxFiles source
// files under root (default DefaultMaxCodeFiles), skipping hidden
// directories, testdata and vendor, as the validator's code source does.
func NewCodeIndex(root string, maxFiles int) (*CodeIndex, error) {
	if maxFiles <= 0 {
		maxFiles = DefaultMaxCodeFiles
	}
	ix := &CodeIndex{byLine: map[string][]int32{}}
	files := 0
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil // unreadable entries are skipped
		}
		name := d.Name()
		if d.IsDir() {
			if p != root && (strings.HasPrefix(name, ".") || name == "testdata" || name == "vendor" || name == "node_modules") {
				return filepath.SkipDir
			}
			return nil
		}
		lang, ok := codeExts[filepath.Ext(name)]
		if !ok || strings.HasSuffix(name, "_test.go") {
			return nil
		}
		if files >= maxFiles {
			return filepath.SkipAll
		}
		f, err := os.Open(p)
		if err != nil {
			return nil
		}
		src, err := io.ReadAll(io.LimitReader(f, maxCodeFileBytes))
		f.Close()
		if err != nil {
			return nil
		}
		files++
		for _, s := range pctx.Snippets(lang, src, 5, 100) {
			ix.add(s.Code)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("miner: code index: %w", err)
	}
	if len(ix.snippets) == 0 {
		return nil, fmt.Errorf("miner: code index: no snippets under %s", root)
	}
	return ix, nil
}

// Len returns the number of indexed snippets.
func (ix *CodeIndex) Len() int { return len(ix.snippets) }

func (ix *CodeIndex) add(code string) {
	id := int32(len(ix.snippets))
	ix.snippets = append(ix.snippets, code)
	seen := map[string]bool{}
	for _, l := range strings.Split(code, "\n") {
		k := strings.TrimSpace(l)
		if len(k) < minLineLen || seen[k] {
			continue
		}
		seen[k] = true
		if p := ix.byLine[k]; len(p) <= maxLinePostings {
			ix.byLine[k] = append(p, id)
		}
	}
}

// Repair returns the indexed snippet sharing the most distinct lines with
// code, if it shares at least 40% of code's identifying lines (and two).
func (ix *CodeIndex) Repair(code string) (string, bool) {
	counts := map[int32]int{}
	seen := map[string]bool{}
	total := 0
	for _, l := range strings.Split(code, "\n") {
		k := strings.TrimSpace(l)
		if len(k) < minLineLen || seen[k] {
			continue
		}
		seen[k] = true
		total++
		if p := ix.byLine[k]; len(p) <= maxLinePostings {
			for _, id := range p {
				counts[id]++
			}
		}
	}
	best, bestN := int32(-1), 0
	for id, n := range counts {
		if n > bestN || (n == bestN && id < best) {
			best, bestN = id, n
		}
	}
	if best < 0 || bestN < 2 || float64(bestN) < 0.4*float64(total) {
		return "", false
	}
	return ix.snippets[best], true
}
