package tasks

import (
	"context"
	"errors"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"testing"

	pctx "github.com/taonet/taonet/subnets/prompting/context"
	"github.com/taonet/taonet/subnets/prompting/rewards"
	"pgregory.net/rapid"
)

var bg = context.Background()

func offline(t testing.TB) Backends {
	code, err := pctx.NewCode(filepath.Join(runtime.GOROOT(), "src", "strings"))
	if err != nil {
		t.Skip("no GOROOT source")
	}
	return Backends{Articles: pctx.Embedded(), Code: code, Difficulty: 0.5}
}

func TestAvailable(t *testing.T) {
	r := Default()
	if got := strings.Join(r.Available(Backends{}), ","); got != "math" {
		t.Errorf("no backends: %s", got)
	}
	if got := strings.Join(r.Available(offline(t)), ","); got != "qa,date_qa,summarization,math,debugging" {
		t.Errorf("offline: %s", got)
	}
	b := offline(t)
	b.LLM = &fakeLLM{}
	if got := len(r.Available(b)); got != 7 {
		t.Errorf("with llm: %d tasks", got)
	}
	empty, _ := NewRegistry()
	if _, err := empty.Sample(bg, 1, b); err == nil {
		t.Error("empty registry sampled")
	}
	if _, err := NewRegistry(Entry{NewMath(), 1}, Entry{NewMath(), 1}); err == nil {
		t.Error("duplicate accepted")
	}
}

// Without an LLM every task is a pure function of the seed.
func TestDeterministic(t *testing.T) {
	b := offline(t)
	r := Default()
	for _, name := range r.Available(b) {
		for seed := uint64(1); seed < 20; seed++ {
			a, err1 := r.Build(bg, name, seed, b)
			c, err2 := r.Build(bg, name, seed, b)
			if (err1 == nil) != (err2 == nil) || (err1 == nil && !reflect.DeepEqual(a, c)) {
				t.Fatalf("%s seed %d differs", name, seed)
			}
		}
	}
}

// The reference never reaches the miners, and each offline task produces
// what its reward can score.
func TestOfflineChallengesProperty(t *testing.T) {
	b := offline(t)
	r := Default()
	rapid.Check(t, func(rt *rapid.T) {
		seed := rapid.Uint64().Draw(rt, "seed")
		b.Difficulty = rapid.Float64Range(0, 1).Draw(rt, "difficulty")
		ch, err := r.Sample(bg, seed, b)
		if err != nil {
			rt.Fatal(err)
		}
		if ch.Seed != seed || ch.Query == "" || ch.Reference == "" || ch.Rewards.Validate() != nil {
			rt.Fatalf("bad challenge %+v", ch)
		}
		switch ch.Task {
		case QA:
			if strings.Contains(ch.Query, ch.Reference) || !strings.Contains(ch.Query, "____") ||
				!strings.Contains(ch.Context.Extra["sentence"], ch.Reference) || !strings.Contains(ch.Context.Content, ch.Context.Extra["sentence"]) {
				rt.Fatalf("qa leaks or is inconsistent: %q / %q", ch.Query, ch.Reference)
			}
			if rewards.Rouge1F(ch.Reference, ch.Reference) < 0.99 {
				rt.Fatal("reference does not score itself")
			}
		case DateQA:
			if strings.Contains(ch.Query, ch.Reference) {
				rt.Fatalf("date leaks: %q / %q", ch.Query, ch.Reference)
			}
			if rewards.DateScore(ch.Reference, "It was "+ch.Reference+".") != 1 {
				rt.Fatalf("reference date %q not scorable", ch.Reference)
			}
		case Summarization:
			if strings.Contains(ch.Query, ch.Reference) || !strings.HasPrefix(ch.Context.Content, ch.Reference[:len(ch.Reference)/2]) {
				rt.Fatalf("summary: %q / %q", ch.Query, ch.Reference)
			}
		case Math:
			if !strings.Contains(ch.Query, ch.CleanQuery) || rewards.FloatDiff(ch.Reference, ch.Reference) != 1 {
				rt.Fatalf("math: %q / %q", ch.Query, ch.Reference)
			}
		case Debugging:
			if strings.Contains(ch.Query, ch.Reference) || !strings.Contains(ch.Query, "```") || rewards.DiffRatio(ch.Reference, ch.Reference) != 1 {
				rt.Fatalf("debugging leaks or unscorable")
			}
		default:
			rt.Fatalf("unexpected task %s offline", ch.Task)
		}
	})
}

func TestSampleMix(t *testing.T) {
	b := offline(t)
	r := Default()
	counts := map[string]int{}
	for seed := uint64(0); seed < 1000; seed++ {
		ch, err := r.Sample(bg, seed, b)
		if err != nil {
			t.Fatal(err)
		}
		counts[ch.Task]++
	}
	for _, name := range r.Available(b) {
		if c := counts[name]; c < 150 || c > 250 { // uniform over 5: 200 each (fixed seeds, no flakiness)
			t.Errorf("%s drawn %d/1000", name, c)
		}
	}
}

func TestClozeAndDates(t *testing.T) {
	q, a, ok := ClozeQuestion("Telephone", "The first commercial exchange opened in New Haven in January 1878 with 21 subscribers.")
	if !ok || a != "1878" || !strings.Contains(q, "January ____ with 21") || !strings.Contains(q, "In what year") {
		t.Errorf("%q %q", q, a)
	}
	// a span occurring twice would leak: the next candidate is used
	_, a, _ = ClozeQuestion("Monument", "The column is 61 metres tall and stands 61 metres from the bakery, finished in 1677.")
	if a != "1677" {
		t.Errorf("repeated number masked: %q", a)
	}
	if got, ok := FillBlank("About T: Built by the ____ in Egypt. Which name fills the blank?", "It was built by the Ptolemaic Kingdom in Egypt."); !ok || got != "Ptolemaic Kingdom" {
		t.Errorf("fill %q", got)
	}
	if got, _ := FillBlank("About T: it opned in ____. In what year fills the blank?", "It finally opened in 1889."); got != "1889" {
		t.Errorf("fill fallback %q", got)
	}
	// "in" occurs earlier in the sentence: the phrase before the blank decides.
	if got, _ := FillBlank("hiya about Eiffel Tower: At a height of about 300 metres it was the tallest man-made structure in the world until the Chrysler Building in New York surpassed it in ____. In what year fills the blank?",
		"At a height of about 300 metres it was the tallest man-made structure in the world until the Chrysler Building in New York surpassed it in 1930."); got != "1930" {
		t.Errorf("fill with an earlier neighbour %q", got)
	}
	if _, ok := FillBlank("no blank here", "a sentence"); ok {
		t.Error("question without a blank filled")
	}
	_, a, _ = ClozeQuestion("X", "The outer wall was about 155 kilometres long.")
	if a != "155" {
		t.Errorf("number %q", a)
	}
	_, a, _ = ClozeQuestion("Apollo", "The crew was recovered by the aircraft carrier USS Hornet.")
	if a != "USS Hornet" {
		t.Errorf("name %q", a)
	}
	if _, _, ok := ClozeQuestion("x", "nothing notable here at all."); ok {
		t.Error("no-fact sentence accepted")
	}
	ev, d, yearOnly, ok := DatedEvent("Intro without date here. Eagle touched down in the Sea of Tranquility on July 20, 1969. Later.")
	if !ok || d != "July 20, 1969" || yearOnly || ev != "Eagle touched down in the Sea of Tranquility" {
		t.Errorf("%q %q %v", ev, d, ok)
	}
	ev, d, yearOnly, _ = DatedEvent("Printing spread quickly in 1500 across many cities.")
	if d != "1500" || !yearOnly || ev != "Printing spread quickly across many cities" {
		t.Errorf("%q %q", ev, d)
	}
	if got := Lead("One two three. Four five six. Seven eight nine.", 6); got != "One two three. Four five six." {
		t.Errorf("lead %q", got)
	}
	if got := Sentences("A b. C d? E"); len(got) != 3 || got[2] != "E" {
		t.Errorf("%q", got)
	}
}

func TestCorrupt(t *testing.T) {
	code := "func add(a, b int) int {\n\tif a == 0 {\n\t\treturn b\n\t}\n\treturn a + b\n}"
	for seed := uint64(0); seed < 300; seed++ {
		out, c := Corrupt(pctx.NewRand(seed), code)
		if out == code {
			t.Fatalf("seed %d: unchanged (%+v)", seed, c)
		}
		out2, _ := Corrupt(pctx.NewRand(seed), code)
		if out2 != out {
			t.Fatal("not deterministic")
		}
	}
	if out, _ := Corrupt(pctx.NewRand(1), "x"); out != "x" {
		t.Errorf("single chunk changed: %q", out)
	}
}

func TestCleaners(t *testing.T) {
	cases := []struct {
		f       Cleaner
		in, out string
	}{
		{RemoveQuotes, ` "What is it?" `, "What is it?"},
		{PruneEnding, "First sentence. Second is cut", "First sentence."},
		{PruneEnding, "No punctuation", "No punctuation"},
		{RemoveRoles, "User: what is this? it is big.", "What is this? It is big."},
		{RemoveRoles, "Question: how old is it", "How old is it"},
		{RemoveTags, "When was <date> it?", "When was  it?"},
		{FirstQuestion, "Question: When did it open? Extra text?", "When did it open?"},
	}
	for _, c := range cases {
		if got := c.f(c.in); got != c.out {
			t.Errorf("%q → %q want %q", c.in, got, c.out)
		}
	}
}

// fakeLLM answers by the first matching marker in the last user message and
// records the conversations.
type fakeLLM struct {
	mu    sync.Mutex
	calls [][]Message
	fail  bool
}

func (f *fakeLLM) Chat(_ context.Context, msgs []Message, opts ChatOptions) (string, error) {
	f.mu.Lock()
	f.calls = append(f.calls, msgs)
	f.mu.Unlock()
	if f.fail {
		return "", errors.New("backend down")
	}
	if opts.Temperature != 0.7 || opts.MaxTokens != 256 {
		return "", errors.New("unexpected options")
	}
	u := msgs[len(msgs)-1].Content
	switch {
	case strings.HasPrefix(u, "Ask a specific question"):
		return `"User: what is this about? More text`, nil
	case strings.HasPrefix(u, "Answer the question"):
		return "It is about the context.", nil
	case strings.HasPrefix(u, "Summarize"):
		return "A short summary.", nil
	case strings.HasPrefix(u, "Create a question about"):
		return "Question: On which <date> did it happen? It did.", nil
	case strings.HasPrefix(u, "Your answer must include"):
		return "It happened then.", nil
	case strings.Contains(u, "review-generating"):
		return "Loved it, great food.", nil
	case strings.Contains(u, "question-generating expert"):
		return "Why is the sky blue?", nil
	case strings.HasPrefix(u, "Answer the following question"):
		return "Rayleigh scattering.", nil
	case strings.HasPrefix(u, "# Conversation history:"):
		return "And why did that happen?", nil
	case strings.HasPrefix(u, "Answer the question below using the conversation history"):
		return "Because of the context.", nil
	case u == "Ask a question related to your goal":
		return "Assistant: hey so whats up with this", nil
	}
	return "", errors.New("unexpected prompt: " + u)
}

func TestLLMTasks(t *testing.T) {
	f := &fakeLLM{}
	b := offline(t)
	b.LLM = f
	r := Default()
	want := map[string]struct{ query, ref, typ string }{
		QA:            {"Hey so whats up with this", "It is about the context.", ChallengeInference},
		Summarization: {"Hey so whats up with this", "A short summary.", ChallengeInference},
		DateQA:        {"On which  did it happen?", "It happened then.", ChallengeQuery},
		Generic:       {"Why is the sky blue?", "Rayleigh scattering.", ChallengeQuery},
	}
	for name, w := range want {
		f.calls = nil
		ch, err := r.Build(bg, name, 3, b)
		if err != nil {
			t.Fatal(name, err)
		}
		if ch.Query != w.query || ch.Reference != w.ref || ch.ChallengeType != w.typ || !ch.LLMGenerated {
			t.Errorf("%s: %+v", name, ch)
		}
		if name == QA {
			if ch.CleanQuery != "What is this about?" {
				t.Errorf("qa clean query %q", ch.CleanQuery)
			}
			sys := f.calls[2][0].Content
			if !strings.Contains(sys, "roleplaying game") || !strings.Contains(sys, ch.Persona.Mood) || !strings.Contains(sys, "What is this about?") {
				t.Errorf("persona prompt %q", sys)
			}
			if !strings.Contains(f.calls[0][1].Content, ch.Context.Content) {
				t.Error("context not in query prompt")
			}
		}
		if name == DateQA && !strings.Contains(f.calls[1][1].Content, ch.Context.Extra["date"]) {
			t.Error("date not required in reference prompt")
		}
	}
	ch, err := r.Build(bg, Sentiment, 4, b)
	if err != nil || ch.Reference != ch.Context.Subtopic || !strings.Contains(ch.Query, "Loved it, great food.") || ch.ChallengeType != ChallengeParaphrase {
		t.Errorf("sentiment %+v %v", ch, err)
	}
	f.fail = true
	if _, err := r.Build(bg, QA, 1, b); err == nil {
		t.Error("llm failure swallowed")
	}
	// sampling falls back to other tasks? with a failing LLM, every task
	// that uses it fails; math still succeeds within MaxTaskTries often —
	// but never returns a broken challenge.
	for seed := uint64(0); seed < 20; seed++ {
		if ch, err := r.Sample(bg, seed, b); err == nil && ch.Reference == "" {
			t.Fatal("broken challenge")
		}
	}
}
