package context

import (
	"html"
	"regexp"
	"strings"
)

// maxWikitext bounds the markup CleanWikitext processes (bytes).
const maxWikitext = 4 << 20

var (
	reComment   = regexp.MustCompile(`(?s)<!--.*?(-->|$)`)
	reRefPair   = regexp.MustCompile(`(?is)<ref[^>/]*>.*?</ref\s*>`)
	reRefSingle = regexp.MustCompile(`(?i)<ref[^>]*/>`)
	reDropTags  = regexp.MustCompile(`(?is)<(gallery|math|score|timeline|syntaxhighlight|source|pre|nowiki|table|imagemap)[^>]*>.*?</(gallery|math|score|timeline|syntaxhighlight|source|pre|nowiki|table|imagemap)\s*>`)
	reHTMLTag   = regexp.MustCompile(`</?[a-zA-Z][^>]*>`)
	reExtLink   = regexp.MustCompile(`\[(?:https?:)?//[^\s\]]+\s*([^\]]*)\]`)
	reBoldItal  = regexp.MustCompile(`'{2,}`)
	reHeading   = regexp.MustCompile(`^(={2,6})\s*(.*?)\s*={2,6}\s*$`)
	reListMark  = regexp.MustCompile(`^[*#:;]+\s*`)
	reSpaces    = regexp.MustCompile(`[ \t]+`)
	reCategory  = regexp.MustCompile(`(?i)\[\[\s*Category\s*:\s*([^\]|]+)(?:\|[^\]]*)?\]\]`)
)

// Categories returns the page categories of raw wikitext.
func Categories(wikitext string) []string {
	var out []string
	for _, m := range reCategory.FindAllStringSubmatch(wikitext, -1) {
		out = append(out, strings.TrimSpace(m[1]))
	}
	return out
}

// stripNested removes balanced open…close regions (templates "{{…}}",
// tables "{|…|}"), handling nesting; an unbalanced opener removes the rest.
func stripNested(s, open, close string) string {
	var b strings.Builder
	depth := 0
	for i := 0; i < len(s); {
		switch {
		case strings.HasPrefix(s[i:], open):
			depth++
			i += len(open)
		case depth > 0 && strings.HasPrefix(s[i:], close):
			depth--
			i += len(close)
		default:
			if depth == 0 {
				b.WriteByte(s[i])
			}
			i++
		}
	}
	return b.String()
}

// replaceLinks rewrites internal links: [[Target|label]] → label,
// [[Target]] → Target; File/Image/Category/interwiki links (which may nest
// links in captions) are removed.
func replaceLinks(s string) string {
	var b strings.Builder
	for {
		i := strings.Index(s, "[[")
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		b.WriteString(s[:i])
		// find the matching ]] accounting for nesting
		depth, j := 0, i
		for j < len(s) {
			if strings.HasPrefix(s[j:], "[[") {
				depth++
				j += 2
			} else if strings.HasPrefix(s[j:], "]]") {
				depth--
				j += 2
				if depth == 0 {
					break
				}
			} else {
				j++
			}
		}
		if depth != 0 { // unbalanced: drop the rest
			return b.String()
		}
		inner := s[i+2 : j-2]
		target := inner
		if k := strings.IndexByte(inner, '|'); k >= 0 {
			target = inner[:k]
		}
		ns := ""
		if k := strings.IndexByte(target, ':'); k > 0 {
			ns = strings.ToLower(strings.TrimSpace(target[:k]))
		}
		switch {
		case ns == "file" || ns == "image" || ns == "category" || ns == "media" || (len(ns) >= 2 && len(ns) <= 3 && !strings.Contains(ns, " ")):
			// dropped
		case strings.Contains(inner, "|"):
			b.WriteString(replaceLinks(inner[strings.LastIndexByte(inner, '|')+1:]))
		default:
			b.WriteString(inner)
		}
		s = s[j:]
	}
}

// WikiSection is one cleaned section of an article.
type WikiSection struct {
	Title  string // heading text ("" for the lead)
	Parent string // the enclosing level-2 heading for deeper headings
	Text   string
}

// CleanWikitext converts MediaWiki markup into plain-text sections:
// comments, <ref>s, templates, tables, files and categories removed, links
// replaced by their labels, bold/italic quotes and HTML tags dropped,
// entities unescaped, list markers removed. Headings "== H ==" start
// sections; deeper headings record their level-2 parent.
func CleanWikitext(wikitext string) []WikiSection {
	if len(wikitext) > maxWikitext {
		wikitext = wikitext[:maxWikitext]
	}
	s := reComment.ReplaceAllString(wikitext, "")
	s = reRefPair.ReplaceAllString(s, "")
	s = reRefSingle.ReplaceAllString(s, "")
	s = reDropTags.ReplaceAllString(s, "")
	s = stripNested(s, "{{", "}}")
	s = stripNested(s, "{|", "|}")
	s = replaceLinks(s)
	s = reExtLink.ReplaceAllString(s, "$1")
	s = reBoldItal.ReplaceAllString(s, "")
	s = reHTMLTag.ReplaceAllString(s, "")
	s = html.UnescapeString(s)
	s = strings.ReplaceAll(s, "\u00a0", " ")
	return splitHeadings(s, true)
}

// SplitPlainSections splits plain text with "== H ==" heading lines (as
// the MediaWiki extracts API returns) into sections.
func SplitPlainSections(text string) []WikiSection { return splitHeadings(text, false) }

func splitHeadings(s string, wiki bool) []WikiSection {
	var out []WikiSection
	cur := WikiSection{}
	parent := ""
	var body strings.Builder
	flush := func() {
		cur.Text = strings.TrimSpace(body.String())
		if cur.Text != "" {
			out = append(out, cur)
		}
		body.Reset()
	}
	for _, line := range strings.Split(s, "\n") {
		t := strings.TrimSpace(line)
		if m := reHeading.FindStringSubmatch(t); m != nil {
			flush()
			level := len(m[1])
			title := strings.TrimSpace(m[2])
			if level <= 2 {
				parent = title
				cur = WikiSection{Title: title}
			} else {
				cur = WikiSection{Title: title, Parent: parent}
			}
			continue
		}
		if wiki {
			t = reListMark.ReplaceAllString(t, "")
			if strings.HasPrefix(t, "|") || strings.HasPrefix(t, "!") || strings.HasPrefix(t, "__") {
				continue // table debris, magic words
			}
		}
		t = reSpaces.ReplaceAllString(t, " ")
		if t == "" {
			body.WriteString("\n\n")
			continue
		}
		body.WriteString(t)
		body.WriteByte('\n')
	}
	flush()
	for i := range out {
		paras := strings.Split(out[i].Text, "\n\n")
		var keep []string
		for _, p := range paras {
			if p = strings.Join(strings.Fields(p), " "); p != "" {
				keep = append(keep, p)
			}
		}
		out[i].Text = strings.Join(keep, "\n\n")
	}
	return out
}

// isDisambiguation reports a disambiguation page (skipped, §9).
func isDisambiguation(title, wikitext string) bool {
	if strings.HasSuffix(title, "(disambiguation)") {
		return true
	}
	low := strings.ToLower(wikitext)
	for _, t := range []string{"{{disambiguation", "{{disambig", "{{dab", "{{hndis", "{{geodis", "{{set index"} {
		if strings.Contains(low, t) {
			return true
		}
	}
	return false
}

// articleFromSections turns cleaned sections into an article with upstream
// rules: skip See also/References/Further reading/External links and
// sections under minWords words; topic = parent heading or the section
// title, subtopic = section title; the lead is titled by the article.
func articleFromSections(title, url string, tags []string, secs []WikiSection, source string, minWords int) Article {
	a := Article{Title: title, URL: url, Tags: tags}
	for _, s := range secs {
		sub := s.Title
		if sub == "" {
			sub = title
		}
		if skipHeaders[strings.ToLower(sub)] || (s.Parent != "" && skipHeaders[strings.ToLower(s.Parent)]) {
			continue
		}
		if len(strings.Fields(s.Text)) < minWords {
			continue
		}
		top := s.Parent
		if top == "" {
			top = sub
		}
		a.Sections = append(a.Sections, Context{Title: title, Topic: top, Subtopic: sub, Content: s.Text, Source: source, URL: url, Tags: tags})
	}
	return a
}

// filterTags drops maintenance categories (upstream: those matching
// articles/wiki/pages/cs1).
func filterTags(cats []string) []string {
	var out []string
	for _, c := range cats {
		l := strings.ToLower(c)
		if strings.Contains(l, "articles") || strings.Contains(l, "wiki") || strings.Contains(l, "pages") || strings.Contains(l, "cs1") {
			continue
		}
		out = append(out, c)
	}
	return out
}
