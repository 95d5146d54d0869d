package tokenizer

import (
	"fmt"
	"strings"
)

// Recognized tokenizer_config.json chat_template styles. Templates are not
// evaluated as Jinja: DetectChatStyle recognizes a template by its markers and
// RenderChat writes the same text the original template produces for plain
// text messages (system, user, assistant; no tools).
const (
	StyleLlama3 = "llama3" // <|start_header_id|>role<|end_header_id|>\n\n…<|eot_id|>
	StyleChatML = "chatml" // <|im_start|>role\n…<|im_end|>\n
	StyleLlama2 = "llama2" // <s>[INST] <<SYS>>…<</SYS>> … [/INST] … </s>
)

// ChatMessage is one message for RenderChat.
type ChatMessage struct {
	Role    string
	Content string
}

// DetectChatStyle returns the style of a chat_template, or "" if unknown.
func DetectChatStyle(chatTemplate string) string {
	switch {
	case strings.Contains(chatTemplate, "<|start_header_id|>") && strings.Contains(chatTemplate, "<|eot_id|>"):
		return StyleLlama3
	case strings.Contains(chatTemplate, "<|im_start|>") && strings.Contains(chatTemplate, "<|im_end|>"):
		return StyleChatML
	case strings.Contains(chatTemplate, "[INST]") && strings.Contains(chatTemplate, "[/INST]"):
		return StyleLlama2
	}
	return ""
}

// RenderChat formats messages in a recognized style and, with
// addGenerationPrompt, opens the assistant's turn. The result contains the
// style's special tokens as text (encode it with Encode, not EncodeOrdinary);
// Llama-3 and Llama-2 output starts with the BOS text (<|begin_of_text|>, <s>).
func RenderChat(style string, msgs []ChatMessage, addGenerationPrompt bool) (string, error) {
	var sb strings.Builder
	for i, m := range msgs {
		switch m.Role {
		case "system", "user", "assistant":
		default:
			return "", fmt.Errorf("tokenizer: message %d: role %q is not supported", i, m.Role)
		}
	}
	switch style {
	case StyleLlama3:
		sb.WriteString("<|begin_of_text|>")
		for _, m := range msgs {
			sb.WriteString("<|start_header_id|>" + m.Role + "<|end_header_id|>\n\n" + strings.TrimSpace(m.Content) + "<|eot_id|>")
		}
		if addGenerationPrompt {
			sb.WriteString("<|start_header_id|>assistant<|end_header_id|>\n\n")
		}
	case StyleChatML:
		for _, m := range msgs {
			sb.WriteString("<|im_start|>" + m.Role + "\n" + m.Content + "<|im_end|>\n")
		}
		if addGenerationPrompt {
			sb.WriteString("<|im_start|>assistant\n")
		}
	case StyleLlama2:
		// Meta's Llama-2 chat format: the system prompt is folded into the
		// first user turn; user and assistant must alternate.
		var system string
		if len(msgs) > 0 && msgs[0].Role == "system" {
			system = "<<SYS>>\n" + msgs[0].Content + "\n<</SYS>>\n\n"
			msgs = msgs[1:]
		}
		for i, m := range msgs {
			want := "user"
			if i%2 == 1 {
				want = "assistant"
			}
			if m.Role != want {
				return "", fmt.Errorf("tokenizer: llama2 chat needs alternating user/assistant messages, message %d is %q", i, m.Role)
			}
			if m.Role == "user" {
				content := m.Content
				if i == 0 {
					content = system + content
				}
				sb.WriteString("<s>[INST] " + strings.TrimSpace(content) + " [/INST]")
			} else {
				sb.WriteString(" " + strings.TrimSpace(m.Content) + " </s>")
			}
		}
	default:
		return "", fmt.Errorf("tokenizer: unknown chat style %q", style)
	}
	return sb.String(), nil
}
