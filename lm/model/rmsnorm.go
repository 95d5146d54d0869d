package model

import "math"

// rmsNormForward computes Llama's RMSNorm of each row of x [N,C]:
// out = x·rstd·w with rstd = 1/sqrt(mean(x²)+eps), saving rstd [N] (may be nil).
func rmsNormForward(out, rstd, x, w []float32, N, C int, eps float32) {
	parallelRanges(N, 16, func(lo, hi int) {
		for n := lo; n < hi; n++ {
			row := x[n*C : n*C+C]
			var ss float64
			for _, v := range row {
				ss += float64(float64(v) * float64(v))
			}
			rs := float32(1 / math.Sqrt(ss/float64(C)+float64(eps)))
			o := out[n*C : n*C+C]
			for i, v := range row {
				o[i] = float32(w[i] * (v * rs))
			}
			if rstd != nil {
				rstd[n] = rs
			}
		}
	})
}

// rmsNormBackward adds the input gradient to dx and accumulates dw.
func rmsNormBackward(dx, dw, dout, x, w, rstd []float32, N, C int) {
	parallelRanges(N, 16, func(lo, hi int) {
		for n := lo; n < hi; n++ {
			row, g := x[n*C:n*C+C], dout[n*C:n*C+C]
			rs := rstd[n]
			var dot float64
			for i := range row {
				dot += float64(g[i] * w[i] * row[i])
			}
			k := float32(float32(dot/float64(C)) * rs * rs * rs)
			o := dx[n*C : n*C+C]
			for i := range row {
				o[i] += float32(rs*g[i]*w[i]) - float32(k*row[i])
			}
		}
	})
	parallelRanges(C, 32, func(lo, hi int) {
		for n := 0; n < N; n++ {
			row, g := x[n*C:n*C+C], dout[n*C:n*C+C]
			rs := rstd[n]
			for i := lo; i < hi; i++ {
				dw[i] += float32(g[i] * row[i] * rs)
			}
		}
	})
}
