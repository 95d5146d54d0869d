package model

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
)

// Arch names a supported model architecture.
type Arch string

// The supported architectures, named by their Hugging Face model_type.
const (
	GPT2  Arch = "gpt2"
	Llama Arch = "llama"
	BERT  Arch = "bert"
)

// hfArchitecture maps an Arch to the class name written in config.json.
var hfArchitecture = map[Arch]string{
	GPT2:  "GPT2LMHeadModel",
	Llama: "LlamaForCausalLM",
	BERT:  "BertModel",
}

// Config is the normalized hyperparameter set of a model, parsed from a Hugging
// Face config.json.
type Config struct {
	Arch          Arch         // architecture family
	VocabSize     int          // token vocabulary size
	Hidden        int          // model width (n_embd / hidden_size)
	Layers        int          // number of transformer blocks
	Heads         int          // attention heads
	KVHeads       int          // key/value heads (grouped-query attention); == Heads for GPT-2 and BERT
	HeadDim       int          // width of one head
	FFN           int          // MLP inner width
	MaxPos        int          // maximum sequence length (max_position_embeddings / n_positions), enforced for every architecture
	NormEps       float32      // LayerNorm / RMSNorm epsilon
	RopeTheta     float64      // RoPE base (Llama)
	RopeScaling   *RopeScaling // optional RoPE frequency scaling (Llama 3 / linear)
	TieEmbeddings bool         // LM head shares the token embedding matrix
	TypeVocab     int          // BERT token-type vocabulary size
	BOS, EOS, Pad int          // special token ids, -1 when absent
	// Decoder holds the features of the decoder-family architectures
	// (Qwen2, Mistral, Gemma, Gemma2, Phi-3, StableLM, GPT-NeoX).
	Decoder DecoderOptions

	raw map[string]any // the parsed config.json, kept so saving preserves unknown keys
}

// ParseConfig parses a Hugging Face config.json for GPT2LMHeadModel,
// LlamaForCausalLM or BertModel and validates it.
func ParseConfig(data []byte) (Config, error) {
	var raw map[string]any
	if err := json.Unmarshal(data, &raw); err != nil {
		return Config{}, fmt.Errorf("config.json: %w", err)
	}
	if raw == nil {
		return Config{}, fmt.Errorf("config.json: not a JSON object")
	}
	arch, err := detectArch(raw)
	if err != nil {
		return Config{}, err
	}
	c := Config{Arch: arch, raw: raw, BOS: -1, EOS: -1, Pad: -1}
	g := getter{raw: raw}
	switch arch {
	case GPT2:
		c.VocabSize = g.int("vocab_size", 50257)
		c.Hidden = g.int("n_embd", 768)
		c.Layers = g.int("n_layer", 12)
		c.Heads = g.int("n_head", 12)
		c.KVHeads = c.Heads
		c.MaxPos = g.int("n_positions", 1024)
		c.FFN = g.int("n_inner", 4*c.Hidden)
		c.NormEps = float32(g.float("layer_norm_epsilon", 1e-5))
		c.TieEmbeddings = g.bool("tie_word_embeddings", true)
		c.BOS = g.int("bos_token_id", 50256)
		c.EOS = g.tokenID("eos_token_id", 50256)
		if act := g.str("activation_function", "gelu_new"); act != "gelu_new" {
			g.fail("activation_function %q is not supported (only gelu_new)", act)
		}
		if !c.TieEmbeddings {
			g.fail("tie_word_embeddings=false is not supported for GPT-2")
		}
		if g.bool("scale_attn_by_inverse_layer_idx", false) || g.bool("reorder_and_upcast_attn", false) || !g.bool("scale_attn_weights", true) {
			g.fail("non-default GPT-2 attention scaling (scale_attn_weights, scale_attn_by_inverse_layer_idx, reorder_and_upcast_attn) is not supported")
		}
	case Llama:
		c.VocabSize = g.int("vocab_size", 32000)
		c.Hidden = g.int("hidden_size", 4096)
		c.Layers = g.int("num_hidden_layers", 32)
		c.Heads = g.int("num_attention_heads", 32)
		c.KVHeads = g.int("num_key_value_heads", c.Heads)
		c.FFN = g.int("intermediate_size", 11008)
		c.MaxPos = g.int("max_position_embeddings", 2048)
		c.NormEps = float32(g.float("rms_norm_eps", 1e-6))
		c.RopeTheta = g.float("rope_theta", 10000)
		c.TieEmbeddings = g.bool("tie_word_embeddings", false)
		c.BOS = g.int("bos_token_id", 1)
		c.EOS = g.tokenID("eos_token_id", 2)
		if c.Heads > 0 {
			c.HeadDim = g.int("head_dim", c.Hidden/c.Heads)
		}
		if act := g.str("hidden_act", "silu"); act != "silu" {
			g.fail("hidden_act %q is not supported (only silu)", act)
		}
		if v, ok := raw["rope_scaling"]; ok && v != nil {
			c.RopeScaling = parseRopeScaling(&g, v)
		}
		if g.bool("attention_bias", false) || g.bool("mlp_bias", false) {
			g.fail("attention_bias/mlp_bias are not supported")
		}
	case BERT:
		c.VocabSize = g.int("vocab_size", 30522)
		c.Hidden = g.int("hidden_size", 768)
		c.Layers = g.int("num_hidden_layers", 12)
		c.Heads = g.int("num_attention_heads", 12)
		c.KVHeads = c.Heads
		c.FFN = g.int("intermediate_size", 3072)
		c.MaxPos = g.int("max_position_embeddings", 512)
		c.TypeVocab = g.int("type_vocab_size", 2)
		c.NormEps = float32(g.float("layer_norm_eps", 1e-12))
		c.Pad = g.int("pad_token_id", 0)
		if act := g.str("hidden_act", "gelu"); act != "gelu" {
			g.fail("hidden_act %q is not supported (only gelu)", act)
		}
		if pe := g.str("position_embedding_type", "absolute"); pe != "absolute" {
			g.fail("position_embedding_type %q is not supported", pe)
		}
	default:
		parseDecoder(&c, &g, raw)
	}
	if c.HeadDim == 0 && c.Heads > 0 {
		c.HeadDim = c.Hidden / c.Heads
	}
	if g.err != nil {
		return Config{}, g.err
	}
	if err := c.Validate(); err != nil {
		return Config{}, err
	}
	return c, nil
}

// RopeScaling is Hugging Face's rope_scaling for the "llama3" and "linear"
// rope types (frequencies rescaled for a longer context).
type RopeScaling struct {
	Type           string  // "llama3" or "linear"
	Factor         float64 // context extension factor
	LowFreqFactor  float64 // llama3
	HighFreqFactor float64 // llama3
	OriginalMaxPos int     // llama3 original_max_position_embeddings
}

func parseRopeScaling(g *getter, v any) *RopeScaling {
	obj, ok := v.(map[string]any)
	if !ok {
		g.fail("rope_scaling must be an object")
		return nil
	}
	sg := getter{raw: obj}
	typ := sg.str("rope_type", sg.str("type", ""))
	r := &RopeScaling{Type: typ, Factor: sg.float("factor", 0)}
	switch typ {
	case "llama3":
		r.LowFreqFactor = sg.float("low_freq_factor", 1)
		r.HighFreqFactor = sg.float("high_freq_factor", 4)
		r.OriginalMaxPos = sg.int("original_max_position_embeddings", 8192)
		if !(r.HighFreqFactor > r.LowFreqFactor) || !(r.LowFreqFactor > 0) || r.OriginalMaxPos <= 0 {
			g.fail("rope_scaling llama3: need 0 < low_freq_factor < high_freq_factor and original_max_position_embeddings > 0")
		}
	case "linear":
	default:
		g.fail("rope_scaling type %q is not supported (llama3, linear)", typ)
		return nil
	}
	if !(r.Factor >= 1) || math.IsInf(r.Factor, 0) {
		g.fail("rope_scaling factor must be ≥ 1, got %v", r.Factor)
	}
	if sg.err != nil {
		g.fail("rope_scaling: %v", sg.err)
	}
	return r
}

func detectArch(raw map[string]any) (Arch, error) {
	if a, ok := raw["architectures"]; ok && a != nil {
		list, ok := a.([]any)
		if !ok || len(list) == 0 {
			return "", fmt.Errorf("config.json: architectures must be a non-empty list")
		}
		name, _ := list[0].(string)
		for arch, cls := range hfArchitecture {
			if cls == name {
				return arch, nil
			}
		}
		// Accept the base classes too; the head is derived from the family.
		switch name {
		case "GPT2Model":
			return GPT2, nil
		case "LlamaModel":
			return Llama, nil
		case "BertForMaskedLM", "BertForPreTraining":
			return BERT, nil
		}
		return "", fmt.Errorf("config.json: unsupported architecture %q (supported: %s)", name, strings.Join(SupportedArchitectures(), ", "))
	}
	mt, _ := raw["model_type"].(string)
	if _, ok := hfArchitecture[Arch(mt)]; ok {
		return Arch(mt), nil
	}
	return "", fmt.Errorf("config.json: unsupported or missing model_type %q and no architectures list", mt)
}

// Validate checks that the hyperparameters are positive and consistent.
func (c Config) Validate() error {
	if c.Layers > 1<<12 || c.Heads > 1<<12 || c.KVHeads > 1<<12 {
		return fmt.Errorf("config: %d layers / %d heads is beyond any supported model", c.Layers, c.Heads)
	}
	pos := []struct {
		name string
		v    int
	}{{"vocab_size", c.VocabSize}, {"hidden size", c.Hidden}, {"layers", c.Layers}, {"heads", c.Heads},
		{"key/value heads", c.KVHeads}, {"intermediate size", c.FFN}, {"max positions", c.MaxPos}, {"head dim", c.HeadDim}}
	for _, p := range pos {
		if p.v <= 0 {
			return fmt.Errorf("config: %s must be positive, got %d", p.name, p.v)
		}
		if p.v > 1<<24 {
			return fmt.Errorf("config: %s too large: %d", p.name, p.v)
		}
	}
	if c.Heads%c.KVHeads != 0 {
		return fmt.Errorf("config: num_attention_heads %d not divisible by num_key_value_heads %d", c.Heads, c.KVHeads)
	}
	if c.Arch.isDecoder() {
		if err := c.validateDecoder(); err != nil {
			return err
		}
	} else if c.Arch != Llama && c.HeadDim*c.Heads != c.Hidden {
		return fmt.Errorf("config: hidden size %d not divisible by %d heads", c.Hidden, c.Heads)
	}
	if c.Arch == Llama && c.HeadDim%2 != 0 {
		return fmt.Errorf("config: head dim %d must be even for RoPE", c.HeadDim)
	}
	if c.Arch == BERT && c.TypeVocab <= 0 {
		return fmt.Errorf("config: type_vocab_size must be positive, got %d", c.TypeVocab)
	}
	if !(c.NormEps > 0) || math.IsInf(float64(c.NormEps), 0) {
		return fmt.Errorf("config: norm epsilon must be positive and finite, got %v", c.NormEps)
	}
	if c.Arch == Llama && (!(c.RopeTheta > 0) || math.IsInf(c.RopeTheta, 0)) {
		return fmt.Errorf("config: rope_theta must be positive, got %v", c.RopeTheta)
	}
	if n := c.NumParams(); n > 1<<34 {
		return fmt.Errorf("config: %d parameters is too many", n)
	}
	return nil
}

// Causal reports whether the model is a causal language model (GPT-2, Llama).
func (c Config) Causal() bool { return c.Arch != BERT }

// JSON renders the config as a Hugging Face config.json, preserving keys of the
// original file that the engine does not interpret.
func (c Config) JSON() ([]byte, error) {
	out := map[string]any{}
	for k, v := range c.raw {
		out[k] = v
	}
	out["architectures"] = []string{hfArchitecture[c.Arch]}
	out["model_type"] = string(c.Arch)
	out["vocab_size"] = c.VocabSize
	out["torch_dtype"] = "float32"
	setID := func(k string, v int) {
		if list, ok := out[k].([]any); ok && len(list) > 0 && list[0] == float64(v) {
			return // keep a list of ids (Llama 3 eos_token_id) whose first entry is v
		}
		if v >= 0 {
			out[k] = v
		}
	}
	switch c.Arch {
	case GPT2:
		out["n_embd"] = c.Hidden
		out["n_layer"] = c.Layers
		out["n_head"] = c.Heads
		out["n_positions"] = c.MaxPos
		out["n_ctx"] = c.MaxPos
		out["n_inner"] = c.FFN
		out["layer_norm_epsilon"] = float64(c.NormEps)
		out["activation_function"] = "gelu_new"
		out["tie_word_embeddings"] = true
		setID("bos_token_id", c.BOS)
		setID("eos_token_id", c.EOS)
	case Llama:
		out["hidden_size"] = c.Hidden
		out["num_hidden_layers"] = c.Layers
		out["num_attention_heads"] = c.Heads
		out["num_key_value_heads"] = c.KVHeads
		out["head_dim"] = c.HeadDim
		out["intermediate_size"] = c.FFN
		out["max_position_embeddings"] = c.MaxPos
		out["rms_norm_eps"] = float64(c.NormEps)
		out["rope_theta"] = c.RopeTheta
		out["hidden_act"] = "silu"
		out["tie_word_embeddings"] = c.TieEmbeddings
		setID("bos_token_id", c.BOS)
		setID("eos_token_id", c.EOS)
	case BERT:
		out["hidden_size"] = c.Hidden
		out["num_hidden_layers"] = c.Layers
		out["num_attention_heads"] = c.Heads
		out["intermediate_size"] = c.FFN
		out["max_position_embeddings"] = c.MaxPos
		out["type_vocab_size"] = c.TypeVocab
		out["layer_norm_eps"] = float64(c.NormEps)
		out["hidden_act"] = "gelu"
		out["position_embedding_type"] = "absolute"
		setID("pad_token_id", c.Pad)
	default:
		c.decoderJSON(out)
		setID("bos_token_id", c.BOS)
		setID("eos_token_id", c.EOS)
	}
	return json.MarshalIndent(out, "", "  ")
}

// getter reads typed fields out of a parsed JSON object, remembering the first error.
type getter struct {
	raw map[string]any
	err error
}

func (g *getter) fail(format string, args ...any) {
	if g.err == nil {
		g.err = fmt.Errorf("config.json: "+format, args...)
	}
}

func (g *getter) int(key string, def int) int {
	v, ok := g.raw[key]
	if !ok || v == nil {
		return def
	}
	f, ok := v.(float64)
	if !ok || f != math.Trunc(f) || math.Abs(f) > 1<<40 {
		g.fail("%s must be an integer, got %v", key, v)
		return def
	}
	return int(f)
}

// tokenID reads an id that may also be a list of ids (Llama 3 eos_token_id).
func (g *getter) tokenID(key string, def int) int {
	if list, ok := g.raw[key].([]any); ok {
		if len(list) == 0 {
			return def
		}
		f, ok := list[0].(float64)
		if !ok || f != math.Trunc(f) {
			g.fail("%s must be an integer or list of integers", key)
			return def
		}
		return int(f)
	}
	return g.int(key, def)
}

func (g *getter) float(key string, def float64) float64 {
	v, ok := g.raw[key]
	if !ok || v == nil {
		return def
	}
	f, ok := v.(float64)
	if !ok {
		g.fail("%s must be a number, got %v", key, v)
		return def
	}
	return f
}

func (g *getter) bool(key string, def bool) bool {
	v, ok := g.raw[key]
	if !ok || v == nil {
		return def
	}
	b, ok := v.(bool)
	if !ok {
		g.fail("%s must be a boolean, got %v", key, v)
		return def
	}
	return b
}

func (g *getter) str(key, def string) string {
	v, ok := g.raw[key]
	if !ok || v == nil {
		return def
	}
	s, ok := v.(string)
	if !ok {
		g.fail("%s must be a string, got %v", key, v)
		return def
	}
	return s
}
