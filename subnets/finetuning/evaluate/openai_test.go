package evaluate

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/taonet/taonet/lm/model"
	"github.com/taonet/taonet/lm/serve"
	"github.com/taonet/taonet/lm/serve/modelengine"
	"github.com/taonet/taonet/subnets/finetuning/data"
)

func openaiSamples() []data.Sample {
	var out []data.Sample
	for i := 0; i < 11; i++ {
		out = append(out, data.Sample{Prompt: fmt.Sprintf("Question %d: what colour?", i), Response: strings.Repeat("blue ", 1+i%4)})
	}
	return out
}

// TestOpenAIBackendMatchesGo: losses computed through `model serve`'s
// completions API (token-id prompts, echo + logprobs) equal the built-in
// engine's bit for bit, for GPT-2 and Llama models, in batches that do not
// divide the sample count.
func TestOpenAIBackendMatchesGo(t *testing.T) {
	k, tok := setup(t)
	for _, mut := range []func(*model.Config){nil, llama(64)} {
		dir := t.TempDir()
		m := tiny(t, dir, mut)
		if err := tok.Save(filepath.Join(dir, "tokenizer.json")); err != nil {
			t.Fatal(err)
		}
		kc := *k
		kc.Architectures = []string{"gpt2", "llama"}
		b := Encode(openaiSamples(), &kc, tok)
		want, err := Losses(m, b, 4)
		if err != nil {
			t.Fatal(err)
		}
		eng, err := modelengine.Load(dir, modelengine.Options{ModelID: "m"})
		if err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(serve.New(eng, serve.Options{}))
		o := &OpenAI{BaseURL: srv.URL, ModelName: "m", Batch: 3}
		got, err := o.Losses(context.Background(), dir, &kc, tok, b)
		srv.Close()
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(want) {
			t.Fatalf("%d losses, want %d", len(got), len(want))
		}
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("%s sample %d: openai %v, go %v", m.Config.Arch, i, got[i], want[i])
			}
		}
	}
}

// TestOpenAIBackendFailures: every failure is an error naming its cause
// (not a rejection: the model is not at fault), and nothing is left running.
func TestOpenAIBackendFailures(t *testing.T) {
	k, tok := setup(t)
	dir := t.TempDir()
	tiny(t, dir, nil)
	b := Encode(openaiSamples()[:2], k, tok)
	noLogprobs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"id":"x","object":"text_completion","choices":[{"index":0,"text":"","logprobs":null,"finish_reason":"length"},{"index":1,"text":"","logprobs":null,"finish_reason":"length"}]}`)
	}))
	defer noLogprobs.Close()
	short := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"choices":[{"index":0,"logprobs":{"tokens":["a"],"token_logprobs":[null]}},{"index":1,"logprobs":{"tokens":["a"],"token_logprobs":[null]}}]}`)
	}))
	defer short.Close()
	cases := []struct {
		name string
		o    OpenAI
		want string
	}{
		{"engine exits", OpenAI{ServerCmd: "echo cannot load {model}; exit 3"}, "exited before serving"},
		{"engine output in the error", OpenAI{ServerCmd: "echo cannot load weights >&2; exit 3"}, "cannot load weights"},
		{"engine never ready", OpenAI{ServerCmd: "sleep 30", StartTimeout: 600 * time.Millisecond}, "not serving /v1/models after"},
		{"no logprobs", OpenAI{BaseURL: noLogprobs.URL}, "returned no prompt logprobs"},
		{"too few logprobs", OpenAI{BaseURL: short.URL}, "1 logprobs for"},
		{"nothing listening", OpenAI{BaseURL: "http://127.0.0.1:1"}, "connection refused"},
		{"no server", OpenAI{}, "neither a server command nor a base URL"},
	}
	for _, c := range cases {
		start := time.Now()
		_, err := c.o.Losses(context.Background(), dir, k, tok, b)
		if err == nil || !strings.Contains(err.Error(), c.want) || IsRejection(err) {
			t.Errorf("%s: err %v, want %q", c.name, err, c.want)
		}
		if time.Since(start) > 15*time.Second {
			t.Errorf("%s took %v", c.name, time.Since(start))
		}
	}
	// A directory that breaks the competition's rules is still a rejection.
	bad := t.TempDir()
	tiny(t, bad, func(c *model.Config) { c.MaxPos = 32 })
	if _, err := (&OpenAI{BaseURL: short.URL}).Losses(context.Background(), bad, k, tok, b); !IsRejection(err) {
		t.Errorf("short model: %v, want a rejection", err)
	}
}
