package translate

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
)

// apertium returns the installed engine; scripts/setup.sh installs it for
// tests, so under CI=true a missing engine fails the test.
func apertium(t *testing.T, want ...string) *Apertium {
	t.Helper()
	a, err := Discover("", "", want)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("apertium required under CI=true: %v", err)
		}
		t.Skipf("apertium not installed: %v", err)
	}
	return a
}

func TestDiscoverInstalledPairs(t *testing.T) {
	a := apertium(t, "en-es", "es-en", "en-ca", "en-gl")
	got := map[string]string{}
	for _, p := range a.Pairs() {
		got[p.From+"-"+p.To] = p.Mode
	}
	// Debian's pair packages name their modes in both ISO styles.
	for k, mode := range map[string]string{"en-es": "eng-spa", "es-en": "spa-eng", "en-ca": "eng-cat", "en-gl": "en-gl"} {
		if got[k] != mode {
			t.Errorf("pair %s: mode %q, want %q (all: %v)", k, got[k], mode, a.Pairs())
		}
	}
	if tg := a.Targets("en"); strings.Join(tg, ",") != "ca,es,gl" {
		t.Errorf("Targets(en) = %v", tg)
	}
}

// The expected outputs are what the Debian apertium 3.8.3 CLI prints for
// these inputs (`echo … | apertium -u eng-spa`): the engine is the
// reference, this checks we drive it the same way.
func TestTranslateMatchesApertiumCLI(t *testing.T) {
	a := apertium(t, "en-es", "es-en", "en-ca", "en-gl")
	ctx := context.Background()
	for _, c := range []struct{ from, to, in, want string }{
		{"en", "es", "The city is the capital of the region.", "La ciudad es el capital de la región."},
		{"es", "en", "La ciudad es la capital de la región.", "The city is the capital of the region."},
		{"en", "gl", "The house is red.", "A casa é vermella."},
		{"en", "ca", "The house is red.", "La casa és vermell."},
	} {
		got, err := a.Translate(ctx, c.in, c.from, c.to)
		if err != nil {
			t.Fatal(err)
		}
		if got != c.want {
			t.Errorf("%s→%s %q = %q, want %q", c.from, c.to, c.in, got, c.want)
		}
	}
}

func TestMissingPairIsAClearError(t *testing.T) {
	a := apertium(t)
	_, err := a.Translate(context.Background(), "hello", "en", "eu")
	if err == nil || !strings.Contains(err.Error(), "no installed apertium pair en-eu") {
		t.Fatalf("err = %v", err)
	}
	_, err = Discover("", "", []string{"en-eu"})
	if err == nil || !strings.Contains(err.Error(), "pair en-eu is not installed") || !strings.Contains(err.Error(), "en-es") {
		t.Fatalf("Discover(en-eu) err = %v", err)
	}
	if _, err := Discover("", "", []string{"english"}); err == nil || !strings.Contains(err.Error(), "want from-to") {
		t.Fatalf("Discover(english) err = %v", err)
	}
	if _, err := Discover("", t.TempDir(), nil); !errors.Is(err, ErrNotInstalled) {
		t.Fatalf("empty modes dir: %v", err)
	}
	if _, err := Discover("/nonexistent/apertium", "", nil); !errors.Is(err, ErrNotInstalled) {
		t.Fatalf("missing binary: %v", err)
	}
}

func TestTranslateRejectsHugeInput(t *testing.T) {
	a := apertium(t)
	if _, err := a.Translate(context.Background(), strings.Repeat("a ", MaxInput), "en", "es"); err == nil {
		t.Fatal("huge input accepted")
	}
}

func TestNormalizeAndName(t *testing.T) {
	for in, want := range map[string]string{"eng": "en", "spa": "es", "en": "en", "cat": "ca", "spa_US": "es", "glg": "gl"} {
		if got, ok := Normalize(in); !ok || got != want {
			t.Errorf("Normalize(%q) = %q %v", in, got, ok)
		}
	}
	if _, ok := Normalize("xx"); ok {
		t.Error("xx normalised")
	}
	if Name("es") != "Spanish" || Name("spa") != "Spanish" || Name("zz") != "zz" {
		t.Error("Name")
	}
}

func TestDetect(t *testing.T) {
	cands := []string{"en", "es", "ca", "gl"}
	for text, want := range map[string]string{
		"The city was founded by the Romans and is the capital of the region.": "en",
		"La ciudad fue fundada por los romanos y es la capital de la región.":  "es",
		"La ciutat va ser fundada pels romans i és la capital de la regió.":    "ca",
		"A cidade foi fundada polos romanos e é a capital da rexión.":          "gl",
		"1850 42": "",
	} {
		if got := Detect(text, cands); got != want {
			t.Errorf("Detect(%q) = %q, want %q", text, got, want)
		}
	}
}

func FuzzDetect(f *testing.F) {
	f.Add("La casa és vermell.")
	f.Add("\xff\x00 the")
	f.Fuzz(func(t *testing.T, s string) {
		got := Detect(s, []string{"en", "es", "ca", "gl", "zz"})
		if got != "" && got != "en" && got != "es" && got != "ca" && got != "gl" {
			t.Fatalf("Detect returned %q", got)
		}
	})
}
