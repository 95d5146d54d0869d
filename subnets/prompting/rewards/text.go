package rewards

import (
	"strings"
	"unicode/utf8"
)

// MaxCompletionBytes bounds the part of a completion that is scored. Upstream
// miners answer with at most 256 tokens (≈1–2 KiB); 16 KiB leaves room for
// verbose answers while keeping the O(n·m) metrics cheap.
const MaxCompletionBytes = 16 << 10

// Sanitize returns s cut to at most max bytes at a rune boundary, with
// invalid UTF-8 sequences replaced by U+FFFD.
func Sanitize(s string, max int) string {
	if len(s) > max {
		cut := max
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut]
	}
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	return s
}

// isPySpace reports whether r is whitespace for Python's str.split():
// Go's unicode.IsSpace plus the ASCII separators U+001C–U+001F.
func isPySpace(r rune) bool {
	switch r {
	case '\t', '\n', '\v', '\f', '\r', ' ', 0x1c, 0x1d, 0x1e, 0x1f, 0x85, 0xa0, 0x1680, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000:
		return true
	}
	return r >= 0x2000 && r <= 0x200a
}

// pyFields is Python's str.split() with no argument.
func pyFields(s string) []string { return strings.FieldsFunc(s, isPySpace) }
