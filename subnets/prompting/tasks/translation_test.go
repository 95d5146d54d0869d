package tasks

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	pctx "github.com/taonet/taonet/subnets/prompting/context"
	"github.com/taonet/taonet/subnets/prompting/rewards"
	"github.com/taonet/taonet/subnets/prompting/translate"
)

// apertium returns the installed Apertium engine; scripts/setup.sh test
// installs it, so under CI=true its absence fails the test.
func apertium(t testing.TB) *translate.Apertium {
	t.Helper()
	a, err := translate.Discover("", "", []string{"en-es", "es-en", "en-ca", "en-gl"})
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("apertium required under CI=true: %v", err)
		}
		t.Skipf("apertium not installed: %v", err)
	}
	return a
}

// Translation challenges carry an engine-made reference, never leak it,
// cite their source and are reproducible from the seed; the tool solver
// (Apertium too) scores far above echo and noise under the upstream
// translation reward (ROUGE-1, penalty ROUGE-1 vs challenge at weight 1).
func TestTranslationChallenges(t *testing.T) {
	a := apertium(t)
	b := Backends{Articles: pctx.Embedded(), Translator: a}
	r := Default()
	solver := &ToolSolver{Translator: a}
	dirs := map[string]int{}
	var tool, echo, noise float64
	const n = 6
	for seed := uint64(0); seed < n; seed++ {
		ch, err := r.Build(bg, Translation, seed, b)
		if err != nil {
			t.Fatal(err)
		}
		x, y := ch.Context.Extra["source_language"], ch.Context.Extra["target_language"]
		dirs[x+"-"+y]++
		if x == y || !strings.Contains(ch.Query, translate.Name(y)) || strings.Contains(ch.Query, ch.Reference) {
			t.Fatalf("seed %d: bad challenge %q / %q", seed, ch.Query, ch.Reference)
		}
		if ch.Context.Title == "" || ch.Context.Extra["engine"] != a.Engine(x, y) || !strings.HasPrefix(ch.Context.Extra["engine"], "apertium ") {
			t.Fatalf("seed %d: citation missing: %+v", seed, ch.Context)
		}
		if seed < 2 {
			again, err := r.Build(bg, Translation, seed, b)
			if err != nil || again.Query != ch.Query || again.Reference != ch.Reference {
				t.Fatalf("seed %d not reproducible", seed)
			}
		}
		// The solver parses the request, detects the source language and
		// runs apertium on the text: it must reproduce the reference.
		ans, ok := solver.Translate(bg, ch.Query)
		if !ok || ans != ch.Reference {
			t.Fatalf("seed %d: tool solver's %q (%v) is not the reference %q", seed, ans, ok, ch.Reference)
		}
		res, err := rewards.Score(bg, nil, rewards.Input{Definition: ch.Rewards, Reference: ch.Reference, Challenge: ch.Query,
			Completions: []rewards.Completion{{Text: ans}, {Text: ch.Query}, {Text: "apple river quantum basket violet engine marble thunder"}}})
		if err != nil {
			t.Fatal(err)
		}
		tool, echo, noise = tool+res[0].Total, echo+res[1].Total, noise+res[2].Total
	}
	tool, echo, noise = tool/n, echo/n, noise/n
	t.Logf("mean reward over %d translation challenges: tool %.3f echo %.3f noise %.3f; directions %v", n, tool, echo, noise, dirs)
	if !(tool > 0.5 && tool > echo+0.3 && tool > noise+0.3) {
		t.Errorf("tool %.3f does not clearly beat echo %.3f and noise %.3f", tool, echo, noise)
	}
	if len(dirs) < 3 {
		t.Errorf("only directions %v drawn", dirs)
	}
}

// A pair that breaks at run time (here: a real apertium run on a mode file
// whose programs do not exist) fails only the translation task; the
// registry draws another task, so the validator goes on.
func TestBrokenPairFallsBack(t *testing.T) {
	apertium(t)
	dir := t.TempDir()
	modes := filepath.Join(dir, "modes")
	if err := os.MkdirAll(modes, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(modes, "eng-spa.mode"), []byte("/nonexistent/lt-proc /nonexistent.bin\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	a, err := translate.Discover("", modes, nil)
	if err != nil {
		t.Fatal(err)
	}
	b := Backends{Articles: pctx.Embedded(), Translator: a}
	if _, err := Default().Build(bg, Translation, 1, b); err == nil || !strings.Contains(err.Error(), "apertium eng-spa") {
		t.Fatalf("broken pair: %v", err)
	}
	only, _ := NewRegistry(Entry{NewTranslation(), 10}, Entry{NewMath(), 1})
	for seed := uint64(0); seed < 5; seed++ {
		ch, err := only.Sample(bg, seed, b)
		if err != nil || ch.Task != Math {
			t.Fatalf("seed %d: %v %v", seed, ch, err)
		}
	}
}

func TestLLMTranslator(t *testing.T) {
	f := &fakeLLM{}
	tr := &LLMTranslator{LLM: translatingLLM{f}}
	if got := strings.Join(tr.Targets("en"), ","); got != "es,fr,pt,uk" {
		t.Fatalf("targets %s", got)
	}
	if tr.Targets("de") != nil {
		t.Fatal("unknown source has targets")
	}
	b := Backends{Articles: pctx.Embedded(), Translator: tr}
	ch, err := Default().Build(bg, Translation, 3, b)
	if err != nil {
		t.Fatal(err)
	}
	if ch.Context.Extra["engine"] != "llm" || !strings.HasPrefix(ch.Reference, "[") {
		t.Fatalf("%+v", ch)
	}
}

// translatingLLM "translates" by tagging the text with the target language.
type translatingLLM struct{ f *fakeLLM }

func (l translatingLLM) Chat(_ context.Context, msgs []Message, _ ChatOptions) (string, error) {
	u := msgs[len(msgs)-1].Content
	head, text, ok := strings.Cut(u, "\n\n")
	if !ok || !strings.HasPrefix(head, "Translate the following text from ") {
		return "", errors.New("unexpected prompt " + u)
	}
	to := strings.TrimSuffix(head[strings.LastIndex(head, " into ")+6:], ".")
	return "[" + to + "] " + text, nil
}

func TestParseTranslationRequest(t *testing.T) {
	for _, tmpl := range translationRequests {
		q := strings.Replace(tmpl, "%s", "Galician", 1) + "\nThe house is red.\nIt is big."
		to, text, ok := ParseTranslationRequest(q)
		if !ok || to != "gl" || text != "The house is red.\nIt is big." {
			t.Errorf("%q → %q %q %v", tmpl, to, text, ok)
		}
	}
	for _, q := range []string{"What is 2+2?", "Translate into Klingon:\nqapla", "Tell me about Spanish history", "Translate into Spanish:\n  "} {
		if _, _, ok := ParseTranslationRequest(q); ok {
			t.Errorf("%q parsed as a translation request", q)
		}
	}
}

func FuzzParseTranslationRequest(f *testing.F) {
	f.Add("Could you translate the following text into Spanish?\nThe house.")
	f.Add("\n\n")
	f.Fuzz(func(t *testing.T, s string) {
		to, text, ok := ParseTranslationRequest(s)
		if ok && (to == "" || strings.TrimSpace(text) == "" || !strings.Contains(s, text)) {
			t.Fatalf("%q → %q %q", s, to, text)
		}
	})
}
