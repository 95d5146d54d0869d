package modelengine

import (
	"context"
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/taonet/taonet/lm/model"
	"github.com/taonet/taonet/lm/serve"
	"github.com/taonet/taonet/lm/serve/openai"
	"github.com/taonet/taonet/lm/tokenizer"
)

// Engine serves one model. Causal models (GPT-2, Llama) generate and score
// prompts; BERT models embed. Calls are serialized: the model reuses its
// activation buffers.
type Engine struct {
	m       *model.Model
	tok     *tokenizer.Tokenizer
	id      string
	family  string
	style   string                  // recognized tokenizer_config.json chat_template style, or ""
	chat    *tokenizer.ChatTemplate // the model's own Jinja chat template, or nil
	pooling model.Pooling
	mu      sync.Mutex
}

// Options tune an Engine.
type Options struct {
	// ModelID is the name reported by /v1/models (default: the directory name).
	ModelID string
	// Pooling is BERT's embedding pooling, "mean" (default) or "cls".
	Pooling string
}

// New wraps a loaded model and tokenizer.
func New(m *model.Model, tok *tokenizer.Tokenizer, o Options) (*Engine, error) {
	if tok.VocabSize() > m.Config.VocabSize {
		return nil, fmt.Errorf("modelengine: tokenizer has %d tokens but the model only %d", tok.VocabSize(), m.Config.VocabSize)
	}
	e := &Engine{m: m, tok: tok, id: o.ModelID, family: string(m.Config.Arch), pooling: model.PoolMean,
		style: tokenizer.DetectChatStyle(tok.ChatTemplate())}
	if e.id == "" {
		e.id = "taonet-" + string(m.Config.Arch)
	}
	switch o.Pooling {
	case "", "mean":
	case "cls":
		e.pooling = model.PoolCLS
	default:
		return nil, fmt.Errorf("modelengine: pooling %q (want mean or cls)", o.Pooling)
	}
	return e, nil
}

// Load opens a model directory (config.json, model.safetensors,
// tokenizer.json and optionally tokenizer_config.json).
func Load(dir string, o Options) (*Engine, error) {
	m, err := model.LoadInference(dir)
	if err != nil {
		return nil, err
	}
	tok, err := tokenizer.Load(filepath.Join(dir, "tokenizer.json"))
	if err != nil {
		return nil, err
	}
	if o.ModelID == "" {
		abs, _ := filepath.Abs(dir)
		o.ModelID = filepath.Base(abs)
	}
	chat, err := tokenizer.LoadChatTemplate(dir)
	if err != nil {
		return nil, fmt.Errorf("modelengine: %s: %w", dir, err)
	}
	e, err := New(m, tok, o)
	if err != nil {
		return nil, err
	}
	e.chat = chat
	return e, nil
}

// ModelID implements serve.Engine.
func (e *Engine) ModelID() string { return e.id }

// FormatMessages formats chat messages with the model's own Jinja chat
// template (chat_template.jinja or tokenizer_config.json, rendered as
// apply_chat_template does; an error the template raises is a bad request),
// else with a recognized fixed style of tokenizer.json's template (Llama-3,
// ChatML, Llama-2; see tokenizer.RenderChat), else with the fixed template
// taonet fine-tunes with (the architecture's tokenizer.FormatChat family).
func (e *Engine) FormatMessages(msgs []openai.Message) (string, error) {
	if e.chat == nil && e.style == "" {
		return serve.FormatMessages(e.family, msgs)
	}
	cm := make([]tokenizer.ChatMessage, len(msgs))
	for i, m := range msgs {
		role := m.Role
		if role == "developer" {
			role = "system"
		}
		cm[i] = tokenizer.ChatMessage{Role: role, Content: string(m.Content)}
	}
	var p string
	var err error
	if e.chat != nil {
		p, err = e.chat.Apply(cm, true)
	} else {
		p, err = tokenizer.RenderChat(e.style, cm, true)
	}
	if err != nil {
		return "", serve.BadRequest(err)
	}
	return p, nil
}

// CountTokens implements serve.TokenCounter.
func (e *Engine) CountTokens(text string) int { return len(e.tok.EncodeOrdinary(text)) }

// encodePrompt tokenizes untrusted prompt text (no special-token injection),
// with BOS first for the llama family, as tokenizer.EncodeChat does.
func (e *Engine) encodePrompt(text string) (ids []int, prefix int) {
	if e.family == tokenizer.FamilyLlama {
		if bos, ok := e.tok.BOS(); ok {
			ids = append(ids, bos)
			prefix = 1
		}
	}
	return append(ids, e.tok.EncodeOrdinary(text)...), prefix
}

func (e *Engine) maxPos() int {
	if e.m.Config.Arch == model.Llama {
		return math.MaxInt
	}
	return e.m.Config.MaxPos
}

// Generate implements serve.Engine. Stop strings are matched on the streamed
// text, which is held back while it could still be the start of one, so no
// part of a stop string is ever sent.
func (e *Engine) Generate(ctx context.Context, req serve.GenerateRequest, onText func(string) error) (serve.GenerateResult, error) {
	if !e.m.Config.Causal() {
		return serve.GenerateResult{}, serve.BadRequest(fmt.Errorf("model %s is a %s encoder: it cannot generate", e.id, e.m.Config.Arch))
	}
	var ids []int
	if req.PromptIDs != nil {
		if err := e.checkIDs(req.PromptIDs); err != nil {
			return serve.GenerateResult{}, serve.BadRequest(err)
		}
		ids = slices.Clone(req.PromptIDs)
	} else if req.Chat && (e.chat != nil || e.style != "") {
		// The rendered template spells its special tokens (BOS included).
		ids = e.tok.Encode(req.Prompt)
	} else {
		ids, _ = e.encodePrompt(req.Prompt)
	}
	if len(ids) == 0 {
		bos, ok := e.tok.BOS()
		if !ok {
			return serve.GenerateResult{}, serve.BadRequest(errors.New("empty prompt"))
		}
		ids = []int{bos}
	}
	if len(ids) >= e.maxPos() {
		return serve.GenerateResult{}, serve.BadRequest(fmt.Errorf("prompt of %d tokens fills the model's %d positions", len(ids), e.maxPos()))
	}
	res := serve.GenerateResult{PromptTokens: len(ids), FinishReason: "length"}
	if req.MaxTokens <= 0 {
		return res, nil
	}
	sd := e.tok.NewStreamDecoder()
	var out, pending strings.Builder // sent text; text held back for stop matching
	var cbErr error
	stopped := false
	emit := func(s string) bool {
		if s == "" {
			return true
		}
		if err := onText(s); err != nil {
			cbErr = err
			return false
		}
		out.WriteString(s)
		return true
	}
	// push adds decoded text and sends what can no longer start a stop string.
	push := func(s string) bool {
		pending.WriteString(s)
		p := pending.String()
		if cut, ok := firstStop(p, req.Stop); ok {
			stopped = true
			emit(p[:cut])
			return false
		}
		keep := holdBack(p, req.Stop)
		if !emit(p[:len(p)-keep]) {
			return false
		}
		pending.Reset()
		pending.WriteString(p[len(p)-keep:])
		return true
	}
	opts := model.GenerateOptions{
		MaxTokens:   req.MaxTokens,
		Temperature: req.Temperature,
		TopP:        req.TopP,
		Seed:        uint64(req.Seed),
		OnToken:     func(id int) bool { return push(sd.Add(id)) },
	}
	if eos, ok := e.tok.EOS(); ok {
		opts.StopTokens = []int{eos}
	}
	e.mu.Lock()
	g, err := e.m.Generate(ctx, ids, opts)
	e.mu.Unlock()
	if cbErr != nil {
		return res, cbErr
	}
	if err != nil {
		return res, err
	}
	res.CompletionTokens = len(g.Tokens)
	res.FinishReason = g.FinishReason
	if !stopped {
		// Nothing matched: release the held-back text and any partial character.
		push(sd.Flush())
		if !stopped {
			if !emit(pending.String()) {
				return res, cbErr
			}
		}
	}
	if stopped {
		res.FinishReason = "stop"
	}
	res.Text = out.String()
	return res, nil
}

// firstStop returns where the earliest stop string starts in s.
func firstStop(s string, stops []string) (int, bool) {
	best, found := len(s), false
	for _, st := range stops {
		if i := strings.Index(s, st); i >= 0 && i < best {
			best, found = i, true
		}
	}
	return best, found
}

// holdBack returns the length of the longest suffix of s that is a proper
// prefix of some stop string.
func holdBack(s string, stops []string) int {
	keep := 0
	for _, st := range stops {
		for n := min(len(st)-1, len(s)); n > keep; n-- {
			if strings.HasSuffix(s, st[:n]) {
				keep = n
				break
			}
		}
	}
	return keep
}

// PromptLogprobs implements serve.PromptScorer: the log-probability of each
// prompt token given the ones before it (the first has none unless the llama
// family's BOS precedes it).
func (e *Engine) PromptLogprobs(ctx context.Context, prompt string) ([]serve.TokenLogprob, error) {
	ids, prefix := e.encodePrompt(prompt)
	return e.score(ctx, ids, prefix)
}

// DecodeTokens implements serve.TokenPrompter.
func (e *Engine) DecodeTokens(ids []int) (string, error) {
	if err := e.checkIDs(ids); err != nil {
		return "", err
	}
	return string(e.tok.DecodeBytes(ids)), nil
}

// TokenLogprobs implements serve.TokenPrompter: ids are scored exactly as
// given (this is how an evaluator makes every engine score the same tokens),
// followed by the ordinary tokens of the completion text.
func (e *Engine) TokenLogprobs(ctx context.Context, ids []int, completion string) ([]serve.TokenLogprob, error) {
	if err := e.checkIDs(ids); err != nil {
		return nil, serve.BadRequest(err)
	}
	all := append(slices.Clone(ids), e.tok.EncodeOrdinary(completion)...)
	return e.score(ctx, all, 0)
}

// checkIDs rejects ids the model cannot embed.
func (e *Engine) checkIDs(ids []int) error {
	if len(ids) == 0 {
		return errors.New("empty token-id prompt")
	}
	for i, id := range ids {
		if id < 0 || id >= e.m.Config.VocabSize {
			return fmt.Errorf("token id %d at position %d is outside the vocabulary [0, %d)", id, i, e.m.Config.VocabSize)
		}
	}
	return nil
}

// score returns the logprob of each of ids[prefix:] given the ids before it
// (NaN for ids[0]).
func (e *Engine) score(ctx context.Context, ids []int, prefix int) ([]serve.TokenLogprob, error) {
	if !e.m.Config.Causal() {
		return nil, serve.BadRequest(fmt.Errorf("model %s is an encoder: no logprobs", e.id))
	}
	if len(ids) > e.maxPos() {
		return nil, serve.BadRequest(fmt.Errorf("prompt of %d tokens exceeds the model's %d positions", len(ids), e.maxPos()))
	}
	out := make([]serve.TokenLogprob, 0, len(ids)-prefix)
	off := 0
	for _, id := range ids[prefix:] {
		piece := e.tok.DecodeBytes([]int{id})
		out = append(out, serve.TokenLogprob{ID: id, Token: string(piece), Logprob: math.NaN(), Offset: off})
		off += len(piece)
	}
	if len(ids) < 2 {
		return out, nil
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	n := len(ids) - 1
	e.mu.Lock()
	nll, err := e.m.TokenNLL(ids[:n], ids[1:], 1, n)
	e.mu.Unlock()
	if err != nil {
		return nil, err
	}
	// nll[i] scores ids[i+1], which is out[i+1-prefix].
	for i := range nll {
		if j := i + 1 - prefix; j >= 0 {
			out[j].Logprob = -float64(nll[i])
		}
	}
	return out, nil
}

// Embed implements serve.Embedder for BERT models: [CLS] text [SEP],
// truncated to the model's positions, pooled and L2-normalized.
func (e *Engine) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	if e.m.Config.Causal() {
		return nil, serve.BadRequest(fmt.Errorf("model %s is a causal %s model: embeddings need a BERT encoder", e.id, e.m.Config.Arch))
	}
	seqs := make([][]int, len(texts))
	for i, t := range texts {
		ids := e.tok.EncodeWithSpecialTokens(t)
		if len(ids) > e.maxPos() {
			ids = append(ids[:e.maxPos()-1], ids[len(ids)-1])
		}
		if len(ids) == 0 {
			return nil, serve.BadRequest(fmt.Errorf("input %d encodes to no tokens", i))
		}
		seqs[i] = ids
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.m.Embed(seqs, e.pooling, true)
}
