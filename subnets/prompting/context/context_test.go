package context

import (
	"bytes"
	stdctx "context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

var bg = stdctx.Background()

func TestEmbeddedCorpus(t *testing.T) {
	c := Embedded()
	secs := c.Sections()
	if len(c.Articles()) < 10 || len(secs) < 30 {
		t.Fatalf("embedded corpus: %d articles, %d sections", len(c.Articles()), len(secs))
	}
	for _, s := range secs {
		if s.Title == "" || s.Subtopic == "" || len(strings.Fields(s.Content)) < 20 || s.Source != "corpus" {
			t.Errorf("bad section %+v", s)
		}
	}
	// deterministic given the seed
	a, _ := c.Next(bg, NewRand(7))
	b, _ := c.Next(bg, NewRand(7))
	if a.Content != b.Content {
		t.Error("same seed, different context")
	}
}

func TestMarkdown(t *testing.T) {
	md := "# Real Title\nurl: https://example.org/x\n\nLead words here one two three four five.\n\n## History\n\nOne two three four five six.\n\n### Early\n\nSeven eight nine ten eleven twelve.\n\n## See also\n\nLots of words that are skipped anyway here.\n"
	arts, err := ParseCorpusFile("x.md", []byte(md), CorpusOptions{MinWords: 3})
	if err != nil {
		t.Fatal(err)
	}
	a := arts[0]
	if a.Title != "Real Title" || a.URL != "https://example.org/x" || len(a.Sections) != 3 {
		t.Fatalf("%+v", a)
	}
	if s := a.Sections[2]; s.Topic != "History" || s.Subtopic != "Early" || s.Content != "Seven eight nine ten eleven twelve." {
		t.Errorf("subsection %+v", s)
	}
	if s := a.Sections[0]; s.Subtopic != "Real Title" {
		t.Errorf("lead %+v", s)
	}
}

func TestTxtAndJSONL(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("Volcanoes\n\nA volcano is a rupture in the crust of a planet.\n\nMagma rises from the mantle below it.\n"), 0o644)
	os.MkdirAll(filepath.Join(dir, "sub"), 0o755)
	os.WriteFile(filepath.Join(dir, "sub", "d.jsonl"), []byte(`{"title":"Moon","section":"Orbit","content":"The Moon orbits the Earth every 27.3 days."}`+"\n\n"+`{"title":"Moon","text":"It formed about 4.5 billion years ago.","tags":["astronomy"]}`+"\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "ignored.bin"), []byte{0, 1, 2}, 0o644)
	c, err := LoadDir(dir, CorpusOptions{MinWords: 3})
	if err != nil {
		t.Fatal(err)
	}
	titles := map[string]int{}
	for _, a := range c.Articles() {
		titles[a.Title] = len(a.Sections)
	}
	if titles["Volcanoes"] != 1 || titles["Moon"] != 2 {
		t.Fatalf("%v", titles)
	}
	if _, err := ParseCorpusFile("bad.jsonl", []byte("{\"title\":\"x\"}\n{oops\n"), CorpusOptions{}); err == nil || !strings.Contains(err.Error(), ":2:") {
		t.Errorf("bad line error: %v", err)
	}
	if _, err := LoadDir(t.TempDir(), CorpusOptions{}); err == nil {
		t.Error("empty dir accepted")
	}
	// A missing directory or a file is named in the error (not os.DirFS's ".").
	missing := filepath.Join(t.TempDir(), "nope")
	if _, err := LoadDir(missing, CorpusOptions{}); err == nil || !strings.Contains(err.Error(), missing) {
		t.Errorf("missing dir: %v", err)
	}
	file := filepath.Join(dir, "notes.txt")
	if _, err := LoadDir(file, CorpusOptions{}); err == nil || !strings.Contains(err.Error(), file+" is not a directory") {
		t.Errorf("file as dir: %v", err)
	}
}

func TestCleanWikitext(t *testing.T) {
	w := "{{Infobox|a={{b}}}}'''Bold''' [[Target|label]] and [[Plain]] with [https://x.org site] text&nbsp;here.<ref>cite</ref> {| class=x\n| cell\n|} [[File:a.jpg|thumb|cap [[l]]]] [[Category:C]]\n== H ==\n* item one\n=== Sub ===\nmore"
	secs := CleanWikitext(w)
	if len(secs) != 3 {
		t.Fatalf("%#v", secs)
	}
	if secs[0].Text != "Bold label and Plain with site text here." {
		t.Errorf("lead %q", secs[0].Text)
	}
	if secs[1].Title != "H" || secs[1].Text != "item one" || secs[2].Parent != "H" || secs[2].Title != "Sub" {
		t.Errorf("%#v", secs[1:])
	}
	if got := Categories(w); len(got) != 1 || got[0] != "C" {
		t.Errorf("categories %v", got)
	}
}

func TestDump(t *testing.T) {
	for _, name := range []string{"testdata/dump.xml", "testdata/dump.xml.bz2"} {
		c, err := OpenDump(name, DumpOptions{})
		if err != nil {
			t.Fatal(name, err)
		}
		arts := c.Articles()
		if len(arts) != 1 || arts[0].Title != "Lighthouse of Alexandria" {
			t.Fatalf("%s: %+v", name, arts)
		}
		a := arts[0]
		if len(a.Tags) != 1 || a.Tags[0] != "Lighthouses" {
			t.Errorf("tags %v", a.Tags)
		}
		if a.URL != "https://en.wikipedia.org/wiki/Lighthouse_of_Alexandria" {
			t.Errorf("url %s", a.URL)
		}
		var subs []string
		for _, s := range a.Sections {
			subs = append(subs, s.Topic+"/"+s.Subtopic)
			if strings.ContainsAny(s.Content, "{}[]<>|") || strings.Contains(s.Content, "'''") {
				t.Errorf("markup left in %q", s.Content)
			}
		}
		want := "Lighthouse of Alexandria/Lighthouse of Alexandria,History/History,History/Excavation"
		if strings.Join(subs, ",") != want {
			t.Errorf("sections %v", subs)
		}
		if !strings.Contains(a.Sections[0].Content, "built by the Ptolemaic Kingdom during the reign of Ptolemy II Philadelphus (280–247 BC). It was one of the seven wonders") {
			t.Errorf("lead %q", a.Sections[0].Content)
		}
	}
	// reservoir sampling keeps MaxPages
	data, _ := os.ReadFile("testdata/dump.xml")
	if _, err := ReadDump(bytes.NewReader(data), DumpOptions{Seed: 3, MaxPages: 1}); err != nil {
		t.Error(err)
	}
	if _, err := ReadDump(strings.NewReader("<mediawiki><page><title>x</title>"), DumpOptions{}); err == nil {
		t.Error("truncated XML accepted")
	}
}

// wikiServer serves the REST random-summary and action-API extract shapes.
func wikiServer(t *testing.T) *httptest.Server {
	mux := http.NewServeMux()
	mux.HandleFunc("/api/rest_v1/page/random/summary", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("User-Agent") == "" {
			http.Error(w, "no UA", 403)
			return
		}
		json.NewEncoder(w).Encode(map[string]any{"type": "standard", "title": "Ada Lovelace", "extract": "x",
			"content_urls": map[string]any{"desktop": map[string]any{"page": "https://en.wikipedia.org/wiki/Ada_Lovelace"}}})
	})
	mux.HandleFunc("/w/api.php", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if q.Get("titles") != "Ada Lovelace" || q.Get("explaintext") != "1" || q.Get("formatversion") != "2" {
			json.NewEncoder(w).Encode(map[string]any{"query": map[string]any{"pages": []any{map[string]any{"title": q.Get("titles"), "missing": true}}}})
			return
		}
		long := strings.Repeat("word ", 60)
		extract := "Augusta Ada King, Countess of Lovelace (10 December 1815 – 27 November 1852) was an English mathematician. " + long +
			"\n\n== Early life ==\nShe was born in London in 1815. " + long + "\n\n== See also ==\n" + long + "\n\n== Short ==\ntoo short"
		json.NewEncoder(w).Encode(map[string]any{"batchcomplete": true, "query": map[string]any{"pages": []any{map[string]any{
			"pageid": 974, "ns": 0, "title": "Ada Lovelace", "extract": extract,
			"categories": []any{map[string]any{"ns": 14, "title": "Category:English mathematicians"}, map[string]any{"ns": 14, "title": "Category:CS1 errors"}}}}}})
	})
	mux.HandleFunc("/broken/api/rest_v1/page/random/summary", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("{not json")) })
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func TestWikiREST(t *testing.T) {
	srv := wikiServer(t)
	w := NewWiki(srv.URL)
	c, err := w.Next(bg, NewRand(1))
	if err != nil {
		t.Fatal(err)
	}
	if c.Title != "Ada Lovelace" || c.Source != "wikipedia" || len(c.Tags) != 1 || c.Tags[0] != "English mathematicians" {
		t.Fatalf("%+v", c)
	}
	a, err := w.Article(bg, "Ada Lovelace")
	if err != nil || len(a.Sections) != 2 || a.Sections[1].Subtopic != "Early life" {
		t.Fatalf("%+v %v", a, err)
	}
	if _, err := w.Article(bg, "Nope"); err == nil {
		t.Error("missing page accepted")
	}
	if _, err := NewWiki(srv.URL+"/broken").Next(bg, NewRand(1)); err == nil {
		t.Error("bad JSON accepted")
	}
	if _, err := NewWiki(srv.URL+"/absent").Next(bg, NewRand(1)); err == nil {
		t.Error("404 accepted")
	}
}

func TestCodeSource(t *testing.T) {
	root := filepath.Join(runtime.GOROOT(), "src", "strings")
	c, err := NewCode(root)
	if err != nil {
		t.Skip("no GOROOT source:", err)
	}
	rng := NewRand(5)
	for i := 0; i < 20; i++ {
		s, err := c.Next(bg, rng)
		if err != nil {
			continue // a file without a function of the right size
		}
		n := strings.Count(s.Content, "\n") + 1
		if n < 5 || n > 60 || !strings.Contains(s.Content, "func ") || s.Extra["language"] != "Go" {
			t.Fatalf("bad snippet %d lines: %+v", n, s)
		}
		return
	}
	t.Fatal("no snippet in 20 tries")
}

func TestSnippetsPlain(t *testing.T) {
	src := "a\nb\nc\nd\ne\n\nx\ny\n\n1\n2\n3\n4\n5\n6"
	got := Snippets("Python", []byte(src), 5, 10)
	if len(got) != 2 || got[0].Code != "a\nb\nc\nd\ne" {
		t.Errorf("%+v", got)
	}
}

func TestWikiEvents(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/api/rest_v1/feed/onthisday/events/", func(w http.ResponseWriter, r *http.Request) {
		parts := strings.Split(r.URL.Path, "/")
		mm, dd := parts[len(parts)-2], parts[len(parts)-1]
		if len(mm) != 2 || len(dd) != 2 {
			http.Error(w, "bad day", 400)
			return
		}
		json.NewEncoder(w).Encode(map[string]any{"events": []any{
			map[string]any{"text": "Too short", "year": 1900},
			map[string]any{"text": "Something happened on day " + mm + "/" + dd + " in the test feed.", "year": 1999,
				"pages": []any{map[string]any{"title": "X_Y", "titles": map[string]any{"normalized": "X Y"}}}},
		}})
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	e := &WikiEvents{Wiki: NewWiki(srv.URL)}
	c, err := e.Next(bg, NewRand(9))
	if err != nil {
		t.Fatal(err)
	}
	d := c.Extra["date"]
	if c.Subtopic != "1999" || !strings.HasSuffix(d, ", 1999") || !strings.HasPrefix(d, c.Title+",") || c.Extra["event"] != c.Content || len(c.Tags) != 1 {
		t.Fatalf("%+v", c)
	}
	if got := EventDate(1, 5, 1999); got != "January 05, 1999" {
		t.Errorf("%s", got)
	}
}
