package rewards

import "strings"

// rougeSentences is the pltrdy rouge 1.0.1 pre-processing: split on ".",
// drop empty pieces, collapse whitespace inside each piece. A piece made only
// of spaces survives as "" (upstream keeps it: len(" ") > 0).
func rougeSentences(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ".") {
		if len(p) == 0 {
			continue
		}
		out = append(out, strings.Join(pyFields(p), " "))
	}
	return out
}

// rougeWords splits sentences on single spaces and flattens them
// (upstream _split_into_words; "" yields one empty word).
func rougeWords(sentences []string) []string {
	var out []string
	for _, s := range sentences {
		out = append(out, strings.Split(s, " ")...)
	}
	return out
}

// Rouge1F returns pltrdy rouge==1.0.1 get_scores(reference, completion)
// ["rouge-1"]["f"]: unigram sets (exclusive), P = |overlap|/|hyp set|,
// R = |overlap|/|ref set|, F = 2PR/(P+R+1e-8). Case-sensitive, no stemming,
// punctuation other than "." stays attached to words. Texts with no
// sentences (empty, or only dots) score 0 where upstream raised.
func Rouge1F(reference, completion string) float64 {
	hyp := rougeSentences(Sanitize(reference, MaxCompletionBytes))
	ref := rougeSentences(Sanitize(completion, MaxCompletionBytes))
	if len(hyp) == 0 || len(ref) == 0 {
		return 0
	}
	hs := wordSet(rougeWords(hyp))
	rs := wordSet(rougeWords(ref))
	overlap := 0
	for w := range hs {
		if _, ok := rs[w]; ok {
			overlap++
		}
	}
	return fScore(overlap, len(hs), len(rs))
}

func wordSet(words []string) map[string]struct{} {
	m := make(map[string]struct{}, len(words))
	for _, w := range words {
		m[w] = struct{}{}
	}
	return m
}

// fScore is upstream f_r_p_rouge_n (also its ROUGE-L F).
func fScore(overlap, hypCount, refCount int) float64 {
	p, r := 0.0, 0.0
	if hypCount != 0 {
		p = float64(overlap) / float64(hypCount)
	}
	if refCount != 0 {
		r = float64(overlap) / float64(refCount)
	}
	return 2.0 * ((p * r) / (p + r + 1e-8))
}

// RougeLF returns pltrdy rouge==1.0.1 get_scores(reference, completion)
// ["rouge-l"]["f"]: summary-level union LCS with set semantics. Upstream
// calls get_scores(hyp=reference, ref=completion), so the "evaluated"
// sentences are the reference's and the LCS tables are built as
// LCS(completion sentence, reference sentence) with upstream's back-tracking
// tie-break; the union is a set of words. m = distinct completion words,
// n = distinct reference words, llcs = |union|, F = 2PR/(P+R+1e-8).
func RougeLF(reference, completion string) float64 {
	eval := rougeSentences(Sanitize(reference, MaxCompletionBytes))
	refs := rougeSentences(Sanitize(completion, MaxCompletionBytes))
	if len(eval) == 0 || len(refs) == 0 {
		return 0
	}
	m := len(wordSet(rougeWords(refs)))
	n := len(wordSet(rougeWords(eval)))
	evalWords := make([][]string, len(eval))
	for i, s := range eval {
		evalWords[i] = strings.Split(s, " ")
	}
	union := map[string]struct{}{}
	var table []int32
	for _, rs := range refs {
		rw := strings.Split(rs, " ")
		for _, ew := range evalWords {
			table = reconLCS(rw, ew, table, union)
		}
	}
	llcs := len(union)
	r := float64(llcs) / float64(m)
	p := float64(llcs) / float64(n)
	return 2.0 * ((p * r) / (p + r + 1e-8))
}

// reconLCS adds the words of upstream _recon_lcs(x, y) to union. The table
// buffer is reused across calls; the walk is iterative (upstream recursed,
// and crashed past Python's recursion limit on long sentences).
func reconLCS(x, y []string, table []int32, union map[string]struct{}) []int32 {
	n, m := len(x), len(y)
	w := m + 1
	size := (n + 1) * w
	if cap(table) < size {
		table = make([]int32, size)
	}
	table = table[:size]
	for j := 0; j <= m; j++ {
		table[j] = 0
	}
	for i := 1; i <= n; i++ {
		row, prev := table[i*w:], table[(i-1)*w:]
		row[0] = 0
		xi := x[i-1]
		for j := 1; j <= m; j++ {
			switch {
			case xi == y[j-1]:
				row[j] = prev[j-1] + 1
			case prev[j] >= row[j-1]:
				row[j] = prev[j]
			default:
				row[j] = row[j-1]
			}
		}
	}
	i, j := n, m
	for i > 0 && j > 0 {
		switch {
		case x[i-1] == y[j-1]:
			union[x[i-1]] = struct{}{}
			i--
			j--
		case table[(i-1)*w+j] > table[i*w+j-1]:
			i--
		default:
			j--
		}
	}
	return table
}
