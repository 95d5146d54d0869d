package serve

import (
	"context"
	crand "crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"math/rand/v2"
	"net/http"
	"strconv"
	"time"

	"github.com/taonet/taonet/lm/serve/openai"
)

// Options configures a Server. Zero fields take the documented defaults.
type Options struct {
	// Family is the chat template family for engines that are not
	// ChatFormatters: "gpt2" (default), "llama" or "bert".
	Family string
	// MaxBodyBytes limits request bodies (default 4 MiB); larger gets 413.
	MaxBodyBytes int64
	// MaxTokensLimit caps max_tokens (default 4096).
	MaxTokensLimit int
	// Concurrency is how many engine calls run at once (default 1); other
	// requests wait in line until their client gives up.
	Concurrency int
	// Logger receives one line per failed request (default: discard).
	Logger *slog.Logger
}

// Server is an http.Handler serving the OpenAI-compatible API for one engine.
type Server struct {
	eng     Engine
	opt     Options
	sem     chan struct{}
	mux     *http.ServeMux
	created int64
}

// New builds a server around eng.
func New(eng Engine, opt Options) *Server {
	if opt.Family == "" {
		opt.Family = "gpt2"
	}
	if opt.MaxBodyBytes <= 0 {
		opt.MaxBodyBytes = 4 << 20
	}
	if opt.MaxTokensLimit <= 0 {
		opt.MaxTokensLimit = 4096
	}
	if opt.Concurrency <= 0 {
		opt.Concurrency = 1
	}
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	s := &Server{eng: eng, opt: opt, sem: make(chan struct{}, opt.Concurrency), mux: http.NewServeMux(), created: time.Now().Unix()}
	s.mux.HandleFunc("POST /v1/chat/completions", s.wrap(s.chat))
	s.mux.HandleFunc("POST /v1/completions", s.wrap(s.completions))
	s.mux.HandleFunc("POST /v1/embeddings", s.wrap(s.embeddings))
	s.mux.HandleFunc("GET /v1/models", s.wrap(s.models))
	s.mux.HandleFunc("GET /v1/models/{id...}", s.wrap(s.model))
	s.mux.HandleFunc("GET /health", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusOK) })
	s.mux.HandleFunc("/", s.wrap(func(w http.ResponseWriter, r *http.Request) error {
		switch r.URL.Path {
		case "/v1/chat/completions", "/v1/completions", "/v1/embeddings", "/v1/models":
			return errorf(http.StatusMethodNotAllowed, "method %s is not allowed on %s", r.Method, r.URL.Path)
		}
		return errorf(http.StatusNotFound, "no route for %s %s", r.Method, r.URL.Path)
	}))
	return s
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// apiError is an error with an HTTP status and OpenAI error type.
type apiError struct {
	status int
	typ    string
	param  string
	msg    string
}

func (e *apiError) Error() string { return e.msg }

func errorf(status int, format string, args ...any) *apiError {
	typ := "invalid_request_error"
	switch {
	case status >= 500:
		typ = "server_error"
	case status == http.StatusNotFound:
		typ = "not_found_error"
	}
	return &apiError{status: status, typ: typ, msg: fmt.Sprintf(format, args...)}
}

func (s *Server) wrap(h func(http.ResponseWriter, *http.Request) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, s.opt.MaxBodyBytes)
		err := h(w, r)
		if err == nil {
			return
		}
		var ae *apiError
		if re, ok := asRequestError(err); ok {
			ae = re
		} else if !errors.As(err, &ae) {
			if r.Context().Err() != nil {
				return // the client left; nobody to answer
			}
			ae = errorf(http.StatusInternalServerError, "%v", err)
		}
		s.opt.Logger.Warn("request failed", "path", r.URL.Path, "status", ae.status, "err", ae.msg)
		writeError(w, ae)
	}
}

func writeError(w http.ResponseWriter, ae *apiError) {
	body := openai.ErrorBody{Error: openai.ErrorDetail{Message: ae.msg, Type: ae.typ}}
	if ae.param != "" {
		body.Error.Param = &ae.param
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(ae.status)
	json.NewEncoder(w).Encode(body)
}

func writeJSON(w http.ResponseWriter, v any) error {
	w.Header().Set("Content-Type", "application/json")
	return json.NewEncoder(w).Encode(v)
}

func decodeBody(r *http.Request, dst any) error {
	dec := json.NewDecoder(r.Body)
	if err := dec.Decode(dst); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return errorf(http.StatusRequestEntityTooLarge, "request body exceeds %d bytes", mbe.Limit)
		}
		return errorf(http.StatusBadRequest, "invalid JSON body: %v", err)
	}
	if dec.More() {
		return errorf(http.StatusBadRequest, "invalid JSON body: trailing data")
	}
	// Reading to EOF lets net/http watch the connection, so the request
	// context ends when the client disconnects.
	if _, err := io.Copy(io.Discard, r.Body); err != nil {
		return errorf(http.StatusRequestEntityTooLarge, "request body: %v", err)
	}
	return nil
}

func (s *Server) checkModel(model string) error {
	if model != "" && model != s.eng.ModelID() {
		e := errorf(http.StatusNotFound, "the model %q does not exist (this server serves %q)", model, s.eng.ModelID())
		e.param = "model"
		return e
	}
	return nil
}

// acquire waits for an engine slot or the client's departure.
func (s *Server) acquire(ctx context.Context) (func(), error) {
	select {
	case s.sem <- struct{}{}:
		return func() { <-s.sem }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func newID(prefix string) string {
	var b [12]byte
	crand.Read(b[:])
	return prefix + hex.EncodeToString(b[:])
}

// sampling holds validated generation parameters shared by both endpoints.
type sampling struct {
	maxTokens int
	temp      float64
	topP      float64
	n         int
	stop      []string
	seed      *int64
}

func (s *Server) sampling(maxTokens *int, defMax int, temp, topP *float64, n *int, stop openai.Stop, seed *int64) (sampling, error) {
	sp := sampling{maxTokens: defMax, temp: 1, topP: 1, n: 1, stop: stop, seed: seed}
	if maxTokens != nil {
		if *maxTokens < 0 || *maxTokens > s.opt.MaxTokensLimit {
			return sp, &apiError{status: 400, typ: "invalid_request_error", param: "max_tokens", msg: fmt.Sprintf("max_tokens must be in [0, %d], got %d", s.opt.MaxTokensLimit, *maxTokens)}
		}
		sp.maxTokens = *maxTokens
	}
	if temp != nil {
		if *temp < 0 || *temp > 2 || math.IsNaN(*temp) {
			return sp, &apiError{status: 400, typ: "invalid_request_error", param: "temperature", msg: fmt.Sprintf("temperature must be in [0, 2], got %v", *temp)}
		}
		sp.temp = *temp
	}
	if topP != nil {
		if !(*topP > 0 && *topP <= 1) {
			return sp, &apiError{status: 400, typ: "invalid_request_error", param: "top_p", msg: fmt.Sprintf("top_p must be in (0, 1], got %v", *topP)}
		}
		sp.topP = *topP
	}
	if n != nil {
		if *n < 1 || *n > 8 {
			return sp, &apiError{status: 400, typ: "invalid_request_error", param: "n", msg: fmt.Sprintf("n must be in [1, 8], got %d", *n)}
		}
		sp.n = *n
	}
	if len(stop) > 16 {
		return sp, &apiError{status: 400, typ: "invalid_request_error", param: "stop", msg: "at most 16 stop strings"}
	}
	for _, st := range stop {
		if st == "" {
			return sp, &apiError{status: 400, typ: "invalid_request_error", param: "stop", msg: "stop strings must not be empty"}
		}
	}
	return sp, nil
}

func (sp sampling) request(p openai.Prompt, choice int) GenerateRequest {
	seed := rand.Int64()
	if sp.seed != nil {
		seed = *sp.seed + int64(choice)
	}
	return GenerateRequest{Prompt: p.Text, PromptIDs: p.IDs, MaxTokens: sp.maxTokens, Temperature: sp.temp, TopP: sp.topP, Stop: sp.stop, Seed: seed}
}

func (s *Server) chat(w http.ResponseWriter, r *http.Request) error {
	var req openai.ChatCompletionRequest
	if err := decodeBody(r, &req); err != nil {
		return err
	}
	if err := s.checkModel(req.Model); err != nil {
		return err
	}
	if len(req.Messages) == 0 {
		return &apiError{status: 400, typ: "invalid_request_error", param: "messages", msg: "messages must not be empty"}
	}
	maxTok := req.MaxTokens
	if req.MaxCompletionTokens != nil {
		maxTok = req.MaxCompletionTokens
	}
	sp, err := s.sampling(maxTok, min(256, s.opt.MaxTokensLimit), req.Temperature, req.TopP, req.N, req.Stop, req.Seed)
	if err != nil {
		return err
	}
	var prompt string
	f, templated := s.eng.(ChatFormatter)
	if templated {
		prompt, err = f.FormatMessages(req.Messages)
		if err != nil {
			var ae *apiError
			if !errors.As(err, &ae) {
				err = errorf(http.StatusBadRequest, "%v", err)
			}
			return err
		}
	} else if prompt, err = FormatMessages(s.opt.Family, req.Messages); err != nil {
		return err
	}
	release, err := s.acquire(r.Context())
	if err != nil {
		return err
	}
	defer release()
	id, created, model := newID("chatcmpl-"), time.Now().Unix(), s.eng.ModelID()
	if req.Stream {
		if sp.n != 1 {
			return &apiError{status: 400, typ: "invalid_request_error", param: "n", msg: "streaming supports n=1 only"}
		}
		greq := sp.request(openai.Prompt{Text: prompt}, 0)
		greq.Chat = templated
		return s.streamChat(w, r, greq, id, created, model, req.StreamOptions != nil && req.StreamOptions.IncludeUsage)
	}
	resp := openai.ChatCompletionResponse{ID: id, Object: "chat.completion", Created: created, Model: model, Usage: &openai.Usage{}}
	for i := 0; i < sp.n; i++ {
		greq := sp.request(openai.Prompt{Text: prompt}, i)
		greq.Chat = templated
		res, err := s.eng.Generate(r.Context(), greq, func(string) error { return nil })
		if err != nil {
			return err
		}
		resp.Choices = append(resp.Choices, openai.ChatChoice{Index: i, Message: openai.Message{Role: "assistant", Content: openai.Content(res.Text)}, Logprobs: json.RawMessage("null"), FinishReason: res.FinishReason})
		resp.Usage.PromptTokens = res.PromptTokens
		resp.Usage.CompletionTokens += res.CompletionTokens
	}
	resp.Usage.TotalTokens = resp.Usage.PromptTokens + resp.Usage.CompletionTokens
	return writeJSON(w, resp)
}

// sse writes server-sent events, flushing after each.
type sse struct {
	w http.ResponseWriter
	f http.Flusher
}

func startSSE(w http.ResponseWriter) *sse {
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	h.Set("Connection", "keep-alive")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	f, _ := w.(http.Flusher)
	return &sse{w: w, f: f}
}

func (e *sse) send(v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return e.raw(b)
}

func (e *sse) raw(b []byte) error {
	if _, err := fmt.Fprintf(e.w, "data: %s\n\n", b); err != nil {
		return err
	}
	if e.f != nil {
		e.f.Flush()
	}
	return nil
}

func strPtr(s string) *string { return &s }

func (s *Server) streamChat(w http.ResponseWriter, r *http.Request, greq GenerateRequest, id string, created int64, model string, usage bool) error {
	ev := startSSE(w)
	chunk := func(d openai.Delta, finish *string) openai.ChatCompletionChunk {
		return openai.ChatCompletionChunk{ID: id, Object: "chat.completion.chunk", Created: created, Model: model,
			Choices: []openai.ChunkChoice{{Index: 0, Delta: d, Logprobs: json.RawMessage("null"), FinishReason: finish}}}
	}
	if err := ev.send(chunk(openai.Delta{Role: "assistant", Content: strPtr("")}, nil)); err != nil {
		return nil // client gone
	}
	res, err := s.eng.Generate(r.Context(), greq, func(text string) error {
		if text == "" {
			return nil
		}
		return ev.send(chunk(openai.Delta{Content: strPtr(text)}, nil))
	})
	if err != nil {
		if r.Context().Err() == nil {
			// Headers are gone; report in-band like vLLM, then end the stream.
			s.opt.Logger.Warn("stream failed", "err", err)
			ev.send(openai.ErrorBody{Error: openai.ErrorDetail{Message: err.Error(), Type: "server_error"}})
			ev.raw([]byte("[DONE]"))
		}
		return nil
	}
	ev.send(chunk(openai.Delta{}, strPtr(res.FinishReason)))
	if usage {
		u := openai.Usage{PromptTokens: res.PromptTokens, CompletionTokens: res.CompletionTokens, TotalTokens: res.PromptTokens + res.CompletionTokens}
		ev.send(openai.ChatCompletionChunk{ID: id, Object: "chat.completion.chunk", Created: created, Model: model, Choices: []openai.ChunkChoice{}, Usage: &u})
	}
	ev.raw([]byte("[DONE]"))
	return nil
}

func (s *Server) completions(w http.ResponseWriter, r *http.Request) error {
	var req openai.CompletionRequest
	if err := decodeBody(r, &req); err != nil {
		return err
	}
	if err := s.checkModel(req.Model); err != nil {
		return err
	}
	prompts, err := req.Prompts()
	if err != nil {
		return &apiError{status: 400, typ: "invalid_request_error", param: "prompt", msg: err.Error()}
	}
	sp, err := s.sampling(req.MaxTokens, min(16, s.opt.MaxTokensLimit), req.Temperature, req.TopP, req.N, req.Stop, req.Seed)
	if err != nil {
		return err
	}
	if len(prompts)*sp.n > 128 {
		return &apiError{status: 400, typ: "invalid_request_error", param: "n", msg: fmt.Sprintf("%d prompts × n=%d is more than 128 choices", len(prompts), sp.n)}
	}
	sc, err := s.completionScoring(req)
	if err != nil {
		return err
	}
	if err := s.resolvePrompts(prompts); err != nil {
		return err
	}
	release, err := s.acquire(r.Context())
	if err != nil {
		return err
	}
	defer release()
	id, created, model := newID("cmpl-"), time.Now().Unix(), s.eng.ModelID()
	if req.Stream {
		if sp.n != 1 || len(prompts) != 1 {
			return &apiError{status: 400, typ: "invalid_request_error", param: "n", msg: "streaming supports one prompt with n=1 only"}
		}
		return s.streamCompletion(w, r, sp.request(prompts[0], 0), req.Echo, id, created, model, req.StreamOptions != nil && req.StreamOptions.IncludeUsage)
	}
	resp := openai.CompletionResponse{ID: id, Object: "text_completion", Created: created, Model: model, Usage: &openai.Usage{}}
	for pi, p := range prompts {
		for i := 0; i < sp.n; i++ {
			ch, res, err := s.completionChoice(r.Context(), sp.request(p, i), req.Echo, sc)
			if err != nil {
				return err
			}
			ch.Index = pi*sp.n + i
			resp.Choices = append(resp.Choices, ch)
			if i == 0 {
				resp.Usage.PromptTokens += res.PromptTokens
			}
			resp.Usage.CompletionTokens += res.CompletionTokens
		}
	}
	resp.Usage.TotalTokens = resp.Usage.PromptTokens + resp.Usage.CompletionTokens
	return writeJSON(w, resp)
}

// completionScoring holds what a completion request asks to be scored.
type completionScoring struct {
	scorer        PromptScorer
	logprobs      *int // legacy "logprobs" (top count), nil when not asked
	promptLogprob bool // vLLM "prompt_logprobs"
}

func (sc completionScoring) any() bool { return sc.logprobs != nil || sc.promptLogprob }

func (s *Server) completionScoring(req openai.CompletionRequest) (completionScoring, error) {
	sc := completionScoring{logprobs: req.Logprobs, promptLogprob: req.PromptLogprobs != nil}
	if req.Logprobs != nil && (*req.Logprobs < 0 || *req.Logprobs > 5) {
		return sc, &apiError{status: 400, typ: "invalid_request_error", param: "logprobs", msg: fmt.Sprintf("logprobs must be in [0, 5], got %d", *req.Logprobs)}
	}
	if req.PromptLogprobs != nil && (*req.PromptLogprobs < 0 || *req.PromptLogprobs > 5) {
		return sc, &apiError{status: 400, typ: "invalid_request_error", param: "prompt_logprobs", msg: fmt.Sprintf("prompt_logprobs must be in [0, 5], got %d", *req.PromptLogprobs)}
	}
	if !sc.any() {
		return sc, nil
	}
	var ok bool
	if sc.scorer, ok = s.eng.(PromptScorer); !ok {
		return sc, &apiError{status: 400, typ: "invalid_request_error", param: "logprobs", msg: "this model does not support logprobs"}
	}
	if req.Stream {
		return sc, &apiError{status: 400, typ: "invalid_request_error", param: "logprobs", msg: "logprobs are not supported with stream"}
	}
	return sc, nil
}

// resolvePrompts checks token-id prompts against the engine and fills in
// their text (for echo), so a bad id fails the request before any work.
func (s *Server) resolvePrompts(prompts []openai.Prompt) error {
	for i := range prompts {
		if prompts[i].IDs == nil {
			continue
		}
		tp, ok := s.eng.(TokenPrompter)
		if !ok {
			return &apiError{status: 400, typ: "invalid_request_error", param: "prompt", msg: "this model does not accept token-id prompts"}
		}
		text, err := tp.DecodeTokens(prompts[i].IDs)
		if err != nil {
			return &apiError{status: 400, typ: "invalid_request_error", param: "prompt", msg: fmt.Sprintf("prompt %d: %v", i, err)}
		}
		prompts[i].Text = text
	}
	return nil
}

// completionChoice generates (when max_tokens > 0) and scores one choice.
func (s *Server) completionChoice(ctx context.Context, greq GenerateRequest, echo bool, sc completionScoring) (openai.CompletionChoice, GenerateResult, error) {
	res := GenerateResult{FinishReason: "length"}
	if greq.PromptIDs != nil {
		res.PromptTokens = len(greq.PromptIDs)
	}
	var err error
	if greq.MaxTokens > 0 {
		if res, err = s.eng.Generate(ctx, greq, func(string) error { return nil }); err != nil {
			return openai.CompletionChoice{}, res, err
		}
	}
	text := res.Text
	if echo {
		text = greq.Prompt + text
	}
	ch := openai.CompletionChoice{Text: text, FinishReason: strPtr(res.FinishReason)}
	if !sc.any() {
		return ch, res, nil
	}
	var lps []TokenLogprob
	if greq.PromptIDs != nil {
		lps, err = s.eng.(TokenPrompter).TokenLogprobs(ctx, greq.PromptIDs, res.Text)
	} else {
		lps, err = sc.scorer.PromptLogprobs(ctx, greq.Prompt+res.Text)
	}
	if err != nil {
		return ch, res, err
	}
	if sc.logprobs != nil {
		ch.Logprobs = legacyLogprobs(lps, echo, len(greq.Prompt), *sc.logprobs)
	}
	if sc.promptLogprob {
		ch.PromptLogprobs = vllmPromptLogprobs(lps, len(greq.Prompt))
	}
	if res.PromptTokens == 0 {
		for _, lp := range lps {
			if lp.Offset < len(greq.Prompt) {
				res.PromptTokens++
			}
		}
	}
	return ch, res, nil
}

// vllmPromptLogprobs builds vLLM's prompt_logprobs: one entry per prompt
// token, null where the token has no logprob (the first), else the token id
// mapped to its logprob and text.
func vllmPromptLogprobs(lps []TokenLogprob, promptLen int) []map[string]openai.PromptLogprob {
	out := []map[string]openai.PromptLogprob{}
	for _, lp := range lps {
		if lp.Offset >= promptLen && len(out) > 0 {
			break
		}
		if math.IsNaN(lp.Logprob) || math.IsInf(lp.Logprob, 0) {
			out = append(out, nil)
			continue
		}
		out = append(out, map[string]openai.PromptLogprob{strconv.Itoa(lp.ID): {Logprob: lp.Logprob, DecodedToken: lp.Token}})
	}
	return out
}

// legacyLogprobs builds the completions logprobs object: all tokens when the
// prompt is echoed, else only those starting inside the completion. Offsets
// count from the start of the prompt, as OpenAI's do. Non-finite logprobs
// (the first token's) are null. top_logprobs lists only the scored token.
func legacyLogprobs(lps []TokenLogprob, echo bool, promptLen, top int) *openai.CompletionLogprobs {
	out := &openai.CompletionLogprobs{Tokens: []string{}, TokenLogprobs: []*float64{}, TextOffset: []int{}}
	for _, lp := range lps {
		if !echo && lp.Offset < promptLen {
			continue
		}
		out.Tokens = append(out.Tokens, lp.Token)
		out.TextOffset = append(out.TextOffset, lp.Offset)
		var p *float64
		if !math.IsNaN(lp.Logprob) && !math.IsInf(lp.Logprob, 0) {
			v := lp.Logprob
			p = &v
		}
		out.TokenLogprobs = append(out.TokenLogprobs, p)
		if top > 0 {
			if p == nil {
				out.TopLogprobs = append(out.TopLogprobs, nil)
			} else {
				out.TopLogprobs = append(out.TopLogprobs, map[string]float64{lp.Token: *p})
			}
		}
	}
	return out
}

func (s *Server) streamCompletion(w http.ResponseWriter, r *http.Request, greq GenerateRequest, echo bool, id string, created int64, model string, usage bool) error {
	ev := startSSE(w)
	chunk := func(text string, finish *string) openai.CompletionResponse {
		return openai.CompletionResponse{ID: id, Object: "text_completion", Created: created, Model: model,
			Choices: []openai.CompletionChoice{{Index: 0, Text: text, FinishReason: finish}}}
	}
	if echo {
		if err := ev.send(chunk(greq.Prompt, nil)); err != nil {
			return nil
		}
	}
	res := GenerateResult{FinishReason: "length"}
	var err error
	if greq.MaxTokens > 0 {
		res, err = s.eng.Generate(r.Context(), greq, func(text string) error {
			if text == "" {
				return nil
			}
			return ev.send(chunk(text, nil))
		})
	}
	if err != nil {
		if r.Context().Err() == nil {
			ev.send(openai.ErrorBody{Error: openai.ErrorDetail{Message: err.Error(), Type: "server_error"}})
			ev.raw([]byte("[DONE]"))
		}
		return nil
	}
	ev.send(chunk("", strPtr(res.FinishReason)))
	if usage {
		u := openai.Usage{PromptTokens: res.PromptTokens, CompletionTokens: res.CompletionTokens, TotalTokens: res.PromptTokens + res.CompletionTokens}
		ev.send(openai.CompletionResponse{ID: id, Object: "text_completion", Created: created, Model: model, Choices: []openai.CompletionChoice{}, Usage: &u})
	}
	ev.raw([]byte("[DONE]"))
	return nil
}

// embeddingOut is the wire form of one embedding (floats or base64).
type embeddingOut struct {
	Object    string `json:"object"`
	Index     int    `json:"index"`
	Embedding any    `json:"embedding"`
}

func (s *Server) embeddings(w http.ResponseWriter, r *http.Request) error {
	var req openai.EmbeddingRequest
	if err := decodeBody(r, &req); err != nil {
		return err
	}
	if err := s.checkModel(req.Model); err != nil {
		return err
	}
	emb, ok := s.eng.(Embedder)
	if !ok {
		return errorf(http.StatusBadRequest, "the model %q does not support embeddings", s.eng.ModelID())
	}
	texts, err := req.Inputs()
	if err != nil {
		return &apiError{status: 400, typ: "invalid_request_error", param: "input", msg: err.Error()}
	}
	if len(texts) > 2048 {
		return &apiError{status: 400, typ: "invalid_request_error", param: "input", msg: fmt.Sprintf("at most 2048 inputs, got %d", len(texts))}
	}
	switch req.EncodingFormat {
	case "", "float", "base64":
	default:
		return &apiError{status: 400, typ: "invalid_request_error", param: "encoding_format", msg: fmt.Sprintf("encoding_format must be float or base64, got %q", req.EncodingFormat)}
	}
	release, err := s.acquire(r.Context())
	if err != nil {
		return err
	}
	defer release()
	vecs, err := emb.Embed(r.Context(), texts)
	if err != nil {
		return err
	}
	if len(vecs) != len(texts) {
		return errorf(http.StatusInternalServerError, "engine returned %d embeddings for %d inputs", len(vecs), len(texts))
	}
	out := struct {
		Object string         `json:"object"`
		Data   []embeddingOut `json:"data"`
		Model  string         `json:"model"`
		Usage  openai.Usage   `json:"usage"`
	}{Object: "list", Model: s.eng.ModelID(), Data: make([]embeddingOut, len(vecs))}
	for i, v := range vecs {
		for _, x := range v {
			if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
				return errorf(http.StatusInternalServerError, "engine returned a non-finite embedding for input %d", i)
			}
		}
		var e any = v
		if req.EncodingFormat == "base64" {
			e = openai.Vector(v).Base64()
		}
		out.Data[i] = embeddingOut{Object: "embedding", Index: i, Embedding: e}
		if tc, ok := s.eng.(TokenCounter); ok {
			out.Usage.PromptTokens += tc.CountTokens(texts[i])
		}
	}
	out.Usage.TotalTokens = out.Usage.PromptTokens
	return writeJSON(w, out)
}

func (s *Server) modelEntry() openai.Model {
	return openai.Model{ID: s.eng.ModelID(), Object: "model", Created: s.created, OwnedBy: "taonet"}
}

func (s *Server) models(w http.ResponseWriter, r *http.Request) error {
	return writeJSON(w, openai.ModelList{Object: "list", Data: []openai.Model{s.modelEntry()}})
}

func (s *Server) model(w http.ResponseWriter, r *http.Request) error {
	if err := s.checkModel(r.PathValue("id")); err != nil {
		return err
	}
	return writeJSON(w, s.modelEntry())
}
