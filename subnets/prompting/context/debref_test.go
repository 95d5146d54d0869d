package context

import (
	"context"
	"errors"
	"math/rand/v2"
	"os"
	"strings"
	"testing"
)

const drSample = `Debian Reference

1. GNU/Linux tutorials
    1.1. Console basics

Chapter 1. GNU/Linux tutorials

    I think learning a computer system is like learning a new foreign
    language. Although tutorial books and documentation are helpful, you
    have to practice it yourself.

1.1. Console basics

1.1.1. The shell prompt

    Upon starting the system, you are presented with the character based
    login screen if you did not install any GUI environment like GNOME or
    KDE desktop system. Suppose your hostname is foo, the login prompt
    looks as follows. If you installed a GUI environment, then you can
    still get to the character based login prompt by Ctrl-Alt-F3, and you
    can return to the GUI environment via Ctrl-Alt-F2.

    foo login:

    $ sudo apt-get install package-name

    Table 1.1. List of interesting text-mode program packages

    package          popcon         size  description
    mc               V:50, I:209    1542  A text-mode full-screen file manager
`

func TestReadDebianReferenceSample(t *testing.T) {
	c, err := ReadDebianReference([]byte(drSample), CorpusOptions{MinWords: 20, PathPrefix: "sample.txt"})
	if err != nil {
		t.Fatal(err)
	}
	secs := c.Sections()
	if len(secs) != 1 {
		t.Fatalf("%d sections: %+v", len(secs), secs)
	}
	s := secs[0]
	if s.Title != "Debian Reference: GNU/Linux tutorials" || s.Subtopic != "1.1.1 The shell prompt" || s.Topic != "Console basics" ||
		s.URL != "https://www.debian.org/doc/manuals/debian-reference/ch01.en.html" || s.Path != "sample.txt" || !strings.HasPrefix(s.Revision, "sha256:") {
		t.Fatalf("citation fields: %+v", s)
	}
	if strings.Contains(s.Content, "sudo") || strings.Contains(s.Content, "popcon") || strings.Contains(s.Content, "foo login:") ||
		!strings.HasPrefix(s.Content, "Upon starting the system") {
		t.Fatalf("content: %q", s.Content)
	}
	if got := s.Cite().String(); got != "Debian Reference: GNU/Linux tutorials § 1.1.1 The shell prompt — https://www.debian.org/doc/manuals/debian-reference/ch01.en.html ("+s.Revision+")" {
		t.Fatalf("citation %q", got)
	}
	if _, err := ReadDebianReference([]byte("no chapters here"), CorpusOptions{}); !errors.Is(err, ErrEmpty) {
		t.Fatalf("empty: %v", err)
	}
}

// The installed package (scripts/setup.sh installs it; required under
// CI=true) yields hundreds of cited sections.
func TestDebianReferenceInstalled(t *testing.T) {
	c, err := OpenDebianReference(DebianReferencePath, CorpusOptions{})
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("debian-reference-en required under CI=true: %v", err)
		}
		t.Skip(err)
	}
	secs := c.Sections()
	words := 0
	for _, s := range secs {
		words += len(strings.Fields(s.Content))
		if s.URL == "" || s.Path != DebianReferencePath || s.Revision == "" || s.Subtopic == "" {
			t.Fatalf("uncited section %+v", s)
		}
	}
	t.Logf("debian reference: %d articles, %d sections, %d words", len(c.Articles()), len(secs), words)
	if len(c.Articles()) < 12 || len(secs) < 150 || words < 30000 {
		t.Fatalf("only %d articles, %d sections, %d words", len(c.Articles()), len(secs), words)
	}
}

func TestEmbeddedAndDirCitations(t *testing.T) {
	for _, s := range Embedded().Sections() {
		if !strings.HasPrefix(s.Path, "embedded:corpus/") || !strings.HasPrefix(s.Revision, "sha256:") {
			t.Fatalf("embedded: %+v", s.Cite())
		}
	}
	dir := t.TempDir()
	os.WriteFile(dir+"/a.md", []byte("# Alpha\n\n## One\n\n"+strings.Repeat("word ", 30)+"\n"), 0o644)
	c, err := LoadDir(dir, CorpusOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if s := c.Sections()[0]; s.Path != dir+"/a.md" || s.Cite().Section != "One" {
		t.Fatalf("dir: %+v", s.Cite())
	}
}

type failing struct{ err error }

func (f failing) Next(context.Context, *rand.Rand) (Context, error) { return Context{}, f.err }

func TestFallback(t *testing.T) {
	var msgs []string
	wiki := NewWiki("http://127.0.0.1:1") // nothing listens: connection refused
	f := &Fallback{Sources: []Named{{"wiki-api", wiki}, {"embedded", Embedded()}}, Warn: func(m string) { msgs = append(msgs, m) }}
	for i := 0; i < 3; i++ {
		c, err := f.Next(context.Background(), NewRand(uint64(i)))
		if err != nil || c.Source == "wikipedia" {
			t.Fatalf("%+v %v", c, err)
		}
	}
	if len(msgs) != 1 || !strings.Contains(msgs[0], "wiki-api: context: wiki") || !strings.Contains(msgs[0], "using embedded") {
		t.Fatalf("messages %q", msgs)
	}
	all := &Fallback{Sources: []Named{{"a", failing{ErrEmpty}}, {"b", failing{errors.New("boom")}}}}
	if _, err := all.Next(context.Background(), NewRand(1)); err == nil || !strings.Contains(err.Error(), "b: boom") {
		t.Fatalf("all failing: %v", err)
	}
}

func FuzzReadDebianReference(f *testing.F) {
	f.Add([]byte(drSample))
	f.Add([]byte("Chapter 1. X\n1.1. Y\n\xff\xfe   a  \n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := ReadDebianReference(data, CorpusOptions{MinWords: 5})
		if err != nil {
			if !errors.Is(err, ErrEmpty) {
				t.Fatal(err)
			}
			return
		}
		for _, s := range c.Sections() {
			if s.Content == "" || s.Title == "" {
				t.Fatalf("%+v", s)
			}
		}
	})
}

// A malformed dump and a missing package are skipped with a message; the
// chain falls back to the next source.
func TestOpenChainSkipsBroken(t *testing.T) {
	dir := t.TempDir()
	bad := dir + "/bad.xml"
	os.WriteFile(bad, []byte("<mediawiki><page><title>X</title"), 0o644)
	var msgs []string
	fb, first, err := OpenChain([]string{"dump", "embedded"}, bad, "", func(m string) { msgs = append(msgs, m) })
	if err != nil || first == nil || len(fb.Sources) != 1 || fb.Sources[0].Name != "embedded" {
		t.Fatalf("%v %v", fb, err)
	}
	if len(msgs) != 1 || !strings.Contains(msgs[0], "context source dump unavailable: context: dump") || !strings.Contains(msgs[0], "trying the next one") {
		t.Fatalf("messages %q", msgs)
	}
	if _, _, err := OpenChain([]string{"debian-reference"}, dir+"/missing.txt.gz", "", nil); err == nil || !strings.Contains(err.Error(), "debian-reference-en") {
		t.Fatalf("missing package: %v", err)
	}
	if _, _, err := OpenChain([]string{"embedded", "mars"}, "", "", nil); err == nil || !strings.Contains(err.Error(), `context "mars": want`) {
		t.Fatalf("unknown kind: %v", err)
	}
	if _, _, err := OpenChain([]string{"dir"}, "", "", nil); err == nil || !strings.Contains(err.Error(), "needs --context.path") {
		t.Fatalf("dir without path: %v", err)
	}
}
