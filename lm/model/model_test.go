package model

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/taonet/taonet/lm/safetensors"
)

func tinyConfig(arch Arch) Config {
	c := Config{Arch: arch, VocabSize: 50, Hidden: 16, Layers: 2, Heads: 4, KVHeads: 4, HeadDim: 4, FFN: 32,
		MaxPos: 32, NormEps: 1e-5, BOS: 0, EOS: 0, Pad: -1}
	switch arch {
	case GPT2:
		c.TieEmbeddings = true
	case Llama:
		c.KVHeads, c.RopeTheta, c.BOS, c.EOS = 2, 10000, 1, 2
	case BERT:
		c.TypeVocab, c.Pad, c.BOS, c.EOS = 2, 0, -1, -1
	}
	return c
}

func TestParseConfigErrors(t *testing.T) {
	cases := map[string]string{
		`not json`: "config.json",
		`{"architectures":["T5ForConditionalGeneration"]}`:                         "unsupported architecture \"T5ForConditionalGeneration\" (supported: BertModel, GPT2LMHeadModel, GPTNeoXForCausalLM, Gemma2ForCausalLM, GemmaForCausalLM, LlamaForCausalLM, MistralForCausalLM, Phi3ForCausalLM, Qwen2ForCausalLM, StableLmForCausalLM)",
		`{"architectures":["Qwen2ForCausalLM"],"use_sliding_window":true}`:         "use_sliding_window",
		`{"architectures":["StableLmForCausalLM"],"qk_layernorm":true}`:            "qk_layernorm",
		`{"architectures":["StableLmForCausalLM"],"partial_rotary_factor":0}`:      "rotary fraction",
		`{"architectures":["GPTNeoXForCausalLM"],"hidden_act":"silu"}`:             "only gelu",
		`{"architectures":["Phi3ForCausalLM"],"rope_scaling":{"type":"longrope"}}`: "rope_scaling is not supported",
		`{"architectures":["MistralForCausalLM"],"sliding_window":-4}`:             "sliding_window",
		`{"model_type":"t5"}`: "unsupported",
		`{"architectures":["GPT2LMHeadModel"],"n_embd":10,"n_head":3}`:                 "not divisible",
		`{"architectures":["GPT2LMHeadModel"],"n_layer":-1}`:                           "layers must be positive",
		`{"architectures":["GPT2LMHeadModel"],"n_layer":1.5}`:                          "must be an integer",
		`{"architectures":["LlamaForCausalLM"],"num_key_value_heads":3}`:               "not divisible",
		`{"architectures":["LlamaForCausalLM"],"rope_scaling":{"type":"linear"}}`:      "rope_scaling",
		`{"architectures":["LlamaForCausalLM"],"hidden_act":"gelu"}`:                   "hidden_act",
		`{"architectures":["BertModel"],"hidden_act":"relu"}`:                          "hidden_act",
		`{"architectures":["GPT2LMHeadModel"],"layer_norm_epsilon":"x"}`:               "must be a number",
		`{"architectures":["GPT2LMHeadModel"],"activation_function":"relu"}`:           "activation_function",
		`{"architectures":["GPT2LMHeadModel"],"scale_attn_by_inverse_layer_idx":true}`: "attention scaling",
		`{"architectures":[]}`:                                                            "non-empty",
		`{"architectures":["LlamaForCausalLM"],"rope_theta":0}`:                           "rope_theta",
		`{"architectures":["GPT2LMHeadModel"],"n_embd":8192,"n_head":1,"n_layer":100000}`: "beyond any supported",
		`{"architectures":["GPT2LMHeadModel"],"n_embd":65536,"n_head":1,"n_layer":4000}`:  "too many",
	}
	for in, want := range cases {
		_, err := ParseConfig([]byte(in))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseConfig(%s) = %v, want error containing %q", in, err, want)
		}
	}
}

func TestConfigRoundTrip(t *testing.T) {
	for _, arch := range []Arch{GPT2, Llama, BERT} {
		c := tinyConfig(arch)
		b, err := c.JSON()
		if err != nil {
			t.Fatal(err)
		}
		c2, err := ParseConfig(b)
		if err != nil {
			t.Fatalf("%s: %v\n%s", arch, err, b)
		}
		c2.raw = nil
		if !reflect.DeepEqual(c2, c) {
			t.Errorf("%s: round trip %+v != %+v", arch, c2, c)
		}
	}
}

func TestConfigKeepsUnknownKeysAndEOSList(t *testing.T) {
	in := `{"architectures":["LlamaForCausalLM"],"hidden_size":16,"num_hidden_layers":1,"num_attention_heads":4,
		"num_key_value_heads":2,"intermediate_size":32,"vocab_size":40,"eos_token_id":[7,8],"custom_key":"kept","rope_scaling":null}`
	c, err := ParseConfig([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	if c.EOS != 7 || c.HeadDim != 4 || c.KVHeads != 2 {
		t.Fatalf("parsed %+v", c)
	}
	b, _ := c.JSON()
	if !strings.Contains(string(b), `"custom_key": "kept"`) || !strings.Contains(string(b), "8") {
		t.Fatalf("config.json lost keys:\n%s", b)
	}
}

func TestSaveLoadRoundTrip(t *testing.T) {
	for _, arch := range []Arch{GPT2, Llama, BERT} {
		m, err := New(tinyConfig(arch))
		if err != nil {
			t.Fatal(err)
		}
		m.InitRandom(7)
		dir := t.TempDir()
		if err := m.Save(dir); err != nil {
			t.Fatal(err)
		}
		m2, err := Load(dir)
		if err != nil {
			t.Fatalf("%s: %v", arch, err)
		}
		if len(m2.Params) != len(m.Params) {
			t.Fatalf("%s: %d params after reload, want %d", arch, len(m2.Params), len(m.Params))
		}
		for i := range m.Params {
			if m.Params[i] != m2.Params[i] {
				t.Fatalf("%s: param %d differs", arch, i)
			}
		}
		_, genErr := os.Stat(filepath.Join(dir, GenerationConfigFile))
		if (genErr == nil) != (arch != BERT) {
			t.Errorf("%s: generation_config.json presence wrong: %v", arch, genErr)
		}
	}
}

// writeTensors writes a model dir with config and the given tensors.
func writeTensors(t *testing.T, c Config, tensors map[string][]float32, shapes map[string][]int) string {
	t.Helper()
	dir := t.TempDir()
	b, _ := c.JSON()
	os.WriteFile(filepath.Join(dir, ConfigFile), b, 0o644)
	var ts []safetensors.Tensor
	for name, v := range tensors {
		st, err := safetensors.FromFloat32(name, safetensors.F32, shapes[name], v)
		if err != nil {
			t.Fatal(err)
		}
		ts = append(ts, st)
	}
	if err := safetensors.WriteFile(filepath.Join(dir, WeightsFile), ts, nil); err != nil {
		t.Fatal(err)
	}
	return dir
}

func modelTensors(m *Model) (map[string][]float32, map[string][]int) {
	ts, sh := map[string][]float32{}, map[string][]int{}
	for _, in := range m.Infos {
		ts[in.Name] = append([]float32(nil), m.Params[in.Offset:in.Offset+in.Size]...)
		sh[in.Name] = in.Shape
	}
	return ts, sh
}

func TestLoadRejectsBadWeights(t *testing.T) {
	m, _ := New(tinyConfig(GPT2))
	m.InitRandom(1)
	name := "transformer.h.1.mlp.c_fc.weight"

	ts, sh := modelTensors(m)
	delete(ts, name)
	if _, err := Load(writeTensors(t, m.Config, ts, sh)); err == nil || !strings.Contains(err.Error(), "missing tensor "+name) {
		t.Errorf("missing tensor: %v", err)
	}
	ts, sh = modelTensors(m)
	sh[name] = []int{32, 16}
	if _, err := Load(writeTensors(t, m.Config, ts, sh)); err == nil || !strings.Contains(err.Error(), "shape") {
		t.Errorf("bad shape: %v", err)
	}
	ts, sh = modelTensors(m)
	ts[name][5] = float32(math.NaN())
	if _, err := Load(writeTensors(t, m.Config, ts, sh)); err == nil || !strings.Contains(err.Error(), "non-finite") {
		t.Errorf("NaN: %v", err)
	}
	ts, sh = modelTensors(m)
	ts[name][3] = float32(math.Inf(-1))
	if _, err := Load(writeTensors(t, m.Config, ts, sh)); err == nil || !strings.Contains(err.Error(), "non-finite") {
		t.Errorf("Inf: %v", err)
	}
	// HF's original gpt2 checkpoint has no "transformer." prefix and carries attn.bias buffers.
	ts, sh = modelTensors(m)
	ts2, sh2 := map[string][]float32{}, map[string][]int{}
	for k, v := range ts {
		k2 := strings.TrimPrefix(k, "transformer.")
		ts2[k2], sh2[k2] = v, sh[k]
	}
	ts2["h.0.attn.bias"], sh2["h.0.attn.bias"] = make([]float32, 4), []int{1, 1, 2, 2}
	m2, err := Load(writeTensors(t, m.Config, ts2, sh2))
	if err != nil {
		t.Fatalf("unprefixed GPT-2: %v", err)
	}
	if m2.Params[100] != m.Params[100] {
		t.Error("unprefixed GPT-2 loaded different values")
	}
	// A config claiming a far larger model than the file holds fails on shapes,
	// before any allocation.
	big := m.Config
	big.Hidden, big.FFN, big.HeadDim = 4096, 16384, 1024
	ts, sh = modelTensors(m)
	if _, err := Load(writeTensors(t, big, ts, sh)); err == nil || !strings.Contains(err.Error(), "shape") {
		t.Errorf("oversized config: %v", err)
	}
	// Truncated weights file.
	dir := t.TempDir()
	m.Save(dir)
	p := filepath.Join(dir, WeightsFile)
	b, _ := os.ReadFile(p)
	os.WriteFile(p, b[:len(b)/2], 0o644)
	if _, err := Load(dir); err == nil {
		t.Error("truncated file loaded")
	}
	// Missing config.
	os.Remove(filepath.Join(dir, ConfigFile))
	if _, err := Load(dir); err == nil {
		t.Error("missing config loaded")
	}
}

func TestTiedLlama(t *testing.T) {
	c := tinyConfig(Llama)
	c.TieEmbeddings = true
	m, err := New(c)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, ok := m.Tensor("lm_head.weight"); ok {
		t.Fatal("tied Llama has an lm_head tensor")
	}
	m.InitRandom(3)
	dir := t.TempDir()
	if err := m.Save(dir); err != nil {
		t.Fatal(err)
	}
	m2, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !m2.Config.TieEmbeddings {
		t.Fatal("tie lost on reload")
	}
	tokens := []int{1, 5, 9, 3}
	l1, _ := m.Logits(tokens, 1, 4)
	l2, _ := m2.Logits(tokens, 1, 4)
	for i := range l1 {
		if l1[i] != l2[i] {
			t.Fatal("reloaded tied model differs")
		}
	}
}

func TestForwardInputErrors(t *testing.T) {
	m, _ := New(tinyConfig(GPT2))
	m.InitRandom(1)
	if _, err := m.Logits([]int{1, 2, 3}, 1, 4); err == nil {
		t.Error("wrong token count accepted")
	}
	if _, err := m.Logits([]int{1, 2, 50, 3}, 1, 4); err == nil || !strings.Contains(err.Error(), "outside vocabulary") {
		t.Errorf("bad token: %v", err)
	}
	if _, err := m.Logits(make([]int, 33), 1, 33); err == nil {
		t.Error("too long sequence accepted")
	}
	if _, err := m.SampleLosses([]Sample{{Tokens: []int{1, 2, 3}, Mask: []bool{false, false, false}}}, 1); err == nil {
		t.Error("sample without scored tokens accepted")
	}
	if _, err := m.SampleLosses([]Sample{{Tokens: []int{1, 2, 3}, Mask: []bool{false, true}}}, 1); err == nil {
		t.Error("mask length mismatch accepted")
	}
}

// SampleLosses must be bit-identical however samples are grouped into batches.
func TestSampleLossesBatchInvariant(t *testing.T) {
	for _, arch := range []Arch{GPT2, Llama} {
		c := tinyConfig(arch)
		c.MaxPos = 160
		m, _ := New(c)
		m.InitRandom(11)
		var samples []Sample
		for i := 0; i < 6; i++ {
			n := 4 + 3*i
			if i == 4 {
				n = 70 // crosses causal attention blocks
			} else if i == 5 {
				n = 150
			}
			s := Sample{Tokens: make([]int, n), Mask: make([]bool, n)}
			for j := range s.Tokens {
				s.Tokens[j] = (j*7 + i*3) % 50
				s.Mask[j] = j >= n/2
			}
			samples = append(samples, s)
		}
		one, err := m.SampleLosses(samples, 1)
		if err != nil {
			t.Fatal(err)
		}
		all, err := m.SampleLosses(samples, 4)
		if err != nil {
			t.Fatal(err)
		}
		for i := range one {
			if one[i] != all[i] {
				t.Errorf("%s sample %d: batch 1 %v vs batch 4 %v", arch, i, one[i], all[i])
			}
			if one[i] < 1 || one[i] > 10 {
				t.Errorf("%s sample %d: implausible loss %v", arch, i, one[i])
			}
		}
		rev := make([]Sample, len(samples))
		for i := range samples {
			rev[len(samples)-1-i] = samples[i]
		}
		revLoss, err := m.SampleLosses(rev, 3)
		if err != nil {
			t.Fatal(err)
		}
		for i := range rev {
			if revLoss[len(rev)-1-i] != one[i] {
				t.Errorf("%s sample %d: reordered batch gives %v, want %v", arch, i, revLoss[len(rev)-1-i], one[i])
			}
		}
		again, _ := m.SampleLosses(samples, 4)
		for i := range all {
			if again[i] != all[i] {
				t.Errorf("%s: repeated evaluation differs", arch)
			}
		}
	}
}

func TestLoadSharded(t *testing.T) {
	m, _ := New(tinyConfig(Llama))
	m.InitRandom(2)
	dir := t.TempDir()
	b, _ := m.Config.JSON()
	os.WriteFile(filepath.Join(dir, ConfigFile), b, 0o644)
	var shard [2][]safetensors.Tensor
	wm := map[string]string{}
	for i, in := range m.Infos {
		st, _ := safetensors.FromFloat32(in.Name, safetensors.F32, in.Shape, m.Params[in.Offset:in.Offset+in.Size])
		shard[i%2] = append(shard[i%2], st)
		wm[in.Name] = fmt.Sprintf("model-%05d-of-00002.safetensors", i%2+1)
	}
	for i := range shard {
		if err := safetensors.WriteFile(filepath.Join(dir, fmt.Sprintf("model-%05d-of-00002.safetensors", i+1)), shard[i], nil); err != nil {
			t.Fatal(err)
		}
	}
	idx, _ := json.Marshal(map[string]any{"metadata": map[string]any{}, "weight_map": wm})
	os.WriteFile(filepath.Join(dir, IndexFile), idx, 0o644)
	m2, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	for i := range m.Params {
		if m.Params[i] != m2.Params[i] {
			t.Fatal("sharded load differs")
		}
	}
	wm[m.Infos[0].Name] = "../evil.safetensors"
	idx, _ = json.Marshal(map[string]any{"weight_map": wm})
	os.WriteFile(filepath.Join(dir, IndexFile), idx, 0o644)
	if _, err := Load(dir); err == nil || !strings.Contains(err.Error(), "bad shard file name") {
		t.Fatalf("path traversal: %v", err)
	}
}

// TokenNLL computes logits of scored rows only, in chunks; it must equal the
// loss of the full logits exactly.
func TestChunkedLossMatchesLogits(t *testing.T) {
	c := tinyConfig(Llama)
	c.MaxPos = 128
	m, _ := New(c)
	m.InitRandom(6)
	B, T := 3, 100
	tokens, targets := make([]int, B*T), make([]int, B*T)
	for i := range tokens {
		tokens[i], targets[i] = (i*13+5)%50, (i*29+1)%50
		if i%3 == 0 {
			targets[i] = -1
		}
	}
	nll, err := m.TokenNLL(tokens, targets, B, T)
	if err != nil {
		t.Fatal(err)
	}
	logits, err := m.Logits(tokens, B, T)
	if err != nil {
		t.Fatal(err)
	}
	for n := range nll {
		if targets[n] < 0 {
			if nll[n] != 0 {
				t.Fatalf("unscored position %d has loss %v", n, nll[n])
			}
			continue
		}
		row := logits[n*50 : n*50+50]
		if want := logSumExp(row) - row[targets[n]]; math.Float32bits(want) != math.Float32bits(nll[n]) {
			t.Fatalf("nll[%d] = %v, full-logits loss %v", n, nll[n], want)
		}
	}
}

// Half-precision checkpoints load (converted to float32).
func TestLoadHalfPrecision(t *testing.T) {
	m, _ := New(tinyConfig(GPT2))
	m.InitRandom(9)
	for _, dt := range []safetensors.DType{safetensors.F16, safetensors.BF16} {
		dir := t.TempDir()
		b, _ := m.Config.JSON()
		os.WriteFile(filepath.Join(dir, ConfigFile), b, 0o644)
		var ts []safetensors.Tensor
		for _, in := range m.Infos {
			st, err := safetensors.FromFloat32(in.Name, dt, in.Shape, m.Params[in.Offset:in.Offset+in.Size])
			if err != nil {
				t.Fatal(err)
			}
			ts = append(ts, st)
		}
		safetensors.WriteFile(filepath.Join(dir, WeightsFile), ts, nil)
		m2, err := Load(dir)
		if err != nil {
			t.Fatalf("%s: %v", dt, err)
		}
		for i := range m.Params {
			if d := math.Abs(float64(m.Params[i] - m2.Params[i])); d > 1e-2*math.Abs(float64(m.Params[i]))+1e-6 {
				t.Fatalf("%s: param %d = %v, want ≈ %v", dt, i, m2.Params[i], m.Params[i])
			}
		}
	}
}
