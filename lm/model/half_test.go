package model

import (
	"context"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/taonet/taonet/lm/safetensors"
)

// TestHalfWeights: a model saved as bf16 or f16 and loaded with
// LoadInference keeps its matrices 16-bit (HalfBytes) and computes exactly
// what the same checkpoint widened to float32 at load computes: logits,
// token NLL, cached generation. Llama (which switches to the decoder pass)
// agrees with its float32 pass within the golden tolerance. Saving a
// 16-bit model keeps its bytes; training it is refused.
func TestHalfWeights(t *testing.T) {
	archs := []string{"qwen2", "mistral", "gemma", "gemma2", "phi3", "stablelm", "gpt_neox", "llama", "llama3"}
	for _, arch := range archs {
		for _, dt := range []safetensors.DType{safetensors.BF16, safetensors.F16} {
			src, err := Load(filepath.Join(testdata, arch))
			if err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			if err := src.SaveAs(dir, dt); err != nil {
				t.Fatal(err)
			}
			wide, err := Load(dir)
			if err != nil {
				t.Fatal(err)
			}
			half, err := LoadInference(dir)
			if err != nil {
				t.Fatal(err)
			}
			if half.HalfBytes() == 0 || half.NumParams() != wide.NumParams() {
				t.Fatalf("%s %s: %d 16-bit bytes, %d vs %d parameters", arch, dt, half.HalfBytes(), half.NumParams(), wide.NumParams())
			}
			if len(half.Params) >= len(wide.Params)/2 {
				t.Fatalf("%s %s: %d float32 parameters kept of %d", arch, dt, len(half.Params), len(wide.Params))
			}
			tokens := []int{3, 17, 9, 44, 1, 60, 12, 5, 30, 2, 8, 7}
			targets := append(slices.Clone(tokens[1:]), -1)
			lw, err := wide.Logits(tokens, 2, 6)
			if err != nil {
				t.Fatal(err)
			}
			lh, err := half.Logits(tokens, 2, 6)
			if err != nil {
				t.Fatal(err)
			}
			nw, _ := wide.TokenNLL(tokens, targets, 2, 6)
			nh, _ := half.TokenNLL(tokens, targets, 2, 6)
			if strings.HasPrefix(arch, "llama") {
				assertClose(t, arch+" logits", lh, lw, 2e-5, 1e-5)
				assertClose(t, arch+" nll", nh, nw, 1e-5, 1e-6)
			} else {
				for i := range lw {
					if math.Float32bits(lw[i]) != math.Float32bits(lh[i]) {
						t.Fatalf("%s %s: logit %d: 16-bit %v, widened %v", arch, dt, i, lh[i], lw[i])
					}
				}
				if !slices.Equal(nw, nh) {
					t.Fatalf("%s %s: token NLL differs", arch, dt)
				}
			}
			gw, err := wide.Generate(context.Background(), tokens[:4], GenerateOptions{MaxTokens: 5})
			if err != nil {
				t.Fatal(err)
			}
			gh, err := half.Generate(context.Background(), tokens[:4], GenerateOptions{MaxTokens: 5})
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(gw.Tokens, gh.Tokens) {
				t.Fatalf("%s %s: generation %v vs %v", arch, dt, gh.Tokens, gw.Tokens)
			}
			if _, _, err := half.ForwardBackward(tokens, targets, 2, 6, 1); err == nil || !strings.Contains(err.Error(), "cannot be trained") {
				t.Fatalf("%s: training a 16-bit model: %v", arch, err)
			}
			// Saving keeps the 16-bit bytes; every tensor reads back the same.
			again := t.TempDir()
			if err := half.SaveAs(again, dt); err != nil {
				t.Fatal(err)
			}
			back, err := Load(again)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(back.Params, wide.Params) {
				t.Fatalf("%s %s: re-saved weights differ", arch, dt)
			}
			var seen int
			half.EachTensor(func(in ParamInfo, data []float32) error {
				w, _, _ := wide.Tensor(in.Name)
				if !slices.Equal(w, data) {
					t.Fatalf("%s: EachTensor %s differs", arch, in.Name)
				}
				seen++
				return nil
			})
			if seen != len(wide.Infos) {
				t.Fatalf("EachTensor saw %d of %d tensors", seen, len(wide.Infos))
			}
			half.Close()
			if half.HalfBytes() != 0 || half.Close() != nil {
				t.Fatalf("%s: Close left %d bytes mapped", arch, half.HalfBytes())
			}
		}
	}
}

// TestHalfNonFinite: a NaN in a 16-bit matrix is refused at load.
func TestHalfNonFinite(t *testing.T) {
	m, err := Load(filepath.Join(testdata, "qwen2"))
	if err != nil {
		t.Fatal(err)
	}
	w, _, _ := m.Tensor("model.layers.1.mlp.up_proj.weight")
	w[7] = float32(math.NaN())
	dir := t.TempDir()
	if err := m.SaveAs(dir, safetensors.BF16); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadInference(dir); err == nil || !strings.Contains(err.Error(), "model.layers.1.mlp.up_proj.weight: non-finite value NaN at index 7") {
		t.Fatalf("NaN: %v", err)
	}
}
