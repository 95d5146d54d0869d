package model

import (
	"errors"
	"fmt"
)

// layerActs are one block's saved activations (shared by all blocks at inference).
type layerActs struct {
	ln1, ln1Mean, ln1Rstd []float32
	qkv                   []float32 // GPT-2 fused q|k|v [N,3C]
	q, k, v               []float32 // Llama q [N,H·D] and k, v [N,KV·D], after RoPE
	probs, att            []float32 // [B,H,T,T] and [N,H·D]
	res2                  []float32 // residual after the attention sub-block
	ln2, ln2Mean, ln2Rstd []float32
	up, gate, act         []float32 // [N,F]
}

// acts are the activation buffers of one forward pass over B×T tokens.
type acts struct {
	B, T, N  int
	train    bool
	tokens   []int
	resid    [][]float32 // block inputs: L+1 buffers when training, 2 alternating otherwise
	layers   []layerActs
	scratch  []float32 // [N,C]
	lnf      []float32
	lnfMean  []float32
	lnfRstd  []float32
	logits   []float32 // [N,V]; becomes dlogits in the backward pass
	gather   []float32 // scored final-norm rows (evaluation)
	nll      []float32 // [N]
	hasLoss  bool
	backBufs *backBufs
}

func (m *Model) newActs(B, T int, train bool) *acts {
	c := m.Config
	N, C, F := B*T, c.Hidden, c.FFN
	QD, KVD := c.Heads*c.HeadDim, c.KVHeads*c.HeadDim
	a := &acts{B: B, T: T, N: N, train: train, tokens: make([]int, N)}
	nres, nlay := 2, 1
	if train {
		nres, nlay = c.Layers+1, c.Layers
	}
	for i := 0; i < nres; i++ {
		a.resid = append(a.resid, make([]float32, N*C))
	}
	f := func(n int) []float32 { return make([]float32, n) }
	for i := 0; i < nlay; i++ {
		la := layerActs{
			ln1: f(N * C), ln1Rstd: f(N), probs: f(B * c.Heads * T * T), att: f(N * QD),
			res2: f(N * C), ln2: f(N * C), ln2Rstd: f(N), up: f(N * F), act: f(N * F),
		}
		switch c.Arch {
		case GPT2:
			la.ln1Mean, la.ln2Mean = f(N), f(N)
			la.qkv = f(N * 3 * C)
		case Llama:
			la.q, la.k, la.v, la.gate = f(N*QD), f(N*KVD), f(N*KVD), f(N*F)
		default:
			if c.Arch.isDecoder() {
				la.q, la.k, la.v, la.gate = f(N*QD), f(N*KVD), f(N*KVD), f(N*max(F, 2*F*phi3Fused(c)))
				la.qkv = f(N * (QD + 2*KVD))
			}
		}
		a.layers = append(a.layers, la)
	}
	a.scratch = f(N * C)
	a.lnf, a.lnfMean, a.lnfRstd = f(N*C), f(N), f(N)
	if train {
		a.logits = f(N * c.VocabSize)
	}
	a.nll = f(N)
	return a
}

// getActs reuses the cached activation buffers when the shape matches.
func (m *Model) getActs(B, T int, train bool) *acts {
	if a := m.acts; a != nil && a.B == B && a.T == T && a.train == train {
		return a
	}
	m.acts = nil // release before allocating the next set
	m.acts = m.newActs(B, T, train)
	return m.acts
}

// ReleaseBuffers drops cached activation buffers (they are reallocated on demand).
func (m *Model) ReleaseBuffers() { m.acts = nil }

func (m *Model) checkTokens(tokens []int, B, T int) error {
	c := m.Config
	if B <= 0 || T <= 0 {
		return fmt.Errorf("model: batch %d×%d must be positive", B, T)
	}
	if len(tokens) != B*T {
		return fmt.Errorf("model: %d tokens for batch %d×%d", len(tokens), B, T)
	}
	if T > c.MaxPos {
		return fmt.Errorf("model: sequence length %d exceeds the model's %d positions", T, c.MaxPos)
	}
	for i, t := range tokens {
		if t < 0 || t >= c.VocabSize {
			return fmt.Errorf("model: token %d at position %d outside vocabulary [0,%d)", t, i, c.VocabSize)
		}
	}
	return nil
}

// errBERTNoLM is returned by language-model entry points on an encoder.
var errBERTNoLM = errors.New("model: BERT is an encoder without a language-model head; use Embed")

// lossChunk is how many rows of logits evaluation materializes at a time
// (1024 rows of a 50257-token vocabulary: 206 MB). Every chunk packs the whole
// LM head for the matrix multiply (38.6M floats for GPT-2), so one chunk
// covers the benchmark batch B·T = 4·256.
const lossChunk = 1024

// forward runs the causal LM over B×T tokens up to the final norm, and on to
// the full logits [N,V] when train or withLogits is set (evaluation computes
// them chunk by chunk in TokenNLL instead, to bound memory).
func (m *Model) forward(tokens []int, B, T int, train, withLogits bool) (*acts, error) {
	c := m.Config
	if c.Arch == BERT {
		return nil, errBERTNoLM
	}
	if err := m.checkTokens(tokens, B, T); err != nil {
		return nil, err
	}
	a := m.getActs(B, T, train)
	a.hasLoss = false
	copy(a.tokens, tokens)
	w := m.w
	N, C, F, V := a.N, c.Hidden, c.FFN, c.VocabSize
	QD, KVD := c.Heads*c.HeadDim, c.KVHeads*c.HeadDim
	var rope *ropeTable
	if c.Arch == Llama {
		rope = m.rope(T)
	}
	if m.viaDecoder() {
		return m.forwardDecoder(a, train || withLogits), nil
	}
	embedForward(a.resid[0], tokens, w.wte, w.wpe, T, 0, C)
	for l := 0; l < c.Layers; l++ {
		in, out, la := a.resid[l%2], a.resid[(l+1)%2], &a.layers[0]
		if train {
			in, out, la = a.resid[l], a.resid[l+1], &a.layers[l]
		}
		lw := &w.layers[l]
		switch c.Arch {
		case GPT2:
			layerNormForward(la.ln1, la.ln1Mean, la.ln1Rstd, in, lw.ln1W, lw.ln1B, N, C, c.NormEps)
			linearForward(la.qkv, la.ln1, lw.qkvW, lw.qkvB, N, C, 3*C, true)
			s := attnShape{B: B, T: T, H: c.Heads, KV: c.KVHeads, D: c.HeadDim, qs: 3 * C, ks: 3 * C, vs: 3 * C, causal: true}
			attentionForward(la.att, la.probs, la.qkv, la.qkv[C:], la.qkv[2*C:], s, nil)
			linearForward(a.scratch, la.att, lw.oW, lw.oB, N, C, C, true)
			addInto(la.res2, in, a.scratch)
			layerNormForward(la.ln2, la.ln2Mean, la.ln2Rstd, la.res2, lw.ln2W, lw.ln2B, N, C, c.NormEps)
			linearForward(la.up, la.ln2, lw.upW, lw.upB, N, C, F, true)
			geluNewForward(la.act, la.up)
			linearForward(a.scratch, la.act, lw.downW, lw.downB, N, F, C, true)
			addInto(out, la.res2, a.scratch)
		case Llama:
			rmsNormForward(la.ln1, la.ln1Rstd, in, lw.ln1W, N, C, c.NormEps)
			linearForward(la.q, la.ln1, lw.qW, nil, N, C, QD, false)
			linearForward(la.k, la.ln1, lw.kW, nil, N, C, KVD, false)
			linearForward(la.v, la.ln1, lw.vW, nil, N, C, KVD, false)
			rope.apply(la.q, N, T, 0, c.Heads, QD, false)
			rope.apply(la.k, N, T, 0, c.KVHeads, KVD, false)
			s := attnShape{B: B, T: T, H: c.Heads, KV: c.KVHeads, D: c.HeadDim, qs: QD, ks: KVD, vs: KVD, causal: true}
			attentionForward(la.att, la.probs, la.q, la.k, la.v, s, nil)
			linearForward(a.scratch, la.att, lw.oW, nil, N, QD, C, false)
			addInto(la.res2, in, a.scratch)
			rmsNormForward(la.ln2, la.ln2Rstd, la.res2, lw.ln2W, N, C, c.NormEps)
			linearForward(la.gate, la.ln2, lw.gateW, nil, N, C, F, false)
			linearForward(la.up, la.ln2, lw.upW, nil, N, C, F, false)
			swigluForward(la.act, la.gate, la.up)
			linearForward(a.scratch, la.act, lw.downW, nil, N, F, C, false)
			addInto(out, la.res2, a.scratch)
		}
	}
	last := a.resid[c.Layers%2]
	if train {
		last = a.resid[c.Layers]
	}
	if c.Arch == GPT2 {
		layerNormForward(a.lnf, a.lnfMean, a.lnfRstd, last, w.lnfW, w.lnfB, N, C, c.NormEps)
	} else {
		rmsNormForward(a.lnf, a.lnfRstd, last, w.lnfW, N, C, c.NormEps)
	}
	if train || withLogits {
		if len(a.logits) < N*V {
			a.logits = make([]float32, N*V)
		}
		linearForward(a.logits, a.lnf, w.lmHead, nil, N, C, V, false)
	}
	return a, nil
}

// rope returns the rotary table covering at least n positions.
func (m *Model) rope(n int) *ropeTable {
	if m.ropeT == nil || len(m.ropeT.cos) < n*m.ropeT.half {
		size := max(n, min(m.Config.MaxPos, 4096))
		m.ropeT = newRope(size, m.Config.HeadDim, m.Config.RopeTheta, m.Config.RopeScaling)
	}
	return m.ropeT
}

func addInto(out, a, b []float32) {
	parallelRanges(len(out), 8192, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			out[i] = a[i] + b[i]
		}
	})
}

// Logits runs the forward pass over B sequences of T tokens (row-major
// tokens[b·T+t]) and returns a fresh copy of the logits [B·T·V].
func (m *Model) Logits(tokens []int, B, T int) ([]float32, error) {
	a, err := m.forward(tokens, B, T, false, true)
	if err != nil {
		return nil, err
	}
	out := append([]float32(nil), a.logits[:a.N*m.Config.VocabSize]...)
	a.logits = nil // do not keep N×V floats cached for later loss-only passes
	return out, nil
}

// TokenNLL returns the negative log-likelihood of targets[n] under the
// prediction at position n, for every position of B sequences of T tokens.
// A negative target marks a position that is not scored (its NLL is 0).
func (m *Model) TokenNLL(tokens, targets []int, B, T int) ([]float32, error) {
	if err := m.checkTargets(targets, B*T); err != nil {
		return nil, err
	}
	a, err := m.forward(tokens, B, T, false, false)
	if err != nil {
		return nil, err
	}
	// Only scored positions need logits: their final-norm rows are gathered
	// and pushed through the LM head lossChunk rows at a time. Logit rows are
	// independent (an Sgemm element does not depend on the row count), so this
	// changes time and memory, not results.
	C, V := m.Config.Hidden, m.Config.VocabSize
	var rows []int
	for n, t := range targets {
		a.nll[n] = 0
		if t >= 0 {
			rows = append(rows, n)
		}
	}
	chunk := min(lossChunk, max(len(rows), 1))
	if len(a.logits) < chunk*V {
		a.logits = make([]float32, chunk*V)
	}
	if len(a.gather) < chunk*C {
		a.gather = make([]float32, chunk*C)
	}
	tg, nl := make([]int, chunk), make([]float32, chunk)
	for r := 0; r < len(rows); r += chunk {
		k := min(chunk, len(rows)-r)
		x := a.gather[:k*C]
		if first := rows[r]; rows[r+k-1] == first+k-1 {
			// Consecutive rows (every position scored): no gather copy.
			x = a.lnf[first*C : (first+k)*C]
			copy(tg, targets[first:first+k])
		} else {
			for i, n := range rows[r : r+k] {
				copy(x[i*C:(i+1)*C], a.lnf[n*C:(n+1)*C])
				tg[i] = targets[n]
			}
		}
		m.lmHeadForward(a.logits[:k*V], x, k)
		m.softcapLogits(a.logits[:k*V])
		crossEntropyForward(nl[:k], a.logits[:k*V], tg[:k], k, V)
		for i, n := range rows[r : r+k] {
			a.nll[n] = nl[i]
		}
	}
	return append([]float32(nil), a.nll...), nil
}

func (m *Model) checkTargets(targets []int, n int) error {
	if len(targets) != n {
		return fmt.Errorf("model: %d targets for %d positions", len(targets), n)
	}
	for i, t := range targets {
		if t >= m.Config.VocabSize {
			return fmt.Errorf("model: target %d at position %d outside vocabulary [0,%d)", t, i, m.Config.VocabSize)
		}
	}
	return nil
}
