package serve

import (
	"context"
	"errors"
	"strings"

	"github.com/taonet/taonet/lm/serve/openai"
	"github.com/taonet/taonet/lm/tokenizer"
)

// GenerateRequest is one text-generation job.
type GenerateRequest struct {
	Prompt string
	// PromptIDs, when not nil, is a token-id prompt: the engine (a
	// TokenPrompter) uses these ids as they are, and Prompt is their text.
	PromptIDs   []int
	MaxTokens   int      // > 0
	Temperature float64  // 0 = greedy
	TopP        float64  // in (0, 1]
	Stop        []string // generation ends before the first occurrence of any
	Seed        int64    // sampling seed (the server derives one if the client sent none)
	// Chat is set when Prompt was produced by the engine's own ChatFormatter
	// (so it may carry the template's special tokens as text).
	Chat bool
}

// GenerateResult summarizes a finished generation.
type GenerateResult struct {
	Text             string // the full generated text (stop string excluded)
	PromptTokens     int
	CompletionTokens int
	FinishReason     string // "stop" (EOS or stop string) or "length"
}

// TokenLogprob is one prompt token with the log-probability the model gave it
// given the tokens before it. The first token has none: engines set Logprob to
// NaN there (written as null). Offset is the token's byte offset in the prompt.
type TokenLogprob struct {
	ID      int // token id
	Token   string
	Logprob float64
	Offset  int
}

// Engine generates text. Implementations must honour ctx (the server cancels
// it when the client disconnects) and call onText with consecutive pieces of
// valid UTF-8 whose concatenation is Result.Text; an error from onText must
// stop generation and be returned.
type Engine interface {
	ModelID() string
	Generate(ctx context.Context, req GenerateRequest, onText func(string) error) (GenerateResult, error)
}

// PromptScorer is the optional capability behind completions' echo+logprobs.
type PromptScorer interface {
	PromptLogprobs(ctx context.Context, prompt string) ([]TokenLogprob, error)
}

// TokenPrompter is the optional capability behind token-id prompts.
// DecodeTokens checks ids against the vocabulary and returns their text;
// TokenLogprobs scores ids exactly as given (no BOS added) followed by the
// tokens of completion text, with Offsets into DecodeTokens(ids)+completion.
type TokenPrompter interface {
	DecodeTokens(ids []int) (string, error)
	TokenLogprobs(ctx context.Context, ids []int, completion string) ([]TokenLogprob, error)
}

// Embedder is the optional capability behind /v1/embeddings.
type Embedder interface {
	Embed(ctx context.Context, texts []string) ([][]float32, error)
}

// TokenCounter is an optional capability used for the usage counts of
// /v1/embeddings (reported as 0 without it).
type TokenCounter interface {
	CountTokens(text string) int
}

// ChatFormatter is an optional capability: an engine that knows its model's
// chat template turns messages into the prompt text.
type ChatFormatter interface {
	FormatMessages(msgs []openai.Message) (string, error)
}

// FormatMessages is the default chat formatting with the fixed template of a
// tokenizer family (see tokenizer.FormatChat): system messages are prepended
// to the next user message, earlier user/assistant pairs become full turns,
// and the last user message becomes the open prompt.
func FormatMessages(family string, msgs []openai.Message) (string, error) {
	var sb strings.Builder
	var system []string
	var pendingUser *string
	sep := "\n"
	if strings.ToLower(family) == tokenizer.FamilyBERT {
		sep = " "
	}
	for i, m := range msgs {
		text := string(m.Content)
		switch m.Role {
		case "system", "developer":
			system = append(system, text)
		case "user":
			if pendingUser != nil {
				return "", errorf(400, "messages[%d]: two user messages in a row", i)
			}
			if len(system) > 0 {
				text = strings.Join(system, "\n") + "\n\n" + text
				system = nil
			}
			pendingUser = &text
		case "assistant":
			if pendingUser == nil {
				return "", errorf(400, "messages[%d]: assistant message without a user message before it", i)
			}
			_, full := tokenizer.FormatChat(family, *pendingUser, text)
			sb.WriteString(full)
			sb.WriteString(sep)
			pendingUser = nil
		default:
			return "", errorf(400, "messages[%d]: role %q is not supported", i, m.Role)
		}
	}
	if pendingUser == nil {
		return "", errorf(400, "the last message must be from the user")
	}
	p, _ := tokenizer.FormatChat(family, *pendingUser, "")
	sb.WriteString(p)
	return sb.String(), nil
}

// RequestError marks an engine error caused by the request (too long a
// prompt, an unsupported capability); the server answers 400 with its text.
type RequestError struct{ Err error }

// Error returns the wrapped error's text.
func (e *RequestError) Error() string { return e.Err.Error() }

// Unwrap returns the wrapped error.
func (e *RequestError) Unwrap() error { return e.Err }

// BadRequest wraps err as a RequestError.
func BadRequest(err error) error { return &RequestError{Err: err} }

func asRequestError(err error) (*apiError, bool) {
	var re *RequestError
	if errors.As(err, &re) {
		return errorf(400, "%s", re.Err.Error()), true
	}
	return nil, false
}
