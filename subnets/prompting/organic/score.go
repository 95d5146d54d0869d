package organic

import (
	"context"
	"errors"

	"github.com/taonet/taonet/subnets/prompting/embed"
	"github.com/taonet/taonet/subnets/prompting/protocol"
	"github.com/taonet/taonet/subnets/prompting/rewards"
	"github.com/taonet/taonet/subnets/prompting/tasks"
)

// ReferenceScorer scores organic answers the way the validator scores its
// generic task (upstream's organic scoring reuses the task rewards): the
// LLM answers the same conversation, and the miner's answer is scored
// against that reference with ROUGE-1 (0.25) and relevance (0.75), with
// the penalty for echoing the question.
func ReferenceScorer(llm tasks.LLM, emb embed.Embedder) Scorer {
	return func(ctx context.Context, conv *protocol.StreamPrompting, answer string) (float64, error) {
		if llm == nil || emb == nil {
			return 0, errors.New("organic: scoring needs an LLM and an embedder")
		}
		var msgs []tasks.Message
		for i, m := range conv.Messages {
			msgs = append(msgs, tasks.Message{Role: conv.Roles[i], Content: m})
		}
		ref, err := llm.Chat(ctx, msgs, tasks.DefaultChatOptions())
		if err != nil {
			return 0, err
		}
		res, err := rewards.ScoreTask(ctx, emb, tasks.Generic, ref, conv.LastUser(), []rewards.Completion{{Text: answer}})
		if err != nil {
			return 0, err
		}
		return res[0].Total, nil
	}
}
