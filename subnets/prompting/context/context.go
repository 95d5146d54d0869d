package context

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand/v2"
)

// Context is one piece of challenge material (upstream tools/datasets/context.py).
type Context struct {
	Title    string            `json:"title"`              // article / file title
	Topic    string            `json:"topic"`              // parent header or section title
	Subtopic string            `json:"subtopic"`           // section title (date_qa: the year)
	Content  string            `json:"content"`            // the section text or snippet
	Source   string            `json:"source"`             // "corpus", "wikipedia", "code", ...
	URL      string            `json:"url,omitempty"`      // where it came from, if anywhere
	Path     string            `json:"path,omitempty"`     // the file it came from, if any
	Revision string            `json:"revision,omitempty"` // page revision id or content hash
	Tags     []string          `json:"tags,omitempty"`     // categories
	Extra    map[string]string `json:"extra,omitempty"`    // source-specific facts (language, date, ...)
}

// Citation says where a context's text comes from: enough to find the
// exact text again.
type Citation struct {
	Title    string `json:"title"`
	Section  string `json:"section,omitempty"`
	URL      string `json:"url,omitempty"`
	Path     string `json:"path,omitempty"`
	Revision string `json:"revision,omitempty"`
	Source   string `json:"source,omitempty"`
}

// Cite returns the context's citation.
func (c Context) Cite() Citation {
	sec := c.Subtopic
	if sec == c.Title {
		sec = ""
	}
	return Citation{Title: c.Title, Section: sec, URL: c.URL, Path: c.Path, Revision: c.Revision, Source: c.Source}
}

// String renders a citation on one line: title § section — URL or path
// (revision).
func (c Citation) String() string {
	s := c.Title
	if c.Section != "" {
		s += " § " + c.Section
	}
	where := c.URL
	if where == "" {
		where = c.Path
	}
	if where != "" {
		s += " — " + where
	}
	if c.Revision != "" {
		s += " (" + c.Revision + ")"
	}
	return s
}

// ContentRevision is the revision of file-backed text: a prefix of the
// SHA-256 of its bytes.
func ContentRevision(data []byte) string {
	h := sha256.Sum256(data)
	return "sha256:" + hex.EncodeToString(h[:8])
}

// Source yields contexts. Implementations draw all randomness from rng, so a
// seeded rng replays the same sequence over the same data; they must be safe
// for concurrent use with distinct rngs.
type Source interface {
	Next(ctx context.Context, rng *rand.Rand) (Context, error)
}

// ErrEmpty is returned by sources that hold no usable context.
var ErrEmpty = errors.New("context: source has no usable context")

// MaxTries is how often Retry calls a source before giving up (upstream
// Dataset.next max_tries).
const MaxTries = 10

// Retry calls s.Next up to MaxTries times until it returns a context, and
// returns the last error otherwise. It stops early when ctx is done.
func Retry(ctx context.Context, s Source, rng *rand.Rand) (Context, error) {
	var last error
	for i := 0; i < MaxTries; i++ {
		c, err := s.Next(ctx, rng)
		if err == nil {
			return c, nil
		}
		last = err
		if ctx.Err() != nil || errors.Is(err, ErrEmpty) {
			break
		}
	}
	return Context{}, fmt.Errorf("context: no context after retries: %w", last)
}

// NewRand returns a deterministic PCG generator for a seed.
func NewRand(seed uint64) *rand.Rand {
	return rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
}
