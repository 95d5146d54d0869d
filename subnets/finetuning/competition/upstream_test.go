package competition

import (
	"math"
	"path/filepath"
	"slices"
	"testing"
)

// TestUpstreamExamples: the example configs in upstream/ load and validate
// and carry the constraints the spec records for the real competitions
// (/work/shared/specs/finetuning-subnet.md §1.5, §2.3, §3.1, §6).
func TestUpstreamExamples(t *testing.T) {
	type want struct {
		archs            []string
		minP, maxP, maxB int64
		seq              int
		eps              Epsilon
		temp, share      float64
	}
	cases := map[string]map[string]want{
		"nous-sn6-v0.2.7.toml": {
			"l3": {[]string{"llama"}, 0, 8 << 30, 15 << 30, 2048, Epsilon{Kind: "fixed", Value: 0.01}, 0.08, 0.6},
			"s1": {[]string{"stablelm"}, 0, 2 << 30, 15 << 30, 2048, Epsilon{Kind: "fixed", Value: 0.01}, 0.08, 0.4},
		},
		"macrocosmos-sn37-v1.2-sn9model.toml": {
			"1": {[]string{"mistral", "llama", "gpt_neox", "gemma"}, 0, 6_900_000_000, 15 << 30, 4096, Epsilon{Kind: "fixed", Value: 0.005}, 0.01, 1},
		},
		"macrocosmos-sn37-v2.6-instruct8b.toml": {
			"3": {[]string{"mistral", "llama", "gpt_neox", "gemma", "gemma2", "phi3"}, 0, 8_100_000_000, 20 << 30, 4096, Epsilon{Kind: "linear", Start: 0.05, End: 0.01, Blocks: 7200 * 5}, 0.01, 1},
		},
	}
	for file, comps := range cases {
		c, err := Load(filepath.Join("upstream", file))
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		if len(c.Competitions) != len(comps) {
			t.Fatalf("%s: %d competitions", file, len(c.Competitions))
		}
		for id, w := range comps {
			k, ok := c.Competition(id)
			if !ok {
				t.Fatalf("%s: no competition %q", file, id)
			}
			if !slices.Equal(k.Architectures, w.archs) || k.MinParams != w.minP || k.MaxParams != w.maxP || k.MaxBytes != w.maxB ||
				k.SequenceLength != w.seq || k.Epsilon != w.eps || k.Temperature != w.temp || k.RewardShare != w.share ||
				k.NormHard != 1000 || k.NormSoft != 200 || k.NormSoftShare != 0.15 {
				t.Errorf("%s %s: %+v", file, id, *k)
			}
		}
	}
	// The spec's worked example of the decaying epsilon.
	c, _ := Load(filepath.Join("upstream", "macrocosmos-sn37-v2.6-instruct8b.toml"))
	if got := c.Competitions[0].Epsilon.At(118000, 100000); math.Abs(got-0.03) > 1e-12 {
		t.Errorf("epsilon 18000 blocks after the commit: %v, want 0.03", got)
	}
}
