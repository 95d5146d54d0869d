package model

import (
	"math"

	"github.com/taonet/taonet/lm/kernels"
)

// attnShape describes multi-head attention over B sequences of T positions
// with H query heads sharing KV key/value heads of width D. Query row (b,t)
// head h starts at q[(b·T+t)·qs + h·D]; keys and values likewise with strides
// ks and vs and the group head h/(H/KV).
type attnShape struct {
	B, T, H, KV, D int
	qs, ks, vs     int
	causal         bool
}

// attnBlock is the query-block height of causal attention.
const attnBlock = 64

func (s attnShape) scale() float32 { return float32(1 / math.Sqrt(float64(s.D))) }

// attentionForward computes softmax(q·kᵀ/sqrt(D) + mask)·v for every (b,h)
// into out [B·T, H·D], saving the probabilities [B,H,T,T]. keyMask [B·T]
// (1 keep, 0 padding) hides keys in non-causal attention; it may be nil.
func attentionForward(out, probs, q, k, v []float32, s attnShape, keyMask []float32) {
	T, D, HD := s.T, s.D, s.H*s.D
	rep := s.H / s.KV
	scale := s.scale()
	kernels.ParallelFor(s.B*s.H, func(job int) {
		b, h := job/s.H, job%s.H
		g := h / rep
		P := probs[job*T*T : (job+1)*T*T]
		qb := q[b*T*s.qs+h*D:]
		kb := k[b*T*s.ks+g*D:]
		vb := v[b*T*s.vs+g*D:]
		var mask []float32
		if keyMask != nil {
			mask = keyMask[b*T : b*T+T]
		}
		// Causal attention works in blocks of query rows that only see keys
		// before the block's end, skipping the masked upper triangle. Dropped
		// terms are exact zeros, so results equal the full product.
		blk := T
		if s.causal {
			blk = attnBlock
		}
		for t0 := 0; t0 < T; t0 += blk {
			t1 := min(t0+blk, T)
			keys := T
			if s.causal {
				keys = t1
			}
			Pb := P[t0*T:]
			kernels.Sgemm(false, true, t1-t0, keys, D, scale, qb[t0*s.qs:], s.qs, kb, s.ks, 0, Pb, T)
			for t := t0; t < t1; t++ {
				n := T
				if s.causal {
					n = t + 1
				}
				softmaxRow(P[t*T:t*T+T], n, mask)
			}
			kernels.Sgemm(false, false, t1-t0, D, keys, 1, Pb, T, vb, s.vs, 0, out[(b*T+t0)*HD+h*D:], HD)
		}
	})
}

// softmaxRow replaces row[:n] by its softmax (skipping keys whose mask is 0)
// and zeroes everything else.
func softmaxRow(row []float32, n int, mask []float32) {
	clear(row[n:])
	if mask == nil {
		r := row[:n]
		s := kernels.ExpSubSum(r, r, kernels.Max(r))
		kernels.Scale(1/s, r)
		return
	}
	mx := float32(math.Inf(-1))
	for j := 0; j < n; j++ {
		if mask[j] != 0 && row[j] > mx {
			mx = row[j]
		}
	}
	if math.IsInf(float64(mx), -1) { // every key masked: attend uniformly like HF's finfo.min bias
		for j := 0; j < n; j++ {
			row[j] = 1 / float32(n)
		}
		return
	}
	// Masked keys become -Inf, whose exponential the kernels flush to 0.
	r := row[:n]
	for j, keep := range mask[:n] {
		if keep == 0 {
			r[j] = float32(math.Inf(-1))
		}
	}
	s := kernels.ExpSubSum(r, r, mx)
	kernels.Scale(1/s, r)
}

// attentionBackward writes dq and dk, dv (overwriting them) from dout
// [B·T, H·D] and the saved probabilities. Work is split over (b, key/value
// head) so that the heads sharing one key/value head accumulate in a fixed
// order. Causal attention skips the masked triangle block-wise; the skipped
// terms are exact zeros, so results equal the full products.
//
// scratch holds B·KV·T·T floats (the score gradients, reused across calls).
func attentionBackward(dq, dk, dv, dout, q, k, v, probs, scratch []float32, s attnShape) {
	T, D, HD := s.T, s.D, s.H*s.D
	rep := s.H / s.KV
	scale := s.scale()
	blk := T
	if s.causal {
		blk = attnBlock
	}
	kernels.ParallelFor(s.B*s.KV, func(job int) {
		b, g := job/s.KV, job%s.KV
		dP := scratch[job*T*T : (job+1)*T*T] // every read element is written first
		kb, vb := k[b*T*s.ks+g*D:], v[b*T*s.vs+g*D:]
		dkb, dvb := dk[b*T*s.ks+g*D:], dv[b*T*s.vs+g*D:]
		for r := 0; r < rep; r++ {
			h := g*rep + r
			beta := float32(1)
			if r == 0 {
				beta = 0
			}
			P := probs[(b*s.H+h)*T*T : (b*s.H+h+1)*T*T]
			dO := dout[b*T*HD+h*D:]
			qb := q[b*T*s.qs+h*D:]
			dqb := dq[b*T*s.qs+h*D:]
			// Query blocks: dS = P∘(dO·Vᵀ − rowsum), then dQ = scale·dS·K.
			for t0 := 0; t0 < T; t0 += blk {
				t1 := min(t0+blk, T)
				keys := T
				if s.causal {
					keys = t1
				}
				kernels.Sgemm(false, true, t1-t0, keys, D, 1, dO[t0*HD:], HD, vb, s.vs, 0, dP[t0*T:], T)
				for t := t0; t < t1; t++ {
					n := keys
					if s.causal {
						n = t + 1
					}
					p, d := P[t*T:t*T+keys], dP[t*T:t*T+keys]
					var dot float64
					for j := 0; j < n; j++ {
						dot += float64(p[j] * d[j])
					}
					dt := float32(dot)
					for j := range p {
						d[j] = float32(p[j] * (d[j] - dt))
					}
				}
				kernels.Sgemm(false, false, t1-t0, D, keys, scale, dP[t0*T:], T, kb, s.ks, 0, dqb[t0*s.qs:], s.qs)
			}
			// Key blocks: only queries at or after the block see its keys.
			for s0 := 0; s0 < T; s0 += blk {
				s1 := min(s0+blk, T)
				first := 0
				if s.causal {
					first = s0
				}
				kernels.Sgemm(true, false, s1-s0, D, T-first, 1, P[first*T+s0:], T, dO[first*HD:], HD, beta, dvb[s0*s.vs:], s.vs)
				kernels.Sgemm(true, false, s1-s0, D, T-first, scale, dP[first*T+s0:], T, qb[first*s.qs:], s.qs, beta, dkb[s0*s.ks:], s.ks)
			}
		}
	})
}
