package context

import (
	"math"
	"regexp"
	"sort"
	"strings"
	"unicode"
)

var reSentenceBreak = regexp.MustCompile(`[.!?]\s+`)

// SplitSentences splits text after ".", "!" or "?" followed by whitespace,
// trimming each sentence (the splitter the tasks use, so a retrieved
// sentence is byte-identical to a task's sentence reference).
func SplitSentences(text string) []string {
	var out []string
	start := 0
	for _, loc := range reSentenceBreak.FindAllStringIndex(text, -1) {
		if s := strings.TrimSpace(text[start : loc[0]+1]); s != "" {
			out = append(out, s)
		}
		start = loc[1]
	}
	if s := strings.TrimSpace(text[start:]); s != "" {
		out = append(out, s)
	}
	return out
}

// searchTokens lower-cases text into letter/digit runs.
func searchTokens(text string) []string {
	return strings.FieldsFunc(strings.ToLower(text), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

// Hit is one search result.
type Hit struct {
	Section  Context
	Sentence string // the matching sentence (sentence search) or ""
	Score    float64
}

type doc struct {
	section  int
	sentence string
	tf       map[string]int
	length   int
}

// Index is an in-memory BM25 index (k1 = 1.2, b = 0.75) over sentences and
// sections of contexts: the retrieval tool of the offline tool-using miner
// (answer qa and date_qa challenges from the corpus). Immutable after
// NewIndex; safe for concurrent use.
type Index struct {
	sections []Context
	sents    bm25
	secs     bm25
}

type bm25 struct {
	docs  []doc
	df    map[string]int
	avgdl float64
}

func (b *bm25) add(d doc) {
	b.docs = append(b.docs, d)
}

func (b *bm25) finish() {
	b.df = map[string]int{}
	total := 0
	for _, d := range b.docs {
		total += d.length
		for t := range d.tf {
			b.df[t]++
		}
	}
	if len(b.docs) > 0 {
		b.avgdl = float64(total) / float64(len(b.docs))
	}
}

func newDoc(section int, sentence, text string) doc {
	d := doc{section: section, sentence: sentence, tf: map[string]int{}}
	for _, t := range searchTokens(text) {
		d.tf[t]++
		d.length++
	}
	return d
}

// NewIndex indexes every sentence and every section (title, section names
// and content) of the given contexts.
func NewIndex(sections []Context) *Index {
	ix := &Index{sections: sections}
	for i, s := range sections {
		head := s.Title + " " + s.Topic + " " + s.Subtopic
		ix.secs.add(newDoc(i, "", head+" "+head+" "+s.Content))
		for _, sent := range SplitSentences(s.Content) {
			ix.sents.add(newDoc(i, sent, s.Title+" "+sent))
		}
	}
	ix.sents.finish()
	ix.secs.finish()
	return ix
}

// Search returns the k sentences that best match query (BM25 over the
// sentence plus its article title), best first.
func (ix *Index) Search(query string, k int) []Hit {
	return ix.hits(&ix.sents, query, k)
}

// SearchSections returns the k best sections for query (BM25 over title,
// section names — counted twice — and content).
func (ix *Index) SearchSections(query string, k int) []Hit {
	return ix.hits(&ix.secs, query, k)
}

func (ix *Index) hits(b *bm25, query string, k int) []Hit {
	const k1, bb = 1.2, 0.75
	qt := map[string]bool{}
	for _, t := range searchTokens(query) {
		qt[t] = true
	}
	n := float64(len(b.docs))
	var res []Hit
	for _, d := range b.docs {
		s := 0.0
		for t := range qt {
			f := float64(d.tf[t])
			if f == 0 {
				continue
			}
			df := float64(b.df[t])
			idf := math.Log(1 + (n-df+0.5)/(df+0.5))
			s += idf * f * (k1 + 1) / (f + k1*(1-bb+bb*float64(d.length)/b.avgdl))
		}
		if s > 0 {
			res = append(res, Hit{Section: ix.sections[d.section], Sentence: d.sentence, Score: s})
		}
	}
	sort.SliceStable(res, func(a, c int) bool { return res[a].Score > res[c].Score })
	if k > 0 && len(res) > k {
		res = res[:k]
	}
	return res
}
