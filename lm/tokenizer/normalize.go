package tokenizer

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// normalizer rewrites text before pre-tokenization.
type normalizer func(string) string

func isBertControl(r rune) bool {
	if r == '\t' || r == '\n' || r == '\r' {
		return false
	}
	return unicode.In(r, unicode.Cc, unicode.Cf, unicode.Co, unicode.Cs) || !isAssigned(r)
}

func isAssigned(r rune) bool {
	return unicode.In(r, unicode.L, unicode.M, unicode.N, unicode.P, unicode.S, unicode.Z, unicode.C)
}

func isBertWhitespace(r rune) bool {
	return r == '\t' || r == '\n' || r == '\r' || unicode.IsSpace(r)
}

func isCJK(r rune) bool {
	return r >= 0x4E00 && r <= 0x9FFF || r >= 0x3400 && r <= 0x4DBF ||
		r >= 0x20000 && r <= 0x2A6DF || r >= 0x2A700 && r <= 0x2B73F ||
		r >= 0x2B740 && r <= 0x2B81F || r >= 0x2B920 && r <= 0x2CEAF ||
		r >= 0xF900 && r <= 0xFAFF || r >= 0x2F800 && r <= 0x2FA1F
}

// bertNormalizer mirrors HF's BertNormalizer: clean text, pad CJK ideographs
// with spaces, strip accents (NFD, drop Mn), lowercase.
func bertNormalizer(cleanText, chinese, stripAccents, lowercase bool) normalizer {
	return func(s string) string {
		var sb strings.Builder
		sb.Grow(len(s))
		for _, r := range s {
			if cleanText {
				if r == 0 || r == 0xFFFD || isBertControl(r) {
					continue
				}
				if isBertWhitespace(r) {
					r = ' '
				}
			}
			if chinese && isCJK(r) {
				sb.WriteByte(' ')
				sb.WriteRune(r)
				sb.WriteByte(' ')
				continue
			}
			sb.WriteRune(r)
		}
		out := sb.String()
		if stripAccents {
			out = stripMarks(out)
		}
		if lowercase {
			out = strings.ToLower(out)
		}
		return out
	}
}

func stripMarks(s string) string {
	d := norm.NFD.String(s)
	var sb strings.Builder
	sb.Grow(len(d))
	for _, r := range d {
		if !unicode.Is(unicode.Mn, r) {
			sb.WriteRune(r)
		}
	}
	return sb.String()
}

func seqNormalizer(ns []normalizer) normalizer {
	return func(s string) string {
		for _, n := range ns {
			s = n(s)
		}
		return s
	}
}

func normForm(name string) normalizer {
	f := map[string]norm.Form{"NFC": norm.NFC, "NFD": norm.NFD, "NFKC": norm.NFKC, "NFKD": norm.NFKD}[name]
	return f.String
}
