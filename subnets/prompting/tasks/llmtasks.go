package tasks

import (
	"context"
	"fmt"
	"math/rand/v2"

	pctx "github.com/taonet/taonet/subnets/prompting/context"
	"github.com/taonet/taonet/subnets/prompting/persona"
)

// GenericTask is the generic-instruction task (§2.6, LLM only).
type GenericTask struct{}

// NewGeneric returns the generic task.
func NewGeneric() *GenericTask { return &GenericTask{} }

// Name implements Task.
func (*GenericTask) Name() string { return Generic }

// Needs implements Task: an LLM.
func (*GenericTask) Needs() Needs { return Needs{LLM: true} }

// Template pools of upstream GenericInstructionDataset.
var (
	genericStyles    = []string{"casual", "basic", "silly", "random", "thoughtful", "detailed", "deep", "fun"}
	genericThemes    = []string{"surprising", "controversial", "historic", "modern", "famous", "infamous", "popular", "unpopular"}
	genericSubtopics = []string{"person", "figure", "opinion", "event", "leader", "spokesperson", "expert", "topic"}
	genericTopics    = []string{"science", "politics", "parenting", "travel", "cuisine", "sports", "pop culture", "tech", "history"}
)

// Generate implements Task: the LLM asks a question from a random template
// and answers it; the challenge is the raw query.
func (*GenericTask) Generate(ctx context.Context, rng *rand.Rand, b Backends) (*Challenge, error) {
	style, theme, sub, topic := pick(rng, genericStyles), pick(rng, genericThemes), pick(rng, genericSubtopics), pick(rng, genericTopics)
	tmpl := fmt.Sprintf("Ask a %s question about a %s %s related to %s", style, theme, sub, topic)
	q, err := chat(ctx, b.LLM, "", "You are a question-generating expert, focusing on delivering comprehensive and accurate questions with depth and clarity. "+
		"Reply with only the question, within a word limit of 100 words.\n"+tmpl, RemoveQuotes, PruneEnding, RemoveRoles)
	if err != nil {
		return nil, err
	}
	ref, err := chat(ctx, b.LLM, referenceSystem, "Answer the following question.\n\n# Question:\n"+q)
	if err != nil {
		return nil, err
	}
	return &Challenge{
		Task: Generic, Query: q, CleanQuery: q, Reference: ref, LLMGenerated: true,
		ChallengeType: ChallengeQuery, Persona: persona.Random(rng),
		Context: pctx.Context{Title: tmpl, Topic: topic, Subtopic: sub, Content: tmpl, Source: "template", Tags: []string{style, theme}},
	}, nil
}

// SentimentTask is review sentiment classification (§2.8, LLM only).
type SentimentTask struct{}

// NewSentiment returns the sentiment task.
func NewSentiment() *SentimentTask { return &SentimentTask{} }

// Name implements Task.
func (*SentimentTask) Name() string { return Sentiment }

// Needs implements Task: an LLM.
func (*SentimentTask) Needs() Needs { return Needs{LLM: true} }

// Template pools of upstream ReviewDataset.
var (
	reviewKinds     = []string{"short", "long", "medium length", "twitter", "amazon", "terribly written", "hilarious"}
	reviewSubjects  = []string{"movie", "book", "restaurant", "hotel", "product", "service", "car", "company", "live event"}
	reviewSentiment = []string{"positive", "neutral", "negative"}
)

// Generate implements Task: the LLM writes a review of a drawn sentiment;
// the reference is the label; the challenge is a template paraphrase.
func (*SentimentTask) Generate(ctx context.Context, rng *rand.Rand, b Backends) (*Challenge, error) {
	kind, subj, label := pick(rng, reviewKinds), pick(rng, reviewSubjects), pick(rng, reviewSentiment)
	tmpl := fmt.Sprintf("Create a %s review of a %s. The review must be of %s sentiment.", kind, subj, label)
	review, err := chat(ctx, b.LLM, "", "You are a review-generating expert, focusing on making highly realistic reviews. "+
		"Reply with only the review, within a word limit of 250 words.\n"+tmpl, RemoveQuotes, PruneEnding, RemoveRoles)
	if err != nil {
		return nil, err
	}
	return &Challenge{
		Task: Sentiment, CleanQuery: review, Query: templateChallenge(rng, review, sentimentRequests), Reference: label,
		ChallengeType: ChallengeParaphrase, LLMGenerated: true, Persona: persona.Random(rng),
		Context: pctx.Context{Title: tmpl, Topic: kind, Subtopic: label, Content: review, Source: "template", Tags: []string{subj}},
	}, nil
}
