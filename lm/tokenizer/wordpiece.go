package tokenizer

import (
	"strings"
	"unicode/utf8"
)

// wordPiece is BERT's greedy longest-match-first subword model.
type wordPiece struct {
	vocab    map[string]int
	unk      int
	unkToken string
	prefix   string
	maxChars int
}

func (m *wordPiece) encodeWord(dst []int, word string) []int {
	if word == "" {
		return dst
	}
	if utf8.RuneCountInString(word) > m.maxChars {
		return append(dst, m.unk)
	}
	start := len(dst)
	var sb strings.Builder
	for pos := 0; pos < len(word); {
		end := len(word)
		found := -1
		for end > pos {
			sub := word[pos:end]
			if pos > 0 {
				sb.Reset()
				sb.WriteString(m.prefix)
				sb.WriteString(sub)
				sub = sb.String()
			}
			if id, ok := m.vocab[sub]; ok {
				found = id
				break
			}
			// Step back one whole rune.
			_, w := utf8.DecodeLastRuneInString(word[pos:end])
			end -= w
		}
		if found < 0 {
			return append(dst[:start], m.unk)
		}
		dst = append(dst, found)
		pos = end
	}
	return dst
}

var cleanupReplacer = []string{
	" .", ".", " ?", "?", " !", "!", " ,", ",", " ' ", "'", " n't", "n't",
	" 'm", "'m", " do not", " don't", " 's", "'s", " 've", "'ve", " 're", "'re",
}

func cleanupSpaces(s string) string {
	// Sequential replacements, in HF's order.
	for i := 0; i < len(cleanupReplacer); i += 2 {
		s = strings.ReplaceAll(s, cleanupReplacer[i], cleanupReplacer[i+1])
	}
	return s
}
