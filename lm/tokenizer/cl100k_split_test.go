package tokenizer

import (
	"slices"
	"strings"
	"testing"

	"pgregory.net/rapid"
)

func splitWith(f splitter, s string) []string {
	var out []string
	f(s, func(p string) { out = append(out, p) })
	return out
}

func regexSplit(t testing.TB, pattern, s string) []string {
	re, err := compileRegex(pattern)
	if err != nil {
		t.Fatal(err)
	}
	return splitWith(matchSplitter(regexFinder(re), behIsolated, false), s)
}

// TestScannersMatchRegexp2: the hand-written GPT-2 and Llama-3 scanners split
// exactly like the regexp2 backtracking engine running the original patterns.
func TestScannersMatchRegexp2(t *testing.T) {
	alphabet := []rune{' ', ' ', '\n', '\r', '\t', '\v', '\u00a0', '\u3000', '\u2028', 'a', 'Z', 'é', 'ß', 'ſ', '\'', 's', 'S', 'l', 'L', 'v', 'e', 'r', 'm', 'D', 't',
		'0', '7', '٣', 'Ⅻ', '½', '!', '.', '-', '😀', '你', '\u0301', '\u200b', '\x00', '\x7f'}
	fixed := []string{"\n \n", "a\n \nb", "  \n\n x", "I'M you'RE 'Ll", "1234567", "!hello", "\thi", " !!\n\n", "x  \t\ty", "'ſ"}
	gen := rapid.OneOf(rapid.String(), rapid.StringOf(rapid.RuneFrom(alphabet)))
	for _, c := range []struct {
		name    string
		pattern string
		scan    splitter
	}{{"gpt2", GPT2Pattern, gpt2Split}, {"llama3", Llama3Pattern, cl100kSplit}} {
		t.Run(c.name, func(t *testing.T) {
			re, err := compileRegex(c.pattern)
			if err != nil {
				t.Fatal(err)
			}
			ref := matchSplitter(regexFinder(re), behIsolated, false)
			for _, s := range append(fixed, varied...) {
				if got, want := splitWith(c.scan, s), splitWith(ref, s); !slices.Equal(got, want) {
					t.Errorf("%q: scanner %q, regexp2 %q", s, got, want)
				}
			}
			rapid.Check(t, func(rt *rapid.T) {
				s := gen.Draw(rt, "s")
				if strings.ContainsRune(s, '\uFFFD') || !validRunes(s) {
					rt.Skip("regexp2 maps invalid UTF-8 differently")
				}
				if got, want := splitWith(c.scan, s), splitWith(ref, s); !slices.Equal(got, want) {
					rt.Fatalf("%q: scanner %q, regexp2 %q", s, got, want)
				}
			})
		})
	}
	if got := regexSplit(t, Llama3Pattern, "\n \n"); !slices.Equal(got, []string{"\n \n"}) {
		t.Fatalf("regexp2 on a newline run: %q", got)
	}
}

func validRunes(s string) bool { return strings.ToValidUTF8(s, "") == s }

func BenchmarkCorpusLlama3Regexp2(b *testing.B) {
	re, _ := compileRegex(Llama3Pattern)
	ref := matchSplitter(regexFinder(re), behIsolated, false)
	benchEncode(b, func(s string) { ref(s, func(string) {}) })
}

func BenchmarkCorpusLlama3Scanner(b *testing.B) {
	benchEncode(b, func(s string) { cl100kSplit(s, func(string) {}) })
}
