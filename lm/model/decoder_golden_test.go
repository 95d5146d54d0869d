package model

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestGoldenDecoders checks the decoder family against scripts/golden_lm.py's
// PyTorch implementation of the Hugging Face semantics: logits and per-token
// NLL (same tolerances as TestGoldenCausal), and the greedy continuation
// PyTorch computed by re-running the full sequence, which the KV-cached
// generation must reproduce token for token.
func TestGoldenDecoders(t *testing.T) {
	for _, arch := range []string{"qwen2", "mistral", "gemma", "gemma2", "phi3", "stablelm", "gpt_neox"} {
		t.Run(arch, func(t *testing.T) {
			m, err := Load(filepath.Join(testdata, arch))
			if err != nil {
				t.Fatal(err)
			}
			if string(m.Config.Arch) != arch {
				t.Fatalf("loaded as %s", m.Config.Arch)
			}
			g := loadGolden(t, arch)
			tokens, targets := goldenInts(t, g, "tokens"), goldenInts(t, g, "targets")
			B, T := 2, len(tokens)/2
			logits, err := m.Logits(tokens, B, T)
			if err != nil {
				t.Fatal(err)
			}
			assertClose(t, "logits", logits, goldenF32(t, g, "logits"), 2e-5, 1e-5)
			nll, err := m.TokenNLL(tokens, targets, B, T)
			if err != nil {
				t.Fatal(err)
			}
			assertClose(t, "nll", nll, goldenF32(t, g, "nll"), 1e-5, 1e-6)

			prompt, want := goldenInts(t, g, "gen_prompt"), goldenInts(t, g, "gen_tokens")
			gen, err := m.Generate(context.Background(), prompt, GenerateOptions{MaxTokens: len(want)})
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(gen.Tokens, want) {
				t.Fatalf("greedy continuation %v, PyTorch %v", gen.Tokens, want)
			}

			if _, _, err := m.ForwardBackward(tokens, targets, B, T, 1); err == nil || !strings.Contains(err.Error(), "training "+arch+" is not supported") {
				t.Fatalf("training: %v", err)
			}
		})
	}
}

// TestDecoderCachedMatchesFull: for every decoder architecture, the logits
// of KV-cached extension (one token at a time and in chunks) equal the
// full-sequence forward's last row, including past the sliding window.
func TestDecoderCachedMatchesFull(t *testing.T) {
	for _, arch := range []string{"qwen2", "mistral", "gemma", "gemma2", "phi3", "stablelm", "gpt_neox"} {
		m, err := Load(filepath.Join(testdata, arch))
		if err != nil {
			t.Fatal(err)
		}
		seq := []int{5, 9, 1, 33, 7, 60, 2, 14, 8, 21, 3}
		V := m.Config.VocabSize
		full, err := m.Logits(seq, 1, len(seq))
		if err != nil {
			t.Fatal(err)
		}
		for _, chunk := range []int{1, 4} {
			cache, _ := m.NewKVCache(len(seq))
			var last []float32
			for i := 0; i < len(seq); i += chunk {
				if last, err = m.Extend(cache, seq[i:min(i+chunk, len(seq))]); err != nil {
					t.Fatal(err)
				}
			}
			assertClose(t, arch+" cached logits", last, full[(len(seq)-1)*V:], 1e-5, 1e-5)
		}
	}
}

// TestDecoderConfigRoundTrip: saving writes a config.json that parses back
// to the same features, and the saved model loads with identical weights.
func TestDecoderConfigRoundTrip(t *testing.T) {
	for _, arch := range []string{"qwen2", "mistral", "gemma", "gemma2", "phi3", "stablelm", "gpt_neox"} {
		m, err := Load(filepath.Join(testdata, arch))
		if err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		if err := m.Save(dir); err != nil {
			t.Fatal(err)
		}
		m2, err := Load(dir)
		if err != nil {
			t.Fatal(err)
		}
		if m2.Config.Decoder != m.Config.Decoder || m2.Config.HeadDim != m.Config.HeadDim || m2.Config.KVHeads != m.Config.KVHeads ||
			m2.Config.TieEmbeddings != m.Config.TieEmbeddings || !slices.Equal(m2.Params, m.Params) {
			t.Fatalf("%s: round trip changed %+v into %+v", arch, m.Config.Decoder, m2.Config.Decoder)
		}
		if got, want := m.Config.NumParams(), int64(len(m.Params)); got != want {
			t.Fatalf("%s: NumParams %d, tensors hold %d", arch, got, want)
		}
	}
}
