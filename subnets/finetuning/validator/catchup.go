package validator

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/taonet/taonet/node"
)

// Catching up: a step's weights aggregate the results of every seed block of
// its window (windowSeeds), so a validator that missed one — its previous
// step outlasted the step interval, it started after the window's first
// seed block, or it lost its results — would aggregate another set than
// every other validator and set other weights for the next K steps. Before
// each step the validator therefore evaluates every seed block of the
// step's window that has no complete results on disk, oldest first, against
// the chain as of that block (MetagraphAt, CommitmentsAt: the node's state
// history), exactly as a step there would have. The work is bounded by the
// window (at most aggregate_seeds × competitions − 1 seed blocks per step);
// seed blocks older than the window are never evaluated. A seed block whose
// results skipped a model for a transient failure (hub unreachable,
// revision not found) is stale too: the skipped models are retried (the
// others' losses come from the results), so a validator whose hub failed
// for a moment comes back to the others' results while the seed block is
// still in the window.
//
// A seed block that cannot be evaluated (older than the node's state
// history, or a node or data-source failure) leaves a hole, and with a hole
// the validator does not set weights at that step (see weights): weights
// from a partial window would differ from every other validator's, which
// costs the miners their agreed incentive and this validator its trust;
// keeping its last weights on chain until the hole leaves the window (at
// most aggregate_seeds × competitions steps later) costs neither. Two
// outcomes are the same on every validator and so are results, not holes:
// a subnet not registered at the seed block, and a data window without
// usable samples at a seed block the validator catches up (at its newest
// seed block the step fails instead and is retried, since data for the
// newest window may still be arriving).

// CaughtUp is a seed block of the window evaluated late, before the step.
type CaughtUp struct {
	Seed   uint64
	Models int
	// Note says why the seed block has no models (subnet not registered at
	// it, no usable samples in its data window), if so.
	Note string
	// Skipped counts the models still skipped for a transient failure
	// (retried at the next step while the seed block is in the window).
	Skipped int
	Took    time.Duration
}

// Missing is a seed block of the step's window without results, and why:
// the validator does not set weights while its window has one.
type Missing struct {
	Seed   uint64
	Reason string
	// Pruned is set when the seed block is older than the node's state
	// history: only a node keeping more history (taonet chain start
	// --state-history, or a subtensor archive node) can serve it.
	Pruned bool
}

// staleSeeds lists the seed blocks of the windows at seed (every
// competition's) older than seed that have no complete results on disk, or
// whose results skipped a model for a transient failure, oldest first.
func (v *Validator) staleSeeds(seed uint64) ([]uint64, error) {
	cfg := &v.o.Config
	var out []uint64
	// The union of every competition's window: the last aggregate_seeds ×
	// competitions seed blocks, as competitions alternate seed by seed.
	n := uint64(cfg.AggregateSeeds * len(cfg.Competitions))
	for i := n - 1; i >= 1; i-- {
		if i*cfg.StepInterval >= seed {
			continue
		}
		t := seed - i*cfg.StepInterval
		r, err := LoadSeedResults(v.o.DataDir, t)
		if err != nil {
			return nil, err
		}
		if r == nil || !r.Complete || r.Competition != v.competitionAt(t).ID || len(r.Skipped) > 0 {
			out = append(out, t)
		}
	}
	return out, nil
}

// catchUp evaluates the stale seed blocks of s's window, oldest first, and
// records in s which ones failed and why. Only a cancelled context is an
// error: a seed block that fails is a hole the step reports.
func (v *Validator) catchUp(ctx context.Context, s *step) error {
	todo, err := v.staleSeeds(s.seed)
	if err != nil || len(todo) == 0 {
		return err
	}
	v.log.Info("catching up seed blocks of the window without results", "step_seed", s.seed, "seeds", fmt.Sprint(todo))
	s.failed = map[uint64]Missing{}
	for i, t := range todo {
		if err := ctx.Err(); err != nil {
			return err
		}
		t0 := time.Now()
		res, err := v.evaluateSeed(ctx, t, s.head)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err != nil {
			m := Missing{Seed: t, Reason: err.Error(), Pruned: errors.Is(err, node.ErrHeightPruned)}
			if m.Pruned {
				m.Reason = fmt.Sprintf("older than the node's state history (a node keeping more can serve it: taonet chain start --state-history, or a subtensor archive node): %v", err)
			}
			s.failed[t] = m
			v.log.Error("seed block of the window could not be evaluated", "seed", t, "step_seed", s.seed, "reason", m.Reason)
			continue
		}
		c := CaughtUp{Seed: t, Models: len(res.Models), Note: res.Note, Skipped: len(res.Skipped), Took: time.Since(t0)}
		s.rep.CaughtUp = append(s.rep.CaughtUp, c)
		v.log.Info("seed block caught up", "seed", t, "done", i+1, "of", len(todo), "competition", res.Competition,
			"models", c.Models, "skipped", c.Skipped, "note", c.Note, "took", c.Took.Round(time.Millisecond))
	}
	// The step goes on from the state the caught-up seed blocks left.
	s.st = v.State()
	return nil
}

// evaluateSeed runs the phases up to evaluate at a past seed block of the
// window and saves its results complete, with the state's model records
// (downloads, rejections); the last step's seed and weights are untouched.
// A subnet not registered at the seed block and an empty data window are
// the same on every validator: results without models, with the reason.
func (v *Validator) evaluateSeed(ctx context.Context, seed, head uint64) (*SeedResults, error) {
	s, err := v.openStep(ctx, seed, head)
	if err != nil {
		return nil, err
	}
	_, err = v.evaluateAt(ctx, s)
	switch {
	case errors.Is(err, node.ErrNotFound):
		s.res.Models, s.res.Skipped = nil, nil
		return v.finishSeed(s, fmt.Sprintf("subnet %d not registered at block %d", v.o.Netuid, seed))
	case errors.Is(err, errNoSamples):
		s.res.Models, s.res.Skipped = nil, nil
		return v.finishSeed(s, err.Error())
	case err != nil:
		return nil, err
	}
	return v.finishSeed(s, "")
}

// finishSeed saves a caught-up seed block's results as complete and keeps
// the model records its phases updated.
func (v *Validator) finishSeed(s *step, note string) (*SeedResults, error) {
	s.res.Note, s.res.Complete = note, true
	if err := s.res.save(v.o.DataDir); err != nil {
		return nil, fmt.Errorf("save results of seed %d: %w", s.seed, err)
	}
	if err := v.update(func(st *State) { st.Models = s.st.Models }); err != nil {
		return nil, fmt.Errorf("save state: %w", err)
	}
	return s.res, nil
}

// missing lists the seed blocks of competition comp's window at s's seed
// that have no complete results, with the reason catchUp recorded.
func (v *Validator) missing(s *step, comp string, have []*SeedResults) []Missing {
	got := map[uint64]bool{}
	for _, r := range have {
		got[r.Seed] = true
	}
	var out []Missing
	for _, t := range windowSeeds(&v.o.Config, comp, s.seed) {
		if got[t] {
			continue
		}
		m, ok := s.failed[t]
		if !ok {
			m = Missing{Seed: t, Reason: "no results"}
		}
		out = append(out, m)
	}
	return out
}

// leavesWindow is the first seed block whose windows no longer hold seed.
func (v *Validator) leavesWindow(seed uint64) uint64 {
	cfg := &v.o.Config
	return seed + uint64(cfg.AggregateSeeds*len(cfg.Competitions))*cfg.StepInterval
}
