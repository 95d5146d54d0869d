package e2e

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/taonet/taonet/keys"
	"github.com/taonet/taonet/subnets/finetuning/miner"
	"github.com/taonet/taonet/subnets/finetuning/validator"
)

// TestValidatorsAgree is issue 14's scenario on a real node and hub: three
// finetuning validators, A from the start, B started K seed blocks late, C
// killed in the middle of a step and restarted with its state deleted; a
// miner recommits right after a seed block. Every validator judges that
// seed block by the commitment in force at it (however late it steps), the
// per-seed results are identical, and the late and restarted validators
// agree with A at their first step: they catch up the seed blocks of the
// window they lack through the node's ?height= queries. Finally B and C skip
// a seed block A steps at (as a step outlasting the step interval would),
// and all three still set identical weight vectors, in their reports and
// on chain.
func TestValidatorsAgree(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	ka, kb, kc := key(t, "//Alice//va"), key(t, "//Alice//vb"), key(t, "//Alice//vc")
	m := []*keys.Keypair{key(t, "//Alice//ma"), key(t, "//Alice//mb"), key(t, "//Alice//mc")}
	n := setup(t, ctx, m, []*keys.Keypair{ka, kb, kc})
	const K = 3
	n.cfg.AggregateSeeds = K
	k := &n.cfg.Competitions[0]
	tok, _ := n.cfg.LoadTokenizer(k)
	base := filepath.Join(t.TempDir(), "base")
	if err := miner.InitModel(base, tinyConfig(32), 1, tok); err != nil {
		t.Fatal(err)
	}
	for i, steps := range []int{0, 6, 30} {
		if err := n.publish(m[i], fmt.Sprintf("m%d", i), n.train(base, steps, uint64(i+1))); err != nil {
			t.Fatal(err)
		}
	}
	better := n.train(base, 60, 9) // mb's next model

	logs := map[string]*syncBuf{"A": {}, "B": {}, "C": {}}
	dirs := map[string]string{"A": t.TempDir(), "B": t.TempDir(), "C": t.TempDir()}
	signer := map[string]*keys.Keypair{"A": ka, "B": kb, "C": kc}
	vals := map[string]*validator.Validator{}
	start := func(name string, hook func(uint16)) {
		vals[name] = n.validator(signer[name], dirs[name], logs[name], hook)
	}
	// step runs the named validators at one seed block, concurrently.
	step := func(seed uint64, names ...string) map[string]*validator.StepReport {
		t.Helper()
		reps := map[string]*validator.StepReport{}
		var mu sync.Mutex
		var wg sync.WaitGroup
		errs := map[string]error{}
		for _, name := range names {
			wg.Add(1)
			go func(name string) {
				defer wg.Done()
				rep, err := vals[name].StepAt(ctx, seed)
				mu.Lock()
				reps[name], errs[name] = rep, err
				mu.Unlock()
			}(name)
		}
		wg.Wait()
		for name, err := range errs {
			if err != nil {
				t.Fatalf("validator %s at seed %d: %v\n%s", name, seed, err, logs[name])
			}
		}
		return reps
	}
	commitmentOf := func(r *validator.StepReport, uid uint16) string {
		for _, x := range r.Models {
			if x.UID == uid {
				return x.Commitment
			}
		}
		return ""
	}
	sameResults := func(seed uint64, a, b string) {
		t.Helper()
		ra, _ := validator.LoadSeedResults(dirs[a], seed)
		rb, _ := validator.LoadSeedResults(dirs[b], seed)
		if ra == nil || rb == nil || fmt.Sprint(ra.Models) != fmt.Sprint(rb.Models) {
			t.Fatalf("seed %d: results of %s and %s differ:\n%+v\n%+v", seed, a, b, ra, rb)
		}
	}

	start("A", nil)
	start("C", nil)

	s1 := n.nextSeed()
	step(s1, "A", "C")
	s2 := n.seedAfter(s1)
	step(s2, "A", "C")
	sameResults(s2, "A", "C")

	// Seed 3: miner mb recommits right after the seed block; every
	// validator steps after the recommitment is on chain.
	s3 := n.seedAfter(s2)
	oldCommit := ""
	if mg, err := n.c.CommitmentsAt(ctx, n.netuid, s3); err == nil {
		for _, c := range mg {
			if c.Hotkey == m[1].SS58Address() {
				oldCommit = c.Text
			}
		}
	}
	if err := n.publish(m[1], "m1", better); err != nil {
		t.Fatal(err)
	}
	latest, err := n.c.Commitments(ctx, n.netuid)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range latest {
		if c.Hotkey == m[1].SS58Address() && (c.Block <= s3 || c.Text == oldCommit) {
			t.Fatalf("setup: the recommitment landed at %d, not after seed block %d", c.Block, s3)
		}
	}
	// C is killed in the middle of its step at seed 3 ...
	cctx, ccancel := context.WithCancel(ctx)
	calls := 0
	killed := n.validator(kc, dirs["C"], logs["C"], func(uint16) {
		if calls++; calls == 2 {
			ccancel()
		}
	})
	if _, err := killed.StepAt(cctx, s3); !errors.Is(err, context.Canceled) {
		t.Fatalf("killed step: %v", err)
	}
	// ... and restarted with its state deleted.
	if err := os.RemoveAll(dirs["C"]); err != nil {
		t.Fatal(err)
	}
	start("C", nil)
	r3 := step(s3, "A", "C")
	sameWeights := func(r map[string]*validator.StepReport, seed uint64, names ...string) {
		t.Helper()
		for _, name := range names {
			if r[name].WindowSeeds != K || len(r[name].Missing) != 0 || fmt.Sprint(r[name].Weights) != fmt.Sprint(r["A"].Weights) {
				t.Fatalf("seed %d: %s (window %d, missing %v) disagrees with A:\n%v\n%v\n%s", seed, name, r[name].WindowSeeds,
					r[name].Missing, r[name].Weights, r["A"].Weights, logs[name])
			}
		}
	}
	// C, restarted without state, caught up the two earlier seed blocks of
	// its window and agrees at once.
	if len(r3["C"].CaughtUp) != K-1 {
		t.Fatalf("restarted C caught up %+v, want the %d seed blocks before %d", r3["C"].CaughtUp, K-1, s3)
	}
	sameWeights(r3, s3, "C")
	uidB := n.uid(m[1])
	for name, r := range r3 {
		if got := commitmentOf(r, uidB); got != oldCommit {
			t.Fatalf("validator %s judged seed %d by %q, want the commitment in force then, %q", name, s3, got, oldCommit)
		}
	}
	sameResults(s3, "A", "C")

	// B starts K seed blocks late; everyone now sees mb's new model.
	s4 := n.nextSeed()
	start("B", nil)
	r4 := step(s4, "A", "B", "C")
	for name, r := range r4 {
		if got := commitmentOf(r, uidB); got == oldCommit || got == "" {
			t.Fatalf("validator %s at seed %d still judges mb by %q", name, s4, got)
		}
	}
	sameResults(s4, "A", "B")
	// B never stepped before: it caught up the K-1 earlier seed blocks of
	// its window (seed blocks it was not running at) and agrees at once.
	if len(r4["B"].CaughtUp) != K-1 {
		t.Fatalf("late B caught up %+v, want the %d seed blocks before %d", r4["B"].CaughtUp, K-1, s4)
	}
	sameWeights(r4, s4, "B", "C")
	// B and C skip the next seed block (a step outlasting the interval);
	// at the one after, they catch it up and agree with A, which stepped at
	// both.
	s5 := n.seedAfter(s4)
	step(s5, "A")
	s6 := n.seedAfter(s5)
	last := step(s6, "A", "B", "C")
	for _, name := range []string{"B", "C"} {
		if len(last[name].CaughtUp) != 1 || last[name].CaughtUp[0].Seed != s5 {
			t.Fatalf("%s at %d caught up %+v, want the skipped seed block %d", name, s6, last[name].CaughtUp, s5)
		}
		sameResults(s5, "A", name)
	}
	sameWeights(last, s6, "B", "C")
	for _, name := range []string{"A", "B", "C"} {
		if !last[name].WeightsSet {
			t.Fatalf("%s did not set weights\n%s", name, logs[name])
		}
	}
	mg, err := n.c.Metagraph(ctx, n.netuid)
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string]string{}
	for name, k := range signer {
		rows[name] = fmt.Sprint(mg.Weights[n.uid(k)])
	}
	if rows["A"] == "[]" || rows["A"] != rows["B"] || rows["A"] != rows["C"] {
		t.Fatalf("on-chain weight rows differ:\n%s", strings.Join([]string{rows["A"], rows["B"], rows["C"]}, "\n"))
	}
	t.Logf("agreed weights at seed block %d: %v; on chain %s", s6, last["A"].Weights, rows["A"])
}
