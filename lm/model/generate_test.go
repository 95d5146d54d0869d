package model

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// The KV-cache path must agree with the full forward pass: prefill + one-token
// steps give the logits of the last position of the whole sequence.
func TestKVCacheMatchesForward(t *testing.T) {
	for _, arch := range []Arch{GPT2, Llama} {
		m, _ := New(tinyConfig(arch))
		m.InitRandom(21)
		seq := []int{3, 17, 5, 44, 9, 12, 30, 1, 7}
		cache, err := m.NewKVCache(16)
		if err != nil {
			t.Fatal(err)
		}
		got, err := m.Extend(cache, seq[:4])
		if err != nil {
			t.Fatal(err)
		}
		for n := 4; ; n++ {
			full, err := m.Logits(seq[:n], 1, n)
			if err != nil {
				t.Fatal(err)
			}
			want := full[(n-1)*50 : n*50]
			for i := range want {
				if math.Abs(float64(got[i]-want[i])) > 1e-5 {
					t.Fatalf("%s: position %d logit %d: cache %v, full %v", arch, n-1, i, got[i], want[i])
				}
			}
			if n == len(seq) {
				break
			}
			if got, err = m.Extend(cache, seq[n:n+1]); err != nil {
				t.Fatal(err)
			}
		}
		if cache.Len() != len(seq) {
			t.Fatalf("cache holds %d positions", cache.Len())
		}
	}
}

func TestGenerate(t *testing.T) {
	m, _ := New(tinyConfig(Llama))
	m.InitRandom(4)
	prompt := []int{1, 8, 9}
	ctx := context.Background()
	g, err := m.Generate(ctx, prompt, GenerateOptions{MaxTokens: 6})
	if err != nil {
		t.Fatal(err)
	}
	if len(g.Tokens) != 6 || len(g.Logprobs) != 6 || g.FinishReason != "length" {
		t.Fatalf("greedy: %+v", g)
	}
	for _, lp := range g.Logprobs {
		if !(lp <= 0) || lp < -20 {
			t.Fatalf("implausible logprob %v", lp)
		}
	}
	// Greedy must equal argmax of repeated full forward passes.
	seq := append([]int(nil), prompt...)
	for i := 0; i < 6; i++ {
		logits, _ := m.Logits(seq, 1, len(seq))
		last := logits[(len(seq)-1)*50:]
		best := 0
		for j, v := range last[:50] {
			if v > last[best] {
				best = j
			}
		}
		if best != g.Tokens[i] {
			t.Fatalf("greedy token %d = %d, full forward argmax %d", i, g.Tokens[i], best)
		}
		seq = append(seq, best)
	}
	// Seeded sampling is reproducible, and different seeds can differ.
	o := GenerateOptions{MaxTokens: 8, Temperature: 1.5, TopP: 0.9, Seed: 9}
	a, _ := m.Generate(ctx, prompt, o)
	b, _ := m.Generate(ctx, prompt, o)
	if fmt.Sprint(a.Tokens) != fmt.Sprint(b.Tokens) {
		t.Fatalf("same seed, different output: %v vs %v", a.Tokens, b.Tokens)
	}
	// Stop token ends generation without including it.
	s, _ := m.Generate(ctx, prompt, GenerateOptions{MaxTokens: 6, StopTokens: []int{g.Tokens[2]}})
	if s.FinishReason != "stop" || len(s.Tokens) != 2 {
		t.Fatalf("stop token: %+v (greedy %v)", s, g.Tokens)
	}
	// Stop strings cut the text.
	dec := func(ids []int) string {
		var sb strings.Builder
		for _, id := range ids {
			fmt.Fprintf(&sb, "<%d>", id)
		}
		return sb.String()
	}
	stop := fmt.Sprintf("<%d>", g.Tokens[1])
	s, _ = m.Generate(ctx, prompt, GenerateOptions{MaxTokens: 6, Stop: []string{stop}, Decode: dec})
	if s.FinishReason != "stop" || s.Text != fmt.Sprintf("<%d>", g.Tokens[0]) {
		t.Fatalf("stop string: %+v", s)
	}
	for _, bad := range []GenerateOptions{{MaxTokens: 0}, {MaxTokens: 1, Temperature: -1}, {MaxTokens: 1, Stop: []string{"x"}}} {
		if _, err := m.Generate(ctx, prompt, bad); err == nil {
			t.Errorf("options %+v accepted", bad)
		}
	}
	other, _ := New(tinyConfig(GPT2))
	oc, _ := other.NewKVCache(8)
	if _, err := m.Extend(oc, []int{1}); err == nil {
		t.Error("foreign KV cache accepted")
	}
	if _, err := m.Generate(ctx, []int{99}, GenerateOptions{MaxTokens: 1}); err == nil {
		t.Error("out-of-vocabulary prompt accepted")
	}
}

func TestSampleTopP(t *testing.T) {
	logits := []float32{5, 4.9, -10, -10, -10}
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 200; i++ {
		if id := sample(logits, 1, 0.9, rng); id > 1 {
			t.Fatalf("top-p sampled a token outside the nucleus: %d", id)
		}
	}
	if id := sample(logits, 0, 0, rng); id != 0 {
		t.Fatalf("greedy = %d", id)
	}
}
