package context

import (
	"bytes"
	"encoding/json"
	"os"
	"testing"
)

func FuzzParseCorpusFile(f *testing.F) {
	f.Add("a.md", []byte("# T\n## S\nsome words here\n"))
	f.Add("a.txt", []byte("Title\n\npara one\n\npara two"))
	f.Add("a.jsonl", []byte(`{"title":"x","content":"y"}`+"\n"))
	f.Add("a.jsonl", []byte("{\xff"))
	f.Fuzz(func(t *testing.T, name string, data []byte) {
		arts, err := ParseCorpusFile(name, data, CorpusOptions{MinWords: 1})
		if err != nil {
			return
		}
		for _, a := range arts {
			for _, s := range a.Sections {
				if s.Content == "" {
					t.Fatal("empty section")
				}
			}
		}
	})
}

func FuzzReadDump(f *testing.F) {
	seed, _ := os.ReadFile("testdata/dump.xml")
	f.Add(seed)
	f.Add([]byte("<mediawiki><page><title>a</title><ns>0</ns><revision><text>{{{{[[[[</text></revision></page></mediawiki>"))
	f.Add([]byte("<page>"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := ReadDump(bytes.NewReader(data), DumpOptions{MinWords: 1})
		if err == nil && len(c.Articles()) == 0 {
			t.Fatal("empty corpus without error")
		}
	})
}

func FuzzCleanWikitext(f *testing.F) {
	f.Add("{{a|{{b}}}} [[x|y]] [[File:z|[[q]]]] <ref>r</ref> == h ==\n=== i ===\n{| t |}")
	f.Add("[[[[[[")
	f.Add("{{{{}}")
	f.Fuzz(func(t *testing.T, s string) {
		for _, sec := range CleanWikitext(s) {
			if sec.Text == "" {
				t.Fatal("empty section")
			}
		}
	})
}

func FuzzWikiExtract(f *testing.F) {
	f.Add([]byte(`{"query":{"pages":[{"title":"A","extract":"x\n== H ==\ny","categories":[{"title":"Category:B"}]}]}}`))
	f.Add([]byte(`{"query":{"pages":[]}}`))
	f.Add([]byte(`[`))
	f.Fuzz(func(t *testing.T, body []byte) {
		var r ExtractResponse
		if json.Unmarshal(body, &r) != nil {
			return
		}
		for _, p := range r.Query.Pages {
			a := articleFromSections(p.Title, "", nil, SplitPlainSections(p.Extract), "wikipedia", 1)
			for _, s := range a.Sections {
				if s.Content == "" {
					t.Fatal("empty section")
				}
			}
		}
	})
}
