//go:build !amd64 || purego

package kernels

// Without assembly the lane loops are the pure-Go definitions.

var useVecAsm = false

func dotLanes(acc *[lanes]float32, x, y []float32) { dotLanesGo(acc, x, y) }
func sumLanes(acc *[lanes]float32, x []float32)    { sumLanesGo(acc, x) }
func maxLanes(acc *[lanes]float32, x []float32)    { maxLanesGo(acc, x) }
func expSubSumLanes(acc *[lanes]float32, dst, x []float32, m float32) {
	expSubSumLanesGo(acc, dst, x, m)
}
func expVec(dst, x []float32)                            { expGo(dst, x) }
func axpyVec(alpha float32, x, y []float32)              { axpyGo(alpha, x, y) }
func scaleVec(alpha float32, x []float32)                { scaleGo(alpha, x) }
func addVec(dst, x, y []float32)                         { addGo(dst, x, y) }
func geluVec(dst, x []float32)                           { geluGo(dst, x) }
func geluBackVec(dx, x, dout []float32)                  { geluBackGo(dx, x, dout) }
func swigluVec(dst, gate, up []float32)                  { swigluGo(dst, gate, up) }
func swigluBackVec(dgate, dup, gate, up, dout []float32) { swigluBackGo(dgate, dup, gate, up, dout) }

func adamwVec(p, g, m, v []float32, s *AdamWStep) { adamwGo(p, g, m, v, s) }
