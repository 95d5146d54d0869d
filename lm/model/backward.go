package model

import (
	"fmt"
	"math"

	"github.com/taonet/taonet/lm/kernels"
)

// backBufs are the gradient scratch buffers of one backward pass.
type backBufs struct {
	dres, dln, datt []float32 // [N,C], [N,C], [N,H·D]
	dqkv            []float32 // GPT-2 [N,3C]
	dq, dk, dv      []float32 // Llama
	dact, dup, dgat []float32 // [N,F]
	dloss           []float32 // [N]
	dscores         []float32 // attention score gradients [B,KV,T,T]
}

func (m *Model) getBackBufs(a *acts) *backBufs {
	if a.backBufs != nil {
		return a.backBufs
	}
	c := m.Config
	N, C, F := a.N, c.Hidden, c.FFN
	QD, KVD := c.Heads*c.HeadDim, c.KVHeads*c.HeadDim
	f := func(n int) []float32 { return make([]float32, n) }
	b := &backBufs{dres: f(N * C), dln: f(N * C), datt: f(N * QD), dact: f(N * F), dup: f(N * F), dloss: f(N),
		dscores: f(a.B * c.KVHeads * a.T * a.T)}
	if c.Arch == GPT2 {
		b.dqkv = f(N * 3 * C)
	} else {
		b.dq, b.dk, b.dv, b.dgat = f(N*QD), f(N*KVD), f(N*KVD), f(N*F)
	}
	a.backBufs = b
	return b
}

// ForwardBackward runs a training forward pass over B×T tokens, computes the
// mean cross-entropy over the positions whose target is non-negative, and
// adds scale·∂loss/∂θ to Grads (allocated on first use; call ZeroGrads between
// optimizer steps). It returns the mean loss and the number of scored tokens.
func (m *Model) ForwardBackward(tokens, targets []int, B, T int, scale float32) (float64, int, error) {
	if m.Config.Arch == BERT {
		return 0, 0, errBERTNoLM
	}
	if m.viaDecoder() {
		return 0, 0, m.errNoTraining()
	}
	if err := m.checkTargets(targets, B*T); err != nil {
		return 0, 0, err
	}
	count := 0
	for _, t := range targets {
		if t >= 0 {
			count++
		}
	}
	if count == 0 {
		return 0, 0, fmt.Errorf("model: batch has no scored target")
	}
	a, err := m.forward(tokens, B, T, true, true)
	if err != nil {
		return 0, 0, err
	}
	if m.Grads == nil {
		m.AllocGrads()
	}
	c := m.Config
	crossEntropyForward(a.nll, a.logits, targets, a.N, c.VocabSize)
	var sum float64
	for i, t := range targets {
		if t >= 0 {
			sum += float64(a.nll[i])
		}
	}
	bb := m.getBackBufs(a)
	d := scale / float32(count)
	for i, t := range targets {
		if t >= 0 {
			bb.dloss[i] = d
		} else {
			bb.dloss[i] = 0
		}
	}
	m.backward(a, targets, bb)
	return sum / float64(count), count, nil
}

// backward propagates dloss through the network saved in a, accumulating Grads.
func (m *Model) backward(a *acts, targets []int, bb *backBufs) {
	c := m.Config
	w, g := m.w, m.g
	B, T, N, C, F, V := a.B, a.T, a.N, c.Hidden, c.FFN, c.VocabSize
	QD, KVD := c.Heads*c.HeadDim, c.KVHeads*c.HeadDim

	crossEntropyBackward(a.logits, targets, bb.dloss, N, V)
	dlogits := a.logits
	linearBackward(bb.dln, g.lmHead, nil, dlogits, a.lnf, w.lmHead, N, C, V, false, false)
	clear(bb.dres)
	if c.Arch == GPT2 {
		layerNormBackward(bb.dres, g.lnfW, g.lnfB, bb.dln, a.resid[c.Layers], w.lnfW, a.lnfMean, a.lnfRstd, N, C)
	} else {
		rmsNormBackward(bb.dres, g.lnfW, bb.dln, a.resid[c.Layers], w.lnfW, a.lnfRstd, N, C)
	}
	var rope *ropeTable
	if c.Arch == Llama {
		rope = m.rope(T)
	}
	for l := c.Layers - 1; l >= 0; l-- {
		la, lw, lg := &a.layers[l], &w.layers[l], &g.layers[l]
		in := a.resid[l]
		switch c.Arch {
		case GPT2:
			linearBackward(bb.dact, lg.downW, lg.downB, bb.dres, la.act, lw.downW, N, F, C, true, false)
			geluNewBackward(bb.dup, la.up, bb.dact)
			linearBackward(bb.dln, lg.upW, lg.upB, bb.dup, la.ln2, lw.upW, N, C, F, true, false)
			layerNormBackward(bb.dres, lg.ln2W, lg.ln2B, bb.dln, la.res2, lw.ln2W, la.ln2Mean, la.ln2Rstd, N, C)
			linearBackward(bb.datt, lg.oW, lg.oB, bb.dres, la.att, lw.oW, N, C, C, true, false)
			s := attnShape{B: B, T: T, H: c.Heads, KV: c.KVHeads, D: c.HeadDim, qs: 3 * C, ks: 3 * C, vs: 3 * C, causal: true}
			attentionBackward(bb.dqkv, bb.dqkv[C:], bb.dqkv[2*C:], bb.datt, la.qkv, la.qkv[C:], la.qkv[2*C:], la.probs, bb.dscores, s)
			linearBackward(bb.dln, lg.qkvW, lg.qkvB, bb.dqkv, la.ln1, lw.qkvW, N, C, 3*C, true, false)
			layerNormBackward(bb.dres, lg.ln1W, lg.ln1B, bb.dln, in, lw.ln1W, la.ln1Mean, la.ln1Rstd, N, C)
		case Llama:
			linearBackward(bb.dact, lg.downW, nil, bb.dres, la.act, lw.downW, N, F, C, false, false)
			swigluBackward(bb.dgat, bb.dup, la.gate, la.up, bb.dact)
			linearBackward(bb.dln, lg.gateW, nil, bb.dgat, la.ln2, lw.gateW, N, C, F, false, false)
			linearBackward(bb.dln, lg.upW, nil, bb.dup, la.ln2, lw.upW, N, C, F, false, true)
			rmsNormBackward(bb.dres, lg.ln2W, bb.dln, la.res2, lw.ln2W, la.ln2Rstd, N, C)
			linearBackward(bb.datt, lg.oW, nil, bb.dres, la.att, lw.oW, N, QD, C, false, false)
			s := attnShape{B: B, T: T, H: c.Heads, KV: c.KVHeads, D: c.HeadDim, qs: QD, ks: KVD, vs: KVD, causal: true}
			attentionBackward(bb.dq, bb.dk, bb.dv, bb.datt, la.q, la.k, la.v, la.probs, bb.dscores, s)
			rope.apply(bb.dq, N, T, 0, c.Heads, QD, true)
			rope.apply(bb.dk, N, T, 0, c.KVHeads, KVD, true)
			linearBackward(bb.dln, lg.qW, nil, bb.dq, la.ln1, lw.qW, N, C, QD, false, false)
			linearBackward(bb.dln, lg.kW, nil, bb.dk, la.ln1, lw.kW, N, C, KVD, false, true)
			linearBackward(bb.dln, lg.vW, nil, bb.dv, la.ln1, lw.vW, N, C, KVD, false, true)
			rmsNormBackward(bb.dres, lg.ln1W, bb.dln, in, lw.ln1W, la.ln1Rstd, N, C)
		}
	}
	var dwpe []float32
	if c.Arch == GPT2 {
		dwpe = g.wpe
	}
	embedBackward(g.wte, dwpe, bb.dres, a.tokens, T, C)
}

// GradNorm returns the global L2 norm of Grads: per-tensor sums of squares
// (computed in parallel) added in tensor order, so the result is the same for
// any thread count.
func (m *Model) GradNorm() float64 {
	sums := make([]float64, len(m.Infos))
	kernels.ParallelFor(len(m.Infos), func(i int) {
		in := m.Infos[i]
		var s float64
		for _, v := range m.Grads[in.Offset : in.Offset+in.Size] {
			s += float64(float64(v) * float64(v))
		}
		sums[i] = s
	})
	var s float64
	for _, v := range sums {
		s += v
	}
	return math.Sqrt(s)
}

// ScaleGrads multiplies every gradient by c.
func (m *Model) ScaleGrads(c float32) {
	parallelRanges(len(m.Grads), 1<<16, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			m.Grads[i] = float32(m.Grads[i] * c)
		}
	})
}
