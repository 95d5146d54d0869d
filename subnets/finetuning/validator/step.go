package validator

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"time"

	"github.com/taonet/taonet/chain"
	"github.com/taonet/taonet/hub"
	"github.com/taonet/taonet/lm/tokenizer"
	"github.com/taonet/taonet/subnets/finetuning/competition"
	"github.com/taonet/taonet/subnets/finetuning/data"
	"github.com/taonet/taonet/subnets/finetuning/evaluate"
	"github.com/taonet/taonet/subnets/finetuning/modelid"
	"github.com/taonet/taonet/subnets/finetuning/scoring"
)

// A step runs in phases, each a method below with its own test:
//
//	candidates → fetchAndCheck → evaluate → score → weights
//
// The phases work on a step value: the seed block, the competition and a
// private copy of the state. Only after score does StepAt publish that copy
// (persist, then swap), so a step that fails or is cancelled part way leaves
// the persisted state unchanged.
type step struct {
	seed     uint64
	seedHash []byte
	head     uint64
	k        *competition.Competition
	tok      *tokenizer.Tokenizer
	st       *State             // working copy, published when the step completes
	res      *SeedResults       // this seed block's results (cached on disk per model)
	hotkeys  []string           // the metagraph's hotkeys at the seed block
	dropped  []string           // downloads of replaced, rejected or deregistered models
	failed   map[uint64]Missing // window seed blocks catchUp could not evaluate
	rep      *StepReport
}

// candidate is a parsed commitment of the step's competition.
type candidate struct {
	uid    uint16
	hotkey string
	c      modelid.Commitment
	raw    string
	block  uint64
}

// fetched is a candidate whose snapshot passed the download checks.
type fetched struct {
	candidate
	dir string
}

// Step runs one validation step at the current seed block. A cancelled or
// failed step leaves the persisted state unchanged.
func (v *Validator) Step(ctx context.Context) (*StepReport, error) {
	head, err := v.o.Chain.LatestBlock(ctx)
	if err != nil {
		return nil, fmt.Errorf("latest block: %w", err)
	}
	seed := v.o.Config.SeedBlock(head.Height)
	if seed == 0 {
		return nil, fmt.Errorf("%w: chain at %d, first seed block is %d", ErrNoNewSeed, head.Height, v.o.Config.StepInterval)
	}
	return v.StepAt(ctx, seed)
}

// StepAt runs a step at an explicit seed block (a multiple of the step
// interval, at or below the head, after the last step's seed). Step uses the
// latest such block. First it catches up the seed blocks of the step's
// window that have no results (catchup.go), so validators stepping at the
// same seed block agree exactly, however many seed blocks each skipped.
func (v *Validator) StepAt(ctx context.Context, seed uint64) (*StepReport, error) {
	start := time.Now()
	s, err := v.begin(ctx, seed)
	if err != nil {
		return nil, err
	}
	if err := v.catchUp(ctx, s); err != nil {
		return nil, err
	}
	mg, err := v.evaluateAt(ctx, s)
	if err != nil {
		return nil, err
	}
	if err := v.score(s); err != nil {
		return nil, err
	}
	if err := v.commit(s); err != nil {
		return nil, err
	}
	if v.o.SetWeights {
		v.weights(ctx, s, mg.Hyperparams)
	}
	s.rep.Total = time.Since(start)
	v.warnIfBehind(ctx, s)
	v.m.observe(s.rep)
	if v.o.Table != nil {
		WriteTable(v.o.Table, s.rep)
	}
	v.log.Info("step done", "seed", seed, "competition", s.k.ID, "models", len(s.rep.Models), "rejected", len(s.rep.Rejected),
		"samples", s.rep.Samples, "caught_up", len(s.rep.CaughtUp), "window_missing", len(s.rep.Missing),
		"weights_set", s.rep.WeightsSet, "took", s.rep.Total.Round(time.Millisecond))
	return s.rep, nil
}

// evaluateAt runs phases 1 to 3 at s's seed block — reading the chain as of
// it (however late this runs), candidates, fetchAndCheck, the samples,
// evaluate — and returns the metagraph it read.
func (v *Validator) evaluateAt(ctx context.Context, s *step) (*chain.Metagraph, error) {
	mg, err := v.o.Chain.MetagraphAt(ctx, v.o.Netuid, s.seed)
	if err != nil {
		return nil, fmt.Errorf("metagraph at seed block %d: %w", s.seed, err)
	}
	coms, err := v.o.Chain.CommitmentsAt(ctx, v.o.Netuid, s.seed)
	if err != nil {
		return nil, fmt.Errorf("commitments at seed block %d: %w", s.seed, err)
	}
	models, err := v.fetchAndCheck(ctx, s, v.candidates(s, mg, coms))
	if err != nil {
		return nil, err
	}
	batch, err := v.evalBatch(ctx, s)
	if err != nil {
		return nil, err
	}
	if _, err := v.evaluate(ctx, s, models, batch); err != nil {
		return nil, err
	}
	return mg, nil
}

// begin checks the seed block against the head and the last step, and sets
// up the step at it on a copy of the state.
func (v *Validator) begin(ctx context.Context, seed uint64) (*step, error) {
	head, err := v.o.Chain.LatestBlock(ctx)
	if err != nil {
		return nil, fmt.Errorf("latest block: %w", err)
	}
	cfg := &v.o.Config
	switch {
	case seed == 0 || seed%cfg.StepInterval != 0:
		return nil, fmt.Errorf("seed block %d is not a positive multiple of the step interval %d", seed, cfg.StepInterval)
	case seed > head.Height:
		return nil, fmt.Errorf("seed block %d is above the head %d", seed, head.Height)
	case seed <= v.State().LastSeed:
		return nil, ErrNoNewSeed
	}
	return v.openStep(ctx, seed, head.Height)
}

// openStep reads the seed block's hash and sets up a step at it on a copy
// of the state, with the seed block's results cached on disk (results of
// another competition or another block hash are not this seed block's).
func (v *Validator) openStep(ctx context.Context, seed, head uint64) (*step, error) {
	sb, err := v.o.Chain.Block(ctx, seed)
	if err != nil {
		return nil, fmt.Errorf("seed block %d: %w", seed, err)
	}
	seedHash, err := hex.DecodeString(sb.Hash)
	if err != nil || len(seedHash) == 0 {
		return nil, fmt.Errorf("seed block %d: bad hash %q", seed, sb.Hash)
	}
	k := v.competitionAt(seed)
	res, err := LoadSeedResults(v.o.DataDir, seed)
	if err != nil {
		return nil, err
	}
	if res == nil || res.Competition != k.ID || res.SeedHash != sb.Hash {
		res = &SeedResults{Seed: seed, SeedHash: sb.Hash, Competition: k.ID}
	}
	return &step{seed: seed, seedHash: seedHash, head: head, k: k, tok: v.toks[k.ID], st: v.State(), res: res,
		rep: &StepReport{SeedBlock: seed, SeedHash: sb.Hash, Head: head, Competition: k.ID}}, nil
}

// candidates is phase 1: from the metagraph and the commitments in force at
// the seed block it forgets the models of hotkeys no longer registered,
// parses the commitments of the step's competition old enough for the seed
// block (malformed ones are reported as rejected) and returns them by uid:
// every one is evaluated. (Upstream re-evaluates only its own top-k plus new
// commitments; that choice depends on the validator's history, so two
// validators would score different sets and never agree.)
func (v *Validator) candidates(s *step, mg *chain.Metagraph, coms []chain.Commitment) []candidate {
	st, cfg := s.st, &v.o.Config
	s.hotkeys = mg.Hotkeys
	uidOf := make(map[string]int, len(mg.Hotkeys))
	for uid, hk := range mg.Hotkeys {
		uidOf[hk] = uid
	}
	for hk, r := range st.Models {
		if _, ok := uidOf[hk]; !ok {
			s.dropped = append(s.dropped, r.Dir)
			delete(st.Models, hk) // deregistered: forget its model
		}
	}
	var cands []candidate
	for _, c := range coms {
		// Matched by hotkey: the commitment's uid field is the current one.
		uid, ok := uidOf[c.Hotkey]
		if !ok {
			continue
		}
		c.UID = uid
		if c.Block > s.seed || s.seed-c.Block < cfg.EvalBlockDelay {
			continue // too new for this seed: every validator skips it alike
		}
		id, err := modelid.Parse(c.Text)
		if err != nil {
			if !v.logged[c.Hotkey+"\x00"+c.Text] {
				v.logged[c.Hotkey+"\x00"+c.Text] = true
				v.log.Warn("malformed commitment ignored", "uid", c.UID, "hotkey", c.Hotkey, "reason", err)
			}
			s.rep.Rejected = append(s.rep.Rejected, Rejected{UID: uint16(c.UID), Hotkey: c.Hotkey, Commitment: clip(c.Text), Reason: err.Error()})
			v.m.rejected.WithLabelValues("commitment").Inc()
			continue
		}
		if id.CompetitionID != s.k.ID {
			continue
		}
		cands = append(cands, candidate{uid: uint16(c.UID), hotkey: c.Hotkey, c: id, raw: c.Text, block: c.Block})
	}
	sort.Slice(cands, func(a, b int) bool { return cands[a].uid < cands[b].uid })
	return cands
}

// fetchAndCheck is phase 2: each picked model is downloaded (or found in the
// verified cache) and checked. A rule violation is remembered with the
// commitment and reported; a transient failure skips the model this step
// and is noted in the seed block's results, to be retried while the seed
// block is in the window. A model whose losses at this seed block are in
// its results already needs no download (a resumed or retried seed block).
func (v *Validator) fetchAndCheck(ctx context.Context, s *step, picked []candidate) ([]fetched, error) {
	st := s.st
	var models []fetched
	s.res.Skipped = nil
	for _, c := range picked {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if r := s.res.find(c.hotkey, c.raw, c.block); r != nil && r.UID == c.uid {
			models = append(models, fetched{c, ""})
			continue
		}
		r := st.Models[c.hotkey]
		same := r != nil && r.Commitment == c.raw && r.Block == c.block
		if same && r.Rejected != "" {
			continue // rejected before: not retried until the commitment changes
		}
		rec := &Record{UID: c.uid, Hotkey: c.hotkey, Commitment: c.raw, Block: c.block, Competition: s.k.ID}
		if same {
			rec.EvalSeed, rec.MeanLoss, rec.WinRate = r.EvalSeed, r.MeanLoss, r.WinRate
		}
		var dir string
		var err error
		if same && r.Dir != "" && dirExists(r.Dir) {
			dir = r.Dir // verified before (the cache index); the cache is content-addressed
		} else {
			if r != nil && !same {
				s.dropped = append(s.dropped, r.Dir) // the miner recommitted
			}
			dir, err = v.fetch(ctx, s.k, s.tok, c)
		}
		switch {
		case err == nil:
			rec.Dir = dir
			st.Models[c.hotkey] = rec
			models = append(models, fetched{c, dir})
		case evaluate.IsRejection(err):
			rec.Rejected = err.Error()
			st.Models[c.hotkey] = rec
			v.reject(s, c, err)
		case ctx.Err() != nil:
			return nil, ctx.Err()
		default:
			skip := Rejected{UID: c.uid, Hotkey: c.hotkey, Commitment: c.raw, Reason: err.Error()}
			s.rep.Skipped = append(s.rep.Skipped, skip)
			s.res.Skipped = append(s.res.Skipped, skip)
			v.log.Warn("model skipped at this seed block (retried while it is in the window)", "seed", s.seed, "uid", c.uid,
				"hotkey", c.hotkey, "error", err)
		}
	}
	return models, nil
}

// reject reports a model that broke a rule.
func (v *Validator) reject(s *step, c candidate, err error) {
	s.rep.Rejected = append(s.rep.Rejected, Rejected{UID: c.uid, Hotkey: c.hotkey, Commitment: c.raw, Reason: err.Error()})
	v.m.rejected.WithLabelValues("model").Inc()
	v.log.Warn("model rejected", "uid", c.uid, "hotkey", c.hotkey, "commitment", c.raw, "reason", err)
}

// fetch checks the revision size, downloads, verifies the salted hash and
// the model constraints; it returns the snapshot directory.
func (v *Validator) fetch(ctx context.Context, k *competition.Competition, tok *tokenizer.Tokenizer, c candidate) (string, error) {
	repo := c.c.RepoID()
	info, err := v.o.Hub.Info(ctx, repo, c.c.Revision)
	if err != nil {
		if errors.Is(err, hub.ErrNotFound) {
			// Not remembered as a rejection: a miner's repo is private for a block
			// or two while it republishes, and a validator that cached "rejected"
			// then would disagree with one that fetched a moment later.
			return "", fmt.Errorf("revision %s of %s not found on the hub (retried next step): %w", c.c.Revision, repo, err)
		}
		return "", err
	}
	if n := info.TotalSize(); n > k.MaxBytes {
		return "", &evaluate.Rejection{Reason: fmt.Sprintf("revision is %d bytes, limit %d (checked before download)", n, k.MaxBytes)}
	}
	snap, err := v.o.Hub.Download(ctx, repo, c.c.Revision, "", nil)
	if err != nil {
		if errors.Is(err, hub.ErrTooLarge) || errors.Is(err, hub.ErrInvalid) {
			return "", &evaluate.Rejection{Reason: "download: " + err.Error()}
		}
		return "", err
	}
	h, err := hub.DirHash(snap.Dir)
	if err != nil {
		return "", err
	}
	if s := hub.SecureHash(h, c.hotkey); s != c.c.Hash {
		return "", &evaluate.Rejection{Reason: fmt.Sprintf("hash mismatch: files hash to %s salted with the hotkey, commitment says %s", s, c.c.Hash)}
	}
	// Config-level rules now; weight-level rules (finite, norms) when the
	// model is loaded for evaluation, so each model is loaded once.
	if _, err := evaluate.CheckConfig(snap.Dir, k, tok); err != nil {
		return "", err
	}
	return snap.Dir, nil
}

// errNoSamples: the seed block's data window holds no usable sample.
var errNoSamples = errors.New("no usable samples")

// evalBatch selects the step's evaluation samples from the data window
// ending at the seed block, deterministically from the seed block's hash,
// and tokenizes them once for all models.
func (v *Validator) evalBatch(ctx context.Context, s *step) (evaluate.Batch, error) {
	cfg := &v.o.Config
	since := uint64(0)
	if s.seed > cfg.DataWindow {
		since = s.seed - cfg.DataWindow
	}
	samples, err := v.o.Source.Samples(ctx, since, s.seed)
	if err != nil {
		return evaluate.Batch{}, fmt.Errorf("data window [%d, %d]: %w", since, s.seed, err)
	}
	chosen := data.Select(data.Dedup(samples), s.seedHash, s.k.EvalSamples)
	batch := evaluate.Encode(chosen, s.k, s.tok)
	if len(batch.Encoded) == 0 {
		return evaluate.Batch{}, fmt.Errorf("data window [%d, %d]: %w (%d in window)", since, s.seed, errNoSamples, len(samples))
	}
	s.rep.Samples, s.rep.Tokens = len(batch.Encoded), batch.Tokens
	return batch, nil
}

// evaluate is phase 3: each fetched model's per-sample losses on the batch,
// added to the seed block's results, which are saved after every model: a
// restarted step reuses them instead of computing them again. A model whose
// weights break a rule (non-finite, norms) leaves the step as rejected; one
// whose loss computation fails scores +Inf on every sample. The models come
// back in uid order with their report rows.
func (v *Validator) evaluate(ctx context.Context, s *step, models []fetched, batch evaluate.Batch) ([]scoring.Model, error) {
	if s.res.Samples != len(batch.Encoded) {
		// Cached results of another sample set (the data source changed): void.
		s.res.Models, s.res.Complete = nil, false
	}
	s.res.Samples = len(batch.Encoded)
	var sm []scoring.Model
	for _, mr := range models {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		row := ModelResult{UID: mr.uid, Hotkey: mr.hotkey, Commitment: mr.raw, Block: mr.block}
		cached := s.res.find(mr.hotkey, mr.raw, mr.block)
		if cached != nil && cached.UID == mr.uid {
			row.Failed, row.Cached = cached.Failed, true
			losses := cached.Losses()
			row.MeanLoss = evaluate.Mean(losses)
			s.rep.Models = append(s.rep.Models, row)
			sm = append(sm, scoring.Model{UID: mr.uid, Block: mr.block, Losses: losses})
			continue
		}
		if v.o.BeforeEvaluate != nil {
			v.o.BeforeEvaluate(mr.uid)
		}
		losses, err := v.losses(ctx, s, mr, batch)
		switch {
		case err != nil && evaluate.IsRejection(err):
			s.st.Models[mr.hotkey].Rejected = err.Error()
			s.st.Models[mr.hotkey].Dir = ""
			s.dropped = append(s.dropped, mr.dir)
			v.reject(s, mr.candidate, err)
			continue
		case err != nil && ctx.Err() != nil:
			return nil, ctx.Err()
		}
		if err != nil {
			row.Failed = err.Error()
			losses = evaluate.InfLosses(len(batch.Encoded))
			v.log.Warn("loss computation failed; scored +Inf", "uid", mr.uid, "error", err)
		}
		row.MeanLoss = evaluate.Mean(losses)
		s.rep.Models = append(s.rep.Models, row)
		sm = append(sm, scoring.Model{UID: mr.uid, Block: mr.block, Losses: losses})
		s.res.put(SeedResult{UID: mr.uid, Hotkey: mr.hotkey, Commitment: mr.raw, Block: mr.block, LossBits: lossBits(losses), Failed: row.Failed})
		if err := s.res.save(v.o.DataDir); err != nil {
			return nil, fmt.Errorf("save results of seed %d: %w", s.seed, err)
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	// Only this step's models count (a cached model since rejected or
	// recommitted does not).
	keep := s.res.Models[:0]
	for _, m := range s.res.Models {
		for _, x := range sm {
			if x.UID == m.UID {
				keep = append(keep, m)
				break
			}
		}
	}
	s.res.Models = keep
	return sm, nil
}

// losses loads one model (weight rules checked) and computes its losses,
// or hands the directory to the configured external backend.
func (v *Validator) losses(ctx context.Context, s *step, mr fetched, batch evaluate.Batch) ([]float64, error) {
	if v.o.Backend != nil {
		t0 := time.Now()
		defer func() { s.rep.EvalTime += time.Since(t0) }()
		return v.o.Backend.Losses(ctx, mr.dir, s.k, s.tok, batch)
	}
	t0 := time.Now()
	m, err := evaluate.Load(mr.dir, s.k, s.tok)
	s.rep.LoadTime += time.Since(t0)
	if err != nil {
		return nil, err
	}
	defer m.Close() // unmap 16-bit weights now, not at the next GC
	t1 := time.Now()
	defer func() { s.rep.EvalTime += time.Since(t1) }()
	return evaluate.Losses(m, batch, v.o.EvalBatch)
}

// score is phase 4: the seed block's step weights (pairwise wins with the
// epsilon advantage of the earlier commitment, evaluated at the seed block;
// win rates; softmax), then each competition's weights as the aggregate of
// its last aggregate_seeds seed blocks' results, composed by reward share
// into the subnet weights. Everything here is a pure function of the
// results and the metagraph at the seed block.
func (v *Validator) score(s *step) error {
	st, k, cfg := s.st, s.k, &v.o.Config
	stepW, wins, rates, err := SeedWeights(k, s.res)
	if err != nil {
		return err
	}
	perComp := map[string]map[uint16]float64{}
	for i := range cfg.Competitions {
		c := &cfg.Competitions[i]
		window, err := v.window(s, c.ID)
		if err != nil {
			return err
		}
		if perComp[c.ID], err = AggregateWeights(c, window, s.hotkeys); err != nil {
			return err
		}
		if c.ID == k.ID {
			s.rep.WindowSeeds = len(window)
		}
		s.rep.Missing = append(s.rep.Missing, v.missing(s, c.ID, window)...)
	}
	s.rep.Weights = scoring.Compose(perComp, cfg.Shares())
	for i := range s.rep.Models {
		m := &s.rep.Models[i]
		j := s.res.index(m.UID)
		if j < 0 {
			continue
		}
		m.Wins, m.WinRate, m.StepWeight, m.Weight = wins[j], rates[j], stepW[m.UID], perComp[k.ID][m.UID]
		if r := st.Models[m.Hotkey]; r != nil {
			r.EvalSeed, r.WinRate = s.seed, m.WinRate
			r.MeanLoss = 0
			if !math.IsNaN(m.MeanLoss) && !math.IsInf(m.MeanLoss, 0) {
				r.MeanLoss = m.MeanLoss
			}
		}
	}
	st.LastSeed = s.seed
	return nil
}

// window gathers the completed results of competition comp's window at the
// step's seed block (this step's own results included).
func (v *Validator) window(s *step, comp string) ([]*SeedResults, error) {
	var out []*SeedResults
	for _, t := range windowSeeds(&v.o.Config, comp, s.seed) {
		if t == s.seed {
			out = append(out, s.res)
			continue
		}
		r, err := LoadSeedResults(v.o.DataDir, t)
		if err != nil {
			return nil, err
		}
		if r != nil && r.Complete && r.Competition == comp {
			out = append(out, r)
		}
	}
	return out, nil
}

// commit marks the seed block's results complete, persists them and the
// step's state atomically, makes the state the validator's, and drops what
// left: results older than every window, downloads of models no longer
// evaluated.
func (v *Validator) commit(s *step) error {
	s.res.Complete = true
	if err := s.res.save(v.o.DataDir); err != nil {
		return fmt.Errorf("save results of seed %d: %w", s.seed, err)
	}
	if err := s.st.save(v.o.DataDir); err != nil {
		return fmt.Errorf("save state: %w", err)
	}
	v.mu.Lock()
	v.state = s.st
	v.mu.Unlock()
	cfg := &v.o.Config
	if span := uint64(cfg.AggregateSeeds*len(cfg.Competitions)) * cfg.StepInterval; s.seed > span {
		if err := pruneResults(v.o.DataDir, s.seed-span+1); err != nil {
			v.log.Warn("pruning old results failed", "error", err)
		}
	}
	if !v.o.KeepCache {
		dropDownloads(s.st, s.dropped, v.log)
	}
	return nil
}

// weights is phase 5: every weights_interval blocks the subnet weights go on
// chain, unless a seed block of the window has no results (then they would
// differ from every other validator's: nothing is sent, and the error says
// which seed blocks and until when). A failure is logged, not fatal: the
// step's results stand and the next step tries again.
func (v *Validator) weights(ctx context.Context, s *step, hp chain.Hyperparams) {
	if len(s.rep.Missing) > 0 {
		v.refuseWeights(s)
		return
	}
	last := s.st.LastWeightsBlock
	if last != 0 && s.head-last < v.o.Config.WeightsInterval {
		return
	}
	if err := v.setWeights(ctx, s.head, s.rep.Weights, hp); err != nil {
		v.log.Warn("set weights failed", "error", err)
		return
	}
	s.rep.WeightsSet = true
}

// refuseWeights explains why a step with holes in its window sets no
// weights, and until when: a hole older than the node's state history stays
// until it leaves the window; any other is retried at the next step.
func (v *Validator) refuseWeights(s *step) {
	var seeds, pruned []uint64
	reason := s.rep.Missing[0].Reason
	for _, m := range s.rep.Missing {
		seeds = append(seeds, m.Seed)
		if m.Pruned {
			pruned = append(pruned, m.Seed)
		}
	}
	if len(pruned) > 0 {
		v.log.Error("not setting weights: this validator is behind beyond the node's state history, and weights from a partial window would differ from every other validator's",
			"seed", s.seed, "missing", fmt.Sprint(seeds), "reason", reason, "weights_again_from_seed", v.leavesWindow(slices.Max(pruned)))
		return
	}
	v.log.Error("not setting weights: seed blocks of the window have no results (retried at the next step), and weights from a partial window would differ from every other validator's",
		"seed", s.seed, "missing", fmt.Sprint(seeds), "reason", reason)
}

// warnIfBehind logs when the chain reached a later seed block during the
// step: the next step catches up the ones in its window (and if every step
// outlasts the step interval, the validator's weights are always those of
// an older seed block than other validators' — the same as theirs were).
func (v *Validator) warnIfBehind(ctx context.Context, s *step) {
	head, err := v.o.Chain.LatestBlock(ctx)
	if err != nil {
		return
	}
	if now := v.o.Config.SeedBlock(head.Height); now > s.seed {
		v.log.Warn("step outlasted the step interval; the next step catches up the seed blocks it passed", "seed", s.seed,
			"latest_seed", now, "seeds_behind", (now-s.seed)/v.o.Config.StepInterval, "took", s.rep.Total.Round(time.Millisecond))
	}
}
