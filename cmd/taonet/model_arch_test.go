package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/taonet/taonet/lm/model"
	"github.com/taonet/taonet/lm/tokenizer"
	"github.com/taonet/taonet/lm/train"
	"github.com/taonet/taonet/subnets/finetuning/competition"
)

// TestModelEvalDecoderFixtures: the StableLM, Qwen2 and Gemma2 golden
// fixtures (lm/testdata, checked against PyTorch in lm/model) load and
// evaluate from the CLI with the byte-level tokenizer; the printed mean loss
// is the library's, and an unknown architecture names the supported ones.
func TestModelEvalDecoderFixtures(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data.jsonl")
	os.WriteFile(data, []byte(`{"prompt":"What is two plus two?","response":"Four."}
{"prompt":"Name a colour.","response":"Blue, or green."}
`), 0o644)
	for _, arch := range []string{"stablelm", "qwen2", "gemma2"} {
		dir := t.TempDir()
		for _, f := range []string{"config.json", "model.safetensors"} {
			b, err := os.ReadFile(filepath.Join("..", "..", "lm", "testdata", arch, f))
			if err != nil {
				t.Fatal(err)
			}
			os.WriteFile(filepath.Join(dir, f), b, 0o644)
		}
		os.WriteFile(filepath.Join(dir, "tokenizer.json"), competition.ByteTokenizerJSON(), 0o644)
		out, err := runTaonet(t, "model", "eval", "--model", dir, "--data", data, "--batch", "2", "--seq-len", "0")
		if err != nil {
			t.Fatalf("%s eval: %v\n%s", arch, err, out)
		}
		got := meanLoss(t, out)
		m, err := model.Load(dir)
		if err != nil {
			t.Fatal(err)
		}
		tok, _ := tokenizer.Load(filepath.Join(dir, "tokenizer.json"))
		exs, _ := train.LoadJSONL(data)
		samples, err := train.EncodeExamples(tok, train.Family(m.Config.Arch), exs, m.Config.MaxPos)
		if err != nil {
			t.Fatal(err)
		}
		losses, err := m.SampleLosses(samples, 1)
		if err != nil {
			t.Fatal(err)
		}
		want := (losses[0] + losses[1]) / 2
		if fmt.Sprintf("%.6f", got) != fmt.Sprintf("%.6f", want) || got < 3 || got > 9 {
			t.Fatalf("%s: CLI mean loss %v, library %v", arch, got, want)
		}
		t.Logf("%s: mean loss %.6f", arch, got)
		out, err = runTaonet(t, "model", "generate", "--model", dir, "--prompt", "Hi", "--max-tokens", "4", "--temperature", "0", "--seed", "0")
		if err != nil {
			t.Fatalf("%s generate: %v\n%s", arch, err, out)
		}
	}
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "config.json"), []byte(`{"architectures":["MambaForCausalLM"]}`), 0o644)
	_, err := runTaonet(t, "model", "eval", "--model", dir, "--data", data)
	if err == nil || !strings.Contains(err.Error(), `unsupported architecture "MambaForCausalLM" (supported: BertModel, GPT2LMHeadModel, GPTNeoXForCausalLM, Gemma2ForCausalLM`) {
		t.Fatalf("unknown architecture: %v", err)
	}
}

// TestModelInitBF16: `model init --dtype bf16` writes bf16 weights, which
// `model eval` uses 16-bit (the mean loss is the widened model's within
// float32 noise: the same weights on the decoder pass).
func TestModelInitBF16(t *testing.T) {
	// Flag values persist in the shared root command: restore the default.
	t.Cleanup(func() {
		if c, _, err := rootCmd.Find([]string{"model", "init"}); err == nil {
			c.Flags().Set("dtype", "f32")
		}
	})
	dir := filepath.Join(t.TempDir(), "m")
	if out, err := runTaonet(t, "model", "init", "--arch", "llama", "--size", "tiny", "--dtype", "bf16", "--out", dir, "--seed", "3"); err != nil {
		t.Fatalf("init: %v\n%s", err, out)
	}
	raw, _ := os.ReadFile(filepath.Join(dir, "config.json"))
	if !strings.Contains(string(raw), `"torch_dtype": "bfloat16"`) {
		t.Fatalf("config.json: %s", raw)
	}
	m, err := model.LoadInference(dir)
	if err != nil || m.HalfBytes() == 0 {
		t.Fatalf("bf16 model: %v, %d 16-bit bytes", err, m.HalfBytes())
	}
	data := filepath.Join(t.TempDir(), "data.jsonl")
	os.WriteFile(data, []byte(`{"prompt":"What is two plus two?","response":"Four."}`+"\n"), 0o644)
	out, err := runTaonet(t, "model", "eval", "--model", dir, "--data", data)
	if err != nil {
		t.Fatalf("eval: %v\n%s", err, out)
	}
	if l := meanLoss(t, out); l < 9 || l > 12 {
		t.Fatalf("random bf16 model mean loss %v", l)
	}
}
