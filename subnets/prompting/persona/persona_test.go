package persona

import (
	"math/rand/v2"
	"strings"
	"testing"

	"pgregory.net/rapid"
)

func newRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 1)) }

func TestRandomCoversPools(t *testing.T) {
	seen := map[string]bool{}
	rng := newRand(1)
	for i := 0; i < 2000; i++ {
		p := Random(rng)
		seen["p:"+p.Profile], seen["m:"+p.Mood], seen["t:"+p.Tone] = true, true, true
	}
	if len(seen) != len(Profiles)+len(Moods)+len(Tones) {
		t.Errorf("covered %d values", len(seen))
	}
}

func TestSystemPrompt(t *testing.T) {
	p := Persona{Profile: "student", Mood: "a tired", Tone: "casual"}
	s := p.SystemPrompt(Goal{Desc: "get help answering a question", Topic: "History", Subtopic: "Fall", Goal: "get the answer", Query: "When did it fall?"})
	for _, want := range []string{"impersonating a tired human user", "in a casual tone", "History (Fall)", "get the answer: When did it fall?"} {
		if !strings.Contains(s, want) {
			t.Errorf("missing %q in %q", want, s)
		}
	}
	if strings.Contains(s, "student") {
		t.Error("profile is not part of the upstream prompt")
	}
}

// Facts (numbers, capitalised names, code) survive any paraphrase, the
// result is deterministic, and difficulty 0 keeps the query verbatim.
func TestParaphraseProperty(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		seed := rapid.Uint64().Draw(rt, "seed")
		d := rapid.Float64Range(0, 1).Draw(rt, "difficulty")
		q := "In what year did the Berlin Wall fall after 28 years of division between the two German states?"
		p := Random(newRand(seed))
		a := Paraphrase(newRand(seed), q, p, d)
		b := Paraphrase(newRand(seed), q, p, d)
		if a != b {
			rt.Fatal("not deterministic")
		}
		for _, fact := range []string{"Berlin", "Wall", "28", "German"} {
			if !strings.Contains(a, fact) {
				rt.Fatalf("fact %q lost: %q", fact, a)
			}
		}
		if d == 0 && !strings.Contains(strings.ToLower(a), strings.ToLower(q)) {
			rt.Fatalf("difficulty 0 changed the query: %q", a)
		}
	})
}

func TestParaphraseCorruptsAtHighDifficulty(t *testing.T) {
	q := "please explain exactly how the ancient lighthouse worked and what fuel it really used every night"
	changed := 0
	for seed := uint64(0); seed < 50; seed++ {
		out := Paraphrase(newRand(seed), q, Persona{Mood: "a lazy", Tone: "casual"}, 1)
		if !strings.Contains(out, q) {
			changed++
		}
	}
	if changed < 40 {
		t.Errorf("only %d/50 paraphrases corrupted at difficulty 1", changed)
	}
}
