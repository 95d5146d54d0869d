package translate

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// DefaultModesDir is where Debian's apertium-* pair packages install their
// mode files.
const DefaultModesDir = "/usr/share/apertium/modes"

// MaxInput bounds the text of one call (Apertium is linear in its input,
// but a caller's mistake should not hold a process for minutes).
const MaxInput = 64 << 10

// Pair is one installed translation direction.
type Pair struct {
	From, To string // ISO 639-1 codes
	Mode     string // the Apertium mode, e.g. "eng-spa"
}

func (p Pair) String() string { return p.From + "→" + p.To + " (" + p.Mode + ")" }

// Apertium runs the apertium binary.
type Apertium struct {
	// Bin is the apertium executable (default: "apertium" on PATH).
	Bin string
	// ModesDir holds the *.mode files (default DefaultModesDir).
	ModesDir string
	// Timeout bounds one translation (default 30 s).
	Timeout time.Duration

	pairs []Pair
}

// ErrNotInstalled is returned when the apertium binary or any usable pair is
// missing.
var ErrNotInstalled = errors.New("translate: apertium is not installed (Debian: apt-get install apertium apertium-eng-spa apertium-eng-cat apertium-en-gl, or scripts/setup.sh run)")

// Discover finds the apertium binary and its installed pairs. Only plain
// language pairs between known languages are kept (variants such as
// "eng-cat_valencia" and "spa-eng_US" are skipped: one mode per direction).
// With want non-empty, only those directions ("en-es", "eng-spa", ...) are
// kept and each one missing is an error naming what is installed.
func Discover(bin, modesDir string, want []string) (*Apertium, error) {
	if bin == "" {
		bin = "apertium"
	}
	if modesDir == "" {
		modesDir = DefaultModesDir
	}
	path, err := exec.LookPath(bin)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotInstalled, err)
	}
	files, err := filepath.Glob(filepath.Join(modesDir, "*.mode"))
	if err != nil {
		return nil, err
	}
	a := &Apertium{Bin: path, ModesDir: modesDir}
	seen := map[[2]string]bool{}
	for _, f := range files {
		mode := strings.TrimSuffix(filepath.Base(f), ".mode")
		from, to, ok := strings.Cut(mode, "-")
		if !ok || strings.Contains(to, "_") || strings.Contains(from, "_") {
			continue
		}
		fc, ok1 := Normalize(from)
		tc, ok2 := Normalize(to)
		if !ok1 || !ok2 || fc == tc || seen[[2]string{fc, tc}] {
			continue
		}
		seen[[2]string{fc, tc}] = true
		a.pairs = append(a.pairs, Pair{From: fc, To: tc, Mode: mode})
	}
	sort.Slice(a.pairs, func(i, j int) bool { return a.pairs[i].Mode < a.pairs[j].Mode })
	if len(want) > 0 {
		kept, err := a.filter(want)
		if err != nil {
			return nil, err
		}
		a.pairs = kept
	}
	if len(a.pairs) == 0 {
		return nil, fmt.Errorf("%w: no language pair under %s", ErrNotInstalled, modesDir)
	}
	return a, nil
}

func (a *Apertium) filter(want []string) ([]Pair, error) {
	var kept []Pair
	for _, w := range want {
		from, to, ok := strings.Cut(strings.TrimSpace(w), "-")
		fc, ok1 := Normalize(from)
		tc, ok2 := Normalize(to)
		if !ok || !ok1 || !ok2 {
			return nil, fmt.Errorf("translate: pair %q: want from-to language codes such as en-es", w)
		}
		p, found := a.pair(fc, tc)
		if !found {
			return nil, fmt.Errorf("translate: pair %s-%s is not installed (installed: %s; Debian packages apertium-*)", fc, tc, a.describe())
		}
		kept = append(kept, p)
	}
	return kept, nil
}

func (a *Apertium) describe() string {
	if len(a.pairs) == 0 {
		return "none"
	}
	var s []string
	for _, p := range a.pairs {
		s = append(s, p.From+"-"+p.To)
	}
	return strings.Join(s, ", ")
}

func (a *Apertium) pair(from, to string) (Pair, bool) {
	for _, p := range a.pairs {
		if p.From == from && p.To == to {
			return p, true
		}
	}
	return Pair{}, false
}

// Pairs returns the usable directions, sorted by mode name.
func (a *Apertium) Pairs() []Pair { return append([]Pair(nil), a.pairs...) }

// Targets returns the languages text in from can be translated into, sorted.
func (a *Apertium) Targets(from string) []string {
	var out []string
	for _, p := range a.pairs {
		if p.From == from {
			out = append(out, p.To)
		}
	}
	sort.Strings(out)
	return out
}

// Engine names the engine and mode used for a direction, for citations.
func (a *Apertium) Engine(from, to string) string {
	if p, ok := a.pair(from, to); ok {
		return "apertium " + p.Mode
	}
	return "apertium"
}

// Translate translates text from one language to another with the
// installed pair. Whitespace runs in the output are collapsed to single
// spaces within lines (Apertium leaves doubled spaces where it drops
// tags).
func (a *Apertium) Translate(ctx context.Context, text, from, to string) (string, error) {
	p, ok := a.pair(from, to)
	if !ok {
		return "", fmt.Errorf("translate: no installed apertium pair %s-%s (installed: %s)", from, to, a.describe())
	}
	if len(text) > MaxInput {
		return "", fmt.Errorf("translate: input of %d bytes exceeds %d", len(text), MaxInput)
	}
	t := a.Timeout
	if t <= 0 {
		t = 30 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, t)
	defer cancel()
	cmd := exec.CommandContext(ctx, a.Bin, "-d", filepath.Dir(a.ModesDir), "-u", "-f", "txt", p.Mode)
	cmd.Stdin = strings.NewReader(text)
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	cmd.Env = append(os.Environ(), "LC_ALL=C.UTF-8")
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("translate: apertium %s: %v: %s", p.Mode, err, strings.TrimSpace(stderr.String()))
	}
	return tidy(out.String()), nil
}

func tidy(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	for i, l := range lines {
		lines[i] = strings.Join(strings.Fields(l), " ")
	}
	return strings.Join(lines, "\n")
}
