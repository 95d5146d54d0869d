package model

import (
	"fmt"
	"math"

	"github.com/taonet/taonet/lm/kernels"
)

// The decoder-family forward pass (Qwen2, Mistral, Gemma, Gemma2, Phi-3,
// StableLM, GPT-NeoX), inference only: full sequences (forwardDecoder) and
// KV-cached generation (extendDecoder) share decoderLayer and differ only in
// how attention sees the keys. Products that feed an addition are rounded
// to float32 explicitly, so no compiler may fuse them into an FMA and the
// result is the same on every CPU.

// phi3Fused is 1 when the MLP's gate and up projections are one fused
// tensor (Phi-3), whose output needs twice the intermediate width.
func phi3Fused(c Config) int {
	if c.Arch == Phi3 {
		return 1
	}
	return 0
}

// attnOpts are one layer's attention variations.
type attnOpts struct {
	scale   float32
	window  int     // keys more than window-1 positions back are hidden (0: none)
	softcap float32 // scores → softcap·tanh(scores/softcap) (0: off)
}

func (m *Model) attnOpts(l int) attnOpts {
	c, d := m.Config, m.Config.Decoder
	o := attnOpts{scale: float32(1 / math.Sqrt(float64(c.HeadDim))), softcap: float32(d.AttnSoftcap)}
	if d.QueryScalar > 0 {
		o.scale = float32(1 / math.Sqrt(d.QueryScalar)) // query_pre_attn_scalar^-0.5, exactly rounded
	}
	if d.SlidingWindow > 0 && (!d.SlidingEven || l%2 == 0) {
		o.window = d.SlidingWindow
	}
	return o
}

// attendFunc computes the attention output att [n, H·D] of n query rows q
// and their keys and values k, v (all after RoPE) for layer l.
type attendFunc func(l int, q, k, v, att []float32)

// forwardDecoder runs a decoder-family model over a's tokens up to the final
// norm (and the logits when withLogits is set).
func (m *Model) forwardDecoder(a *acts, withLogits bool) *acts {
	c := m.Config
	N, V := a.N, c.VocabSize
	m.embedDecoder(a.resid[0], a.tokens)
	rope := m.decoderRope(a.T)
	s := attnShape{B: a.B, T: a.T, H: c.Heads, KV: c.KVHeads, D: c.HeadDim, qs: c.Heads * c.HeadDim, ks: c.KVHeads * c.HeadDim, vs: c.KVHeads * c.HeadDim, causal: true}
	attend := func(l int, q, k, v, att []float32) { decoderAttention(att, q, k, v, s, m.attnOpts(l)) }
	for l := 0; l < c.Layers; l++ {
		in, out, la := a.resid[l%2], a.resid[(l+1)%2], &a.layers[0]
		if a.train {
			in, out, la = a.resid[l], a.resid[l+1], &a.layers[l]
		}
		m.decoderLayer(l, in, out, la, N, a.T, 0, rope, a.scratch, attend)
	}
	last := a.resid[c.Layers%2]
	if a.train {
		last = a.resid[c.Layers]
	}
	m.decoderNorm(a.lnf, last, m.w.lnfW, m.w.lnfB, N)
	if withLogits {
		if len(a.logits) < N*V {
			a.logits = make([]float32, N*V)
		}
		m.lmHeadForward(a.logits[:N*V], a.lnf, N)
		m.softcapLogits(a.logits[:N*V])
	}
	return a
}

// embedDecoder looks up the token embeddings (×sqrt(hidden) for Gemma, as a
// float32 constant like Hugging Face's normalizer).
func (m *Model) embedDecoder(out []float32, tokens []int) {
	C := m.Config.Hidden
	m.embedRows(out, tokens)
	if m.Config.Decoder.EmbedScale {
		kernels.Scale(float32(math.Sqrt(float64(C))), out[:len(tokens)*C])
	}
}

// decoderRope returns the rotary table (of the rotated width) covering at
// least n positions.
func (m *Model) decoderRope(n int) *ropeTable {
	d := m.Config.Decoder
	if m.ropeT == nil || len(m.ropeT.cos) < n*m.ropeT.half || m.ropeT.half != d.RotaryDim/2 {
		size := max(n, min(m.Config.MaxPos, 4096))
		m.ropeT = newRope(size, d.RotaryDim, m.Config.RopeTheta, m.Config.RopeScaling)
	}
	return m.ropeT
}

// decoderLayer runs block l on n rows x (row r at position start + r%T)
// into out. la's buffers hold at least n rows; tmp holds n·C.
func (m *Model) decoderLayer(l int, x, out []float32, la *layerActs, n, T, start int, rope *ropeTable, tmp []float32, attend attendFunc) {
	c, d, lw := m.Config, m.Config.Decoder, &m.w.layers[l]
	C := c.Hidden
	H, KV, D := c.Heads, c.KVHeads, c.HeadDim
	QD, KVD := H*D, KV*D
	h, q, k, v, att, o := la.ln1[:n*C], la.q[:n*QD], la.k[:n*KVD], la.v[:n*KVD], la.att[:n*QD], la.res2[:n*C]

	m.decoderNorm(h, x, lw.ln1W, lw.ln1B, n)
	m.projectQKV(q, k, v, la.qkv, h, lw, m.halfLayer(l), n)
	ropePartial(rope, q, n, T, start, H, QD, D)
	ropePartial(rope, k, n, T, start, KV, KVD, D)
	attend(l, q, k, v, att)
	hl := m.halfLayer(l)
	lin(o, att, lw.oW, hl.o, lw.oB, n, QD, C)
	switch {
	case d.Parallel && c.Arch == StableLM:
		// x + attn(ln1 x) + mlp(ln1 x), added in that order.
		m.decoderMLP(tmp, h, la, lw, hl, n)
		addInto(out[:n*C], x[:n*C], o)
		addInto(out[:n*C], out[:n*C], tmp[:n*C])
	case d.Parallel:
		// GPT-NeoX: mlp(ln2 x) + attn(ln1 x) + x, added in that order.
		h2 := la.ln2[:n*C]
		m.decoderNorm(h2, x, lw.ln2W, lw.ln2B, n)
		m.decoderMLP(tmp, h2, la, lw, hl, n)
		addInto(out[:n*C], tmp[:n*C], o)
		addInto(out[:n*C], out[:n*C], x[:n*C])
	default:
		h2 := la.ln2[:n*C]
		normW := lw.ln2W
		if d.Sandwich {
			m.decoderNorm(o, o, lw.ln2W, nil, n) // Gemma2 post_attention_layernorm
			normW = lw.preFFW
		}
		addInto(out[:n*C], x[:n*C], o)
		m.decoderNorm(h2, out, normW, lw.ln2B, n)
		m.decoderMLP(tmp, h2, la, lw, hl, n)
		if d.Sandwich {
			m.decoderNorm(tmp, tmp, lw.postFFW, nil, n)
		}
		addInto(out[:n*C], out[:n*C], tmp[:n*C])
	}
}

// decoderNorm is the family's norm of n rows: LayerNorm with bias, Gemma's
// RMSNorm scaled by (1 + w), or RMSNorm. out may alias x.
func (m *Model) decoderNorm(out, x, w, b []float32, n int) {
	c := m.Config
	switch {
	case c.Decoder.LayerNorm:
		layerNormForward(out, nil, nil, x, w, b, n, c.Hidden, c.NormEps)
	case c.Decoder.GemmaNorm:
		w1 := make([]float32, len(w))
		for i, v := range w {
			w1[i] = 1 + v
		}
		rmsNormForward(out, nil, x, w1, n, c.Hidden, c.NormEps)
	default:
		rmsNormForward(out, nil, x, w, n, c.Hidden, c.NormEps)
	}
}

// projectQKV computes the query, key and value rows of h: separate
// projections (with optional biases), Phi-3's fused qkv_proj (q, k and v
// are consecutive row blocks of the weight, so it is sliced), or GPT-NeoX's
// query_key_value, whose output interleaves q, k, v per head.
func (m *Model) projectQKV(q, k, v, qkv, h []float32, lw *layerWeights, hl halfLayer, n int) {
	c := m.Config
	C, H, D := c.Hidden, c.Heads, c.HeadDim
	QD, KVD := H*D, c.KVHeads*D
	switch c.Arch {
	case Phi3:
		end := (QD + 2*KVD) * C
		lin(q, h, rowsF32(lw.qkvW, 0, QD*C), hl.qkv.rows(0, QD*C), nil, n, C, QD)
		lin(k, h, rowsF32(lw.qkvW, QD*C, (QD+KVD)*C), hl.qkv.rows(QD*C, (QD+KVD)*C), nil, n, C, KVD)
		lin(v, h, rowsF32(lw.qkvW, (QD+KVD)*C, end), hl.qkv.rows((QD+KVD)*C, end), nil, n, C, KVD)
	case GPTNeoX:
		qkv = qkv[:n*3*C]
		lin(qkv, h, lw.qkvW, hl.qkv, lw.qkvB, n, C, 3*C)
		parallelRanges(n, 16, func(lo, hi int) {
			for r := lo; r < hi; r++ {
				for hd := 0; hd < H; hd++ {
					src := qkv[r*3*C+hd*3*D:]
					copy(q[r*C+hd*D:r*C+hd*D+D], src[:D])
					copy(k[r*C+hd*D:r*C+hd*D+D], src[D:2*D])
					copy(v[r*C+hd*D:r*C+hd*D+D], src[2*D:3*D])
				}
			}
		})
	default:
		lin(q, h, lw.qW, hl.q, lw.qB, n, C, QD)
		lin(k, h, lw.kW, hl.k, lw.kB, n, C, KVD)
		lin(v, h, lw.vW, hl.v, lw.vB, n, C, KVD)
	}
}

// decoderMLP writes the MLP of h into out [n, C]: a gated MLP with SiLU
// (Phi-3's gate_up_proj holds gate then up) or tanh-GELU (Gemma), or
// GPT-NeoX's plain MLP with exact GELU and biases.
func (m *Model) decoderMLP(out, h []float32, la *layerActs, lw *layerWeights, hl halfLayer, n int) {
	c := m.Config
	C, F := c.Hidden, c.FFN
	gate, up, act := la.gate[:n*F], la.up[:n*F], la.act[:n*F]
	switch {
	case c.Decoder.Act == "gelu":
		lin(up, h, lw.upW, hl.up, lw.upB, n, C, F)
		geluErfForward(act, up)
		lin(out, act, lw.downW, hl.down, lw.downB, n, F, C)
		return
	case c.Arch == Phi3:
		fused := la.gate[:n*2*F]
		lin(fused, h, lw.gateW, hl.gate, nil, n, C, 2*F)
		for r := 0; r < n; r++ {
			copy(act[r*F:r*F+F], fused[r*2*F:r*2*F+F])
			copy(up[r*F:r*F+F], fused[r*2*F+F:r*2*F+2*F])
		}
		gate = la.gate[:n*F]
		swigluForward(gate, act, up)
		lin(out, gate, lw.downW, hl.down, nil, n, F, C)
		return
	}
	lin(gate, h, lw.gateW, hl.gate, nil, n, C, F)
	lin(up, h, lw.upW, hl.up, nil, n, C, F)
	if c.Decoder.Act == "gelu_tanh" {
		geluNewForward(act, gate)
		for i := range act {
			act[i] = float32(act[i] * up[i])
		}
	} else {
		swigluForward(act, gate, up)
	}
	lin(out, act, lw.downW, hl.down, nil, n, F, C)
}

// ropePartial rotates, in place, the first 2·half dimensions of each head
// (width D) of rows [0, N) of x (row stride `stride`); the rest pass through
// (partial rotary). Row r has position start + r%T. Like Hugging Face:
// x·cos + rotate_half(x)·sin, each product rounded to float32.
func ropePartial(r *ropeTable, x []float32, N, T, start, heads, stride, D int) {
	half := r.half
	parallelRanges(N, 16, func(lo, hi int) {
		for n := lo; n < hi; n++ {
			pos := start + n%T
			c, s := r.cos[pos*half:pos*half+half], r.sin[pos*half:pos*half+half]
			for h := 0; h < heads; h++ {
				v := x[n*stride+h*D : n*stride+h*D+2*half]
				for i := 0; i < half; i++ {
					x1, x2 := v[i], v[i+half]
					v[i] = float32(x1*c[i]) - float32(x2*s[i])
					v[i+half] = float32(x2*c[i]) + float32(x1*s[i])
				}
			}
		}
	})
}

// decoderAttention is causal attention over B sequences of T rows with the
// layer's scale, optional sliding window and optional soft-capping.
func decoderAttention(out, q, k, v []float32, s attnShape, o attnOpts) {
	T, D, HD := s.T, s.D, s.H*s.D
	rep := s.H / s.KV
	kernels.ParallelFor(s.B*s.H, func(job int) {
		b, h := job/s.H, job%s.H
		g := h / rep
		scores := make([]float32, T)
		for t := 0; t < T; t++ {
			lo := 0
			if o.window > 0 {
				lo = max(0, t-o.window+1)
			}
			qr := q[(b*T+t)*s.qs+h*D : (b*T+t)*s.qs+h*D+D]
			sc := scores[:t-lo+1]
			for j := range sc {
				kr := (b*T + lo + j) * s.ks
				sc[j] = float32(kernels.Dot(qr, k[kr+g*D:kr+g*D+D]) * o.scale)
			}
			attendRow(out[(b*T+t)*HD+h*D:(b*T+t)*HD+h*D+D], sc, o.softcap, func(j int) []float32 {
				vr := (b*T + lo + j) * s.vs
				return v[vr+g*D : vr+g*D+D]
			})
		}
	})
}

// attendRow soft-caps and softmaxes one row of scores and writes the
// probability-weighted sum of the value rows into o.
func attendRow(o, sc []float32, softcap float32, value func(j int) []float32) {
	if softcap > 0 {
		for j := range sc {
			sc[j] /= softcap
		}
		tanhInto(sc, sc)
		for j := range sc {
			sc[j] = float32(sc[j] * softcap)
		}
	}
	softmaxRow(sc, len(sc), nil)
	clear(o)
	for j, p := range sc {
		kernels.Axpy(p, value(j), o)
	}
}

// softcapLogits applies the final logit soft-capping (Gemma2) in place:
// cap·tanh(logits/cap).
func (m *Model) softcapLogits(logits []float32) {
	capf := float32(m.Config.Decoder.FinalSoftcap)
	if capf <= 0 {
		return
	}
	parallelRanges(len(logits), 4096, func(lo, hi int) {
		x := logits[lo:hi]
		for i := range x {
			x[i] /= capf
		}
		tanhInto(x, x)
		for i := range x {
			x[i] = float32(x[i] * capf)
		}
	})
}

// extendDecoder is Extend for the decoder family: the new rows attend to
// the cached keys and values (within the layer's window).
func (m *Model) extendDecoder(cache *KVCache, tokens []int) ([]float32, error) {
	c := m.Config
	n, start := len(tokens), cache.n
	C, F, V := c.Hidden, c.FFN, c.VocabSize
	H, KV, D := c.Heads, c.KVHeads, c.HeadDim
	QD, KVD := H*D, KV*D
	f := func(k int) []float32 { return make([]float32, k) }
	la := layerActs{ln1: f(n * C), q: f(n * QD), k: f(n * KVD), v: f(n * KVD), att: f(n * QD), res2: f(n * C),
		ln2: f(n * C), qkv: f(n * (QD + 2*KVD)), gate: f(n * F * (1 + phi3Fused(c))), up: f(n * F), act: f(n * F)}
	x, out, tmp := f(n*C), f(n*C), f(n*C)
	m.embedDecoder(x, tokens)
	rope := m.decoderRope(start + n)
	attend := func(l int, q, k, v, att []float32) {
		kc, vc := cache.k[l], cache.v[l]
		copy(kc[start*KVD:(start+n)*KVD], k)
		copy(vc[start*KVD:(start+n)*KVD], v)
		cachedDecoderAttention(att, q, kc, vc, n, start, H, KV, D, m.attnOpts(l))
	}
	for l := 0; l < c.Layers; l++ {
		m.decoderLayer(l, x, out, &la, n, 1<<30, start, rope, tmp, attend)
		x, out = out, x
	}
	cache.n += n
	last := f(C)
	m.decoderNorm(last, x[(n-1)*C:n*C], m.w.lnfW, m.w.lnfB, 1)
	logits := f(V)
	m.lmHeadForward(logits, last, 1)
	m.softcapLogits(logits)
	return logits, nil
}

// cachedDecoderAttention attends each of n new query rows (positions
// start+i) to the cached keys and values within the window.
func cachedDecoderAttention(out, q, kc, vc []float32, n, start, H, KV, D int, o attnOpts) {
	rep := H / KV
	QD, KVD := H*D, KV*D
	kernels.ParallelFor(n*H, func(job int) {
		i, h := job/H, job%H
		g := h / rep
		p := start + i
		lo := 0
		if o.window > 0 {
			lo = max(0, p-o.window+1)
		}
		qr := q[i*QD+h*D : i*QD+h*D+D]
		sc := make([]float32, p-lo+1)
		for j := range sc {
			s := lo + j
			sc[j] = float32(kernels.Dot(qr, kc[s*KVD+g*D:s*KVD+g*D+D]) * o.scale)
		}
		attendRow(out[i*QD+h*D:i*QD+h*D+D], sc, o.softcap, func(j int) []float32 {
			s := lo + j
			return vc[s*KVD+g*D : s*KVD+g*D+D]
		})
	})
}

// viaDecoder reports whether the model runs on the decoder-family pass: the
// decoder architectures, and Llama with 16-bit weights.
func (m *Model) viaDecoder() bool { return m.Config.Arch.isDecoder() || m.half != nil }

// errNoTraining explains why a model cannot be trained: the trainer's
// backward pass covers float32 GPT-2 and Llama.
func (m *Model) errNoTraining() error {
	if m.half != nil {
		return fmt.Errorf("model: 16-bit weights loaded for inference cannot be trained; load the model with model.Load (float32)")
	}
	return fmt.Errorf("model: training %s is not supported (the backward pass covers gpt2 and llama); forward, loss and generation are", m.Config.Arch)
}
