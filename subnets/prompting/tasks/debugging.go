package tasks

import (
	"context"
	"errors"
	"math/rand/v2"
	"strings"

	pctx "github.com/taonet/taonet/subnets/prompting/context"
	"github.com/taonet/taonet/subnets/prompting/persona"
)

// DebuggingTask is the code-repair task (§2.5): real code is corrupted and
// the miner must restore it; the reference is the original code.
type DebuggingTask struct{}

// NewDebugging returns the debugging task.
func NewDebugging() *DebuggingTask { return &DebuggingTask{} }

// Name implements Task.
func (*DebuggingTask) Name() string { return Debugging }

// Needs implements Task: a code source; the LLM is optional.
func (*DebuggingTask) Needs() Needs { return Needs{Code: true} }

// Corruption describes what Corrupt did, for logs and tests.
type Corruption struct {
	Separator string // "", " " or "\n": chars, words or lines
	Removed   int    // chunks deleted
	Swapped   int    // chunk pairs swapped
	Mutated   int    // tokens mutated (operators, digits, identifiers)
}

// mutations are single-token edits typical of real bugs.
var mutations = [][2]string{{"==", "!="}, {"!=", "=="}, {"<=", "<"}, {">=", ">"}, {"<", "<="}, {">", ">="},
	{"&&", "||"}, {"||", "&&"}, {"+", "-"}, {"-", "+"}, {"+=", "-="}, {"true", "false"}, {"false", "true"},
	{"nil", "0"}, {"0", "1"}, {"1", "0"}, {"i++", "i--"}, {"return", "retrun"}, {"len(", "cap("}}

// Corrupt deterministically damages code (upstream §2.5, plus mutation):
// split by a separator drawn with weights {"" 0.3, " " 0.6, "\n" 0.1};
// delete 1–3 random runs of 1–10 chunks; swap 0–2 random chunk pairs; then
// mutate 0–2 tokens (flip an operator, a boolean, a digit). The result
// always differs from the input for inputs of at least two chunks.
func Corrupt(rng *rand.Rand, code string) (string, Corruption) {
	var c Corruption
	x := rng.Float64()
	switch {
	case x < 0.3:
		c.Separator = ""
	case x < 0.9:
		c.Separator = " "
	default:
		c.Separator = "\n"
	}
	var chunks []string
	if c.Separator == "" {
		for _, r := range code {
			chunks = append(chunks, string(r))
		}
	} else {
		chunks = strings.Split(code, c.Separator)
	}
	if len(chunks) < 2 {
		return code, c
	}
	n := 1 + rng.IntN(3)
	for i := 0; i < n && len(chunks) > 1; i++ {
		l := 1 + rng.IntN(10)
		if l >= len(chunks) {
			l = len(chunks) - 1
		}
		at := rng.IntN(len(chunks) - l + 1)
		chunks = append(chunks[:at], chunks[at+l:]...)
		c.Removed++
	}
	for s := rng.IntN(3); s > 0 && len(chunks) > 1; s-- {
		i, j := rng.IntN(len(chunks)), rng.IntN(len(chunks))
		chunks[i], chunks[j] = chunks[j], chunks[i]
		c.Swapped++
	}
	out := strings.Join(chunks, c.Separator)
	for m := rng.IntN(3); m > 0; m-- {
		mu := mutations[rng.IntN(len(mutations))]
		idx := indexAll(out, mu[0])
		if len(idx) == 0 {
			continue
		}
		at := idx[rng.IntN(len(idx))]
		out = out[:at] + mu[1] + out[at+len(mu[0]):]
		c.Mutated++
	}
	if out == code { // e.g. a swap of equal chunks: force a visible change
		chunks = strings.Split(code, "\n")
		if len(chunks) > 1 {
			out = strings.Join(chunks[1:], "\n")
		} else {
			out = code[:len(code)/2]
		}
		c.Removed++
	}
	return out, c
}

func indexAll(s, sub string) []int {
	var out []int
	for i := 0; ; {
		j := strings.Index(s[i:], sub)
		if j < 0 || len(out) > 1000 {
			return out
		}
		out = append(out, i+j)
		i += j + len(sub)
	}
}

// Generate implements Task: the challenge is the persona's request (LLM
// role-play or paraphrase of "fix this code") followed by the corrupted code
// in a fenced block; the reference is the original snippet.
func (*DebuggingTask) Generate(ctx context.Context, rng *rand.Rand, b Backends) (*Challenge, error) {
	c, err := pctx.Retry(ctx, b.Code, rng)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(c.Content) == "" {
		return nil, errors.New("tasks: debugging: empty snippet")
	}
	broken, _ := Corrupt(rng, c.Content)
	lang := c.Extra["language"]
	if lang == "" {
		lang = "this"
	}
	ch := &Challenge{Task: Debugging, Context: c, Reference: c.Content,
		CleanQuery: "Fix the bugs in the following " + lang + " code from " + c.Title + " and return the corrected code."}
	err = personaChallenge(ctx, rng, b, ch, persona.Goal{Desc: "get help debugging code", Topic: c.Topic, Subtopic: c.Subtopic,
		Goal: "fix the code"}, RemoveQuotes, PruneEnding, RemoveRoles)
	if err != nil {
		return nil, err
	}
	ch.Query += "\n```\n" + broken + "\n```"
	ch.CleanQuery += "\n```\n" + broken + "\n```"
	return ch, nil
}
