package model

import "github.com/taonet/taonet/lm/kernels"

// linearForward computes out[N,O] = x[N,I]·op(W) + b. W is stored [O,I]
// (nn.Linear, used by Llama and BERT) unless conv is set, when it is stored
// [I,O] (GPT-2's Conv1D). b may be nil. Each output's FMA chain starts from
// its bias (SgemmBias), or from zero.
func linearForward(out, x, w, b []float32, N, I, O int, conv bool) {
	ldw := I
	if conv {
		ldw = O
	}
	if b != nil {
		kernels.SgemmBias(false, !conv, N, O, I, 1, x, I, w, ldw, b, out, O)
		return
	}
	kernels.Sgemm(false, !conv, N, O, I, 1, x, I, w, ldw, 0, out, O)
}

// linearBackward writes dx = dout·op(W)ᵀ (when dx is non-nil; added to dx
// when accumulate is set) and accumulates dW and db (when db is non-nil).
func linearBackward(dx, dw, db, dout, x, w []float32, N, I, O int, conv, accumulate bool) {
	if dx != nil {
		beta := float32(0)
		if accumulate {
			beta = 1
		}
		if conv {
			kernels.Sgemm(false, true, N, I, O, 1, dout, O, w, O, beta, dx, I)
		} else {
			kernels.Sgemm(false, false, N, I, O, 1, dout, O, w, I, beta, dx, I)
		}
	}
	if conv {
		kernels.Sgemm(true, false, I, O, N, 1, x, I, dout, O, 1, dw, O)
	} else {
		kernels.Sgemm(true, false, O, I, N, 1, dout, O, x, I, 1, dw, I)
	}
	if db != nil {
		parallelRanges(O, 64, func(lo, hi int) {
			for n := 0; n < N; n++ {
				g := dout[n*O : n*O+O]
				for j := lo; j < hi; j++ {
					db[j] += g[j]
				}
			}
		})
	}
}
