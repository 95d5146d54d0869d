package competition

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDefaultValid(t *testing.T) {
	c := Default()
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	k, _ := c.Competition("g1")
	tok, err := c.LoadTokenizer(k)
	if err != nil {
		t.Fatal(err)
	}
	if tok.VocabSize() != 50257 {
		t.Fatalf("vocab %d", tok.VocabSize())
	}
	// Round trip through JSON.
	c2, err := Parse(c.JSON(), "")
	if err != nil {
		t.Fatal(err)
	}
	if c2.Competitions[0].Epsilon != c.Competitions[0].Epsilon || c2.AggregateSeeds != c.AggregateSeeds {
		t.Fatalf("json round trip %+v", c2)
	}
}

func TestEpsilonSchedules(t *testing.T) {
	lin := Epsilon{Kind: "linear", Start: 0.05, End: 0.01, Blocks: 36000}
	cases := []struct {
		cur, block uint64
		want       float64
	}{
		{100, 100, 0.05},
		{50, 100, 0.05},     // clock before the commit: no decay
		{18100, 100, 0.03},  // spec §3.1 example
		{36100, 100, 0.01},  // fully decayed
		{999999, 100, 0.01}, // stays at end
	}
	for _, tc := range cases {
		if got := lin.At(tc.cur, tc.block); math.Abs(got-tc.want) > 1e-12 {
			t.Errorf("linear At(%d,%d) = %v want %v", tc.cur, tc.block, got, tc.want)
		}
	}
	if got := (Epsilon{Kind: "fixed", Value: 0.01}).At(5, 1); got != 0.01 {
		t.Fatalf("fixed %v", got)
	}
}

const tomlCfg = `
data_window = 100
step_interval = 10
weights_interval = 10
aggregate_seeds = 3

[[competition]]
id = "a1"
architectures = ["gpt2"]
max_params = 1000000
max_bytes = 10000000
tokenizer = "gpt2"
chat_family = "gpt2"
sequence_length = 64
temperature = 0.08
reward_share = 0.6
eval_samples = 10
norm_hard = 1000
norm_soft = 200
norm_soft_share = 0.15
[competition.epsilon]
kind = "linear"
start = 0.05
end = 0.01
blocks = 7200

[[competition]]
id = "b2"
architectures = ["llama", "gpt2"]
max_params = 2000000
max_bytes = 10000000
tokenizer = "gpt2"
chat_family = "llama"
sequence_length = 64
temperature = 0.01
reward_share = 0.4
eval_samples = 10
norm_hard = 1000
norm_soft = 200
norm_soft_share = 0.15
epsilon = { kind = "fixed", value = 0.005 }
`

func TestTOML(t *testing.T) {
	p := filepath.Join(t.TempDir(), "c.toml")
	os.WriteFile(p, []byte(tomlCfg), 0o644)
	c, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Competitions) != 2 || c.Competitions[0].Epsilon.Blocks != 7200 || c.Shares()["b2"] != 0.4 {
		t.Fatalf("%+v", c)
	}
	if c.SeedBlock(57) != 50 || c.SeedBlock(60) != 60 {
		t.Fatal("seed block")
	}
}

func TestRejects(t *testing.T) {
	cases := []struct {
		edit func(s string) string
		want string
	}{
		{func(s string) string { return strings.Replace(s, "reward_share = 0.4", "reward_share = 0.5", 1) }, "sum to 1.1"},
		{func(s string) string { return strings.Replace(s, `id = "b2"`, `id = "a1"`, 1) }, "appears twice"},
		{func(s string) string { return strings.Replace(s, `id = "b2"`, `id = "B22"`, 1) }, "competition id"},
		{func(s string) string { return strings.Replace(s, `["llama", "gpt2"]`, `["bert"]`, 1) }, `architecture "bert"`},
		{func(s string) string { return strings.Replace(s, "end = 0.01", "end = 0.06", 1) }, "above start"},
		{func(s string) string { return strings.Replace(s, `kind = "fixed"`, `kind = "exp"`, 1) }, "want fixed or linear"},
		{func(s string) string { return strings.Replace(s, "temperature = 0.01", "temperature = 0", 1) }, "temperature"},
		{func(s string) string { return strings.Replace(s, "aggregate_seeds = 3", "aggregate_seeds = 0", 1) }, "aggregate_seeds 0 outside"},
		{func(s string) string {
			return strings.Replace(s, "aggregate_seeds = 3", "aggregate_seeds = 3\nbogus = 1", 1)
		}, "unknown keys bogus"},
		{func(s string) string {
			return strings.Replace(s, "aggregate_seeds = 3", "aggregate_seeds = 3\nalpha = 0.9", 1)
		}, "replaced by aggregate_seeds"},
		{func(s string) string { return strings.Replace(s, "sequence_length = 64", "sequence_length = 1", 1) }, "sequence_length"},
		{func(s string) string { return strings.Replace(s, "step_interval = 10", "step_interval = 0", 1) }, "step_interval"},
		{func(s string) string { return s + "\n[[[" }, "TOML"},
	}
	for _, tc := range cases {
		_, err := Parse([]byte(tc.edit(tomlCfg)), "")
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("want %q, got %v", tc.want, err)
		}
	}
	if _, err := Parse([]byte(`{"competitions": [], "x": 1}`), ""); err == nil || !strings.Contains(err.Error(), "unknown field") {
		t.Errorf("json unknown field: %v", err)
	}
}

func TestTokenizerPin(t *testing.T) {
	c := Default()
	k := &c.Competitions[0]
	k.TokenizerSHA256 = strings.Repeat("0", 64)
	if _, err := c.LoadTokenizer(k); err == nil || !strings.Contains(err.Error(), "config pins") {
		t.Fatalf("pin mismatch accepted: %v", err)
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(tomlCfg))
	f.Add(Default().JSON())
	f.Add([]byte("{}"))
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := Parse(b, "")
		if err != nil {
			return
		}
		if err := c.Validate(); err != nil {
			t.Fatalf("accepted invalid config: %v", err)
		}
	})
}

func TestByteTokenizer(t *testing.T) {
	tok, err := ByteTokenizer()
	if err != nil {
		t.Fatal(err)
	}
	if tok.VocabSize() != 257 {
		t.Fatalf("vocab %d", tok.VocabSize())
	}
	text := "Hello, wörld!\n\t<|endoftext|>"
	ids := tok.EncodeOrdinary(text)
	if len(ids) != len(text) || tok.Decode(ids) != text {
		t.Fatalf("round trip %v %q", ids, tok.Decode(ids))
	}
	for i, id := range ids {
		if id != int(text[i]) {
			t.Fatalf("id %d != byte %d", id, text[i])
		}
	}
	if eos, ok := tok.EOS(); !ok || eos != 256 {
		t.Fatalf("eos %d", eos)
	}
	// The canonical hash is stable (part of competition identity).
	c := Default()
	c.Competitions[0].Tokenizer = ByteTokenizerName
	c.Competitions[0].TokenizerSHA256 = TokenizerHash(tok)
	if _, err := c.LoadTokenizer(&c.Competitions[0]); err != nil {
		t.Fatal(err)
	}
}

func TestExampleConfig(t *testing.T) {
	c, err := Load("testdata/localnet-bytes.toml")
	if err != nil {
		t.Fatal(err)
	}
	k, _ := c.Competition("b1")
	tok, err := c.LoadTokenizer(k)
	if err != nil || tok.VocabSize() != 257 || math.Abs(k.Epsilon.At(3600, 0)-0.03) > 1e-12 {
		t.Fatalf("%v %v", err, k.Epsilon.At(3600, 0))
	}
}
