package tokenizer

// Llama3Pattern is the pre-tokenization regex of tiktoken's cl100k_base and of
// Llama-3's tokenizer.json; Split pre-tokenizers with exactly this pattern use
// the hand-written cl100kSplit instead of a regex engine.
const Llama3Pattern = `(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`

// cl100kSplit emits the pieces of s matched by Llama3Pattern, as a
// backtracking regex engine would.
func cl100kSplit(s string, emit func(string)) {
	for i := 0; i < len(s); {
		j := cl100kNext(s, i)
		emit(s[i:j])
		i = j
	}
}

func isNL(r rune) bool { return r == '\n' || r == '\r' }

// lowerASCII folds an ASCII letter to lower case.
func lowerASCII(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 32
	}
	return c
}

func cl100kNext(s string, i int) int {
	// (?i:'s|'t|'re|'ve|'m|'ll|'d)
	if s[i] == '\'' && i+1 < len(s) {
		switch lowerASCII(s[i+1]) {
		case 's', 't', 'm', 'd':
			return i + 2
		case 'r', 'v':
			if i+2 < len(s) && lowerASCII(s[i+2]) == 'e' {
				return i + 3
			}
		case 'l':
			if i+2 < len(s) && lowerASCII(s[i+2]) == 'l' {
				return i + 3
			}
		}
		// U+017F (long s) folds to 's' under Unicode case-insensitivity.
		if i+2 < len(s) && s[i+1] == 0xC5 && s[i+2] == 0xBF {
			return i + 3
		}
	}
	r, w := decodeAt(s, i)
	cls := classify(r)
	// [^\r\n\p{L}\p{N}]?\p{L}+
	start := -1
	if cls == clLetter {
		start = i
	} else if cls != clNumber && !isNL(r) && i+w < len(s) {
		if r2, _ := decodeAt(s, i+w); classify(r2) == clLetter {
			start = i + w
		}
	}
	if start >= 0 {
		return runOf(s, start, clLetter)
	}
	// \p{N}{1,3}
	if cls == clNumber {
		j := i + w
		for n := 1; n < 3 && j < len(s); n++ {
			r2, w2 := decodeAt(s, j)
			if classify(r2) != clNumber {
				break
			}
			j += w2
		}
		return j
	}
	// ' ?[^\s\p{L}\p{N}]+[\r\n]*'
	k := i
	if s[i] == ' ' && i+1 < len(s) {
		k = i + 1
	}
	if r2, _ := decodeAt(s, k); classify(r2) == clOther {
		j := runOf(s, k, clOther)
		for j < len(s) && (s[j] == '\r' || s[j] == '\n') {
			j++
		}
		return j
	}
	// Whitespace at i. \s*[\r\n]+ reaches the last newline of the run;
	// otherwise \s+(?!\S) leaves the run's last char to the next piece.
	j, last, lastNL := i, i, -1
	for j < len(s) {
		r2, w2 := decodeAt(s, j)
		if classify(r2) != clSpace {
			break
		}
		if isNL(r2) {
			lastNL = j + w2
		}
		last = j
		j += w2
	}
	if lastNL >= 0 {
		return lastNL
	}
	if j == len(s) || last == i {
		return j
	}
	return last
}

// runOf returns the end of the run of class cls starting at i.
func runOf(s string, i int, cls runeClass) int {
	for i < len(s) {
		r, w := decodeAt(s, i)
		if classify(r) != cls {
			break
		}
		i += w
	}
	return i
}
