package tasks

import (
	"testing"

	pctx "github.com/taonet/taonet/subnets/prompting/context"
	"github.com/taonet/taonet/subnets/prompting/rewards"
)

// The offline network is meaningful: on offline challenges the tool solver
// (math calculator + BM25 retrieval over the public corpus) beats a miner
// that echoes the challenge, which beats silence. Relevance is left out
// (it needs an embedder), so only the exact/literal rewards are compared.
func TestToolSolverBeatsEcho(t *testing.T) {
	b := offline(t)
	b.Difficulty = 0.3
	assertToolBeatsEcho(t, b, NewToolSolver(pctx.Embedded()), 400)
}

// assertToolBeatsEcho scores the tool solver and an echo of the challenge on
// the first n seeds' challenges of the default registry (exact/literal
// rewards only, relevance left out) and requires the solver clearly ahead on
// every task but debugging.
func assertToolBeatsEcho(t *testing.T, b Backends, solver *ToolSolver, n uint64) {
	t.Helper()
	r := Default()
	perTask := map[string][2]float64{}
	count := map[string]int{}
	for seed := uint64(0); seed < n; seed++ {
		ch, err := r.Sample(bg, seed, b)
		if err != nil {
			t.Fatal(err)
		}
		def := ch.Rewards
		var rs []rewards.Component
		for _, c := range def.Rewards {
			if c.Model != rewards.ModelRelevance {
				rs = append(rs, c)
			}
		}
		sum := 0.0
		for _, c := range rs {
			sum += c.Weight
		}
		for i := range rs {
			rs[i].Weight /= sum
		}
		def.Rewards = rs
		res, err := rewards.Score(bg, nil, rewards.Input{Definition: def, Reference: ch.Reference, Challenge: ch.Query,
			Completions: []rewards.Completion{{Text: solver.Answer(ch.Query)}, {Text: ch.Query}}})
		if err != nil {
			t.Fatal(err)
		}
		p := perTask[ch.Task]
		p[0] += res[0].Total
		p[1] += res[1].Total
		perTask[ch.Task] = p
		count[ch.Task]++
	}
	for task, p := range perTask {
		tool, echo := p[0]/float64(count[task]), p[1]/float64(count[task])
		t.Logf("%-13s tool %.3f echo %.3f (n=%d)", task, tool, echo, count[task])
		if task != Debugging && !(tool > echo+0.3) {
			t.Errorf("%s: tool %.3f not clearly above echo %.3f", task, tool, echo)
		}
	}
}
