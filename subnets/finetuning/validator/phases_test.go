package validator

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/taonet/taonet/chain"
	"github.com/taonet/taonet/hub"
	"github.com/taonet/taonet/keys"
	"github.com/taonet/taonet/lm/model"
	"github.com/taonet/taonet/node"
	"github.com/taonet/taonet/subnets/finetuning/competition"
	"github.com/taonet/taonet/subnets/finetuning/data"
	"github.com/taonet/taonet/subnets/finetuning/evaluate"
	"github.com/taonet/taonet/subnets/finetuning/modelid"
)

// commitmentFor is a well-formed commitment text of competition comp.
func commitmentFor(name, comp string) string {
	return "ns:" + name + ":0123456789abcdef0123456789abcdef01234567:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=:" + comp
}

// phaseValidator is a validator over fakes, for the phase tests.
func phaseValidator(t *testing.T, cfg competition.Config, fc *fakeChain, fh Hub) *Validator {
	t.Helper()
	dir := t.TempDir()
	samples := filepath.Join(dir, "data.jsonl")
	os.WriteFile(samples, nil, 0o644)
	if fc == nil {
		fc = &fakeChain{head: 100}
	}
	if fh == nil {
		fh = &fakeHub{}
	}
	v, err := New(Options{Config: cfg, Chain: fc, Hub: fh, Source: data.NewJSONL(samples), DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func phaseStep(v *Validator, seed uint64) *step {
	k := v.competitionAt(seed)
	return &step{seed: seed, seedHash: []byte{1, 2}, head: seed + 3, k: k, tok: v.toks[k.ID], st: v.State(),
		res: &SeedResults{Seed: seed, SeedHash: "0102", Competition: k.ID},
		rep: &StepReport{SeedBlock: seed, Competition: k.ID}}
}

func TestCandidatesPhase(t *testing.T) {
	cfg := testConfig(t)
	cfg.EvalBlockDelay = 5
	v := phaseValidator(t, cfg, nil, nil)
	s := phaseStep(v, 20) // (20/10)%2 = 0: competition a1
	if s.k.ID != "a1" {
		t.Fatalf("competition %s", s.k.ID)
	}
	st := s.st
	st.Models["hk4"] = &Record{UID: 4, Hotkey: "hk4", Commitment: commitmentFor("four", "a1"), Block: 2, Dir: "/cache/four"}
	st.Models["gone"] = &Record{UID: 9, Hotkey: "gone", Commitment: commitmentFor("gone", "a1"), Block: 1, Dir: "/cache/gone"} // deregistered
	mg := &chain.Metagraph{Hotkeys: []string{"hk0", "hk1", "hk2", "hk3", "hk4", "hk5", "hk6"}}
	coms := []chain.Commitment{
		{UID: 6, Hotkey: "hk6", Block: 10, Text: commitmentFor("six", "a1")},
		{UID: 0, Hotkey: "hk0", Block: 3, Text: commitmentFor("zero", "a1")},
		{UID: 1, Hotkey: "other", Block: 3, Text: commitmentFor("one", "a1")}, // hotkey not in the metagraph
		{UID: 2, Hotkey: "hk2", Block: 16, Text: commitmentFor("two", "a1")},  // 20-16 < delay 5
		{UID: 3, Hotkey: "hk3", Block: 3, Text: "garbage"},                    // malformed: rejected
		{UID: 4, Hotkey: "hk4", Block: 2, Text: commitmentFor("four", "a1")},  // unchanged: still evaluated
		{UID: 5, Hotkey: "hk5", Block: 4, Text: commitmentFor("five", "b2")},  // other competition
		{UID: -1, Hotkey: "hk1", Block: 4, Text: commitmentFor("one", "a1")},  // matched by hotkey, not the uid field
	}
	picked := v.candidates(s, mg, coms)
	var got []string
	for _, c := range picked {
		got = append(got, fmt.Sprintf("%d:%s", c.uid, c.c.Name))
	}
	if want := "0:zero 1:one 4:four 6:six"; strings.Join(got, " ") != want {
		t.Fatalf("picked %q, want %q", strings.Join(got, " "), want)
	}
	if len(s.rep.Rejected) != 1 || s.rep.Rejected[0].UID != 3 {
		t.Fatalf("rejected %+v, want the malformed uid 3", s.rep.Rejected)
	}
	if _, ok := st.Models["gone"]; ok || len(s.dropped) != 1 || s.dropped[0] != "/cache/gone" {
		t.Fatalf("deregistered hotkey's record kept or its download not dropped: %v", s.dropped)
	}
	if strings.Join(s.hotkeys, ",") != strings.Join(mg.Hotkeys, ",") {
		t.Fatal("seed block hotkeys not recorded for the aggregate")
	}
}

// mapHub answers Info from a table by repo; Download serves the Dl table.
type mapHub struct {
	info  map[string]error // nil error: a revision of size Size
	size  int64
	asked []string
}

func (h *mapHub) Info(_ context.Context, repo, _ string) (*hub.RepoInfo, error) {
	h.asked = append(h.asked, repo)
	if err, ok := h.info[repo]; ok && err != nil {
		return nil, err
	}
	return &hub.RepoInfo{Siblings: []hub.Sibling{{RFilename: "model.safetensors", Size: h.size}}}, nil
}
func (h *mapHub) Download(context.Context, string, string, string, func(int64, int64)) (*hub.Snapshot, error) {
	return nil, errors.New("download not expected in this test")
}

func TestFetchAndCheckPhase(t *testing.T) {
	cfg := testConfig(t)
	fh := &mapHub{size: 1 << 40, info: map[string]error{"ns/missing": fmt.Errorf("info: %w", hub.ErrNotFound)}}
	v := phaseValidator(t, cfg, nil, fh)
	s := phaseStep(v, 20)
	cached := t.TempDir()
	cand := func(uid uint16, name string) candidate {
		return candidate{uid: uid, hotkey: fmt.Sprint("hk", uid), c: mustParse(t, commitmentFor(name, "a1")), raw: commitmentFor(name, "a1"), block: 3}
	}
	big, missing, before, inCache := cand(0, "big"), cand(1, "missing"), cand(2, "before"), cand(3, "cached")
	s.st.Models["hk2"] = &Record{UID: 2, Hotkey: "hk2", Commitment: before.raw, Block: 3, Rejected: "model rejected: earlier"}
	s.st.Models["hk3"] = &Record{UID: 3, Hotkey: "hk3", Commitment: inCache.raw, Block: 3, Dir: cached, EvalSeed: 10, WinRate: 0.25}

	got, err := v.fetchAndCheck(context.Background(), s, []candidate{big, missing, before, inCache})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].uid != 3 || got[0].dir != cached {
		t.Fatalf("fetched %+v, want only the cached uid 3", got)
	}
	if strings.Join(fh.asked, " ") != "ns/big ns/missing" {
		t.Fatalf("hub asked for %v: the rejected-before and cached models must not be fetched", fh.asked)
	}
	if r := s.st.Models["hk0"]; r == nil || !strings.Contains(r.Rejected, "checked before download") {
		t.Fatalf("oversize revision not remembered as rejected: %+v", r)
	}
	if r := s.st.Models["hk1"]; r != nil {
		t.Fatalf("not-found remembered: %+v", r)
	}
	if len(s.rep.Rejected) != 1 || s.rep.Rejected[0].UID != 0 || len(s.rep.Skipped) != 1 || s.rep.Skipped[0].UID != 1 {
		t.Fatalf("report rejected %+v skipped %+v", s.rep.Rejected, s.rep.Skipped)
	}
	if r := s.st.Models["hk3"]; r.WinRate != 0.25 || r.EvalSeed != 10 {
		t.Fatalf("cached model's record lost its history: %+v", r)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := v.fetchAndCheck(ctx, phaseStep(v, 20), []candidate{big}); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: %v", err)
	}
}

func mustParse(t *testing.T, s string) modelid.Commitment {
	t.Helper()
	c, err := modelid.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// byteConfig is testConfig over the byte tokenizer, small enough for tiny
// models on disk.
func byteConfig(t *testing.T) competition.Config {
	c := testConfig(t)
	for i := range c.Competitions {
		k := &c.Competitions[i]
		k.Tokenizer, k.MaxParams, k.SequenceLength = competition.ByteTokenizerName, 100_000, 32
	}
	return c
}

func tinyModelDir(t *testing.T, seed uint64, mut func(m *model.Model)) string {
	t.Helper()
	m, err := model.New(model.Config{Arch: model.GPT2, VocabSize: 257, Hidden: 16, Layers: 2, Heads: 2, KVHeads: 2,
		HeadDim: 8, FFN: 64, MaxPos: 64, NormEps: 1e-5, TieEmbeddings: true, BOS: 256, EOS: 256, Pad: -1})
	if err != nil {
		t.Fatal(err)
	}
	m.InitRandom(seed)
	if mut != nil {
		mut(m)
	}
	dir := t.TempDir()
	if err := m.Save(dir); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestEvaluatePhase(t *testing.T) {
	v := phaseValidator(t, byteConfig(t), nil, nil)
	s := phaseStep(v, 20)
	batch := evaluate.Encode([]data.Sample{{Prompt: "2+2?", Response: "4"}, {Prompt: "Color?", Response: "red"}}, s.k, s.tok)
	good := tinyModelDir(t, 1, nil)
	nan := tinyModelDir(t, 2, func(m *model.Model) { m.Params[0] = float32(math.NaN()) })
	models := []fetched{
		{candidate{uid: 1, hotkey: "hk1", raw: "c1", block: 4}, good},
		{candidate{uid: 2, hotkey: "hk2", raw: "c2", block: 5}, nan},
	}
	for _, m := range models {
		s.st.Models[m.hotkey] = &Record{UID: m.uid, Hotkey: m.hotkey, Commitment: m.raw, Block: m.block, Dir: m.dir}
	}
	var asked []uint16
	v.o.BeforeEvaluate = func(u uint16) { asked = append(asked, u) }
	sm, err := v.evaluate(context.Background(), s, models, batch)
	if err != nil {
		t.Fatal(err)
	}
	if len(sm) != 1 || sm[0].UID != 1 || len(sm[0].Losses) != 2 || !(sm[0].Losses[0] > 0) || math.IsInf(sm[0].Losses[0], 0) {
		t.Fatalf("scored %+v, want uid 1 with two finite losses", sm)
	}
	if r := s.st.Models["hk2"]; !strings.Contains(r.Rejected, "non-finite") || r.Dir != "" {
		t.Fatalf("NaN weights not rejected: %+v", r)
	}
	if len(asked) != 2 || len(s.rep.Models) != 1 || len(s.rep.Rejected) != 1 {
		t.Fatalf("asked %v, report %+v", asked, s.rep)
	}
	// The losses were saved with the seed block's results: a restarted step
	// reuses them bit for bit instead of computing them again.
	saved, err := LoadSeedResults(v.o.DataDir, 20)
	if err != nil || saved == nil || len(saved.Models) != 1 || saved.Complete {
		t.Fatalf("saved results %+v %v", saved, err)
	}
	s2 := phaseStep(v, 20)
	s2.res = saved
	asked = nil
	sm2, err := v.evaluate(context.Background(), s2, models[:1], batch)
	if err != nil || len(asked) != 0 || !s2.rep.Models[0].Cached || math.Float64bits(sm2[0].Losses[1]) != math.Float64bits(sm[0].Losses[1]) {
		t.Fatalf("restart recomputed (asked %v) or changed losses: %+v %v", asked, s2.rep.Models, err)
	}

	// A loss computation that fails (here: a token the model cannot embed)
	// scores +Inf on every sample instead of failing the step.
	bad := evaluate.Batch{Encoded: []model.Sample{{Tokens: []int{1, 9999}, Mask: []bool{false, true}}}}
	s = phaseStep(v, 20)
	sm, err = v.evaluate(context.Background(), s, models[:1], bad)
	if err != nil || len(sm) != 1 || !math.IsInf(sm[0].Losses[0], 1) || s.rep.Models[0].Failed == "" {
		t.Fatalf("failed loss: %+v %v", sm, err)
	}
}

// results builds a seed block's results from mean losses per uid (hotkey
// "hk<uid>", committed at block 10-uid so lower uids are later).
func results(seed uint64, comp string, losses map[uint16]float64) *SeedResults {
	r := &SeedResults{Seed: seed, Competition: comp, Samples: 3, Complete: true}
	for u := uint16(0); u < 10; u++ {
		l, ok := losses[u]
		if !ok {
			continue
		}
		r.put(SeedResult{UID: u, Hotkey: fmt.Sprint("hk", u), Block: uint64(10 - u), LossBits: lossBits([]float64{l, l, l})})
	}
	return r
}

func TestScorePhase(t *testing.T) {
	cfg := testConfig(t)
	cfg.AggregateSeeds = 2
	v := phaseValidator(t, cfg, nil, nil)
	// Seeds 20 (a1), 30 (b2), 40 (a1), 50 (b2), 60 (a1): at seed 60 the a1
	// window is {60, 40}, the b2 window {50, 30}. Seed 20's results are
	// outside it; seed 40's incomplete ones would not count.
	for _, r := range []*SeedResults{
		results(20, "a1", map[uint16]float64{1: 0.1, 2: 9}),
		results(30, "b2", map[uint16]float64{7: 1}),
		results(40, "a1", map[uint16]float64{1: 3, 2: 2, 3: 1}),
		results(50, "b2", map[uint16]float64{8: 1}),
	} {
		if err := r.save(v.o.DataDir); err != nil {
			t.Fatal(err)
		}
	}
	s := phaseStep(v, 60)
	s.res = results(60, "a1", map[uint16]float64{1: 1, 2: 2, 3: 3})
	s.hotkeys = []string{"hk0", "hk1", "hk2", "other", "hk4", "hk5", "hk6", "hk7", "hk8"} // uid 3 changed hands
	for _, u := range []uint16{1, 2, 3} {
		hk := fmt.Sprint("hk", u)
		s.st.Models[hk] = &Record{UID: u, Hotkey: hk}
		s.rep.Models = append(s.rep.Models, ModelResult{UID: u, Hotkey: hk, MeanLoss: float64(u)})
	}
	if err := v.score(s); err != nil {
		t.Fatal(err)
	}
	r := s.rep
	if r.Models[0].Wins != 6 || r.Models[0].WinRate != 1 || r.Models[2].WinRate != 0 || r.WindowSeeds != 2 {
		t.Fatalf("wins %+v window %d", r.Models, r.WindowSeeds)
	}
	if s.st.LastSeed != 60 || s.st.Models["hk1"].EvalSeed != 60 || s.st.Models["hk2"].MeanLoss != 2 {
		t.Fatalf("state after score: %+v", s.st)
	}
	// The expected weights, from the pure functions by hand.
	k := &cfg.Competitions[0]
	w60, _, _, _ := SeedWeights(k, s.res)
	r40, _ := LoadSeedResults(v.o.DataDir, 40)
	w40, _, _, _ := SeedWeights(k, r40)
	a1 := map[uint16]float64{1: w40[1] + w60[1], 2: w40[2] + w60[2]} // uid 3 is not hk3's any more
	sum := a1[1] + a1[2]
	want := map[uint16]float64{1: 0.5 * a1[1] / sum, 2: 0.5 * a1[2] / sum, 7: 0.25, 8: 0.25}
	for u, w := range want {
		if math.Abs(r.Weights[u]-w) > 1e-12 {
			t.Fatalf("weights %v, want %v", r.Weights, want)
		}
	}
	if len(r.Weights) != 4 {
		t.Fatalf("weights %v: stale or foreign uids counted", r.Weights)
	}
}

// recChain records submissions.
type recChain struct {
	fakeChain
	calls []chain.Call
}

func (c *recChain) Submit(_ context.Context, _ chain.Signer, call chain.Call) (*node.TxOutcome, error) {
	c.calls = append(c.calls, call)
	return &node.TxOutcome{Height: c.head + 1}, nil
}

func TestWeightsPhase(t *testing.T) {
	cfg := testConfig(t)
	cfg.WeightsInterval = 10
	alice, err := keys.FromURI("//Alice")
	if err != nil {
		t.Fatal(err)
	}
	rc := &recChain{fakeChain: fakeChain{head: 23}}
	dir := t.TempDir()
	v, err := New(Options{Config: cfg, Chain: rc, Hub: &fakeHub{}, Source: data.NewJSONL(filepath.Join(dir, "none.jsonl")),
		DataDir: dir, SetWeights: true, Signer: alice})
	if err != nil {
		t.Fatal(err)
	}
	s := phaseStep(v, 20)
	s.rep.Weights = map[uint16]float64{0: 0.25, 1: 0.75}
	v.weights(context.Background(), s, chain.Hyperparams{})
	sw, ok := func() (*chain.SetWeights, bool) {
		if len(rc.calls) != 1 {
			return nil, false
		}
		w, ok := rc.calls[0].(*chain.SetWeights)
		return w, ok
	}()
	if !ok || !s.rep.WeightsSet || fmt.Sprint(sw.UIDs, sw.Values) != "[0 1] [21845 65535]" {
		t.Fatalf("calls %+v set %v", rc.calls, s.rep.WeightsSet)
	}
	if st := v.State(); st.LastWeightsBlock != s.head || len(st.LastWeights) != 2 {
		t.Fatalf("state after setting weights: %+v", st)
	}
	// Within weights_interval of the last set: nothing is sent.
	s2 := phaseStep(v, 30)
	s2.st = v.State()
	s2.head = s.head + 5
	s2.rep.Weights = s.rep.Weights
	v.weights(context.Background(), s2, chain.Hyperparams{})
	if len(rc.calls) != 1 || s2.rep.WeightsSet {
		t.Fatalf("weights sent within the interval: %d calls", len(rc.calls))
	}
	// No positive weight: logged, nothing sent, the step stands.
	s3 := phaseStep(v, 40)
	s3.head = s.head + 20
	s3.rep.Weights = map[uint16]float64{}
	v.weights(context.Background(), s3, chain.Hyperparams{})
	if len(rc.calls) != 1 || s3.rep.WeightsSet {
		t.Fatal("empty weight vector sent")
	}
}

func TestWindowSeeds(t *testing.T) {
	cfg := testConfig(t) // a1 at even tens, b2 at odd tens
	cfg.AggregateSeeds = 3
	for _, tc := range []struct {
		comp string
		seed uint64
		want string
	}{
		{"a1", 60, "[60 40 20]"}, {"b2", 60, "[50 30 10]"}, {"a1", 20, "[20]"}, {"b2", 10, "[10]"}, {"a1", 10, "[]"},
	} {
		if got := fmt.Sprint(windowSeeds(&cfg, tc.comp, tc.seed)); got != tc.want {
			t.Errorf("%s at %d: %s, want %s", tc.comp, tc.seed, got, tc.want)
		}
	}
}

// The aggregate is a pure function of the window's results: the order they
// are given in does not change a bit.
func TestAggregateWeightsPure(t *testing.T) {
	cfg := testConfig(t)
	k := &cfg.Competitions[0]
	win := []*SeedResults{
		results(20, "a1", map[uint16]float64{1: 0.3, 2: 0.2, 3: 0.1}),
		results(40, "a1", map[uint16]float64{1: 0.1, 2: 0.25, 4: 0.3}),
		results(60, "a1", map[uint16]float64{2: 0.1, 3: 0.2, 4: 0.15}),
	}
	hk := []string{"hk0", "hk1", "hk2", "hk3", "hk4"}
	a, err := AggregateWeights(k, win, hk)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := AggregateWeights(k, []*SeedResults{win[2], win[0], win[1]}, hk)
	for u := range a {
		if math.Float64bits(a[u]) != math.Float64bits(b[u]) {
			t.Fatalf("order changed uid %d: %v vs %v", u, a[u], b[u])
		}
	}
	var sum float64
	for _, w := range a {
		sum += w
	}
	if len(a) != 4 || math.Abs(sum-1) > 1e-12 {
		t.Fatalf("aggregate %v", a)
	}
}
