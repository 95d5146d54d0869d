package tasks

import (
	"os"
	"testing"

	pctx "github.com/taonet/taonet/subnets/prompting/context"
	"github.com/taonet/taonet/subnets/prompting/rewards"
)

// The same holds over the Debian Reference corpus (the offline default of
// the CLI and localnet): the tool solver, retrieving from it, clearly beats
// echo on every article task.
func TestToolSolverBeatsEchoDR(t *testing.T) {
	dr, err := pctx.OpenDebianReference(pctx.DebianReferencePath, pctx.CorpusOptions{})
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("debian-reference-en required under CI=true: %v", err)
		}
		t.Skip(err)
	}
	b := offline(t)
	b.Articles = dr
	b.Difficulty = 0.3
	r := Default()
	solver := NewToolSolver(dr)
	perTask := map[string][2]float64{}
	count := map[string]int{}
	for seed := uint64(0); seed < 150; seed++ {
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
