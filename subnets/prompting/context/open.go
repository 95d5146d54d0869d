package context

import (
	"errors"
	"fmt"
	"strings"
)

// Kinds of article sources OpenChain knows.
const (
	KindEmbedded        = "embedded"         // the built-in corpus
	KindDir             = "dir"              // a corpus directory (path)
	KindDump            = "dump"             // a Wikipedia XML(.bz2) dump (path)
	KindWikiAPI         = "wiki-api"         // the Wikipedia REST/action API (url)
	KindDebianReference = "debian-reference" // the Debian Reference (Debian package; path overrides)
)

// DefaultWikiURL is the API root of KindWikiAPI without --context.url.
const DefaultWikiURL = "https://en.wikipedia.org"

// OpenSource opens one source kind. path and url are the kind's file or
// endpoint where it needs one.
func OpenSource(kind, path, url string) (Source, error) {
	switch kind {
	case KindEmbedded:
		return Embedded(), nil
	case KindDir:
		if path == "" {
			return nil, errors.New("context dir needs --context.path")
		}
		return LoadDir(path, CorpusOptions{})
	case KindDump:
		if path == "" {
			return nil, errors.New("context dump needs --context.path")
		}
		return OpenDump(path, DumpOptions{})
	case KindDebianReference:
		if path == "" {
			path = DebianReferencePath
		}
		return OpenDebianReference(path, CorpusOptions{})
	case KindWikiAPI:
		if url == "" {
			url = DefaultWikiURL
		}
		return NewWiki(url), nil
	}
	return nil, fmt.Errorf("context %q: want %s, %s, %s, %s or %s", kind, KindEmbedded, KindDir, KindDump, KindWikiAPI, KindDebianReference)
}

// OpenChain opens the kinds in order, skipping (with a warning) those that
// cannot be opened, e.g. a malformed dump or a package that is not
// installed, and returns them as a Fallback (at run time a failing source,
// e.g. an unreachable API, hands over to the next) together with the first
// in-memory corpus among them (nil if none: a tool miner indexes it). An
// unknown kind is an error; so is a chain where nothing opened.
func OpenChain(kinds []string, path, url string, warn func(string)) (*Fallback, *Corpus, error) {
	if warn == nil {
		warn = func(string) {}
	}
	fb := &Fallback{Warn: warn}
	var first *Corpus
	var errs []error
	for _, k := range kinds {
		k = strings.TrimSpace(k)
		switch k {
		case KindEmbedded, KindDir, KindDump, KindWikiAPI, KindDebianReference:
		default:
			_, err := OpenSource(k, path, url)
			return nil, nil, err
		}
		s, err := OpenSource(k, path, url)
		if err != nil {
			warn(fmt.Sprintf("context source %s unavailable: %v; trying the next one", k, err))
			errs = append(errs, err)
			continue
		}
		if c, ok := s.(*Corpus); ok && first == nil {
			first = c
		}
		fb.Sources = append(fb.Sources, Named{Name: k, Source: s})
	}
	if len(fb.Sources) == 0 {
		return nil, nil, fmt.Errorf("context: no source of %s could be opened: %w", strings.Join(kinds, ","), errors.Join(errs...))
	}
	return fb, first, nil
}
