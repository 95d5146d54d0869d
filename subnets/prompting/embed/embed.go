package embed

import (
	"context"
	"math"
)

// Embedder turns texts into fixed-size vectors, one per text, in order.
// Implementations must be safe for concurrent use.
type Embedder interface {
	Embed(ctx context.Context, texts []string) ([][]float32, error)
}

// Cosine returns the cosine similarity of a and b, computed in float64.
// It returns 0 when either vector has zero norm or the lengths differ, so an
// empty text (a zero mean vector) is dissimilar to everything.
func Cosine(a, b []float32) float64 {
	if len(a) != len(b) || len(a) == 0 {
		return 0
	}
	var dot, na, nb float64
	for i := range a {
		x, y := float64(a[i]), float64(b[i])
		dot += x * y
		na += x * x
		nb += y * y
	}
	if na == 0 || nb == 0 {
		return 0
	}
	c := dot / (math.Sqrt(na) * math.Sqrt(nb))
	if math.IsNaN(c) {
		return 0
	}
	return c
}
