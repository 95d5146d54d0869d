package tasks

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	pctx "github.com/taonet/taonet/subnets/prompting/context"
	"github.com/taonet/taonet/subnets/prompting/rewards"
)

func TestFollowUpOffline(t *testing.T) {
	b := offline(t)
	r := Default()
	n := 0
	for seed := uint64(0); seed < 40; seed++ {
		ch, err := r.Build(bg, QA, seed, b)
		if err != nil {
			t.Fatal(err)
		}
		rng := pctx.NewRand(seed)
		acc := AcceptedAnswer(rng, "", ch.Reference)
		if acc != ch.Reference {
			t.Fatal("empty best completion must fall back to the reference")
		}
		fu, err := FollowUp(bg, rng, b, ch, acc)
		if err != nil {
			continue // section without a second fact
		}
		n++
		msgs := fu.Messages()
		if fu.Turn != 1 || len(msgs) != 3 || msgs[0].Content != ch.Query || msgs[1].Role != "assistant" || msgs[2].Content != fu.Query {
			t.Fatalf("messages %+v", msgs)
		}
		if fu.Reference == "" || strings.Contains(fu.Query, fu.Reference) || fu.Context.Extra["sentence"] == ch.Context.Extra["sentence"] || fu.Persona != ch.Persona {
			t.Fatalf("follow-up %+v", fu)
		}
		if fu.Rewards.Validate() != nil {
			t.Fatal("bad rewards")
		}
	}
	if n < 20 {
		t.Errorf("only %d/40 follow-ups built", n)
	}
	rng := pctx.NewRand(1)
	stops := 0
	for i := 0; i < 1000; i++ {
		if !ContinueConversation(rng, QA, 0) {
			stops++
		}
	}
	if stops < 400 || stops > 600 || ContinueConversation(rng, QA, 1) || ContinueConversation(pctx.NewRand(3), Sentiment, 0) {
		t.Errorf("stop rule: %d/1000 stops", stops)
	}
}

func TestFollowUpLLM(t *testing.T) {
	f := &fakeLLM{}
	b := offline(t)
	b.LLM = f
	ch, err := Default().Build(bg, QA, 2, b)
	if err != nil {
		t.Fatal(err)
	}
	f.calls = nil
	fu, err := FollowUp(bg, pctx.NewRand(2), b, ch, "the accepted answer")
	if err != nil {
		t.Fatal(err)
	}
	hist := f.calls[0][1].Content
	if !strings.Contains(hist, "user: "+ch.Query) || !strings.Contains(hist, "assistant: the accepted answer") {
		t.Errorf("history prompt %q", hist)
	}
	if fu.ChallengeType != ChallengeQuery || fu.Query != fu.CleanQuery || !fu.LLMGenerated || len(fu.History) != 2 {
		t.Errorf("%+v", fu)
	}
}

type llmFunc func(msgs []Message) (string, error)

func (f llmFunc) Chat(_ context.Context, msgs []Message, _ ChatOptions) (string, error) {
	return f(msgs)
}

// A generated date question that already contains its date is rejected.
func TestDateQALeakGuard(t *testing.T) {
	b := offline(t)
	var date string
	b.LLM = llmFunc(func(msgs []Message) (string, error) {
		u := msgs[len(msgs)-1].Content
		if strings.HasPrefix(u, "Create a question") {
			return "Did it happen in " + date + "?", nil
		}
		return "ok.", nil
	})
	// find the date the task will pick for seed 1, then let the LLM leak it
	off := offline(t)
	ch, err := Default().Build(bg, DateQA, 1, off)
	if err != nil {
		t.Fatal(err)
	}
	date = ch.Reference
	if _, err := Default().Build(bg, DateQA, 1, b); err == nil || !strings.Contains(err.Error(), "contains its answer") {
		t.Errorf("leak not rejected: %v", err)
	}
}

type eventSource struct{}

func (eventSource) Next(_ context.Context, rng *rand.Rand) (pctx.Context, error) {
	y := 1900 + rng.IntN(100)
	return pctx.Context{Title: "July 20", Topic: "Events", Subtopic: fmt.Sprint(y), Content: "A crew landed somewhere far away.",
		Extra: map[string]string{"event": "A crew landed somewhere far away.", "date": pctx.EventDate(7, 20, y)}}, nil
}

func TestDateQAFromEvents(t *testing.T) {
	b := offline(t)
	b.Events = eventSource{}
	ch, err := Default().Build(bg, DateQA, 5, b)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(ch.Reference, "July 20, 19") || ch.CleanQuery != "A crew landed somewhere far away on what exact date?" || strings.Contains(ch.Query, ch.Reference) {
		t.Fatalf("%+v", ch)
	}
	if rewards.DateScore(ch.Reference, "It was on July 20, "+ch.Context.Subtopic+".") != 1 {
		t.Error("reference not scorable")
	}
}
