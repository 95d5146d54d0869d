package model

import "math"

// crossEntropyForward writes nll[n] = -log softmax(logits[n])[targets[n]] for
// the N rows of logits [N,V]; rows whose target is negative (ignored) get 0.
func crossEntropyForward(nll, logits []float32, targets []int, N, V int) {
	parallelRanges(N, 4, func(lo, hi int) {
		for n := lo; n < hi; n++ {
			if targets[n] < 0 {
				nll[n] = 0
				continue
			}
			row := logits[n*V : n*V+V]
			nll[n] = float32(logSumExp(row) - float64(row[targets[n]]))
		}
	})
}

func logSumExp(row []float32) float64 {
	mx := row[0]
	for _, v := range row {
		if v > mx {
			mx = v
		}
	}
	var s float64
	for _, v := range row {
		s += math.Exp(float64(v - mx))
	}
	return float64(mx) + math.Log(s)
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
			lse := logSumExp(row)
			d := float64(dloss[n])
			for j, v := range row {
				row[j] = float32(math.Exp(float64(v)-lse) * d)
			}
			row[targets[n]] -= dloss[n]
		}
	})
}
