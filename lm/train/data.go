package train

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/taonet/taonet/lm/model"
)

// Example is one (prompt, response) pair, a line of a JSONL data file:
// {"prompt": "...", "response": "..."}.
type Example struct {
	Prompt   string `json:"prompt"`
	Response string `json:"response"`
}

// MaxLineBytes bounds one JSONL line.
const MaxLineBytes = 16 << 20

// ReadJSONL parses JSONL (prompt, response) pairs. Blank lines are skipped;
// any other malformed line is an error naming its line number.
func ReadJSONL(r io.Reader) ([]Example, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), MaxLineBytes)
	var out []Example
	line := 0
	for sc.Scan() {
		line++
		b := bytes.TrimSpace(sc.Bytes())
		if len(b) == 0 {
			continue
		}
		var raw map[string]json.RawMessage
		if err := json.Unmarshal(b, &raw); err != nil {
			return nil, fmt.Errorf("line %d: invalid JSON: %v", line, err)
		}
		var ex Example
		for _, f := range []struct {
			key string
			dst *string
		}{{"prompt", &ex.Prompt}, {"response", &ex.Response}} {
			v, ok := raw[f.key]
			if !ok {
				return nil, fmt.Errorf("line %d: missing %q", line, f.key)
			}
			if err := json.Unmarshal(v, f.dst); err != nil {
				return nil, fmt.Errorf("line %d: %q must be a string", line, f.key)
			}
		}
		if strings.TrimSpace(ex.Response) == "" {
			return nil, fmt.Errorf("line %d: empty response", line)
		}
		out = append(out, ex)
	}
	if err := sc.Err(); err != nil {
		if err == bufio.ErrTooLong {
			return nil, fmt.Errorf("line %d: longer than %d bytes", line+1, MaxLineBytes)
		}
		return nil, err
	}
	return out, nil
}

// LoadJSONL reads a JSONL file of (prompt, response) pairs; it must hold at
// least one example.
func LoadJSONL(path string) ([]Example, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	ex, err := ReadJSONL(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(ex) == 0 {
		return nil, fmt.Errorf("%s: no examples", path)
	}
	return ex, nil
}

// ChatEncoder tokenizes a (prompt, response) turn with a chat template and
// reports how many leading tokens belong to the prompt.
// *tokenizer.Tokenizer implements it.
type ChatEncoder interface {
	EncodeChat(family, prompt, response string) (ids []int, promptLen int)
}

// Family returns the chat-template family of an architecture.
func Family(a model.Arch) string { return string(a) }

// EncodeExample turns a pair into a model.Sample whose mask covers the
// response tokens (including EOS) only. Sequences longer than maxLen lose
// prompt tokens from the left first (one prompt token is always kept), then
// response tokens from the right.
func EncodeExample(enc ChatEncoder, family string, ex Example, maxLen int) (model.Sample, error) {
	ids, pl := enc.EncodeChat(family, ex.Prompt, ex.Response)
	if pl >= len(ids) {
		return model.Sample{}, fmt.Errorf("response encodes to no tokens")
	}
	if pl == 0 { // nothing to condition the first response token on
		return model.Sample{}, fmt.Errorf("prompt encodes to no tokens")
	}
	if maxLen > 0 && len(ids) > maxLen {
		if maxLen < 2 {
			return model.Sample{}, fmt.Errorf("max length %d too short", maxLen)
		}
		drop := min(len(ids)-maxLen, pl-1)
		ids, pl = ids[drop:], pl-drop
		if len(ids) > maxLen {
			ids = ids[:maxLen]
		}
	}
	s := model.Sample{Tokens: append([]int(nil), ids...), Mask: make([]bool, len(ids))}
	for i := pl; i < len(ids); i++ {
		s.Mask[i] = true
	}
	return s, nil
}

// EncodeExamples encodes every example, naming the failing one on error.
func EncodeExamples(enc ChatEncoder, family string, exs []Example, maxLen int) ([]model.Sample, error) {
	out := make([]model.Sample, len(exs))
	for i, ex := range exs {
		s, err := EncodeExample(enc, family, ex, maxLen)
		if err != nil {
			return nil, fmt.Errorf("example %d: %w", i+1, err)
		}
		out[i] = s
	}
	return out, nil
}
