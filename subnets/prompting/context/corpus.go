package context

import (
	"bufio"
	"bytes"
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"unicode/utf8"
)

// Article is one document of a corpus: a title and its sections.
type Article struct {
	Title    string
	URL      string
	Tags     []string
	Sections []Context
}

// Corpus is an in-memory Source over articles: Next picks an article
// uniformly, then one of its sections uniformly (upstream WikiDataset picks
// a page, then a section). It is immutable and safe for concurrent use.
type Corpus struct {
	name     string
	articles []Article
}

// CorpusOptions tune how files are split into sections.
type CorpusOptions struct {
	// MinWords drops sections with fewer words (upstream wiki: 50; the
	// default 20 suits short paragraphs).
	MinWords int
	// MaxWords splits longer sections at paragraph breaks (default 400).
	MaxWords int
	// MaxFileBytes skips larger files (default 32 MiB).
	MaxFileBytes int64
	// PathPrefix is put before each file's path in citations (LoadDir: the
	// directory; Embedded: "embedded:").
	PathPrefix string
}

// cite sets the path and revision of every section that has none.
func cite(arts []Article, path, rev string) {
	for i := range arts {
		for j := range arts[i].Sections {
			s := &arts[i].Sections[j]
			if s.Path == "" {
				s.Path = path
			}
			if s.Revision == "" {
				s.Revision = rev
			}
		}
	}
}

func (o *CorpusOptions) defaults() {
	if o.MinWords <= 0 {
		o.MinWords = 20
	}
	if o.MaxWords <= 0 {
		o.MaxWords = 400
	}
	if o.MaxFileBytes <= 0 {
		o.MaxFileBytes = 32 << 20
	}
}

// NewCorpus builds a corpus from articles, dropping those without
// sections. It fails with ErrEmpty when nothing is left.
func NewCorpus(name string, articles []Article) (*Corpus, error) {
	var keep []Article
	for _, a := range articles {
		if len(a.Sections) > 0 {
			keep = append(keep, a)
		}
	}
	if len(keep) == 0 {
		return nil, fmt.Errorf("context: corpus %s: %w", name, ErrEmpty)
	}
	return &Corpus{name: name, articles: keep}, nil
}

// Articles returns the corpus' articles (shared; do not modify).
func (c *Corpus) Articles() []Article { return c.articles }

// Sections returns every section of the corpus, in order.
func (c *Corpus) Sections() []Context {
	var out []Context
	for _, a := range c.articles {
		out = append(out, a.Sections...)
	}
	return out
}

// Next implements Source.
func (c *Corpus) Next(ctx context.Context, rng *rand.Rand) (Context, error) {
	if err := ctx.Err(); err != nil {
		return Context{}, err
	}
	a := c.articles[rng.IntN(len(c.articles))]
	return a.Sections[rng.IntN(len(a.Sections))], nil
}

//go:embed corpus/*.md
var embedded embed.FS

// Embedded returns the built-in corpus: a few dozen own-written
// encyclopedic sections (history, science, geography) rich in dates and
// numbers, so localnet works offline.
func Embedded() *Corpus {
	c, err := LoadFS(embedded, "corpus", CorpusOptions{PathPrefix: "embedded:"})
	if err != nil {
		panic(err) // the embedded files are part of the build
	}
	return c
}

// LoadDir reads a corpus directory: *.md and *.markdown (headings split
// sections), *.txt (blank-line paragraphs; the title is the first line when
// it is followed by a blank line, else the file name) and *.jsonl (one
// object per line: title, section|subtopic, topic, content|text, url, tags).
// Other files are ignored; subdirectories are walked.
func LoadDir(dir string, opt CorpusOptions) (*Corpus, error) {
	// Check the directory here: errors from inside os.DirFS name "." instead.
	st, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("context: corpus: %w", err)
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("context: corpus: %s is not a directory", dir)
	}
	if opt.PathPrefix == "" {
		opt.PathPrefix = filepath.Clean(dir) + "/"
	}
	return LoadFS(os.DirFS(dir), ".", opt)
}

// LoadFS is LoadDir over an fs.FS rooted at root.
func LoadFS(fsys fs.FS, root string, opt CorpusOptions) (*Corpus, error) {
	opt.defaults()
	var files []string
	err := fs.WalkDir(fsys, root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			switch strings.ToLower(path.Ext(p)) {
			case ".md", ".markdown", ".txt", ".jsonl":
				files = append(files, p)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("context: corpus: %w", err)
	}
	sort.Strings(files)
	var arts []Article
	for _, p := range files {
		f, err := fsys.Open(p)
		if err != nil {
			return nil, fmt.Errorf("context: corpus: %w", err)
		}
		data, err := io.ReadAll(io.LimitReader(f, opt.MaxFileBytes+1))
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("context: corpus %s: %w", p, err)
		}
		if int64(len(data)) > opt.MaxFileBytes {
			continue
		}
		a, err := ParseCorpusFile(p, data, opt)
		if err != nil {
			return nil, err
		}
		cite(a, opt.PathPrefix+p, ContentRevision(data))
		arts = append(arts, a...)
	}
	return NewCorpus(root, arts)
}

// ParseCorpusFile parses one corpus file by extension. Invalid UTF-8 is
// replaced; malformed JSONL lines are errors naming the line.
func ParseCorpusFile(name string, data []byte, opt CorpusOptions) ([]Article, error) {
	opt.defaults()
	if !utf8.Valid(data) {
		data = bytes.ToValidUTF8(data, []byte("\uFFFD"))
	}
	text := strings.ReplaceAll(string(data), "\r\n", "\n")
	base := strings.TrimSuffix(path.Base(filepath.ToSlash(name)), path.Ext(name))
	title := strings.ReplaceAll(base, "_", " ")
	switch strings.ToLower(path.Ext(name)) {
	case ".md", ".markdown":
		return []Article{parseMarkdown(title, text, opt)}, nil
	case ".txt":
		lines := strings.SplitN(text, "\n", 3)
		if len(lines) >= 2 && strings.TrimSpace(lines[1]) == "" && len(strings.Fields(lines[0])) <= 12 && strings.TrimSpace(lines[0]) != "" {
			title = strings.TrimSpace(lines[0])
			if len(lines) == 3 {
				text = lines[2]
			} else {
				text = ""
			}
		}
		a := Article{Title: title}
		a.Sections = splitSection(Context{Title: title, Topic: title, Subtopic: title, Source: "corpus"}, text, opt)
		return []Article{a}, nil
	case ".jsonl":
		return parseJSONL(name, text, opt)
	}
	return nil, fmt.Errorf("context: %s: unsupported corpus file type", name)
}

// parseMarkdown: "# T" sets the title (first one only); "## S" starts a
// section (topic = subtopic = S); "### U" a subsection (topic = S,
// subtopic = U). Text before the first heading is the lead section.
func parseMarkdown(title, text string, opt CorpusOptions) Article {
	a := Article{Title: title}
	var buf strings.Builder
	section, topic := "", ""
	titleSet := false
	flush := func() {
		sub := section
		top := topic
		if sub == "" {
			sub, top = a.Title, a.Title
		}
		a.Sections = append(a.Sections, splitSection(Context{Title: a.Title, Topic: top, Subtopic: sub, Source: "corpus"}, buf.String(), opt)...)
		buf.Reset()
	}
	for _, line := range strings.Split(text, "\n") {
		trim := strings.TrimSpace(line)
		level := 0
		for level < len(trim) && trim[level] == '#' {
			level++
		}
		if level > 0 && level < len(trim) && trim[level] == ' ' {
			h := strings.TrimSpace(trim[level:])
			switch {
			case level == 1 && !titleSet:
				if buf.Len() > 0 {
					flush()
				}
				a.Title, titleSet = h, true
				continue
			case level <= 2:
				flush()
				section, topic = h, h
				continue
			default:
				flush()
				if topic == "" {
					topic = h
				}
				section = h
				continue
			}
		}
		if strings.HasPrefix(trim, "url:") && section == "" && a.URL == "" {
			a.URL = strings.TrimSpace(strings.TrimPrefix(trim, "url:"))
			continue
		}
		buf.WriteString(line)
		buf.WriteByte('\n')
	}
	flush()
	for i := range a.Sections {
		a.Sections[i].Title = a.Title
		a.Sections[i].URL = a.URL
	}
	return a
}

// skipHeaders are sections upstream never uses.
var skipHeaders = map[string]bool{"see also": true, "references": true, "further reading": true, "external links": true}

// splitSection cleans a section body into contexts: whitespace collapsed
// per paragraph, sections under MinWords dropped, sections over MaxWords
// split at paragraph breaks.
func splitSection(base Context, body string, opt CorpusOptions) []Context {
	if skipHeaders[strings.ToLower(strings.TrimSpace(base.Subtopic))] {
		return nil
	}
	var paras []string
	for _, p := range strings.Split(body, "\n\n") {
		p = strings.Join(strings.Fields(p), " ")
		if p != "" {
			paras = append(paras, p)
		}
	}
	var out []Context
	var cur []string
	words := 0
	emit := func() {
		if words >= opt.MinWords {
			c := base
			c.Content = strings.Join(cur, "\n\n")
			out = append(out, c)
		}
		cur, words = nil, 0
	}
	for _, p := range paras {
		n := len(strings.Fields(p))
		if words > 0 && words+n > opt.MaxWords {
			emit()
		}
		cur = append(cur, p)
		words += n
	}
	emit()
	return out
}

type jsonlRecord struct {
	Title    string   `json:"title"`
	Section  string   `json:"section"`
	Subtopic string   `json:"subtopic"`
	Topic    string   `json:"topic"`
	Content  string   `json:"content"`
	Text     string   `json:"text"`
	URL      string   `json:"url"`
	Tags     []string `json:"tags"`
}

// maxJSONLLine bounds one JSONL record.
const maxJSONLLine = 4 << 20

func parseJSONL(name, text string, opt CorpusOptions) ([]Article, error) {
	byTitle := map[string]int{}
	var arts []Article
	sc := bufio.NewScanner(strings.NewReader(text))
	sc.Buffer(make([]byte, 64<<10), maxJSONLLine)
	lineNo := 0
	for sc.Scan() {
		lineNo++
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		var r jsonlRecord
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			return nil, fmt.Errorf("context: %s:%d: %w", name, lineNo, err)
		}
		body := r.Content
		if body == "" {
			body = r.Text
		}
		if r.Title == "" {
			return nil, fmt.Errorf("context: %s:%d: record without title", name, lineNo)
		}
		sub := r.Section
		if sub == "" {
			sub = r.Subtopic
		}
		if sub == "" {
			sub = r.Title
		}
		top := r.Topic
		if top == "" {
			top = sub
		}
		i, ok := byTitle[r.Title]
		if !ok {
			i = len(arts)
			byTitle[r.Title] = i
			arts = append(arts, Article{Title: r.Title, URL: r.URL, Tags: r.Tags})
		}
		arts[i].Sections = append(arts[i].Sections, splitSection(Context{Title: r.Title, Topic: top, Subtopic: sub, Source: "corpus", URL: r.URL, Tags: r.Tags}, body, opt)...)
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, fmt.Errorf("context: %s:%d: line longer than %d bytes", name, lineNo+1, maxJSONLLine)
		}
		return nil, fmt.Errorf("context: %s: %w", name, err)
	}
	return arts, nil
}
