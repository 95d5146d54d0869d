package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/taonet/taonet/chain"
	"github.com/taonet/taonet/client"
	"github.com/taonet/taonet/hub"
	"github.com/taonet/taonet/keys"
	"github.com/taonet/taonet/lm/model"
	"github.com/taonet/taonet/node"
	"github.com/taonet/taonet/subnets/finetuning/competition"
	"github.com/taonet/taonet/subnets/finetuning/data"
	"github.com/taonet/taonet/subnets/finetuning/evaluate"
	"github.com/taonet/taonet/subnets/finetuning/miner"
	"github.com/taonet/taonet/subnets/finetuning/modelid"
	"github.com/taonet/taonet/subnets/finetuning/validator"
)

const tao = 1_000_000_000

// syncBuf is a goroutine-safe log sink.
type syncBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuf) Write(p []byte) (int, error) { s.mu.Lock(); defer s.mu.Unlock(); return s.b.Write(p) }
func (s *syncBuf) String() string              { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

func key(t *testing.T, uri string) *keys.Keypair {
	k, err := keys.FromURI(uri)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// tinyConfig is a 2-layer d=32 GPT-2 over the byte tokenizer (~45k params).
func tinyConfig(hidden int) model.Config {
	return model.Config{Arch: model.GPT2, VocabSize: 257, Hidden: hidden, Layers: 2, Heads: 2, KVHeads: 2,
		HeadDim: hidden / 2, FFN: 4 * hidden, MaxPos: 128, NormEps: 1e-5, TieEmbeddings: true, BOS: 256, EOS: 256, Pad: -1}
}

func testCompetition() competition.Config {
	c := competition.Default()
	k := &c.Competitions[0]
	k.Tokenizer = competition.ByteTokenizerName
	k.MaxParams = 200_000
	k.MaxBytes = 400_000 // a d=32 model is ~190 kB; d=64 ~ 500 kB
	k.SequenceLength = 96
	k.EvalSamples = 24
	c.StepInterval = 10
	c.WeightsInterval = 1
	c.AggregateSeeds = 3
	return c
}

// samples are patterned prompt/response pairs a tiny model learns quickly.
func samples() []data.Sample {
	var out []data.Sample
	words := []string{"red", "green", "blue", "black", "white", "pink", "gray", "gold"}
	for i := 0; i < 80; i++ {
		w := words[i%len(words)]
		out = append(out, data.Sample{
			Prompt:   fmt.Sprintf("Color %d?", i),
			Response: fmt.Sprintf("The color is %s, %s, %s.", w, w, w),
			ID:       fmt.Sprint("s", i),
		})
	}
	return out
}

type net struct {
	t      *testing.T
	ctx    context.Context
	node   *node.Node
	c      *client.Client
	netuid uint16
	hubURL string
	alice  *keys.Keypair
	cfg    competition.Config
	data   string
}

func setup(t *testing.T, ctx context.Context, hot []*keys.Keypair, validators []*keys.Keypair) *net {
	alice := key(t, "//Alice")
	g := chain.DefaultGenesis()
	g.Accounts = append(g.Accounts, chain.GenesisAccount{Address: alice.SS58Address(), Balance: 1_000_000 * tao})
	g.SubnetDefaults.Tempo = 5
	g.SubnetDefaults.MaxRegsPerBlock = 64
	g.SubnetDefaults.TargetRegsPerInterval = 64
	g.SubnetDefaults.WeightsRateLimit = 0
	g.SubnetDefaults.ImmunityPeriod = 10000
	st, _ := json.Marshal(g)
	n, err := node.StartEmbedded(ctx, node.Options{Home: t.TempDir(), BlockTime: 100 * time.Millisecond, AppState: st})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { n.Stop() })
	c, err := client.New([]string{n.APIURL()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Submit(ctx, alice, &chain.CreateSubnet{Hotkey: key(t, "//Alice//owner").SS58Address()}); err != nil {
		t.Fatal("create subnet: ", err)
	}
	sns, err := c.Subnets(ctx)
	if err != nil || len(sns) != 1 {
		t.Fatal(sns, err)
	}
	netuid := sns[0].Netuid
	for _, h := range append(append([]*keys.Keypair{}, validators...), hot...) {
		if _, err := c.Submit(ctx, alice, &chain.BurnedRegister{Netuid: netuid, Hotkey: h.SS58Address()}); err != nil {
			t.Fatal("register: ", err)
		}
	}
	for _, v := range validators {
		if _, err := c.Submit(ctx, alice, &chain.AddStake{Hotkey: v.SS58Address(), Amount: 1000 * tao}); err != nil {
			t.Fatal("stake: ", err)
		}
	}
	store, err := hub.OpenStore(t.TempDir(), hub.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(hub.NewServer(store, hub.ServerOptions{Logger: slog.New(slog.NewTextHandler(&syncBuf{}, nil))}))
	t.Cleanup(hs.Close)
	dataPath := filepath.Join(t.TempDir(), "data.jsonl")
	if err := os.WriteFile(dataPath, data.WriteJSONL(samples()), 0o644); err != nil {
		t.Fatal(err)
	}
	return &net{t: t, ctx: ctx, node: n, c: c, netuid: netuid, hubURL: hs.URL, alice: alice, cfg: testCompetition(), data: dataPath}
}

func (n *net) hubClient() *hub.Client {
	h := hub.NewClient(n.hubURL, n.t.TempDir())
	h.Retries = 1
	h.RetryDelay = 50 * time.Millisecond
	return h
}

// train writes a model trained for steps on the data (0 = the base model).
func (n *net) train(base string, steps int, seed uint64) string {
	k := &n.cfg.Competitions[0]
	tok, err := n.cfg.LoadTokenizer(k)
	if err != nil {
		n.t.Fatal(err)
	}
	out := filepath.Join(n.t.TempDir(), "model")
	if err := miner.Train(n.ctx, miner.TrainOptions{Competition: k, Tokenizer: tok, BaseDir: base, OutDir: out,
		Samples: samples(), Steps: steps, Batch: 4, LR: 3e-3, Warmup: 2, Seed: seed}); err != nil {
		n.t.Fatal(err)
	}
	return out
}

// watchedChain checks, when a commitment is submitted to the real node
// (before its inclusion), that the committed revision is hidden from
// anonymous readers and other hotkeys, so no watcher can hash and copy it.
type watchedChain struct {
	miner.Chain
	check func(text string) error
}

func (w watchedChain) Submit(ctx context.Context, s chain.Signer, call chain.Call) (*node.TxOutcome, error) {
	if sc, ok := call.(*chain.SetCommitment); ok && len(sc.Fields) == 1 {
		if err := w.check(string(sc.Fields[0].Data)); err != nil {
			return nil, err
		}
	}
	return w.Chain.Submit(ctx, s, call)
}

// publish runs miner.Publish and checks private-until-committed: before
// inclusion another hotkey cannot read the revision; after it a validator
// downloads it.
func (n *net) publish(h *keys.Keypair, ns, dir string) error {
	watcher := n.hubClient()
	watcher.Signer = key(n.t, "//Watcher")
	var committed modelid.Commitment
	wc := watchedChain{Chain: n.c, check: func(text string) error {
		id, err := modelid.Parse(text)
		if err != nil {
			return err
		}
		for who, c := range map[string]*hub.Client{"another hotkey": watcher, "an anonymous reader": n.hubClient()} {
			if _, err := c.Download(n.ctx, id.RepoID(), id.Revision, "", nil); !errors.Is(err, hub.ErrNotFound) {
				return fmt.Errorf("%s downloads %s@%s before its commitment is included: %v", who, id.RepoID(), id.Revision, err)
			}
		}
		committed = id
		return nil
	}}
	id, err := miner.Publish(n.ctx, miner.PublishOptions{Chain: wc, Hub: n.hubClient(), Signer: h, Netuid: n.netuid,
		Namespace: ns, Name: "tiny", CompetitionID: "g1", Dir: dir})
	if err != nil {
		return err
	}
	if id != committed {
		n.t.Fatalf("published %s, checked %s before inclusion", id, committed)
	}
	if _, err := n.hubClient().Download(n.ctx, id.RepoID(), id.Revision, "", nil); err != nil {
		n.t.Fatalf("validator cannot download %s after its commitment is included: %v", id, err)
	}
	return nil
}

// commitRaw uploads dir and commits an arbitrary string, as a dishonest miner would.
func (n *net) commitRaw(h *keys.Keypair, text string) {
	out, err := n.c.Submit(n.ctx, h, &chain.SetCommitment{Netuid: n.netuid,
		Fields: []chain.CommitmentField{{Kind: chain.FieldRaw, Data: []byte(text)}}})
	if err != nil || out.Code != 0 {
		n.t.Fatalf("commit %q: %v %+v", text, err, out)
	}
}

func (n *net) validator(signer *keys.Keypair, dir string, log *syncBuf, hook func(uint16)) *validator.Validator {
	v, err := validator.New(validator.Options{Config: n.cfg, Chain: n.c, Hub: n.hubClient(), Source: data.NewJSONL(n.data),
		Signer: signer, Netuid: n.netuid, DataDir: dir, SetWeights: true, EvalBatch: 4,
		Logger: slog.New(slog.NewTextHandler(log, nil)), Table: log, BeforeEvaluate: hook})
	if err != nil {
		n.t.Fatal(err)
	}
	return v
}

func (n *net) uid(h *keys.Keypair) uint16 {
	mg, err := n.c.Metagraph(n.ctx, n.netuid)
	if err != nil {
		n.t.Fatal(err)
	}
	for u, hk := range mg.Hotkeys {
		if hk == h.SS58Address() {
			return uint16(u)
		}
	}
	n.t.Fatalf("%s not registered", h.SS58Address())
	return 0
}

// nextSeed waits until the chain passes a fresh seed block and returns it.
func (n *net) nextSeed() uint64 {
	h := n.node.Height()
	seed := n.cfg.SeedBlock(h) + n.cfg.StepInterval
	if err := n.c.WaitHeight(n.ctx, seed, nil); err != nil {
		n.t.Fatal(err)
	}
	return seed
}

// seedAfter waits for the seed block right after prev and returns it. Unlike
// nextSeed it never skips one: on a slow machine (-race) a step can outlast
// the step interval, and a skipped seed block would leave a hole in every
// validator's aggregate window.
func (n *net) seedAfter(prev uint64) uint64 {
	seed := prev + n.cfg.StepInterval
	if err := n.c.WaitHeight(n.ctx, seed, nil); err != nil {
		n.t.Fatal(err)
	}
	return seed
}

func TestEndToEnd(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	v1k, v2k, v3k := key(t, "//Alice//v1"), key(t, "//Alice//v2"), key(t, "//Alice//v3")
	m := make([]*keys.Keypair, 8)
	for i := range m {
		m[i] = key(t, fmt.Sprintf("//Alice//m%d", i))
	}
	n := setup(t, ctx, m, []*keys.Keypair{v1k, v2k, v3k})
	// This test is about one step's scoring: a window of one seed block, so
	// the weights are that step's (the window over earlier seed blocks and
	// catching them up are TestValidatorsAgree's).
	n.cfg.AggregateSeeds = 1
	k := &n.cfg.Competitions[0]
	tok, _ := n.cfg.LoadTokenizer(k)

	// Three miners: trained 0, 20 and 80 steps from the same base.
	base := filepath.Join(t.TempDir(), "base")
	if err := miner.InitModel(base, tinyConfig(32), 1, tok); err != nil {
		t.Fatal(err)
	}
	m0 := n.train(base, 0, 1)
	m20 := n.train(base, 20, 2)
	m80 := n.train(base, 80, 3)
	for i, d := range []string{m0, m20, m80} {
		if err := n.publish(m[i], fmt.Sprintf("m%d", i), d); err != nil {
			t.Fatalf("publish m%d: %v", i, err)
		}
	}
	// A copier re-uploads the best model: Publish refuses it ...
	cp := filepath.Join(t.TempDir(), "copy")
	os.MkdirAll(cp, 0o755)
	for _, f := range []string{"config.json", "model.safetensors", "tokenizer.json", "generation_config.json"} {
		b, err := os.ReadFile(filepath.Join(m80, f))
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(cp, f), b, 0o644)
	}
	if err := n.publish(m[3], "cp", cp); !errors.Is(err, miner.ErrAlreadyCommitted) {
		t.Fatalf("copy publish: %v, want ErrAlreadyCommitted", err)
	}
	// ... so it uploads and commits by hand, with its own salted hash (later block).
	hc := n.hubClient()
	rev, err := hc.Upload(ctx, m[3], "cp/tiny", cp)
	if err != nil {
		t.Fatal(err)
	}
	dh, _ := hub.DirHash(cp)
	n.commitRaw(m[3], fmt.Sprintf("cp:tiny:%s:%s:g1", rev, hub.SecureHash(dh, m[3].SS58Address())))
	// A malformed commitment, a model with NaN weights, an oversize model.
	n.commitRaw(m[4], "cp:tiny:"+rev+":not-a-hash:g1")
	nanDir := n.train(base, 0, 1)
	{
		mm, err := model.Load(nanDir)
		if err != nil {
			t.Fatal(err)
		}
		mm.Params[len(mm.Params)/2] = float32(math.NaN())
		if err := mm.Save(nanDir); err != nil {
			t.Fatal(err)
		}
	}
	if err := n.publish(m[5], "nan", nanDir); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(t.TempDir(), "big")
	if err := miner.InitModel(big, tinyConfig(64), 7, tok); err != nil {
		t.Fatal(err)
	}
	if err := n.publish(m[6], "big", big); err != nil {
		t.Fatal(err)
	}

	// Two independent validators step at the same seed block.
	seed := n.nextSeed()
	logs := []*syncBuf{{}, {}}
	vals := []*validator.Validator{
		n.validator(v1k, filepath.Join(t.TempDir(), "v1"), logs[0], nil),
		n.validator(v2k, filepath.Join(t.TempDir(), "v2"), logs[1], nil),
	}
	var reps []*validator.StepReport
	for i, v := range vals {
		rep, err := v.StepAt(ctx, seed)
		if err != nil {
			t.Fatalf("validator %d: %v\n%s", i+1, err, logs[i])
		}
		if !rep.WeightsSet {
			t.Fatalf("validator %d did not set weights\n%s", i+1, logs[i])
		}
		reps = append(reps, rep)
	}
	t.Logf("validator 1:\n%s", logs[0])
	r := reps[0]
	u := func(i int) uint16 { return n.uid(m[i]) }
	if len(r.Models) != 4 {
		t.Fatalf("evaluated %d models, want 4 (m0, m20, m80, copy)", len(r.Models))
	}
	best, bestW := uint16(0), -1.0
	for uid, w := range r.Weights {
		if w > bestW {
			best, bestW = uid, w
		}
	}
	if best != u(2) {
		t.Fatalf("best weight to uid %d, want the 80-step model uid %d: %v", best, u(2), r.Weights)
	}
	if !(r.Weights[u(2)] > r.Weights[u(1)] && r.Weights[u(1)] > r.Weights[u(0)]) {
		t.Fatalf("weights not ordered by training: %v", r.Weights)
	}
	// The later copy loses every tie to the original by epsilon.
	rate := map[uint16]float64{}
	for _, x := range r.Models {
		rate[x.UID] = x.WinRate
	}
	if !(rate[u(2)] > rate[u(3)] && r.Weights[u(2)] > r.Weights[u(3)]) {
		t.Fatalf("copy not beaten: rates %v weights %v", rate, r.Weights)
	}
	// Rejections are logged with reasons and the step went on.
	reasons := map[uint16]string{}
	for _, x := range r.Rejected {
		reasons[x.UID] = x.Reason
	}
	for i, want := range map[int]string{4: "is 10 characters, want 44", 5: "non-finite", 6: "checked before download"} {
		if !strings.Contains(reasons[u(i)], want) || !strings.Contains(logs[0].String(), want) {
			t.Errorf("m%d: rejection %q, want %q", i, reasons[u(i)], want)
		}
	}
	// Both validators agree exactly, in the report and on chain.
	if fmt.Sprint(reps[0].Weights) != fmt.Sprint(reps[1].Weights) {
		t.Fatalf("validators disagree:\n%v\n%v", reps[0].Weights, reps[1].Weights)
	}
	for i := range reps[0].Models {
		a, b := reps[0].Models[i], reps[1].Models[i]
		if a.UID != b.UID || a.MeanLoss != b.MeanLoss || a.Wins != b.Wins {
			t.Fatalf("model results differ: %+v vs %+v", a, b)
		}
	}
	mg, err := n.c.Metagraph(ctx, n.netuid)
	if err != nil {
		t.Fatal(err)
	}
	w1, w2 := mg.Weights[n.uid(v1k)], mg.Weights[n.uid(v2k)]
	if len(w1) == 0 || fmt.Sprint(w1) != fmt.Sprint(w2) {
		t.Fatalf("on-chain weight rows differ: %v vs %v", w1, w2)
	}

	t.Run("openai backend", func(t *testing.T) { openAIBackendStep(t, n, seed, reps[0]) })

	t.Run("run loop", func(t *testing.T) {
		log := &syncBuf{}
		v, err := validator.New(validator.Options{Config: n.cfg, Chain: n.c, Hub: n.hubClient(), Source: data.NewJSONL(n.data),
			Netuid: n.netuid, DataDir: t.TempDir(), EvalBatch: 4, Poll: 50 * time.Millisecond,
			Logger: slog.New(slog.NewTextHandler(log, nil))})
		if err != nil {
			t.Fatal(err)
		}
		rctx, rcancel := context.WithCancel(ctx)
		done := make(chan error, 1)
		go func() { done <- v.Run(rctx) }()
		// Bounded wait: the test context's deadline, or Run returning early.
		for v.State().LastSeed == 0 {
			select {
			case err := <-done:
				t.Fatalf("run returned before its first step: %v\n%s", err, log)
			case <-ctx.Done():
				rcancel()
				t.Fatalf("no step before the test deadline\n%s", log)
			case <-time.After(50 * time.Millisecond):
			}
		}
		rcancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Fatalf("run: %v", err)
		}
		if st := v.State(); st.Models[m[2].SS58Address()].WinRate <= st.Models[m[0].SS58Address()].WinRate {
			t.Fatalf("run loop win rates %+v\n%s", st.Models, log)
		}
	})

	t.Run("miner run", func(t *testing.T) {
		// Once the epoch pays the best model, a miner round starts from it.
		for {
			mg, err := n.c.Metagraph(ctx, n.netuid)
			if err != nil {
				t.Fatal(err)
			}
			if mg.Incentive[u(2)] > 0 {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
		log := &syncBuf{}
		err := miner.Run(ctx, miner.RunOptions{
			Publish: miner.PublishOptions{Chain: n.c, Hub: n.hubClient(), Signer: m[7], Netuid: n.netuid,
				Namespace: "runner", Name: "tiny", CompetitionID: "g1"},
			Config: n.cfg, Competition: k, Tokenizer: tok, Source: data.NewJSONL(n.data), BaseDir: base,
			WorkDir: t.TempDir(), StepsPerRun: 10, Batch: 4, LR: 1e-3, Rounds: 1,
			Logger: slog.New(slog.NewTextHandler(log, nil))})
		if err != nil {
			t.Fatalf("miner round: %v\n%s", err, log)
		}
		if !strings.Contains(log.String(), "starting from the best model") || !strings.Contains(log.String(), "m2:tiny:") {
			t.Fatalf("round did not start from the best model:\n%s", log)
		}
		if !strings.Contains(log.String(), "published") && !strings.Contains(log.String(), "not publishing") {
			t.Fatalf("no publish decision:\n%s", log)
		}
	})

	t.Run("restart", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "v3")
		log := &syncBuf{}
		v := n.validator(v3k, dir, log, nil)
		rep3, err := v.StepAt(ctx, seed)
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(rep3.Weights) != fmt.Sprint(reps[0].Weights) {
			t.Fatalf("v3 disagrees with v1: %v %v", rep3.Weights, reps[0].Weights)
		}
		// Kill the next step mid-evaluation.
		seed2 := n.nextSeed()
		sctx, scancel := context.WithCancel(ctx)
		calls := 0
		v = n.validator(v3k, dir, log, func(uint16) {
			calls++
			if calls == 2 {
				scancel()
			}
		})
		if _, err := v.StepAt(sctx, seed2); !errors.Is(err, context.Canceled) {
			t.Fatalf("interrupted step: %v", err)
		}
		// A new validator on the same dir resumes: the finished seed block's
		// results are kept, and the model the interrupted step had evaluated
		// is not evaluated again.
		v = n.validator(v3k, dir, log, nil)
		if after := v.State(); after.LastSeed != seed {
			t.Fatalf("state lost: %+v", after)
		}
		if r, err := validator.LoadSeedResults(dir, seed); err != nil || r == nil || !r.Complete {
			t.Fatalf("results of seed %d: %+v %v", seed, r, err)
		}
		rep, err := v.StepAt(ctx, seed2)
		if err != nil {
			t.Fatal(err)
		}
		if rep.SeedBlock != seed2 || v.State().LastSeed != seed2 {
			t.Fatal("resumed step did not complete")
		}
		if len(rep.Models) == 0 || !rep.Models[0].Cached || rep.Models[len(rep.Models)-1].Cached {
			t.Fatalf("resumed step recomputed a saved model or reused an unsaved one: %+v", rep.Models)
		}
		if !(rep.Weights[u(2)] > rep.Weights[u(1)] && rep.Weights[u(1)] > rep.Weights[u(0)]) {
			t.Fatalf("after restart weights not ordered by training: %v", rep.Weights)
		}
	})

	t.Run("commit-reveal", func(t *testing.T) {
		// The subnet owner turns on commit-reveal: the validator commits its
		// weights, keeps the reveal in its state, and reveals in the next epoch.
		out, err := n.c.Submit(ctx, n.alice, &chain.SetHyperparameter{Netuid: n.netuid, Name: "commit_reveal_weights_enabled", Value: 1})
		if err != nil || out.Code != 0 {
			t.Fatalf("enable commit-reveal: %v %+v", err, out)
		}
		log := &syncBuf{}
		dir := filepath.Join(t.TempDir(), "cr")
		v := n.validator(v1k, dir, log, nil)
		rep, err := v.StepAt(ctx, n.nextSeed())
		if err != nil || !rep.WeightsSet {
			t.Fatalf("step: %v\n%s", err, log)
		}
		p := v.State().Pending
		if p == nil {
			t.Fatal("no pending reveal after a commit")
		}
		// A restarted validator still holds the reveal.
		v = n.validator(v1k, dir, log, nil)
		for {
			ok, err := v.Reveal(ctx)
			if err != nil {
				t.Fatalf("reveal: %v\n%s", err, log)
			}
			if ok {
				break
			}
			time.Sleep(50 * time.Millisecond)
		}
		if v.State().Pending != nil {
			t.Fatal("pending kept after reveal")
		}
		mg, err := n.c.Metagraph(ctx, n.netuid)
		if err != nil {
			t.Fatal(err)
		}
		row := mg.Weights[n.uid(v1k)]
		if len(row) != len(p.UIDs) {
			t.Fatalf("revealed row %v, committed %v %v", row, p.UIDs, p.Values)
		}
		for i, e := range row {
			if e[0] != p.UIDs[i] || e[1] != p.Values[i] {
				t.Fatalf("revealed row %v, committed %v %v", row, p.UIDs, p.Values)
			}
		}
	})
}

// openAIBackendStep repeats the step at seed with --eval.backend openai, the
// engine per model being `taonet model serve` started from a command
// template: the same models are evaluated and rejected, with the same
// winner, wins, win rates and weights, and losses within 1e-4 of the Go
// backend's (token-id prompts with echo logprobs score the same tokens with
// the same engine, so they are in fact equal). An engine that cannot start
// fails its models with the reason, and the step still completes.
func openAIBackendStep(t *testing.T, n *net, seed uint64, want *validator.StepReport) {
	bin := filepath.Join(t.TempDir(), "taonet")
	build := exec.CommandContext(n.ctx, "go", "build", "-o", bin, "github.com/taonet/taonet/cmd/taonet")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	step := func(cmd string) (*validator.StepReport, string) {
		log := &syncBuf{}
		v, err := validator.New(validator.Options{Config: n.cfg, Chain: n.c, Hub: n.hubClient(), Source: data.NewJSONL(n.data),
			Netuid: n.netuid, DataDir: t.TempDir(), EvalBatch: 4, Logger: slog.New(slog.NewTextHandler(log, nil)),
			Backend: &evaluate.OpenAI{ServerCmd: cmd, Batch: 4, StartTimeout: time.Minute}, AllowNondeterministic: true})
		if err != nil {
			t.Fatal(err)
		}
		rep, err := v.StepAt(n.ctx, seed)
		if err != nil {
			t.Fatalf("step: %v\n%s", err, log)
		}
		return rep, log.String()
	}
	got, log := step(bin + " model serve --model {model} --addr 127.0.0.1:{port}")
	if !strings.Contains(log, "not guaranteed bit-identical") {
		t.Errorf("the log does not warn that openai scores are not bit-identical:\n%s", log)
	}
	if len(got.Models) != len(want.Models) || len(got.Rejected) != len(want.Rejected) {
		t.Fatalf("openai backend evaluated %d and rejected %d models, go %d and %d\n%s", len(got.Models), len(got.Rejected), len(want.Models), len(want.Rejected), log)
	}
	for i, g := range got.Models {
		w := want.Models[i]
		if g.UID != w.UID || g.Wins != w.Wins || g.WinRate != w.WinRate || g.Failed != "" || math.Abs(g.MeanLoss-w.MeanLoss) > 1e-4 {
			t.Fatalf("uid %d: openai %+v, go %+v", w.UID, g, w)
		}
		t.Logf("uid %d: mean loss openai %.9f go %.9f, win rate %.3f", g.UID, g.MeanLoss, w.MeanLoss, g.WinRate)
	}
	if fmt.Sprint(got.Weights) != fmt.Sprint(want.Weights) {
		t.Fatalf("weights: openai %v, go %v", got.Weights, want.Weights)
	}
	for i := range got.Rejected {
		if got.Rejected[i].UID != want.Rejected[i].UID {
			t.Fatalf("rejected: openai %+v, go %+v", got.Rejected, want.Rejected)
		}
	}

	// An engine that exits at once: every model fails with the reason.
	bad, log := step("echo no GPU here >&2; exit 1")
	if len(bad.Models) != len(want.Models) {
		t.Fatalf("failing engine: %d models\n%s", len(bad.Models), log)
	}
	for _, m := range bad.Models {
		if !strings.Contains(m.Failed, "no GPU here") || !math.IsNaN(m.MeanLoss) {
			t.Fatalf("failing engine: %+v", m)
		}
	}
}
