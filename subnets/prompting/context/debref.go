package context

import (
	"bufio"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
)

// DebianReferencePath is where Debian's debian-reference-en package (the
// Debian Reference by Osamu Aoki, GPL-2+, ~93,000 words in 12 chapters and
// an appendix) installs its plain-text edition. scripts/setup.sh installs
// it, so offline validators and tool miners draw from hundreds of real
// sections instead of the few embedded articles.
const DebianReferencePath = "/usr/share/debian-reference/debian-reference.en.txt.gz"

// debianReferenceURL is the published HTML edition; chapter N is chNN.en.html.
const debianReferenceURL = "https://www.debian.org/doc/manuals/debian-reference/"

var (
	reDRChapter = regexp.MustCompile(`^(Chapter (\d+)|Appendix ([A-Z]))\. (.+)$`)
	reDRSection = regexp.MustCompile(`^((\d+|[A-Z])(\.\d+)+)\. (.+)$`)
)

// OpenDebianReference reads the Debian Reference text edition (.txt or
// .txt.gz; see ReadDebianReference).
func OpenDebianReference(path string, opt CorpusOptions) (*Corpus, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("context: debian-reference: %w (Debian package debian-reference-en; scripts/setup.sh installs it)", err)
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(path, ".gz") {
		gz, err := gzip.NewReader(f)
		if err != nil {
			return nil, fmt.Errorf("context: debian-reference %s: %w", path, err)
		}
		defer gz.Close()
		r = gz
	}
	data, err := io.ReadAll(io.LimitReader(r, 64<<20))
	if err != nil {
		return nil, fmt.Errorf("context: debian-reference %s: %w", path, err)
	}
	if opt.PathPrefix == "" {
		opt.PathPrefix = path
	}
	return ReadDebianReference(data, opt)
}

// ReadDebianReference parses the text edition: every chapter (and the
// appendix) is an article, every numbered section a section, whose content
// is its prose paragraphs; command lines, file listings, tables and
// admonition labels are left out, and sections with fewer than MinWords
// words of prose are dropped. Citations: the section number and title, the
// chapter's URL on debian.org, the file (opt.PathPrefix) and its content
// hash.
func ReadDebianReference(data []byte, opt CorpusOptions) (*Corpus, error) {
	opt.defaults()
	rev := ContentRevision(data)
	text := strings.ReplaceAll(strings.ToValidUTF8(string(data), "\uFFFD"), "\u00a0", " ")
	var (
		arts           []Article
		cur            *Article
		chapURL        string
		secNum, secTit string
		topic          string
		body           []string
		started        bool
	)
	flush := func() {
		if cur == nil || secNum == "" {
			body = nil
			return
		}
		base := Context{Title: cur.Title, Topic: topic, Subtopic: secNum + " " + secTit, Source: "debian-reference",
			URL: chapURL, Path: opt.PathPrefix, Revision: rev, Tags: []string{"debian"}}
		cur.Sections = append(cur.Sections, splitSection(base, strings.Join(prose(body), "\n\n"), opt)...)
		body = nil
	}
	sc := bufio.NewScanner(strings.NewReader(text))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if m := reDRChapter.FindStringSubmatch(line); m != nil {
			flush()
			started = true
			arts = append(arts, Article{Title: "Debian Reference: " + m[4], Tags: []string{"debian"}})
			cur = &arts[len(arts)-1]
			if m[2] != "" {
				chapURL = fmt.Sprintf("%sch%02s.en.html", debianReferenceURL, m[2])
			} else {
				chapURL = debianReferenceURL + "ap" + strings.ToLower(m[3]) + ".en.html"
			}
			cur.URL = chapURL
			secNum, secTit, topic = "", "", ""
			continue
		}
		if !started {
			continue
		}
		if m := reDRSection.FindStringSubmatch(line); m != nil {
			flush()
			secNum, secTit = m[1], strings.TrimSpace(m[4])
			if strings.Count(secNum, ".") == 1 {
				topic = secTit
			}
			continue
		}
		body = append(body, line)
	}
	flush()
	return NewCorpus("debian-reference", arts)
}

// prose keeps the paragraphs of lines that read as sentences: enough words,
// mostly letters, ending like a sentence, and without the column gaps of
// tables or the prompts of command examples.
func prose(lines []string) []string {
	var out, para []string
	end := func() {
		p := strings.Join(para, " ")
		para = nil
		if isProse(p) {
			out = append(out, strings.Join(strings.Fields(p), " "))
		}
	}
	for _, l := range lines {
		if strings.TrimSpace(l) == "" {
			end()
			continue
		}
		if strings.Contains(strings.TrimSpace(l), "   ") { // table columns
			para = append(para, "\x00")
			continue
		}
		para = append(para, strings.TrimSpace(l))
	}
	end()
	return out
}

func isProse(p string) bool {
	if strings.Contains(p, "\x00") {
		return false
	}
	words := strings.Fields(p)
	if len(words) < 8 {
		return false
	}
	switch words[0] {
	case "$", "#", "Table", "Figure", "Example":
		return false
	}
	last := p[len(p)-1]
	if last != '.' && last != ':' && last != '?' && last != '!' && last != ')' {
		return false
	}
	alpha := 0
	for _, w := range words {
		if strings.IndexFunc(w, func(r rune) bool { return r >= 'a' && r <= 'z' }) >= 0 {
			alpha++
		}
	}
	return alpha*10 >= len(words)*8
}
