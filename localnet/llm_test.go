package localnet

import (
	"context"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
)

// startLLM serves a model directory over the OpenAI-compatible API with
// request metrics, and points the network's LLM URL at it.
func TestStartLLMServesModel(t *testing.T) {
	dir := t.TempDir()
	cfg := Competition(10)
	tok, err := cfg.LoadTokenizer(&cfg.Competitions[0])
	if err != nil {
		t.Fatal(err)
	}
	mdir := filepath.Join(dir, "model")
	if err := initBase(mdir, tok); err != nil {
		t.Fatal(err)
	}
	n := &Net{o: Options{Dir: dir, LLMModelDir: mdir}.Defaults()}
	n.ctx, n.cancel = context.WithCancel(context.Background())
	defer n.Stop()
	if _, err := n.startLLM(context.Background()); err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(n.o.LLMURL, "/v1") || n.o.LLMModel == "" {
		t.Fatalf("LLM url %q model %q", n.o.LLMURL, n.o.LLMModel)
	}
	resp, err := http.Post(n.o.LLMURL+"/chat/completions", "application/json",
		strings.NewReader(`{"model":"`+n.o.LLMModel+`","messages":[{"role":"user","content":"hi"}],"max_tokens":4}`))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"choices"`) {
		t.Fatalf("chat completion: %d %s", resp.StatusCode, body)
	}
	p := n.Processes()
	if len(p) != 1 || p[0].Metrics == "" {
		t.Fatalf("processes %+v", p)
	}
	resp, err = http.Get(p[0].Metrics)
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), `taonet_llm_requests_total{code="200",path="/v1/chat/completions"} 1`) {
		t.Fatalf("metrics:\n%s", body)
	}
}
