package crosstarget

import (
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"

	"github.com/taonet/taonet/lm/detmath"
	"github.com/taonet/taonet/lm/kernels"
	"github.com/taonet/taonet/lm/model"
	"github.com/taonet/taonet/lm/train"
)

// dumper writes named sections of values as hexadecimal bit patterns, one a
// line, so that two dumps compare exactly and a difference can be located.
// Section names are "group:name"; the group is "math" or the matrix-multiply
// kernel the values were computed with.
type dumper struct {
	w   io.Writer
	err error
}

func (d *dumper) f32(name string, v []float32) {
	d.printf("section %s %d\n", name, len(v))
	for _, x := range v {
		d.printf("%08x\n", math.Float32bits(x))
	}
}

func (d *dumper) f64(name string, v []float64) {
	d.printf("section %s %d\n", name, len(v))
	for _, x := range v {
		d.printf("%016x\n", math.Float64bits(x))
	}
}

func (d *dumper) printf(format string, args ...any) {
	if d.err == nil {
		_, d.err = fmt.Fprintf(d.w, format, args...)
	}
}

// dumpAll writes every section: the deterministic math functions once, then
// the model results under each matrix-multiply kernel this CPU offers (only
// the default one when onlyDefault is set).
func dumpAll(w io.Writer, testdata string, onlyDefault bool) error {
	d := &dumper{w: w}
	dumpMath(d)
	kernels.SetImpl("")
	defer kernels.SetImpl("")
	def := kernels.Impl()
	for _, impl := range []string{"avx512", "avx2", "neon", "go"} {
		if kernels.SetImpl(impl) != nil || (onlyDefault && impl != def) {
			continue
		}
		if err := dumpModels(d, impl, testdata); err != nil {
			return err
		}
	}
	return d.err
}

func dumpMath(d *dumper) {
	fns := []struct {
		name   string
		f      func(float64) float64
		lo, hi float64
	}{
		{"exp", detmath.Exp, -100, 100}, {"expm1", detmath.Expm1, -2, 2}, {"log", detmath.Log, 1e-6, 1e6},
		{"sin", detmath.Sin, -2e5, 2e5}, {"cos", detmath.Cos, -2e5, 2e5}, {"tanh", detmath.Tanh, -10, 10},
		{"erf", detmath.Erf, -7, 7}, {"erfc", detmath.Erfc, 0, 10},
		{"pow", func(x float64) float64 { return detmath.Pow(10000, x) }, -1, 1},
	}
	r := rand.New(rand.NewPCG(11, 12))
	for _, fn := range fns {
		out := make([]float64, 2000)
		for i := range out {
			out[i] = fn.f(fn.lo + float64((fn.hi-fn.lo)*r.Float64()))
		}
		d.f64("math:"+fn.name, out)
	}
}

// randomModel builds a small model whose weights come from integer arithmetic
// only (not InitRandom, whose normal sampler calls math.Exp and math.Log).
func randomModel(c model.Config, seed uint64) (*model.Model, error) {
	m, err := model.New(c)
	if err != nil {
		return nil, err
	}
	r := rand.New(rand.NewPCG(seed, 99))
	for i := range m.Params {
		m.Params[i] = float32(float32(int32(r.Uint32()>>8)-1<<23) * 0x1p-28) // uniform in ±1/32
	}
	for _, in := range m.Infos {
		if len(in.Shape) == 1 {
			t := m.Params[in.Offset : in.Offset+in.Size]
			for i := range t {
				t[i] += 1 // norm weights near 1 (biases too, harmless)
			}
		}
	}
	return m, nil
}

func dumpModels(d *dumper, impl, testdata string) error {
	// Every causal fixture of lm/testdata (new architectures are covered as
	// soon as their fixture lands).
	dirs, err := os.ReadDir(testdata)
	if err != nil {
		return err
	}
	for _, e := range dirs {
		if !e.IsDir() || e.Name() == "bert" {
			continue
		}
		m, err := model.Load(filepath.Join(testdata, e.Name()))
		if err != nil {
			return err
		}
		if err := dumpCausal(d, impl+":"+e.Name(), m); err != nil {
			return fmt.Errorf("%s: %w", e.Name(), err)
		}
	}
	// Wider than the fixtures (every vector path and Sgemm tile shape runs)
	// and longer than one causal attention block (64 queries), but small
	// enough for qemu.
	gpt := model.Config{Arch: model.GPT2, VocabSize: 97, Hidden: 32, Layers: 2, Heads: 4, KVHeads: 4, HeadDim: 8,
		FFN: 72, MaxPos: 72, NormEps: 1e-5, TieEmbeddings: true, BOS: 0, EOS: 0, Pad: -1}
	llama := model.Config{Arch: model.Llama, VocabSize: 97, Hidden: 32, Layers: 2, Heads: 4, KVHeads: 2, HeadDim: 8,
		FFN: 72, MaxPos: 72, NormEps: 1e-5, RopeTheta: 500000, BOS: 1, EOS: 2, Pad: -1,
		RopeScaling: &model.RopeScaling{Type: "llama3", Factor: 8, LowFreqFactor: 1, HighFreqFactor: 4, OriginalMaxPos: 32}}
	for i, c := range []model.Config{gpt, llama} {
		m, err := randomModel(c, uint64(i+1))
		if err != nil {
			return err
		}
		if err := dumpCausal(d, fmt.Sprintf("%s:random-%s", impl, c.Arch), m); err != nil {
			return err
		}
	}
	bert, err := model.Load(filepath.Join(testdata, "bert"))
	if err != nil {
		return err
	}
	seqs := [][]int{{2, 17, 33, 5, 9, 3}, {2, 40, 3}, {2, 8, 8, 61, 12, 19, 25, 7, 3}}
	for _, pool := range []model.Pooling{model.PoolMean, model.PoolCLS} {
		emb, err := bert.Embed(seqs, pool, true)
		if err != nil {
			return err
		}
		var flat []float32
		for _, e := range emb {
			flat = append(flat, e...)
		}
		d.f32(fmt.Sprintf("%s:bert/embed-%s", impl, pool), flat)
	}
	return nil
}

// dumpCausal writes per-token log-probabilities, per-sample losses, and the
// parameters after two clipped AdamW steps with a cosine schedule.
func dumpCausal(d *dumper, name string, m *model.Model) error {
	c := m.Config
	B, T := 2, min(c.MaxPos, 72)
	tokens, targets := make([]int, B*T), make([]int, B*T)
	for i := range tokens {
		tokens[i] = (i*37 + 11) % c.VocabSize
		targets[i] = (i*23 + 5) % c.VocabSize
		if i%7 == 3 {
			targets[i] = -1
		}
	}
	nll, err := m.TokenNLL(tokens, targets, B, T)
	if err != nil {
		return err
	}
	for i := range nll {
		nll[i] = -nll[i]
	}
	d.f32(name+"/logprobs", nll)
	var samples []model.Sample
	for s := 0; s < 4; s++ {
		n := 3 + s*(T-3)/4
		smp := model.Sample{Tokens: make([]int, n), Mask: make([]bool, n)}
		for i := range smp.Tokens {
			smp.Tokens[i] = (i*13 + s*5 + 1) % c.VocabSize
			smp.Mask[i] = i >= n/3
		}
		samples = append(samples, smp)
	}
	losses, err := m.SampleLosses(samples, 2)
	if err != nil {
		return err
	}
	d.f64(name+"/sample-losses", losses)
	opt := train.NewAdamW(0.1)
	sched := train.Schedule{Peak: 3e-3, Min: 3e-4, Warmup: 1, Total: 10}
	for step := 0; step < 2; step++ {
		m.ZeroGrads()
		loss, _, err := m.ForwardBackward(tokens, targets, B, T, 1)
		if err != nil && strings.Contains(err.Error(), "not supported") {
			return nil // an architecture with forward passes only (yet)
		}
		if err != nil {
			return err
		}
		norm := train.ClipGradNorm(m, 0.5)
		opt.Step(m, sched.LR(step+2))
		d.f64(fmt.Sprintf("%s/train-step%d/loss-norm", name, step), []float64{loss, norm})
	}
	d.f32(name+"/train-params", m.Params)
	return nil
}

func math32frombits(b uint32) float32 { return math.Float32frombits(b) }
func math64frombits(b uint64) float64 { return math.Float64frombits(b) }
