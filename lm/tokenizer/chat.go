package tokenizer

import (
	"fmt"
	"strings"
)

// Chat families accepted by FormatChat.
const (
	FamilyGPT2  = "gpt2"
	FamilyLlama = "llama"
	FamilyBERT  = "bert"
)

// FormatChat formats one (prompt, response) turn with the fixed template of a
// model family and returns the prompt part and the full text; fullText always
// starts with promptText, so callers can mask the prompt's tokens. No Jinja is
// evaluated. Templates ({p} = prompt, {r} = response):
//
//	gpt2:  "Question: {p}\nAnswer:"   + " {r}"
//	llama: "[INST] {p} [/INST]"       + " {r}"
//	bert:  "{p}"                      + " {r}"   (encoders: no generation)
//
// The end-of-sequence token is not part of the text; EncodeChat appends it.
// Each prompt part ends in punctuation, so (for the GPT-2 and Llama-3
// pre-tokenizers) the prompt's tokens are a prefix of the full text's tokens
// whenever the response starts with a letter, digit or single space; EncodeChat
// guarantees the prefix property for any response. Unknown families fall back
// to gpt2.
func FormatChat(family, prompt, response string) (promptText, fullText string) {
	switch strings.ToLower(family) {
	case FamilyLlama:
		promptText = "[INST] " + prompt + " [/INST]"
	case FamilyBERT:
		promptText = prompt
	default:
		promptText = "Question: " + prompt + "\nAnswer:"
	}
	return promptText, promptText + " " + response
}

// EncodeChat tokenizes a formatted (prompt, response) turn: the prompt part and
// the response part are encoded separately (so promptLen is exact), BOS is
// prepended for the llama family when the tokenizer has one, and EOS is
// appended when it has one. ids[:promptLen] are the prompt tokens. Text is
// encoded with EncodeOrdinary, so prompts cannot inject special tokens.
func (t *Tokenizer) EncodeChat(family, prompt, response string) (ids []int, promptLen int) {
	promptText, fullText := FormatChat(family, prompt, response)
	if strings.ToLower(family) == FamilyLlama {
		if bos, ok := t.BOS(); ok {
			ids = append(ids, bos)
		}
	}
	ids = append(ids, t.EncodeOrdinary(promptText)...)
	promptLen = len(ids)
	ids = append(ids, t.EncodeOrdinary(fullText[len(promptText):])...)
	if eos, ok := t.EOS(); ok {
		ids = append(ids, eos)
	}
	return ids, promptLen
}

// DetectChatFamily maps a tokenizer_config.json chat_template to the closest
// FormatChat family by its markers: Llama-3 headers and Llama-2 [INST] give
// "llama"; anything else (including ChatML and empty) gives "gpt2".
func DetectChatFamily(chatTemplate string) string {
	switch {
	case strings.Contains(chatTemplate, "<|start_header_id|>"), strings.Contains(chatTemplate, "[INST]"):
		return FamilyLlama
	}
	return FamilyGPT2
}

// ValidFamily reports an error for a family FormatChat does not know.
func ValidFamily(family string) error {
	switch strings.ToLower(family) {
	case FamilyGPT2, FamilyLlama, FamilyBERT:
		return nil
	}
	return fmt.Errorf("tokenizer: unknown chat family %q (want gpt2, llama or bert)", family)
}
