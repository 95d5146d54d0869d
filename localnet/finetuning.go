package localnet

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/taonet/taonet/hub"
	"github.com/taonet/taonet/lm/model"
	"github.com/taonet/taonet/lm/tokenizer"
	"github.com/taonet/taonet/subnets/finetuning/competition"
	"github.com/taonet/taonet/subnets/finetuning/data"
	"github.com/taonet/taonet/subnets/finetuning/miner"
	"github.com/taonet/taonet/subnets/finetuning/validator"
	pctx "github.com/taonet/taonet/subnets/prompting/context"
	"github.com/taonet/taonet/subnets/prompting/feed"
	"github.com/taonet/taonet/subnets/prompting/tasks"
)

// seedSamples is the size of the finetuning seed dataset.
const seedSamples = 160

func (n *Net) startHub(ctx context.Context) (string, error) {
	if n.o.FinetuneMiners == 0 && n.o.FinetuneValidators == 0 {
		return "not needed (no finetuning neurons)", nil
	}
	store, err := hub.OpenStore(filepath.Join(n.o.Dir, "hub"), hub.Limits{})
	if err != nil {
		return "", err
	}
	log, _, logPath := n.logger("hub")
	ln, err := listen(n.o.HubAddr)
	if err != nil {
		return "", err
	}
	n.HubURL = n.serve(ln, hub.NewServer(store, hub.ServerOptions{Logger: log}))
	n.addProc(Process{Name: "hub", Role: "model hub", URL: n.HubURL, Metrics: n.HubURL + "/metrics", Log: logPath})
	return "serving " + filepath.Join(n.o.Dir, "hub") + " at " + n.HubURL, nil
}

// Competition is the localnet's finetuning competition: the default one
// with the byte-level tokenizer and tiny models, so miners train and
// validators evaluate in seconds on a laptop.
func Competition(stepInterval uint64) competition.Config {
	c := competition.Default()
	k := &c.Competitions[0]
	k.Tokenizer = competition.ByteTokenizerName
	k.MaxParams = 200_000
	k.MaxBytes = 1 << 20
	k.SequenceLength = 128
	k.EvalSamples = 32
	c.StepInterval = stepInterval
	c.WeightsInterval = stepInterval
	c.AggregateSeeds = 3
	return c
}

// baseModelConfig is the miners' starting point: a 2-layer d=32 GPT-2 over
// the byte tokenizer (~45k parameters).
func baseModelConfig() model.Config {
	return model.Config{Arch: model.GPT2, VocabSize: 257, Hidden: 32, Layers: 2, Heads: 2, KVHeads: 2, HeadDim: 16, FFN: 128,
		MaxPos: 128, NormEps: 1e-5, TieEmbeddings: true, BOS: 256, EOS: 256, Pad: -1}
}

// initBase writes the miners' starting model (seeded, so every localnet
// starts from the same weights).
func initBase(dir string, tok *tokenizer.Tokenizer) error {
	return miner.InitModel(dir, baseModelConfig(), 1, tok)
}

// writeSeedData writes the finetuning seed dataset once: challenges and
// references from the prompting subnet's own offline task generators (math,
// qa, date_qa over the embedded corpus), so miners have data to train on
// before the prompting feed has produced any. Undated: in every window.
func writeSeedData(ctx context.Context, path string) error {
	if st, err := os.Stat(path); err == nil && st.Size() > 0 {
		return nil
	}
	reg, err := tasks.NewRegistry(tasks.Entry{Task: tasks.NewMath(), Weight: 2}, tasks.Entry{Task: tasks.NewQA(), Weight: 1},
		tasks.Entry{Task: tasks.NewDateQA(), Weight: 1})
	if err != nil {
		return err
	}
	b := tasks.Backends{Articles: pctx.Embedded()}
	var out []data.Sample
	for seed := uint64(1); len(out) < seedSamples && seed < 4*seedSamples; seed++ {
		ch, err := reg.Sample(ctx, seed, b)
		if err != nil || ch.Reference == "" {
			continue
		}
		out = append(out, data.Sample{Prompt: ch.Query, Response: ch.Reference, ID: fmt.Sprintf("seed-%d", seed)})
	}
	if len(out) == 0 {
		return errors.New("no seed samples generated")
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data.WriteJSONL(out), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// ftSource is the finetuning data: the seed dataset plus the prompting
// feed. Feed records younger than lag blocks are left out, so every
// validator stepping at a seed block sees the same, final, window (a
// prompting step publishes its record some blocks after the block it names).
type ftSource struct {
	seed *data.JSONL
	feed *feed.Client
	lag  uint64
}

// Samples implements data.Source.
func (s *ftSource) Samples(ctx context.Context, since, until uint64) ([]data.Sample, error) {
	out, err := s.seed.Samples(ctx, since, until)
	if err != nil {
		return nil, err
	}
	if s.feed != nil && until > s.lag {
		f, err := s.feed.Samples(ctx, since, until-s.lag)
		if err != nil {
			return nil, err
		}
		out = append(out, f...)
	}
	return data.Dedup(out), nil
}

func (n *Net) startFinetuning(ctx context.Context) (string, error) {
	if n.o.FinetuneMiners == 0 && n.o.FinetuneValidators == 0 {
		return "no neurons requested", nil
	}
	root := filepath.Join(n.o.Dir, "finetuning")
	if err := os.MkdirAll(root, 0o755); err != nil {
		return "", err
	}
	cfg := Competition(n.o.FinetuneStepInterval)
	k := &cfg.Competitions[0]
	tok, err := cfg.LoadTokenizer(k)
	if err != nil {
		return "", err
	}
	seedPath := filepath.Join(root, "seed.jsonl")
	if err := writeSeedData(ctx, seedPath); err != nil {
		return "", fmt.Errorf("seed data: %w", err)
	}
	lagTime := n.o.PromptingTimeout + 5*time.Second
	lag := uint64(lagTime/n.o.BlockTime) + 2
	src := &ftSource{seed: data.NewJSONL(seedPath), lag: lag}
	if n.o.PromptingValidators > 0 && len(n.NotStarted()) == 0 {
		flog, _, _ := n.logger("feed-client")
		src.feed = &feed.Client{Chain: n.Client, Netuid: n.PromptingNetuid, MinStake: tao, Logger: flog}
	}
	base := filepath.Join(root, "base")
	if _, err := os.Stat(filepath.Join(base, "config.json")); err != nil {
		if err := initBase(base, tok); err != nil {
			return "", fmt.Errorf("base model: %w", err)
		}
	}
	for i := 0; i < n.o.FinetuneMiners; i++ {
		name := fmt.Sprintf("fm%d", i)
		hk, _ := Key(name)
		log, _, logPath := n.logger(name)
		hc := hub.NewClient(n.HubURL, filepath.Join(root, name, "hub-cache"))
		ro := miner.RunOptions{
			Publish: miner.PublishOptions{Chain: n.Client, Hub: hc, Signer: hk, Netuid: n.FinetuningNetuid,
				Namespace: hk.SS58Address()[:12], Name: "ft", CompetitionID: k.ID},
			Config: cfg, Competition: k, Tokenizer: tok, Source: src, BaseDir: base, WorkDir: filepath.Join(root, name, "work"),
			StepsPerRun: n.o.FinetuneTrainSteps * (i + 1), Batch: 4, LR: 3e-3, Interval: n.o.FinetuneRoundInterval, Logger: log,
		}
		n.goRun(func(ctx context.Context) {
			if err := miner.Run(ctx, ro); err != nil && ctx.Err() == nil {
				log.Error("miner stopped", "error", err)
			}
		})
		murl, err := n.serveMetrics(n.neuronRegistry(n.FinetuningNetuid, hk.SS58Address(), true), nil)
		if err != nil {
			return "", err
		}
		n.addProc(Process{Name: name, Role: fmt.Sprintf("finetuning miner (%d steps/round)", ro.StepsPerRun),
			Netuid: n.FinetuningNetuid, Hotkey: hk.SS58Address(), Metrics: murl + "/metrics", Log: logPath})
	}
	for i := 0; i < n.o.FinetuneValidators; i++ {
		name := fmt.Sprintf("fv%d", i)
		hk, _ := Key(name)
		log, table, logPath := n.logger(name)
		reg := n.neuronRegistry(n.FinetuningNetuid, hk.SS58Address(), false)
		v, err := validator.New(validator.Options{Config: cfg, Chain: n.Client,
			Hub: hub.NewClient(n.HubURL, filepath.Join(root, name, "hub-cache")), Source: src, Signer: hk,
			Netuid: n.FinetuningNetuid, DataDir: filepath.Join(root, name), SetWeights: true, EvalBatch: 4, Logger: log,
			Table: table, Metrics: validator.NewMetrics(reg), Poll: max(n.o.BlockTime, 200*time.Millisecond)})
		if err != nil {
			return "", err
		}
		murl, err := n.serveMetrics(reg, nil)
		if err != nil {
			return "", err
		}
		n.goRun(func(ctx context.Context) { n.finetuneLoop(ctx, name, v, log) })
		n.addProc(Process{Name: name, Role: "finetuning validator", Netuid: n.FinetuningNetuid, Hotkey: hk.SS58Address(),
			Metrics: murl + "/metrics", Log: logPath})
	}
	return fmt.Sprintf("%d validator(s), %d miners; competition %s, step every %d blocks, data: seed set + prompting feed (lag %d blocks)",
		n.o.FinetuneValidators, n.o.FinetuneMiners, k.ID, cfg.StepInterval, lag), nil
}

// finetuneLoop is validator.Run keeping every step report for the dashboard.
func (n *Net) finetuneLoop(ctx context.Context, name string, v *validator.Validator, log interface {
	Error(string, ...any)
}) {
	poll := max(n.o.BlockTime, 200*time.Millisecond)
	for {
		rep, err := v.Step(ctx)
		if ctx.Err() != nil {
			return
		}
		switch {
		case err == nil:
			n.live.addFinetune(name, rep)
		case !errors.Is(err, validator.ErrNoNewSeed):
			log.Error("step failed", "error", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(poll):
		}
	}
}
