package evaluate

import (
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"

	"github.com/taonet/taonet/lm/model"
	"github.com/taonet/taonet/lm/tokenizer"
	"github.com/taonet/taonet/lm/train"
	"github.com/taonet/taonet/subnets/finetuning/competition"
	"github.com/taonet/taonet/subnets/finetuning/data"
)

// Rejection is a model that breaks a competition rule; Reason says which.
type Rejection struct{ Reason string }

func (r *Rejection) Error() string { return "model rejected: " + r.Reason }

func reject(format string, args ...any) error {
	return &Rejection{Reason: fmt.Sprintf(format, args...)}
}

// IsRejection reports whether err is a rule violation (as opposed to an I/O
// or transient failure).
func IsRejection(err error) bool {
	var r *Rejection
	return errors.As(err, &r)
}

// CheckConfig checks a model directory's config.json and tokenizer.json
// against competition k with tokenizer tok, without loading the weights.
func CheckConfig(dir string, k *competition.Competition, tok *tokenizer.Tokenizer) (model.Config, error) {
	raw, err := os.ReadFile(filepath.Join(dir, model.ConfigFile))
	if err != nil {
		return model.Config{}, reject("no config.json: %v", err)
	}
	if len(raw) > 1<<20 {
		return model.Config{}, reject("config.json is %d bytes", len(raw))
	}
	cfg, err := model.ParseConfig(raw)
	if err != nil {
		return model.Config{}, reject("config.json: %v", err)
	}
	if !slices.Contains(k.Architectures, string(cfg.Arch)) {
		return cfg, reject("architecture %s not allowed in competition %s (allowed %v)", cfg.Arch, k.ID, k.Architectures)
	}
	n := cfg.NumParams()
	if n > k.MaxParams {
		return cfg, reject("%d parameters exceed the maximum %d", n, k.MaxParams)
	}
	if n < k.MinParams {
		return cfg, reject("%d parameters below the minimum %d", n, k.MinParams)
	}
	if cfg.VocabSize < tok.VocabSize() {
		return cfg, reject("vocab_size %d smaller than the competition tokenizer's %d", cfg.VocabSize, tok.VocabSize())
	}
	// Every architecture: the LM engine refuses sequences longer than
	// max_position_embeddings, so a short model would only fail at scoring.
	if cfg.MaxPos < k.SequenceLength {
		return cfg, reject("%d positions below the competition sequence length %d", cfg.MaxPos, k.SequenceLength)
	}
	tp := filepath.Join(dir, "tokenizer.json")
	if _, err := os.Stat(tp); err == nil {
		mt, err := tokenizer.Load(tp)
		if err != nil {
			return cfg, reject("tokenizer.json: %v", err)
		}
		if competition.TokenizerHash(mt) != competition.TokenizerHash(tok) {
			return cfg, reject("tokenizer.json differs from competition %s's tokenizer", k.ID)
		}
	}
	return cfg, nil
}

// Load checks and loads a model for competition k: CheckConfig, then the
// weights (model.Load rejects missing, misshapen and non-finite tensors),
// then CheckNorms.
func Load(dir string, k *competition.Competition, tok *tokenizer.Tokenizer) (*model.Model, error) {
	if _, err := CheckConfig(dir, k, tok); err != nil {
		return nil, err
	}
	m, err := model.LoadInference(dir)
	if err != nil {
		return nil, reject("weights: %v", err)
	}
	if err := CheckNorms(m, k); err != nil {
		m.Close()
		return nil, err
	}
	return m, nil
}

var layerIndex = regexp.MustCompile(`\.(h|layers)\.[0-9]+\.`)

// CheckNorms is the weight-norm sanity check (spec §2.3): every per-layer
// matrix's Frobenius norm must be ≤ NormHard, and the mean over matrix kinds
// (c_attn, q_proj, mlp.c_fc, ...) of the share of layers whose norm exceeds
// NormSoft must be ≤ NormSoftShare. It also rejects non-finite values.
func CheckNorms(m *model.Model, k *competition.Competition) error {
	nc := newNormCheck(k)
	if err := m.EachTensor(nc.add); err != nil {
		return err
	}
	return nc.result()
}

// CheckWeights runs CheckNorms' checks on a model directory's weight files
// one tensor at a time, without loading the model (for backends that run
// the model elsewhere). Missing or misshapen tensors are rejections too.
func CheckWeights(dir string, k *competition.Competition) error {
	nc := newNormCheck(k)
	err := model.VisitWeights(dir, nc.add)
	if err != nil && !IsRejection(err) {
		return reject("weights: %v", err)
	}
	if err != nil {
		return err
	}
	return nc.result()
}

// normCheck accumulates the norm rules over tensors in the model's order.
type normCheck struct {
	k    *competition.Competition
	over map[string][2]int // kind -> {layers over soft, layers}
}

func newNormCheck(k *competition.Competition) *normCheck {
	return &normCheck{k: k, over: map[string][2]int{}}
}

func (c *normCheck) add(in model.ParamInfo, t []float32) error {
	var ss float64
	for _, v := range t {
		ss += float64(v) * float64(v)
	}
	if math.IsNaN(ss) || math.IsInf(ss, 0) {
		return reject("tensor %s has non-finite values", in.Name)
	}
	if len(in.Shape) != 2 || !layerIndex.MatchString(in.Name) {
		return nil
	}
	norm := math.Sqrt(ss)
	if norm > c.k.NormHard {
		return reject("tensor %s norm %.1f exceeds %.0f", in.Name, norm, c.k.NormHard)
	}
	kind := layerIndex.ReplaceAllString(in.Name, ".$1.*.")
	o := c.over[kind]
	if norm > c.k.NormSoft {
		o[0]++
	}
	o[1]++
	c.over[kind] = o
	return nil
}

func (c *normCheck) result() error {
	if len(c.over) == 0 {
		return nil
	}
	kinds := make([]string, 0, len(c.over))
	for kd := range c.over {
		kinds = append(kinds, kd)
	}
	sort.Strings(kinds)
	var mean float64
	for _, kd := range kinds {
		mean += float64(c.over[kd][0]) / float64(c.over[kd][1])
	}
	mean /= float64(len(kinds))
	if mean > c.k.NormSoftShare {
		return reject("mean share %.3f of layer matrices with norm above %.0f exceeds %.3f", mean, c.k.NormSoft, c.k.NormSoftShare)
	}
	return nil
}

// Batch is a step's evaluation data, tokenized once for all models.
type Batch struct {
	Samples []data.Sample  // the samples kept (encodable), in evaluation order
	Encoded []model.Sample // their tokens with the response mask
	Tokens  int            // total tokens
}

// Encode tokenizes samples with the competition's chat family, truncated to
// its sequence length. Samples that encode to no prompt or no response token
// are dropped (deterministically, so every validator drops the same ones).
func Encode(samples []data.Sample, k *competition.Competition, tok *tokenizer.Tokenizer) Batch {
	var b Batch
	for _, s := range samples {
		e, err := train.EncodeExample(tok, k.ChatFamily, train.Example{Prompt: s.Prompt, Response: s.Response}, k.SequenceLength)
		if err != nil {
			continue
		}
		b.Samples = append(b.Samples, s)
		b.Encoded = append(b.Encoded, e)
		b.Tokens += len(e.Tokens)
	}
	return b
}

// Losses returns the mean response-token NLL of each sample under m. A
// failure of the whole computation is returned as an error; callers score
// the model with InfLosses.
func Losses(m *model.Model, b Batch, batch int) ([]float64, error) {
	if len(b.Encoded) == 0 {
		return nil, nil
	}
	for i, s := range b.Encoded {
		for _, id := range s.Tokens {
			if id < 0 || id >= m.Config.VocabSize {
				return nil, fmt.Errorf("sample %d: token %d outside the model's vocabulary", i, id)
			}
		}
	}
	return m.SampleLosses(b.Encoded, batch)
}

// InfLosses is the score of a failed model: +Inf on each of n samples.
func InfLosses(n int) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = math.Inf(1)
	}
	return out
}

// Mean is the mean of finite losses (NaN if none), for logs.
func Mean(l []float64) float64 {
	var s float64
	n := 0
	for _, v := range l {
		if !math.IsInf(v, 0) && !math.IsNaN(v) {
			s += v
			n++
		}
	}
	if n == 0 {
		return math.NaN()
	}
	return s / float64(n)
}
