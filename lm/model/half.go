package model

import (
	"encoding/json"
	"fmt"
	"math"
	"runtime"
	"strconv"
	"strings"
	"sync"

	"github.com/taonet/taonet/lm/kernels"
	"github.com/taonet/taonet/lm/safetensors"
)

// 16-bit weights. LoadInference keeps a bf16/f16 checkpoint's matrices in
// the file mapping (2 bytes per parameter) instead of widening them into
// Params; the decoder-family pass (which also runs Llama loaded this way)
// widens a tile of halfTile weight rows at a time into a small buffer right
// before the matmul that uses it. Widening is exact and the tiles split only
// independent output columns, so results equal those of the widened model.

// halfTile is how many weight rows (output features) are widened at once.
const halfTile = 64

// half16 is a 16-bit tensor read from the mapping; the zero value is "none".
type half16 struct {
	raw []byte
	dt  safetensors.DType // BF16 or F16
}

func (h half16) ok() bool { return h.raw != nil }

// widen writes len(dst) elements starting at element `from` as float32.
func (h half16) widen(dst []float32, from int) {
	src := h.raw[2*from : 2*(from+len(dst))]
	if h.dt == safetensors.BF16 {
		kernels.WidenBF16(dst, src)
	} else {
		kernels.WidenF16(dst, src)
	}
}

// rows returns elements [lo, hi) as a tensor of its own (a row block).
func (h half16) rows(lo, hi int) half16 {
	if !h.ok() {
		return h
	}
	return half16{raw: h.raw[2*lo : 2*hi], dt: h.dt}
}

// linear computes out[N,O] = x[N,I]·Wᵀ + b for W [O,I] in 16 bits, one
// tile of output rows at a time.
func (h half16) linear(out, x, b []float32, N, I, O int) {
	beta := float32(0)
	if b != nil {
		for n := 0; n < N; n++ {
			copy(out[n*O:n*O+O], b)
		}
		beta = 1
	}
	buf := make([]float32, min(halfTile, O)*I)
	for o0 := 0; o0 < O; o0 += halfTile {
		ob := min(halfTile, O-o0)
		h.widen(buf[:ob*I], o0*I)
		kernels.Sgemm(false, true, N, ob, I, 1, x, I, buf, I, beta, out[o0:], O)
	}
}

// halfLayer holds one block's 16-bit matrices (unset ones are float32).
type halfLayer struct{ qkv, q, k, v, o, gate, up, down half16 }

// halfModel is the 16-bit part of a model loaded by LoadInference.
type halfModel struct {
	layers      []halfLayer
	wte, lmHead half16
	bytes       int64  // 16-bit parameter bytes kept in the mapping
	release     func() // unmaps the file (once)
}

// layer returns block l's 16-bit matrices (none for float32 models).
func (m *Model) halfLayer(l int) halfLayer {
	if m.half == nil {
		return halfLayer{}
	}
	return m.half.layers[l]
}

// lin computes out = x·Wᵀ + b with W float32 (w) or 16-bit (h).
func lin(out, x, w []float32, h half16, b []float32, N, I, O int) {
	if h.ok() {
		h.linear(out, x, b, N, I, O)
		return
	}
	linearForward(out, x, w, b, N, I, O, false)
}

// rowsF32 returns rows [lo, hi) of a float32 tensor, or nil for none.
func rowsF32(w []float32, lo, hi int) []float32 {
	if w == nil {
		return nil
	}
	return w[lo:hi]
}

// lmHeadForward computes the logits of k final-norm rows x (before any
// soft-capping).
func (m *Model) lmHeadForward(out, x []float32, k int) {
	C, V := m.Config.Hidden, m.Config.VocabSize
	if m.half != nil && m.half.lmHead.ok() {
		m.half.lmHead.linear(out, x, nil, k, C, V)
		return
	}
	linearForward(out, x, m.w.lmHead, nil, k, C, V, false)
}

// slot returns where a 16-bit matrix of the given HF name goes, or nil when
// the engine keeps that tensor in float32.
func (h *halfModel) slot(name string) *half16 {
	switch {
	case strings.HasSuffix(name, "embed_tokens.weight"), strings.HasSuffix(name, "embed_in.weight"):
		return &h.wte
	case name == "lm_head.weight", name == "embed_out.weight":
		return &h.lmHead
	}
	i := strings.Index(name, "layers.")
	if i < 0 {
		return nil
	}
	rest := name[i+len("layers."):]
	dot := strings.IndexByte(rest, '.')
	if dot < 0 {
		return nil
	}
	l, err := strconv.Atoi(rest[:dot])
	if err != nil || l < 0 || l >= len(h.layers) {
		return nil
	}
	hl := &h.layers[l]
	switch rest[dot+1:] {
	case "self_attn.q_proj.weight":
		return &hl.q
	case "self_attn.k_proj.weight":
		return &hl.k
	case "self_attn.v_proj.weight":
		return &hl.v
	case "self_attn.qkv_proj.weight", "attention.query_key_value.weight":
		return &hl.qkv
	case "self_attn.o_proj.weight", "attention.dense.weight":
		return &hl.o
	case "mlp.gate_proj.weight", "mlp.gate_up_proj.weight":
		return &hl.gate
	case "mlp.up_proj.weight", "mlp.dense_h_to_4h.weight":
		return &hl.up
	case "mlp.down_proj.weight", "mlp.dense_4h_to_h.weight":
		return &hl.down
	}
	return nil
}

// rawSource is a TensorSource that also gives a tensor's mapped bytes.
type rawSource interface {
	TensorSource
	Bytes(name string) ([]byte, safetensors.TensorInfo, error)
}

// Bytes returns a tensor's mapped bytes from whichever shard holds it.
func (s *sharded) Bytes(name string) ([]byte, safetensors.TensorInfo, error) {
	f, ok := s.files[s.where[name]]
	if !ok {
		return nil, safetensors.TensorInfo{}, fmt.Errorf("no tensor %q", name)
	}
	return f.Bytes(name)
}

// LoadInference loads a model for inference (loss, generation, serving).
// For Llama and the decoder family, bf16/f16 matrices stay 16-bit in the
// file mapping (see half16), so a bf16 model needs about 2 bytes per
// parameter; the mapping is released when the model is garbage collected.
// Other architectures, and float32 files, load as Load does. Models loaded
// this way cannot be trained.
func LoadInference(dir string) (*Model, error) {
	cfg, src, closeSrc, err := openDir(dir)
	if err != nil {
		return nil, err
	}
	m, err := loadHalf(cfg, src)
	if err != nil {
		closeSrc()
		return nil, fmt.Errorf("model %s: %w", dir, err)
	}
	if m.half == nil {
		closeSrc()
		return m, nil
	}
	release := sync.OnceFunc(closeSrc)
	m.half.release = release
	runtime.AddCleanup(m, func(release func()) { release() }, release)
	return m, nil
}

// Close releases the file mapping of a model loaded by LoadInference now,
// instead of when the model is garbage collected (the mapped pages count
// towards the process's memory until then). The model must not be used
// afterwards. Close is a no-op for models without 16-bit weights.
func (m *Model) Close() error {
	if m.half != nil && m.half.release != nil {
		m.half.release()
		m.half = &halfModel{layers: make([]halfLayer, m.Config.Layers)} // no dangling views
	}
	return nil
}

// loadHalf builds a model whose 16-bit matrices alias src's mapping.
func loadHalf(cfg Config, src TensorSource) (*Model, error) {
	rs, canMap := src.(rawSource)
	if !canMap || !(cfg.Arch == Llama || cfg.Arch.isDecoder()) {
		return FromSafetensors(cfg, src)
	}
	m, names, err := planFromSource(cfg, src)
	if err != nil {
		return nil, err
	}
	h := &halfModel{layers: make([]halfLayer, cfg.Layers)}
	off := 0
	for i, in := range m.Infos {
		info, _ := src.Info(names[i])
		if slot := h.slot(in.Name); slot != nil && len(in.Shape) == 2 && (info.DType == safetensors.BF16 || info.DType == safetensors.F16) {
			raw, _, err := rs.Bytes(names[i])
			if err != nil {
				return nil, err
			}
			*slot = half16{raw: raw, dt: info.DType}
			if err := checkFiniteHalf(in.Name, *slot, in.Size); err != nil {
				return nil, err
			}
			h.bytes += int64(len(raw))
			m.Infos[i].Offset = -1
			continue
		}
		m.Infos[i].Offset = off
		off += in.Size
	}
	if h.bytes == 0 {
		return FromSafetensors(cfg, src)
	}
	if cfg.TieEmbeddings {
		h.lmHead = h.wte
	}
	m.Params = make([]float32, off)
	m.w = m.bind(m.Params)
	for i, in := range m.Infos {
		if in.Offset < 0 {
			continue
		}
		data, _, err := src.Float32(names[i])
		if err != nil {
			return nil, err
		}
		copy(m.Params[in.Offset:in.Offset+in.Size], data)
	}
	if err := m.checkFinite(); err != nil {
		return nil, err
	}
	m.half = h
	if cfg.Arch == Llama {
		// Llama is the decoder family's plainest member.
		m.Config.Decoder = DecoderOptions{Act: "silu", RotaryDim: cfg.HeadDim}
	}
	return m, nil
}

// checkFiniteHalf rejects a 16-bit tensor with a NaN or Inf, reading it a
// tile at a time.
func checkFiniteHalf(name string, h half16, n int) error {
	buf := make([]float32, min(n, 1<<16))
	for lo := 0; lo < n; lo += len(buf) {
		k := min(len(buf), n-lo)
		h.widen(buf[:k], lo)
		for i, v := range buf[:k] {
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
				return fmt.Errorf("tensor %s: non-finite value %v at index %d", name, v, lo+i)
			}
		}
	}
	return nil
}

// HalfBytes returns how many bytes of 16-bit weights the model uses from its
// file mapping (0 when every weight is float32).
func (m *Model) HalfBytes() int64 {
	if m.half == nil {
		return 0
	}
	return m.half.bytes
}

// EachTensor calls fn with every tensor in the model's fixed order, as
// float32 (16-bit tensors are widened into a temporary buffer, one at a
// time).
func (m *Model) EachTensor(fn func(info ParamInfo, data []float32) error) error {
	for _, in := range m.Infos {
		var data []float32
		if in.Offset >= 0 {
			data = m.Params[in.Offset : in.Offset+in.Size]
		} else {
			data = make([]float32, in.Size)
			m.half.slot(in.Name).widen(data, 0)
		}
		if err := fn(in, data); err != nil {
			return err
		}
	}
	return nil
}

// embedRows writes the embedding rows of tokens into out, widening them
// from 16 bits when the table is kept that way.
func (m *Model) embedRows(out []float32, tokens []int) {
	C := m.Config.Hidden
	if m.half == nil || !m.half.wte.ok() {
		embedForward(out, tokens, m.w.wte, nil, 1, 0, C)
		return
	}
	parallelRanges(len(tokens), 16, func(lo, hi int) {
		for n := lo; n < hi; n++ {
			m.half.wte.widen(out[n*C:n*C+C], tokens[n]*C)
		}
	})
}

// torchDtypes names the dtypes SaveAs writes as config.json spells them.
var torchDtypes = map[safetensors.DType]string{safetensors.F32: "float32", safetensors.BF16: "bfloat16", safetensors.F16: "float16"}

// encodeTensors converts every tensor to dtype for saving.
func (m *Model) encodeTensors(dtype safetensors.DType) ([]safetensors.Tensor, error) {
	if _, ok := torchDtypes[dtype]; !ok {
		return nil, fmt.Errorf("cannot save weights as %s (F32, BF16 or F16)", dtype)
	}
	tensors := make([]safetensors.Tensor, 0, len(m.Infos))
	for _, in := range m.Infos {
		if in.Offset < 0 {
			if h := m.half.slot(in.Name); h.dt == dtype {
				tensors = append(tensors, safetensors.Tensor{Name: in.Name, DType: dtype, Shape: in.Shape, Data: h.raw})
				continue
			}
		}
		var data []float32
		if in.Offset >= 0 {
			data = m.Params[in.Offset : in.Offset+in.Size]
		} else {
			data = make([]float32, in.Size)
			m.half.slot(in.Name).widen(data, 0)
		}
		t, err := safetensors.FromFloat32(in.Name, dtype, in.Shape, data)
		if err != nil {
			return nil, err
		}
		tensors = append(tensors, t)
	}
	return tensors, nil
}

// configJSON is Config.JSON with torch_dtype set to the saved dtype.
func (m *Model) configJSON(dtype safetensors.DType) ([]byte, error) {
	b, err := m.Config.JSON()
	if err != nil || dtype == safetensors.F32 {
		return b, err
	}
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		return nil, err
	}
	out["torch_dtype"] = torchDtypes[dtype]
	return json.MarshalIndent(out, "", "  ")
}
