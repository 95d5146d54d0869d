package model

// embedForward writes out[n] = wte[tokens[n]] (+ wpe[start + n%T] when wpe is
// non-nil) for n in [0, len(tokens)).
func embedForward(out []float32, tokens []int, wte, wpe []float32, T, start, C int) {
	parallelRanges(len(tokens), 16, func(lo, hi int) {
		for n := lo; n < hi; n++ {
			o := out[n*C : n*C+C]
			copy(o, wte[tokens[n]*C:tokens[n]*C+C])
			if wpe != nil {
				p := wpe[(start+n%T)*C:]
				for i := range o {
					o[i] += p[i]
				}
			}
		}
	})
}

// embedBackward accumulates dwte (and dwpe when non-nil) from dout. Each
// column adds the rows in order, so results do not depend on thread count.
func embedBackward(dwte, dwpe, dout []float32, tokens []int, T, C int) {
	parallelRanges(C, 16, func(lo, hi int) {
		for n, tok := range tokens {
			d := dout[n*C:]
			w := dwte[tok*C:]
			for i := lo; i < hi; i++ {
				w[i] += d[i]
			}
			if dwpe != nil {
				p := dwpe[(n%T)*C:]
				for i := lo; i < hi; i++ {
					p[i] += d[i]
				}
			}
		}
	})
}
