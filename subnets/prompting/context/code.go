package context

import (
	"context"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Code is a Source of function-sized code snippets from a source tree
// (e.g. $(go env GOROOT)/src) for the debugging task. Go files are cut at
// function declarations (go/parser); other languages at blank-line blocks.
// Snippets have MinLines..MaxLines lines (upstream: files of 5–100 lines).
type Code struct {
	root     string
	files    []string
	MinLines int
	MaxLines int
}

// codeLanguages maps extensions to language names.
var codeLanguages = map[string]string{".go": "Go", ".py": "Python", ".js": "JavaScript", ".ts": "TypeScript", ".c": "C",
	".h": "C", ".cc": "C++", ".cpp": "C++", ".java": "Java", ".rs": "Rust", ".sh": "Shell", ".rb": "Ruby", ".sql": "SQL"}

// maxCodeFiles bounds the file index; maxCodeFile bounds one file read.
const (
	maxCodeFiles = 200000
	maxCodeFile  = 1 << 20
)

// NewCode indexes source files under root (skipping testdata, vendor,
// node_modules and hidden directories, and _test.go files).
func NewCode(root string) (*Code, error) {
	c := &Code{root: root, MinLines: 5, MaxLines: 60}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil // unreadable subtrees are skipped
		}
		name := d.Name()
		if d.IsDir() {
			if p != root && (name == "testdata" || name == "vendor" || name == "node_modules" || strings.HasPrefix(name, ".")) {
				return filepath.SkipDir
			}
			return nil
		}
		if _, ok := codeLanguages[filepath.Ext(name)]; ok && !strings.HasSuffix(name, "_test.go") && len(c.files) < maxCodeFiles {
			c.files = append(c.files, p)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("context: code: %w", err)
	}
	if len(c.files) == 0 {
		return nil, fmt.Errorf("context: code %s: %w", root, ErrEmpty)
	}
	sort.Strings(c.files)
	return c, nil
}

// Files returns the number of indexed files.
func (c *Code) Files() int { return len(c.files) }

// Next implements Source: a random file, then a random snippet of it.
func (c *Code) Next(ctx context.Context, rng *rand.Rand) (Context, error) {
	if err := ctx.Err(); err != nil {
		return Context{}, err
	}
	p := c.files[rng.IntN(len(c.files))]
	f, err := os.Open(p)
	if err != nil {
		return Context{}, fmt.Errorf("context: code: %w", err)
	}
	data, err := io.ReadAll(io.LimitReader(f, maxCodeFile))
	f.Close()
	if err != nil {
		return Context{}, fmt.Errorf("context: code: %w", err)
	}
	rel, _ := filepath.Rel(c.root, p)
	rel = filepath.ToSlash(rel)
	lang := codeLanguages[filepath.Ext(p)]
	snips := Snippets(lang, data, c.MinLines, c.MaxLines)
	if len(snips) == 0 {
		return Context{}, fmt.Errorf("context: code: no snippet of %d–%d lines in %s", c.MinLines, c.MaxLines, rel)
	}
	s := snips[rng.IntN(len(snips))]
	return Context{Title: rel, Topic: lang, Subtopic: s.Name, Content: s.Code, Source: "code", Path: p, Revision: ContentRevision(data),
		Extra: map[string]string{"language": lang, "path": rel}}, nil
}

// Snippet is one function or block of a file.
type Snippet struct {
	Name string
	Code string
}

// Snippets cuts a file into snippets of minLines..maxLines lines: Go
// function declarations (with their doc comments) when lang is Go and the
// file parses, blank-line-separated blocks otherwise.
func Snippets(lang string, src []byte, minLines, maxLines int) []Snippet {
	var out []Snippet
	if lang == "Go" {
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, "", src, parser.ParseComments)
		if err == nil {
			for _, d := range f.Decls {
				fd, ok := d.(*ast.FuncDecl)
				if !ok {
					continue
				}
				start := fd.Pos()
				if fd.Doc != nil {
					start = fd.Doc.Pos()
				}
				a, b := fset.Position(start).Offset, fset.Position(fd.End()).Offset
				if a < 0 || b > len(src) || a >= b {
					continue
				}
				code := string(src[a:b])
				if n := strings.Count(code, "\n") + 1; n >= minLines && n <= maxLines {
					out = append(out, Snippet{Name: fd.Name.Name, Code: code})
				}
			}
			return out
		}
	}
	for i, block := range strings.Split(string(src), "\n\n") {
		block = strings.Trim(block, "\n")
		if n := strings.Count(block, "\n") + 1; n >= minLines && n <= maxLines {
			out = append(out, Snippet{Name: fmt.Sprintf("block %d", i+1), Code: block})
		}
	}
	return out
}
