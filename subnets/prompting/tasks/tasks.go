package tasks

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sort"

	pctx "github.com/taonet/taonet/subnets/prompting/context"
	"github.com/taonet/taonet/subnets/prompting/persona"
	"github.com/taonet/taonet/subnets/prompting/rewards"
)

// Task names (upstream v2 names).
const (
	QA            = "qa"
	Summarization = "summarization"
	DateQA        = "date_qa"
	Math          = "math"
	Debugging     = "debugging"
	Sentiment     = "sentiment"
	Generic       = "generic"
	Translation   = "translation"
)

// Challenge types (v2 challenge_type): how Query was made from CleanQuery.
const (
	ChallengeInference  = "inference"  // persona role-play (LLM) or persona paraphrase
	ChallengeParaphrase = "paraphrase" // fixed templates (math, sentiment)
	ChallengeQuery      = "query"      // the clean query verbatim
)

// Message is one chat message for an LLM backend.
type Message struct {
	Role    string `json:"role"` // "system", "user" or "assistant"
	Content string `json:"content"`
}

// ChatOptions are the sampling options of one LLM call (upstream defaults:
// temperature 0.7, top_p 0.95, 256 new tokens).
type ChatOptions struct {
	Temperature float64
	TopP        float64
	MaxTokens   int
	Seed        *int64 // passed through when the backend supports it
}

// DefaultChatOptions are upstream's validator LLM sampling settings.
func DefaultChatOptions() ChatOptions {
	return ChatOptions{Temperature: 0.7, TopP: 0.95, MaxTokens: 256}
}

// LLM is the validator's language-model backend, as the tasks consume it.
// An OpenAI-compatible client adapts to it in a few lines.
type LLM interface {
	Chat(ctx context.Context, messages []Message, opts ChatOptions) (string, error)
}

// Backends is what a validator can offer tasks. Nil fields are unavailable.
type Backends struct {
	// LLM writes queries, references and persona challenges.
	LLM LLM
	// Articles yields encyclopedic sections (qa, summarization, date_qa).
	Articles pctx.Source
	// Code yields code snippets (debugging).
	Code pctx.Source
	// Events optionally yields dated events (contexts with Extra["event"]
	// and Extra["date"], e.g. context.WikiEvents); date_qa then uses
	// upstream v1's design on them instead of dated article sentences.
	Events pctx.Source
	// Translator translates texts (translation): translate.Apertium, or
	// LLMTranslator over the LLM.
	Translator Translator
	// Difficulty ∈ [0,1] of the no-LLM paraphrase (see persona.Paraphrase).
	Difficulty float64
}

// Needs declares what a task requires from Backends.
type Needs struct {
	LLM        bool `json:"llm"`
	Articles   bool `json:"articles"`
	Code       bool `json:"code"`
	Translator bool `json:"translator"`
}

// MetBy reports whether b provides everything n needs.
func (n Needs) MetBy(b Backends) bool {
	return (!n.LLM || b.LLM != nil) && (!n.Articles || b.Articles != nil) && (!n.Code || b.Code != nil) &&
		(!n.Translator || b.Translator != nil)
}

// Challenge is one validator question with its hidden answer.
type Challenge struct {
	Task string `json:"task"`
	// Query is what miners see (the persona-styled challenge).
	Query string `json:"query"`
	// CleanQuery is the clear question before persona rewriting.
	CleanQuery string `json:"clean_query"`
	// Reference is the hidden answer the completions are scored against.
	// It is never sent to miners.
	Reference     string             `json:"reference"`
	Context       pctx.Context       `json:"context"`
	Persona       persona.Persona    `json:"persona"`
	ChallengeType string             `json:"challenge_type"`
	Seed          uint64             `json:"seed"`
	Rewards       rewards.Definition `json:"rewards"`
	// LLMGenerated reports whether query/reference came from the LLM.
	LLMGenerated bool `json:"llm_generated"`
	// Turn is 0 for a fresh challenge, n for the n-th follow-up (§3.3).
	Turn int `json:"turn,omitempty"`
	// History holds the earlier messages of a multi-turn conversation
	// (alternating "user"/"assistant"); miners receive History followed by
	// {"user", Query}.
	History []Message `json:"history,omitempty"`
}

// Messages returns the roles/messages a miner is sent: History, then the
// query as the last user message.
func (c *Challenge) Messages() []Message {
	out := append([]Message(nil), c.History...)
	return append(out, Message{Role: "user", Content: c.Query})
}

// Task builds challenges of one kind.
type Task interface {
	Name() string
	Needs() Needs
	// Generate builds a challenge, drawing all randomness from rng.
	Generate(ctx context.Context, rng *rand.Rand, b Backends) (*Challenge, error)
}

// Entry is a task with its sampling weight.
type Entry struct {
	Task   Task
	Weight float64
}

// Registry samples tasks. It is immutable after NewRegistry and safe for
// concurrent use.
type Registry struct {
	entries []Entry
}

// NewRegistry builds a registry; weights must be ≥ 0 and names unique.
func NewRegistry(entries ...Entry) (*Registry, error) {
	seen := map[string]bool{}
	for _, e := range entries {
		if e.Task == nil {
			return nil, errors.New("tasks: nil task")
		}
		if !(e.Weight >= 0) {
			return nil, fmt.Errorf("tasks: weight %v of %s", e.Weight, e.Task.Name())
		}
		if seen[e.Task.Name()] {
			return nil, fmt.Errorf("tasks: duplicate task %s", e.Task.Name())
		}
		seen[e.Task.Name()] = true
	}
	return &Registry{entries: append([]Entry(nil), entries...)}, nil
}

// Default is the upstream v2.5.1 mix — qa, date_qa, summarization,
// generic, math, translation, sentiment with equal probability — plus
// debugging at the same weight (upstream never enabled it; it is available
// only when Backends.Code is set). Translation needs Backends.Translator.
func Default() *Registry {
	r, err := NewRegistry(
		Entry{NewQA(), 1}, Entry{NewDateQA(), 1}, Entry{NewSummarization(), 1},
		Entry{NewGeneric(), 1}, Entry{NewMath(), 1}, Entry{NewTranslation(), 1},
		Entry{NewSentiment(), 1}, Entry{NewDebugging(), 1},
	)
	if err != nil {
		panic(err) // static table
	}
	return r
}

// Names returns the registered task names, sorted.
func (r *Registry) Names() []string {
	var out []string
	for _, e := range r.entries {
		out = append(out, e.Task.Name())
	}
	sort.Strings(out)
	return out
}

// Get returns the task with a name.
func (r *Registry) Get(name string) (Task, bool) {
	for _, e := range r.entries {
		if e.Task.Name() == name {
			return e.Task, true
		}
	}
	return nil, false
}

// Available returns the names of tasks with weight > 0 whose needs b meets,
// in registry order.
func (r *Registry) Available(b Backends) []string {
	var out []string
	for _, e := range r.entries {
		if e.Weight > 0 && e.Task.Needs().MetBy(b) {
			out = append(out, e.Task.Name())
		}
	}
	return out
}

// MaxTaskTries is how many tasks Sample tries before giving up (upstream
// forward picks another task when one fails to build).
const MaxTaskTries = 5

// Sample picks a task among the available ones (probability ∝ weight) and
// builds its challenge, deterministically from seed (given deterministic
// backends). A task that fails is replaced by a draw among the other
// tasks, up to MaxTaskTries times.
func (r *Registry) Sample(ctx context.Context, seed uint64, b Backends) (*Challenge, error) {
	var avail []Entry
	total := 0.0
	for _, e := range r.entries {
		if e.Weight > 0 && e.Task.Needs().MetBy(b) {
			avail = append(avail, e)
			total += e.Weight
		}
	}
	if len(avail) == 0 {
		return nil, errors.New("tasks: no task's needs are met by the backends")
	}
	rng := pctx.NewRand(seed)
	var errs []error
	for try := 0; try < MaxTaskTries && len(avail) > 0; try++ {
		x := rng.Float64() * total
		at := len(avail) - 1
		for i, e := range avail {
			if x < e.Weight {
				at = i
				break
			}
			x -= e.Weight
		}
		pick := avail[at]
		ch, err := r.generate(ctx, pick.Task, rng, b, seed)
		if err == nil {
			return ch, nil
		}
		errs = append(errs, fmt.Errorf("%s: %w", pick.Task.Name(), err))
		if ctx.Err() != nil {
			break
		}
		// The next draw is among the other tasks, so one broken backend
		// (a missing translation pair, an unreachable API) costs one try.
		if len(avail) > 1 {
			avail = append(avail[:at:at], avail[at+1:]...)
			total -= pick.Weight
		}
	}
	return nil, fmt.Errorf("tasks: no challenge built: %w", errors.Join(errs...))
}

// Build builds a challenge of the named task from seed.
func (r *Registry) Build(ctx context.Context, name string, seed uint64, b Backends) (*Challenge, error) {
	t, ok := r.Get(name)
	if !ok {
		return nil, fmt.Errorf("tasks: unknown task %q", name)
	}
	if !t.Needs().MetBy(b) {
		return nil, fmt.Errorf("tasks: backends do not meet the needs of %s", name)
	}
	return r.generate(ctx, t, pctx.NewRand(seed), b, seed)
}

func (r *Registry) generate(ctx context.Context, t Task, rng *rand.Rand, b Backends, seed uint64) (*Challenge, error) {
	ch, err := t.Generate(ctx, rng, b)
	if err != nil {
		return nil, err
	}
	ch.Seed = seed
	if ch.Task == "" {
		ch.Task = t.Name()
	}
	if len(ch.Rewards.Rewards) == 0 {
		d, err := rewardsFor(ch.Task)
		if err != nil {
			return nil, err
		}
		ch.Rewards = d
	}
	return ch, nil
}

func rewardsFor(task string) (rewards.Definition, error) { return rewards.ForTask(task) }
