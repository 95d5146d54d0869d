package train

import (
	"math"

	"github.com/taonet/taonet/lm/detmath"
	"github.com/taonet/taonet/lm/kernels"
	"github.com/taonet/taonet/lm/model"
)

// AdamW is the optimizer of Loshchilov & Hutter with PyTorch's semantics:
// decoupled weight decay p ← p·(1 − lr·wd) applied before the moment update,
// and bias-corrected moments. Weight decay applies only to tensors marked
// Decay (matrices and embeddings, not biases or norm weights).
type AdamW struct {
	Beta1, Beta2 float64
	Eps          float64
	WeightDecay  float64
	m, v         []float32
	step         int
}

// NewAdamW returns an optimizer with PyTorch's defaults for betas and eps
// (0.9, 0.999, 1e-8) and the given weight decay.
func NewAdamW(weightDecay float64) *AdamW {
	return &AdamW{Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: weightDecay}
}

// Steps returns the number of updates applied so far.
func (o *AdamW) Steps() int { return o.step }

// Step applies one update with learning rate lr from m.Grads to m.Params.
// Every element is updated independently, so the result does not depend on
// the thread count.
func (o *AdamW) Step(m *model.Model, lr float64) {
	if o.m == nil {
		o.m = make([]float32, len(m.Params))
		o.v = make([]float32, len(m.Params))
	}
	o.step++
	bc1 := 1 - detmath.PowInt(o.Beta1, o.step)
	bc2 := 1 - detmath.PowInt(o.Beta2, o.step)
	base := kernels.AdamWStep{
		B1: float32(o.Beta1), B2: float32(o.Beta2),
		C1: float32(1 - o.Beta1), C2: float32(1 - o.Beta2),
		BC2Sqrt: float32(math.Sqrt(bc2)), Eps: float32(o.Eps),
		Decay: 1, StepSize: float32(lr / bc1),
	}
	decayed := base
	if o.WeightDecay != 0 {
		decayed.Decay = float32(1 - float64(lr*o.WeightDecay))
	}
	// Jobs are pieces of at most 64Ki elements of one tensor, so large
	// embeddings do not serialize the update.
	type job struct {
		lo, hi int
		decay  bool
	}
	var jobs []job
	for _, in := range m.Infos {
		for lo := in.Offset; lo < in.Offset+in.Size; lo += 1 << 16 {
			jobs = append(jobs, job{lo, min(lo+1<<16, in.Offset+in.Size), in.Decay})
		}
	}
	kernels.ParallelFor(len(jobs), func(i int) {
		jb := jobs[i]
		s := &base
		if jb.decay {
			s = &decayed
		}
		// Every operation rounded separately (kernels.AdamW; lm/model/doc.go).
		kernels.AdamW(m.Params[jb.lo:jb.hi], m.Grads[jb.lo:jb.hi], o.m[jb.lo:jb.hi], o.v[jb.lo:jb.hi], s)
	})
}

// ClipGradNorm scales m.Grads so that their global L2 norm is at most maxNorm
// (PyTorch's clip_grad_norm_: coefficient maxNorm/(norm+1e-6), capped at 1)
// and returns the norm before clipping. maxNorm ≤ 0 only measures.
func ClipGradNorm(m *model.Model, maxNorm float64) float64 {
	norm := m.GradNorm()
	if maxNorm <= 0 {
		return norm
	}
	coef := maxNorm / (norm + 1e-6)
	if coef < 1 {
		m.ScaleGrads(float32(coef))
	}
	return norm
}
