package tasks

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/taonet/taonet/subnets/prompting/persona"
)

// maxLLMOutput bounds what is kept of one LLM answer.
const maxLLMOutput = 8 << 10

// chat calls the LLM and cleans its answer; an empty answer is an error.
func chat(ctx context.Context, llm LLM, system, user string, cs ...Cleaner) (string, error) {
	var msgs []Message
	if system != "" {
		msgs = append(msgs, Message{Role: "system", Content: system})
	}
	msgs = append(msgs, Message{Role: "user", Content: user})
	out, err := llm.Chat(ctx, msgs, DefaultChatOptions())
	if err != nil {
		return "", fmt.Errorf("tasks: llm: %w", err)
	}
	if len(out) > maxLLMOutput {
		out = out[:maxLLMOutput]
	}
	out = strings.ToValidUTF8(out, "")
	out = Clean(out, cs...)
	if out == "" {
		return "", fmt.Errorf("tasks: llm returned an empty answer")
	}
	return out, nil
}

// personaChallenge writes ch.Query from ch.CleanQuery as a persona would:
// role-play with the LLM when there is one (§3.2), persona.Paraphrase
// otherwise.
func personaChallenge(ctx context.Context, rng *rand.Rand, b Backends, ch *Challenge, g persona.Goal, cs ...Cleaner) error {
	return personaChallengeAs(ctx, rng, b, ch, g, ch.CleanQuery, cs...)
}

// personaChallengeAs is personaChallenge where the no-LLM paraphrase starts
// from plain instead of the clean query (for terse static queries).
func personaChallengeAs(ctx context.Context, rng *rand.Rand, b Backends, ch *Challenge, g persona.Goal, plain string, cs ...Cleaner) error {
	p := persona.Random(rng)
	ch.Persona = p
	ch.ChallengeType = ChallengeInference
	g.Query = ch.CleanQuery
	if b.LLM != nil {
		q, err := chat(ctx, b.LLM, p.SystemPrompt(g), persona.UserPrompt, cs...)
		if err != nil {
			return err
		}
		ch.Query = q
		return nil
	}
	ch.Query = persona.Paraphrase(rng, plain, p, b.Difficulty)
	return nil
}

// Template pools of the paraphrase challenges (upstream
// tasks/challenge_templates, abridged).
var (
	templateGreetings = []string{"Hello", "Hi", "Hey", "Hey there", "Good morning", "Good afternoon", "Good evening",
		"Greetings", "Howdy", "Yo", "Hiya", "Hello there", "Hi there", "Salutations", "Good day", "Dear assistant",
		"Hey assistant", "Hi friend", "Morning", "Evening", "Sup", "Hello AI", "Hi bot", "Ahoy", "Well hello"}
	templatePunctuation = []string{",", ".", "!", "?", ";", ":", " -", "...", "!!", ",,", " ~", " :)", "!?"}
	templateWhitespace  = []string{" ", "\n", "\n\n", "  ", "\t"}
	mathRequests        = []string{"Can you help me solve this?", "How do I solve this?", "What's the answer?",
		"Could you work this out for me?", "I need help with this problem.", "Please solve this.", "Can you calculate this?",
		"What do I get here?", "Help me with this math problem.", "Any idea how to do this?", "Solve this for me, please.",
		"I'm stuck on this one.", "What is the solution?", "Could you figure this out?", "Can you do the math?",
		"What's the result?", "Please help me compute this.", "I can't get this right, help?", "How would you solve this?",
		"Give me the answer please.", "Can you check this for me?", "What does this come to?", "Work this out?",
		"Is there a quick way to solve this?", "Please compute the answer.", "I need the final number.",
		"What's the correct answer here?", "Can you crunch this?", "Help!", "Tell me the answer to this."}
	sentimentRequests = []string{"Can you analyze the sentiment of this review?", "What is the sentiment of this review?",
		"Is this review positive, negative or neutral?", "How does the reviewer feel?", "Classify the sentiment of this text.",
		"What's the tone of this review?", "Would you say this review is positive, neutral or negative?",
		"Tell me the sentiment here.", "Determine the sentiment of the following review.", "Please rate the sentiment of this review.",
		"Is the following review good or bad?", "Can you figure out how this reviewer feels?", "What sentiment does this convey?",
		"Give me the sentiment of this review.", "Help me understand the sentiment of this review."}
)

func pick(rng *rand.Rand, xs []string) string { return xs[rng.IntN(len(xs))] }

// templateChallenge builds a 'paraphrase' challenge: greeting, punctuation,
// the query and a request in one of four layouts (upstream
// MathChallengeTemplate / SentimentChallengeTemplate).
func templateChallenge(rng *rand.Rand, query string, requests []string) string {
	g, p, ws, r := pick(rng, templateGreetings), pick(rng, templatePunctuation), pick(rng, templateWhitespace), pick(rng, requests)
	switch rng.IntN(4) {
	case 0:
		return g + p + ws + query + ws + r
	case 1:
		return g + p + ws + r + ws + query
	case 2:
		return r + ws + query
	default:
		return query + ws + r
	}
}
