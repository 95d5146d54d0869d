package validator

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/taonet/taonet/chain"
	"github.com/taonet/taonet/hub"
	"github.com/taonet/taonet/keys"
	"github.com/taonet/taonet/node"
	"github.com/taonet/taonet/subnets/finetuning/competition"
	"github.com/taonet/taonet/subnets/finetuning/data"
	"github.com/taonet/taonet/subnets/finetuning/modelid"
)

// world is a chain's history for the catch-up tests: the hotkeys, every
// commitment ever made (with its block), the block the subnet was
// registered at, and per-height block hashes. Each validator reads it
// through its own histChain, with its own head.
type world struct {
	hotkeys      []string
	coms         []chain.Commitment
	registeredAt uint64
	dirs         map[string]string // hub repo -> model directory
}

// histChain answers state queries at past heights from a world, like a node
// keeping `history` blocks of state (0: all), and records submissions.
type histChain struct {
	w       *world
	history uint64
	mu      sync.Mutex
	head    uint64
	calls   []chain.Call
	down    map[uint64]bool // heights whose state queries fail (a node error)
}

func (c *histChain) Head() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.head
}

func (c *histChain) SetHead(h uint64) {
	c.mu.Lock()
	c.head = h
	c.mu.Unlock()
}

func (c *histChain) LatestBlock(context.Context) (node.BlockSummary, error) {
	h := c.Head()
	return node.BlockSummary{Height: h, Hash: blockHash(h)}, nil
}

func blockHash(h uint64) string {
	s := sha256.Sum256([]byte(fmt.Sprint("block ", h)))
	return hex.EncodeToString(s[:])
}

func (c *histChain) Block(_ context.Context, h uint64) (node.BlockSummary, error) {
	if h > c.Head() {
		return node.BlockSummary{}, fmt.Errorf("block %d: %w", h, node.ErrHeightFuture)
	}
	return node.BlockSummary{Height: h, Hash: blockHash(h)}, nil
}

// at checks a past height against the head, the history and the subnet.
func (c *histChain) at(h uint64) error {
	head := c.Head()
	switch {
	case h > head:
		return fmt.Errorf("height %d: %w", h, node.ErrHeightFuture)
	case c.history > 0 && h+c.history < head:
		return fmt.Errorf("height %d (head %d): %w", h, head, node.ErrHeightPruned)
	case h < c.w.registeredAt:
		return fmt.Errorf("subnet at %d: %w", h, node.ErrNotFound)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.down[h] {
		return fmt.Errorf("state at %d: node error 500", h)
	}
	return nil
}

func (c *histChain) Metagraph(ctx context.Context, n uint16) (*chain.Metagraph, error) {
	return c.MetagraphAt(ctx, n, c.Head())
}

func (c *histChain) MetagraphAt(_ context.Context, _ uint16, h uint64) (*chain.Metagraph, error) {
	if err := c.at(h); err != nil {
		return nil, err
	}
	return &chain.Metagraph{Block: h, Hotkeys: c.w.hotkeys}, nil
}

// CommitmentsAt returns each hotkey's last commitment at or before h.
func (c *histChain) CommitmentsAt(_ context.Context, _ uint16, h uint64) ([]chain.Commitment, error) {
	if err := c.at(h); err != nil {
		return nil, err
	}
	last := map[string]chain.Commitment{}
	for _, cm := range c.w.coms {
		if cm.Block <= h {
			last[cm.Hotkey] = cm
		}
	}
	var out []chain.Commitment
	for _, cm := range last {
		out = append(out, cm)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Hotkey < out[j].Hotkey })
	return out, nil
}

func (c *histChain) Submit(_ context.Context, _ chain.Signer, call chain.Call) (*node.TxOutcome, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.calls = append(c.calls, call)
	return &node.TxOutcome{Height: c.head + 1}, nil
}

func (c *histChain) submitted() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.calls)
}

// dirHub serves the world's model directories as hub snapshots.
type dirHub struct{ w *world }

func (h dirHub) Info(_ context.Context, repo, _ string) (*hub.RepoInfo, error) {
	if _, ok := h.w.dirs[repo]; !ok {
		return nil, fmt.Errorf("%s: %w", repo, hub.ErrNotFound)
	}
	return &hub.RepoInfo{ID: repo, Siblings: []hub.Sibling{{RFilename: "model.safetensors", Size: 1}}}, nil
}

func (h dirHub) Download(_ context.Context, repo, rev, _ string, _ func(int64, int64)) (*hub.Snapshot, error) {
	return &hub.Snapshot{Repo: repo, Revision: rev, Dir: h.w.dirs[repo]}, nil
}

// catchUpWorld: two competitions (a1 at even tens, b2 at odd tens), two
// tiny models each, and uid 1 recommitting a new model at block 45, so
// every seed block has its own samples and seed blocks before and after 45
// judge different models.
func catchUpWorld(t *testing.T) (*world, competition.Config, string) {
	t.Helper()
	cfg := byteConfig(t)
	cfg.AggregateSeeds, cfg.WeightsInterval = 2, 1
	for i := range cfg.Competitions {
		cfg.Competitions[i].EvalSamples = 5
	}
	w := &world{hotkeys: []string{"hk0", "hk1", "hk2", "hk3"}, dirs: map[string]string{}}
	commit := func(uid int, name, comp string, block, seed uint64) {
		dir := tinyModelDir(t, seed, nil)
		h, err := hub.DirHash(dir)
		if err != nil {
			t.Fatal(err)
		}
		c, err := modelid.New("ns", name, strings.Repeat("ab", 20), h, w.hotkeys[uid], comp)
		if err != nil {
			t.Fatal(err)
		}
		w.dirs["ns/"+name] = dir
		w.coms = append(w.coms, chain.Commitment{Hotkey: w.hotkeys[uid], UID: uid, Block: block, Text: c.String()})
	}
	commit(0, "zero", "a1", 2, 11)
	commit(1, "one", "a1", 3, 12)
	commit(2, "two", "b2", 4, 13)
	commit(3, "three", "b2", 5, 14)
	commit(1, "one-b", "a1", 45, 15)

	samples := filepath.Join(t.TempDir(), "data.jsonl")
	var lines []data.Sample
	for i := 0; i < 30; i++ {
		lines = append(lines, data.Sample{Prompt: fmt.Sprintf("q%d?", i), Response: fmt.Sprintf("a%d.", i*7%13)})
	}
	if err := os.WriteFile(samples, data.WriteJSONL(lines), 0o644); err != nil {
		t.Fatal(err)
	}
	return w, cfg, samples
}

func catchUpValidator(t *testing.T, cfg competition.Config, c *histChain, samples string, hook func(uint16)) (*Validator, *syncLog) {
	t.Helper()
	alice, err := keys.FromURI("//Alice")
	if err != nil {
		t.Fatal(err)
	}
	lg := &syncLog{}
	v, err := New(Options{Config: cfg, Chain: c, Hub: dirHub{c.w}, Source: data.NewJSONL(samples), DataDir: t.TempDir(),
		SetWeights: true, Signer: alice, BeforeEvaluate: hook, Logger: lg.logger()})
	if err != nil {
		t.Fatal(err)
	}
	return v, lg
}

// steadyReports steps a validator that never skips at every seed block
// from first to last and returns its reports by seed block (only its first
// step may catch up: the seed blocks before first).
func steadyReports(t *testing.T, w *world, cfg competition.Config, samples string, first, last uint64) (map[uint64]*StepReport, *Validator) {
	t.Helper()
	c := &histChain{w: w}
	v, _ := catchUpValidator(t, cfg, c, samples, nil)
	reps := map[uint64]*StepReport{}
	for seed := first; seed <= last; seed += cfg.StepInterval {
		c.SetHead(seed + 1)
		rep, err := v.StepAt(context.Background(), seed)
		if err != nil {
			t.Fatalf("steady validator at %d: %v", seed, err)
		}
		if (seed > first && len(rep.CaughtUp) != 0) || len(rep.Missing) != 0 {
			t.Fatalf("steady validator at %d caught up %v, missing %v", seed, rep.CaughtUp, rep.Missing)
		}
		reps[seed] = rep
	}
	return reps, v
}

// syncLog collects a validator's log lines.
type syncLog struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *syncLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *syncLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func (l *syncLog) logger() *slog.Logger { return slog.New(slog.NewTextHandler(l, nil)) }

// TestCatchUpSkippedSeeds: a validator whose steps outlast the step interval
// (each model's evaluation moves the chain 9 blocks on, so every step skips
// seed blocks) sets, at every seed block it steps, the weights of a
// validator that stepped at every seed block, bit for bit: it evaluates the
// seed blocks it skipped against the chain as of each, before its step.
func TestCatchUpSkippedSeeds(t *testing.T) {
	w, cfg, samples := catchUpWorld(t)
	c := &histChain{w: w, head: 12}
	slow, lg := catchUpValidator(t, cfg, c, samples, func(uint16) { c.SetHead(c.Head() + 9) })
	ctx := context.Background()
	var reps []*StepReport
	for c.Head() < 150 {
		rep, err := slow.Step(ctx)
		if err != nil {
			t.Fatalf("slow step (head %d): %v\n%s", c.Head(), err, lg)
		}
		reps = append(reps, rep)
	}
	last := reps[len(reps)-1].SeedBlock
	steady, sv := steadyReports(t, w, cfg, samples, cfg.StepInterval, last)
	var stepped []uint64
	caught := 0
	for _, rep := range reps {
		stepped = append(stepped, rep.SeedBlock)
		caught += len(rep.CaughtUp)
		want := steady[rep.SeedBlock]
		if len(rep.Missing) != 0 || rep.WindowSeeds != want.WindowSeeds || !rep.WeightsSet {
			t.Fatalf("slow step at %d: missing %v, window %d (steady %d), weights set %v\n%s", rep.SeedBlock, rep.Missing,
				rep.WindowSeeds, want.WindowSeeds, rep.WeightsSet, lg)
		}
		if got, exp := WeightsKey(rep.Weights), WeightsKey(want.Weights); got != exp {
			t.Fatalf("seed %d: slow validator's weights\n%s\ndiffer from the steady validator's\n%s", rep.SeedBlock, got, exp)
		}
	}
	if caught < 4 || len(stepped) > 8 {
		t.Fatalf("the slow validator stepped at %v and caught up %d seed blocks: the test did not make it skip", stepped, caught)
	}
	// Every window seed block's results are the same bits on both.
	for i := uint64(0); i < 4; i++ {
		seed := last - i*cfg.StepInterval
		a, _ := LoadSeedResults(sv.o.DataDir, seed)
		b, _ := LoadSeedResults(slow.o.DataDir, seed)
		if a == nil || b == nil || fmt.Sprint(a.Models) != fmt.Sprint(b.Models) || a.Samples != b.Samples {
			t.Fatalf("seed %d results differ:\n%+v\n%+v", seed, a, b)
		}
	}
	// Without the caught-up seed blocks the aggregate differs: the agreement
	// above is the catch-up's doing.
	k := slow.competitionAt(last)
	own, _ := LoadSeedResults(slow.o.DataDir, last)
	partial, err := AggregateWeights(k, []*SeedResults{own}, w.hotkeys)
	if err != nil {
		t.Fatal(err)
	}
	full, _ := AggregateWeights(k, mustWindow(t, slow, k.ID, last), w.hotkeys)
	if WeightsKey(partial) == WeightsKey(full) {
		t.Fatalf("seed %d: one seed block gives the window's weights (%v); the test proves nothing", last, full)
	}
	if !strings.Contains(lg.String(), "seed block caught up") || !strings.Contains(lg.String(), "step outlasted the step interval") {
		t.Fatalf("catch-up progress not logged:\n%s", lg)
	}
}

func mustWindow(t *testing.T, v *Validator, comp string, seed uint64) []*SeedResults {
	t.Helper()
	var out []*SeedResults
	for _, s := range windowSeeds(&v.o.Config, comp, seed) {
		r, err := LoadSeedResults(v.o.DataDir, s)
		if err != nil || r == nil {
			t.Fatalf("results of %d: %v", s, err)
		}
		out = append(out, r)
	}
	return out
}

// TestCatchUpBeyondHistory: a validator that starts so late that a seed
// block of its window is older than the node's state history says so and
// sets no weights (they would differ); once that seed block has left the
// window it sets the steady validator's weights bit for bit. A node failure
// at a seed block of the window is a hole retried at the next step. A seed
// block before the subnet was registered is the same empty result
// everywhere, not a hole.
func TestCatchUpBeyondHistory(t *testing.T) {
	w, cfg, samples := catchUpWorld(t)
	w.registeredAt = 15 // seed block 10 predates the subnet
	steady, _ := steadyReports(t, w, cfg, samples, 20, 110)

	c := &histChain{w: w, history: 25, head: 81}
	late, lg := catchUpValidator(t, cfg, c, samples, nil)
	ctx := context.Background()
	rep, err := late.Step(ctx) // seed 80; window 50..80, and 50 is 31 blocks back
	if err != nil {
		t.Fatal(err)
	}
	if rep.WeightsSet || c.submitted() != 0 || len(rep.Missing) != 1 || rep.Missing[0].Seed != 50 || !rep.Missing[0].Pruned {
		t.Fatalf("beyond the history: weights set %v (%d calls), missing %+v", rep.WeightsSet, c.submitted(), rep.Missing)
	}
	if s := lg.String(); !strings.Contains(s, "behind beyond the node's state history") || !strings.Contains(s, "weights_again_from_seed=90") {
		t.Fatalf("refusal not explained:\n%s", s)
	}
	c.SetHead(91)
	rep, err = late.Step(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.WeightsSet || len(rep.Missing) != 0 || WeightsKey(rep.Weights) != WeightsKey(steady[90].Weights) {
		t.Fatalf("at 90: set %v missing %v\n%s\nsteady\n%s", rep.WeightsSet, rep.Missing, WeightsKey(rep.Weights), WeightsKey(steady[90].Weights))
	}

	// A node failure at a seed block of the window is a hole too, retried
	// at the next step.
	c3 := &histChain{w: w, head: 41, down: map[uint64]bool{20: true}}
	flaky, lg3 := catchUpValidator(t, cfg, c3, samples, nil)
	rep, err = flaky.Step(ctx)
	if err != nil || rep.WeightsSet || len(rep.Missing) != 1 || rep.Missing[0].Seed != 20 || rep.Missing[0].Pruned ||
		!strings.Contains(lg3.String(), "retried at the next step") {
		t.Fatalf("node failure at 20: %v, set %v, missing %+v\n%s", err, rep.WeightsSet, rep.Missing, lg3)
	}
	c3.mu.Lock()
	c3.down, c3.head = nil, 51
	c3.mu.Unlock()
	if rep, err = flaky.Step(ctx); err != nil || !rep.WeightsSet || WeightsKey(rep.Weights) != WeightsKey(steady[50].Weights) {
		t.Fatalf("after the node recovered: %v, set %v, caught up %+v", err, rep.WeightsSet, rep.CaughtUp)
	}

	// Registered at 15: a validator starting at seed 30 catches up 10 (no
	// subnet then: an empty result with a note) and 20, and agrees.
	c2 := &histChain{w: w, head: 31}
	fresh, lg2 := catchUpValidator(t, cfg, c2, samples, nil)
	rep, err = fresh.Step(ctx)
	if err != nil {
		t.Fatalf("%v\n%s", err, lg2)
	}
	if len(rep.CaughtUp) != 2 || rep.CaughtUp[0].Seed != 10 || !strings.Contains(rep.CaughtUp[0].Note, "not registered") ||
		rep.CaughtUp[1].Models != 2 || len(rep.Missing) != 0 || WeightsKey(rep.Weights) != WeightsKey(steady[30].Weights) {
		t.Fatalf("fresh at 30: caught up %+v missing %v weights %v, steady %v", rep.CaughtUp, rep.Missing, rep.Weights, steady[30].Weights)
	}
}

// flakyHub fails one repository's requests while down is set.
type flakyHub struct {
	dirHub
	repo string
	mu   sync.Mutex
	down bool
}

func (h *flakyHub) setDown(d bool) {
	h.mu.Lock()
	h.down = d
	h.mu.Unlock()
}

func (h *flakyHub) Info(ctx context.Context, repo, rev string) (*hub.RepoInfo, error) {
	h.mu.Lock()
	down := h.down && repo == h.repo
	h.mu.Unlock()
	if down {
		return nil, fmt.Errorf("%s: connection refused", repo)
	}
	return h.dirHub.Info(ctx, repo, rev)
}

// TestRetrySkippedModel: a validator whose hub fails for one model at one
// seed block differs from the others at that step only: at the next step it
// retries the model at that seed block (still in the window) and its
// weights are the others' again, bit for bit, from then on.
func TestRetrySkippedModel(t *testing.T) {
	w, cfg, samples := catchUpWorld(t)
	steady, sv := steadyReports(t, w, cfg, samples, cfg.StepInterval, 60)
	c := &histChain{w: w}
	fh := &flakyHub{dirHub: dirHub{w}, repo: "ns/two"}
	v, err := New(Options{Config: cfg, Chain: c, Hub: fh, Source: data.NewJSONL(samples), DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	for seed := cfg.StepInterval; seed <= 60; seed += cfg.StepInterval {
		c.SetHead(seed + 1)
		fh.setDown(seed == 10) // b2's first seed block: uid 2's first download fails
		rep, err := v.StepAt(context.Background(), seed)
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		same := WeightsKey(rep.Weights) == WeightsKey(steady[seed].Weights)
		switch {
		case seed == 10 && (same || len(rep.Skipped) != 1 || rep.Skipped[0].UID != 2):
			t.Fatalf("seed 10: skipped %+v, weights equal to the steady validator's: %v", rep.Skipped, same)
		case seed == 20 && (len(rep.CaughtUp) != 1 || rep.CaughtUp[0].Seed != 10 || rep.CaughtUp[0].Skipped != 0):
			t.Fatalf("seed 20: caught up %+v, want seed 10 retried", rep.CaughtUp)
		case seed != 10 && !same:
			t.Fatalf("seed %d: weights\n%s\ndiffer from the steady validator's\n%s", seed, WeightsKey(rep.Weights), WeightsKey(steady[seed].Weights))
		}
	}
	a, _ := LoadSeedResults(sv.o.DataDir, 50)
	b, _ := LoadSeedResults(v.o.DataDir, 50)
	if a == nil || b == nil || fmt.Sprint(a.Models) != fmt.Sprint(b.Models) || len(b.Skipped) != 0 {
		t.Fatalf("seed 50:\n%+v\n%+v", a, b)
	}
}
