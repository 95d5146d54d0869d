package train

import (
	"math"
	"path/filepath"
	"testing"

	"github.com/taonet/taonet/lm/model"
	"github.com/taonet/taonet/lm/safetensors"
)

// TestGoldenAdamWStep checks one clipped AdamW step against PyTorch
// (scripts/golden_lm.py: lr 1e-2, betas (0.9, 0.95), eps 1e-8, weight decay 0.1
// on matrices, clip to half the measured norm). Tolerance |Δ| ≤ 1e-6.
// Elements whose reference gradient is at rounding-noise level
// (|g| < 1e-5·max|g| of the tensor, e.g. GPT-2's key bias, to which softmax is
// invariant) are only checked to |Δ| ≤ 2·lr: Adam's first step moves them by
// about ±lr·sign(noise), which no two float32 implementations agree on.
func TestGoldenAdamWStep(t *testing.T) {
	for _, arch := range []string{"gpt2", "llama", "llama3"} {
		t.Run(arch, func(t *testing.T) {
			dir := filepath.Join("..", "testdata", arch)
			m, err := model.Load(dir)
			if err != nil {
				t.Fatal(err)
			}
			g, err := safetensors.Open(filepath.Join(dir, "golden.safetensors"))
			if err != nil {
				t.Fatal(err)
			}
			defer g.Close()
			ints := func(name string) []int {
				v, _, err := g.Float32(name)
				if err != nil {
					t.Fatal(err)
				}
				out := make([]int, len(v))
				for i, x := range v {
					out[i] = int(x)
				}
				return out
			}
			tokens, targets := ints("tokens"), ints("targets")
			if _, _, err := m.ForwardBackward(tokens, targets, 2, len(tokens)/2, 1); err != nil {
				t.Fatal(err)
			}
			maxNorm, _, _ := g.Float32("max_norm")
			wantNorm, _, _ := g.Float32("grad_norm")
			norm := ClipGradNorm(m, float64(maxNorm[0]))
			if math.Abs(norm-float64(wantNorm[0])) > 1e-5 {
				t.Fatalf("grad norm %v, want %v", norm, wantNorm[0])
			}
			if after := m.GradNorm(); math.Abs(after-float64(maxNorm[0])) > 1e-4 {
				t.Fatalf("norm after clipping %v, want %v", after, maxNorm[0])
			}
			opt := NewAdamW(0.1)
			opt.Beta2 = 0.95
			opt.Step(m, 1e-2)
			worst, skipped := 0.0, 0
			for _, in := range m.Infos {
				want, _, err := g.Float32("step." + in.Name)
				if err != nil {
					t.Fatal(err)
				}
				grad, _, err := g.Float32("grad." + in.Name)
				if err != nil {
					t.Fatal(err)
				}
				gmax := 0.0
				for _, x := range grad {
					gmax = max(gmax, math.Abs(float64(x)))
				}
				got, _, _ := m.Tensor(in.Name)
				for i := range got {
					if math.Abs(float64(grad[i])) < 1e-5*gmax && grad[i] != 0 {
						skipped++
						if math.Abs(float64(got[i]-want[i])) > 2e-2 {
							t.Fatalf("%s[%d] after step = %v, want %v (noise gradient)", in.Name, i, got[i], want[i])
						}
						continue
					}
					d := math.Abs(float64(got[i] - want[i]))
					worst = max(worst, d)
					if d > 1e-6 {
						t.Fatalf("%s[%d] after step = %v, want %v", in.Name, i, got[i], want[i])
					}
				}
			}
			t.Logf("max |Δ| after one AdamW step: %.3g (%d noise-gradient elements skipped)", worst, skipped)
			if skipped > 2*m.Config.Hidden*m.Config.Layers {
				t.Fatalf("%d elements skipped as noise", skipped)
			}
		})
	}
}

func TestSchedule(t *testing.T) {
	s := Schedule{Peak: 1e-3, Min: 1e-4, Warmup: 10, Total: 110}
	cases := map[int]float64{0: 1e-4, 4: 5e-4, 9: 1e-3, 10: 1e-3, 60: 5.5e-4, 110: 1e-4, 500: 1e-4}
	for step, want := range cases {
		if got := s.LR(step); math.Abs(got-want) > 1e-12 {
			t.Errorf("LR(%d) = %v, want %v", step, got, want)
		}
	}
	for i := 11; i < 110; i++ {
		if s.LR(i) > s.LR(i-1) {
			t.Fatalf("schedule increases after warmup at %d", i)
		}
	}
}
