package model

import (
	"github.com/taonet/taonet/lm/detmath"
	"github.com/taonet/taonet/lm/kernels"
)

// crossEntropyForward writes nll[n] = -log softmax(logits[n])[targets[n]] for
// the N rows of logits [N,V]; rows whose target is negative (ignored) get 0.
// Log-sum-exp uses the kernels' fixed-order vector reduction.
func crossEntropyForward(nll, logits []float32, targets []int, N, V int) {
	parallelRanges(N, 4, func(lo, hi int) {
		for n := lo; n < hi; n++ {
			if targets[n] < 0 {
				nll[n] = 0
				continue
			}
			row := logits[n*V : n*V+V]
			nll[n] = logSumExp(row) - row[targets[n]]
		}
	})
}

// logSumExp is max + log Σ e^(x-max), the sum in float32 lanes.
func logSumExp(row []float32) float32 {
	mx := kernels.Max(row)
	s := kernels.ExpSubSum(nil, row, mx)
	return mx + float32(detmath.Log(float64(s)))
}

// crossEntropyBackward overwrites logits with dloss/dlogits =
// (softmax - onehot)·dloss[n]; rows with an ignored target get zeros.
func crossEntropyBackward(logits []float32, targets []int, dloss []float32, N, V int) {
	parallelRanges(N, 4, func(lo, hi int) {
		for n := lo; n < hi; n++ {
			row := logits[n*V : n*V+V]
			if targets[n] < 0 || dloss[n] == 0 {
				clear(row)
				continue
			}
			mx := kernels.Max(row)
			s := kernels.ExpSubSum(row, row, mx)
			kernels.Scale(dloss[n]/s, row)
			row[targets[n]] -= dloss[n]
		}
	})
}
