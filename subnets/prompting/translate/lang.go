package translate

import "strings"

// language is what this package knows about one language.
type language struct {
	code, name string
	iso3       []string // ISO 639-3 / Apertium spellings
	// stop holds frequent function words that are rare in the other
	// languages listed here (for Detect).
	stop []string
}

var languages = []language{
	{"en", "English", []string{"eng"}, []string{"the", "of", "and", "is", "was", "with", "which", "that", "from", "by", "his", "its", "were"}},
	{"es", "Spanish", []string{"spa"}, []string{"el", "los", "las", "del", "que", "y", "es", "por", "con", "una", "su", "fue", "como"}},
	{"ca", "Catalan", []string{"cat"}, []string{"els", "les", "del", "que", "i", "és", "per", "amb", "una", "va", "seu", "dels", "més"}},
	{"gl", "Galician", []string{"glg"}, []string{"o", "os", "as", "do", "da", "que", "e", "é", "polo", "unha", "coa", "foi", "nun"}},
	{"pt", "Portuguese", []string{"por"}, []string{"o", "os", "as", "do", "da", "que", "e", "é", "pelo", "uma", "com", "foi", "não"}},
	{"fr", "French", []string{"fra"}, []string{"le", "les", "des", "du", "que", "et", "est", "pour", "avec", "une", "sur", "dans", "qui"}},
	{"it", "Italian", []string{"ita"}, []string{"il", "gli", "della", "che", "e", "è", "per", "con", "una", "nel", "degli", "sono"}},
	{"eo", "Esperanto", []string{"epo"}, []string{"la", "kaj", "estas", "de", "en", "al", "kun", "por", "ke", "estis"}},
	{"eu", "Basque", []string{"eus"}, []string{"eta", "da", "ez", "bat", "zen", "dira", "du", "ere", "baina"}},
}

func lookup(code string) (language, bool) {
	c := strings.ToLower(code)
	for _, l := range languages {
		if l.code == c {
			return l, true
		}
		for _, x := range l.iso3 {
			if x == c {
				return l, true
			}
		}
	}
	return language{}, false
}

// Normalize maps an ISO 639-1 or 639-3 code (or an Apertium variant such as
// "eng_US") to the ISO 639-1 code this package uses; ok is false for an
// unknown language.
func Normalize(code string) (string, bool) {
	base, _, _ := strings.Cut(code, "_")
	l, ok := lookup(base)
	return l.code, ok
}

// Name returns the English name of a language code ("es" → "Spanish"), or
// the code itself when unknown.
func Name(code string) string {
	if l, ok := lookup(code); ok {
		return l.name
	}
	return code
}

// Names returns every known language name with its code.
func Names() map[string]string {
	out := map[string]string{}
	for _, l := range languages {
		out[l.name] = l.code
	}
	return out
}

// Detect returns the candidate language whose function words are most
// frequent in text (ties: the first candidate). It returns "" when no
// candidate is known or text has no function word of any candidate.
func Detect(text string, candidates []string) string {
	words := map[string]int{}
	for _, w := range strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r > 127 && r != '«' && r != '»' && r != '—' && r != '–' && r != '’')
	}) {
		words[w]++
	}
	best, top := "", 0
	for _, c := range candidates {
		l, ok := lookup(c)
		if !ok {
			continue
		}
		n := 0
		for _, s := range l.stop {
			n += words[s]
		}
		if n > top {
			best, top = l.code, n
		}
	}
	return best
}
