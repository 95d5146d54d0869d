package context

import (
	"compress/bzip2"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/url"
	"os"
	"strings"
)

// DumpOptions configure OpenDump / ReadDump.
type DumpOptions struct {
	// MaxPages bounds how many articles are kept (default 5000).
	MaxPages int
	// Seed, when non-zero, reservoir-samples MaxPages articles uniformly
	// from the whole dump instead of keeping the first ones.
	Seed uint64
	// MinWords drops shorter sections (default 50, as upstream).
	MinWords int
	// BaseURL prefixes article URLs (default https://en.wikipedia.org/wiki/).
	BaseURL string
	// Path is the dump file, cited by every section (OpenDump sets it).
	Path string
}

// maxPageText bounds one page's text; longer pages are truncated.
const maxPageText = 4 << 20

// OpenDump reads a MediaWiki XML export (.xml, or .xml.bz2 decompressed on
// the fly) into a Corpus; see ReadDump.
func OpenDump(path string, opt DumpOptions) (*Corpus, error) {
	if opt.Path == "" {
		opt.Path = path
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("context: dump: %w", err)
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(path, ".bz2") {
		r = bzip2.NewReader(f)
	}
	return ReadDump(r, opt)
}

type xmlPage struct {
	Title    string    `xml:"title"`
	NS       int       `xml:"ns"`
	Redirect *struct{} `xml:"redirect"`
	Text     string    `xml:"revision>text"`
	RevID    string    `xml:"revision>id"`
}

// ReadDump streams <page> elements from a MediaWiki XML export with
// encoding/xml (memory bounded by MaxPages, not by dump size): only
// namespace-0 pages that are neither redirects nor disambiguation pages are
// kept; their wikitext is cleaned (CleanWikitext) and split into sections
// with upstream's rules. It fails on malformed XML or when no article
// survives.
func ReadDump(r io.Reader, opt DumpOptions) (*Corpus, error) {
	if opt.MaxPages <= 0 {
		opt.MaxPages = 5000
	}
	if opt.MinWords <= 0 {
		opt.MinWords = 50
	}
	if opt.BaseURL == "" {
		opt.BaseURL = "https://en.wikipedia.org/wiki/"
	}
	var rng *rand.Rand
	if opt.Seed != 0 {
		rng = NewRand(opt.Seed)
	}
	dec := xml.NewDecoder(r)
	dec.Strict = true
	var arts []Article
	seen := 0
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("context: dump: %w", err)
		}
		se, ok := tok.(xml.StartElement)
		if !ok || se.Name.Local != "page" {
			continue
		}
		var p xmlPage
		if err := dec.DecodeElement(&p, &se); err != nil {
			return nil, fmt.Errorf("context: dump page: %w", err)
		}
		if p.NS != 0 || p.Redirect != nil || p.Title == "" || isDisambiguation(p.Title, p.Text) {
			continue
		}
		if rng == nil && len(arts) >= opt.MaxPages {
			break
		}
		seen++
		slot := len(arts)
		if len(arts) >= opt.MaxPages { // reservoir sampling (Algorithm R)
			j := rng.IntN(seen)
			if j >= opt.MaxPages {
				continue
			}
			slot = j
		}
		text := p.Text
		if len(text) > maxPageText {
			text = text[:maxPageText]
		}
		u := opt.BaseURL + url.PathEscape(strings.ReplaceAll(p.Title, " ", "_"))
		a := articleFromSections(p.Title, u, filterTags(Categories(text)), CleanWikitext(text), "wikipedia", opt.MinWords)
		rev := ""
		if p.RevID != "" {
			rev = "oldid=" + p.RevID
		}
		cite([]Article{a}, opt.Path, rev)
		if len(a.Sections) == 0 {
			seen--
			continue
		}
		if slot == len(arts) {
			arts = append(arts, a)
		} else {
			arts[slot] = a
		}
	}
	return NewCorpus("dump", arts)
}
