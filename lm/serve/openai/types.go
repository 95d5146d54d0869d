package openai

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
)

// Message is one chat message. Content may be a string or (on input) an array
// of {"type":"text","text":...} parts, which are concatenated.
type Message struct {
	Role    string  `json:"role"`
	Content Content `json:"content"`
	Name    string  `json:"name,omitempty"`
}

// Content is message text; it unmarshals from a string, null, or text parts.
type Content string

// UnmarshalJSON accepts a string, null, or an array of text parts.
func (c *Content) UnmarshalJSON(b []byte) error {
	var s *string
	if err := json.Unmarshal(b, &s); err == nil {
		if s != nil {
			*c = Content(*s)
		}
		return nil
	}
	var parts []struct {
		Type string `json:"type"`
		Text string `json:"text"`
	}
	if err := json.Unmarshal(b, &parts); err != nil {
		return fmt.Errorf("content must be a string or an array of text parts")
	}
	var out string
	for _, p := range parts {
		if p.Type != "text" {
			return fmt.Errorf("content part type %q is not supported (only text)", p.Type)
		}
		out += p.Text
	}
	*c = Content(out)
	return nil
}

// Stop is the "stop" field: a string or an array of strings.
type Stop []string

// UnmarshalJSON accepts null, a string or an array of strings.
func (s *Stop) UnmarshalJSON(b []byte) error {
	var one *string
	if err := json.Unmarshal(b, &one); err == nil {
		if one != nil {
			*s = Stop{*one}
		} else {
			*s = nil
		}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return fmt.Errorf("stop must be a string or an array of strings")
	}
	*s = many
	return nil
}

// StreamOptions is "stream_options".
type StreamOptions struct {
	IncludeUsage bool `json:"include_usage"`
}

// ChatCompletionRequest is the body of POST /v1/chat/completions.
type ChatCompletionRequest struct {
	Model               string         `json:"model"`
	Messages            []Message      `json:"messages"`
	MaxTokens           *int           `json:"max_tokens,omitempty"`
	MaxCompletionTokens *int           `json:"max_completion_tokens,omitempty"`
	Temperature         *float64       `json:"temperature,omitempty"`
	TopP                *float64       `json:"top_p,omitempty"`
	N                   *int           `json:"n,omitempty"`
	Stream              bool           `json:"stream,omitempty"`
	StreamOptions       *StreamOptions `json:"stream_options,omitempty"`
	Stop                Stop           `json:"stop,omitempty"`
	Seed                *int64         `json:"seed,omitempty"`
	User                string         `json:"user,omitempty"`
}

// Usage counts tokens.
type Usage struct {
	PromptTokens     int `json:"prompt_tokens"`
	CompletionTokens int `json:"completion_tokens"`
	TotalTokens      int `json:"total_tokens"`
}

// ChatChoice is one choice of a chat completion.
type ChatChoice struct {
	Index        int             `json:"index"`
	Message      Message         `json:"message"`
	Logprobs     json.RawMessage `json:"logprobs"`
	FinishReason string          `json:"finish_reason"`
}

// ChatCompletionResponse is the non-streaming chat completion.
type ChatCompletionResponse struct {
	ID                string       `json:"id"`
	Object            string       `json:"object"`
	Created           int64        `json:"created"`
	Model             string       `json:"model"`
	SystemFingerprint string       `json:"system_fingerprint,omitempty"`
	Choices           []ChatChoice `json:"choices"`
	Usage             *Usage       `json:"usage,omitempty"`
}

// Delta is the incremental message of a stream chunk.
type Delta struct {
	Role    string  `json:"role,omitempty"`
	Content *string `json:"content,omitempty"`
}

// ChunkChoice is one choice of a chat stream chunk.
type ChunkChoice struct {
	Index        int             `json:"index"`
	Delta        Delta           `json:"delta"`
	Logprobs     json.RawMessage `json:"logprobs"`
	FinishReason *string         `json:"finish_reason"`
}

// ChatCompletionChunk is one "data:" event of a streamed chat completion
// (object "chat.completion.chunk").
type ChatCompletionChunk struct {
	ID                string        `json:"id"`
	Object            string        `json:"object"`
	Created           int64         `json:"created"`
	Model             string        `json:"model"`
	SystemFingerprint string        `json:"system_fingerprint,omitempty"`
	Choices           []ChunkChoice `json:"choices"`
	Usage             *Usage        `json:"usage,omitempty"`
}

// CompletionRequest is the body of POST /v1/completions. Prompt is a
// string, an array of strings, an array of token ids, or an array of arrays of
// token ids (see Prompts). PromptLogprobs is vLLM's extension: the scored
// prompt tokens, per choice, in the "prompt_logprobs" field.
type CompletionRequest struct {
	Model          string          `json:"model"`
	Prompt         json.RawMessage `json:"prompt"`
	MaxTokens      *int            `json:"max_tokens,omitempty"`
	Temperature    *float64        `json:"temperature,omitempty"`
	TopP           *float64        `json:"top_p,omitempty"`
	N              *int            `json:"n,omitempty"`
	Stream         bool            `json:"stream,omitempty"`
	StreamOptions  *StreamOptions  `json:"stream_options,omitempty"`
	Logprobs       *int            `json:"logprobs,omitempty"`
	PromptLogprobs *int            `json:"prompt_logprobs,omitempty"`
	Echo           bool            `json:"echo,omitempty"`
	Stop           Stop            `json:"stop,omitempty"`
	Seed           *int64          `json:"seed,omitempty"`
	User           string          `json:"user,omitempty"`
}

// Prompt is one prompt of a completion request: text, or (IDs != nil) token
// ids taken as they are, with no tokenization and no BOS added.
type Prompt struct {
	Text string
	IDs  []int
}

// MaxPrompts bounds how many prompts one completion request may carry.
const MaxPrompts = 64

// Prompts returns the request's prompts in order. Like OpenAI and vLLM it
// accepts "text", ["text", ...], [id, ...] and [[id, ...], ...]; token ids
// must be non-negative integers and a token-id prompt must not be empty.
func (r CompletionRequest) Prompts() ([]Prompt, error) {
	if len(r.Prompt) == 0 || string(r.Prompt) == "null" {
		return nil, fmt.Errorf("prompt is required")
	}
	var s string
	if err := json.Unmarshal(r.Prompt, &s); err == nil {
		return []Prompt{{Text: s}}, nil
	}
	var arr []json.RawMessage
	if err := json.Unmarshal(r.Prompt, &arr); err != nil {
		return nil, fmt.Errorf("prompt must be a string, an array of strings, an array of token ids or an array of token-id arrays")
	}
	if len(arr) == 0 {
		return nil, fmt.Errorf("prompt must not be an empty array")
	}
	switch arr[0][0] {
	case '"':
		var texts []string
		if err := json.Unmarshal(r.Prompt, &texts); err != nil {
			return nil, fmt.Errorf("prompt: an array of strings must hold only strings")
		}
		if len(texts) > MaxPrompts {
			return nil, fmt.Errorf("prompt: at most %d prompts per request, got %d", MaxPrompts, len(texts))
		}
		out := make([]Prompt, len(texts))
		for i, t := range texts {
			out[i] = Prompt{Text: t}
		}
		return out, nil
	case '[':
		if len(arr) > MaxPrompts {
			return nil, fmt.Errorf("prompt: at most %d prompts per request, got %d", MaxPrompts, len(arr))
		}
		out := make([]Prompt, len(arr))
		for i, a := range arr {
			ids, err := tokenIDs(a)
			if err != nil {
				return nil, fmt.Errorf("prompt[%d]: %v", i, err)
			}
			out[i] = Prompt{IDs: ids}
		}
		return out, nil
	default:
		ids, err := tokenIDs(r.Prompt)
		if err != nil {
			return nil, fmt.Errorf("prompt: %v", err)
		}
		return []Prompt{{IDs: ids}}, nil
	}
}

// tokenIDs decodes a non-empty JSON array of non-negative integer token ids.
func tokenIDs(raw json.RawMessage) ([]int, error) {
	var nums []json.Number
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&nums); err != nil {
		return nil, fmt.Errorf("a token-id prompt must be an array of integers")
	}
	if len(nums) == 0 {
		return nil, fmt.Errorf("a token-id prompt must not be empty")
	}
	ids := make([]int, len(nums))
	for i, n := range nums {
		v, err := strconv.ParseInt(n.String(), 10, 32)
		if err != nil || v < 0 {
			return nil, fmt.Errorf("token id %s at %d is not a non-negative 32-bit integer", n.String(), i)
		}
		ids[i] = int(v)
	}
	return ids, nil
}

// PromptString returns the prompt as one string (a single text prompt).
func (r CompletionRequest) PromptString() (string, error) {
	ps, err := r.Prompts()
	if err != nil {
		return "", err
	}
	if len(ps) != 1 || ps[0].IDs != nil {
		return "", fmt.Errorf("want one text prompt, got %d prompts", len(ps))
	}
	return ps[0].Text, nil
}

// PromptTokenIDs converts token ids into the raw JSON a CompletionRequest wants.
func PromptTokenIDs(ids []int) json.RawMessage {
	b, _ := json.Marshal(ids)
	return b
}

// PromptLogprob is one entry of vLLM's prompt_logprobs: the log-probability
// of a token id, its rank among the vocabulary when known, and its text.
type PromptLogprob struct {
	Logprob      float64 `json:"logprob"`
	Rank         *int    `json:"rank,omitempty"`
	DecodedToken string  `json:"decoded_token"`
}

// CompletionLogprobs is the legacy completions logprobs object.
type CompletionLogprobs struct {
	Tokens        []string             `json:"tokens"`
	TokenLogprobs []*float64           `json:"token_logprobs"`
	TopLogprobs   []map[string]float64 `json:"top_logprobs"`
	TextOffset    []int                `json:"text_offset"`
}

// CompletionChoice is one choice of a (legacy) completion.
type CompletionChoice struct {
	Index        int                 `json:"index"`
	Text         string              `json:"text"`
	Logprobs     *CompletionLogprobs `json:"logprobs"`
	FinishReason *string             `json:"finish_reason"`
	// PromptLogprobs (vLLM) has one entry per prompt token: null for the
	// first, else a map from the token id (as a string) to its logprob.
	PromptLogprobs []map[string]PromptLogprob `json:"prompt_logprobs,omitempty"`
}

// CompletionResponse is a completion or (object "text_completion") a stream chunk.
type CompletionResponse struct {
	ID      string             `json:"id"`
	Object  string             `json:"object"`
	Created int64              `json:"created"`
	Model   string             `json:"model"`
	Choices []CompletionChoice `json:"choices"`
	Usage   *Usage             `json:"usage,omitempty"`
}

// EmbeddingRequest is the body of POST /v1/embeddings. Input is a string or
// an array of strings.
type EmbeddingRequest struct {
	Model          string          `json:"model"`
	Input          json.RawMessage `json:"input"`
	EncodingFormat string          `json:"encoding_format,omitempty"`
	User           string          `json:"user,omitempty"`
}

// Inputs returns the input texts.
func (r EmbeddingRequest) Inputs() ([]string, error) {
	if len(r.Input) == 0 {
		return nil, fmt.Errorf("input is required")
	}
	var s string
	if err := json.Unmarshal(r.Input, &s); err == nil {
		return []string{s}, nil
	}
	var arr []string
	if err := json.Unmarshal(r.Input, &arr); err == nil {
		if len(arr) == 0 {
			return nil, fmt.Errorf("input must not be empty")
		}
		return arr, nil
	}
	return nil, fmt.Errorf("input must be a string or an array of strings (token-id inputs are not supported)")
}

// Embedding is one embedding vector. On the wire it is an array of floats or,
// with encoding_format "base64", base64 of little-endian float32s.
type Embedding struct {
	Object    string `json:"object"`
	Index     int    `json:"index"`
	Embedding Vector `json:"embedding"`
}

// Vector is a float32 embedding that unmarshals from floats or base64.
type Vector []float32

// UnmarshalJSON accepts an array of numbers or a base64 string.
func (v *Vector) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		raw, err := base64.StdEncoding.DecodeString(s)
		if err != nil || len(raw)%4 != 0 {
			return fmt.Errorf("embedding: bad base64 float32 data")
		}
		out := make([]float32, len(raw)/4)
		for i := range out {
			out[i] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:]))
		}
		*v = out
		return nil
	}
	var f []float32
	if err := json.Unmarshal(b, &f); err != nil {
		return fmt.Errorf("embedding: %v", err)
	}
	*v = f
	return nil
}

// Base64 encodes v as base64 of little-endian float32s.
func (v Vector) Base64() string {
	raw := make([]byte, 4*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint32(raw[4*i:], math.Float32bits(x))
	}
	return base64.StdEncoding.EncodeToString(raw)
}

// EmbeddingResponse is the body returned by /v1/embeddings.
type EmbeddingResponse struct {
	Object string      `json:"object"`
	Data   []Embedding `json:"data"`
	Model  string      `json:"model"`
	Usage  Usage       `json:"usage"`
}

// Model is one entry of /v1/models.
type Model struct {
	ID      string `json:"id"`
	Object  string `json:"object"`
	Created int64  `json:"created"`
	OwnedBy string `json:"owned_by"`
}

// ModelList is the body of GET /v1/models.
type ModelList struct {
	Object string  `json:"object"`
	Data   []Model `json:"data"`
}

// ErrorBody is OpenAI's error envelope: {"error": {...}}.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail describes an API error.
type ErrorDetail struct {
	Message string  `json:"message"`
	Type    string  `json:"type"`
	Param   *string `json:"param"`
	Code    *string `json:"code"`
}
