package tokenizer

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// This file holds the SentencePiece-style components of tokenizer.json that
// Llama-2-family tokenizers use: Prepend/Replace/Strip normalizers, the
// Metaspace pre-tokenizer, and the Replace, ByteFallback, Fuse, Strip and
// Metaspace decoders (combined in a decoder Sequence).

// decodeStep is one HF decoder in a chain: tokens in, tokens out.
type decodeStep func(toks []string) []string

func prependNormalizer(p string) normalizer {
	return func(s string) string {
		if s == "" {
			return s
		}
		return p + s
	}
}

// patternJSON is HF's {"String": ...} or {"Regex": ...} pattern.
type patternJSON struct {
	Regex  *string `json:"Regex"`
	String *string `json:"String"`
}

func replacer(p patternJSON, content string) (func(string) string, error) {
	switch {
	case p.String != nil:
		if *p.String == "" {
			return nil, fmt.Errorf("empty Replace pattern")
		}
		old := *p.String
		return func(s string) string { return strings.ReplaceAll(s, old, content) }, nil
	case p.Regex != nil:
		re, err := compileRegex(*p.Regex)
		if err != nil {
			return nil, fmt.Errorf("pattern %q: %v", *p.Regex, err)
		}
		return func(s string) string {
			ms, err := re.FindAllStringIndex(s, -1)
			if err != nil || len(ms) == 0 {
				return s
			}
			var sb strings.Builder
			pos := 0
			for _, m := range ms {
				sb.WriteString(s[pos:m[0]])
				sb.WriteString(content)
				pos = m[1]
			}
			sb.WriteString(s[pos:])
			return sb.String()
		}, nil
	}
	return nil, fmt.Errorf("Replace needs pattern.String or pattern.Regex")
}

// metaspace builds HF's Metaspace pre-tokenizer: spaces become the
// replacement character, which is prepended when prepend is set, and with
// split the text is cut before each replacement character.
func metaspace(repl string, prepend, split bool) splitter {
	return func(s string, emit func(string)) {
		s = strings.ReplaceAll(s, " ", repl)
		if prepend && !strings.HasPrefix(s, repl) {
			s = repl + s
		}
		if !split {
			emit(s)
			return
		}
		start := 0
		for {
			i := strings.Index(s[start+1:], repl)
			if start >= len(s) || i < 0 {
				break
			}
			emit(s[start : start+1+i])
			start += 1 + i
		}
		if start < len(s) {
			emit(s[start:])
		}
	}
}

type metaspaceJSON struct {
	Replacement    string  `json:"replacement"`
	PrependScheme  *string `json:"prepend_scheme"`
	AddPrefixSpace *bool   `json:"add_prefix_space"`
	Split          *bool   `json:"split"`
}

// scheme returns "always", "first" or "never" (older files use add_prefix_space).
func (m metaspaceJSON) scheme() (string, error) {
	if m.PrependScheme != nil {
		switch *m.PrependScheme {
		case "always", "first", "never":
			return *m.PrependScheme, nil
		}
		return "", fmt.Errorf("unknown prepend_scheme %q", *m.PrependScheme)
	}
	if m.AddPrefixSpace != nil && !*m.AddPrefixSpace {
		return "never", nil
	}
	return "always", nil
}

func (m metaspaceJSON) repl() (string, error) {
	if m.Replacement == "" {
		return "▁", nil
	}
	if utf8.RuneCountInString(m.Replacement) != 1 {
		return "", fmt.Errorf("Metaspace replacement %q must be one character", m.Replacement)
	}
	return m.Replacement, nil
}

// byteFallbackToken parses "<0xAB>".
func byteFallbackToken(t string) (byte, bool) {
	if len(t) != 6 || !strings.HasPrefix(t, "<0x") || t[5] != '>' {
		return 0, false
	}
	v, err := strconv.ParseUint(t[3:5], 16, 8)
	if err != nil {
		return 0, false
	}
	return byte(v), true
}

// byteFallbackStep joins runs of <0xAB> tokens into their UTF-8 text, or one
// U+FFFD per byte when the run is not valid UTF-8 (as HF does).
func byteFallbackStep(toks []string) []string {
	out := make([]string, 0, len(toks))
	var pending []byte
	flush := func() {
		if len(pending) == 0 {
			return
		}
		if utf8.Valid(pending) {
			out = append(out, string(pending))
		} else {
			for range pending {
				out = append(out, "\uFFFD")
			}
		}
		pending = pending[:0]
	}
	for _, t := range toks {
		if b, ok := byteFallbackToken(t); ok {
			pending = append(pending, b)
			continue
		}
		flush()
		out = append(out, t)
	}
	flush()
	return out
}

func fuseStep(toks []string) []string { return []string{strings.Join(toks, "")} }

func stripStep(content rune, start, stop int) decodeStep {
	return func(toks []string) []string {
		out := make([]string, len(toks))
		for i, t := range toks {
			for n := 0; n < start; n++ {
				r, w := utf8.DecodeRuneInString(t)
				if w == 0 || r != content {
					break
				}
				t = t[w:]
			}
			for n := 0; n < stop; n++ {
				r, w := utf8.DecodeLastRuneInString(t)
				if w == 0 || r != content {
					break
				}
				t = t[:len(t)-w]
			}
			out[i] = t
		}
		return out
	}
}

// byteLevelStep is HF's ByteLevel decoder inside a chain: each token's
// characters map back to bytes (a token with unmapped characters is kept).
func byteLevelStep(toks []string) []string {
	var out []byte
	for _, t := range toks {
		start := len(out)
		ok := true
		for _, r := range t {
			b, found := runeToByte[r]
			if !found {
				ok = false
				break
			}
			out = append(out, b)
		}
		if !ok {
			out = append(out[:start], t...)
		}
	}
	return []string{string(out)}
}

func wordPieceStep(prefix string, cleanup bool) decodeStep {
	return func(toks []string) []string {
		out := make([]string, len(toks))
		for i, t := range toks {
			if i != 0 {
				if strings.HasPrefix(t, prefix) {
					t = t[len(prefix):]
				} else {
					t = " " + t
				}
			}
			if cleanup {
				t = cleanupSpaces(t)
			}
			out[i] = t
		}
		return out
	}
}

// buildDecodeSteps turns a decoder object into a chain of steps.
func buildDecodeSteps(raw json.RawMessage, where string) ([]decodeStep, error) {
	typ, err := typeOf(raw)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", where, err)
	}
	bad := func(err error) ([]decodeStep, error) { return nil, fmt.Errorf("%s: %v", where, err) }
	switch typ {
	case "ByteLevel":
		return []decodeStep{byteLevelStep}, nil
	case "WordPiece":
		var c struct {
			Prefix  *string `json:"prefix"`
			Cleanup *bool   `json:"cleanup"`
		}
		if err := json.Unmarshal(raw, &c); err != nil {
			return bad(err)
		}
		prefix, cleanup := "##", true
		if c.Prefix != nil {
			prefix = *c.Prefix
		}
		if c.Cleanup != nil {
			cleanup = *c.Cleanup
		}
		return []decodeStep{wordPieceStep(prefix, cleanup)}, nil
	case "Replace":
		var c struct {
			Pattern patternJSON `json:"pattern"`
			Content string      `json:"content"`
		}
		if err := json.Unmarshal(raw, &c); err != nil {
			return bad(err)
		}
		f, err := replacer(c.Pattern, c.Content)
		if err != nil {
			return bad(err)
		}
		return []decodeStep{func(toks []string) []string {
			out := make([]string, len(toks))
			for i, t := range toks {
				out[i] = f(t)
			}
			return out
		}}, nil
	case "ByteFallback":
		return []decodeStep{byteFallbackStep}, nil
	case "Fuse":
		return []decodeStep{fuseStep}, nil
	case "Strip":
		var c struct {
			Content string `json:"content"`
			Start   int    `json:"start"`
			Stop    int    `json:"stop"`
		}
		if err := json.Unmarshal(raw, &c); err != nil {
			return bad(err)
		}
		if utf8.RuneCountInString(c.Content) != 1 || c.Start < 0 || c.Stop < 0 {
			return bad(fmt.Errorf("Strip needs one content character and non-negative start/stop"))
		}
		r, _ := utf8.DecodeRuneInString(c.Content)
		return []decodeStep{stripStep(r, c.Start, c.Stop)}, nil
	case "Metaspace":
		var c metaspaceJSON
		if err := json.Unmarshal(raw, &c); err != nil {
			return bad(err)
		}
		scheme, err := c.scheme()
		if err != nil {
			return bad(err)
		}
		repl, err := c.repl()
		if err != nil {
			return bad(err)
		}
		return []decodeStep{func(toks []string) []string {
			out := make([]string, len(toks))
			for i, t := range toks {
				t = strings.ReplaceAll(t, repl, " ")
				if i == 0 && scheme != "never" {
					t = strings.TrimPrefix(t, " ")
				}
				out[i] = t
			}
			return out
		}}, nil
	case "Sequence":
		var c struct {
			Decoders []json.RawMessage `json:"decoders"`
		}
		if err := json.Unmarshal(raw, &c); err != nil {
			return bad(err)
		}
		var steps []decodeStep
		for i, d := range c.Decoders {
			s, err := buildDecodeSteps(d, fmt.Sprintf("%s.decoders[%d]", where, i))
			if err != nil {
				return nil, err
			}
			steps = append(steps, s...)
		}
		return steps, nil
	}
	return bad(fmt.Errorf("type %q is not supported", typ))
}
