package train

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/taonet/taonet/lm/model"
)

// Options configure a fine-tuning run.
type Options struct {
	Steps       int     // optimizer steps
	Batch       int     // sequences per micro-batch
	Accum       int     // micro-batches per optimizer step (gradient accumulation)
	LR, MinLR   float64 // peak and final learning rate of the cosine schedule
	Warmup      int     // linear warmup steps
	WeightDecay float64 // AdamW decoupled weight decay on matrices
	Beta1       float64 // AdamW β1 (0 → 0.9)
	Beta2       float64 // AdamW β2 (0 → 0.95)
	ClipNorm    float64 // global gradient-norm clip (0 → none)
	Seed        uint64  // data order
	// OutDir, when set, receives HF-layout checkpoints every CheckpointEvery
	// steps (0 → only at the end) and after the last step.
	OutDir          string
	CheckpointEvery int
	// OnCheckpoint, when set, runs after each checkpoint (e.g. to copy the tokenizer).
	OnCheckpoint func(dir string) error
}

// Progress reports one finished optimizer step.
type Progress struct {
	Step, Steps int
	Loss        float64 // mean loss over the step's micro-batches
	LR          float64
	GradNorm    float64 // before clipping
	Tokens      int     // scored (response) tokens this step
	SeqTokens   int     // tokens run through the model this step, padding excluded
}

func (o *Options) defaults() error {
	if o.Steps <= 0 {
		return fmt.Errorf("train: steps must be positive, got %d", o.Steps)
	}
	if o.Batch <= 0 {
		o.Batch = 1
	}
	if o.Accum <= 0 {
		o.Accum = 1
	}
	if o.Beta1 == 0 {
		o.Beta1 = 0.9
	}
	if o.Beta2 == 0 {
		o.Beta2 = 0.95
	}
	if !(o.LR > 0) || math.IsInf(o.LR, 0) {
		return fmt.Errorf("train: learning rate must be positive, got %v", o.LR)
	}
	if o.MinLR < 0 || o.MinLR > o.LR {
		return fmt.Errorf("train: min learning rate %v outside [0, %v]", o.MinLR, o.LR)
	}
	if o.Warmup < 0 {
		return fmt.Errorf("train: warmup must not be negative")
	}
	return nil
}

// Train fine-tunes m on samples (loss on each sample's masked tokens only)
// with AdamW, the warmup + cosine schedule, gradient clipping and
// accumulation. The data order is a seeded shuffle, reshuffled every epoch, so
// a run is reproducible. onStep (may be nil) is called after every step.
func Train(ctx context.Context, m *model.Model, samples []model.Sample, o Options, onStep func(Progress)) error {
	if err := o.defaults(); err != nil {
		return err
	}
	if len(samples) == 0 {
		return fmt.Errorf("train: no samples")
	}
	for i, s := range samples {
		if len(s.Tokens) != len(s.Mask) || len(s.Tokens) < 2 {
			return fmt.Errorf("train: sample %d malformed", i)
		}
	}
	sched := Schedule{Peak: o.LR, Min: o.MinLR, Warmup: o.Warmup, Total: o.Steps}
	opt := NewAdamW(o.WeightDecay)
	opt.Beta1, opt.Beta2 = o.Beta1, o.Beta2
	order := newOrder(len(samples), o.Seed)
	maxT := m.Config.MaxPos
	m.AllocGrads()
	for step := 0; step < o.Steps; step++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		m.ZeroGrads()
		p := Progress{Step: step + 1, Steps: o.Steps, LR: sched.LR(step)}
		for a := 0; a < o.Accum; a++ {
			batch := make([]model.Sample, o.Batch)
			for i := range batch {
				batch[i] = samples[order.next()]
			}
			tokens, targets, B, T, seqTok := collate(batch, maxT)
			loss, n, err := m.ForwardBackward(tokens, targets, B, T, 1/float32(o.Accum))
			if err != nil {
				return fmt.Errorf("train: step %d: %w", step+1, err)
			}
			p.Loss += loss / float64(o.Accum)
			p.Tokens += n
			p.SeqTokens += seqTok
		}
		p.GradNorm = ClipGradNorm(m, o.ClipNorm)
		if math.IsNaN(p.GradNorm) || math.IsInf(p.GradNorm, 0) {
			return fmt.Errorf("train: step %d: non-finite gradient norm", step+1)
		}
		opt.Step(m, p.LR)
		if onStep != nil {
			onStep(p)
		}
		last := step+1 == o.Steps
		if o.OutDir != "" && (last || (o.CheckpointEvery > 0 && (step+1)%o.CheckpointEvery == 0)) {
			if err := m.Save(o.OutDir); err != nil {
				return err
			}
			if o.OnCheckpoint != nil {
				if err := o.OnCheckpoint(o.OutDir); err != nil {
					return err
				}
			}
		}
	}
	m.ReleaseBuffers()
	return nil
}

// collate right-pads a micro-batch into B×T tokens with next-token targets on
// the masked positions (-1 elsewhere). T is rounded up to a multiple of 16
// (capped at maxT) so activation buffers are reused across steps.
func collate(batch []model.Sample, maxT int) (tokens, targets []int, B, T, seqTokens int) {
	for _, s := range batch {
		T = max(T, len(s.Tokens))
		seqTokens += len(s.Tokens)
	}
	T = max(T, min((T+15)/16*16, maxT))
	B = len(batch)
	tokens, targets = make([]int, B*T), make([]int, B*T)
	for b, s := range batch {
		for t := 0; t < T; t++ {
			targets[b*T+t] = -1
			if t < len(s.Tokens) {
				tokens[b*T+t] = s.Tokens[t]
			}
			if t+1 < len(s.Tokens) && s.Mask[t+1] {
				targets[b*T+t] = s.Tokens[t+1]
			}
		}
	}
	return tokens, targets, B, T, seqTokens
}

// order yields sample indices in a seeded shuffle, reshuffled each epoch.
type order struct {
	perm []int
	pos  int
	rng  *rand.Rand
}

func newOrder(n int, seed uint64) *order {
	o := &order{perm: make([]int, n), rng: rand.New(rand.NewPCG(seed, 0x747261696e))}
	for i := range o.perm {
		o.perm[i] = i
	}
	o.shuffle()
	return o
}

func (o *order) shuffle() {
	o.rng.Shuffle(len(o.perm), func(i, j int) { o.perm[i], o.perm[j] = o.perm[j], o.perm[i] })
	o.pos = 0
}

func (o *order) next() int {
	if o.pos == len(o.perm) {
		o.shuffle()
	}
	o.pos++
	return o.perm[o.pos-1]
}
