package evaluate

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/taonet/taonet/lm/model"
	"github.com/taonet/taonet/lm/tokenizer"
	"github.com/taonet/taonet/subnets/finetuning/competition"
	"github.com/taonet/taonet/subnets/finetuning/data"
)

func setup(t *testing.T) (*competition.Competition, *tokenizer.Tokenizer) {
	c := competition.Default()
	k := &c.Competitions[0]
	k.Tokenizer = competition.ByteTokenizerName
	k.MaxParams = 100_000
	k.SequenceLength = 64
	tok, err := c.LoadTokenizer(k)
	if err != nil {
		t.Fatal(err)
	}
	return k, tok
}

func tiny(t *testing.T, dir string, mut func(*model.Config)) *model.Model {
	cfg := model.Config{Arch: model.GPT2, VocabSize: 257, Hidden: 16, Layers: 2, Heads: 2, KVHeads: 2,
		HeadDim: 8, FFN: 64, MaxPos: 64, NormEps: 1e-5, TieEmbeddings: true, BOS: 256, EOS: 256, Pad: -1}
	if mut != nil {
		mut(&cfg)
	}
	m, err := model.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	m.InitRandom(1)
	if err := m.Save(dir); err != nil {
		t.Fatal(err)
	}
	return m
}

// llama returns a config mutation to a tiny Llama with maxPos positions.
func llama(maxPos int) func(*model.Config) {
	return func(c *model.Config) {
		c.Arch, c.RopeTheta, c.HeadDim, c.MaxPos, c.TieEmbeddings = model.Llama, 10000, 8, maxPos, false
	}
}

func TestCheckConfigRejections(t *testing.T) {
	k, tok := setup(t)
	cases := []struct {
		name  string
		mut   func(*model.Config)
		want  string
		allow []string // allowed architectures (nil: the competition's)
	}{
		{"ok", nil, "", nil},
		{"too many params", func(c *model.Config) { c.Hidden, c.HeadDim, c.FFN = 128, 64, 512 }, "exceed the maximum", nil},
		{"llama not allowed", func(c *model.Config) { c.Arch, c.RopeTheta, c.HeadDim = model.Llama, 10000, 8 }, "architecture llama not allowed", nil},
		{"small vocab", func(c *model.Config) { c.VocabSize = 100; c.BOS, c.EOS = 0, 0 }, "vocab_size 100", nil},
		{"short positions", func(c *model.Config) { c.MaxPos = 32 }, "below the competition sequence length", nil},
		{"llama ok", llama(64), "", []string{"gpt2", "llama"}},
		{"llama short positions", llama(32), "32 positions below the competition sequence length 64", []string{"gpt2", "llama"}},
	}
	for _, tc := range cases {
		dir := t.TempDir()
		tiny(t, dir, tc.mut)
		kc := *k
		if tc.allow != nil {
			kc.Architectures = tc.allow
		}
		_, err := CheckConfig(dir, &kc, tok)
		if tc.want == "" {
			if err != nil {
				t.Errorf("%s: %v", tc.name, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tc.want) || !IsRejection(err) {
			t.Errorf("%s: got %v, want %q", tc.name, err, tc.want)
		}
	}
	// A shipped tokenizer must be the competition's.
	dir := t.TempDir()
	tiny(t, dir, nil)
	gpt2, _ := tokenizer.GPT2()
	gpt2.Save(filepath.Join(dir, "tokenizer.json"))
	if _, err := CheckConfig(dir, k, tok); err == nil || !strings.Contains(err.Error(), "differs") {
		t.Fatalf("foreign tokenizer: %v", err)
	}
	tok.Save(filepath.Join(dir, "tokenizer.json"))
	if _, err := CheckConfig(dir, k, tok); err != nil {
		t.Fatal(err)
	}
	// Garbage config.
	os.WriteFile(filepath.Join(dir, "config.json"), []byte("{"), 0o644)
	if _, err := CheckConfig(dir, k, tok); err == nil || !IsRejection(err) {
		t.Fatalf("garbage config: %v", err)
	}
}

// TestCheckNorms also checks that CheckWeights (the same rules read from the
// saved files a tensor at a time) gives the same verdict at every stage.
func TestCheckNorms(t *testing.T) {
	k, _ := setup(t)
	m := tiny(t, t.TempDir(), nil)
	dir := t.TempDir()
	CheckNorms := func(m *model.Model, k *competition.Competition) error {
		t.Helper()
		err := CheckNorms(m, k)
		if serr := m.Save(dir); serr != nil {
			t.Fatal(serr)
		}
		if ferr := CheckWeights(dir, k); fmt.Sprint(ferr) != fmt.Sprint(err) {
			t.Fatalf("CheckWeights %v, CheckNorms %v", ferr, err)
		}
		return err
	}
	if err := CheckNorms(m, k); err != nil {
		t.Fatal(err)
	}
	scale := func(name string, f float32) {
		w, _, ok := m.Tensor(name)
		if !ok {
			t.Fatalf("no tensor %s", name)
		}
		for i := range w {
			w[i] *= f
		}
	}
	// One matrix above the hard limit rejects.
	scale("transformer.h.0.mlp.c_fc.weight", 1e4)
	if err := CheckNorms(m, k); err == nil || !strings.Contains(err.Error(), "exceeds 1000") {
		t.Fatalf("hard: %v", err)
	}
	scale("transformer.h.0.mlp.c_fc.weight", 1e-4)
	// Soft: norm between 200 and 1000 in one of 2 layers of one of 4 kinds:
	// mean share 0.5/4 = 0.125 ≤ 0.15 passes; in both layers 2/8 = 0.25 fails.
	w, _, _ := m.Tensor("transformer.h.0.mlp.c_fc.weight")
	var ss float64
	for _, v := range w {
		ss += float64(v) * float64(v)
	}
	f := float32(500 / math.Sqrt(ss))
	scale("transformer.h.0.mlp.c_fc.weight", f)
	if err := CheckNorms(m, k); err != nil {
		t.Fatalf("soft within share: %v", err)
	}
	w1, _, _ := m.Tensor("transformer.h.1.mlp.c_fc.weight")
	ss = 0
	for _, v := range w1 {
		ss += float64(v) * float64(v)
	}
	scale("transformer.h.1.mlp.c_fc.weight", float32(500/math.Sqrt(ss)))
	if err := CheckNorms(m, k); err == nil || !strings.Contains(err.Error(), "mean share 0.250") {
		t.Fatalf("soft share: %v", err)
	}
	w1[0] = float32(math.Inf(1))
	if err := CheckNorms(m, k); err == nil || !strings.Contains(err.Error(), "non-finite") {
		t.Fatalf("inf: %v", err)
	}
}

func TestEncodeAndLosses(t *testing.T) {
	k, tok := setup(t)
	dir := t.TempDir()
	tiny(t, dir, nil)
	tok.Save(filepath.Join(dir, "tokenizer.json"))
	m, err := Load(dir, k, tok)
	if err != nil {
		t.Fatal(err)
	}
	s := []data.Sample{
		{Prompt: "hi", Response: "there", ID: "a"},
		{Prompt: "", Response: "no prompt tokens", ID: "b"},
		{Prompt: strings.Repeat("long ", 40), Response: "tail", ID: "c"},
	}
	b := Encode(s, k, tok)
	if len(b.Samples) != 3 {
		// gpt2 family always adds "Question: ... Answer:" so every prompt encodes.
		t.Fatalf("kept %d", len(b.Samples))
	}
	for _, e := range b.Encoded {
		if len(e.Tokens) > k.SequenceLength {
			t.Fatalf("not truncated: %d", len(e.Tokens))
		}
	}
	l1, err := Losses(m, b, 1)
	if err != nil {
		t.Fatal(err)
	}
	l3, err := Losses(m, b, 3)
	if err != nil {
		t.Fatal(err)
	}
	for i := range l1 {
		if l1[i] != l3[i] || !(l1[i] > 0) {
			t.Fatalf("batch-dependent or bad loss: %v %v", l1, l3)
		}
	}
	// Validators on machines with other core counts must agree bit for bit.
	prev := runtime.GOMAXPROCS(1)
	l1p, err := Losses(m, b, 2)
	runtime.GOMAXPROCS(prev)
	if err != nil {
		t.Fatal(err)
	}
	for i := range l1 {
		if math.Float64bits(l1[i]) != math.Float64bits(l1p[i]) {
			t.Fatalf("thread-count dependent loss: %v vs %v", l1, l1p)
		}
	}
	// An untrained model is near uniform: loss ≈ ln(257).
	if mean := Mean(l1); math.Abs(mean-math.Log(257)) > 0.5 {
		t.Fatalf("mean loss %v", mean)
	}
	if !math.IsNaN(Mean(InfLosses(3))) {
		t.Fatal("mean of inf")
	}
}
