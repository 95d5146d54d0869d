package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// runTaonet executes the root command with args and returns stdout+stderr.
func runTaonet(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	rootCmd.SetOut(&out)
	rootCmd.SetErr(&out)
	rootCmd.SetArgs(args)
	err := rootCmd.Execute()
	return out.String(), err
}

var meanLossRE = regexp.MustCompile(`mean loss ([0-9.]+) over (\d+) samples`)

func meanLoss(t *testing.T, out string) float64 {
	t.Helper()
	m := meanLossRE.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no mean loss in output:\n%s", out)
	}
	v, _ := strconv.ParseFloat(m[1], 64)
	return v
}

func TestModelCommands(t *testing.T) {
	dir := t.TempDir()
	base, tuned := filepath.Join(dir, "base"), filepath.Join(dir, "tuned")
	data := filepath.Join(dir, "data.jsonl")
	os.WriteFile(data, []byte(`{"prompt":"What is two plus two?","response":"Four."}
{"prompt":"Name a colour.","response":"Blue."}

{"prompt":"Say hello.","response":"Hello there."}
`), 0o644)

	out, err := runTaonet(t, "model", "init", "--arch", "gpt2", "--size", "tiny", "--out", base, "--seed", "1")
	if err != nil {
		t.Fatalf("init: %v\n%s", err, out)
	}
	for _, f := range []string{"config.json", "model.safetensors", "generation_config.json", "tokenizer.json"} {
		if _, err := os.Stat(filepath.Join(base, f)); err != nil {
			t.Fatalf("init did not write %s", f)
		}
	}
	if _, err := runTaonet(t, "model", "init", "--arch", "gpt2", "--size", "tiny", "--out", base, "--seed", "1"); err == nil {
		t.Fatal("init overwrote an existing model without --force")
	}
	if _, err := runTaonet(t, "model", "init", "--arch", "t5", "--size", "tiny", "--out", dir, "--force"); err == nil || !strings.Contains(err.Error(), "unknown architecture") {
		t.Fatalf("bad arch: %v", err)
	}

	out, err = runTaonet(t, "model", "eval", "--model", base, "--data", data, "--batch", "2", "--seq-len", "0")
	if err != nil {
		t.Fatalf("eval: %v\n%s", err, out)
	}
	before := meanLoss(t, out)
	if before < 9 || before > 12 { // ≈ ln(50257) = 10.8 for a random model
		t.Fatalf("random model mean loss %v", before)
	}

	out, err = runTaonet(t, "model", "train", "--model", base, "--data", data, "--out", tuned, "--steps", "12",
		"--lr", "3e-3", "--batch", "2", "--accum", "1", "--warmup", "2", "--seq-len", "64", "--quiet")
	if err != nil {
		t.Fatalf("train: %v\n%s", err, out)
	}
	out, err = runTaonet(t, "model", "eval", "--model", tuned, "--data", data, "--batch", "2", "--seq-len", "0")
	if err != nil {
		t.Fatalf("eval tuned: %v\n%s", err, out)
	}
	if after := meanLoss(t, out); !(after < before-1) {
		t.Fatalf("training did not lower the loss: %v -> %v", before, after)
	}

	out, err = runTaonet(t, "model", "generate", "--model", tuned, "--prompt", "Say hello.", "--chat", "--max-tokens", "5",
		"--temperature", "0", "--top-p", "1", "--seed", "0")
	if err != nil {
		t.Fatalf("generate: %v\n%s", err, out)
	}

	bad := filepath.Join(dir, "bad.jsonl")
	os.WriteFile(bad, []byte(`{"prompt":"a","response":"b"}`+"\n"+`{"prompt":"a"}`+"\n"), 0o644)
	if _, err := runTaonet(t, "model", "eval", "--model", base, "--data", bad, "--batch", "2", "--seq-len", "0"); err == nil || !strings.Contains(err.Error(), `line 2: missing "response"`) {
		t.Fatalf("bad data: %v", err)
	}
	if _, err := runTaonet(t, "model", "eval", "--model", filepath.Join(dir, "nope"), "--data", data, "--batch", "2", "--seq-len", "0"); err == nil {
		t.Fatal("missing model accepted")
	}
}
