package context

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Wiki is a Source over the live Wikipedia APIs (online use): a random
// article title from the REST API (GET {base}/api/rest_v1/page/random/summary),
// then the article's plain text and categories from the action API
// (GET {base}/w/api.php?action=query&prop=extracts|categories&explaintext=1…),
// split at its "== Heading ==" lines with upstream's section rules. Pages
// are cached (LRU-ish, bounded). Safe for concurrent use.
type Wiki struct {
	// Base is the wiki root, e.g. https://en.wikipedia.org (no slash).
	Base string
	// Client is the HTTP client (default: 15 s timeout).
	Client *http.Client
	// UserAgent identifies the validator (Wikimedia policy asks for one).
	UserAgent string
	// MinWords drops shorter sections (default 50).
	MinWords int
	// CacheSize bounds cached articles (default 256).
	CacheSize int

	mu    sync.Mutex
	cache map[string]Article
	order []string
}

// NewWiki returns a client for a wiki root URL.
func NewWiki(base string) *Wiki {
	return &Wiki{Base: strings.TrimRight(base, "/"), Client: &http.Client{Timeout: 15 * time.Second},
		UserAgent: "taonet-prompting/1.0 (https://github.com/taonet/taonet)"}
}

// maxAPIBody bounds an API response.
const maxAPIBody = 8 << 20

// RandomSummary is the part of the REST page/random/summary response used.
type RandomSummary struct {
	Type        string `json:"type"` // "standard", "disambiguation", ...
	Title       string `json:"title"`
	Extract     string `json:"extract"`
	ContentURLs struct {
		Desktop struct {
			Page string `json:"page"`
		} `json:"desktop"`
	} `json:"content_urls"`
}

// ExtractResponse is the part of the action API query response used
// (formatversion=2).
type ExtractResponse struct {
	Query struct {
		Pages []struct {
			Title      string `json:"title"`
			Missing    bool   `json:"missing"`
			LastRevID  int64  `json:"lastrevid"`
			Extract    string `json:"extract"`
			Categories []struct {
				Title string `json:"title"`
			} `json:"categories"`
		} `json:"pages"`
	} `json:"query"`
}

func (w *Wiki) get(ctx context.Context, u string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	req.Header.Set("User-Agent", w.UserAgent)
	req.Header.Set("Accept", "application/json")
	c := w.Client
	if c == nil {
		c = http.DefaultClient
	}
	resp, err := c.Do(req)
	if err != nil {
		return fmt.Errorf("context: wiki: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxAPIBody+1))
	if err != nil {
		return fmt.Errorf("context: wiki: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("context: wiki: %s: HTTP %d", u, resp.StatusCode)
	}
	if len(body) > maxAPIBody {
		return fmt.Errorf("context: wiki: response larger than %d bytes", maxAPIBody)
	}
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("context: wiki: bad JSON from %s: %w", u, err)
	}
	return nil
}

// RandomTitle asks the REST API for a random article, skipping
// disambiguation pages (one request per call).
func (w *Wiki) RandomTitle(ctx context.Context) (string, error) {
	var s RandomSummary
	if err := w.get(ctx, w.Base+"/api/rest_v1/page/random/summary", &s); err != nil {
		return "", err
	}
	if s.Type == "disambiguation" || s.Title == "" {
		return "", fmt.Errorf("context: wiki: random page %q unusable (type %q)", s.Title, s.Type)
	}
	return s.Title, nil
}

// Article fetches (or returns the cached) article with its sections.
func (w *Wiki) Article(ctx context.Context, title string) (Article, error) {
	w.mu.Lock()
	if a, ok := w.cache[title]; ok {
		w.mu.Unlock()
		return a, nil
	}
	w.mu.Unlock()
	q := url.Values{}
	q.Set("action", "query")
	q.Set("prop", "extracts|categories|info")
	q.Set("explaintext", "1")
	q.Set("redirects", "1")
	q.Set("clshow", "!hidden")
	q.Set("cllimit", "max")
	q.Set("format", "json")
	q.Set("formatversion", "2")
	q.Set("titles", title)
	var r ExtractResponse
	if err := w.get(ctx, w.Base+"/w/api.php?"+q.Encode(), &r); err != nil {
		return Article{}, err
	}
	if len(r.Query.Pages) == 0 || r.Query.Pages[0].Missing {
		return Article{}, fmt.Errorf("context: wiki: page %q not found", title)
	}
	p := r.Query.Pages[0]
	var cats []string
	for _, c := range p.Categories {
		cats = append(cats, strings.TrimPrefix(c.Title, "Category:"))
	}
	minWords := w.MinWords
	if minWords <= 0 {
		minWords = 50
	}
	u := w.Base + "/wiki/" + url.PathEscape(strings.ReplaceAll(p.Title, " ", "_"))
	a := articleFromSections(p.Title, u, filterTags(cats), SplitPlainSections(p.Extract), "wikipedia", minWords)
	if p.LastRevID != 0 {
		cite([]Article{a}, "", "oldid="+strconv.FormatInt(p.LastRevID, 10))
	}
	w.put(title, a)
	return a, nil
}

func (w *Wiki) put(title string, a Article) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.cache == nil {
		w.cache = map[string]Article{}
	}
	size := w.CacheSize
	if size <= 0 {
		size = 256
	}
	if _, ok := w.cache[title]; !ok {
		w.order = append(w.order, title)
	}
	w.cache[title] = a
	for len(w.order) > size {
		delete(w.cache, w.order[0])
		w.order = w.order[1:]
	}
}

// Next implements Source: a random article, then a random usable section.
// Randomness of the article choice comes from the server; the section
// choice uses rng.
func (w *Wiki) Next(ctx context.Context, rng *rand.Rand) (Context, error) {
	title, err := w.RandomTitle(ctx)
	if err != nil {
		return Context{}, err
	}
	a, err := w.Article(ctx, title)
	if err != nil {
		return Context{}, err
	}
	if len(a.Sections) == 0 {
		return Context{}, fmt.Errorf("context: wiki: %q has no usable section", title)
	}
	return a.Sections[rng.IntN(len(a.Sections))], nil
}
