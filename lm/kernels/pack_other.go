//go:build !amd64 || purego

package kernels

// Without assembly the pure-Go packers always run.
var hasPackT = false

const maxPackT = 512

// packTransposed has no assembly here: it reports false and the pure-Go
// packers run.
func packTransposed(d []float32, stride int, src []float32, ld, rows, kc int, alpha float32) bool {
	return false
}

// packRuns has no assembly here: it reports false and the pure-Go packers
// run.
func packRuns(d []float32, stride int, src []float32, ld, width, kc int) bool {
	return false
}
