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

var reBlankWords = regexp.MustCompile(`(\S+)\s+____\s*(\S*)`)

// FillBlank finds, in sentence, the span that the "____" of a cloze
// question stands for: the text between the words around the blank (matched
// case-insensitively, ignoring punctuation). When a neighbour word is
// missing or mistyped, the fact kind asked for ("In what year", "What
// number", "Which name") is taken from the sentence instead.
func FillBlank(question, sentence string) (string, bool) {
	m := reBlankWords.FindStringSubmatch(question)
	if m != nil {
		low := strings.ToLower(sentence)
		prev := strings.ToLower(strings.Trim(m[1], ".,;:!?\"'()"))
		next := strings.ToLower(strings.Trim(m[2], ".,;:!?\"'()"))
		if i := strings.Index(low, prev+" "); prev != "" && i >= 0 {
			start := i + len(prev) + 1
			rest := sentence[start:]
			end := len(rest)
			if next != "" {
				if j := strings.Index(strings.ToLower(rest), " "+next); j >= 0 {
					end = j
				} else {
					end = -1
				}
			}
			if end > 0 {
				if ans := strings.TrimRight(rest[:end], ".,;:!?"); ans != "" {
					return ans, true
				}
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
