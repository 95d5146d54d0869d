package evaluate

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/taonet/taonet/lm/model"
	"github.com/taonet/taonet/lm/serve/openai"
	"github.com/taonet/taonet/lm/tokenizer"
	"github.com/taonet/taonet/subnets/finetuning/competition"
)

// NotBitIdentical is what validators log when scoring on an external engine:
// only the built-in Go backend guarantees that every validator computes the
// same losses bit for bit (external engines differ by kernel, GPU and batch).
const NotBitIdentical = "eval backend openai: losses come from an external engine and are not guaranteed bit-identical across validators; only --eval.backend go is"

// OpenAI scores samples through an OpenAI-compatible completions server that
// returns prompt logprobs (vLLM, `taonet model serve`, ...). Each sample is
// sent as the token ids the competition's tokenizer produced (so every
// backend scores the same tokens) with echo, logprobs=0 and max_tokens=0;
// its loss is the mean of -logprob over the response tokens, summed in
// float64 in position order as model.SampleLosses does.
//
// With ServerCmd set, an engine is started per model directory and stopped
// after scoring; otherwise BaseURL names a running (multi-model) server.
type OpenAI struct {
	// ServerCmd is a /bin/sh command template; {model} becomes the model
	// directory (shell-quoted) and {port} a free loopback port.
	ServerCmd string
	// BaseURL is a running server's root ("http://127.0.0.1:8000"), used
	// when ServerCmd is empty.
	BaseURL string
	// ModelName is the "model" sent with a running server: a template where
	// {model} is the directory and {name} its base name (default "{model}").
	// Started engines are asked for their model id instead.
	ModelName string
	// StartTimeout bounds an engine's start until it answers /v1/models
	// (default 10 minutes: large models load slowly).
	StartTimeout time.Duration
	// RequestTimeout bounds one scoring request (default 10 minutes).
	RequestTimeout time.Duration
	// Batch is how many samples go in one request (default 8).
	Batch int
	// APIKey is sent as a bearer token when set.
	APIKey string
	// Log receives engine starts and stops (default: discard).
	Log *slog.Logger
}

// Losses checks dir against competition k as the Go backend does (config,
// then the weights' finiteness and norms, read a tensor at a time) and
// returns the per-sample losses of b computed by the engine.
func (o *OpenAI) Losses(ctx context.Context, dir string, k *competition.Competition, tok *tokenizer.Tokenizer, b Batch) ([]float64, error) {
	if _, err := CheckConfig(dir, k, tok); err != nil {
		return nil, err
	}
	if err := CheckWeights(dir, k); err != nil {
		return nil, err
	}
	if len(b.Encoded) == 0 {
		return nil, nil
	}
	base, model := o.BaseURL, o.modelName(dir)
	if o.ServerCmd != "" {
		eng, err := startEngine(ctx, o.ServerCmd, dir, o.startTimeout(), o.logger())
		if err != nil {
			return nil, err
		}
		defer eng.stop()
		base, model = eng.base, eng.model
	}
	if base == "" {
		return nil, errors.New("eval backend openai: neither a server command nor a base URL")
	}
	return o.score(ctx, base, model, b)
}

func (o *OpenAI) modelName(dir string) string {
	t := o.ModelName
	if t == "" {
		t = "{model}"
	}
	return strings.NewReplacer("{model}", dir, "{name}", filepath.Base(dir)).Replace(t)
}

func (o *OpenAI) startTimeout() time.Duration {
	if o.StartTimeout > 0 {
		return o.StartTimeout
	}
	return 10 * time.Minute
}

func (o *OpenAI) logger() *slog.Logger {
	if o.Log != nil {
		return o.Log
	}
	return slog.New(slog.DiscardHandler)
}

// score sends the samples in batches and turns their prompt logprobs into
// losses.
func (o *OpenAI) score(ctx context.Context, base, model string, b Batch) ([]float64, error) {
	c := openai.NewClient(strings.TrimRight(base, "/") + "/v1")
	c.APIKey = o.APIKey
	c.Timeout = o.RequestTimeout
	if c.Timeout <= 0 {
		c.Timeout = 10 * time.Minute
	}
	batch := o.Batch
	if batch <= 0 {
		batch = 8
	}
	out := make([]float64, 0, len(b.Encoded))
	for lo := 0; lo < len(b.Encoded); lo += batch {
		group := b.Encoded[lo:min(lo+batch, len(b.Encoded))]
		ids := make([][]int, len(group))
		for i, s := range group {
			ids[i] = s.Tokens
		}
		zero, echo := 0, true
		resp, err := c.Completion(ctx, openai.CompletionRequest{Model: model, Prompt: promptIDs(ids), MaxTokens: &zero, Logprobs: &zero, Echo: echo})
		if err != nil {
			return nil, fmt.Errorf("eval backend openai: samples %d-%d: %w", lo, lo+len(group)-1, err)
		}
		losses, err := responseLosses(resp, group, lo)
		if err != nil {
			return nil, err
		}
		out = append(out, losses...)
	}
	return out, nil
}

func promptIDs(ids [][]int) []byte {
	if len(ids) == 1 {
		return openai.PromptTokenIDs(ids[0])
	}
	var sb strings.Builder
	sb.WriteByte('[')
	for i, s := range ids {
		if i > 0 {
			sb.WriteByte(',')
		}
		sb.Write(openai.PromptTokenIDs(s))
	}
	sb.WriteByte(']')
	return []byte(sb.String())
}

// responseLosses maps each choice back to its sample (choice i scores prompt
// i) and averages -logprob over the sample's response tokens.
func responseLosses(resp *openai.CompletionResponse, group []model.Sample, first int) ([]float64, error) {
	lps := make([][]*float64, len(group))
	for _, ch := range resp.Choices {
		if ch.Index < 0 || ch.Index >= len(group) {
			return nil, fmt.Errorf("eval backend openai: choice index %d for %d prompts", ch.Index, len(group))
		}
		lps[ch.Index] = choiceLogprobs(ch, group[ch.Index].Tokens)
	}
	out := make([]float64, len(group))
	for i, s := range group {
		lp := lps[i]
		if lp == nil {
			return nil, fmt.Errorf("eval backend openai: sample %d: the server returned no prompt logprobs (it must support echo with logprobs, or vLLM's prompt_logprobs)", first+i)
		}
		if len(lp) < len(s.Tokens) {
			return nil, fmt.Errorf("eval backend openai: sample %d: %d logprobs for %d prompt tokens", first+i, len(lp), len(s.Tokens))
		}
		var sum float64
		n := 0
		for j := 1; j < len(s.Tokens); j++ {
			if !s.Mask[j] {
				continue
			}
			if lp[j] == nil || math.IsNaN(*lp[j]) || *lp[j] > 0 {
				return nil, fmt.Errorf("eval backend openai: sample %d: token %d has no valid logprob", first+i, j)
			}
			sum += -*lp[j]
			n++
		}
		if n == 0 {
			return nil, fmt.Errorf("eval backend openai: sample %d has no scored token", first+i)
		}
		out[i] = sum / float64(n)
	}
	return out, nil
}

// choiceLogprobs returns a choice's per-prompt-token logprobs from the
// legacy echo logprobs, else from vLLM's prompt_logprobs (whose single-entry
// maps are keyed by token id), else nil.
func choiceLogprobs(ch openai.CompletionChoice, tokens []int) []*float64 {
	if ch.Logprobs != nil && len(ch.Logprobs.TokenLogprobs) > 0 {
		return ch.Logprobs.TokenLogprobs
	}
	if len(ch.PromptLogprobs) == 0 {
		return nil
	}
	out := make([]*float64, len(ch.PromptLogprobs))
	for i, m := range ch.PromptLogprobs {
		if i >= len(tokens) {
			break
		}
		if v, ok := m[strconv.Itoa(tokens[i])]; ok {
			lp := v.Logprob
			out[i] = &lp
		}
	}
	return out
}
