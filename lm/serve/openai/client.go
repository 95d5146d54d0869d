package openai

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// APIError is a non-2xx answer from the server.
type APIError struct {
	Status  int
	Message string
	Type    string
	Code    string
}

// Error formats the status, type and message.
func (e *APIError) Error() string {
	if e.Type != "" {
		return fmt.Sprintf("openai: HTTP %d (%s): %s", e.Status, e.Type, e.Message)
	}
	return fmt.Sprintf("openai: HTTP %d: %s", e.Status, e.Message)
}

// retryable reports whether a status is worth retrying.
func retryable(status int) bool {
	return status == http.StatusTooManyRequests || status == http.StatusRequestTimeout || status >= 500
}

// Client talks to an OpenAI-compatible server. The zero value is not usable;
// use NewClient. A Client is safe for concurrent use.
type Client struct {
	// BaseURL is the API root including /v1, e.g. "http://127.0.0.1:8000/v1".
	BaseURL string
	// APIKey, if set, is sent as "Authorization: Bearer <key>".
	APIKey string
	// HTTP is the transport (http.DefaultClient if nil).
	HTTP *http.Client
	// Timeout bounds each attempt of a request, including reading a stream
	// (0: no limit beyond the caller's context).
	Timeout time.Duration
	// MaxRetries is how many times a failed attempt is retried: transport
	// errors, 408, 429 and 5xx, before any response body was consumed.
	MaxRetries int
	// Backoff is the first retry delay, doubled each retry (Retry-After wins).
	Backoff time.Duration
}

// NewClient returns a client for baseURL ("http://host:port/v1") with a 60 s
// per-attempt timeout, 2 retries and 250 ms initial backoff.
func NewClient(baseURL string) *Client {
	return &Client{BaseURL: strings.TrimRight(baseURL, "/"), Timeout: 60 * time.Second, MaxRetries: 2, Backoff: 250 * time.Millisecond}
}

func (c *Client) httpClient() *http.Client {
	if c.HTTP != nil {
		return c.HTTP
	}
	return http.DefaultClient
}

// do sends one request with retries and hands a 2xx response to read. The
// attempt's context (with Timeout) stays alive until read returns.
func (c *Client) do(ctx context.Context, method, path string, body any, read func(*http.Response) error) error {
	var payload []byte
	if body != nil {
		var err error
		if payload, err = json.Marshal(body); err != nil {
			return fmt.Errorf("openai: encoding request: %w", err)
		}
	}
	delay := c.Backoff
	for attempt := 0; ; attempt++ {
		err, retry, after := c.attempt(ctx, method, path, payload, read)
		if err == nil || !retry || attempt >= c.MaxRetries || ctx.Err() != nil {
			return err
		}
		wait := delay
		if after > 0 {
			wait = after
		}
		delay *= 2
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return err
		case <-t.C:
		}
	}
}

func (c *Client) attempt(ctx context.Context, method, path string, payload []byte, read func(*http.Response) error) (err error, retry bool, retryAfter time.Duration) {
	if c.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.Timeout)
		defer cancel()
	}
	var rd io.Reader
	if payload != nil {
		rd = bytes.NewReader(payload)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.BaseURL+path, rd)
	if err != nil {
		return fmt.Errorf("openai: %w", err), false, 0
	}
	if payload != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.APIKey != "" {
		req.Header.Set("Authorization", "Bearer "+c.APIKey)
	}
	resp, err := c.httpClient().Do(req)
	if err != nil {
		return fmt.Errorf("openai: %s %s: %w", method, path, err), true, 0
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		apiErr := decodeError(resp)
		var after time.Duration
		if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && s >= 0 && s < 600 {
			after = time.Duration(s) * time.Second
		}
		return apiErr, retryable(resp.StatusCode), after
	}
	return read(resp), false, 0
}

func decodeError(resp *http.Response) error {
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	var eb ErrorBody
	if json.Unmarshal(body, &eb) == nil && eb.Error.Message != "" {
		e := &APIError{Status: resp.StatusCode, Message: eb.Error.Message, Type: eb.Error.Type}
		if eb.Error.Code != nil {
			e.Code = *eb.Error.Code
		}
		return e
	}
	msg := strings.TrimSpace(string(body))
	if msg == "" {
		msg = http.StatusText(resp.StatusCode)
	}
	return &APIError{Status: resp.StatusCode, Message: msg}
}

func decodeJSON(dst any) func(*http.Response) error {
	return func(resp *http.Response) error {
		if err := json.NewDecoder(resp.Body).Decode(dst); err != nil {
			return fmt.Errorf("openai: decoding response: %w", err)
		}
		return nil
	}
}

// ChatCompletion sends a non-streaming chat completion.
func (c *Client) ChatCompletion(ctx context.Context, req ChatCompletionRequest) (*ChatCompletionResponse, error) {
	req.Stream = false
	var out ChatCompletionResponse
	if err := c.do(ctx, http.MethodPost, "/chat/completions", req, decodeJSON(&out)); err != nil {
		return nil, err
	}
	return &out, nil
}

// ChatCompletionStream sends a streaming chat completion, calls onChunk for
// every chunk (returning an error stops the stream) and returns the
// assembled response (choice 0's content, finish reason, usage if sent).
func (c *Client) ChatCompletionStream(ctx context.Context, req ChatCompletionRequest, onChunk func(ChatCompletionChunk) error) (*ChatCompletionResponse, error) {
	req.Stream = true
	var out *ChatCompletionResponse
	err := c.do(ctx, http.MethodPost, "/chat/completions", req, func(resp *http.Response) error {
		out = &ChatCompletionResponse{Object: "chat.completion"}
		contents := map[int]*strings.Builder{}
		finish := map[int]string{}
		err := readSSE(resp.Body, func(data []byte) error {
			if err := inBandError(resp.StatusCode, data); err != nil {
				return err
			}
			var ch ChatCompletionChunk
			if err := json.Unmarshal(data, &ch); err != nil {
				return fmt.Errorf("openai: bad stream chunk %q: %w", data, err)
			}
			out.ID, out.Created, out.Model = ch.ID, ch.Created, ch.Model
			if ch.Usage != nil {
				out.Usage = ch.Usage
			}
			for _, cc := range ch.Choices {
				b := contents[cc.Index]
				if b == nil {
					b = &strings.Builder{}
					contents[cc.Index] = b
				}
				if cc.Delta.Content != nil {
					b.WriteString(*cc.Delta.Content)
				}
				if cc.FinishReason != nil {
					finish[cc.Index] = *cc.FinishReason
				}
			}
			if onChunk != nil {
				return onChunk(ch)
			}
			return nil
		})
		for i := 0; i < len(contents); i++ {
			if b, ok := contents[i]; ok {
				out.Choices = append(out.Choices, ChatChoice{Index: i, Message: Message{Role: "assistant", Content: Content(b.String())}, FinishReason: finish[i]})
			}
		}
		return err
	})
	if err != nil {
		return out, err
	}
	return out, nil
}

// inBandError recognizes an {"error": ...} event sent after a stream began
// (the HTTP status was already 2xx).
func inBandError(status int, data []byte) error {
	var eb struct {
		Error *ErrorDetail `json:"error"`
	}
	if json.Unmarshal(data, &eb) != nil || eb.Error == nil {
		return nil
	}
	e := &APIError{Status: status, Message: eb.Error.Message, Type: eb.Error.Type}
	if eb.Error.Code != nil {
		e.Code = *eb.Error.Code
	}
	return e
}

// errStreamNoDone is returned when a stream ends without "data: [DONE]".
var errStreamNoDone = errors.New("openai: stream ended without [DONE]")

// readSSE calls onData with the payload of each "data:" event until [DONE].
func readSSE(r io.Reader, onData func([]byte) error) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	var data []byte
	for sc.Scan() {
		line := sc.Bytes()
		if len(line) == 0 { // event boundary
			if len(data) > 0 {
				if string(data) == "[DONE]" {
					return nil
				}
				if err := onData(data); err != nil {
					return err
				}
				data = data[:0]
			}
			continue
		}
		if bytes.HasPrefix(line, []byte(":")) {
			continue // comment / keep-alive
		}
		if v, ok := bytes.CutPrefix(line, []byte("data:")); ok {
			v = bytes.TrimPrefix(v, []byte(" "))
			if len(data) > 0 {
				data = append(data, '\n')
			}
			data = append(data, v...)
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("openai: reading stream: %w", err)
	}
	if string(data) == "[DONE]" {
		return nil
	}
	return errStreamNoDone
}

// Completion sends a non-streaming (legacy) completion.
func (c *Client) Completion(ctx context.Context, req CompletionRequest) (*CompletionResponse, error) {
	req.Stream = false
	var out CompletionResponse
	if err := c.do(ctx, http.MethodPost, "/completions", req, decodeJSON(&out)); err != nil {
		return nil, err
	}
	return &out, nil
}

// Embeddings requests embeddings for texts.
func (c *Client) Embeddings(ctx context.Context, model string, texts []string) (*EmbeddingResponse, error) {
	input, _ := json.Marshal(texts)
	var out EmbeddingResponse
	if err := c.do(ctx, http.MethodPost, "/embeddings", EmbeddingRequest{Model: model, Input: input}, decodeJSON(&out)); err != nil {
		return nil, err
	}
	if len(out.Data) != len(texts) {
		return nil, fmt.Errorf("openai: %d embeddings for %d inputs", len(out.Data), len(texts))
	}
	return &out, nil
}

// Models lists the server's models.
func (c *Client) Models(ctx context.Context) ([]Model, error) {
	var out ModelList
	if err := c.do(ctx, http.MethodGet, "/models", nil, decodeJSON(&out)); err != nil {
		return nil, err
	}
	return out.Data, nil
}

// PromptText converts a string into the raw JSON a CompletionRequest wants.
func PromptText(s string) json.RawMessage {
	b, _ := json.Marshal(s)
	return b
}
