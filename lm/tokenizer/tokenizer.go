package tokenizer

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Tokenizer turns text into token ids and back. It is immutable after
// construction and safe for concurrent use.
type Tokenizer struct {
	cfg fileJSON

	model interface {
		encodeWord(dst []int, word string) []int
	}
	vocab     map[string]int // model vocab plus added tokens
	idToToken []string       // "" for unused ids
	added     []addedToken   // sorted longest content first, for matching
	addedByID map[int]addedToken

	norm       normalizer
	steps      []splitter
	firstSteps []splitter // steps for the segment at the start of the text
	byteLevel  bool       // pieces are consumed as raw bytes through the byte-level alphabet

	dec      decoderKind
	decSteps []decodeStep

	post func([]int) []int

	bos, eos     int
	chatTemplate string
}

type decoderKind int

const (
	decConcat decoderKind = iota // no decoder: tokens joined by spaces (HF default)
	decByteLevel
	decChain // a chain of HF decoder steps, then concatenation
)

// Load reads a Hugging Face tokenizer.json. If a tokenizer_config.json sits
// next to it, its bos_token, eos_token and chat_template are used.
func Load(path string) (*Tokenizer, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("tokenizer: %w", err)
	}
	t, err := FromJSON(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	cfgPath := filepath.Join(filepath.Dir(path), "tokenizer_config.json")
	if raw, err := os.ReadFile(cfgPath); err == nil {
		if err := t.applyConfig(raw); err != nil {
			return nil, fmt.Errorf("%s: %w", cfgPath, err)
		}
	}
	return t, nil
}

// tokenizer_config.json fields: tokens are either strings or {"content": ...}.
func (t *Tokenizer) applyConfig(raw []byte) error {
	var c struct {
		BOS          json.RawMessage `json:"bos_token"`
		EOS          json.RawMessage `json:"eos_token"`
		ChatTemplate json.RawMessage `json:"chat_template"`
	}
	if err := json.Unmarshal(raw, &c); err != nil {
		return fmt.Errorf("tokenizer: %v", err)
	}
	tokenOf := func(r json.RawMessage) string {
		var s string
		if json.Unmarshal(r, &s) == nil {
			return s
		}
		var o struct {
			Content string `json:"content"`
		}
		json.Unmarshal(r, &o)
		return o.Content
	}
	if s := tokenOf(c.BOS); s != "" {
		if id, ok := t.vocab[s]; ok {
			t.bos = id
		}
	}
	if s := tokenOf(c.EOS); s != "" {
		if id, ok := t.vocab[s]; ok {
			t.eos = id
		}
	}
	var tmpl string
	if json.Unmarshal(c.ChatTemplate, &tmpl) == nil {
		t.chatTemplate = tmpl
	}
	return nil
}

// FromJSON builds a tokenizer from the bytes of a tokenizer.json.
func FromJSON(data []byte) (*Tokenizer, error) {
	t, err := build(data)
	if err != nil {
		return nil, fmt.Errorf("tokenizer: %w", err)
	}
	return t, nil
}

func build(data []byte) (*Tokenizer, error) {
	var cfg fileJSON
	if err := json.Unmarshal(data, &cfg); err != nil {
		return nil, fmt.Errorf("tokenizer.json: %v", err)
	}
	if isNull(cfg.Model) {
		return nil, fmt.Errorf("tokenizer.json has no model")
	}
	t := &Tokenizer{cfg: cfg, addedByID: map[int]addedToken{}, bos: -1, eos: -1}
	var err error
	if t.norm, err = buildNormalizer(cfg.Normalizer, "normalizer"); err != nil {
		return nil, err
	}
	var prefix bool
	if t.steps, t.byteLevel, prefix, err = buildPreTokenizer(cfg.PreTokenizer, "pre_tokenizer", false); err != nil {
		return nil, err
	}
	if prefix {
		t.steps = append([]splitter{prefixSpace}, t.steps...)
	}
	// Metaspace's prepend_scheme "first" differs for the text's first segment.
	if t.firstSteps, _, prefix, err = buildPreTokenizer(cfg.PreTokenizer, "pre_tokenizer", true); err != nil {
		return nil, err
	}
	if prefix {
		t.firstSteps = append([]splitter{prefixSpace}, t.firstSteps...)
	}
	if err := t.buildModel(cfg.Model); err != nil {
		return nil, err
	}
	for i, a := range cfg.AddedTokens {
		if a.Content == "" {
			return nil, fmt.Errorf("added_tokens[%d]: empty content", i)
		}
		if a.ID < 0 || a.ID >= len(t.idToToken)+len(cfg.AddedTokens)+maxIDGap {
			return nil, fmt.Errorf("added_tokens[%d] %q: bad id %d", i, a.Content, a.ID)
		}
		if id, ok := t.vocab[a.Content]; ok && id != a.ID {
			return nil, fmt.Errorf("added_tokens[%d] %q: id %d but the vocab has it as %d", i, a.Content, a.ID, id)
		}
		if a.ID < len(t.idToToken) && t.idToToken[a.ID] != "" && t.idToToken[a.ID] != a.Content {
			return nil, fmt.Errorf("added_tokens[%d] %q: id %d already belongs to %q", i, a.Content, a.ID, t.idToToken[a.ID])
		}
		t.setToken(a.Content, a.ID)
		t.addedByID[a.ID] = a
		t.added = append(t.added, a)
	}
	sort.SliceStable(t.added, func(i, j int) bool { return len(t.added[i].Content) > len(t.added[j].Content) })
	if err := t.buildDecoder(cfg.Decoder, "decoder"); err != nil {
		return nil, err
	}
	if t.post, err = t.buildPost(cfg.PostProcessor, "post_processor"); err != nil {
		return nil, err
	}
	t.guessBOSEOS()
	return t, nil
}

func (t *Tokenizer) setToken(tok string, id int) {
	if id >= len(t.idToToken) {
		n := make([]string, id+1)
		copy(n, t.idToToken)
		t.idToToken = n
	}
	t.idToToken[id] = tok
	t.vocab[tok] = id
}

func (t *Tokenizer) guessBOSEOS() {
	for _, s := range []string{"<|endoftext|>", "<|end_of_text|>", "</s>", "<eos>", "[SEP]"} {
		if id, ok := t.vocab[s]; ok {
			t.eos = id
			break
		}
	}
	for _, s := range []string{"<|begin_of_text|>", "<s>", "<bos>", "[CLS]", "<|endoftext|>"} {
		if id, ok := t.vocab[s]; ok {
			t.bos = id
			break
		}
	}
}

func (t *Tokenizer) buildModel(raw json.RawMessage) error {
	var m modelJSON
	if err := json.Unmarshal(raw, &m); err != nil {
		return fmt.Errorf("model: %v", err)
	}
	vocab, err := parseVocab(m.Vocab)
	if err != nil {
		return err
	}
	t.vocab = make(map[string]int, len(vocab)+16)
	for tok, id := range vocab {
		t.setToken(tok, id)
	}
	unk := func() (int, string, error) {
		if m.UnkToken == nil || *m.UnkToken == "" {
			return -1, "", nil
		}
		id, ok := vocab[*m.UnkToken]
		if !ok {
			return -1, "", fmt.Errorf("model.unk_token %q is not in the vocab", *m.UnkToken)
		}
		return id, *m.UnkToken, nil
	}
	switch m.Type {
	case "BPE", "":
		if m.Type == "" && m.Merges == nil {
			return fmt.Errorf("model: missing \"type\"")
		}
		if m.Dropout != nil && *m.Dropout != 0 {
			return fmt.Errorf("model: BPE dropout %v is not supported (inference only)", *m.Dropout)
		}
		if m.ContinuingSubwordPrefix != nil && *m.ContinuingSubwordPrefix != "" {
			return fmt.Errorf("model: BPE continuing_subword_prefix %q is not supported", *m.ContinuingSubwordPrefix)
		}
		if m.EndOfWordSuffix != nil && *m.EndOfWordSuffix != "" {
			return fmt.Errorf("model: BPE end_of_word_suffix %q is not supported", *m.EndOfWordSuffix)
		}
		merges, err := parseMerges(m.Merges)
		if err != nil {
			return err
		}
		b, err := newBPE(vocab, merges, t.byteLevel)
		if err != nil {
			return fmt.Errorf("model: %v", err)
		}
		if b.unk, b.unkToken, err = unk(); err != nil {
			return err
		}
		b.fuseUnk, b.byteFallback, b.ignoreMerges = m.FuseUnk, m.ByteFallback, m.IgnoreMerges
		t.model = b
	case "WordPiece":
		id, tok, err := unk()
		if err != nil {
			return err
		}
		if id < 0 {
			return fmt.Errorf("model: WordPiece needs an unk_token that is in the vocab")
		}
		wp := &wordPiece{vocab: vocab, unk: id, unkToken: tok, prefix: "##", maxChars: 100}
		if m.ContinuingSubwordPrefix != nil {
			wp.prefix = *m.ContinuingSubwordPrefix
		}
		if m.MaxInputCharsPerWord != nil {
			if *m.MaxInputCharsPerWord <= 0 {
				return fmt.Errorf("model: max_input_chars_per_word must be positive, got %d", *m.MaxInputCharsPerWord)
			}
			wp.maxChars = *m.MaxInputCharsPerWord
		}
		t.model = wp
	default:
		return fmt.Errorf("model type %q is not supported (want BPE or WordPiece)", m.Type)
	}
	return nil
}

func buildNormalizer(raw json.RawMessage, where string) (normalizer, error) {
	if isNull(raw) {
		return nil, nil
	}
	typ, err := typeOf(raw)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", where, err)
	}
	switch typ {
	case "BertNormalizer":
		var c struct {
			CleanText          *bool `json:"clean_text"`
			HandleChineseChars *bool `json:"handle_chinese_chars"`
			StripAccents       *bool `json:"strip_accents"`
			Lowercase          *bool `json:"lowercase"`
		}
		if err := json.Unmarshal(raw, &c); err != nil {
			return nil, fmt.Errorf("%s: %v", where, err)
		}
		def := func(p *bool, d bool) bool {
			if p == nil {
				return d
			}
			return *p
		}
		lower := def(c.Lowercase, true)
		return bertNormalizer(def(c.CleanText, true), def(c.HandleChineseChars, true), def(c.StripAccents, lower), lower), nil
	case "Lowercase":
		return strings.ToLower, nil
	case "StripAccents":
		return stripMarks, nil
	case "NFC":
		return normForm("NFC"), nil
	case "NFD":
		return normForm("NFD"), nil
	case "NFKC":
		return normForm("NFKC"), nil
	case "NFKD":
		return normForm("NFKD"), nil
	case "Prepend":
		var c struct {
			Prepend string `json:"prepend"`
		}
		if err := json.Unmarshal(raw, &c); err != nil {
			return nil, fmt.Errorf("%s: %v", where, err)
		}
		return prependNormalizer(c.Prepend), nil
	case "Replace":
		var c struct {
			Pattern patternJSON `json:"pattern"`
			Content string      `json:"content"`
		}
		if err := json.Unmarshal(raw, &c); err != nil {
			return nil, fmt.Errorf("%s: %v", where, err)
		}
		f, err := replacer(c.Pattern, c.Content)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", where, err)
		}
		return f, nil
	case "Strip":
		var c struct {
			Left  bool `json:"strip_left"`
			Right bool `json:"strip_right"`
		}
		if err := json.Unmarshal(raw, &c); err != nil {
			return nil, fmt.Errorf("%s: %v", where, err)
		}
		return func(s string) string {
			if c.Left {
				s = strings.TrimLeftFunc(s, unicode.IsSpace)
			}
			if c.Right {
				s = strings.TrimRightFunc(s, unicode.IsSpace)
			}
			return s
		}, nil
	case "Sequence":
		var c struct {
			Normalizers []json.RawMessage `json:"normalizers"`
		}
		if err := json.Unmarshal(raw, &c); err != nil {
			return nil, fmt.Errorf("%s: %v", where, err)
		}
		var ns []normalizer
		for i, r := range c.Normalizers {
			n, err := buildNormalizer(r, fmt.Sprintf("%s.normalizers[%d]", where, i))
			if err != nil {
				return nil, err
			}
			if n != nil {
				ns = append(ns, n)
			}
		}
		return seqNormalizer(ns), nil
	}
	return nil, fmt.Errorf("%s: type %q is not supported", where, typ)
}

// buildPreTokenizer returns the splitting steps, whether the result is byte
// level (ByteLevel must then be the last step) and ByteLevel's add_prefix_space.
func buildPreTokenizer(raw json.RawMessage, where string, atStart bool) (steps []splitter, byteLevel, prefix bool, err error) {
	if isNull(raw) {
		return nil, false, false, nil
	}
	typ, err := typeOf(raw)
	if err != nil {
		return nil, false, false, fmt.Errorf("%s: %v", where, err)
	}
	fail := func(e error) ([]splitter, bool, bool, error) {
		return nil, false, false, fmt.Errorf("%s: %v", where, e)
	}
	switch typ {
	case "ByteLevel":
		var c struct {
			AddPrefixSpace bool  `json:"add_prefix_space"`
			UseRegex       *bool `json:"use_regex"`
		}
		if err := json.Unmarshal(raw, &c); err != nil {
			return fail(err)
		}
		if c.UseRegex == nil || *c.UseRegex {
			steps = append(steps, gpt2Split)
		}
		return steps, true, c.AddPrefixSpace, nil
	case "BertPreTokenizer":
		return []splitter{bertPreTokenize}, false, false, nil
	case "Metaspace":
		var c metaspaceJSON
		if err := json.Unmarshal(raw, &c); err != nil {
			return fail(err)
		}
		scheme, err := c.scheme()
		if err != nil {
			return fail(err)
		}
		repl, err := c.repl()
		if err != nil {
			return fail(err)
		}
		prepend := scheme == "always" || scheme == "first" && atStart
		return []splitter{metaspace(repl, prepend, c.Split == nil || *c.Split)}, false, false, nil
	case "WhitespaceSplit":
		return []splitter{whitespaceSplit}, false, false, nil
	case "Whitespace":
		return []splitter{whitespacePreTokenize}, false, false, nil
	case "Digits":
		var c struct {
			IndividualDigits bool `json:"individual_digits"`
		}
		if err := json.Unmarshal(raw, &c); err != nil {
			return fail(err)
		}
		return []splitter{matchSplitter(runFinder(func(r rune) bool { return r >= '0' && r <= '9' }, c.IndividualDigits), behIsolated, false)}, false, false, nil
	case "Punctuation":
		var c struct {
			Behavior string `json:"behavior"`
		}
		if err := json.Unmarshal(raw, &c); err != nil {
			return fail(err)
		}
		beh, err := parseBehavior(c.Behavior, behIsolated)
		if err != nil {
			return fail(err)
		}
		return []splitter{matchSplitter(runFinder(isBertPunct, true), beh, false)}, false, false, nil
	case "Split":
		var c struct {
			Pattern struct {
				Regex  *string `json:"Regex"`
				String *string `json:"String"`
			} `json:"pattern"`
			Behavior string `json:"behavior"`
			Invert   bool   `json:"invert"`
		}
		if err := json.Unmarshal(raw, &c); err != nil {
			return fail(err)
		}
		beh, err := parseBehavior(c.Behavior, -1)
		if err != nil {
			return fail(err)
		}
		switch {
		case c.Pattern.Regex != nil:
			if beh == behIsolated && !c.Invert {
				switch *c.Pattern.Regex {
				case GPT2Pattern:
					return []splitter{gpt2Split}, false, false, nil
				case Llama3Pattern:
					return []splitter{cl100kSplit}, false, false, nil
				}
			}
			re, err := compileRegex(*c.Pattern.Regex)
			if err != nil {
				return fail(fmt.Errorf("pattern %q: %v", *c.Pattern.Regex, err))
			}
			return []splitter{matchSplitter(regexFinder(re), beh, c.Invert)}, false, false, nil
		case c.Pattern.String != nil:
			return []splitter{matchSplitter(stringFinder(*c.Pattern.String), beh, c.Invert)}, false, false, nil
		}
		return fail(fmt.Errorf("Split needs pattern.Regex or pattern.String"))
	case "Sequence":
		var c struct {
			PreTokenizers []json.RawMessage `json:"pretokenizers"`
		}
		if err := json.Unmarshal(raw, &c); err != nil {
			return fail(err)
		}
		for i, r := range c.PreTokenizers {
			w := fmt.Sprintf("%s.pretokenizers[%d]", where, i)
			if byteLevel {
				return nil, false, false, fmt.Errorf("%s: only the last pre-tokenizer may be ByteLevel", w)
			}
			s, bl, pf, err := buildPreTokenizer(r, w, atStart)
			if err != nil {
				return nil, false, false, err
			}
			if pf {
				s = append([]splitter{prefixSpace}, s...)
			}
			steps = append(steps, s...)
			byteLevel = bl
		}
		return steps, byteLevel, false, nil
	}
	return fail(fmt.Errorf("type %q is not supported", typ))
}

func parseBehavior(s string, def splitBehavior) (splitBehavior, error) {
	switch s {
	case "Isolated":
		return behIsolated, nil
	case "Removed":
		return behRemoved, nil
	case "MergedWithPrevious":
		return behMergedWithPrevious, nil
	case "MergedWithNext":
		return behMergedWithNext, nil
	case "Contiguous":
		return behContiguous, nil
	case "":
		if def >= 0 {
			return def, nil
		}
	}
	return 0, fmt.Errorf("unknown split behavior %q", s)
}

func (t *Tokenizer) buildDecoder(raw json.RawMessage, where string) error {
	if isNull(raw) {
		t.dec = decConcat
		if t.byteLevel {
			t.dec = decByteLevel
		}
		return nil
	}
	typ, err := typeOf(raw)
	if err != nil {
		return fmt.Errorf("%s: %v", where, err)
	}
	switch typ {
	case "ByteLevel":
		// Fast path; added tokens are written verbatim.
		t.dec = decByteLevel
		return nil
	case "Sequence":
		var c struct {
			Decoders []json.RawMessage `json:"decoders"`
		}
		if err := json.Unmarshal(raw, &c); err == nil && len(c.Decoders) == 1 {
			return t.buildDecoder(c.Decoders[0], where+".decoders[0]")
		}
	}
	steps, err := buildDecodeSteps(raw, where)
	if err != nil {
		return err
	}
	t.dec, t.decSteps = decChain, steps
	return nil
}

func (t *Tokenizer) buildPost(raw json.RawMessage, where string) (func([]int) []int, error) {
	if isNull(raw) {
		return nil, nil
	}
	typ, err := typeOf(raw)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", where, err)
	}
	wrap := func(cls, sep []int) func([]int) []int {
		return func(ids []int) []int {
			out := make([]int, 0, len(ids)+len(cls)+len(sep))
			out = append(append(append(out, cls...), ids...), sep...)
			return out
		}
	}
	pairID := func(p json.RawMessage, name string) ([]int, error) {
		var v []json.RawMessage
		var id int
		if err := json.Unmarshal(p, &v); err != nil || len(v) != 2 || json.Unmarshal(v[1], &id) != nil {
			return nil, fmt.Errorf("%s.%s: want [token, id]", where, name)
		}
		if id < 0 || id >= len(t.idToToken) {
			return nil, fmt.Errorf("%s.%s: id %d out of range", where, name, id)
		}
		return []int{id}, nil
	}
	switch typ {
	case "ByteLevel":
		return nil, nil
	case "BertProcessing", "RobertaProcessing":
		var c struct {
			Sep json.RawMessage `json:"sep"`
			Cls json.RawMessage `json:"cls"`
		}
		if err := json.Unmarshal(raw, &c); err != nil {
			return nil, fmt.Errorf("%s: %v", where, err)
		}
		cls, err := pairID(c.Cls, "cls")
		if err != nil {
			return nil, err
		}
		sep, err := pairID(c.Sep, "sep")
		if err != nil {
			return nil, err
		}
		return wrap(cls, sep), nil
	case "TemplateProcessing":
		var c struct {
			Single []struct {
				SpecialToken *struct {
					ID string `json:"id"`
				} `json:"SpecialToken"`
				Sequence *struct {
					ID string `json:"id"`
				} `json:"Sequence"`
			} `json:"single"`
			SpecialTokens map[string]struct {
				IDs []int `json:"ids"`
			} `json:"special_tokens"`
		}
		if err := json.Unmarshal(raw, &c); err != nil {
			return nil, fmt.Errorf("%s: %v", where, err)
		}
		var cls, sep []int
		seenSeq := false
		for i, it := range c.Single {
			switch {
			case it.Sequence != nil:
				if seenSeq {
					return nil, fmt.Errorf("%s.single[%d]: a second sequence in a single template", where, i)
				}
				seenSeq = true
			case it.SpecialToken != nil:
				st, ok := c.SpecialTokens[it.SpecialToken.ID]
				if !ok {
					return nil, fmt.Errorf("%s.single[%d]: special token %q is not in special_tokens", where, i, it.SpecialToken.ID)
				}
				for _, id := range st.IDs {
					if id < 0 || id >= len(t.idToToken) {
						return nil, fmt.Errorf("%s: special token %q id %d out of range", where, it.SpecialToken.ID, id)
					}
				}
				if seenSeq {
					sep = append(sep, st.IDs...)
				} else {
					cls = append(cls, st.IDs...)
				}
			default:
				return nil, fmt.Errorf("%s.single[%d]: want SpecialToken or Sequence", where, i)
			}
		}
		if !seenSeq {
			return nil, fmt.Errorf("%s.single: no Sequence item", where)
		}
		return wrap(cls, sep), nil
	case "Sequence":
		var c struct {
			Processors []json.RawMessage `json:"processors"`
		}
		if err := json.Unmarshal(raw, &c); err != nil {
			return nil, fmt.Errorf("%s: %v", where, err)
		}
		var fs []func([]int) []int
		for i, r := range c.Processors {
			f, err := t.buildPost(r, fmt.Sprintf("%s.processors[%d]", where, i))
			if err != nil {
				return nil, err
			}
			if f != nil {
				fs = append(fs, f)
			}
		}
		return func(ids []int) []int {
			for _, f := range fs {
				ids = f(ids)
			}
			return ids
		}, nil
	}
	return nil, fmt.Errorf("%s: type %q is not supported", where, typ)
}

// Encode tokenizes text: added/special tokens appearing in the text are split
// out first, the rest is normalized, pre-tokenized and run through the model.
// No template tokens (BOS, [CLS], ...) are added; see EncodeWithSpecialTokens.
func (t *Tokenizer) Encode(text string) []int { return t.encode(text, true) }

// EncodeOrdinary is Encode without added-token matching: every byte of text is
// treated as ordinary text (so user input cannot produce special tokens).
func (t *Tokenizer) EncodeOrdinary(text string) []int { return t.encode(text, false) }

// EncodeWithSpecialTokens is Encode followed by the tokenizer's post-processor
// template (e.g. BERT's [CLS] … [SEP], Llama-3's <|begin_of_text|>), like
// HF's encode(text, add_special_tokens=True).
func (t *Tokenizer) EncodeWithSpecialTokens(text string) []int {
	ids := t.Encode(text)
	if t.post != nil {
		ids = t.post(ids)
	}
	return ids
}

func (t *Tokenizer) encode(text string, withAdded bool) []int {
	ids := make([]int, 0, len(text)/3+1)
	if !withAdded || len(t.added) == 0 {
		return t.encodePlain(ids, text, true)
	}
	// next[i] caches where added token i next occurs at or after pos (-1: never),
	// so each token's occurrences are searched once overall.
	next := make([]int, len(t.added))
	for i := range next {
		next[i] = -2
	}
	pos := 0
	for pos < len(text) {
		best, bestI := -1, -1
		for i := range t.added {
			if next[i] == -1 {
				continue
			}
			if next[i] < pos {
				j := strings.Index(text[pos:], t.added[i].Content)
				if j < 0 {
					next[i] = -1
					continue
				}
				next[i] = pos + j
			}
			// t.added is longest first, so the first hit at a position wins ties.
			if best < 0 || next[i] < best {
				best, bestI = next[i], i
			}
		}
		if bestI < 0 {
			break
		}
		a := &t.added[bestI]
		start, end := best, best+len(a.Content)
		if a.LStrip {
			for start > pos {
				r, w := utf8.DecodeLastRuneInString(text[pos:start])
				if !isBertWhitespace(r) {
					break
				}
				start -= w
			}
		}
		if a.RStrip {
			for end < len(text) {
				r, w := utf8.DecodeRuneInString(text[end:])
				if !isBertWhitespace(r) {
					break
				}
				end += w
			}
		}
		ids = t.encodePlain(ids, text[pos:start], pos == 0)
		ids = append(ids, a.ID)
		pos = end
	}
	return t.encodePlain(ids, text[pos:], pos == 0)
}

func (t *Tokenizer) encodePlain(ids []int, text string, atStart bool) []int {
	if text == "" {
		return ids
	}
	if t.norm != nil {
		text = t.norm(text)
	}
	steps := t.steps
	if atStart {
		steps = t.firstSteps
	}
	chain(steps, text, func(p string) {
		ids = t.model.encodeWord(ids, p)
	})
	return ids
}

// Decode turns ids back into text. Added tokens are written verbatim; ids out
// of range are skipped. Byte-level output that is not valid UTF-8 (a split
// multi-byte character) is returned as is; use DecodeStream for streaming.
func (t *Tokenizer) Decode(ids []int) string { return string(t.DecodeBytes(ids)) }

// DecodeBytes is Decode returning the raw bytes.
func (t *Tokenizer) DecodeBytes(ids []int) []byte {
	switch t.dec {
	case decByteLevel:
		var out []byte
		for _, id := range ids {
			out = t.appendByteLevel(out, id)
		}
		return out
	case decChain:
		toks := t.tokens(ids)
		for _, step := range t.decSteps {
			toks = step(toks)
		}
		return []byte(strings.Join(toks, ""))
	default:
		return []byte(strings.Join(t.tokens(ids), " "))
	}
}

func (t *Tokenizer) appendByteLevel(out []byte, id int) []byte {
	if id < 0 || id >= len(t.idToToken) {
		return out
	}
	tok := t.idToToken[id]
	if _, ok := t.addedByID[id]; ok {
		return append(out, tok...)
	}
	for _, r := range tok {
		if b, ok := runeToByte[r]; ok {
			out = append(out, b)
		} else {
			out = utf8.AppendRune(out, r)
		}
	}
	return out
}

func (t *Tokenizer) tokens(ids []int) []string {
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		if id >= 0 && id < len(t.idToToken) && t.idToToken[id] != "" {
			out = append(out, t.idToToken[id])
		}
	}
	return out
}

// VocabSize returns the number of ids (the largest id plus one), counting
// added tokens.
func (t *Tokenizer) VocabSize() int { return len(t.idToToken) }

// TokenID returns the id of a token string (in the model's alphabet, e.g.
// "Ġthe" for byte-level BPE) or of an added token.
func (t *Tokenizer) TokenID(tok string) (int, bool) {
	id, ok := t.vocab[tok]
	return id, ok
}

// IDToken returns the token string of an id.
func (t *Tokenizer) IDToken(id int) (string, bool) {
	if id < 0 || id >= len(t.idToToken) || t.idToToken[id] == "" {
		return "", false
	}
	return t.idToToken[id], true
}

// IsSpecial reports whether id is an added token marked special.
func (t *Tokenizer) IsSpecial(id int) bool {
	a, ok := t.addedByID[id]
	return ok && a.Special
}

// EOS returns the end-of-sequence id (tokenizer_config.json's eos_token, else
// the first of <|endoftext|>, <|end_of_text|>, </s>, <eos>, [SEP] present).
func (t *Tokenizer) EOS() (int, bool) { return t.eos, t.eos >= 0 }

// BOS returns the beginning-of-sequence id (tokenizer_config.json's bos_token,
// else the first of <|begin_of_text|>, <s>, <bos>, [CLS], <|endoftext|>).
func (t *Tokenizer) BOS() (int, bool) { return t.bos, t.bos >= 0 }

// ChatTemplate returns tokenizer_config.json's chat_template, if one was read.
func (t *Tokenizer) ChatTemplate() string { return t.chatTemplate }

// JSON returns the tokenizer.json encoding of t.
func (t *Tokenizer) JSON() []byte {
	var b bytes.Buffer
	b.WriteString("{\n  \"version\": ")
	v := t.cfg.Version
	if v == "" {
		v = "1.0"
	}
	writeJSON(&b, v)
	field := func(name string, raw json.RawMessage) {
		b.WriteString(",\n  ")
		writeJSON(&b, name)
		b.WriteString(": ")
		if isNull(raw) {
			b.WriteString("null")
		} else {
			b.Write(bytes.TrimSpace(raw))
		}
	}
	field("truncation", t.cfg.Truncation)
	field("padding", t.cfg.Padding)
	b.WriteString(",\n  \"added_tokens\": [")
	for i, a := range t.cfg.AddedTokens {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString("\n    ")
		writeJSON(&b, a)
	}
	b.WriteString("\n  ]")
	field("normalizer", t.cfg.Normalizer)
	field("pre_tokenizer", t.cfg.PreTokenizer)
	field("post_processor", t.cfg.PostProcessor)
	field("decoder", t.cfg.Decoder)
	field("model", t.cfg.Model)
	b.WriteString("\n}\n")
	return b.Bytes()
}

// Save writes t as a tokenizer.json, atomically (temp file + rename).
func (t *Tokenizer) Save(path string) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("tokenizer: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(t.JSON()); err != nil {
		tmp.Close()
		return fmt.Errorf("tokenizer: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("tokenizer: %w", err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return fmt.Errorf("tokenizer: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("tokenizer: %w", err)
	}
	return nil
}
