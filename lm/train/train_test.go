package train

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/taonet/taonet/lm/model"
	"pgregory.net/rapid"
)

// byteEncoder is a stand-in chat encoder for unit tests of the code around
// tokenization: one token per byte (mod vocab), prompt then " " + response, EOS 0.
type byteEncoder struct{ vocab int }

func (e byteEncoder) EncodeChat(_, prompt, response string) ([]int, int) {
	var ids []int
	for _, b := range []byte(prompt) {
		ids = append(ids, 1+int(b)%(e.vocab-1))
	}
	pl := len(ids)
	for _, b := range []byte(" " + response) {
		ids = append(ids, 1+int(b)%(e.vocab-1))
	}
	return append(ids, 0), pl
}

func TestReadJSONLErrors(t *testing.T) {
	cases := map[string]string{
		`{"prompt":"a","response":"b"}` + "\n" + `{"prompt":1,"response":"b"}`: "line 2: \"prompt\" must be a string",
		`{"prompt":"a"}`: `line 1: missing "response"`,
		`not json`:       "line 1: invalid JSON",
		"\n\n" + `{"prompt":"a","response":"  "}`: "line 3: empty response",
		`[1,2]`: "line 1: invalid JSON",
	}
	for in, want := range cases {
		_, err := ReadJSONL(strings.NewReader(in))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ReadJSONL(%q) = %v, want %q", in, err, want)
		}
	}
	ex, err := ReadJSONL(strings.NewReader("\n" + `{"prompt":"p","response":"r","extra":3}` + "\n\n"))
	if err != nil || len(ex) != 1 || ex[0].Prompt != "p" || ex[0].Response != "r" {
		t.Fatalf("ReadJSONL = %v, %v", ex, err)
	}
}

func FuzzReadJSONL(f *testing.F) {
	f.Add(`{"prompt":"a","response":"b"}`)
	f.Add(`{"prompt":"a","response":""}` + "\n{")
	f.Add("\n\n\n")
	f.Fuzz(func(t *testing.T, s string) {
		ex, err := ReadJSONL(strings.NewReader(s))
		if err == nil {
			for _, e := range ex {
				if strings.TrimSpace(e.Response) == "" {
					t.Fatal("accepted an empty response")
				}
			}
		}
	})
}

func TestEncodeExampleTruncation(t *testing.T) {
	enc := byteEncoder{vocab: 50}
	s, err := EncodeExample(enc, "gpt2", Example{Prompt: "abcdefgh", Response: "xyz"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Tokens) != 8+4+1 || s.Mask[7] || !s.Mask[8] {
		t.Fatalf("unexpected sample %+v", s)
	}
	s, err = EncodeExample(enc, "gpt2", Example{Prompt: "abcdefgh", Response: "xyz"}, 7)
	if err != nil {
		t.Fatal(err)
	}
	// 13 tokens → drop 6 prompt tokens from the left, keeping 2 prompt tokens.
	if len(s.Tokens) != 7 || s.Mask[1] || !s.Mask[2] {
		t.Fatalf("truncated sample %+v", s)
	}
	s, err = EncodeExample(enc, "gpt2", Example{Prompt: "ab", Response: "a long response"}, 6)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Tokens) != 6 || s.Mask[0] || !s.Mask[1] {
		t.Fatalf("response-truncated sample %+v", s)
	}
}

func tinyGPT2(t *testing.T) *model.Model {
	c, err := model.ParseConfig([]byte(`{"architectures":["GPT2LMHeadModel"],"vocab_size":50,"n_embd":32,"n_layer":2,"n_head":4,"n_positions":64}`))
	if err != nil {
		t.Fatal(err)
	}
	m, err := model.New(c)
	if err != nil {
		t.Fatal(err)
	}
	m.InitRandom(5)
	return m
}

func samplesFor(t *testing.T) []model.Sample {
	exs := []Example{{"count", "one two three"}, {"say", "hello hello"}, {"abc", "def ghi"}, {"x", "yz yz yz"}}
	s, err := EncodeExamples(byteEncoder{vocab: 50}, "gpt2", exs, 32)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestTrainReducesLossAndIsDeterministic(t *testing.T) {
	samples := samplesFor(t)
	run := func() (*model.Model, []float64) {
		m := tinyGPT2(t)
		var losses []float64
		dir := t.TempDir()
		err := Train(context.Background(), m, samples, Options{Steps: 40, Batch: 2, Accum: 2, LR: 3e-3, Warmup: 5,
			WeightDecay: 0.01, ClipNorm: 1, Seed: 3, OutDir: dir, CheckpointEvery: 20}, func(p Progress) {
			losses = append(losses, p.Loss)
			if p.Tokens <= 0 || p.LR <= 0 {
				t.Errorf("bad progress %+v", p)
			}
		})
		if err != nil {
			t.Fatal(err)
		}
		m2, err := model.Load(dir)
		if err != nil {
			t.Fatal(err)
		}
		for i := range m.Params {
			if m.Params[i] != m2.Params[i] {
				t.Fatal("checkpoint differs from the trained model")
			}
		}
		return m, losses
	}
	m1, l1 := run()
	m2, l2 := run()
	for i := range m1.Params {
		if m1.Params[i] != m2.Params[i] {
			t.Fatal("two runs with the same seed differ")
		}
	}
	if !(l1[len(l1)-1] < 0.5*l1[0]) {
		t.Fatalf("loss did not fall: first %v last %v", l1[0], l1[len(l1)-1])
	}
	_ = l2
	before, _ := tinyGPT2(t).SampleLosses(samples, 4)
	after, err := m1.SampleLosses(samples, 4)
	if err != nil {
		t.Fatal(err)
	}
	for i := range after {
		if !(after[i] < before[i]) {
			t.Errorf("sample %d loss %v not below initial %v", i, after[i], before[i])
		}
	}
}

// With equal-length samples, one micro-batch of 2 and two accumulated
// micro-batches of 1 give the same gradient up to float rounding.
func TestAccumulationMatchesBatch(t *testing.T) {
	exs := []Example{{"ab", "cdef"}, {"gh", "ijkl"}}
	samples, _ := EncodeExamples(byteEncoder{vocab: 50}, "gpt2", exs, 0)
	grads := func(batch, accum int) []float32 {
		m := tinyGPT2(t)
		m.AllocGrads()
		var b []model.Sample
		for a := 0; a < accum; a++ {
			b = samples[a*batch : (a+1)*batch]
			tok, tgt, B, T, _ := collate(b, 64)
			if _, _, err := m.ForwardBackward(tok, tgt, B, T, 1/float32(accum)); err != nil {
				t.Fatal(err)
			}
		}
		return m.Grads
	}
	g1, g2 := grads(2, 1), grads(1, 2)
	for i := range g1 {
		if math.Abs(float64(g1[i]-g2[i])) > 1e-6 {
			t.Fatalf("grad %d: batch %v vs accumulated %v", i, g1[i], g2[i])
		}
	}
}

func TestTrainOptionErrors(t *testing.T) {
	m := tinyGPT2(t)
	s := samplesFor(t)
	for _, o := range []Options{{Steps: 0, LR: 1}, {Steps: 1, LR: 0}, {Steps: 1, LR: 1, MinLR: 2}, {Steps: 1, LR: math.NaN()}} {
		if err := Train(context.Background(), m, s, o, nil); err == nil {
			t.Errorf("options %+v accepted", o)
		}
	}
	if err := Train(context.Background(), m, nil, Options{Steps: 1, LR: 1}, nil); err == nil {
		t.Error("no samples accepted")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := Train(ctx, m, s, Options{Steps: 1, LR: 1}, nil); err == nil {
		t.Error("cancelled context ignored")
	}
}

func TestEvaluate(t *testing.T) {
	m := tinyGPT2(t)
	exs := []Example{{"count", "one two three"}, {"say", "hello hello"}, {"abc", "def ghi"}}
	a, err := Evaluate(m, byteEncoder{vocab: 50}, exs, 0, 1)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Evaluate(m, byteEncoder{vocab: 50}, exs, 0, 8)
	if err != nil {
		t.Fatal(err)
	}
	for i := range a {
		if a[i] != b[i] || !(a[i] > 0) {
			t.Fatalf("sample %d: %v vs %v", i, a[i], b[i])
		}
	}
}

// Property: truncation keeps at most maxLen tokens, at least one prompt token
// first, at least one scored token, and the mask is a contiguous suffix.
func TestEncodeExampleProperties(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		p := rapid.StringMatching(`[a-z]{1,40}`).Draw(rt, "prompt")
		r := rapid.StringMatching(`[a-z]{1,40}`).Draw(rt, "response")
		maxLen := rapid.IntRange(2, 100).Draw(rt, "maxLen")
		s, err := EncodeExample(byteEncoder{vocab: 50}, "gpt2", Example{p, r}, maxLen)
		if err != nil {
			rt.Fatal(err)
		}
		if len(s.Tokens) > maxLen || len(s.Tokens) != len(s.Mask) || s.Mask[0] {
			rt.Fatalf("bad sample %+v", s)
		}
		first := -1
		for i, m := range s.Mask {
			if m && first < 0 {
				first = i
			}
			if first >= 0 && !m {
				rt.Fatalf("mask not a suffix: %v", s.Mask)
			}
		}
		if first < 1 {
			rt.Fatalf("no scored token or no prompt token: %v", s.Mask)
		}
	})
}

func TestTrainLlama(t *testing.T) {
	c, err := model.ParseConfig([]byte(`{"architectures":["LlamaForCausalLM"],"vocab_size":50,"hidden_size":32,"num_hidden_layers":2,
		"num_attention_heads":4,"num_key_value_heads":2,"intermediate_size":64,"max_position_embeddings":64}`))
	if err != nil {
		t.Fatal(err)
	}
	m, _ := model.New(c)
	m.InitRandom(2)
	samples := samplesFor(t)
	var first, last float64
	err = Train(context.Background(), m, samples, Options{Steps: 30, Batch: 4, LR: 1e-2, Warmup: 3, ClipNorm: 1}, func(p Progress) {
		if p.Step == 1 {
			first = p.Loss
		}
		last = p.Loss
	})
	if err != nil {
		t.Fatal(err)
	}
	if !(last < 0.5*first) {
		t.Fatalf("llama loss %v -> %v", first, last)
	}
}
