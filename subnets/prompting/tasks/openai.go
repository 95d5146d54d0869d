package tasks

import (
	"context"
	"errors"
	"fmt"

	"github.com/taonet/taonet/lm/serve/openai"
)

// OpenAILLM adapts an OpenAI-compatible chat endpoint (vLLM, Ollama,
// llama.cpp's server, OpenAI, `taonet model serve`) to LLM, using the
// project's client (timeouts and retries live there).
type OpenAILLM struct {
	Client *openai.Client
	Model  string
}

// NewOpenAILLM returns an LLM for baseURL ("http://host:port/v1").
func NewOpenAILLM(baseURL, model, apiKey string) *OpenAILLM {
	c := openai.NewClient(baseURL)
	c.APIKey = apiKey
	return &OpenAILLM{Client: c, Model: model}
}

// Chat implements LLM with a non-streaming chat completion.
func (o *OpenAILLM) Chat(ctx context.Context, messages []Message, opts ChatOptions) (string, error) {
	req := openai.ChatCompletionRequest{Model: o.Model, Seed: opts.Seed}
	for _, m := range messages {
		req.Messages = append(req.Messages, openai.Message{Role: m.Role, Content: openai.Content(m.Content)})
	}
	if opts.MaxTokens > 0 {
		req.MaxTokens = &opts.MaxTokens
	}
	if opts.Temperature > 0 {
		req.Temperature = &opts.Temperature
	}
	if opts.TopP > 0 {
		req.TopP = &opts.TopP
	}
	resp, err := o.Client.ChatCompletion(ctx, req)
	if err != nil {
		return "", fmt.Errorf("tasks: chat: %w", err)
	}
	if len(resp.Choices) == 0 {
		return "", errors.New("tasks: chat: no choices")
	}
	return string(resp.Choices[0].Message.Content), nil
}
