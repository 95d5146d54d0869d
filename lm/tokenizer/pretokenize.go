package tokenizer

import (
	"strings"
	"time"
	"unicode"

	"github.com/dlclark/regexp2/v2"
)

// splitter splits one piece of text into pieces (calling emit for each).
type splitter func(s string, emit func(string))

// regexTimeout bounds a pathological Split pattern from a tokenizer.json; on
// timeout the rest of the piece is kept whole.
const regexTimeout = 5 * time.Second

// splitBehavior is HF's SplitDelimiterBehavior.
type splitBehavior int

const (
	behIsolated splitBehavior = iota
	behRemoved
	behMergedWithPrevious
	behMergedWithNext
	behContiguous
)

// matchSplitter builds a splitter from a function returning match byte ranges.
func matchSplitter(find func(s string) [][]int, beh splitBehavior, invert bool) splitter {
	return func(s string, emit func(string)) {
		ms := find(s)
		// Pieces alternate between gaps (not matched) and matches.
		type piece struct {
			a, b  int
			match bool
		}
		var ps []piece
		pos := 0
		for _, m := range ms {
			if m[0] > pos {
				ps = append(ps, piece{pos, m[0], false})
			}
			if m[1] > m[0] {
				ps = append(ps, piece{m[0], m[1], true})
			}
			pos = m[1]
		}
		if pos < len(s) {
			ps = append(ps, piece{pos, len(s), false})
		}
		if invert {
			for i := range ps {
				ps[i].match = !ps[i].match
			}
		}
		switch beh {
		case behIsolated:
			for _, p := range ps {
				emit(s[p.a:p.b])
			}
		case behRemoved:
			for _, p := range ps {
				if !p.match {
					emit(s[p.a:p.b])
				}
			}
		case behMergedWithPrevious:
			start := -1
			for _, p := range ps {
				if start < 0 {
					start = p.a
				}
				if p.match {
					emit(s[start:p.b])
					start = -1
				}
			}
			if start >= 0 {
				emit(s[start:])
			}
		case behMergedWithNext:
			start := 0
			for i, p := range ps {
				if p.match && p.a > start && i > 0 {
					emit(s[start:p.a])
					start = p.a
				}
			}
			if start < len(s) {
				emit(s[start:])
			}
		case behContiguous:
			start := 0
			for i := 1; i < len(ps); i++ {
				if ps[i].match != ps[i-1].match {
					emit(s[start:ps[i].a])
					start = ps[i].a
				}
			}
			if start < len(s) {
				emit(s[start:])
			}
		}
	}
}

func regexFinder(re *regexp2.Regexp) func(string) [][]int {
	return func(s string) [][]int {
		ms, err := re.FindAllStringIndex(s, -1)
		if err != nil { // timeout: treat the whole piece as unmatched
			return nil
		}
		return ms
	}
}

func stringFinder(lit string) func(string) [][]int {
	return func(s string) [][]int {
		if lit == "" {
			return nil
		}
		var out [][]int
		for pos := 0; ; {
			i := strings.Index(s[pos:], lit)
			if i < 0 {
				return out
			}
			out = append(out, []int{pos + i, pos + i + len(lit)})
			pos += i + len(lit)
		}
	}
}

// runFinder finds maximal runs of runes satisfying pred (or each rune alone).
func runFinder(pred func(rune) bool, each bool) func(string) [][]int {
	return func(s string) [][]int {
		var out [][]int
		start := -1
		for i, r := range s {
			in := pred(r)
			if in && each {
				out = append(out, []int{i, i + len(string(r))})
				continue
			}
			if in && start < 0 {
				start = i
			} else if !in && start >= 0 {
				out = append(out, []int{start, i})
				start = -1
			}
		}
		if start >= 0 {
			out = append(out, []int{start, len(s)})
		}
		return out
	}
}

func isBertPunct(r rune) bool {
	return r >= 33 && r <= 47 || r >= 58 && r <= 64 || r >= 91 && r <= 96 || r >= 123 && r <= 126 || unicode.IsPunct(r)
}

// whitespaceSplit splits on Unicode whitespace, dropping it.
func whitespaceSplit(s string, emit func(string)) {
	for _, f := range strings.FieldsFunc(s, unicode.IsSpace) {
		emit(f)
	}
}

// bertPreTokenize splits on whitespace and isolates each punctuation char.
func bertPreTokenize(s string, emit func(string)) {
	whitespaceSplit(s, func(w string) {
		start := 0
		for i, r := range w {
			if isBertPunct(r) {
				if i > start {
					emit(w[start:i])
				}
				n := len(string(r))
				emit(w[i : i+n])
				start = i + n
			}
		}
		if start < len(w) {
			emit(w[start:])
		}
	})
}

// whitespacePreTokenize is HF's Whitespace pre-tokenizer: \w+|[^\w\s]+.
func whitespacePreTokenize(s string, emit func(string)) {
	isWord := func(r rune) bool {
		return r == '_' || unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.Is(unicode.M, r)
	}
	i := 0
	for i < len(s) {
		r, w := decodeAt(s, i)
		if unicode.IsSpace(r) {
			i += w
			continue
		}
		word := isWord(r)
		j := i + w
		for j < len(s) {
			r2, w2 := decodeAt(s, j)
			if unicode.IsSpace(r2) || isWord(r2) != word {
				break
			}
			j += w2
		}
		emit(s[i:j])
		i = j
	}
}

// prefixSpace is ByteLevel's add_prefix_space.
func prefixSpace(s string, emit func(string)) {
	if !strings.HasPrefix(s, " ") {
		s = " " + s
	}
	emit(s)
}

// chain applies splitters in order to every piece.
func chain(steps []splitter, s string, emit func(string)) {
	if len(steps) == 0 {
		if s != "" {
			emit(s)
		}
		return
	}
	steps[0](s, func(p string) {
		if p != "" {
			chain(steps[1:], p, emit)
		}
	})
}

// compileRegex compiles a tokenizer.json Split pattern (Oniguruma/PCRE-like
// syntax, as HF uses) with regexp2, which supports lookaround.
func compileRegex(p string) (*regexp2.Regexp, error) {
	re, err := regexp2.Compile(p, regexp2.None)
	if err != nil {
		return nil, err
	}
	re.MatchTimeout = regexTimeout
	return re, nil
}
