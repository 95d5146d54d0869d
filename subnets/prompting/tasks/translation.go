package tasks

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"regexp"
	"sort"
	"strings"

	pctx "github.com/taonet/taonet/subnets/prompting/context"
	"github.com/taonet/taonet/subnets/prompting/persona"
	"github.com/taonet/taonet/subnets/prompting/translate"
)

// Translator is a machine-translation engine as the translation task and
// the tool miner use it. translate.Apertium implements it; LLMTranslator
// adapts an LLM.
type Translator interface {
	// Targets lists the languages (ISO 639-1) text in from translates into.
	Targets(from string) []string
	Translate(ctx context.Context, text, from, to string) (string, error)
	// Engine names the engine for a direction (cited in the challenge).
	Engine(from, to string) string
}

// TranslationTask is upstream v2.2+'s translation task (§2.7) with a real
// MT engine in place of Argos Translate: an English context section is
// machine-translated into a drawn source language X (or kept in English),
// the query asks for it in a drawn target language Y, and the reference is
// the engine's X→Y translation. Static query and reference; the challenge
// is the query; scored by ROUGE-1 with the challenge-overlap penalty at
// weight 1 (echoing the source scores 0).
type TranslationTask struct {
	// MaxWords bounds the source text (whole sentences; default 60).
	MaxWords int
}

// NewTranslation returns the translation task.
func NewTranslation() *TranslationTask { return &TranslationTask{} }

// Name implements Task.
func (*TranslationTask) Name() string { return Translation }

// Needs implements Task: articles and a translator.
func (*TranslationTask) Needs() Needs { return Needs{Articles: true, Translator: true} }

// translationRequests are the polite request templates; %s is the target
// language's English name. The text follows on the next line.
var translationRequests = []string{
	"Could you translate the following text into %s?",
	"Please translate this passage into %s.",
	"I need this text in %s, can you translate it?",
	"Can you help me put the following into %s?",
	"Translate the text below into %s, please.",
	"Would you mind translating this into %s?",
	"How would the following read in %s? Please translate it.",
	"I'd appreciate a %s translation of this text.",
	"Kindly render the following passage in %s.",
	"Could you give me a %s version of the text below?",
	"Please provide a translation into %s of the following.",
	"What is this text in %s? Translate it for me, please.",
	"Help me translate the following paragraph into %s.",
	"I would like the following translated into %s.",
	"Can you convert this text into %s for me?",
	"Please rewrite the following text in %s.",
	"Translate into %s, please:",
	"My friend only reads %s; could you translate this for them?",
	"Could you produce a faithful %s translation of this text?",
	"Please translate the passage below into %s, keeping its meaning.",
}

// sourceLanguage is the language the article sources are written in.
const sourceLanguage = "en"

// Generate implements Task.
func (t *TranslationTask) Generate(ctx context.Context, rng *rand.Rand, b Backends) (*Challenge, error) {
	from := viableSources(b.Translator)
	if len(from) == 0 {
		return nil, errors.New("tasks: translation: the translator has no pair from English")
	}
	c, err := pctx.Retry(ctx, b.Articles, rng)
	if err != nil {
		return nil, err
	}
	maxWords := t.MaxWords
	if maxWords <= 0 {
		maxWords = 60
	}
	text := Lead(c.Content, maxWords)
	if strings.TrimSpace(text) == "" {
		return nil, errors.New("tasks: translation: empty context")
	}
	x := pick(rng, from)
	var ys []string
	for _, y := range b.Translator.Targets(x) {
		if y != x {
			ys = append(ys, y)
		}
	}
	y := pick(rng, ys)
	if x != sourceLanguage {
		if text, err = b.Translator.Translate(ctx, text, sourceLanguage, x); err != nil {
			return nil, fmt.Errorf("tasks: translation: %w", err)
		}
	}
	ref, err := b.Translator.Translate(ctx, text, x, y)
	if err != nil {
		return nil, fmt.Errorf("tasks: translation: %w", err)
	}
	if strings.TrimSpace(ref) == "" {
		return nil, errors.New("tasks: translation: the engine returned nothing")
	}
	q := fmt.Sprintf(pick(rng, translationRequests), translate.Name(y)) + "\n" + text
	if c.Extra == nil {
		c.Extra = map[string]string{}
	} else {
		c.Extra = cloneExtra(c.Extra)
	}
	c.Extra["source_language"], c.Extra["target_language"] = x, y
	c.Extra["engine"] = b.Translator.Engine(x, y)
	return &Challenge{
		Task: Translation, Query: q, CleanQuery: q, Reference: ref, Context: c,
		ChallengeType: ChallengeQuery, Persona: persona.Random(rng),
	}, nil
}

func cloneExtra(m map[string]string) map[string]string {
	out := make(map[string]string, len(m)+3)
	for k, v := range m {
		out[k] = v
	}
	return out
}

// viableSources lists English and every language English translates into
// that itself translates into some other language, sorted.
func viableSources(tr Translator) []string {
	out := []string{}
	en := tr.Targets(sourceLanguage)
	if len(en) > 0 {
		out = append(out, sourceLanguage)
	}
	for _, x := range en {
		for _, y := range tr.Targets(x) {
			if y != x {
				out = append(out, x)
				break
			}
		}
	}
	sort.Strings(out)
	return out
}

// LLMTranslator translates with the validator's (or a miner's) LLM among a
// fixed set of languages.
type LLMTranslator struct {
	LLM LLM
	// Languages are ISO 639-1 codes (default en, es, fr, pt, uk: upstream's
	// Argos set).
	Languages []string
}

func (l *LLMTranslator) langs() []string {
	if len(l.Languages) == 0 {
		return []string{"en", "es", "fr", "pt", "uk"}
	}
	return l.Languages
}

// Targets implements Translator.
func (l *LLMTranslator) Targets(from string) []string {
	var out []string
	ok := false
	for _, x := range l.langs() {
		if x == from {
			ok = true
		} else {
			out = append(out, x)
		}
	}
	if !ok {
		return nil
	}
	sort.Strings(out)
	return out
}

// Translate implements Translator.
func (l *LLMTranslator) Translate(ctx context.Context, text, from, to string) (string, error) {
	return chat(ctx, l.LLM, "You are a professional translator. Reply with only the translation, nothing else.",
		fmt.Sprintf("Translate the following text from %s into %s.\n\n%s", langName(from), langName(to), text), RemoveQuotes)
}

// Engine implements Translator.
func (l *LLMTranslator) Engine(from, to string) string { return "llm" }

func langName(code string) string {
	if code == "uk" {
		return "Ukrainian"
	}
	return translate.Name(code)
}

var reLanguageWord = regexp.MustCompile(`\p{Lu}\p{Ll}+`)

// ParseTranslationRequest splits a translation challenge into the target
// language (the last known language name in its first line) and the text
// to translate (the lines after it). ok is false when the challenge does
// not look like one.
func ParseTranslationRequest(challenge string) (target, text string, ok bool) {
	head, body, found := strings.Cut(strings.TrimSpace(challenge), "\n")
	if !found || strings.TrimSpace(body) == "" {
		return "", "", false
	}
	if !strings.Contains(strings.ToLower(head), "transl") && !strings.Contains(strings.ToLower(head), "version") &&
		!strings.Contains(strings.ToLower(head), " in ") && !strings.Contains(strings.ToLower(head), "into") {
		return "", "", false
	}
	names := translate.Names()
	for _, w := range reLanguageWord.FindAllString(head, -1) {
		if code, ok := names[w]; ok {
			target = code
		}
	}
	if target == "" {
		return "", "", false
	}
	return target, strings.TrimSpace(body), true
}

// Translate answers a translation challenge with tr: the target language
// from the request, the source language detected among those tr translates
// into the target. ok is false when the challenge is not a translation
// request or tr has no pair for it.
func (s *ToolSolver) Translate(ctx context.Context, challenge string) (string, bool) {
	if s.Translator == nil {
		return "", false
	}
	to, text, ok := ParseTranslationRequest(challenge)
	if !ok {
		return "", false
	}
	var cands []string
	for _, x := range append([]string{sourceLanguage}, s.Translator.Targets(sourceLanguage)...) {
		for _, y := range s.Translator.Targets(x) {
			if y == to && x != to {
				cands = append(cands, x)
				break
			}
		}
	}
	from := translate.Detect(text, cands)
	if from == "" {
		return "", false
	}
	out, err := s.Translator.Translate(ctx, text, from, to)
	if err != nil || strings.TrimSpace(out) == "" {
		return "", false
	}
	return out, true
}
