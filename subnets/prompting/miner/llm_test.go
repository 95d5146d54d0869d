package miner

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/taonet/taonet/keys"
	"github.com/taonet/taonet/lm/serve"
	"github.com/taonet/taonet/subnets/prompting/protocol"
	"github.com/taonet/taonet/synapse"
)

// cannedEngine is a language model with a fixed answer: the test is about
// the miner's streaming path through a real OpenAI-compatible server.
type cannedEngine struct{ prompts chan string }

func (cannedEngine) ModelID() string { return "canned" }

func (e cannedEngine) Generate(ctx context.Context, req serve.GenerateRequest, onText func(string) error) (serve.GenerateResult, error) {
	e.prompts <- req.Prompt
	ans := "Paris is the capital of France, on the Seine, with about two million inhabitants in the city proper."
	for _, w := range strings.SplitAfter(ans, " ") {
		if err := onText(w); err != nil {
			return serve.GenerateResult{}, err
		}
	}
	return serve.GenerateResult{Text: ans, FinishReason: "stop"}, nil
}

func TestLLMMinerStreamsThroughOpenAIServer(t *testing.T) {
	eng := cannedEngine{prompts: make(chan string, 1)}
	srv := httptest.NewServer(serve.New(eng, serve.Options{}))
	defer srv.Close()
	mk, _ := keys.FromURI("//Bob")
	vk, _ := keys.FromURI("//Alice")
	target := start(t, Config{Hotkey: mk, Responder: NewLLM(srv.URL+"/v1", "canned", ""), ChunkWords: 4})
	d, _ := synapse.NewDendrite(vk, synapse.DendriteConfig{})
	defer d.Close()
	r := synapse.StreamMany(context.Background(), d, []synapse.AxonInfo{target},
		protocol.NewChallenge("what's the capital of france?"), 10*time.Second, nil)[0]
	if !r.OK() {
		t.Fatalf("status %d %s", r.StatusCode, r.StatusMessage)
	}
	if !strings.HasPrefix(r.Synapse.Completion, "Paris is the capital of France") {
		t.Fatalf("completion %q", r.Synapse.Completion)
	}
	p := <-eng.prompts
	if !strings.Contains(p, DefaultSystemPrompt) || !strings.Contains(p, "what's the capital of france?") {
		t.Fatalf("prompt %q", p)
	}
}

func TestLLMMinerBackendDown(t *testing.T) {
	mk, _ := keys.FromURI("//Bob")
	vk, _ := keys.FromURI("//Alice")
	srv := httptest.NewServer(nil)
	url := srv.URL
	srv.Close() // nothing listens there any more
	target := start(t, Config{Hotkey: mk, Responder: NewLLM(url+"/v1", "m", "")})
	d, _ := synapse.NewDendrite(vk, synapse.DendriteConfig{})
	defer d.Close()
	r := synapse.StreamMany(context.Background(), d, []synapse.AxonInfo{target}, protocol.NewChallenge("hi"), 10*time.Second, nil)[0]
	if r.OK() && r.Synapse.Completion != "" {
		t.Fatalf("answered %q without a backend", r.Synapse.Completion)
	}
}
