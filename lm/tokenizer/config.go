package tokenizer

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// fileJSON is the subset of HF's tokenizer.json this package reads and writes.
// Unmodelled top-level fields (truncation, padding) are kept verbatim.
type fileJSON struct {
	Version       string          `json:"version"`
	Truncation    json.RawMessage `json:"truncation"`
	Padding       json.RawMessage `json:"padding"`
	AddedTokens   []addedToken    `json:"added_tokens"`
	Normalizer    json.RawMessage `json:"normalizer"`
	PreTokenizer  json.RawMessage `json:"pre_tokenizer"`
	PostProcessor json.RawMessage `json:"post_processor"`
	Decoder       json.RawMessage `json:"decoder"`
	Model         json.RawMessage `json:"model"`
}

type addedToken struct {
	ID         int    `json:"id"`
	Content    string `json:"content"`
	SingleWord bool   `json:"single_word"`
	LStrip     bool   `json:"lstrip"`
	RStrip     bool   `json:"rstrip"`
	Normalized bool   `json:"normalized"`
	Special    bool   `json:"special"`
}

type typed struct {
	Type string `json:"type"`
}

func isNull(raw json.RawMessage) bool {
	t := bytes.TrimSpace(raw)
	return len(t) == 0 || bytes.Equal(t, []byte("null"))
}

func typeOf(raw json.RawMessage) (string, error) {
	var t typed
	if err := json.Unmarshal(raw, &t); err != nil {
		return "", err
	}
	if t.Type == "" {
		return "", fmt.Errorf("missing \"type\"")
	}
	return t.Type, nil
}

// modelJSON covers the BPE and WordPiece model objects.
type modelJSON struct {
	Type                    string          `json:"type"`
	Vocab                   json.RawMessage `json:"vocab"`
	Merges                  json.RawMessage `json:"merges,omitempty"`
	UnkToken                *string         `json:"unk_token"`
	ContinuingSubwordPrefix *string         `json:"continuing_subword_prefix"`
	EndOfWordSuffix         *string         `json:"end_of_word_suffix"`
	Dropout                 *float64        `json:"dropout"`
	FuseUnk                 bool            `json:"fuse_unk"`
	ByteFallback            bool            `json:"byte_fallback"`
	IgnoreMerges            bool            `json:"ignore_merges"`
	MaxInputCharsPerWord    *int            `json:"max_input_chars_per_word"`
}

// maxIDGap bounds how far ids may exceed the token count, so a hostile file
// cannot make the id table huge.
const maxIDGap = 1 << 16

// parseVocab reads a {"token": id} object, checking ids are unique and >= 0.
func parseVocab(raw json.RawMessage) (map[string]int, error) {
	var v map[string]int
	if err := json.Unmarshal(raw, &v); err != nil {
		return nil, fmt.Errorf("model.vocab: %v", err)
	}
	if len(v) == 0 {
		return nil, fmt.Errorf("model.vocab is empty")
	}
	seen := make(map[int]string, len(v))
	for tok, id := range v {
		if id < 0 || id >= len(v)+maxIDGap {
			return nil, fmt.Errorf("model.vocab: token %q has id %d outside [0, %d)", tok, id, len(v)+maxIDGap)
		}
		if prev, dup := seen[id]; dup {
			a, b := prev, tok
			if b < a {
				a, b = b, a
			}
			return nil, fmt.Errorf("model.vocab: tokens %q and %q share id %d", a, b, id)
		}
		seen[id] = tok
	}
	return v, nil
}

// parseMerges accepts both ["a b", ...] and [["a","b"], ...].
func parseMerges(raw json.RawMessage) ([][2]string, error) {
	if isNull(raw) {
		return nil, nil
	}
	var strs []string
	if err := json.Unmarshal(raw, &strs); err == nil {
		out := make([][2]string, len(strs))
		for i, s := range strs {
			a, b, ok := strings.Cut(s, " ")
			if !ok || a == "" || b == "" || strings.Contains(b, " ") {
				return nil, fmt.Errorf("model.merges[%d]: %q is not two space-separated tokens", i, s)
			}
			out[i] = [2]string{a, b}
		}
		return out, nil
	}
	var pairs [][]string
	if err := json.Unmarshal(raw, &pairs); err != nil {
		return nil, fmt.Errorf("model.merges: want an array of \"a b\" strings or of [\"a\",\"b\"] pairs")
	}
	out := make([][2]string, len(pairs))
	for i, p := range pairs {
		if len(p) != 2 || p[0] == "" || p[1] == "" {
			return nil, fmt.Errorf("model.merges[%d]: want two non-empty tokens", i)
		}
		out[i] = [2]string{p[0], p[1]}
	}
	return out, nil
}

// writeVocab writes a vocab object ordered by id, as HF does.
func writeVocab(b *bytes.Buffer, vocab map[string]int) {
	type entry struct {
		tok string
		id  int
	}
	es := make([]entry, 0, len(vocab))
	for t, id := range vocab {
		es = append(es, entry{t, id})
	}
	sort.Slice(es, func(i, j int) bool { return es[i].id < es[j].id })
	b.WriteByte('{')
	for i, e := range es {
		if i > 0 {
			b.WriteByte(',')
		}
		writeJSON(b, e.tok)
		b.WriteByte(':')
		b.WriteString(strconv.Itoa(e.id))
	}
	b.WriteByte('}')
}

func writeJSON(b *bytes.Buffer, v any) {
	enc := json.NewEncoder(b)
	enc.SetEscapeHTML(false)
	enc.Encode(v)           // only strings, numbers and plain structs: cannot fail
	b.Truncate(b.Len() - 1) // drop Encode's newline
}
