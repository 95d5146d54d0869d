package yuma

import (
	"fmt"
	"testing"

	fx "github.com/taonet/taonet/fixed"
)

func f32s(xs ...float32) []fx.I32F32 {
	out := make([]fx.I32F32, len(xs))
	for i, x := range xs {
		out[i] = fx.FromFloat32(x)
	}
	return out
}

func TestWeightedMedianVectors(t *testing.T) {
	minority := fx.One32 - fx.FromFloat32(0.51)
	cases := []struct {
		stake, score []float32
		want         float32
	}{
		{[]float32{0.49, 0.51}, []float32{0.5, 1}, 1},
		{[]float32{0.51, 0.49}, []float32{0.5, 1}, 0.5},
		{[]float32{0.49, 0, 0.51}, []float32{0.5, 0.7, 1}, 1},
		{[]float32{0.49, 0.01, 0.5}, []float32{0.5, 0.7, 1}, 0.7},
		{[]float32{0.49, 0.51, 0}, []float32{0.5, 0.7, 1}, 0.7},
		{[]float32{0, 0.49, 0.51}, []float32{0.5, 0.7, 1}, 1},
		{[]float32{0.2, 0.2, 0.2, 0.2, 0.2}, []float32{0.8, 0.2, 1, 0.6, 0.4}, 0.6},
		{[]float32{0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1},
			[]float32{0.8, 0.8, 0.2, 0.2, 1, 1, 0.6, 0.6, 0.4, 0.4}, 0.6},
		{nil, nil, 0},
	}
	for _, c := range cases {
		stake, score := f32s(c.stake...), f32s(c.score...)
		idx := make([]int32, len(stake))
		for i := range idx {
			idx[i] = int32(i)
		}
		got := weightedMedian(stake, score, idx, minority, 0, fx.One32,
			make([]int32, 0, len(idx)), make([]int32, 0, len(idx)))
		if got != fx.FromFloat32(c.want) {
			t.Errorf("weighted_median(%v, %v) = %v, want %v", c.stake, c.score, got.Float64(), c.want)
		}
	}
}

func denseToSparse(rows [][]float32) smat {
	m := make(smat, len(rows))
	for i, r := range rows {
		for j, v := range r {
			m[i] = append(m[i], ent{int32(j), fx.FromFloat32(v)})
		}
	}
	return m
}

func TestWeightedMedianColVectors(t *testing.T) {
	w1 := denseToSparse([][]float32{{0, 0.1, 0}, {0, 0.2, 0.4}, {0, 0.3, 0.1}, {0, 0.4, 0.5}})
	s1 := f32s(0, 0.75, 0.25, 0)
	w2 := denseToSparse([][]float32{{0, 0.1, 0}, {0, 0.2, 0.4}, {0, 0.3, 0.1}, {0, 0, 0.5}})
	s2 := f32s(0, 0.3, 0.2, 0.5)
	cases := []struct {
		stake    []fx.I32F32
		w        smat
		majority float32
		want     []float32
	}{
		{s1, w1, 0.24, []float32{0, 0.3, 0.4}},
		{s1, w1, 0.26, []float32{0, 0.2, 0.4}},
		{s1, w1, 0.76, []float32{0, 0.2, 0.1}},
		{s2, w2, 0.51, []float32{0, 0, 0.4}},
	}
	for _, c := range cases {
		got := weightedMedianCol(c.stake, c.w, 3, fx.FromFloat32(c.majority))
		if fmt.Sprint(got) != fmt.Sprint(f32s(c.want...)) {
			t.Errorf("majority %v: %v, want %v", c.majority, got, f32s(c.want...))
		}
	}
}

func TestMatEmaAlphaSparseVector(t *testing.T) {
	alpha := func(int32) fx.I32F32 { return fx.FromFloat32(0.1) }
	decayed, abuf, mark := make([]fx.I32F32, 2), make([]fx.I32F32, 2), make([]bool, 2)
	oldM := smat{{{0, fx.One32}}, nil}
	newM := smat{nil, {{1, fx.I32FromInt(2)}}}
	r0 := matEmaAlphaRow(newM[0], oldM[0], alpha, abuf, decayed, mark)
	r1 := matEmaAlphaRow(newM[1], oldM[1], alpha, abuf, decayed, mark)
	if len(r0) != 0 {
		t.Errorf("row 0 = %v, want deleted bond", r0)
	}
	if len(r1) != 1 || r1[0].j != 1 || r1[0].v != fx.FromFloat32(0.1).Mul(fx.I32FromInt(2)) {
		t.Errorf("row 1 = %v, want (1, 0.2)", r1)
	}
	// α = 1 → new, capped at 1; α = 0 → old, capped at 1
	one := func(int32) fx.I32F32 { return fx.One32 }
	zero := func(int32) fx.I32F32 { return 0 }
	nr := []ent{{0, fx.FromFloat32(0.5)}, {1, fx.I32FromInt(3)}}
	or := []ent{{0, fx.FromFloat32(0.25)}, {1, fx.FromFloat32(0.75)}}
	if got := matEmaAlphaRow(nr, or, one, abuf, decayed, mark); got[0].v != fx.FromFloat32(0.5) || got[1].v != fx.One32 {
		t.Errorf("alpha 1: %v", got)
	}
	if got := matEmaAlphaRow(nr, or, zero, abuf, decayed, mark); got[0].v != fx.FromFloat32(0.25) || got[1].v != fx.FromFloat32(0.75) {
		t.Errorf("alpha 0: %v", got)
	}
}

func TestIsTopkVectors(t *testing.T) {
	ints := func(xs ...int64) []fx.I32F32 {
		out := make([]fx.I32F32, len(xs))
		for i, x := range xs {
			out[i] = fx.I32FromInt(x)
		}
		return out
	}
	cases := []struct {
		in   []fx.I32F32
		k    int
		want string
	}{
		{ints(0, 1, 2, 3, 4, 5, 6, 7, 8, 9), 5, "[false false false false false true true true true true]"},
		{ints(9, 0, 8, 1, 7, 2, 6, 3, 5, 4), 5, "[true false true false true false true false true false]"},
		{ints(0, 1, 2, 3, 4, 5, 5, 5, 5, 6), 5, "[false false false false false true true true true true]"},
		{ints(1, 1, 1), 5, "[true true true]"},           // n < k keeps all non-zero
		{ints(0, 1, 0), 5, "[false true false]"},         // zero stake never gets a permit
		{ints(2, 2, 2, 2), 2, "[false false true true]"}, // lower uids lose ties
	}
	for i, c := range cases {
		if got := fmt.Sprint(isTopkNonzero(c.in, c.k)); got != c.want {
			t.Errorf("case %d: %s, want %s", i, got, c.want)
		}
	}
}

func TestMaxUpscaleVectors(t *testing.T) {
	u16 := []struct{ in, want []uint16 }{
		{[]uint16{1}, []uint16{65535}},
		{[]uint16{0, 1, 65534}, []uint16{0, 1, 65535}},
		{[]uint16{0, 1, 2, 3, 4, 65533, 65535}, []uint16{0, 1, 2, 3, 4, 65533, 65535}},
		{[]uint16{65534}, []uint16{65535}},
		{[]uint16{0, 0}, []uint16{0, 0}},
		{nil, nil},
	}
	for _, c := range u16 {
		if got := MaxUpscaleU16(c.in); fmt.Sprint(got) != fmt.Sprint(c.want) {
			t.Errorf("MaxUpscaleU16(%v) = %v, want %v", c.in, got, c.want)
		}
	}
	fixedCases := []struct {
		in   []float32
		want []uint16
	}{
		{[]float32{0.000001, 0.000006, 0.000007, 0.0001, 0.001, 0.01, 0.1, 0.2, 0.3, 0.4},
			[]uint16{0, 1, 1, 16, 164, 1638, 16384, 32768, 49151, 65535}},
		{[]float32{0, 0.5, 1, 1.5, 2, 32768, 32769}, []uint16{0, 1, 2, 3, 4, 65533, 65535}},
	}
	for _, c := range fixedCases {
		if got := MaxUpscaleToU16(f32s(c.in...)); fmt.Sprint(got) != fmt.Sprint(c.want) {
			t.Errorf("MaxUpscaleToU16(%v) = %v, want %v", c.in, got, c.want)
		}
	}
	lim := []struct {
		in    []uint16
		limit uint16
		want  bool
	}{
		{[]uint16{0, 65535, 65535}, 32767, false},
		{[]uint16{0, 65535, 65535}, 32768, true},
		{[]uint16{0, 65535, 65535, 65535}, 21844, false},
		{[]uint16{0, 65535, 65535, 65535}, 21845, true},
	}
	for _, c := range lim {
		if got := CheckMaxLimited(c.in, c.limit); got != c.want {
			t.Errorf("CheckMaxLimited(%v, %d) = %v", c.in, c.limit, got)
		}
	}
}

func TestActivityCutoffFromFactor(t *testing.T) {
	if got := ActivityCutoffFromFactor(13889, 360); got != 5000 {
		t.Errorf("13889‰ of 360 = %d, want 5000", got)
	}
	if got := ActivityCutoffFromFactor(13889, 0); got != 1 {
		t.Errorf("tempo 0 = %d, want 1", got)
	}
}
