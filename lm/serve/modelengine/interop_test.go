package modelengine

import (
	"context"
	"encoding/json"
	"math"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/taonet/taonet/lm/model"
	"github.com/taonet/taonet/lm/serve"
	"github.com/taonet/taonet/lm/serve/openai"
)

// interopDir finds <repo>/interop/<name> with its installed node_modules, or
// skips (fails under CI=true, where scripts/setup.sh test installs it).
func interopDir(t *testing.T, name string) string {
	t.Helper()
	need := func(format string, args ...any) {
		t.Helper()
		if os.Getenv("CI") == "true" {
			t.Fatalf(format+" (run scripts/setup.sh test)", args...)
		}
		t.Skipf(format, args...)
	}
	if _, err := exec.LookPath("node"); err != nil {
		need("node is not installed")
	}
	dir, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test directory")
		}
		dir = parent
	}
	dir = filepath.Join(dir, "interop", name)
	if _, err := os.Stat(filepath.Join(dir, "node_modules", name, "package.json")); err != nil {
		need("%s is not installed in %s", name, dir)
	}
	return dir
}

// sdkCompletion is the part of the SDK's completion objects the test reads.
type sdkCompletion struct {
	Choices []struct {
		Index    int    `json:"index"`
		Text     string `json:"text"`
		Logprobs *struct {
			Tokens        []string             `json:"tokens"`
			TokenLogprobs []*float64           `json:"token_logprobs"`
			TopLogprobs   []map[string]float64 `json:"top_logprobs"`
			TextOffset    []int                `json:"text_offset"`
		} `json:"logprobs"`
		PromptLogprobs []map[string]openai.PromptLogprob `json:"prompt_logprobs"`
	} `json:"choices"`
	Usage openai.Usage `json:"usage"`
}

// TestOpenAINodeTokenPrompts drives /v1/completions with the official openai
// npm SDK (interop/openai): token-id prompts with echo + logprobs, lists of
// them, vLLM's prompt_logprobs, generation from ids and a bad id. Every
// logprob must equal the model's own TokenNLL score exactly (JSON carries
// float64 losslessly), so an evaluator scoring through the API gets the
// engine's numbers.
func TestOpenAINodeTokenPrompts(t *testing.T) {
	dir := interopDir(t, "openai")
	e, m, tok := tinyEngine(t, model.Llama)
	srv := httptest.NewServer(serve.New(e, serve.Options{}))
	defer srv.Close()

	prompts := [][]int{
		tok.EncodeOrdinary("The quick brown fox jumps"),
		{7, 8, 9},
		tok.EncodeOrdinary(" over the lazy dog, twice."),
	}
	pj, _ := json.Marshal(prompts)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", "completions.mjs", srv.URL, "tiny", string(pj))
	cmd.Dir = dir
	raw, err := cmd.Output()
	if err != nil {
		stderr := ""
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		t.Fatalf("node: %v\n%s", err, stderr)
	}
	var out struct {
		Single, Batch, Vllm, Gen, Text sdkCompletion
		Bad                            *struct {
			Status  int    `json:"status"`
			Message string `json:"message"`
		}
	}
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("%v: %s", err, raw)
	}

	// want[i][j] is the model's logprob of prompts[i][j] given the ids before it.
	want := make([][]float64, len(prompts))
	for i, ids := range prompts {
		nll, err := m.TokenNLL(ids[:len(ids)-1], ids[1:], 1, len(ids)-1)
		if err != nil {
			t.Fatal(err)
		}
		want[i] = []float64{math.NaN()}
		for _, v := range nll {
			want[i] = append(want[i], -float64(v))
		}
	}
	checkEcho := func(name string, c sdkCompletion, idx, pi int) {
		t.Helper()
		ch := c.Choices[idx]
		if ch.Index != idx || ch.Text != tok.Decode(prompts[pi]) || ch.Logprobs == nil {
			t.Fatalf("%s: choice %d = %+v", name, idx, ch)
		}
		lp := ch.Logprobs
		if len(lp.TokenLogprobs) != len(prompts[pi]) || lp.TokenLogprobs[0] != nil {
			t.Fatalf("%s: %d logprobs (first %v) for %d ids", name, len(lp.TokenLogprobs), lp.TokenLogprobs[0], len(prompts[pi]))
		}
		off := 0
		for j, id := range prompts[pi] {
			if lp.Tokens[j] != tok.Decode([]int{id}) || lp.TextOffset[j] != off {
				t.Fatalf("%s: token %d = %q at %d", name, j, lp.Tokens[j], lp.TextOffset[j])
			}
			off += len(tok.DecodeBytes([]int{id}))
			if j > 0 && *lp.TokenLogprobs[j] != want[pi][j] {
				t.Fatalf("%s: prompt %d token %d logprob %v, model %v", name, pi, j, *lp.TokenLogprobs[j], want[pi][j])
			}
		}
	}
	if len(out.Single.Choices) != 1 || out.Single.Usage.PromptTokens != len(prompts[0]) || out.Single.Usage.CompletionTokens != 0 {
		t.Fatalf("single: %+v", out.Single)
	}
	checkEcho("single", out.Single, 0, 0)
	if len(out.Batch.Choices) != len(prompts) {
		t.Fatalf("batch: %d choices", len(out.Batch.Choices))
	}
	for i := range prompts {
		checkEcho("batch", out.Batch, i, i)
		if got := out.Batch.Choices[i].Logprobs.TopLogprobs; len(got) != len(prompts[i]) || got[0] != nil {
			t.Fatalf("batch top_logprobs %v", got)
		}
	}

	pl := out.Vllm.Choices[0].PromptLogprobs
	if len(pl) != len(prompts[0]) || pl[0] != nil || out.Vllm.Choices[0].Text != "" {
		t.Fatalf("prompt_logprobs: %+v", out.Vllm.Choices[0])
	}
	for j := 1; j < len(pl); j++ {
		got, ok := pl[j][strconv.Itoa(prompts[0][j])]
		if !ok || len(pl[j]) != 1 || got.Logprob != want[0][j] || got.DecodedToken != tok.Decode(prompts[0][j:j+1]) {
			t.Fatalf("prompt_logprobs[%d] = %+v, want id %d logprob %v", j, pl[j], prompts[0][j], want[0][j])
		}
	}

	g, err := m.Generate(context.Background(), prompts[0], model.GenerateOptions{MaxTokens: 5, Decode: tok.Decode})
	if err != nil {
		t.Fatal(err)
	}
	if got := out.Gen.Choices[0].Text; got != tok.Decode(prompts[0])+g.Text {
		t.Fatalf("generation from ids: %q, model %q", got, tok.Decode(prompts[0])+g.Text)
	}

	// Text prompts in a list still work, each scored on its own.
	if len(out.Text.Choices) != 2 || out.Text.Choices[1].Text != "General Kenobi" || out.Text.Choices[1].Index != 1 {
		t.Fatalf("text prompts: %+v", out.Text)
	}
	if out.Bad == nil || out.Bad.Status != 400 {
		t.Fatalf("bad token id: %+v", out.Bad)
	}
	t.Logf("SDK error for a bad id: %s", out.Bad.Message)
}
