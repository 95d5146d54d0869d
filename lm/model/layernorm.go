package model

import "math"

// layerNormForward normalizes each of the N rows of x [N,C]:
// out = (x-mean)·rstd·w + b, saving mean and rstd [N] for the backward pass
// (either may be nil at inference).
func layerNormForward(out, mean, rstd, x, w, b []float32, N, C int, eps float32) {
	parallelRanges(N, 16, func(lo, hi int) {
		for n := lo; n < hi; n++ {
			row := x[n*C : n*C+C]
			var s float64
			for _, v := range row {
				s += float64(v)
			}
			mu := s / float64(C)
			var ss float64
			for _, v := range row {
				d := float64(v) - mu
				ss += float64(d * d)
			}
			rs := 1 / math.Sqrt(ss/float64(C)+float64(eps))
			o := out[n*C : n*C+C]
			m32, r32 := float32(mu), float32(rs)
			for i, v := range row {
				o[i] = float32((v-m32)*r32*w[i]) + b[i]
			}
			if mean != nil {
				mean[n], rstd[n] = m32, r32
			}
		}
	})
}

// layerNormBackward adds the input gradient to dx [N,C] and accumulates dw and
// db, given the upstream gradient dout.
func layerNormBackward(dx, dw, db, dout, x, w, mean, rstd []float32, N, C int) {
	parallelRanges(N, 16, func(lo, hi int) {
		for n := lo; n < hi; n++ {
			row, g := x[n*C:n*C+C], dout[n*C:n*C+C]
			mu, rs := mean[n], rstd[n]
			var sumD, sumDN float64
			for i := range row {
				norm := float32((row[i] - mu) * rs)
				d := float32(g[i] * w[i])
				sumD += float64(d)
				sumDN += float64(d * norm)
			}
			mD, mDN := float32(sumD/float64(C)), float32(sumDN/float64(C))
			o := dx[n*C : n*C+C]
			for i := range row {
				norm := float32((row[i] - mu) * rs)
				o[i] += float32(rs * (float32(g[i]*w[i]) - mD - float32(norm*mDN)))
			}
		}
	})
	// Parameter gradients: each column sums over rows in a fixed order.
	parallelRanges(C, 32, func(lo, hi int) {
		for n := 0; n < N; n++ {
			row, g := x[n*C:n*C+C], dout[n*C:n*C+C]
			mu, rs := mean[n], rstd[n]
			for i := lo; i < hi; i++ {
				dw[i] += float32(g[i] * (row[i] - mu) * rs)
				db[i] += g[i]
			}
		}
	})
}
