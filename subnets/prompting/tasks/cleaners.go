package tasks

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Cleaner post-processes LLM output (§2.10). Cleaners never fail: on odd
// input they return what they got.
type Cleaner func(string) string

// Clean applies cleaners in order.
func Clean(s string, cs ...Cleaner) string {
	for _, c := range cs {
		s = c(s)
	}
	return strings.TrimSpace(s)
}

// RemoveQuotes strips leading and trailing quote characters.
func RemoveQuotes(s string) string {
	return strings.Trim(strings.TrimSpace(s), "\"'`“”‘’")
}

// PruneEnding cuts after the last sentence end when the text contains one
// of .?! but does not end with one (a truncated generation).
func PruneEnding(s string) string {
	s = strings.TrimSpace(s)
	if s == "" || strings.ContainsAny(s[len(s)-1:], ".?!") {
		return s
	}
	if i := strings.LastIndexAny(s, ".?!"); i >= 0 {
		return s[:i+1]
	}
	return s
}

var (
	roleWords  = []string{"User: ", "System: ", "Assistant: ", "Assistant, ", "Dear AI, ", "Dear AI ", "#Question: ", "<|im_start|>", "<|im_end|>", "<|eot_id|>", "<|start_header_id|>", "<|end_header_id|>", "[INST]", "[/INST]"}
	reRolePref = regexp.MustCompile(`\n*\w+\s*:`)
	reSentence = regexp.MustCompile(`([.!?]\s+)`)
)

// RemoveRoles deletes chat-role prefixes and chat tokens, then capitalises
// each sentence (upstream v2 also drops any "\n*word:" prefix).
func RemoveRoles(s string) string {
	for _, r := range roleWords {
		s = strings.ReplaceAll(s, r, "")
	}
	if loc := reRolePref.FindStringIndex(s); loc != nil && loc[0] == 0 {
		s = s[loc[1]:]
	}
	s = strings.TrimSpace(s)
	parts := reSentence.Split(s, -1)
	seps := reSentence.FindAllString(s, -1)
	var b strings.Builder
	for i, p := range parts {
		b.WriteString(capitalize(p))
		if i < len(seps) {
			b.WriteString(seps[i])
		}
	}
	return b.String()
}

func capitalize(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}

// RemoveTags deletes "<date>" markers.
func RemoveTags(s string) string { return strings.ReplaceAll(s, "<date>", "") }

var reLabelPrefix = regexp.MustCompile(`^[^\n:?]{0,40}:\s*`)

// FirstQuestion keeps the text up to the first "?", dropping an "xxx:"
// prefix.
func FirstQuestion(s string) string {
	s = strings.TrimSpace(s)
	s = reLabelPrefix.ReplaceAllString(s, "")
	if i := strings.Index(s, "?"); i >= 0 {
		return s[:i+1]
	}
	return s
}
