package serve

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/taonet/taonet/lm/serve/openai"
)

// testEngine is a deterministic engine: it "generates" the words w0 w1 ...,
// honours stop strings, max tokens and ctx, and scores prompts word by word.
type testEngine struct {
	canceled chan struct{} // closed when a "SLOW" generation sees ctx done
	started  chan struct{} // receives when a "SLOW" generation starts
	mu       sync.Mutex
	seeds    []int64
}

func newTestEngine() *testEngine {
	return &testEngine{canceled: make(chan struct{}), started: make(chan struct{}, 1)}
}

func (e *testEngine) ModelID() string { return "test-model" }

func (e *testEngine) Generate(ctx context.Context, req GenerateRequest, onText func(string) error) (GenerateResult, error) {
	e.mu.Lock()
	e.seeds = append(e.seeds, req.Seed)
	e.mu.Unlock()
	res := GenerateResult{PromptTokens: len(strings.Fields(req.Prompt)), FinishReason: "length"}
	if strings.Contains(req.Prompt, "FAIL") {
		return res, errors.New("engine exploded")
	}
	if strings.Contains(req.Prompt, "SLOW") {
		onText("w0")
		e.started <- struct{}{}
		<-ctx.Done()
		close(e.canceled)
		return res, ctx.Err()
	}
	var sb strings.Builder
	for i := 0; i < req.MaxTokens; i++ {
		piece := fmt.Sprintf(" w%d", i)
		if i == 0 {
			piece = piece[1:]
		}
		next := sb.String() + piece
		for _, st := range req.Stop {
			if j := strings.Index(next, st); j >= 0 {
				rest := next[sb.Len():j]
				if rest != "" {
					if err := onText(rest); err != nil {
						return res, err
					}
				}
				res.Text, res.FinishReason = next[:j], "stop"
				res.CompletionTokens = i + 1
				return res, nil
			}
		}
		if err := ctx.Err(); err != nil {
			return res, err
		}
		if err := onText(piece); err != nil {
			return res, err
		}
		sb.WriteString(piece)
		res.CompletionTokens = i + 1
	}
	res.Text = sb.String()
	return res, nil
}

func (e *testEngine) PromptLogprobs(ctx context.Context, prompt string) ([]TokenLogprob, error) {
	var out []TokenLogprob
	off := 0
	for i, w := range strings.SplitAfter(prompt, " ") {
		if w == "" {
			continue
		}
		lp := -float64(len(w))
		if i == 0 {
			lp = math.NaN()
		}
		out = append(out, TokenLogprob{Token: w, Logprob: lp, Offset: off})
		off += len(w)
	}
	return out, nil
}

func (e *testEngine) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	out := make([][]float32, len(texts))
	for i, t := range texts {
		out[i] = []float32{float32(len(t)), float32(strings.Count(t, "a")), 0.5}
	}
	return out, nil
}

func (e *testEngine) CountTokens(text string) int { return len(strings.Fields(text)) }

// genOnly has no optional capabilities.
type genOnly struct{ e *testEngine }

func (g genOnly) ModelID() string { return "gen-only" }
func (g genOnly) Generate(ctx context.Context, req GenerateRequest, on func(string) error) (GenerateResult, error) {
	return g.e.Generate(ctx, req, on)
}

func start(t *testing.T, eng Engine, opt Options) (*httptest.Server, *openai.Client) {
	t.Helper()
	srv := httptest.NewServer(New(eng, opt))
	t.Cleanup(srv.Close)
	c := openai.NewClient(srv.URL + "/v1")
	c.Backoff = 0
	return srv, c
}

func intp(i int) *int         { return &i }
func f64p(f float64) *float64 { return &f }
func msgs(s string) []openai.Message {
	return []openai.Message{{Role: "user", Content: openai.Content(s)}}
}

func TestModels(t *testing.T) {
	srv, c := start(t, newTestEngine(), Options{})
	ms, err := c.Models(context.Background())
	if err != nil || len(ms) != 1 || ms[0].ID != "test-model" || ms[0].Object != "model" {
		t.Fatalf("%v %v", ms, err)
	}
	resp, _ := http.Get(srv.URL + "/v1/models/test-model")
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	resp.Body.Close()
}

func TestChatNonStreaming(t *testing.T) {
	eng := newTestEngine()
	_, c := start(t, eng, Options{})
	seed := int64(7)
	resp, err := c.ChatCompletion(context.Background(), openai.ChatCompletionRequest{Model: "test-model", Messages: msgs("hi there"), MaxTokens: intp(3), Seed: &seed, N: intp(2)})
	if err != nil {
		t.Fatal(err)
	}
	if resp.Object != "chat.completion" || !strings.HasPrefix(resp.ID, "chatcmpl-") || resp.Model != "test-model" || len(resp.Choices) != 2 {
		t.Fatalf("%+v", resp)
	}
	ch := resp.Choices[0]
	if ch.Message.Role != "assistant" || ch.Message.Content != "w0 w1 w2" || ch.FinishReason != "length" {
		t.Fatalf("%+v", ch)
	}
	if resp.Usage.CompletionTokens != 6 || resp.Usage.TotalTokens != resp.Usage.PromptTokens+6 {
		t.Fatalf("usage %+v", resp.Usage)
	}
	if eng.seeds[0] != 7 || eng.seeds[1] != 8 {
		t.Fatalf("seeds %v", eng.seeds)
	}
	resp, err = c.ChatCompletion(context.Background(), openai.ChatCompletionRequest{Messages: msgs("x"), MaxTokens: intp(10), Stop: openai.Stop{"w3"}})
	if err != nil || resp.Choices[0].Message.Content != "w0 w1 w2 " || resp.Choices[0].FinishReason != "stop" {
		t.Fatalf("stop: %+v %v", resp, err)
	}
}

// readEvents parses a raw SSE body into data payloads.
func readEvents(t *testing.T, body io.Reader) []string {
	t.Helper()
	var out []string
	sc := bufio.NewScanner(body)
	blank := true
	for sc.Scan() {
		line := sc.Text()
		if line == "" {
			blank = true
			continue
		}
		if !blank {
			t.Fatalf("two lines in one event: %q", line)
		}
		blank = false
		d, ok := strings.CutPrefix(line, "data: ")
		if !ok {
			t.Fatalf("bad SSE line %q", line)
		}
		out = append(out, d)
	}
	return out
}

func TestChatStreamingWireFormat(t *testing.T) {
	srv, _ := start(t, newTestEngine(), Options{})
	body := `{"model":"test-model","messages":[{"role":"user","content":[{"type":"text","text":"hi"}]}],"max_tokens":3,"stream":true,"stream_options":{"include_usage":true}}`
	resp, err := http.Post(srv.URL+"/v1/chat/completions", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Fatalf("content type %q", ct)
	}
	ev := readEvents(t, resp.Body)
	if len(ev) != 7 || ev[len(ev)-1] != "[DONE]" {
		t.Fatalf("events %q", ev)
	}
	var chunks []map[string]any
	for _, e := range ev[:len(ev)-1] {
		var m map[string]any
		if err := json.Unmarshal([]byte(e), &m); err != nil {
			t.Fatal(err)
		}
		if m["object"] != "chat.completion.chunk" || m["model"] != "test-model" || m["id"] != chunks0ID(chunks, m) {
			t.Fatalf("chunk %v", m)
		}
		chunks = append(chunks, m)
	}
	choice := func(i int) map[string]any { return chunks[i]["choices"].([]any)[0].(map[string]any) }
	if d := choice(0)["delta"].(map[string]any); d["role"] != "assistant" || d["content"] != "" || choice(0)["finish_reason"] != nil {
		t.Fatalf("first chunk %v", chunks[0])
	}
	var text string
	for i := 1; i <= 3; i++ {
		text += choice(i)["delta"].(map[string]any)["content"].(string)
	}
	if text != "w0 w1 w2" {
		t.Fatalf("text %q", text)
	}
	if d := choice(4)["delta"].(map[string]any); len(d) != 0 || choice(4)["finish_reason"] != "length" {
		t.Fatalf("final chunk %v", chunks[4])
	}
	if u := chunks[5]["usage"].(map[string]any); u["completion_tokens"] != 3.0 || len(chunks[5]["choices"].([]any)) != 0 {
		t.Fatalf("usage chunk %v", chunks[5])
	}
}

func chunks0ID(chunks []map[string]any, m map[string]any) any {
	if len(chunks) == 0 {
		return m["id"]
	}
	return chunks[0]["id"]
}

func TestChatStreamingClient(t *testing.T) {
	_, c := start(t, newTestEngine(), Options{})
	var n int
	resp, err := c.ChatCompletionStream(context.Background(), openai.ChatCompletionRequest{Messages: msgs("hello"), MaxTokens: intp(5)}, func(openai.ChatCompletionChunk) error { n++; return nil })
	if err != nil {
		t.Fatal(err)
	}
	if resp.Choices[0].Message.Content != "w0 w1 w2 w3 w4" || resp.Choices[0].FinishReason != "length" || n != 7 {
		t.Fatalf("%+v (%d chunks)", resp, n)
	}
	// An error mid-stream arrives in-band and the client reports it.
	_, err = c.ChatCompletionStream(context.Background(), openai.ChatCompletionRequest{Messages: msgs("FAIL")}, nil)
	if err == nil {
		t.Fatal("in-band error not reported")
	}
}

func TestCompletionsEchoLogprobs(t *testing.T) {
	_, c := start(t, newTestEngine(), Options{})
	resp, err := c.Completion(context.Background(), openai.CompletionRequest{Prompt: openai.PromptText("the cat sat"), MaxTokens: intp(0), Echo: true, Logprobs: intp(1)})
	if err != nil {
		t.Fatal(err)
	}
	ch := resp.Choices[0]
	if resp.Object != "text_completion" || ch.Text != "the cat sat" {
		t.Fatalf("%+v", resp)
	}
	lp := ch.Logprobs
	if fmt.Sprint(lp.Tokens) != "[the  cat  sat]" || fmt.Sprint(lp.TextOffset) != "[0 4 8]" {
		t.Fatalf("logprobs %+v", lp)
	}
	if lp.TokenLogprobs[0] != nil || *lp.TokenLogprobs[1] != -4 || *lp.TokenLogprobs[2] != -3 {
		t.Fatalf("token logprobs %v", lp.TokenLogprobs)
	}
	if lp.TopLogprobs[0] != nil || lp.TopLogprobs[2]["sat"] != -3 {
		t.Fatalf("top %v", lp.TopLogprobs)
	}
	if resp.Usage.PromptTokens != 3 {
		t.Fatalf("usage %+v", resp.Usage)
	}
	// Without echo: only the completion's tokens, offsets from the prompt start.
	resp, err = c.Completion(context.Background(), openai.CompletionRequest{Prompt: openai.PromptText("a b "), MaxTokens: intp(2), Logprobs: intp(0)})
	if err != nil {
		t.Fatal(err)
	}
	ch = resp.Choices[0]
	if ch.Text != "w0 w1" || fmt.Sprint(ch.Logprobs.Tokens) != "[w0  w1]" || fmt.Sprint(ch.Logprobs.TextOffset) != "[4 7]" || ch.Logprobs.TopLogprobs != nil {
		t.Fatalf("%+v %+v", ch, ch.Logprobs)
	}
}

func TestCompletionsStream(t *testing.T) {
	srv, _ := start(t, newTestEngine(), Options{})
	resp, err := http.Post(srv.URL+"/v1/completions", "application/json", strings.NewReader(`{"prompt":["p"],"max_tokens":2,"echo":true,"stream":true}`))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	ev := readEvents(t, resp.Body)
	var text string
	for _, e := range ev[:len(ev)-1] {
		var c openai.CompletionResponse
		if err := json.Unmarshal([]byte(e), &c); err != nil || c.Object != "text_completion" {
			t.Fatalf("%q %v", e, err)
		}
		text += c.Choices[0].Text
	}
	if text != "pw0 w1" || ev[len(ev)-1] != "[DONE]" {
		t.Fatalf("%q", ev)
	}
}

func TestEmbeddings(t *testing.T) {
	srv, c := start(t, newTestEngine(), Options{})
	resp, err := c.Embeddings(context.Background(), "test-model", []string{"banana", "a b c"})
	if err != nil {
		t.Fatal(err)
	}
	if resp.Object != "list" || len(resp.Data) != 2 || fmt.Sprint(resp.Data[0].Embedding) != "[6 3 0.5]" || resp.Data[1].Index != 1 || resp.Usage.PromptTokens != 4 {
		t.Fatalf("%+v", resp)
	}
	r, _ := http.Post(srv.URL+"/v1/embeddings", "application/json", strings.NewReader(`{"input":"aa","encoding_format":"base64"}`))
	var out openai.EmbeddingResponse
	json.NewDecoder(r.Body).Decode(&out)
	r.Body.Close()
	if fmt.Sprint(out.Data[0].Embedding) != "[2 2 0.5]" {
		t.Fatalf("base64: %+v", out)
	}
}

func TestErrors(t *testing.T) {
	srv, _ := start(t, newTestEngine(), Options{MaxBodyBytes: 1024})
	_, gc := start(t, genOnly{newTestEngine()}, Options{})
	cases := []struct {
		method, path, body string
		status             int
		typ, param, msg    string
	}{
		{"POST", "/v1/chat/completions", `{`, 400, "invalid_request_error", "", "invalid JSON"},
		{"POST", "/v1/chat/completions", `{"messages":[]}`, 400, "invalid_request_error", "messages", "must not be empty"},
		{"POST", "/v1/chat/completions", `{"model":"gpt-4","messages":[{"role":"user","content":"x"}]}`, 404, "not_found_error", "model", `"gpt-4" does not exist`},
		{"POST", "/v1/chat/completions", `{"messages":[{"role":"user","content":"x"}],"temperature":3}`, 400, "invalid_request_error", "temperature", "temperature"},
		{"POST", "/v1/chat/completions", `{"messages":[{"role":"user","content":"x"}],"top_p":0}`, 400, "invalid_request_error", "top_p", "top_p"},
		{"POST", "/v1/chat/completions", `{"messages":[{"role":"user","content":"x"}],"max_tokens":-1}`, 400, "invalid_request_error", "max_tokens", "max_tokens"},
		{"POST", "/v1/chat/completions", `{"messages":[{"role":"user","content":"x"}],"n":2,"stream":true}`, 400, "invalid_request_error", "n", "n=1"},
		{"POST", "/v1/chat/completions", `{"messages":[{"role":"tool","content":"x"}]}`, 400, "invalid_request_error", "", `role "tool"`},
		{"POST", "/v1/chat/completions", `{"messages":[{"role":"assistant","content":"x"}]}`, 400, "invalid_request_error", "", "without a user"},
		{"POST", "/v1/chat/completions", `{"messages":[{"role":"user","content":"FAIL"}]}`, 500, "server_error", "", "engine exploded"},
		{"POST", "/v1/chat/completions", `{"messages":[{"role":"user","content":"` + strings.Repeat("x", 2000) + `"}]}`, 413, "invalid_request_error", "", "exceeds 1024 bytes"},
		{"POST", "/v1/completions", `{"prompt":[1,2]}`, 400, "invalid_request_error", "prompt", "does not accept token-id prompts"},
		{"POST", "/v1/completions", `{"prompt":[1,-2]}`, 400, "invalid_request_error", "prompt", "non-negative"},
		{"POST", "/v1/completions", `{"prompt":["a","b"],"n":3,"stream":true}`, 400, "invalid_request_error", "n", "one prompt"},
		{"POST", "/v1/completions", `{"prompt":"x","prompt_logprobs":7}`, 400, "invalid_request_error", "prompt_logprobs", "[0, 5]"},
		{"POST", "/v1/completions", `{"prompt":"x","logprobs":9}`, 400, "invalid_request_error", "logprobs", "[0, 5]"},
		{"POST", "/v1/completions", `{"prompt":"x","stop":""}`, 400, "invalid_request_error", "stop", "empty"},
		{"POST", "/v1/embeddings", `{"input":[]}`, 400, "invalid_request_error", "input", "must not be empty"},
		{"POST", "/v1/embeddings", `{"input":"x","encoding_format":"hex"}`, 400, "invalid_request_error", "encoding_format", "base64"},
		{"GET", "/v1/chat/completions", ``, 405, "invalid_request_error", "", "not allowed"},
		{"GET", "/v1/nothing", ``, 404, "not_found_error", "", "no route"},
		{"GET", "/v1/models/other", ``, 404, "not_found_error", "model", "does not exist"},
	}
	for _, c := range cases {
		req, _ := http.NewRequest(c.method, srv.URL+c.path, strings.NewReader(c.body))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var eb struct {
			Error struct {
				Message string  `json:"message"`
				Type    string  `json:"type"`
				Param   *string `json:"param"`
				Code    *string `json:"code"`
			} `json:"error"`
		}
		raw, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err := json.Unmarshal(raw, &eb); err != nil {
			t.Fatalf("%s %s: body %q", c.method, c.path, raw)
		}
		param := ""
		if eb.Error.Param != nil {
			param = *eb.Error.Param
		}
		if resp.StatusCode != c.status || eb.Error.Type != c.typ || param != c.param || !strings.Contains(eb.Error.Message, c.msg) {
			t.Errorf("%s %s %.40s: got %d %+v, want %d %s %q %q", c.method, c.path, c.body, resp.StatusCode, eb.Error, c.status, c.typ, c.param, c.msg)
		}
	}
	// Optional capabilities missing.
	if _, err := gc.Completion(context.Background(), openai.CompletionRequest{Prompt: openai.PromptText("x"), Logprobs: intp(0), Echo: true}); err == nil || !strings.Contains(err.Error(), "does not support logprobs") {
		t.Fatalf("logprobs without scorer: %v", err)
	}
	var apiErr *openai.APIError
	if _, err := gc.Embeddings(context.Background(), "", []string{"x"}); !errors.As(err, &apiErr) || apiErr.Status != 400 {
		t.Fatalf("embeddings without embedder: %v", err)
	}
}

// TestClientDisconnectCancels: closing the client's stream cancels the
// engine's context.
func TestClientDisconnectCancels(t *testing.T) {
	eng := newTestEngine()
	_, c := start(t, eng, Options{})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := c.ChatCompletionStream(ctx, openai.ChatCompletionRequest{Messages: msgs("SLOW")}, nil)
		done <- err
	}()
	<-eng.started
	cancel()
	<-eng.canceled // the engine saw its context end
	if err := <-done; err == nil {
		t.Fatal("stream should fail after cancel")
	}
}

func TestConcurrentRequests(t *testing.T) {
	_, c := start(t, newTestEngine(), Options{Concurrency: 2})
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for i := 0; i < 16; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			if i%2 == 0 {
				r, err := c.ChatCompletion(context.Background(), openai.ChatCompletionRequest{Messages: msgs("x"), MaxTokens: intp(i)})
				if err == nil && len(strings.Fields(string(r.Choices[0].Message.Content))) != i {
					err = fmt.Errorf("got %q", r.Choices[0].Message.Content)
				}
				errs <- err
				return
			}
			_, err := c.ChatCompletionStream(context.Background(), openai.ChatCompletionRequest{Messages: msgs("y"), MaxTokens: intp(i)}, nil)
			errs <- err
		}(i)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
}

func TestFormatMessages(t *testing.T) {
	got, err := FormatMessages("gpt2", []openai.Message{
		{Role: "system", Content: "Be brief."},
		{Role: "user", Content: "2+2?"},
		{Role: "assistant", Content: "4"},
		{Role: "user", Content: "3+3?"},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := "Question: Be brief.\n\n2+2?\nAnswer: 4\nQuestion: 3+3?\nAnswer:"
	if got != want {
		t.Fatalf("%q\nwant %q", got, want)
	}
	got, _ = FormatMessages("llama", msgs("hi"))
	if got != "[INST] hi [/INST]" {
		t.Fatalf("%q", got)
	}
	if _, err := FormatMessages("gpt2", []openai.Message{{Role: "user", Content: "a"}, {Role: "user", Content: "b"}}); err == nil {
		t.Fatal("two users accepted")
	}
	var c openai.Content
	if err := json.Unmarshal([]byte(`[{"type":"image_url"}]`), &c); err == nil {
		t.Fatal("image part accepted")
	}
	if err := json.Unmarshal([]byte(`null`), &c); err != nil || c != "" {
		t.Fatal("null content")
	}
	_ = bytes.MinRead
}
