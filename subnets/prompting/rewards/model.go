package rewards

import (
	"context"
	"fmt"
	"math"

	"github.com/taonet/taonet/subnets/prompting/embed"
)

// Model names. A reward model is identified by its name alone; ROUGE
// variants are distinct names so they can never be de-duplicated into each
// other (upstream bug, §4.1).
const (
	ModelRouge1    = "rouge1"     // pltrdy ROUGE-1 F
	ModelRougeL    = "rougeL"     // pltrdy ROUGE-L F
	ModelRelevance = "relevance"  // embedding cosine above the empty-text baseline
	ModelDate      = "date"       // DateScore
	ModelFloatDiff = "float_diff" // FloatDiff
	ModelOrdinal   = "ordinal"    // Ordinal
	ModelDiff      = "diff"       // DiffRatio
	// ModelStreaming is the streaming-chunk penalty; it reads chunk token
	// counts, not text.
	ModelStreaming = "streaming"
)

// Component is one weighted model of a task's reward or penalty list.
type Component struct {
	Model  string  `json:"model"`
	Weight float64 `json:"weight"`
}

// Definition is a task's scoring recipe (§4.9). Rewards are computed against
// the reference and must have weights summing to 1; Penalties are computed
// against the challenge text the miner saw (ModelStreaming against the
// stream's chunks) and multiply the total by (1 − weight·penalty).
type Definition struct {
	Rewards   []Component `json:"rewards"`
	Penalties []Component `json:"penalties"`
}

// Validate checks the weights: every weight in [0,1], reward weights sum to
// 1 (±1e-9), known model names.
func (d Definition) Validate() error {
	sum := 0.0
	for _, c := range d.Rewards {
		if !knownModel(c.Model) || c.Model == ModelStreaming {
			return fmt.Errorf("rewards: unknown reward model %q", c.Model)
		}
		if !(c.Weight >= 0 && c.Weight <= 1) {
			return fmt.Errorf("rewards: weight %v of %s outside [0,1]", c.Weight, c.Model)
		}
		sum += c.Weight
	}
	if math.Abs(sum-1) > 1e-9 {
		return fmt.Errorf("rewards: reward weights sum to %v, want 1", sum)
	}
	for _, c := range d.Penalties {
		if !knownModel(c.Model) {
			return fmt.Errorf("rewards: unknown penalty model %q", c.Model)
		}
		if !(c.Weight >= 0 && c.Weight <= 1) {
			return fmt.Errorf("rewards: penalty weight %v of %s outside [0,1]", c.Weight, c.Model)
		}
	}
	return nil
}

func knownModel(m string) bool {
	switch m {
	case ModelRouge1, ModelRougeL, ModelRelevance, ModelDate, ModelFloatDiff, ModelOrdinal, ModelDiff, ModelStreaming:
		return true
	}
	return false
}

// Weights of the global streaming penalty and the challenge-overlap
// penalty (v1.1.1+, issue #114).
const (
	StreamingPenaltyWeight = 0.2
	OverlapPenaltyWeight   = 0.5
)

// ForTask returns the v2.5.1 definition of a task (§4.9), with the global
// streaming penalty (weight 0.2) appended to every task. Task names are
// those of package tasks: qa, summarization, date_qa, generic, math,
// translation, sentiment, debugging. Summarization's ROUGE is ROUGE-L and
// date_qa's ROUGE is upstream's default ROUGE-L, as declared (see doc.go).
func ForTask(task string) (Definition, error) {
	var d Definition
	switch task {
	case "qa":
		d = Definition{Rewards: []Component{{ModelRouge1, 0.5}, {ModelRelevance, 0.5}}, Penalties: []Component{{ModelRouge1, OverlapPenaltyWeight}}}
	case "summarization":
		d = Definition{Rewards: []Component{{ModelRougeL, 0.5}, {ModelRelevance, 0.5}}, Penalties: []Component{{ModelRouge1, OverlapPenaltyWeight}}}
	case "date_qa":
		d = Definition{Rewards: []Component{{ModelDate, 0.7}, {ModelRougeL, 0.3}}}
	case "generic":
		d = Definition{Rewards: []Component{{ModelRouge1, 0.25}, {ModelRelevance, 0.75}}, Penalties: []Component{{ModelRouge1, OverlapPenaltyWeight}}}
	case "math":
		d = Definition{Rewards: []Component{{ModelFloatDiff, 1}}}
	case "translation":
		d = Definition{Rewards: []Component{{ModelRouge1, 1}}, Penalties: []Component{{ModelRouge1, 1}}}
	case "sentiment":
		d = Definition{Rewards: []Component{{ModelOrdinal, 1}}}
	case "debugging":
		d = Definition{Rewards: []Component{{ModelDiff, 1}}}
	default:
		return Definition{}, fmt.Errorf("rewards: unknown task %q", task)
	}
	d.Penalties = append(d.Penalties, Component{ModelStreaming, StreamingPenaltyWeight})
	return d, nil
}

// Completion is one miner's answer as the validator received it.
type Completion struct {
	// Text is the accumulated completion ("" for non-responders).
	Text string `json:"text"`
	// ChunkTokens holds the token count of every stream chunk, in order
	// (nil for a non-streamed answer: no streaming penalty).
	ChunkTokens []int `json:"chunk_tokens,omitempty"`
}

// Input is everything one step's scoring needs.
type Input struct {
	Definition  Definition
	Reference   string // the hidden reference answer
	Challenge   string // the text the miners were sent
	Completions []Completion
}

// Result is the score of one completion, with every model's raw value.
type Result struct {
	Total     float64            `json:"total"`
	Rewards   map[string]float64 `json:"rewards"`
	Penalties map[string]float64 `json:"penalties"`
}

// Score scores a batch of completions (§4.1). e is needed only when the
// definition uses ModelRelevance (nil otherwise). Empty completions score 0
// on every model; NaN never escapes (it becomes 0). The only error sources
// are an invalid definition and the embedder.
func Score(ctx context.Context, e embed.Embedder, in Input) ([]Result, error) {
	if err := in.Definition.Validate(); err != nil {
		return nil, err
	}
	n := len(in.Completions)
	texts := make([]string, n)
	for i, c := range in.Completions {
		texts[i] = Sanitize(c.Text, MaxCompletionBytes)
	}
	out := make([]Result, n)
	for i := range out {
		out[i] = Result{Rewards: map[string]float64{}, Penalties: map[string]float64{}}
	}
	for _, c := range in.Definition.Rewards {
		vals, err := modelValues(ctx, e, c.Model, in.Reference, texts, in.Completions)
		if err != nil {
			return nil, err
		}
		for i, v := range vals {
			out[i].Rewards[c.Model] = v
			out[i].Total += c.Weight * v
		}
	}
	for _, c := range in.Definition.Penalties {
		vals, err := modelValues(ctx, e, c.Model, in.Challenge, texts, in.Completions)
		if err != nil {
			return nil, err
		}
		for i, v := range vals {
			out[i].Penalties[c.Model] = v
			out[i].Total *= 1 - c.Weight*v
		}
	}
	for i := range out {
		if math.IsNaN(out[i].Total) || out[i].Total < 0 {
			out[i].Total = 0
		}
	}
	return out, nil
}

func modelValues(ctx context.Context, e embed.Embedder, model, against string, texts []string, cs []Completion) ([]float64, error) {
	vals := make([]float64, len(texts))
	if model == ModelRelevance {
		if e == nil {
			return nil, fmt.Errorf("rewards: relevance needs an embedder")
		}
		return Relevance(ctx, e, against, texts)
	}
	for i, t := range texts {
		var v float64
		switch model {
		case ModelStreaming:
			v = StreamingPenalty(cs[i].ChunkTokens)
		case ModelRouge1:
			v = Rouge1F(against, t)
		case ModelRougeL:
			v = RougeLF(against, t)
		case ModelDate:
			v = DateScore(against, t)
		case ModelFloatDiff:
			v = FloatDiff(against, t)
		case ModelOrdinal:
			v = Ordinal(against, t)
		case ModelDiff:
			if t == "" {
				v = 0 // difflib would give 0 too unless both are empty
			} else {
				v = DiffRatio(against, t)
			}
		}
		if math.IsNaN(v) {
			v = 0
		}
		vals[i] = v
	}
	return vals, nil
}

// Relevance is the semantic-similarity reward (§4.3): for each completion,
// cos(E(ref), E(c)) − cos(E(ref), E("")), clipped to [0, 1]. Empty
// completions score 0 without being embedded. All texts go to the embedder
// in one batch.
func Relevance(ctx context.Context, e embed.Embedder, reference string, completions []string) ([]float64, error) {
	batch := []string{Sanitize(reference, MaxCompletionBytes), ""}
	idx := make([]int, len(completions))
	for i, c := range completions {
		if c == "" {
			idx[i] = -1
			continue
		}
		idx[i] = len(batch)
		batch = append(batch, Sanitize(c, MaxCompletionBytes))
	}
	vecs, err := e.Embed(ctx, batch)
	if err != nil {
		return nil, fmt.Errorf("rewards: relevance: %w", err)
	}
	if len(vecs) != len(batch) {
		return nil, fmt.Errorf("rewards: relevance: embedder returned %d vectors for %d texts", len(vecs), len(batch))
	}
	base := embed.Cosine(vecs[0], vecs[1])
	out := make([]float64, len(completions))
	for i, j := range idx {
		if j < 0 {
			continue
		}
		v := embed.Cosine(vecs[0], vecs[j]) - base
		if v < 0 || math.IsNaN(v) {
			v = 0
		}
		if v > 1 {
			v = 1
		}
		out[i] = v
	}
	return out, nil
}

// Streaming penalty constants (v2.4+, PR #234).
const (
	StreamingChunkLimit   = 200  // tokens per chunk before a chunk is penalised
	StreamingChunkPenalty = 0.25 // added per oversized chunk, capped at 1
)

// StreamingPenalty is 0.25 per chunk above 200 tokens, capped at 1.
func StreamingPenalty(chunkTokens []int) float64 {
	p := 0.0
	for _, n := range chunkTokens {
		if n > StreamingChunkLimit {
			p += StreamingChunkPenalty
			if p >= 1 {
				return 1
			}
		}
	}
	return p
}

// ChallengeOverlap is the echo penalty value: ROUGE-1 F between the
// challenge and the completion (weighted by OverlapPenaltyWeight in ForTask).
func ChallengeOverlap(challenge, completion string) float64 {
	return Rouge1F(challenge, completion)
}

// ScoreTask scores completions with the ForTask definition of a task: the
// one-call form the validator uses (see Score).
func ScoreTask(ctx context.Context, e embed.Embedder, task, reference, challenge string, completions []Completion) ([]Result, error) {
	d, err := ForTask(task)
	if err != nil {
		return nil, err
	}
	return Score(ctx, e, Input{Definition: d, Reference: reference, Challenge: challenge, Completions: completions})
}

// ChunkTokens counts the tokens of each received stream chunk with the
// validator's tokenizer (count), for Completion.ChunkTokens.
func ChunkTokens(chunks []string, count func(string) int) []int {
	out := make([]int, len(chunks))
	for i, c := range chunks {
		out[i] = count(c)
	}
	return out
}

// Best returns the index of the highest total (the first one on ties), or
// -1 when no result scores above 0: the completion a validator publishes
// in its dataset feed and may accept into a follow-up turn.
func Best(results []Result) int {
	best, top := -1, 0.0
	for i, r := range results {
		if r.Total > top {
			best, top = i, r.Total
		}
	}
	return best
}
