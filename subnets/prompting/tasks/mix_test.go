package tasks

import (
	"strings"
	"testing"
)

func TestParseMix(t *testing.T) {
	r, err := ParseMix("qa=0.3, translation=0.1,math=0.6")
	if err != nil {
		t.Fatal(err)
	}
	if w := r.Weights(); len(w) != 3 || w[QA] != 0.3 || w[Translation] != 0.1 || w[Math] != 0.6 {
		t.Fatalf("weights %v", w)
	}
	// Only the listed tasks are drawn.
	if got := strings.Join(r.Available(offline(t)), ","); got != "qa,math" {
		t.Fatalf("available %s", got)
	}
	for spec, want := range map[string]string{
		"qa=0.3,poetry=1": `unknown task "poetry" (known: date_qa, debugging, generic, math, qa, sentiment, summarization, translation)`,
		"qa=0.3,qa=0.2":   "qa given twice",
		"qa":              `"qa": want name=weight`,
		"qa=-1":           `qa weight "-1": want a finite number ≥ 0`,
		"qa=NaN":          `qa weight "NaN"`,
		"qa=inf":          `qa weight "inf"`,
		"qa=x":            `qa weight "x"`,
		"qa=0,math=0":     "every weight",
		"":                "empty mix",
		" , ":             "empty mix",
	} {
		if _, err := ParseMix(spec); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: err %v, want %q", spec, err, want)
		}
	}
}

func FuzzParseMix(f *testing.F) {
	f.Add("qa=0.3,translation=0.1")
	f.Add("math=1e308,qa=1e308")
	f.Fuzz(func(t *testing.T, spec string) {
		r, err := ParseMix(spec)
		if err != nil {
			return
		}
		total := 0.0
		for _, w := range r.Weights() {
			if w < 0 {
				t.Fatalf("negative weight from %q", spec)
			}
			total += w
		}
		if !(total > 0) {
			t.Fatalf("no positive weight from %q", spec)
		}
	})
}
