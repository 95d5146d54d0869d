package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestFinetuneCommands(t *testing.T) {
	dir := t.TempDir()
	cfg, base, tuned, data := filepath.Join(dir, "c.json"), filepath.Join(dir, "base"), filepath.Join(dir, "tuned"), filepath.Join(dir, "d.jsonl")
	os.WriteFile(data, []byte(`{"prompt":"What is two plus two?","response":"Four."}
{"prompt":"Name a colour.","response":"Blue.","block":7}
`), 0o644)
	if out, err := runTaonet(t, "finetune", "config", "--out", cfg); err != nil {
		t.Fatalf("config: %v\n%s", err, out)
	}
	if out, err := runTaonet(t, "model", "init", "--arch", "gpt2", "--size", "tiny", "--out", base, "--seed", "1"); err != nil {
		t.Fatalf("init: %v\n%s", err, out)
	}
	out, err := runTaonet(t, "finetune", "miner", "train", "--config", cfg, "--base", base, "--data", data,
		"--steps", "2", "--batch", "2", "--warmup", "0", "--checkpoint-every", "0", "--out", tuned)
	if err != nil {
		t.Fatalf("train: %v\n%s", err, out)
	}
	if !strings.Contains(out, "step 2/2 loss") {
		t.Fatalf("no progress:\n%s", out)
	}
	for _, f := range []string{"config.json", "model.safetensors", "tokenizer.json"} {
		if _, err := os.Stat(filepath.Join(tuned, f)); err != nil {
			t.Fatalf("train did not write %s", f)
		}
	}
	if _, err := runTaonet(t, "finetune", "miner", "train", "--config", cfg, "--base", "", "--data", data, "--out", tuned, "--steps", "1"); err == nil || !strings.Contains(err.Error(), "exactly one of --base") {
		t.Fatalf("no start model: %v", err)
	}
	if _, err := runTaonet(t, "finetune", "miner", "train", "--config", cfg, "--base", base, "--out", tuned, "--steps", "1", "--data", ""); err == nil || !strings.Contains(err.Error(), "no data") {
		t.Fatalf("no data: %v", err)
	}
	os.WriteFile(cfg, []byte(`{"competitions": []}`), 0o644)
	if _, err := runTaonet(t, "finetune", "miner", "train", "--config", cfg, "--base", base, "--data", data); err == nil || !strings.Contains(err.Error(), "no competitions") {
		t.Fatalf("bad config: %v", err)
	}
}
