package rewards

import "strings"

// SentimentClasses are the ordinal classes of the sentiment task, in order.
var SentimentClasses = []string{"positive", "neutral", "negative"}

// Ordinal is the sentiment reward (§4.6): the lower-cased completion must
// contain exactly one class word (as a substring); the score is then
// 1 − |idx(reference) − idx(answer)|/2. Zero or several class words, or a
// reference that is not a class, score 0 — so "not negative, positive" is 0.
func Ordinal(reference, completion string) float64 {
	ref := -1
	for i, c := range SentimentClasses {
		if strings.EqualFold(strings.TrimSpace(reference), c) {
			ref = i
		}
	}
	if ref < 0 {
		return 0
	}
	low := strings.ToLower(Sanitize(completion, MaxCompletionBytes))
	found, ans := 0, -1
	for i, c := range SentimentClasses {
		if strings.Contains(low, c) {
			found++
			ans = i
		}
	}
	if found != 1 {
		return 0
	}
	d := ref - ans
	if d < 0 {
		d = -d
	}
	return 1 - float64(d)/2
}
