package persona

import (
	"math/rand/v2"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Greetings by tone family; the deterministic paraphraser's replacement for
// an LLM role-play.
var (
	politeGreetings = []string{"Hello", "Hi there", "Good day", "Hello assistant", "Greetings", "Hi, hope you're well"}
	casualGreetings = []string{"hey", "yo", "hiya", "heya", "ok so", "sup", "hi"}
	curtGreetings   = []string{"", "listen", "look", "quick one", "right"}
	politeRequests  = []string{"Could you please help me with this?", "Would you mind answering this?", "I'd appreciate your help.", "Thank you in advance."}
	casualRequests  = []string{"any idea?", "help me out pls", "wdyt?", "thx", "can u help", "no rush lol"}
	curtRequests    = []string{"Answer it.", "Just tell me.", "Quickly.", "Need this now.", "Don't ramble."}
	moodOpeners     = map[string][]string{
		"an interested": {"I've been reading about this and", "I'm really into this topic and"},
		"a concerned":   {"I'm a bit worried I got this wrong, so", "this has been bugging me:"},
		"an impatient":  {"I don't have all day,", "quickly,"},
		"a tired":       {"long day, sorry,", "I'm exhausted but"},
		"a confused":    {"I'm confused,", "I don't really get this,"},
		"an annoyed":    {"ugh,", "nobody could explain this to me,"},
		"a curious":     {"just curious,", "I've always wondered,"},
		"an upbeat":     {"great day to learn!", "so excited to ask this:"},
		"a lazy":        {"too lazy to look it up,", "can't be bothered to search,"},
	}
)

// Paraphrase rewrites a clear query as a human with persona p might type it,
// deterministically from rng (the no-LLM challenge). difficulty ∈ [0,1]
// scales the corruption: the probability that a word gets a typo or changes
// case is 0.12·difficulty, of dropping a filler word 0.25·difficulty; numbers,
// dates, code-like and capitalised words (the facts a miner needs) are never
// dropped or mistyped, so the query stays answerable. The result never adds
// text that is not the query or persona filler, so it cannot leak a
// reference that the query does not contain.
func Paraphrase(rng *rand.Rand, query string, p Persona, difficulty float64) string {
	if difficulty < 0 {
		difficulty = 0
	}
	if difficulty > 1 {
		difficulty = 1
	}
	var greets, requests []string
	switch p.Tone {
	case "formal", "polite", "friendly", "positive":
		greets, requests = politeGreetings, politeRequests
	case "informal", "casual", "indifferent":
		greets, requests = casualGreetings, casualRequests
	default: // rushed, impolite, unfriendly, negative
		greets, requests = curtGreetings, curtRequests
	}
	body := corrupt(rng, strings.TrimSpace(query), difficulty)
	casual := greets[0] == casualGreetings[0]
	if casual {
		body = lowerFirst(body)
	}
	var parts []string
	if g := greets[rng.IntN(len(greets))]; g != "" && rng.Float64() < 0.8 {
		if casual {
			parts = append(parts, g)
		} else {
			parts = append(parts, g+",")
		}
	}
	if op, ok := moodOpeners[p.Mood]; ok && rng.Float64() < 0.5 {
		parts = append(parts, op[rng.IntN(len(op))])
		body = lowerFirst(body)
	}
	parts = append(parts, body)
	if rng.Float64() < 0.6 {
		parts = append(parts, requests[rng.IntN(len(requests))])
	}
	return strings.Join(parts, " ")
}

// protected reports whether a word carries a fact the miner needs.
func protected(w string) bool {
	for _, r := range w {
		if unicode.IsDigit(r) || strings.ContainsRune("=+-*/()[]{}<>_$%^&|\\\"'`", r) {
			return true
		}
	}
	r, _ := utf8.DecodeRuneInString(w)
	return unicode.IsUpper(r) || len(w) <= 2
}

var fillers = map[string]bool{"the": true, "a": true, "an": true, "please": true, "exactly": true, "really": true, "just": true, "very": true, "of": false}

func corrupt(rng *rand.Rand, s string, difficulty float64) string {
	if difficulty == 0 {
		return s
	}
	lines := strings.Split(s, "\n")
	for li, line := range lines {
		words := strings.Split(line, " ")
		out := words[:0]
		for i, w := range words {
			if w == "" {
				out = append(out, w)
				continue
			}
			if i > 0 && fillers[strings.ToLower(w)] && rng.Float64() < 0.25*difficulty {
				continue
			}
			if !protected(w) && rng.Float64() < 0.12*difficulty {
				w = typo(rng, w)
			}
			out = append(out, w)
		}
		lines[li] = strings.Join(out, " ")
	}
	return strings.Join(lines, "\n")
}

// typo applies one of: swap two adjacent letters, double a letter, drop a
// letter, upper-case the word.
func typo(rng *rand.Rand, w string) string {
	r := []rune(w)
	if len(r) < 3 {
		return w
	}
	i := 1 + rng.IntN(len(r)-2)
	switch rng.IntN(4) {
	case 0:
		r[i], r[i+1] = r[i+1], r[i]
	case 1:
		r = append(r[:i+1], r[i:]...)
	case 2:
		r = append(r[:i], r[i+1:]...)
	default:
		return strings.ToUpper(w)
	}
	return string(r)
}

func lowerFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 || !unicode.IsUpper(r) {
		return s
	}
	// keep acronyms and proper nouns (second letter upper, or the word is a
	// name we cannot tell apart) — only lower a plain sentence start.
	if n < len(s) {
		r2, _ := utf8.DecodeRuneInString(s[n:])
		if unicode.IsUpper(r2) {
			return s
		}
	}
	return string(unicode.ToLower(r)) + s[n:]
}
