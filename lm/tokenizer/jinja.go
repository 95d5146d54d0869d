package tokenizer

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/ardanlabs/jinja"
)

// ChatTemplate is a model's own Jinja chat template, rendered the way
// Hugging Face's apply_chat_template does: the context holds messages
// (role, content), add_generation_prompt, bos_token and eos_token;
// raise_exception aborts with a TemplateError; blocks are trimmed
// (trim_blocks, lstrip_blocks), as HF configures Jinja. Goldens from
// python3-jinja2 on six real templates: TestChatTemplateGoldens.
type ChatTemplate struct {
	Source   string
	BOS, EOS string // the special tokens' text, as the template sees them
	tpl      *jinja.Template
}

// TemplateError is an error raised by the template itself (raise_exception)
// or by rendering it: the request cannot be formatted.
type TemplateError struct{ Msg string }

func (e *TemplateError) Error() string { return "chat template: " + e.Msg }

// ParseChatTemplate compiles a chat template.
func ParseChatTemplate(src, bos, eos string) (*ChatTemplate, error) {
	tpl, err := jinja.Compile(src)
	if err != nil {
		return nil, fmt.Errorf("chat template: %w", err)
	}
	return &ChatTemplate{Source: src, BOS: bos, EOS: eos, tpl: tpl}, nil
}

// Apply renders messages; with addGenerationPrompt the template opens the
// assistant's turn. The result spells the template's special tokens as text
// (encode it with Encode, not EncodeOrdinary).
func (c *ChatTemplate) Apply(msgs []ChatMessage, addGenerationPrompt bool) (string, error) {
	list := make([]any, len(msgs))
	for i, m := range msgs {
		list[i] = map[string]any{"role": m.Role, "content": m.Content}
	}
	out, err := c.tpl.Render(map[string]any{
		"messages":              list,
		"add_generation_prompt": addGenerationPrompt,
		"bos_token":             c.BOS,
		"eos_token":             c.EOS,
		"tools":                 nil,
		"documents":             nil,
	})
	if err != nil {
		return "", &TemplateError{Msg: err.Error()}
	}
	return out, nil
}

// ChatTemplateFile is the template file newer Hugging Face checkpoints ship
// next to tokenizer_config.json.
const ChatTemplateFile = "chat_template.jinja"

// LoadChatTemplate reads a model directory's chat template: chat_template.jinja
// or tokenizer_config.json's chat_template (a string, or a list of named
// templates of which "default" is used), with bos_token and eos_token from
// tokenizer_config.json. It returns nil and no error when the model has none.
func LoadChatTemplate(dir string) (*ChatTemplate, error) {
	var cfg struct {
		ChatTemplate json.RawMessage `json:"chat_template"`
		BOS          json.RawMessage `json:"bos_token"`
		EOS          json.RawMessage `json:"eos_token"`
	}
	raw, err := os.ReadFile(filepath.Join(dir, "tokenizer_config.json"))
	switch {
	case err == nil:
		if err := json.Unmarshal(raw, &cfg); err != nil {
			return nil, fmt.Errorf("tokenizer_config.json: %w", err)
		}
	case !errors.Is(err, os.ErrNotExist):
		return nil, err
	}
	src, err := templateSource(dir, cfg.ChatTemplate)
	if err != nil || src == "" {
		return nil, err
	}
	return ParseChatTemplate(src, tokenText(cfg.BOS), tokenText(cfg.EOS))
}

// templateSource picks the template text: the .jinja file first, as
// transformers does.
func templateSource(dir string, field json.RawMessage) (string, error) {
	if b, err := os.ReadFile(filepath.Join(dir, ChatTemplateFile)); err == nil {
		return string(b), nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return "", err
	}
	if len(field) == 0 || string(field) == "null" {
		return "", nil
	}
	var s string
	if json.Unmarshal(field, &s) == nil {
		return s, nil
	}
	var named []struct {
		Name     string `json:"name"`
		Template string `json:"template"`
	}
	if err := json.Unmarshal(field, &named); err != nil {
		return "", fmt.Errorf("tokenizer_config.json: chat_template must be a string or a list of {name, template}")
	}
	for _, n := range named {
		if n.Name == "default" {
			return n.Template, nil
		}
	}
	names := make([]string, len(named))
	for i, n := range named {
		names[i] = n.Name
	}
	return "", fmt.Errorf("tokenizer_config.json: no \"default\" among the chat templates %s", strings.Join(names, ", "))
}

// tokenText is a special token's text: a string or an AddedToken object.
func tokenText(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var o struct {
		Content string `json:"content"`
	}
	json.Unmarshal(raw, &o)
	return o.Content
}
