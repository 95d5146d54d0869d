package tasks

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/taonet/taonet/subnets/prompting/persona"
)

// MaxTurns is the highest turn index a conversation reaches (v2.5.1: at
// most one follow-up, PR #251).
const MaxTurns = 1

// ContinueConversation is upstream's stop rule after a scored turn: stop
// with probability 0.5, at MaxTurns, or for sentiment/translation (§3.3).
func ContinueConversation(rng *rand.Rand, task string, turn int) bool {
	return ContinueWith(rng, 0.5, task, turn)
}

// ContinueWith is the stop rule with the probability p of going on (upstream:
// 0.5), for validators that tune how many conversations get a follow-up.
func ContinueWith(rng *rand.Rand, p float64, task string, turn int) bool {
	if rng.Float64() >= p || turn >= MaxTurns || task == Sentiment || task == Translation {
		return false
	}
	return true
}

// AcceptedAnswer picks the assistant message appended to the history: the
// best miner completion or the reference, with probability 0.5 each
// (the reference when there is no usable completion).
func AcceptedAnswer(rng *rand.Rand, best, reference string) string {
	if strings.TrimSpace(best) == "" || rng.Float64() < 0.5 {
		return reference
	}
	return best
}

const followUpQuerySystem = "You are a question-generating expert. Given a conversation between a user and an assistant, " +
	"write the user's next message: one specific follow-up question that continues the dialogue in the same persona and style, " +
	"can be answered from the conversation history, is not a yes/no question, uses pronouns instead of repeating the subject, " +
	"and adds no new information. Reply with the question only."

// FollowUp builds the next turn of a conversation on the same context as
// prev (a question-answering task, §3.3). accepted is the assistant answer
// appended to the history (see AcceptedAnswer). With an LLM the follow-up
// query and reference are generated from the history (the reference may use
// the context); the challenge is the raw query. Without one, another
// factual sentence of the same section becomes a cloze question in the same
// persona (reference = masked span); when the section has no other fact,
// FollowUp fails and the conversation ends.
func FollowUp(ctx context.Context, rng *rand.Rand, b Backends, prev *Challenge, accepted string) (*Challenge, error) {
	if prev == nil {
		return nil, errors.New("tasks: follow-up without a previous turn")
	}
	hist := append(prev.Messages(), Message{Role: "assistant", Content: accepted})
	ch := &Challenge{Task: QA, Context: prev.Context, Persona: prev.Persona, Turn: prev.Turn + 1, History: hist, Seed: prev.Seed}
	if b.LLM != nil {
		var sb strings.Builder
		for _, m := range hist {
			fmt.Fprintf(&sb, "%s: %s\n", m.Role, m.Content)
		}
		q, err := chat(ctx, b.LLM, followUpQuerySystem, "# Conversation history:\n"+sb.String(), RemoveQuotes, PruneEnding, RemoveRoles, FirstQuestion)
		if err != nil {
			return nil, err
		}
		ref, err := chat(ctx, b.LLM, referenceSystem, "Answer the question below using the conversation history first; use the context only if needed.\n\n# Conversation history:\n"+
			sb.String()+"\n# Context:\n"+prev.Context.Content+"\n\n# Question:\n"+q)
		if err != nil {
			return nil, err
		}
		ch.CleanQuery, ch.Query, ch.Reference, ch.LLMGenerated, ch.ChallengeType = q, q, ref, true, ChallengeQuery
	} else {
		// Offline follow-ups ask about the article further; a generated
		// problem, template or code snippet has no other fact to ask.
		switch prev.Context.Source {
		case "math", "template", "code":
			return nil, fmt.Errorf("tasks: no offline follow-up on %s material", prev.Context.Source)
		}
		used := prev.Context.Extra["sentence"]
		var cands []string
		for _, s := range factSentences(prev.Context.Title, prev.Context.Content) {
			if s != used {
				cands = append(cands, s)
			}
		}
		if len(cands) == 0 {
			return nil, fmt.Errorf("tasks: no other fact in %q for a follow-up", prev.Context.Title)
		}
		s := cands[rng.IntN(len(cands))]
		q, ans, _ := ClozeQuestion(prev.Context.Title, s)
		ch.CleanQuery, ch.Reference = "One more: "+q, ans
		ch.Context.Extra = withExtra(prev.Context.Extra, "sentence", s)
		ch.Query = persona.Paraphrase(rng, ch.CleanQuery, prev.Persona, b.Difficulty)
		ch.ChallengeType = ChallengeInference
	}
	d, err := rewardsFor(QA)
	if err != nil {
		return nil, err
	}
	ch.Rewards = d
	return ch, nil
}
