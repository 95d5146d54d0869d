package embed

import (
	"context"
	"fmt"

	"github.com/taonet/taonet/lm/serve/openai"
)

// OpenAI embeds through any OpenAI-compatible POST /v1/embeddings endpoint
// (OpenAI, vLLM, Ollama, llama.cpp's server, TEI, `taonet model serve` with a
// BERT model). Empty texts are sent as " " (the API rejects ""). Vectors are returned in input order (by the response's
// index field); a response with missing, duplicate or ragged vectors is an
// error.
type OpenAI struct {
	Client *openai.Client
	Model  string
}

// NewOpenAI returns a backend for baseURL ("http://host:port/v1").
func NewOpenAI(baseURL, model, apiKey string) *OpenAI {
	c := openai.NewClient(baseURL)
	c.APIKey = apiKey
	return &OpenAI{Client: c, Model: model}
}

// Embed implements Embedder.
func (o *OpenAI) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	if len(texts) == 0 {
		return nil, nil
	}
	// OpenAI's API rejects empty strings; the relevance baseline embeds "",
	// so send its closest valid input, a single space.
	in, copied := texts, false
	for i, t := range texts {
		if t == "" {
			if !copied {
				in, copied = append([]string(nil), texts...), true
			}
			in[i] = " "
		}
	}
	resp, err := o.Client.Embeddings(ctx, o.Model, in)
	if err != nil {
		return nil, fmt.Errorf("embed: %w", err)
	}
	out := make([][]float32, len(texts))
	dim := -1
	for _, d := range resp.Data {
		if d.Index < 0 || d.Index >= len(texts) || out[d.Index] != nil {
			return nil, fmt.Errorf("embed: bad or duplicate embedding index %d", d.Index)
		}
		if dim >= 0 && len(d.Embedding) != dim || len(d.Embedding) == 0 {
			return nil, fmt.Errorf("embed: ragged embeddings (%d vs %d dims)", len(d.Embedding), dim)
		}
		dim = len(d.Embedding)
		out[d.Index] = d.Embedding
	}
	for i, v := range out {
		if v == nil {
			return nil, fmt.Errorf("embed: no embedding for input %d", i)
		}
	}
	return out, nil
}

// Batched splits large requests into batches of at most Size texts (for
// backends with request limits or slow encoders, e.g. a BERT engine:
// *modelengine.Engine of lm/serve/modelengine satisfies Embedder directly).
type Batched struct {
	Embedder Embedder
	Size     int
}

// Embed implements Embedder.
func (b Batched) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	size := b.Size
	if size <= 0 {
		size = 64
	}
	out := make([][]float32, 0, len(texts))
	for i := 0; i < len(texts); i += size {
		j := min(i+size, len(texts))
		v, err := b.Embedder.Embed(ctx, texts[i:j])
		if err != nil {
			return nil, err
		}
		if len(v) != j-i {
			return nil, fmt.Errorf("embed: backend returned %d vectors for %d texts", len(v), j-i)
		}
		out = append(out, v...)
	}
	return out, nil
}
