//go:build amd64 && !purego

package kernels

import (
	"unsafe"

	"golang.org/x/sys/cpu"
)

// The assembly loops take lengths that are non-zero multiples of 32 (lane
// reductions) or 8 (element-wise); the exported wrappers in vec.go guarantee it.

//go:noescape
func dotLanesAVX2(acc *[lanes]float32, x, y *float32, n int)

//go:noescape
func sumLanesAVX2(acc *[lanes]float32, x *float32, n int)

//go:noescape
func maxLanesAVX2(acc *[lanes]float32, x *float32, n int)

//go:noescape
func expSubSumLanesAVX2(acc *[lanes]float32, dst, x *float32, n int, m float32)

//go:noescape
func expAVX2(dst, x *float32, n int)

//go:noescape
func geluAVX2(dst, x *float32, n int)

//go:noescape
func geluBackAVX2(dx, x, dout *float32, n int)

//go:noescape
func swigluAVX2(dst, gate, up *float32, n int)

//go:noescape
func swigluBackAVX2(dgate, dup, gate, up, dout *float32, n int)

//go:noescape
func axpyAVX2(alpha float32, x, y *float32, n int)

//go:noescape
func scaleAVX2(alpha float32, x *float32, n int)

//go:noescape
func addAVX2(dst, x, y *float32, n int)

// useVecAsm selects the AVX2 loops; tests flip it to compare with pure Go.
var useVecAsm = cpu.X86.HasAVX2

func dotLanes(acc *[lanes]float32, x, y []float32) {
	if useVecAsm {
		dotLanesAVX2(acc, unsafe.SliceData(x), unsafe.SliceData(y), len(x))
		return
	}
	dotLanesGo(acc, x, y)
}

func sumLanes(acc *[lanes]float32, x []float32) {
	if useVecAsm {
		sumLanesAVX2(acc, unsafe.SliceData(x), len(x))
		return
	}
	sumLanesGo(acc, x)
}

func maxLanes(acc *[lanes]float32, x []float32) {
	if useVecAsm {
		maxLanesAVX2(acc, unsafe.SliceData(x), len(x))
		return
	}
	maxLanesGo(acc, x)
}

func expSubSumLanes(acc *[lanes]float32, dst, x []float32, m float32) {
	if useVecAsm {
		expSubSumLanesAVX2(acc, unsafe.SliceData(dst), unsafe.SliceData(x), len(x), m)
		return
	}
	expSubSumLanesGo(acc, dst, x, m)
}

func expVec(dst, x []float32) {
	if useVecAsm {
		expAVX2(unsafe.SliceData(dst), unsafe.SliceData(x), len(x))
		return
	}
	expGo(dst, x)
}

func axpyVec(alpha float32, x, y []float32) {
	if useVecAsm {
		axpyAVX2(alpha, unsafe.SliceData(x), unsafe.SliceData(y), len(x))
		return
	}
	axpyGo(alpha, x, y)
}

func scaleVec(alpha float32, x []float32) {
	if useVecAsm {
		scaleAVX2(alpha, unsafe.SliceData(x), len(x))
		return
	}
	scaleGo(alpha, x)
}

func addVec(dst, x, y []float32) {
	if useVecAsm {
		addAVX2(unsafe.SliceData(dst), unsafe.SliceData(x), unsafe.SliceData(y), len(x))
		return
	}
	addGo(dst, x, y)
}

func geluVec(dst, x []float32) {
	if useVecAsm {
		geluAVX2(unsafe.SliceData(dst), unsafe.SliceData(x), len(x))
		return
	}
	geluGo(dst, x)
}

func geluBackVec(dx, x, dout []float32) {
	if useVecAsm {
		geluBackAVX2(unsafe.SliceData(dx), unsafe.SliceData(x), unsafe.SliceData(dout), len(x))
		return
	}
	geluBackGo(dx, x, dout)
}

func swigluVec(dst, gate, up []float32) {
	if useVecAsm {
		swigluAVX2(unsafe.SliceData(dst), unsafe.SliceData(gate), unsafe.SliceData(up), len(gate))
		return
	}
	swigluGo(dst, gate, up)
}

func swigluBackVec(dgate, dup, gate, up, dout []float32) {
	if useVecAsm {
		swigluBackAVX2(unsafe.SliceData(dgate), unsafe.SliceData(dup), unsafe.SliceData(gate), unsafe.SliceData(up), unsafe.SliceData(dout), len(gate))
		return
	}
	swigluBackGo(dgate, dup, gate, up, dout)
}

// adamwAVX2 is AdamW over n (a multiple of 8) elements, 8 at a time.
//
//go:noescape
func adamwAVX2(p, grad, m, v *float32, n int, s *AdamWStep)

func adamwVec(p, g, m, v []float32, s *AdamWStep) {
	if useVecAsm {
		adamwAVX2(unsafe.SliceData(p), unsafe.SliceData(g), unsafe.SliceData(m), unsafe.SliceData(v), len(p), s)
		return
	}
	adamwGo(p, g, m, v, s)
}
