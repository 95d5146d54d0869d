package kernels_test

import (
	"fmt"

	"github.com/taonet/taonet/lm/kernels"
)

// A PyTorch Linear layer stores its weight as [out, in], so y = x·Wᵀ is
// Sgemm with transB; a GPT-2 Conv1D weight is [in, out] and needs no transpose.
func ExampleSgemm() {
	x := []float32{1, 2, 3, 4, 5, 6} // 2 tokens × 3 features
	w := []float32{1, 0, 1, 0, 1, 0} // 2 outputs × 3 inputs
	y := make([]float32, 4)          // 2 tokens × 2 outputs
	kernels.Sgemm(false, true, 2, 2, 3, 1, x, 3, w, 3, 0, y, 2)
	fmt.Println(y)
	// Output: [4 2 10 5]
}

// Softmax over attention scores or logits, deterministic on every CPU.
func ExampleSoftmax() {
	p := []float32{1, 2, 3}
	kernels.Softmax(p)
	fmt.Printf("%.4f\n", p)
	// Output: [0.0900 0.2447 0.6652]
}
