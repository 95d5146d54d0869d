package tokenizer

import (
	"unicode"
	"unicode/utf8"
)

// byteToRune is GPT-2's reversible byte→unicode map: printable Latin-1 bytes
// map to themselves, the rest to U+0100.. in order, so every byte sequence
// becomes a printable string.
var (
	byteToRune [256]rune
	runeToByte = map[rune]byte{}
	byteToStr  [256]string
)

func init() {
	n := 0
	for b := 0; b < 256; b++ {
		if (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF) {
			byteToRune[b] = rune(b)
		} else {
			byteToRune[b] = rune(256 + n)
			n++
		}
		runeToByte[byteToRune[b]] = byte(b)
		byteToStr[b] = string(byteToRune[b])
	}
}

// byteLevelString maps raw bytes to their byte-level alphabet string.
func byteLevelString(s string) string {
	out := make([]byte, 0, 2*len(s))
	for i := 0; i < len(s); i++ {
		out = utf8.AppendRune(out, byteToRune[s[i]])
	}
	return string(out)
}

// GPT2Pattern is the GPT-2 pre-tokenization regex, implemented by gpt2Split.
const GPT2Pattern = `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`

type runeClass uint8

const (
	clOther runeClass = iota
	clLetter
	clNumber
	clSpace
)

func classify(r rune) runeClass {
	if r < utf8.RuneSelf {
		switch {
		case r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z':
			return clLetter
		case r >= '0' && r <= '9':
			return clNumber
		case r == ' ' || r >= '\t' && r <= '\r':
			return clSpace
		}
		return clOther
	}
	switch {
	case unicode.IsLetter(r):
		return clLetter
	case unicode.IsNumber(r):
		return clNumber
	case unicode.IsSpace(r):
		return clSpace
	}
	return clOther
}

// gpt2Split calls emit for each piece of s matched by GPT2Pattern, exactly as
// a backtracking regex engine would, without a regex engine. Invalid UTF-8
// bytes count as "other" characters and are kept.
func gpt2Split(s string, emit func(string)) {
	i := 0
	for i < len(s) {
		j := gpt2Next(s, i)
		emit(s[i:j])
		i = j
	}
}

func decodeAt(s string, i int) (rune, int) {
	if c := s[i]; c < utf8.RuneSelf {
		return rune(c), 1
	}
	return utf8.DecodeRuneInString(s[i:])
}

// gpt2Next returns the end of the piece starting at i.
func gpt2Next(s string, i int) int {
	// Contractions: 's 't 're 've 'm 'll 'd (case-sensitive, as in GPT-2).
	if s[i] == '\'' && i+1 < len(s) {
		switch s[i+1] {
		case 's', 't', 'm', 'd':
			return i + 2
		case 'r', 'v':
			if i+2 < len(s) && s[i+2] == 'e' {
				return i + 3
			}
		case 'l':
			if i+2 < len(s) && s[i+2] == 'l' {
				return i + 3
			}
		}
	}
	// Optional leading space, then a run of letters, numbers or "other".
	k := i
	if s[i] == ' ' && i+1 < len(s) {
		k = i + 1
	}
	r, w := decodeAt(s, k)
	cls := classify(r)
	if k == i+1 && cls == clSpace {
		// " " followed by whitespace: handled by the whitespace rules below.
		k, cls = i, clSpace
		r, w = ' ', 1
	}
	if cls != clSpace {
		j := k + w
		for j < len(s) {
			r2, w2 := decodeAt(s, j)
			if classify(r2) != cls {
				break
			}
			j += w2
		}
		return j
	}
	// Whitespace: \s+(?!\S) takes the run except its last char when a non-space
	// follows; a single whitespace char then falls to \s+.
	_ = r
	j, last := i, i
	for j < len(s) {
		r2, w2 := decodeAt(s, j)
		if classify(r2) != clSpace {
			break
		}
		last = j
		j += w2
	}
	if j == len(s) || last == i {
		return j
	}
	return last
}
