package model

import (
	"math"
	"path/filepath"
	"testing"

	"github.com/taonet/taonet/lm/safetensors"
)

// Golden fixtures come from scripts/golden_lm.py (PyTorch, float32).
// Tolerances (float32 engine vs float32 PyTorch, different summation orders;
// observed errors are about 10x below these):
//   logits:                 |Δ| ≤ 2e-5 + 1e-5·|ref|
//   per-token NLL and loss: |Δ| ≤ 1e-5 + 1e-6·|ref|
//   gradients:              |Δ| ≤ 1e-6 + 1e-5·max|ref| over the tensor
//   params after AdamW:     |Δ| ≤ 1e-6 (lm/train)
//   BERT hidden/embeddings: |Δ| ≤ 2e-5 + 1e-5·|ref|

const testdata = "../testdata"

func loadGolden(t *testing.T, arch string) *safetensors.File {
	t.Helper()
	f, err := safetensors.Open(filepath.Join(testdata, arch, "golden.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func goldenF32(t *testing.T, f *safetensors.File, name string) []float32 {
	t.Helper()
	v, _, err := f.Float32(name)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func goldenInts(t *testing.T, f *safetensors.File, name string) []int {
	v := goldenF32(t, f, name)
	out := make([]int, len(v))
	for i, x := range v {
		out[i] = int(x)
	}
	return out
}

func assertClose(t *testing.T, what string, got, want []float32, abs, rel float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: length %d, want %d", what, len(got), len(want))
	}
	worst := 0.0
	for i := range got {
		d := math.Abs(float64(got[i]) - float64(want[i]))
		tol := abs + rel*math.Abs(float64(want[i]))
		if d > tol || math.IsNaN(float64(got[i])) {
			t.Fatalf("%s[%d] = %v, want %v (|Δ| %.3g > %.3g)", what, i, got[i], want[i], d, tol)
		}
		worst = max(worst, d)
	}
	t.Logf("%s: max |Δ| %.3g over %d values", what, worst, len(got))
}

func maxAbs(v []float32) float64 {
	m := 0.0
	for _, x := range v {
		m = max(m, math.Abs(float64(x)))
	}
	return m
}

func TestGoldenCausal(t *testing.T) {
	for _, arch := range []string{"gpt2", "llama", "llama3"} {
		t.Run(arch, func(t *testing.T) {
			m, err := Load(filepath.Join(testdata, arch))
			if err != nil {
				t.Fatal(err)
			}
			g := loadGolden(t, arch)
			tokens, targets := goldenInts(t, g, "tokens"), goldenInts(t, g, "targets")
			B, T := 2, len(tokens)/2
			logits, err := m.Logits(tokens, B, T)
			if err != nil {
				t.Fatal(err)
			}
			assertClose(t, "logits", logits, goldenF32(t, g, "logits"), 2e-5, 1e-5)
			nll, err := m.TokenNLL(tokens, targets, B, T)
			if err != nil {
				t.Fatal(err)
			}
			assertClose(t, "nll", nll, goldenF32(t, g, "nll"), 1e-5, 1e-6)

			loss, n, err := m.ForwardBackward(tokens, targets, B, T, 1)
			if err != nil {
				t.Fatal(err)
			}
			assertClose(t, "loss", []float32{float32(loss)}, goldenF32(t, g, "loss"), 1e-5, 1e-6)
			if want := 0; n == want {
				t.Fatalf("no scored tokens")
			}
			for _, in := range m.Infos {
				want := goldenF32(t, g, "grad."+in.Name)
				got, _ := m.Grad(in.Name)
				assertClose(t, "grad."+in.Name, got, want, 1e-6+1e-5*maxAbs(want), 0)
			}
			assertClose(t, "grad_norm", []float32{float32(m.GradNorm())}, goldenF32(t, g, "grad_norm"), 1e-5, 1e-6)
		})
	}
}

func TestGoldenBERT(t *testing.T) {
	m, err := Load(filepath.Join(testdata, "bert"))
	if err != nil {
		t.Fatal(err)
	}
	if !m.pooler {
		t.Fatal("pooler not loaded")
	}
	g := loadGolden(t, "bert")
	tokens, mask := goldenInts(t, g, "tokens"), goldenF32(t, g, "mask")
	B, T := 2, len(tokens)/2
	hid, err := m.Hidden(tokens, mask, B, T)
	if err != nil {
		t.Fatal(err)
	}
	assertClose(t, "hidden", hid, goldenF32(t, g, "hidden"), 2e-5, 1e-5)
	var seqs [][]int
	for b := 0; b < B; b++ {
		var s []int
		for t := 0; t < T; t++ {
			if mask[b*T+t] != 0 {
				s = append(s, tokens[b*T+t])
			}
		}
		seqs = append(seqs, s)
	}
	for _, p := range []Pooling{PoolMean, PoolCLS} {
		embs, err := m.Embed(seqs, p, false)
		if err != nil {
			t.Fatal(err)
		}
		var flat []float32
		for _, e := range embs {
			flat = append(flat, e...)
		}
		assertClose(t, string(p), flat, goldenF32(t, g, string(p)), 2e-5, 1e-5)
	}
	n, _ := m.Embed(seqs[:1], PoolMean, true)
	var ss float64
	for _, v := range n[0] {
		ss += float64(v) * float64(v)
	}
	if math.Abs(ss-1) > 1e-5 {
		t.Errorf("normalized embedding has squared norm %v", ss)
	}
	// Many sequences are encoded in groups; each vector must not change.
	var many [][]int
	for i := 0; i < 40; i++ {
		many = append(many, seqs[i%2])
	}
	me, err := m.Embed(many, PoolMean, false)
	if err != nil {
		t.Fatal(err)
	}
	one, _ := m.Embed(seqs, PoolMean, false)
	for i, e := range me {
		for j := range e {
			if e[j] != one[i%2][j] {
				t.Fatalf("grouped embedding %d differs", i)
			}
		}
	}
	if _, err := m.Embed([][]int{{}}, PoolMean, false); err == nil {
		t.Error("empty sequence accepted")
	}
	if _, err := m.Embed(seqs, "max", false); err == nil {
		t.Error("unknown pooling accepted")
	}
	if _, err := m.Logits(tokens, B, T); err == nil {
		t.Error("BERT produced LM logits")
	}
}
