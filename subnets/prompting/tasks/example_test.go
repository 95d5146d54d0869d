package tasks_test

import (
	"context"
	"fmt"

	pctx "github.com/taonet/taonet/subnets/prompting/context"
	"github.com/taonet/taonet/subnets/prompting/rewards"
	"github.com/taonet/taonet/subnets/prompting/tasks"
)

// A validator step without an LLM: sample a challenge from a seed, let the
// tool solver answer it, score the answer against the hidden reference.
func ExampleRegistry_Sample() {
	corpus := pctx.Embedded()
	b := tasks.Backends{Articles: corpus, Difficulty: 0.3}
	ch, err := tasks.Default().Sample(context.Background(), 3, b)
	if err != nil {
		panic(err)
	}
	answer := tasks.NewToolSolver(corpus).Answer(ch.Query)
	res, err := rewards.Score(context.Background(), nil, rewards.Input{
		Definition: ch.Rewards, Reference: ch.Reference, Challenge: ch.Query,
		Completions: []rewards.Completion{{Text: answer}},
	})
	if err != nil {
		fmt.Println("needs an embedder for", ch.Task)
		return
	}
	fmt.Println(ch.Task, res[0].Total > 0.5)
	// Output: date_qa true
}
