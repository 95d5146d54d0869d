package modelengine

import (
	"context"
	"errors"
	"math"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/taonet/taonet/lm/model"
	"github.com/taonet/taonet/lm/serve"
	"github.com/taonet/taonet/lm/serve/openai"
	"github.com/taonet/taonet/lm/tokenizer"
)

func tinyEngine(t *testing.T, arch model.Arch) (*Engine, *model.Model, *tokenizer.Tokenizer) {
	t.Helper()
	cfg, err := model.Preset(arch, "tiny")
	if err != nil {
		t.Fatal(err)
	}
	m, err := model.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	m.InitRandom(1)
	tok, err := tokenizer.GPT2()
	if err != nil {
		t.Fatal(err)
	}
	e, err := New(m, tok, Options{ModelID: "tiny"})
	if err != nil {
		t.Fatal(err)
	}
	return e, m, tok
}

func collect(t *testing.T, e *Engine, req serve.GenerateRequest) (serve.GenerateResult, string) {
	t.Helper()
	var sb strings.Builder
	res, err := e.Generate(context.Background(), req, func(s string) error { sb.WriteString(s); return nil })
	if err != nil {
		t.Fatal(err)
	}
	return res, sb.String()
}

func TestGenerateMatchesModel(t *testing.T) {
	e, m, tok := tinyEngine(t, model.GPT2)
	prompt := "Question: hello\nAnswer:"
	res, streamed := collect(t, e, serve.GenerateRequest{Prompt: prompt, MaxTokens: 12})
	g, err := m.Generate(context.Background(), tok.EncodeOrdinary(prompt), model.GenerateOptions{MaxTokens: 12, StopTokens: []int{tokenizer.GPT2EOSID}, Decode: tok.Decode})
	if err != nil {
		t.Fatal(err)
	}
	if res.Text != g.Text || streamed != res.Text || res.CompletionTokens != len(g.Tokens) || res.PromptTokens != len(tok.EncodeOrdinary(prompt)) {
		t.Fatalf("engine %q (streamed %q, %d tokens), model %q (%d tokens)", res.Text, streamed, res.CompletionTokens, g.Text, len(g.Tokens))
	}
	if len(res.Text) < 4 {
		t.Skipf("greedy output too short for the stop test: %q", res.Text)
	}
	// A stop string from the middle of the greedy output cuts it there; no
	// part of the stop string is ever streamed.
	stop := res.Text[len(res.Text)/2 : len(res.Text)/2+2]
	cut := strings.Index(res.Text, stop)
	r2, s2 := collect(t, e, serve.GenerateRequest{Prompt: prompt, MaxTokens: 12, Stop: []string{stop}})
	if r2.Text != res.Text[:cut] || s2 != r2.Text || r2.FinishReason != "stop" {
		t.Fatalf("stop %q: got %q streamed %q (%s), want %q", stop, r2.Text, s2, r2.FinishReason, res.Text[:cut])
	}
}

func TestGenerateCallbackErrorAndCancel(t *testing.T) {
	e, _, _ := tinyEngine(t, model.GPT2)
	boom := errors.New("client gone")
	_, err := e.Generate(context.Background(), serve.GenerateRequest{Prompt: "hi", MaxTokens: 50}, func(string) error { return boom })
	if !errors.Is(err, boom) {
		t.Fatalf("err %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := e.Generate(ctx, serve.GenerateRequest{Prompt: "hi", MaxTokens: 50}, func(string) error { return nil }); !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v", err)
	}
	long := strings.Repeat("word ", 300)
	var re *serve.RequestError
	if _, err := e.Generate(context.Background(), serve.GenerateRequest{Prompt: long, MaxTokens: 5}, nil); !errors.As(err, &re) {
		t.Fatalf("long prompt: %v", err)
	}
}

// TestPromptLogprobs checks against a log-softmax of the model's logits.
func TestPromptLogprobs(t *testing.T) {
	e, m, tok := tinyEngine(t, model.GPT2)
	prompt := "The cat sat on the mat."
	lps, err := e.PromptLogprobs(context.Background(), prompt)
	if err != nil {
		t.Fatal(err)
	}
	ids := tok.EncodeOrdinary(prompt)
	if len(lps) != len(ids) || !math.IsNaN(lps[0].Logprob) {
		t.Fatalf("%d logprobs for %d ids, first %v", len(lps), len(ids), lps[0])
	}
	logits, err := m.Logits(ids, 1, len(ids))
	if err != nil {
		t.Fatal(err)
	}
	V := m.Config.VocabSize
	var text strings.Builder
	for i, lp := range lps {
		if lp.Offset != text.Len() {
			t.Fatalf("token %d offset %d, want %d", i, lp.Offset, text.Len())
		}
		text.WriteString(lp.Token)
		if i == 0 {
			continue
		}
		row := logits[(i-1)*V : i*V]
		mx := math.Inf(-1)
		for _, v := range row {
			mx = math.Max(mx, float64(v))
		}
		var sum float64
		for _, v := range row {
			sum += math.Exp(float64(v) - mx)
		}
		want := float64(row[ids[i]]) - mx - math.Log(sum)
		if math.Abs(lp.Logprob-want) > 1e-4 {
			t.Fatalf("token %d logprob %v, want %v", i, lp.Logprob, want)
		}
	}
	if text.String() != prompt {
		t.Fatalf("tokens join to %q", text.String())
	}
}

func TestEmbedBERT(t *testing.T) {
	e, _, _ := tinyEngine(t, model.BERT)
	vs, err := e.Embed(context.Background(), []string{"hello world", "something else entirely"})
	if err != nil {
		t.Fatal(err)
	}
	var n0 float64
	for _, x := range vs[0] {
		n0 += float64(x) * float64(x)
	}
	if len(vs) != 2 || math.Abs(n0-1) > 1e-4 {
		t.Fatalf("norm² %v", n0)
	}
	same := true
	for i := range vs[0] {
		same = same && vs[0][i] == vs[1][i]
	}
	if same {
		t.Fatal("different texts, same embedding")
	}
	var re *serve.RequestError
	if _, err := e.Generate(context.Background(), serve.GenerateRequest{Prompt: "x", MaxTokens: 1}, nil); !errors.As(err, &re) {
		t.Fatalf("BERT generate: %v", err)
	}
	g, _, _ := tinyEngine(t, model.GPT2)
	if _, err := g.Embed(context.Background(), []string{"x"}); !errors.As(err, &re) {
		t.Fatalf("GPT-2 embed: %v", err)
	}
}

// TestServeOverHTTP runs the real model behind the real server and client.
func TestServeOverHTTP(t *testing.T) {
	e, _, _ := tinyEngine(t, model.Llama)
	srv := httptest.NewServer(serve.New(e, serve.Options{}))
	defer srv.Close()
	c := openai.NewClient(srv.URL + "/v1")
	zero, n := 0.0, 8
	req := openai.ChatCompletionRequest{Model: "tiny", Messages: []openai.Message{{Role: "user", Content: "hi"}}, Temperature: &zero, MaxTokens: &n}
	full, err := c.ChatCompletion(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	streamed, err := c.ChatCompletionStream(context.Background(), req, nil)
	if err != nil {
		t.Fatal(err)
	}
	if full.Choices[0].Message.Content != streamed.Choices[0].Message.Content {
		t.Fatalf("stream %q vs %q", streamed.Choices[0].Message.Content, full.Choices[0].Message.Content)
	}
	zt := 0
	cr, err := c.Completion(context.Background(), openai.CompletionRequest{Prompt: openai.PromptText("a b c"), MaxTokens: &zt, Echo: true, Logprobs: &zt})
	if err != nil {
		t.Fatal(err)
	}
	lp := cr.Choices[0].Logprobs
	// Llama family: BOS precedes the prompt, so every prompt token is scored.
	if cr.Choices[0].Text != "a b c" || len(lp.Tokens) != 3 || lp.TokenLogprobs[0] == nil {
		t.Fatalf("%+v %+v", cr.Choices[0], lp)
	}
	if _, err := c.Embeddings(context.Background(), "tiny", []string{"x"}); err == nil {
		t.Fatal("llama embeddings accepted")
	}
}

func TestLoadDir(t *testing.T) {
	_, m, tok := tinyEngine(t, model.GPT2)
	dir := t.TempDir() + "/my-model"
	if err := m.Save(dir); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(dir, Options{}); err == nil {
		t.Fatal("loaded without tokenizer.json")
	}
	if err := tok.Save(dir + "/tokenizer.json"); err != nil {
		t.Fatal(err)
	}
	e, err := Load(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if e.ModelID() != "my-model" {
		t.Fatalf("id %q", e.ModelID())
	}
	res, _ := collect(t, e, serve.GenerateRequest{Prompt: "hi", MaxTokens: 3})
	if res.CompletionTokens == 0 && res.FinishReason != "stop" {
		t.Fatalf("%+v", res)
	}
	if _, err := Load(dir, Options{Pooling: "max"}); err == nil {
		t.Fatal("bad pooling accepted")
	}
}

// TestChatTemplateFromConfig: a tokenizer_config.json with a ChatML template
// makes chat requests use it, with its special tokens encoded as such.
func TestChatTemplateFromConfig(t *testing.T) {
	cfg, err := model.Preset(model.GPT2, "tiny")
	if err != nil {
		t.Fatal(err)
	}
	cfg.VocabSize = 50259
	m, err := model.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	m.InitRandom(2)
	dir := t.TempDir()
	if err := m.Save(dir); err != nil {
		t.Fatal(err)
	}
	// GPT-2's vocab plus the two ChatML tokens as added tokens.
	data, _ := tokenizer.GPT2JSON()
	data = []byte(strings.Replace(string(data), `"added_tokens":[`, `"added_tokens":[{"id":50257,"content":"<|im_start|>","special":true},{"id":50258,"content":"<|im_end|>","special":true},`, 1))
	tok, err := tokenizer.FromJSON(data)
	if err != nil {
		t.Fatal(err)
	}
	tok.Save(dir + "/tokenizer.json")
	os.WriteFile(dir+"/tokenizer_config.json", []byte(`{"eos_token":"<|im_end|>","chat_template":"{% if messages[0]['role'] == 'system' %}{{ raise_exception('System role not supported') }}{% endif %}{% for m in messages %}{{'<|im_start|>' + m['role'] + '\n' + m['content'] + '<|im_end|>' + '\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"}`), 0o644)
	e, err := Load(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	p, err := e.FormatMessages([]openai.Message{{Role: "user", Content: "hi"}})
	if err != nil || p != "<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n" {
		t.Fatalf("%q %v", p, err)
	}
	ids := e.tok.Encode(p)
	if ids[0] != 50257 || !slices.Contains(ids, 50258) {
		t.Fatalf("special tokens not encoded: %v", ids)
	}
	if eos, _ := e.tok.EOS(); eos != 50258 {
		t.Fatalf("EOS %d", eos)
	}
	// Over HTTP the chat request runs on the templated prompt.
	srv := httptest.NewServer(serve.New(e, serve.Options{}))
	defer srv.Close()
	n := 4
	resp, err := openai.NewClient(srv.URL+"/v1").ChatCompletion(context.Background(), openai.ChatCompletionRequest{Messages: []openai.Message{{Role: "user", Content: "hi"}}, MaxTokens: &n})
	if err != nil {
		t.Fatal(err)
	}
	if resp.Usage.PromptTokens != len(ids) {
		t.Fatalf("prompt tokens %d, want %d (templated)", resp.Usage.PromptTokens, len(ids))
	}
	// The template's own raise_exception is a 400 naming its message.
	_, err = openai.NewClient(srv.URL+"/v1").ChatCompletion(context.Background(), openai.ChatCompletionRequest{Messages: []openai.Message{{Role: "system", Content: "s"}, {Role: "user", Content: "hi"}}, MaxTokens: &n})
	var ae *openai.APIError
	if !errors.As(err, &ae) || ae.Status != 400 || !strings.Contains(ae.Message, "System role not supported") {
		t.Fatalf("template exception: %v", err)
	}
}
