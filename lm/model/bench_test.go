package model

import (
	"context"
	"testing"
)

// benchModel builds a randomly initialized preset model and a batch.
func benchModel(b *testing.B, arch Arch, size string, B, T int) (*Model, []int, []int) {
	b.Helper()
	c, err := Preset(arch, size)
	if err != nil {
		b.Fatal(err)
	}
	m, err := New(c)
	if err != nil {
		b.Fatal(err)
	}
	m.InitRandom(1)
	tokens, targets := make([]int, B*T), make([]int, B*T)
	for i := range tokens {
		tokens[i] = (i*7919 + 13) % c.VocabSize
	}
	for i := range targets {
		targets[i] = tokens[(i+1)%len(tokens)]
	}
	return m, tokens, targets
}

func benchForward(b *testing.B, arch Arch, size string, B, T int) {
	m, tokens, targets := benchModel(b, arch, size, B, T)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := m.TokenNLL(tokens, targets, B, T); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(B*T*b.N)/b.Elapsed().Seconds(), "tokens/s")
}

func benchTrain(b *testing.B, arch Arch, size string, B, T int) {
	m, tokens, targets := benchModel(b, arch, size, B, T)
	m.AllocGrads()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		m.ZeroGrads()
		if _, _, err := m.ForwardBackward(tokens, targets, B, T, 1); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(B*T*b.N)/b.Elapsed().Seconds(), "tokens/s")
}

// Forward + loss, GPT-2 124M, B=4, T=256 (the benchmark shape).
func BenchmarkForwardGPT2_124M(b *testing.B) { benchForward(b, GPT2, "124m", 4, 256) }

// Forward + backward, GPT-2 124M, B=4, T=256 (optimizer step excluded; see bench/lm).
func BenchmarkTrainGPT2_124M(b *testing.B) { benchTrain(b, GPT2, "124m", 4, 256) }

// Forward + loss, ~16M GPT-2 (4 layers, width 256), B=8, T=128.
func BenchmarkForwardGPT2_15M(b *testing.B) { benchForward(b, GPT2, "15m", 8, 128) }

// Forward + backward, ~16M GPT-2, B=8, T=128.
func BenchmarkTrainGPT2_15M(b *testing.B) { benchTrain(b, GPT2, "15m", 8, 128) }

// Forward + loss, ~15M Llama, B=8, T=128.
func BenchmarkForwardLlama_15M(b *testing.B) { benchForward(b, Llama, "15m", 8, 128) }

// Forward + backward, ~15M Llama, B=8, T=128.
func BenchmarkTrainLlama_15M(b *testing.B) { benchTrain(b, Llama, "15m", 8, 128) }

// Generation with the KV cache: 64 new tokens after a 64-token prompt, ~16M GPT-2.
func BenchmarkGenerateGPT2_15M(b *testing.B) {
	m, tokens, _ := benchModel(b, GPT2, "15m", 1, 64)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := m.Generate(context.Background(), tokens, GenerateOptions{MaxTokens: 64}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(64*b.N)/b.Elapsed().Seconds(), "new-tokens/s")
}

// Validator workload: per-sample response loss of 16 samples of up to 512
// tokens (the first half of each is prompt) on the ~16M GPT-2, batch 8.
func BenchmarkSampleLossesGPT2_15M(b *testing.B) {
	m, _, _ := benchModel(b, GPT2, "15m", 1, 1)
	var samples []Sample
	tokens := 0
	for i := 0; i < 16; i++ {
		n := 256 + (i*97)%257
		s := Sample{Tokens: make([]int, n), Mask: make([]bool, n)}
		for j := range s.Tokens {
			s.Tokens[j] = (i*131 + j*7919) % m.Config.VocabSize
			s.Mask[j] = j >= n/2
		}
		samples = append(samples, s)
		tokens += n
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := m.SampleLosses(samples, 8); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(tokens*b.N)/b.Elapsed().Seconds(), "tokens/s")
}
