package tasks

import (
	"regexp"
	"strings"

	pctx "github.com/taonet/taonet/subnets/prompting/context"
	"github.com/taonet/taonet/subnets/prompting/rewards"
)

// ToolSolver answers challenges without an LLM, using only the challenge
// text and public tools: the math "calculator" (SolveMath) and BM25
// retrieval over a corpus (context.Index). It is the brain of the offline
// tool-using miner; it never sees a reference.
type ToolSolver struct {
	Index *pctx.Index
	// Translator, if set, answers translation requests (Translate).
	Translator Translator
}

// NewToolSolver indexes a corpus for retrieval.
func NewToolSolver(c *pctx.Corpus) *ToolSolver {
	return &ToolSolver{Index: pctx.NewIndex(c.Sections())}
}

var (
	reAsksDate    = regexp.MustCompile(`(?i)\b(date|when|what year|which year|in what year)\b`)
	reAsksSummary = regexp.MustCompile(`(?i)\bsumm?ar`)
	reCodeFence   = regexp.MustCompile("(?s)```[a-zA-Z]*\n(.*?)\n?```")
)

// Answer returns the solver's best answer (never empty).
func (s *ToolSolver) Answer(challenge string) string {
	if ans, _, ok := SolveMath(challenge); ok {
		return "The answer is " + ans + "."
	}
	if m := reCodeFence.FindStringSubmatch(challenge); m != nil {
		return m[1] // no code model offline: return the code as received
	}
	if s.Index == nil {
		return "I don't know."
	}
	if reAsksSummary.MatchString(challenge) {
		if hits := s.Index.SearchSections(challenge, 1); len(hits) > 0 {
			return Lead(hits[0].Section.Content, 60)
		}
	}
	hits := s.Index.Search(challenge, 1)
	if len(hits) == 0 {
		return "I don't know."
	}
	sent := hits[0].Sentence
	if strings.Contains(challenge, "____") {
		if ans, ok := FillBlank(challenge, sent); ok {
			return ans
		}
	}
	if reAsksDate.MatchString(challenge) {
		if d, ok := rewards.FindDate(sent); ok {
			return d.Text
		}
	}
	return sent
}

// FirstWords returns the first n words of s (helper for echo-style
// baselines in tests and benchmarks).
func FirstWords(s string, n int) string {
	f := strings.Fields(s)
	if len(f) > n {
		f = f[:n]
	}
	return strings.Join(f, " ")
}

var reBlankNext = regexp.MustCompile(`^____\s*(\S*)`)

// FillBlank finds, in sentence, the span that the "____" of a cloze
// question stands for: the text between the words around the blank (matched
// case-insensitively, ignoring punctuation). The words before the blank are
// matched as a phrase of up to four words, longest first, so that a common
// neighbour such as "in" is not matched at its first, unrelated occurrence.
// When the neighbours are missing or mistyped, the fact kind asked for ("In
// what year", "What number") is taken from the sentence instead.
func FillBlank(question, sentence string) (string, bool) {
	blank := strings.Index(question, "____")
	if blank < 0 {
		return "", false
	}
	trim := func(w string) string { return strings.ToLower(strings.Trim(w, ".,;:!?\"'()")) }
	var before []string
	for _, w := range strings.Fields(question[:blank]) {
		if w = trim(w); w != "" {
			before = append(before, w)
		}
	}
	next := ""
	if m := reBlankNext.FindStringSubmatch(question[blank:]); m != nil {
		next = trim(m[1])
	}
	low := strings.ToLower(sentence)
	for k := min(4, len(before)); k >= 1; k-- {
		phrase := strings.Join(before[len(before)-k:], " ") + " "
		for from := 0; from < len(low); {
			i := strings.Index(low[from:], phrase)
			if i < 0 {
				break
			}
			start := from + i + len(phrase)
			from = start
			rest := sentence[start:]
			end := len(rest)
			if next != "" {
				j := strings.Index(strings.ToLower(rest), " "+next)
				if j < 0 {
					continue
				}
				end = j
			}
			if ans := strings.TrimRight(rest[:end], ".,;:!?"); ans != "" {
				return ans, true
			}
		}
	}
	q := strings.ToLower(question)
	switch {
	case strings.Contains(q, "what year"):
		if y := reYearWord.FindString(sentence); y != "" {
			return y, true
		}
	case strings.Contains(q, "what number"):
		if n := reNumber.FindString(sentence); n != "" {
			return strings.TrimRight(n, ".,"), true
		}
	}
	return "", false
}
