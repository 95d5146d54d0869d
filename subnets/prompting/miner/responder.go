package miner

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"

	"github.com/taonet/taonet/lm/serve/openai"
	pctx "github.com/taonet/taonet/subnets/prompting/context"
	"github.com/taonet/taonet/subnets/prompting/protocol"
	"github.com/taonet/taonet/subnets/prompting/tasks"
)

// Responder answers a validated request. It streams its answer through emit
// (each call is one or more words; the miner re-chunks them) and must stop
// when ctx ends or emit fails.
type Responder interface {
	Respond(ctx context.Context, req *protocol.StreamPrompting, emit func(string) error) error
}

// Tool is the offline tool-using responder (no LLM). See tasks.ToolSolver
// for the calculator, retrieval and translation (Solver.Translator, e.g.
// Apertium); Code, if set, repairs debugging
// challenges by retrieving the closest original snippet.
type Tool struct {
	Solver *tasks.ToolSolver
	Code   *CodeIndex
}

// NewTool builds a tool responder over a corpus (nil: the embedded corpus the
// validator also uses by default) and an optional code index.
func NewTool(c *pctx.Corpus, code *CodeIndex) *Tool {
	if c == nil {
		c = pctx.Embedded()
	}
	return &Tool{Solver: tasks.NewToolSolver(c), Code: code}
}

// Respond implements Responder.
func (t *Tool) Respond(ctx context.Context, req *protocol.StreamPrompting, emit func(string) error) error {
	q := req.LastUser()
	if out, ok := t.Solver.Translate(ctx, q); ok {
		return emit(out)
	}
	if code, ok := fencedCode(q); ok {
		if t.Code != nil {
			if fixed, ok := t.Code.Repair(code); ok {
				return emit(fixed)
			}
		}
		return emit(code)
	}
	return emit(t.Solver.Answer(q))
}

// fencedCode returns the body of the first ``` fenced block.
func fencedCode(s string) (string, bool) {
	i := strings.Index(s, "```")
	if i < 0 {
		return "", false
	}
	rest := s[i+3:]
	nl := strings.IndexByte(rest, '\n')
	if nl < 0 {
		return "", false
	}
	rest = rest[nl+1:]
	j := strings.Index(rest, "```")
	if j < 0 {
		return strings.TrimRight(rest, "\n"), true
	}
	return strings.TrimRight(rest[:j], "\n"), true
}

// Echo repeats the question (the "echo mining" the challenge-overlap
// penalty exists to defeat, spec §4.8).
type Echo struct{}

// Respond implements Responder.
func (Echo) Respond(_ context.Context, req *protocol.StreamPrompting, emit func(string) error) error {
	return emit(req.LastUser())
}

// Noise answers with random dictionary words (a miner that does no work).
type Noise struct {
	// Words is how many words to answer with (default 40).
	Words int
	mu    sync.Mutex
	rng   *rand.Rand
}

// NewNoise returns a noise responder seeded with seed.
func NewNoise(seed uint64) *Noise {
	return &Noise{rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
}

var noiseWords = strings.Fields(`apple river quantum basket violet engine marble
	thunder pocket lantern orbit pepper canyon whisper velvet rocket saddle meadow
	puzzle harbor cobalt ember falcon glacier hollow island jungle kettle lemon
	mosaic nectar oyster pillow quarry raven summit tundra umbra vortex willow`)

// Respond implements Responder.
func (n *Noise) Respond(_ context.Context, _ *protocol.StreamPrompting, emit func(string) error) error {
	k := n.Words
	if k <= 0 {
		k = 40
	}
	words := make([]string, k)
	n.mu.Lock()
	if n.rng == nil {
		n.rng = rand.New(rand.NewPCG(1, 2))
	}
	for i := range words {
		words[i] = noiseWords[n.rng.IntN(len(noiseWords))]
	}
	n.mu.Unlock()
	return emit(strings.Join(words, " "))
}

// LLM streams answers from an OpenAI-compatible chat endpoint. The
// conversation is sent as [system] + zip(roles, messages), as upstream's
// OpenAI miner does.
type LLM struct {
	Client *openai.Client
	Model  string
	// System is the system prompt (upstream's default when empty).
	System      string
	MaxTokens   int     // default 256
	Temperature float64 // default 0.7
	TopP        float64 // default 0.95
}

// DefaultSystemPrompt is upstream's reference-miner system prompt.
const DefaultSystemPrompt = "You are a friendly chatbot who always responds concisely and helpfully. You are honest about things you don't know."

// NewLLM returns an LLM responder for baseURL ("http://host:port/v1").
func NewLLM(baseURL, model, apiKey string) *LLM {
	c := openai.NewClient(baseURL)
	c.APIKey = apiKey
	c.MaxRetries = 0 // a retry would not fit in the validator's timeout
	return &LLM{Client: c, Model: model}
}

// Respond implements Responder.
func (l *LLM) Respond(ctx context.Context, req *protocol.StreamPrompting, emit func(string) error) error {
	sys := l.System
	if sys == "" {
		sys = DefaultSystemPrompt
	}
	maxTok, temp, topP := l.MaxTokens, l.Temperature, l.TopP
	if maxTok <= 0 {
		maxTok = 256
	}
	if temp <= 0 {
		temp = 0.7
	}
	if topP <= 0 {
		topP = 0.95
	}
	cr := openai.ChatCompletionRequest{Model: l.Model, MaxTokens: &maxTok, Temperature: &temp, TopP: &topP, Stream: true}
	cr.Messages = append(cr.Messages, openai.Message{Role: "system", Content: openai.Content(sys)})
	for i, m := range req.Messages {
		cr.Messages = append(cr.Messages, openai.Message{Role: req.Roles[i], Content: openai.Content(m)})
	}
	_, err := l.Client.ChatCompletionStream(ctx, cr, func(ch openai.ChatCompletionChunk) error {
		for _, c := range ch.Choices {
			if c.Index == 0 && c.Delta.Content != nil && *c.Delta.Content != "" {
				if err := emit(*c.Delta.Content); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("miner: llm: %w", err)
	}
	return nil
}

// errEmpty is returned when a responder produced nothing.
var errEmpty = errors.New("miner: empty answer")
