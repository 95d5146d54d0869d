package competition

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/BurntSushi/toml"

	"github.com/taonet/taonet/lm/model"
	"github.com/taonet/taonet/lm/tokenizer"
	"github.com/taonet/taonet/subnets/finetuning/modelid"
)

// Epsilon is the earlier-commit advantage schedule (taoverse epsilon
// functions): Kind "fixed" uses Value; Kind "linear" decays from Start to End
// over Blocks blocks after the earlier model's commit.
type Epsilon struct {
	Kind   string  `json:"kind" toml:"kind"`
	Value  float64 `json:"value,omitempty" toml:"value,omitempty"`
	Start  float64 `json:"start,omitempty" toml:"start,omitempty"`
	End    float64 `json:"end,omitempty" toml:"end,omitempty"`
	Blocks uint64  `json:"blocks,omitempty" toml:"blocks,omitempty"`
}

// At returns epsilon at block cur for a model committed at block modelBlock:
// fixed → Value; linear → Start − min(max(cur − modelBlock, 0)/Blocks, 1)·(Start − End).
func (e Epsilon) At(cur, modelBlock uint64) float64 {
	if e.Kind != "linear" {
		return e.Value
	}
	var age uint64
	if cur > modelBlock {
		age = cur - modelBlock
	}
	f := min(float64(age)/float64(e.Blocks), 1)
	return e.Start - float64(f*(e.Start-e.End)) // rounded: never fused into an FMA
}

func (e Epsilon) validate() error {
	in01 := func(name string, v float64) error {
		if math.IsNaN(v) || v < 0 || v >= 1 {
			return fmt.Errorf("epsilon %s %v outside [0, 1)", name, v)
		}
		return nil
	}
	switch e.Kind {
	case "fixed":
		return in01("value", e.Value)
	case "linear":
		if err := in01("start", e.Start); err != nil {
			return err
		}
		if err := in01("end", e.End); err != nil {
			return err
		}
		if e.End > e.Start {
			return fmt.Errorf("epsilon end %v above start %v", e.End, e.Start)
		}
		if e.Blocks == 0 {
			return errors.New("linear epsilon needs blocks > 0")
		}
		return nil
	}
	return fmt.Errorf("epsilon kind %q: want fixed or linear", e.Kind)
}

// Competition is one competition's rules.
type Competition struct {
	ID            string   `json:"id" toml:"id"`                       // 1–2 chars [a-z0-9], the commitment's last field
	Architectures []string `json:"architectures" toml:"architectures"` // allowed model_type values (gpt2, llama)
	MinParams     int64    `json:"min_params,omitempty" toml:"min_params,omitempty"`
	MaxParams     int64    `json:"max_params" toml:"max_params"`
	MaxBytes      int64    `json:"max_bytes" toml:"max_bytes"` // revision size limit, checked before download
	// Tokenizer is "gpt2" (the embedded GPT-2 tokenizer), "bytes" (the
	// built-in byte-level tokenizer, ByteTokenizerName) or a tokenizer.json
	// path (relative paths are resolved against the config file's directory).
	Tokenizer string `json:"tokenizer" toml:"tokenizer"`
	// TokenizerSHA256, when set, pins TokenizerHash of the loaded tokenizer.
	TokenizerSHA256 string `json:"tokenizer_sha256,omitempty" toml:"tokenizer_sha256,omitempty"`
	// ChatFamily is the tokenizer.FormatChat template (gpt2, llama).
	ChatFamily     string  `json:"chat_family" toml:"chat_family"`
	SequenceLength int     `json:"sequence_length" toml:"sequence_length"`
	Epsilon        Epsilon `json:"epsilon" toml:"epsilon"`
	Temperature    float64 `json:"temperature" toml:"temperature"`
	RewardShare    float64 `json:"reward_share" toml:"reward_share"`
	EvalSamples    int     `json:"eval_samples" toml:"eval_samples"`
	// Norm sanity (spec §2.3): any layer matrix with Frobenius norm above
	// NormHard rejects; so does an average over matrix kinds of the share of
	// layers above NormSoft exceeding NormSoftShare.
	NormHard      float64 `json:"norm_hard" toml:"norm_hard"`
	NormSoft      float64 `json:"norm_soft" toml:"norm_soft"`
	NormSoftShare float64 `json:"norm_soft_share" toml:"norm_soft_share"`
}

// Config is the finetuning subnet's configuration.
type Config struct {
	Competitions []Competition `json:"competitions" toml:"competition"`
	// DataWindow is how many blocks of data before the seed block are eligible.
	DataWindow uint64 `json:"data_window" toml:"data_window"`
	// StepInterval: the seed block of a step is the latest block whose height
	// is a multiple of it (every validator picks the same samples).
	StepInterval uint64 `json:"step_interval" toml:"step_interval"`
	// WeightsInterval: weights are set at most every this many blocks.
	WeightsInterval uint64 `json:"weights_interval" toml:"weights_interval"`
	// EvalBlockDelay: a commitment is evaluated only this many blocks after
	// it was made (spec §4.6).
	EvalBlockDelay uint64 `json:"eval_block_delay" toml:"eval_block_delay"`
	// AggregateSeeds (K): a competition's weights are the mean of its step
	// weights at its last K seed blocks, so any validator that evaluated
	// those seed blocks sets the same weights (package validator; it
	// replaces upstream's per-validator moving average and top-k re-check).
	AggregateSeeds int `json:"aggregate_seeds" toml:"aggregate_seeds"`
	// VersionKey is sent with set_weights.
	VersionKey uint64 `json:"version_key" toml:"version_key"`

	dir string // directory of the config file, for relative tokenizer paths
}

// Default is a localnet configuration: one competition "g1" for tiny
// GPT-2-style models (≤ 20M parameters, GPT-2 tokenizer, 256 tokens), fixed
// epsilon 0.01, temperature 0.08, 64 samples per step.
func Default() Config {
	return Config{
		Competitions: []Competition{{
			ID:             "g1",
			Architectures:  []string{string(model.GPT2)},
			MaxParams:      20_000_000,
			MaxBytes:       200 << 20,
			Tokenizer:      "gpt2",
			ChatFamily:     tokenizer.FamilyGPT2,
			SequenceLength: 256,
			Epsilon:        Epsilon{Kind: "fixed", Value: 0.01},
			Temperature:    0.08,
			RewardShare:    1,
			EvalSamples:    64,
			NormHard:       1000,
			NormSoft:       200,
			NormSoftShare:  0.15,
		}},
		DataWindow:      3600,
		StepInterval:    20,
		WeightsInterval: 20,
		EvalBlockDelay:  0,
		AggregateSeeds:  4,
		VersionKey:      0,
	}
}

// Validate checks the config; errors name the offending field.
func (c *Config) Validate() error {
	if len(c.Competitions) == 0 {
		return errors.New("competition config: no competitions")
	}
	seen := map[string]bool{}
	var share float64
	for i := range c.Competitions {
		k := &c.Competitions[i]
		if err := k.validate(); err != nil {
			return fmt.Errorf("competition %d (%q): %w", i, k.ID, err)
		}
		if seen[k.ID] {
			return fmt.Errorf("competition id %q appears twice", k.ID)
		}
		seen[k.ID] = true
		share += k.RewardShare
	}
	if math.Abs(share-1) > 1e-9 {
		return fmt.Errorf("reward shares sum to %v, want 1", share)
	}
	switch {
	case c.StepInterval == 0:
		return errors.New("step_interval must be > 0")
	case c.WeightsInterval == 0:
		return errors.New("weights_interval must be > 0")
	case c.DataWindow == 0:
		return errors.New("data_window must be > 0")
	case c.AggregateSeeds <= 0 || c.AggregateSeeds > MaxAggregateSeeds:
		return fmt.Errorf("aggregate_seeds %d outside 1..%d", c.AggregateSeeds, MaxAggregateSeeds)
	}
	return nil
}

func (k *Competition) validate() error {
	if err := modelid.ValidateCompetitionID(k.ID); err != nil {
		return err
	}
	if len(k.Architectures) == 0 {
		return errors.New("architectures: none allowed")
	}
	causal := model.CausalArchs()
	for _, a := range k.Architectures {
		if !slices.Contains(causal, model.Arch(a)) {
			return fmt.Errorf("architecture %q: want a causal LM (%v)", a, causal)
		}
	}
	switch {
	case k.MaxParams <= 0:
		return errors.New("max_params must be > 0")
	case k.MinParams < 0 || k.MinParams > k.MaxParams:
		return fmt.Errorf("min_params %d outside [0, max_params %d]", k.MinParams, k.MaxParams)
	case k.MaxBytes <= 0:
		return errors.New("max_bytes must be > 0")
	case k.Tokenizer == "":
		return errors.New("tokenizer: want \"gpt2\" or a tokenizer.json path")
	case k.SequenceLength < 2:
		return fmt.Errorf("sequence_length %d: want >= 2", k.SequenceLength)
	case !(k.Temperature > 0) || math.IsInf(k.Temperature, 0):
		return fmt.Errorf("temperature %v: want > 0", k.Temperature)
	case !(k.RewardShare > 0) || k.RewardShare > 1:
		return fmt.Errorf("reward_share %v outside (0, 1]", k.RewardShare)
	case k.EvalSamples <= 0:
		return errors.New("eval_samples must be > 0")
	case !(k.NormHard > 0) || !(k.NormSoft > 0) || !(k.NormSoftShare >= 0) || k.NormSoftShare > 1:
		return fmt.Errorf("norm limits hard %v soft %v share %v: want hard, soft > 0 and share in [0, 1]", k.NormHard, k.NormSoft, k.NormSoftShare)
	case k.TokenizerSHA256 != "" && (len(k.TokenizerSHA256) != 64 || strings.Trim(k.TokenizerSHA256, "0123456789abcdef") != ""):
		return fmt.Errorf("tokenizer_sha256 %q: want 64 lowercase hex", k.TokenizerSHA256)
	}
	if err := tokenizer.ValidFamily(k.ChatFamily); err != nil || k.ChatFamily == tokenizer.FamilyBERT {
		return fmt.Errorf("chat_family %q: want gpt2 or llama", k.ChatFamily)
	}
	return k.Epsilon.validate()
}

// Competition returns the competition with id.
func (c *Config) Competition(id string) (*Competition, bool) {
	for i := range c.Competitions {
		if c.Competitions[i].ID == id {
			return &c.Competitions[i], true
		}
	}
	return nil, false
}

// IDs returns the competition ids in config order.
func (c *Config) IDs() []string {
	out := make([]string, len(c.Competitions))
	for i, k := range c.Competitions {
		out[i] = k.ID
	}
	return out
}

// Shares maps competition ids to reward shares.
func (c *Config) Shares() map[string]float64 {
	out := map[string]float64{}
	for _, k := range c.Competitions {
		out[k.ID] = k.RewardShare
	}
	return out
}

// Parse decodes a config from JSON (data starting with '{') or TOML, rejects
// unknown keys, and validates it. dir resolves relative tokenizer paths.
func Parse(data []byte, dir string) (Config, error) {
	var c Config
	if t := bytes.TrimSpace(data); len(t) > 0 && t[0] == '{' {
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&c); err != nil {
			return Config{}, fmt.Errorf("competition config (JSON): %w%s", err, replacedHint(err.Error()))
		}
	} else {
		md, err := toml.Decode(string(data), &c)
		if err != nil {
			return Config{}, fmt.Errorf("competition config (TOML): %w", err)
		}
		if und := md.Undecoded(); len(und) > 0 {
			keys := make([]string, len(und))
			for i, k := range und {
				keys[i] = k.String()
			}
			sort.Strings(keys)
			return Config{}, fmt.Errorf("competition config (TOML): unknown keys %s%s", strings.Join(keys, ", "), replacedHint(strings.Join(keys, " ")))
		}
	}
	c.dir = dir
	if err := c.Validate(); err != nil {
		return Config{}, err
	}
	return c, nil
}

// Load reads a JSON or TOML config file.
func Load(path string) (Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Config{}, err
	}
	c, err := Parse(data, filepath.Dir(path))
	if err != nil {
		return Config{}, fmt.Errorf("%s: %w", path, err)
	}
	return c, nil
}

// TokenizerHash is the identity of a tokenizer: hex sha256 of its canonical
// tokenizer.json encoding (Tokenizer.JSON), independent of file formatting.
func TokenizerHash(t *tokenizer.Tokenizer) string {
	sum := sha256.Sum256(t.JSON())
	return hex.EncodeToString(sum[:])
}

// LoadTokenizer loads the competition's tokenizer and checks its pinned hash.
func (c *Config) LoadTokenizer(k *Competition) (*tokenizer.Tokenizer, error) {
	var t *tokenizer.Tokenizer
	var err error
	switch k.Tokenizer {
	case "gpt2":
		t, err = tokenizer.GPT2()
	case ByteTokenizerName:
		t, err = ByteTokenizer()
	default:
		p := k.Tokenizer
		if !filepath.IsAbs(p) && c.dir != "" {
			p = filepath.Join(c.dir, p)
		}
		t, err = tokenizer.Load(p)
	}
	if err != nil {
		return nil, fmt.Errorf("competition %s: tokenizer: %w", k.ID, err)
	}
	if k.TokenizerSHA256 != "" {
		if h := TokenizerHash(t); h != k.TokenizerSHA256 {
			return nil, fmt.Errorf("competition %s: tokenizer hash %s, config pins %s", k.ID, h, k.TokenizerSHA256)
		}
	}
	return t, nil
}

// SetDir sets the directory relative tokenizer paths resolve against.
func (c *Config) SetDir(dir string) { c.dir = dir }

// JSON encodes the config (indented), e.g. to write a starting file.
func (c Config) JSON() []byte {
	b, _ := json.MarshalIndent(c, "", "  ")
	return append(b, '\n')
}

// SeedBlock is the latest block at or below head whose height is a multiple
// of the step interval: every validator derives the same seed block.
func (c *Config) SeedBlock(head uint64) uint64 { return head - head%c.StepInterval }

// MaxAggregateSeeds bounds aggregate_seeds (the results of that many seed
// blocks per competition are kept on disk and read every step).
const MaxAggregateSeeds = 1000

// replacedHint explains keys of older configs that are gone.
func replacedHint(msg string) string {
	if strings.Contains(msg, "alpha") || strings.Contains(msg, "keep_top") {
		return " (alpha and keep_top were replaced by aggregate_seeds: weights are the mean over the last K seed blocks, the same on every validator)"
	}
	return ""
}
