package miner

import (
	"context"
	"strings"
	"testing"

	pctx "github.com/taonet/taonet/subnets/prompting/context"
	"github.com/taonet/taonet/subnets/prompting/embed"
	"github.com/taonet/taonet/subnets/prompting/protocol"
	"github.com/taonet/taonet/subnets/prompting/rewards"
	"github.com/taonet/taonet/subnets/prompting/tasks"
)

// TestToolMinerQuality scores the tool, echo and noise responders on 120
// offline challenges of the default mix (qa, date_qa, summarization, math)
// and requires the tool miner to beat both baselines on every task.
func TestToolMinerQuality(t *testing.T) {
	reg := tasks.Default()
	be := tasks.Backends{Articles: pctx.Embedded(), Difficulty: 0.3}
	rs := map[string]Responder{"tool": NewTool(nil, nil), "echo": Echo{}, "noise": NewNoise(5)}
	sum := map[string]map[string]float64{}
	count := map[string]int{}
	ctx := context.Background()
	for seed := uint64(1); seed <= 120; seed++ {
		ch, err := reg.Sample(ctx, seed, be)
		if err != nil {
			t.Fatal(err)
		}
		count[ch.Task]++
		for name, r := range rs {
			var b strings.Builder
			if err := r.Respond(ctx, protocol.NewChallenge(ch.Query), func(s string) error { b.WriteString(s); return nil }); err != nil {
				t.Fatal(err)
			}
			res, err := rewards.Score(ctx, embed.Hashed{Dim: 128}, rewards.Input{Definition: ch.Rewards, Reference: ch.Reference,
				Challenge: ch.Query, Completions: []rewards.Completion{{Text: b.String()}}})
			if err != nil {
				t.Fatal(err)
			}
			if sum[ch.Task] == nil {
				sum[ch.Task] = map[string]float64{}
			}
			sum[ch.Task][name] += res[0].Total
		}
	}
	for task, n := range count {
		s := sum[task]
		t.Logf("%-14s n=%3d  tool %.3f  echo %.3f  noise %.3f", task, n, s["tool"]/float64(n), s["echo"]/float64(n), s["noise"]/float64(n))
		if !(s["tool"] > s["echo"] && s["tool"] > s["noise"]) {
			t.Errorf("%s: tool %.3f does not beat echo %.3f / noise %.3f", task, s["tool"], s["echo"], s["noise"])
		}
	}
}
