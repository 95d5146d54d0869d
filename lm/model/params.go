package model

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
)

// ParamInfo describes one named tensor inside a model's flat parameter buffer.
type ParamInfo struct {
	Name   string // Hugging Face tensor name, as saved in model.safetensors
	Shape  []int  // Hugging Face shape
	Offset int    // start within Model.Params (and Model.Grads)
	Size   int    // number of elements
	Decay  bool   // whether AdamW weight decay applies (matrices, not biases or norms)
}

// layerWeights are the views of one transformer block's tensors. Fields an
// architecture does not use stay nil.
type layerWeights struct {
	ln1W, ln1B             []float32 // GPT-2 ln_1, Llama input_layernorm, BERT attention.output.LayerNorm
	qkvW, qkvB             []float32 // GPT-2 fused c_attn ([C,3C] Conv1D)
	qW, qB, kW, kB, vW, vB []float32 // Llama/BERT separate projections ([out,in])
	oW, oB                 []float32 // attention output projection
	ln2W, ln2B             []float32 // GPT-2 ln_2, Llama post_attention_layernorm, BERT output.LayerNorm
	upW, upB               []float32 // GPT-2 c_fc, Llama up_proj, BERT intermediate.dense
	gateW                  []float32 // Llama gate_proj
	downW, downB           []float32 // GPT-2 mlp.c_proj, Llama down_proj, BERT output.dense
	preFFW, postFFW        []float32 // Gemma2 pre_/post_feedforward_layernorm
}

// weights are typed views into a flat buffer (parameters or gradients).
type weights struct {
	wte, wpe, wtt  []float32 // token, position and token-type embeddings
	embLnW, embLnB []float32 // BERT embeddings.LayerNorm
	layers         []layerWeights
	lnfW, lnfB     []float32 // final norm (GPT-2 ln_f, Llama model.norm)
	lmHead         []float32 // [V,C]; aliases wte when embeddings are tied
	poolW, poolB   []float32 // BERT pooler.dense
}

type paramSpec struct {
	name  string
	shape []int
	decay bool
	ptr   func(w *weights) *[]float32
}

// specs lists every tensor of an architecture in a fixed order, with the
// Hugging Face names used when saving.
func specs(c Config, pooler bool) []paramSpec {
	var s []paramSpec
	add := func(name string, decay bool, ptr func(w *weights) *[]float32, shape ...int) {
		s = append(s, paramSpec{name: name, shape: shape, decay: decay, ptr: ptr})
	}
	C, V, F := c.Hidden, c.VocabSize, c.FFN
	switch c.Arch {
	case GPT2:
		add("transformer.wte.weight", true, func(w *weights) *[]float32 { return &w.wte }, V, C)
		add("transformer.wpe.weight", true, func(w *weights) *[]float32 { return &w.wpe }, c.MaxPos, C)
		for l := 0; l < c.Layers; l++ {
			p := "transformer.h." + strconv.Itoa(l) + "."
			L := func(f func(lw *layerWeights) *[]float32) func(w *weights) *[]float32 {
				return func(w *weights) *[]float32 { return f(&w.layers[l]) }
			}
			add(p+"ln_1.weight", false, L(func(x *layerWeights) *[]float32 { return &x.ln1W }), C)
			add(p+"ln_1.bias", false, L(func(x *layerWeights) *[]float32 { return &x.ln1B }), C)
			add(p+"attn.c_attn.weight", true, L(func(x *layerWeights) *[]float32 { return &x.qkvW }), C, 3*C)
			add(p+"attn.c_attn.bias", false, L(func(x *layerWeights) *[]float32 { return &x.qkvB }), 3*C)
			add(p+"attn.c_proj.weight", true, L(func(x *layerWeights) *[]float32 { return &x.oW }), C, C)
			add(p+"attn.c_proj.bias", false, L(func(x *layerWeights) *[]float32 { return &x.oB }), C)
			add(p+"ln_2.weight", false, L(func(x *layerWeights) *[]float32 { return &x.ln2W }), C)
			add(p+"ln_2.bias", false, L(func(x *layerWeights) *[]float32 { return &x.ln2B }), C)
			add(p+"mlp.c_fc.weight", true, L(func(x *layerWeights) *[]float32 { return &x.upW }), C, F)
			add(p+"mlp.c_fc.bias", false, L(func(x *layerWeights) *[]float32 { return &x.upB }), F)
			add(p+"mlp.c_proj.weight", true, L(func(x *layerWeights) *[]float32 { return &x.downW }), F, C)
			add(p+"mlp.c_proj.bias", false, L(func(x *layerWeights) *[]float32 { return &x.downB }), C)
		}
		add("transformer.ln_f.weight", false, func(w *weights) *[]float32 { return &w.lnfW }, C)
		add("transformer.ln_f.bias", false, func(w *weights) *[]float32 { return &w.lnfB }, C)
	case Llama:
		Q, KV := c.Heads*c.HeadDim, c.KVHeads*c.HeadDim
		add("model.embed_tokens.weight", true, func(w *weights) *[]float32 { return &w.wte }, V, C)
		for l := 0; l < c.Layers; l++ {
			p := "model.layers." + strconv.Itoa(l) + "."
			L := func(f func(lw *layerWeights) *[]float32) func(w *weights) *[]float32 {
				return func(w *weights) *[]float32 { return f(&w.layers[l]) }
			}
			add(p+"input_layernorm.weight", false, L(func(x *layerWeights) *[]float32 { return &x.ln1W }), C)
			add(p+"self_attn.q_proj.weight", true, L(func(x *layerWeights) *[]float32 { return &x.qW }), Q, C)
			add(p+"self_attn.k_proj.weight", true, L(func(x *layerWeights) *[]float32 { return &x.kW }), KV, C)
			add(p+"self_attn.v_proj.weight", true, L(func(x *layerWeights) *[]float32 { return &x.vW }), KV, C)
			add(p+"self_attn.o_proj.weight", true, L(func(x *layerWeights) *[]float32 { return &x.oW }), C, Q)
			add(p+"post_attention_layernorm.weight", false, L(func(x *layerWeights) *[]float32 { return &x.ln2W }), C)
			add(p+"mlp.gate_proj.weight", true, L(func(x *layerWeights) *[]float32 { return &x.gateW }), F, C)
			add(p+"mlp.up_proj.weight", true, L(func(x *layerWeights) *[]float32 { return &x.upW }), F, C)
			add(p+"mlp.down_proj.weight", true, L(func(x *layerWeights) *[]float32 { return &x.downW }), C, F)
		}
		add("model.norm.weight", false, func(w *weights) *[]float32 { return &w.lnfW }, C)
		if !c.TieEmbeddings {
			add("lm_head.weight", true, func(w *weights) *[]float32 { return &w.lmHead }, V, C)
		}
	case BERT:
		add("embeddings.word_embeddings.weight", true, func(w *weights) *[]float32 { return &w.wte }, V, C)
		add("embeddings.position_embeddings.weight", true, func(w *weights) *[]float32 { return &w.wpe }, c.MaxPos, C)
		add("embeddings.token_type_embeddings.weight", true, func(w *weights) *[]float32 { return &w.wtt }, c.TypeVocab, C)
		add("embeddings.LayerNorm.weight", false, func(w *weights) *[]float32 { return &w.embLnW }, C)
		add("embeddings.LayerNorm.bias", false, func(w *weights) *[]float32 { return &w.embLnB }, C)
		for l := 0; l < c.Layers; l++ {
			p := "encoder.layer." + strconv.Itoa(l) + "."
			L := func(f func(lw *layerWeights) *[]float32) func(w *weights) *[]float32 {
				return func(w *weights) *[]float32 { return f(&w.layers[l]) }
			}
			add(p+"attention.self.query.weight", true, L(func(x *layerWeights) *[]float32 { return &x.qW }), C, C)
			add(p+"attention.self.query.bias", false, L(func(x *layerWeights) *[]float32 { return &x.qB }), C)
			add(p+"attention.self.key.weight", true, L(func(x *layerWeights) *[]float32 { return &x.kW }), C, C)
			add(p+"attention.self.key.bias", false, L(func(x *layerWeights) *[]float32 { return &x.kB }), C)
			add(p+"attention.self.value.weight", true, L(func(x *layerWeights) *[]float32 { return &x.vW }), C, C)
			add(p+"attention.self.value.bias", false, L(func(x *layerWeights) *[]float32 { return &x.vB }), C)
			add(p+"attention.output.dense.weight", true, L(func(x *layerWeights) *[]float32 { return &x.oW }), C, C)
			add(p+"attention.output.dense.bias", false, L(func(x *layerWeights) *[]float32 { return &x.oB }), C)
			add(p+"attention.output.LayerNorm.weight", false, L(func(x *layerWeights) *[]float32 { return &x.ln1W }), C)
			add(p+"attention.output.LayerNorm.bias", false, L(func(x *layerWeights) *[]float32 { return &x.ln1B }), C)
			add(p+"intermediate.dense.weight", true, L(func(x *layerWeights) *[]float32 { return &x.upW }), F, C)
			add(p+"intermediate.dense.bias", false, L(func(x *layerWeights) *[]float32 { return &x.upB }), F)
			add(p+"output.dense.weight", true, L(func(x *layerWeights) *[]float32 { return &x.downW }), C, F)
			add(p+"output.dense.bias", false, L(func(x *layerWeights) *[]float32 { return &x.downB }), C)
			add(p+"output.LayerNorm.weight", false, L(func(x *layerWeights) *[]float32 { return &x.ln2W }), C)
			add(p+"output.LayerNorm.bias", false, L(func(x *layerWeights) *[]float32 { return &x.ln2B }), C)
		}
		if pooler {
			add("pooler.dense.weight", true, func(w *weights) *[]float32 { return &w.poolW }, C, C)
			add("pooler.dense.bias", false, func(w *weights) *[]float32 { return &w.poolB }, C)
		}
	default:
		return decoderSpecs(c)
	}
	return s
}

// NumParams returns the number of parameters of a model with this config
// (tied embeddings counted once, BERT including its pooler). It is computed
// in closed form, so absurd configs are rejected without allocating.
//
//numerics:exempt integer counts in float64 (exact below 2^53, only compared above).
func (c Config) NumParams() int64 {
	f := func(x int) float64 { return float64(x) }
	C, V, F, L, P := f(c.Hidden), f(c.VocabSize), f(c.FFN), f(c.Layers), f(c.MaxPos)
	QD, KVD := f(c.Heads*c.HeadDim), f(c.KVHeads*c.HeadDim)
	var n float64
	switch c.Arch {
	case GPT2:
		n = V*C + P*C + L*(4*C+C*3*C+3*C+C*C+C+C*F+F+F*C+C) + 2*C
	case Llama:
		n = V*C + L*(2*C+QD*C+2*KVD*C+C*QD+3*F*C) + C
		if !c.TieEmbeddings {
			n += V * C
		}
	case BERT:
		n = V*C + P*C + f(c.TypeVocab)*C + 2*C + L*(4*(C*C+C)+4*C+2*F*C+F+C) + C*C + C
	default:
		n = decoderNumParams(c)
	}
	if n > 1<<62 {
		return 1 << 62
	}
	return int64(n)
}

// Model is a transformer with its parameters in one flat float32 buffer.
type Model struct {
	Config Config
	// Params holds every parameter; the tensors of Infos are slices of it.
	Params []float32
	// Grads has the layout of Params; nil until AllocGrads.
	Grads []float32
	// Infos lists the named tensors in a fixed order.
	Infos  []ParamInfo
	pooler bool
	w, g   *weights
	specs  []paramSpec
	acts   *acts      // cached activation buffers of the last batch shape
	ropeT  *ropeTable // cached rotary table (Llama)
	half   *halfModel // 16-bit matrices kept in the file mapping (LoadInference); their Infos have Offset -1
}

// New returns a model with all parameters zero. BERT models get a pooler.
// A Model is not safe for concurrent use: callers serialize access.
func New(c Config) (*Model, error) { return newModel(c, true) }

func newModel(c Config, pooler bool) (*Model, error) {
	m, err := planModel(c, pooler)
	if err != nil {
		return nil, err
	}
	m.alloc()
	return m, nil
}

// planModel lays out the tensors without allocating the parameters, so a
// loader can check a file against the layout first.
func planModel(c Config, pooler bool) (*Model, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	if c.Arch != BERT {
		pooler = false
	}
	m := &Model{Config: c, pooler: pooler, specs: specs(c, pooler)}
	off := 0
	for _, s := range m.specs {
		n := 1
		for _, d := range s.shape {
			n *= d
		}
		m.Infos = append(m.Infos, ParamInfo{Name: s.name, Shape: append([]int(nil), s.shape...), Offset: off, Size: n, Decay: s.decay})
		off += n
	}
	return m, nil
}

// alloc allocates the parameter buffer of a planned model.
func (m *Model) alloc() {
	last := m.Infos[len(m.Infos)-1]
	m.Params = make([]float32, last.Offset+last.Size)
	m.w = m.bind(m.Params)
}

// bind makes typed views over a buffer laid out like Params.
func (m *Model) bind(buf []float32) *weights {
	w := &weights{layers: make([]layerWeights, m.Config.Layers)}
	for i, s := range m.specs {
		in := m.Infos[i]
		if in.Offset < 0 { // 16-bit, outside Params
			continue
		}
		*s.ptr(w) = buf[in.Offset : in.Offset+in.Size : in.Offset+in.Size]
	}
	if w.lmHead == nil {
		w.lmHead = w.wte
	}
	return w
}

// AllocGrads allocates (or zeroes) the gradient buffer.
func (m *Model) AllocGrads() {
	if m.Grads == nil {
		m.Grads = make([]float32, len(m.Params))
		m.g = m.bind(m.Grads)
		return
	}
	// 500 MB for GPT-2 124M: cleared by all workers, not one.
	parallelRanges(len(m.Grads), 1<<16, func(lo, hi int) { clear(m.Grads[lo:hi]) })
}

// ZeroGrads sets every gradient to zero.
func (m *Model) ZeroGrads() { m.AllocGrads() }

// Tensor returns the parameter tensor with a Hugging Face name and its shape.
func (m *Model) Tensor(name string) ([]float32, []int, bool) {
	for _, in := range m.Infos {
		if in.Name == name && in.Offset >= 0 {
			return m.Params[in.Offset : in.Offset+in.Size], in.Shape, true
		}
	}
	return nil, nil, false
}

// Grad returns the gradient tensor with a Hugging Face name.
func (m *Model) Grad(name string) ([]float32, bool) {
	if m.Grads == nil {
		return nil, false
	}
	for _, in := range m.Infos {
		if in.Name == name {
			return m.Grads[in.Offset : in.Offset+in.Size], true
		}
	}
	return nil, false
}

// NumParams returns the number of parameters held (16-bit ones included).
func (m *Model) NumParams() int {
	n := 0
	for _, in := range m.Infos {
		n += in.Size
	}
	return n
}

// InitRandom fills the parameters GPT-2 style from a seeded generator: matrices
// and embeddings ~ N(0, 0.02²), residual output projections scaled by
// 1/sqrt(2·layers), norm weights 1, biases 0. The same seed gives the same model.
func (m *Model) InitRandom(seed uint64) {
	rng := rand.New(rand.NewPCG(seed, 0x7a6f6e6574))
	resid := 0.02 / math.Sqrt(float64(2*m.Config.Layers))
	for _, in := range m.Infos {
		t := m.Params[in.Offset : in.Offset+in.Size]
		switch {
		case len(in.Shape) == 1 && isNormWeight(in.Name):
			for i := range t {
				t[i] = 1
			}
		case len(in.Shape) == 1:
			clear(t)
		default:
			std := 0.02
			if isResidualProj(in.Name) {
				std = resid
			}
			for i := range t {
				t[i] = float32(rng.NormFloat64() * std)
			}
		}
	}
}

func isNormWeight(name string) bool {
	for _, suf := range []string{"ln_1.weight", "ln_2.weight", "ln_f.weight", "layernorm.weight", "norm.weight", "LayerNorm.weight"} {
		if len(name) >= len(suf) && name[len(name)-len(suf):] == suf {
			return true
		}
	}
	return false
}

func isResidualProj(name string) bool {
	for _, suf := range []string{"attn.c_proj.weight", "mlp.c_proj.weight", "o_proj.weight", "down_proj.weight"} {
		if len(name) >= len(suf) && name[len(name)-len(suf):] == suf {
			return true
		}
	}
	return false
}

// checkFinite reports the first NaN or Inf parameter.
func (m *Model) checkFinite() error {
	for _, in := range m.Infos {
		if in.Offset < 0 {
			continue
		}
		for i, v := range m.Params[in.Offset : in.Offset+in.Size] {
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
				return fmt.Errorf("tensor %s: non-finite value %v at index %d", in.Name, v, i)
			}
		}
	}
	return nil
}
