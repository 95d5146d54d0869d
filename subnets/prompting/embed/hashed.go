package embed

import (
	"context"
	"errors"
	"hash/fnv"
	"math"
)

// Hashed embeds a text as a unit-length bag of words hashed into Dim buckets
// (feature hashing). It needs no data files, so it is the lexical fallback
// when no word vectors or embedding server are available, and a fast,
// deterministic embedder for tests. It sees shared words, not meaning.
type Hashed struct {
	Dim int // number of buckets; at least 2
}

// Embed implements Embedder. Bucket 0 holds a constant so that an empty text
// still has unit length (cosine 0 with everything but another empty text).
func (h Hashed) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	if h.Dim < 2 {
		return nil, errors.New("embed: Hashed needs Dim >= 2")
	}
	out := make([][]float32, len(texts))
	for i, t := range texts {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if r := []rune(t); len(r) > maxEmbedRunes {
			t = string(r[:maxEmbedRunes])
		}
		v := make([]float32, h.Dim)
		v[0] = 0.5
		for _, w := range Tokens(t) {
			f := fnv.New32a()
			f.Write([]byte(w))
			v[1+int(f.Sum32()%uint32(h.Dim-1))]++
		}
		var n float64
		for _, x := range v {
			n += float64(x) * float64(x)
		}
		inv := float32(1 / math.Sqrt(n))
		for j := range v {
			v[j] *= inv
		}
		out[i] = v
	}
	return out, nil
}
