package model

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
)

// The decoder-family architectures: Llama-like causal transformers that
// differ in norms, biases, fused projections, rotary width, residual wiring,
// attention windows and soft-capping. They share one forward pass
// (decoder.go) driven by DecoderOptions.
const (
	Qwen2    Arch = "qwen2"
	Mistral  Arch = "mistral"
	Gemma    Arch = "gemma"
	Gemma2   Arch = "gemma2"
	Phi3     Arch = "phi3"
	StableLM Arch = "stablelm"
	GPTNeoX  Arch = "gpt_neox"
)

// decoderArchs maps each decoder-family Arch to its Hugging Face class.
var decoderArchs = map[Arch]string{
	Qwen2:    "Qwen2ForCausalLM",
	Mistral:  "MistralForCausalLM",
	Gemma:    "GemmaForCausalLM",
	Gemma2:   "Gemma2ForCausalLM",
	Phi3:     "Phi3ForCausalLM",
	StableLM: "StableLmForCausalLM",
	GPTNeoX:  "GPTNeoXForCausalLM",
}

func init() {
	for a, cls := range decoderArchs {
		hfArchitecture[a] = cls
	}
}

// isDecoder reports whether a runs on the decoder-family forward pass.
func (a Arch) isDecoder() bool { _, ok := decoderArchs[a]; return ok }

// SupportedArchitectures lists the Hugging Face class names config.json may
// name, sorted.
func SupportedArchitectures() []string {
	var out []string
	for _, cls := range hfArchitecture {
		out = append(out, cls)
	}
	sort.Strings(out)
	return out
}

// CausalArchs lists the architectures that are causal language models.
func CausalArchs() []Arch {
	out := []Arch{GPT2, Llama}
	for a := range decoderArchs {
		out = append(out, a)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// DecoderOptions are the architecture features of the decoder family.
type DecoderOptions struct {
	QKVBias       bool    // q/k/v projections carry biases (Qwen2, StableLM use_qkv_bias, GPT-NeoX)
	DenseBias     bool    // output projection and MLP carry biases (GPT-NeoX)
	LayerNorm     bool    // LayerNorm with bias instead of RMSNorm (StableLM, GPT-NeoX)
	GemmaNorm     bool    // RMSNorm scaled by (1 + w) (Gemma, Gemma2)
	EmbedScale    bool    // embeddings multiplied by sqrt(hidden) (Gemma, Gemma2)
	Act           string  // "silu" or "gelu_tanh" gated MLP, or "gelu" plain MLP (GPT-NeoX)
	RotaryDim     int     // rotated dimensions per head (< HeadDim: partial rotary)
	SlidingWindow int     // keys further back than this many positions are hidden (0: none)
	SlidingEven   bool    // the window applies to even layers only (Gemma2's local/global alternation)
	Parallel      bool    // parallel residual: x + attn(ln1 x) + mlp(ln x)
	AttnSoftcap   float64 // attention logits → cap·tanh(logits/cap) (Gemma2; 0: off)
	FinalSoftcap  float64 // output logits likewise (Gemma2; 0: off)
	QueryScalar   float64 // attention scale is QueryScalar^-0.5 (0: HeadDim); Gemma2 query_pre_attn_scalar
	Sandwich      bool    // Gemma2: norms after attention and around the MLP
}

// parseDecoder fills c from a decoder-family config.json with Hugging Face's
// defaults and rejects features the engine does not implement.
func parseDecoder(c *Config, g *getter, raw map[string]any) {
	d := &c.Decoder
	c.VocabSize = g.int("vocab_size", 32000)
	c.Hidden = g.int("hidden_size", 4096)
	c.Layers = g.int("num_hidden_layers", 32)
	c.Heads = g.int("num_attention_heads", 32)
	c.KVHeads = g.int("num_key_value_heads", c.Heads)
	c.FFN = g.int("intermediate_size", 11008)
	c.MaxPos = g.int("max_position_embeddings", 4096)
	c.NormEps = float32(g.float("rms_norm_eps", 1e-6))
	c.RopeTheta = g.float("rope_theta", 10000)
	c.TieEmbeddings = g.bool("tie_word_embeddings", false)
	c.BOS = g.tokenID("bos_token_id", -1)
	c.EOS = g.tokenID("eos_token_id", -1)
	if c.Heads > 0 {
		c.HeadDim = g.int("head_dim", c.Hidden/c.Heads)
	}
	d.Act = "silu"
	act := g.str("hidden_act", "silu")
	rotary := 1.0
	switch c.Arch {
	case Qwen2:
		d.QKVBias = true
		if g.bool("use_sliding_window", false) {
			g.fail("use_sliding_window=true is not supported for Qwen2")
		}
	case Mistral:
		d.SlidingWindow = g.int("sliding_window", 0)
	case Gemma, Gemma2:
		d.GemmaNorm, d.EmbedScale = true, true
		c.TieEmbeddings = g.bool("tie_word_embeddings", true)
		act = g.str("hidden_activation", act)
		if act == "gelu" || act == "gelu_pytorch_tanh" {
			act = "gelu_pytorch_tanh" // HF runs Gemma's "gelu" as the tanh approximation
		}
		if c.Arch == Gemma2 {
			d.Sandwich, d.SlidingEven = true, true
			d.SlidingWindow = g.int("sliding_window", 4096)
			d.AttnSoftcap = g.float("attn_logit_softcapping", 50)
			d.FinalSoftcap = g.float("final_logit_softcapping", 30)
			d.QueryScalar = g.float("query_pre_attn_scalar", 256)
		}
	case Phi3:
		d.SlidingWindow = g.int("sliding_window", 0)
		rotary = g.float("partial_rotary_factor", 1)
		c.NormEps = float32(g.float("rms_norm_eps", 1e-5))
	case StableLM:
		d.LayerNorm = true
		d.QKVBias = g.bool("use_qkv_bias", false)
		d.Parallel = g.bool("use_parallel_residual", false)
		c.NormEps = float32(g.float("layer_norm_eps", 1e-5))
		rotary = g.float("partial_rotary_factor", 0.25)
		if g.bool("qk_layernorm", false) {
			g.fail("qk_layernorm=true is not supported for StableLM")
		}
	case GPTNeoX:
		d.LayerNorm, d.QKVBias, d.DenseBias = true, true, true
		d.Parallel = g.bool("use_parallel_residual", true)
		c.NormEps = float32(g.float("layer_norm_eps", 1e-5))
		c.RopeTheta = g.float("rotary_emb_base", g.float("rope_theta", 10000))
		rotary = g.float("rotary_pct", 1)
		c.KVHeads = c.Heads
		c.HeadDim = 0
		if c.Heads > 0 {
			c.HeadDim = c.Hidden / c.Heads
		}
		if !g.bool("attention_bias", true) {
			g.fail("attention_bias=false is not supported for GPT-NeoX")
		}
	}
	switch act {
	case "silu":
	case "gelu_pytorch_tanh":
		d.Act = "gelu_tanh"
	case "gelu":
		if c.Arch != GPTNeoX {
			g.fail("hidden_act %q is not supported for %s", act, c.Arch)
		}
		d.Act = "gelu"
	default:
		g.fail("hidden_act %q is not supported (silu, gelu_pytorch_tanh; gelu for GPT-NeoX)", act)
	}
	if c.Arch == GPTNeoX && d.Act != "gelu" {
		g.fail("GPT-NeoX hidden_act %q is not supported (only gelu)", act)
	}
	if !(rotary > 0 && rotary <= 1) {
		g.fail("rotary fraction %v must be in (0, 1]", rotary)
	}
	d.RotaryDim = int(float64(c.HeadDim) * rotary)
	if v, ok := raw["rope_scaling"]; ok && v != nil {
		g.fail("rope_scaling is not supported for %s", c.Arch)
	}
	if c.Arch != GPTNeoX && (g.bool("attention_bias", false) || g.bool("mlp_bias", false)) {
		g.fail("attention_bias/mlp_bias are not supported for %s", c.Arch)
	}
}

// validateDecoder checks the decoder options against the shape.
func (c Config) validateDecoder() error {
	d := c.Decoder
	if d.RotaryDim <= 0 || d.RotaryDim%2 != 0 || d.RotaryDim > c.HeadDim {
		return fmt.Errorf("config: rotary dimension %d must be even and in (0, head dim %d]", d.RotaryDim, c.HeadDim)
	}
	if d.SlidingWindow < 0 {
		return fmt.Errorf("config: sliding_window must not be negative, got %d", d.SlidingWindow)
	}
	for _, v := range []float64{d.AttnSoftcap, d.FinalSoftcap, d.QueryScalar} {
		if v < 0 || math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("config: soft-capping and attention scale must be finite and non-negative")
		}
	}
	if (c.Arch == GPTNeoX) && c.HeadDim*c.Heads != c.Hidden {
		return fmt.Errorf("config: hidden size %d not divisible by %d heads", c.Hidden, c.Heads)
	}
	if !(c.RopeTheta > 0) || math.IsInf(c.RopeTheta, 0) {
		return fmt.Errorf("config: rope_theta must be positive, got %v", c.RopeTheta)
	}
	return nil
}

// decoderJSON writes the decoder family's config.json keys.
func (c Config) decoderJSON(out map[string]any) {
	d := c.Decoder
	out["hidden_size"] = c.Hidden
	out["num_hidden_layers"] = c.Layers
	out["num_attention_heads"] = c.Heads
	out["intermediate_size"] = c.FFN
	out["max_position_embeddings"] = c.MaxPos
	out["tie_word_embeddings"] = c.TieEmbeddings
	frac := float64(d.RotaryDim) / float64(c.HeadDim)
	switch c.Arch {
	case GPTNeoX:
		out["layer_norm_eps"] = float64(c.NormEps)
		out["rotary_emb_base"] = c.RopeTheta
		out["rotary_pct"] = frac
		out["use_parallel_residual"] = d.Parallel
		out["hidden_act"] = "gelu"
		return
	case StableLM:
		out["layer_norm_eps"] = float64(c.NormEps)
		out["partial_rotary_factor"] = frac
		out["use_qkv_bias"] = d.QKVBias
		out["use_parallel_residual"] = d.Parallel
	default:
		out["rms_norm_eps"] = float64(c.NormEps)
	}
	out["num_key_value_heads"] = c.KVHeads
	out["head_dim"] = c.HeadDim
	out["rope_theta"] = c.RopeTheta
	switch c.Arch {
	case Phi3:
		out["partial_rotary_factor"] = frac
		out["sliding_window"] = nilIfZero(d.SlidingWindow)
	case Mistral:
		out["sliding_window"] = nilIfZero(d.SlidingWindow)
	case Gemma2:
		out["sliding_window"] = d.SlidingWindow
		out["attn_logit_softcapping"] = d.AttnSoftcap
		out["final_logit_softcapping"] = d.FinalSoftcap
		out["query_pre_attn_scalar"] = d.QueryScalar
	}
	if d.Act == "gelu_tanh" {
		out["hidden_activation"] = "gelu_pytorch_tanh"
	} else {
		out["hidden_act"] = d.Act
	}
}

func nilIfZero(v int) any {
	if v == 0 {
		return nil
	}
	return v
}

// decoderSpecs lists a decoder-family model's tensors with their Hugging
// Face names. Fused tensors (Phi-3 qkv_proj and gate_up_proj, GPT-NeoX
// query_key_value) stay fused: the forward pass slices or gathers them.
func decoderSpecs(c Config) []paramSpec {
	var s []paramSpec
	add := func(name string, decay bool, ptr func(w *weights) *[]float32, shape ...int) {
		s = append(s, paramSpec{name: name, shape: shape, decay: decay, ptr: ptr})
	}
	d := c.Decoder
	C, V, F := c.Hidden, c.VocabSize, c.FFN
	Q, KV := c.Heads*c.HeadDim, c.KVHeads*c.HeadDim
	prefix, norm := "model.", "model.norm"
	if c.Arch == GPTNeoX {
		prefix, norm = "gpt_neox.", "gpt_neox.final_layer_norm"
		add("gpt_neox.embed_in.weight", true, func(w *weights) *[]float32 { return &w.wte }, V, C)
	} else {
		add("model.embed_tokens.weight", true, func(w *weights) *[]float32 { return &w.wte }, V, C)
	}
	for l := 0; l < c.Layers; l++ {
		p := prefix + "layers." + strconv.Itoa(l) + "."
		L := func(f func(lw *layerWeights) *[]float32) func(w *weights) *[]float32 {
			return func(w *weights) *[]float32 { return f(&w.layers[l]) }
		}
		normT := func(name string, wf, bf func(x *layerWeights) *[]float32) {
			add(p+name+".weight", false, L(wf), C)
			if d.LayerNorm {
				add(p+name+".bias", false, L(bf), C)
			}
		}
		normT("input_layernorm", func(x *layerWeights) *[]float32 { return &x.ln1W }, func(x *layerWeights) *[]float32 { return &x.ln1B })
		switch c.Arch {
		case Phi3:
			add(p+"self_attn.qkv_proj.weight", true, L(func(x *layerWeights) *[]float32 { return &x.qkvW }), Q+2*KV, C)
			add(p+"self_attn.o_proj.weight", true, L(func(x *layerWeights) *[]float32 { return &x.oW }), C, Q)
		case GPTNeoX:
			add(p+"attention.query_key_value.weight", true, L(func(x *layerWeights) *[]float32 { return &x.qkvW }), 3*C, C)
			add(p+"attention.query_key_value.bias", false, L(func(x *layerWeights) *[]float32 { return &x.qkvB }), 3*C)
			add(p+"attention.dense.weight", true, L(func(x *layerWeights) *[]float32 { return &x.oW }), C, C)
			add(p+"attention.dense.bias", false, L(func(x *layerWeights) *[]float32 { return &x.oB }), C)
		default:
			for _, pr := range []struct {
				name string
				rows int
				w, b func(x *layerWeights) *[]float32
			}{
				{"q_proj", Q, func(x *layerWeights) *[]float32 { return &x.qW }, func(x *layerWeights) *[]float32 { return &x.qB }},
				{"k_proj", KV, func(x *layerWeights) *[]float32 { return &x.kW }, func(x *layerWeights) *[]float32 { return &x.kB }},
				{"v_proj", KV, func(x *layerWeights) *[]float32 { return &x.vW }, func(x *layerWeights) *[]float32 { return &x.vB }},
			} {
				add(p+"self_attn."+pr.name+".weight", true, L(pr.w), pr.rows, C)
				if d.QKVBias {
					add(p+"self_attn."+pr.name+".bias", false, L(pr.b), pr.rows)
				}
			}
			add(p+"self_attn.o_proj.weight", true, L(func(x *layerWeights) *[]float32 { return &x.oW }), C, Q)
		}
		if !(c.Arch == StableLM && d.Parallel) {
			normT("post_attention_layernorm", func(x *layerWeights) *[]float32 { return &x.ln2W }, func(x *layerWeights) *[]float32 { return &x.ln2B })
		}
		if d.Sandwich {
			add(p+"pre_feedforward_layernorm.weight", false, L(func(x *layerWeights) *[]float32 { return &x.preFFW }), C)
			add(p+"post_feedforward_layernorm.weight", false, L(func(x *layerWeights) *[]float32 { return &x.postFFW }), C)
		}
		switch c.Arch {
		case Phi3:
			add(p+"mlp.gate_up_proj.weight", true, L(func(x *layerWeights) *[]float32 { return &x.gateW }), 2*F, C)
			add(p+"mlp.down_proj.weight", true, L(func(x *layerWeights) *[]float32 { return &x.downW }), C, F)
		case GPTNeoX:
			add(p+"mlp.dense_h_to_4h.weight", true, L(func(x *layerWeights) *[]float32 { return &x.upW }), F, C)
			add(p+"mlp.dense_h_to_4h.bias", false, L(func(x *layerWeights) *[]float32 { return &x.upB }), F)
			add(p+"mlp.dense_4h_to_h.weight", true, L(func(x *layerWeights) *[]float32 { return &x.downW }), C, F)
			add(p+"mlp.dense_4h_to_h.bias", false, L(func(x *layerWeights) *[]float32 { return &x.downB }), C)
		default:
			add(p+"mlp.gate_proj.weight", true, L(func(x *layerWeights) *[]float32 { return &x.gateW }), F, C)
			add(p+"mlp.up_proj.weight", true, L(func(x *layerWeights) *[]float32 { return &x.upW }), F, C)
			add(p+"mlp.down_proj.weight", true, L(func(x *layerWeights) *[]float32 { return &x.downW }), C, F)
		}
	}
	add(norm+".weight", false, func(w *weights) *[]float32 { return &w.lnfW }, C)
	if d.LayerNorm {
		add(norm+".bias", false, func(w *weights) *[]float32 { return &w.lnfB }, C)
	}
	if !c.TieEmbeddings {
		head := "lm_head.weight"
		if c.Arch == GPTNeoX {
			head = "embed_out.weight"
		}
		add(head, true, func(w *weights) *[]float32 { return &w.lmHead }, V, C)
	}
	return s
}

// decoderNumParams counts the parameters of decoderSpecs in closed form per
// layer (no tensors are allocated).
//
//numerics:exempt integer counts in float64 (exact below 2^53, only compared above).
func decoderNumParams(c Config) float64 {
	one := c
	one.Layers = 1
	var perLayer, rest float64
	for _, s := range decoderSpecs(one) {
		n := 1.0
		for _, d := range s.shape {
			n *= float64(d)
		}
		if strings.Contains(s.name, ".layers.0.") {
			perLayer += n
		} else {
			rest += n
		}
	}
	return rest + float64(c.Layers)*perLayer
}
