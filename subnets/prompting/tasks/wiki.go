package tasks

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	pctx "github.com/taonet/taonet/subnets/prompting/context"
	"github.com/taonet/taonet/subnets/prompting/persona"
	"github.com/taonet/taonet/subnets/prompting/rewards"
)

// Sentences splits text after ., ! or ? followed by whitespace, trimming
// each sentence (context.SplitSentences).
func Sentences(text string) []string { return pctx.SplitSentences(text) }

// upstream system prompts (paraphrased from tasks/qa.py, summarization.py,
// date_qa.py and the v2 "Chattensor" reference prompt).
const (
	qaQuerySystem = "You are a question-generating expert, focusing on delivering comprehensive and accurate questions " +
		"with depth and clarity. Your questions should be concise and neutral in tone, within a word limit of 50 words."
	referenceSystem = "You are Chattensor, an assistant that answers questions accurately and concisely for simple " +
		"questions and thoroughly for complex ones, citing credible sources where possible. Use markdown for code. " +
		"Do not mention yourself."
	dateQuerySystem = "You are a question creation expert. Make a specific question that would have the answer <date>. " +
		"The question should contain the topic. Reply with the question only."
)

// QATask is question answering (§2.1).
type QATask struct{}

// NewQA returns the qa task.
func NewQA() *QATask { return &QATask{} }

// Name implements Task.
func (*QATask) Name() string { return QA }

// Needs implements Task: articles; the LLM is optional.
func (*QATask) Needs() Needs { return Needs{Articles: true} }

var (
	reYearWord  = regexp.MustCompile(`\b(1[0-9]{3}|20[0-9]{2})\b`)
	reNumber    = regexp.MustCompile(`\b\d[\d,.]*\b`)
	reCapPhrase = regexp.MustCompile(`\b[A-Z][a-zA-Z'\-]+(?: (?:of |de |the |von )?[A-Z][a-zA-Z'\-]+)*`)
)

// ClozeQuestion turns a factual sentence into a question by masking its key
// fact: a year ("In what year…"), else a number ("What number…"), else a
// capitalised phrase after the sentence start ("Which name…"). Only a span
// that occurs exactly once in the sentence and not in the title is masked,
// so the question never contains its answer. It returns the question and
// the masked span, or ok=false when the sentence has no such fact.
func ClozeQuestion(title, sentence string) (question, answer string, ok bool) {
	type cand struct {
		loc  []int
		kind string
	}
	var cands []cand
	for _, l := range reYearWord.FindAllStringIndex(sentence, -1) {
		cands = append(cands, cand{l, "year"})
	}
	for _, l := range reNumber.FindAllStringIndex(sentence, -1) {
		cands = append(cands, cand{l, "number"})
	}
	for _, l := range reCapPhrase.FindAllStringIndex(sentence, -1) {
		if l[0] > 0 {
			cands = append(cands, cand{l, "name"})
		}
	}
	for _, c := range cands {
		ans := strings.TrimRight(sentence[c.loc[0]:c.loc[1]], ".,")
		if ans == "" || strings.Count(sentence, ans) != 1 || strings.Contains(strings.ToLower(title), strings.ToLower(ans)) {
			continue
		}
		masked := sentence[:c.loc[0]] + "____" + sentence[c.loc[0]+len(ans):]
		masked = strings.TrimRight(masked, ".!? ")
		ask := map[string]string{"year": "In what year", "number": "What number", "name": "Which name"}[c.kind]
		return fmt.Sprintf("About %s: %s. %s fills the blank?", title, masked, ask), ans, true
	}
	return "", "", false
}

// factSentences returns the sentences with 6..80 words that ClozeQuestion
// can use.
func factSentences(title, content string) []string {
	var out []string
	for _, s := range Sentences(content) {
		n := len(strings.Fields(s))
		if n < 6 || n > 80 {
			continue
		}
		if _, _, ok := ClozeQuestion(title, s); ok {
			out = append(out, s)
		}
	}
	return out
}

// Generate implements Task. Without an LLM: a random fact sentence of the
// section becomes a cloze question (ClozeQuestion) and the reference is the
// masked span (the whole sentence would be mostly in the question, so an
// echo would score as well as an answer); the sentence is kept in
// Context.Extra["sentence"]. With an LLM: query and reference are generated as upstream.
func (t *QATask) Generate(ctx context.Context, rng *rand.Rand, b Backends) (*Challenge, error) {
	var c pctx.Context
	var cands []string
	for try := 0; try < pctx.MaxTries; try++ {
		var err error
		if c, err = pctx.Retry(ctx, b.Articles, rng); err != nil {
			return nil, err
		}
		if b.LLM != nil {
			break
		}
		if cands = factSentences(c.Title, c.Content); len(cands) > 0 {
			break
		}
	}
	ch := &Challenge{Task: QA, Context: c}
	if b.LLM != nil {
		q, err := chat(ctx, b.LLM, qaQuerySystem, "Ask a specific question about the following context:\n\n#Context:\n"+c.Content,
			RemoveQuotes, PruneEnding, RemoveRoles, FirstQuestion)
		if err != nil {
			return nil, err
		}
		ref, err := chat(ctx, b.LLM, referenceSystem, "Answer the question you will receive in detail, utilizing the following context.\n\n#Context:\n"+
			c.Content+"\n\n# Question:\n"+q)
		if err != nil {
			return nil, err
		}
		ch.CleanQuery, ch.Reference, ch.LLMGenerated = q, ref, true
	} else {
		if len(cands) == 0 {
			return nil, fmt.Errorf("tasks: qa: no factual sentence in %q", c.Title)
		}
		s := cands[rng.IntN(len(cands))]
		q, ans, _ := ClozeQuestion(c.Title, s)
		ch.CleanQuery, ch.Reference = q, ans
		ch.Context.Extra = withExtra(c.Extra, "sentence", s)
	}
	err := personaChallenge(ctx, rng, b, ch, persona.Goal{Desc: "get help answering a question", Topic: c.Topic, Subtopic: c.Subtopic,
		Goal: "get the answer to the following question"}, RemoveQuotes, PruneEnding, RemoveRoles)
	if err != nil {
		return nil, err
	}
	return ch, nil
}

// SummarizationTask is summarization (§2.2).
type SummarizationTask struct {
	// LeadWords bounds the deterministic reference (default 60 words).
	LeadWords int
}

// NewSummarization returns the summarization task.
func NewSummarization() *SummarizationTask { return &SummarizationTask{LeadWords: 60} }

// Name implements Task.
func (*SummarizationTask) Name() string { return Summarization }

// Needs implements Task: articles; the LLM is optional.
func (*SummarizationTask) Needs() Needs { return Needs{Articles: true} }

// Lead returns the first sentences of text, at least one, stopping before
// the total would exceed maxWords.
func Lead(text string, maxWords int) string {
	var out []string
	words := 0
	for _, s := range Sentences(text) {
		n := len(strings.Fields(s))
		if len(out) > 0 && words+n > maxWords {
			break
		}
		out = append(out, s)
		words += n
	}
	return strings.Join(out, " ")
}

// Generate implements Task. The query is upstream's static "{title},
// {section}"; the reference is the LLM summary, or without an LLM the
// section's lead sentences (Lead, LeadWords words).
func (t *SummarizationTask) Generate(ctx context.Context, rng *rand.Rand, b Backends) (*Challenge, error) {
	c, err := pctx.Retry(ctx, b.Articles, rng)
	if err != nil {
		return nil, err
	}
	ch := &Challenge{Task: Summarization, Context: c, CleanQuery: c.Title + ", " + c.Subtopic}
	if c.Subtopic == "" || c.Subtopic == c.Title {
		ch.CleanQuery = c.Title
	}
	if b.LLM != nil {
		ref, err := chat(ctx, b.LLM, referenceSystem, "Summarize the following context in a concise and accurate manner:\n\n## Context\n"+c.Content)
		if err != nil {
			return nil, err
		}
		ch.Reference, ch.LLMGenerated = ref, true
	} else {
		n := t.LeadWords
		if n <= 0 {
			n = 60
		}
		ch.Reference = Lead(c.Content, n)
		if ch.Reference == "" {
			return nil, errors.New("tasks: summarization: empty context")
		}
	}
	// A no-LLM paraphrase of the terse "title, section" makes the ask explicit.
	plain := "Summarize the " + c.Subtopic + " section of " + c.Title + "."
	if c.Subtopic == "" || c.Subtopic == c.Title {
		plain = "Summarize what is known about " + c.Title + "."
	}
	err = personaChallengeAs(ctx, rng, b, ch, persona.Goal{Desc: "get help with summarizing a topic", Topic: c.Topic, Subtopic: c.Subtopic,
		Goal: "summarize the following topic"}, plain, RemoveQuotes, PruneEnding, RemoveRoles)
	if err != nil {
		return nil, err
	}
	return ch, nil
}

// DateQATask is date-based question answering (§2.3).
type DateQATask struct{}

// NewDateQA returns the date_qa task.
func NewDateQA() *DateQATask { return &DateQATask{} }

// Name implements Task.
func (*DateQATask) Name() string { return DateQA }

// Needs implements Task: articles; the LLM is optional.
func (*DateQATask) Needs() Needs { return Needs{Articles: true} }

var rePrepBeforeDate = regexp.MustCompile(`(?i)\b(on|in|of|since|by|from|until)\s*$`)

// DatedEvent finds the first sentence of text with a date (rewards.FindDate
// rules) and returns the sentence with the date (and a preposition right
// before it) removed, the date text, and whether the date is a bare year.
func DatedEvent(text string) (event, date string, yearOnly, ok bool) {
	for _, s := range Sentences(text) {
		d, found := rewards.FindDate(s)
		if !found || (!d.YearOnly && !d.Valid) {
			continue
		}
		i := strings.Index(s, d.Text)
		before := rePrepBeforeDate.ReplaceAllString(strings.TrimRight(s[:i], " ,"), "")
		after := strings.TrimLeft(s[i+len(d.Text):], ",")
		ev := strings.TrimSpace(strings.TrimSpace(before) + " " + strings.TrimSpace(after))
		ev = strings.TrimRight(ev, ".!? ,;:")
		if len(strings.Fields(ev)) < 4 {
			continue
		}
		return ev, d.Text, d.YearOnly, true
	}
	return "", "", false, false
}

// Generate implements Task. Without an LLM (upstream v1): the first dated
// sentence becomes "{event} — on what exact date?" ("in what year?" for a
// bare year), the reference is the date text, and the challenge is a
// persona paraphrase. With an LLM (v2.3+): the date is masked as <date>, the
// LLM writes the question (cleaned with RemoveTags, FirstQuestion) and a
// reference that must contain the date; the challenge is the raw query.
func (t *DateQATask) Generate(ctx context.Context, rng *rand.Rand, b Backends) (*Challenge, error) {
	if b.Events != nil {
		return t.fromEvent(ctx, rng, b)
	}
	var c pctx.Context
	var event, date string
	var yearOnly bool
	var err error
	for try := 0; try < pctx.MaxTries; try++ {
		c, err = pctx.Retry(ctx, b.Articles, rng)
		if err != nil {
			return nil, err
		}
		var ok bool
		if event, date, yearOnly, ok = DatedEvent(c.Content); ok {
			break
		}
		date = ""
	}
	if date == "" {
		return nil, errors.New("tasks: date_qa: no dated sentence found")
	}
	ch := &Challenge{Task: DateQA, Context: c}
	ch.Context.Extra = withExtra(c.Extra, "date", date)
	if b.LLM != nil {
		masked := strings.Replace(firstSentenceWith(c.Content, date), date, "<date>", 1)
		q, err := chat(ctx, b.LLM, dateQuerySystem, "Create a question about "+c.Title+" that would have <date> as the answer using the following context:\n"+masked,
			RemoveTags, FirstQuestion)
		if err != nil {
			return nil, err
		}
		ref, err := chat(ctx, b.LLM, referenceSystem, "Your answer must include the following date: "+date+
			". Answer the following question using the provided context.\nQuestion: "+q+"\nContext: "+c.Content)
		if err != nil {
			return nil, err
		}
		if strings.Contains(q, date) { // the LLM knew the date and wrote it into the question
			return nil, fmt.Errorf("tasks: date_qa: generated question contains its answer %q", date)
		}
		ch.CleanQuery, ch.Query, ch.Reference, ch.LLMGenerated = q, q, ref, true
		ch.ChallengeType = ChallengeQuery
		ch.Persona = persona.Random(rng)
		return ch, nil
	}
	ask := "on what exact date?"
	if yearOnly {
		ask = "in what year?"
	}
	ch.CleanQuery = fmt.Sprintf("%s: %s — %s", c.Title, lowerStart(event), ask)
	ch.Reference = date
	err = personaChallenge(ctx, rng, b, ch, persona.Goal{Desc: "find out when something happened", Topic: c.Topic, Subtopic: c.Subtopic,
		Goal: "find the date of the following event"}, RemoveQuotes, RemoveRoles)
	if err != nil {
		return nil, err
	}
	return ch, nil
}

// fromEvent is upstream v1 date_qa: query = event text + " on what exact
// date?", reference = the event's date ("January 05, 1999"), challenge by
// persona (LLM role-play or paraphrase).
func (t *DateQATask) fromEvent(ctx context.Context, rng *rand.Rand, b Backends) (*Challenge, error) {
	c, err := pctx.Retry(ctx, b.Events, rng)
	if err != nil {
		return nil, err
	}
	event, date := c.Extra["event"], c.Extra["date"]
	if event == "" || date == "" {
		return nil, fmt.Errorf("tasks: date_qa: event source gave a context without event/date")
	}
	ch := &Challenge{Task: DateQA, Context: c, Reference: date,
		CleanQuery: strings.TrimRight(event, ".!? ") + " on what exact date?"}
	err = personaChallenge(ctx, rng, b, ch, persona.Goal{Desc: "find out when something happened", Topic: c.Topic, Subtopic: c.Subtopic,
		Goal: "find the date of the following event"}, RemoveQuotes, RemoveRoles)
	if err != nil {
		return nil, err
	}
	if strings.Contains(ch.Query, date) {
		return nil, fmt.Errorf("tasks: date_qa: challenge contains its answer %q", date)
	}
	return ch, nil
}

func firstSentenceWith(text, sub string) string {
	for _, s := range Sentences(text) {
		if strings.Contains(s, sub) {
			return s
		}
	}
	return text
}

// lowerStart lowers the first letter of plain words ("The" → "the") but
// keeps names and acronyms (a capital inside the word or a following
// capitalised word is taken as a name).
func lowerStart(s string) string {
	first, rest, _ := strings.Cut(s, " ")
	r, n := utf8.DecodeRuneInString(first)
	if n == 0 || !unicode.IsUpper(r) {
		return s
	}
	switch strings.ToLower(first) {
	case "the", "a", "an", "in", "on", "after", "during", "following", "its", "his", "her", "their", "this", "that":
		return strings.ToLower(first[:n]) + first[n:] + sepRest(rest)
	}
	return s
}

func sepRest(rest string) string {
	if rest == "" {
		return ""
	}
	return " " + rest
}

// withExtra returns a copy of extra with k=v set (contexts are shared by
// sources, so they are never modified in place).
func withExtra(extra map[string]string, k, v string) map[string]string {
	out := make(map[string]string, len(extra)+1)
	for key, val := range extra {
		out[key] = val
	}
	out[k] = v
	return out
}
