package model

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"strings"

	"github.com/taonet/taonet/lm/detmath"
	"github.com/taonet/taonet/lm/kernels"
)

// KVCache holds the keys and values of the positions a causal model has seen,
// so generation computes each new token in O(context) instead of re-running
// the whole sequence.
type KVCache struct {
	k, v [][]float32 // per layer [capacity, KV·D]
	n    int         // positions filled
	cap  int
}

// Len returns the number of cached positions.
func (c *KVCache) Len() int { return c.n }

// NewKVCache returns an empty cache for up to capacity positions.
func (m *Model) NewKVCache(capacity int) (*KVCache, error) {
	if m.Config.Arch == BERT {
		return nil, errBERTNoLM
	}
	if capacity <= 0 {
		return nil, fmt.Errorf("model: cache capacity must be positive")
	}
	if capacity > m.Config.MaxPos {
		capacity = m.Config.MaxPos
	}
	kvd := m.Config.KVHeads * m.Config.HeadDim
	c := &KVCache{cap: capacity}
	for l := 0; l < m.Config.Layers; l++ {
		c.k = append(c.k, make([]float32, capacity*kvd))
		c.v = append(c.v, make([]float32, capacity*kvd))
	}
	return c, nil
}

// Extend runs tokens at the next positions of cache, appends their keys and
// values, and returns the logits [V] predicting the token after the last one.
func (m *Model) Extend(cache *KVCache, tokens []int) ([]float32, error) {
	c := m.Config
	n := len(tokens)
	if n == 0 {
		return nil, fmt.Errorf("model: no tokens to extend with")
	}
	if kvd := c.KVHeads * c.HeadDim; len(cache.k) != c.Layers || len(cache.k[0]) != cache.cap*kvd {
		return nil, fmt.Errorf("model: KV cache was made for a different model")
	}
	if cache.n+n > cache.cap {
		return nil, fmt.Errorf("model: context of %d positions exceeds the cache's %d", cache.n+n, cache.cap)
	}
	for i, t := range tokens {
		if t < 0 || t >= c.VocabSize {
			return nil, fmt.Errorf("model: token %d at position %d outside vocabulary [0,%d)", t, i, c.VocabSize)
		}
	}
	if m.viaDecoder() {
		return m.extendDecoder(cache, tokens)
	}
	w := m.w
	C, F, start := c.Hidden, c.FFN, cache.n
	H, KV, D := c.Heads, c.KVHeads, c.HeadDim
	QD, KVD := H*D, KV*D
	f := func(k int) []float32 { return make([]float32, k) }
	x, h, tmp := f(n*C), f(n*C), f(n*C)
	q, att := f(n*QD), f(n*QD)
	up, act := f(n*F), f(n*F)
	var gate, qkv []float32
	var rope *ropeTable
	if c.Arch == Llama {
		gate = f(n * F)
		rope = m.rope(start + n)
	} else {
		qkv = f(n * 3 * C)
	}
	var wpe []float32
	if c.Arch == GPT2 {
		wpe = w.wpe
	}
	embedForward(x, tokens, w.wte, wpe, 1<<30, start, C)
	for l := 0; l < c.Layers; l++ {
		lw := &w.layers[l]
		kc, vc := cache.k[l], cache.v[l]
		if c.Arch == GPT2 {
			layerNormForward(h, nil, nil, x, lw.ln1W, lw.ln1B, n, C, c.NormEps)
			linearForward(qkv, h, lw.qkvW, lw.qkvB, n, C, 3*C, true)
			for i := 0; i < n; i++ {
				row := qkv[i*3*C:]
				copy(q[i*C:i*C+C], row[:C])
				copy(kc[(start+i)*C:(start+i+1)*C], row[C:2*C])
				copy(vc[(start+i)*C:(start+i+1)*C], row[2*C:3*C])
			}
		} else {
			rmsNormForward(h, nil, x, lw.ln1W, n, C, c.NormEps)
			linearForward(q, h, lw.qW, nil, n, C, QD, false)
			linearForward(kc[start*KVD:(start+n)*KVD], h, lw.kW, nil, n, C, KVD, false)
			linearForward(vc[start*KVD:(start+n)*KVD], h, lw.vW, nil, n, C, KVD, false)
			rope.apply(q, n, 1<<30, start, H, QD, false)
			rope.apply(kc[start*KVD:(start+n)*KVD], n, 1<<30, start, KV, KVD, false)
		}
		cachedAttention(att, q, kc, vc, n, start, H, KV, D)
		if c.Arch == GPT2 {
			linearForward(tmp, att, lw.oW, lw.oB, n, C, C, true)
			addInto(x, x, tmp)
			layerNormForward(h, nil, nil, x, lw.ln2W, lw.ln2B, n, C, c.NormEps)
			linearForward(up, h, lw.upW, lw.upB, n, C, F, true)
			geluNewForward(act, up)
			linearForward(tmp, act, lw.downW, lw.downB, n, F, C, true)
		} else {
			linearForward(tmp, att, lw.oW, nil, n, QD, C, false)
			addInto(x, x, tmp)
			rmsNormForward(h, nil, x, lw.ln2W, n, C, c.NormEps)
			linearForward(gate, h, lw.gateW, nil, n, C, F, false)
			linearForward(up, h, lw.upW, nil, n, C, F, false)
			swigluForward(act, gate, up)
			linearForward(tmp, act, lw.downW, nil, n, F, C, false)
		}
		addInto(x, x, tmp)
	}
	cache.n += n
	last := x[(n-1)*C : n*C]
	out := f(C)
	if c.Arch == GPT2 {
		layerNormForward(out, nil, nil, last, w.lnfW, w.lnfB, 1, C, c.NormEps)
	} else {
		rmsNormForward(out, nil, last, w.lnfW, 1, C, c.NormEps)
	}
	logits := f(c.VocabSize)
	linearForward(logits, out, w.lmHead, nil, 1, C, c.VocabSize, false)
	return logits, nil
}

// cachedAttention attends each of n new query rows (positions start+i) to the
// cached keys/values of positions 0..start+i.
func cachedAttention(out, q, kc, vc []float32, n, start, H, KV, D int) {
	rep := H / KV
	scale := float32(1 / math.Sqrt(float64(D)))
	QD, KVD := H*D, KV*D
	kernels.ParallelFor(n*H, func(job int) {
		i, h := job/H, job%H
		g := h / rep
		p := start + i
		qr := q[i*QD+h*D : i*QD+h*D+D]
		scores := make([]float32, p+1)
		for s := 0; s <= p; s++ {
			scores[s] = float32(kernels.Dot(qr, kc[s*KVD+g*D:s*KVD+g*D+D]) * scale)
		}
		softmaxRow(scores, p+1, nil)
		o := out[i*QD+h*D : i*QD+h*D+D]
		clear(o)
		for s, a := range scores {
			kernels.Axpy(a, vc[s*KVD+g*D:s*KVD+g*D+D], o)
		}
	})
}

// GenerateOptions control sampling.
type GenerateOptions struct {
	MaxTokens   int      // tokens to generate at most (required, > 0)
	Temperature float64  // 0 → greedy (argmax)
	TopP        float64  // nucleus sampling mass; 0 or ≥ 1 → off
	Seed        uint64   // sampling RNG seed: same seed, same output
	StopTokens  []int    // e.g. EOS: generation ends (token not included)
	Stop        []string // stop strings, matched on Decode of the generated tokens
	// Decode turns generated tokens into text; needed for Stop strings.
	Decode func(ids []int) string
	// OnToken, when set, sees each generated token; returning false stops.
	OnToken func(id int) bool
}

// Generation is the result of Generate.
type Generation struct {
	Tokens       []int     // generated tokens (without the prompt or stop token)
	Logprobs     []float32 // log-probability of each generated token under the model (before temperature/top-p)
	Text         string    // Decode(Tokens), cut before a stop string; empty without Decode
	FinishReason string    // "stop" (stop token/string or OnToken) or "length"
}

// Generate continues prompt with a KV cache: greedy at temperature 0,
// otherwise temperature + top-p sampling from a seeded generator.
func (m *Model) Generate(ctx context.Context, prompt []int, o GenerateOptions) (Generation, error) {
	if len(prompt) == 0 {
		return Generation{}, fmt.Errorf("model: empty prompt")
	}
	if o.MaxTokens <= 0 {
		return Generation{}, fmt.Errorf("model: max tokens must be positive")
	}
	if o.Temperature < 0 || math.IsNaN(o.Temperature) || o.TopP < 0 || math.IsNaN(o.TopP) {
		return Generation{}, fmt.Errorf("model: temperature and top_p must not be negative")
	}
	if len(o.Stop) > 0 && o.Decode == nil {
		return Generation{}, fmt.Errorf("model: stop strings need a decoder")
	}
	capacity := len(prompt) + o.MaxTokens
	if capacity > m.Config.MaxPos {
		if len(prompt) >= m.Config.MaxPos {
			return Generation{}, fmt.Errorf("model: prompt of %d tokens fills the model's %d positions", len(prompt), m.Config.MaxPos)
		}
		capacity = m.Config.MaxPos
	}
	cache, err := m.NewKVCache(capacity)
	if err != nil {
		return Generation{}, err
	}
	rng := rand.New(rand.NewPCG(o.Seed, 0x67656e))
	logits, err := m.Extend(cache, prompt)
	if err != nil {
		return Generation{}, err
	}
	g := Generation{FinishReason: "length"}
	for len(g.Tokens) < o.MaxTokens {
		if err := ctx.Err(); err != nil {
			return g, err
		}
		next := sample(logits, o.Temperature, o.TopP, rng)
		if containsInt(o.StopTokens, next) {
			g.FinishReason = "stop"
			break
		}
		g.Tokens = append(g.Tokens, next)
		g.Logprobs = append(g.Logprobs, logits[next]-logSumExp(logits))
		if o.OnToken != nil && !o.OnToken(next) {
			g.FinishReason = "stop"
			break
		}
		if len(o.Stop) > 0 {
			text := o.Decode(g.Tokens)
			if cut, ok := findStop(text, o.Stop); ok {
				g.Text, g.FinishReason = text[:cut], "stop"
				return g, nil
			}
		}
		if len(g.Tokens) == o.MaxTokens || cache.n >= cache.cap {
			break
		}
		if logits, err = m.Extend(cache, []int{next}); err != nil {
			return g, err
		}
	}
	if o.Decode != nil {
		g.Text = o.Decode(g.Tokens)
	}
	return g, nil
}

func containsInt(s []int, v int) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// findStop returns the earliest index at which any stop string starts.
func findStop(text string, stops []string) (int, bool) {
	best, found := len(text), false
	for _, s := range stops {
		if s == "" {
			continue
		}
		if i := strings.Index(text, s); i >= 0 && i < best {
			best, found = i, true
		}
	}
	return best, found
}

// sample picks the next token: argmax at temperature 0, else a draw from the
// tempered softmax restricted to the smallest set of tokens whose mass
// reaches topP. Ties in argmax go to the lowest id.
func sample(logits []float32, temperature, topP float64, rng *rand.Rand) int {
	if temperature == 0 {
		best := 0
		for i, v := range logits {
			if v > logits[best] {
				best = i
			}
		}
		return best
	}
	mx := float64(logits[0])
	for _, v := range logits {
		mx = math.Max(mx, float64(v))
	}
	probs := make([]float64, len(logits))
	var sum float64
	for i, v := range logits {
		probs[i] = detmath.Exp((float64(v) - mx) / temperature)
		sum += probs[i]
	}
	idx := make([]int, 0, len(probs))
	// Tokens below (1-topP)/V together hold less than 1-topP of the mass, so
	// the nucleus never reaches them: only the rest needs sorting.
	floor := 0.0
	if topP > 0 && topP < 1 {
		floor = (1 - topP) / float64(len(probs))
	}
	for i := range probs {
		probs[i] /= sum
		if probs[i] >= floor {
			idx = append(idx, i)
		}
	}
	if topP > 0 && topP < 1 {
		sort.SliceStable(idx, func(a, b int) bool { return probs[idx[a]] > probs[idx[b]] })
		var cum float64
		cut := len(idx)
		for i, id := range idx {
			cum += probs[id]
			if cum >= topP {
				cut = i + 1
				break
			}
		}
		idx = idx[:cut]
	}
	var total float64
	for _, id := range idx {
		total += probs[id]
	}
	r := float64(rng.Float64() * total)
	for _, id := range idx {
		r -= probs[id]
		if r < 0 {
			return id
		}
	}
	return idx[len(idx)-1]
}
