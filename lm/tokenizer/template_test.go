package tokenizer

import "testing"

func TestRenderChat(t *testing.T) {
	msgs := []ChatMessage{{"system", "Be brief."}, {"user", " Hi "}, {"assistant", "Hello."}, {"user", "2+2?"}}
	cases := map[string]string{
		StyleLlama3: "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nBe brief.<|eot_id|><|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\nHello.<|eot_id|><|start_header_id|>user<|end_header_id|>\n\n2+2?<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n",
		StyleChatML: "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\n Hi <|im_end|>\n<|im_start|>assistant\nHello.<|im_end|>\n<|im_start|>user\n2+2?<|im_end|>\n<|im_start|>assistant\n",
		StyleLlama2: "<s>[INST] <<SYS>>\nBe brief.\n<</SYS>>\n\n Hi [/INST] Hello. </s><s>[INST] 2+2? [/INST]",
	}
	for style, want := range cases {
		got, err := RenderChat(style, msgs, true)
		if err != nil || got != want {
			t.Errorf("%s:\n got %q\nwant %q (%v)", style, got, want, err)
		}
	}
	if _, err := RenderChat(StyleLlama2, []ChatMessage{{"user", "a"}, {"user", "b"}}, true); err == nil {
		t.Error("llama2 accepted two user turns")
	}
	if _, err := RenderChat(StyleChatML, []ChatMessage{{"tool", "a"}}, true); err == nil {
		t.Error("tool role accepted")
	}
	llama3 := "{% set loop_messages = messages %}{% for message in loop_messages %}{% set content = '<|start_header_id|>' + message['role'] + '<|end_header_id|>\n\n'+ message['content'] | trim + '<|eot_id|>' %}{{ content }}{% endfor %}"
	if DetectChatStyle(llama3) != StyleLlama3 || DetectChatStyle("{{'<|im_start|>' + m + '<|im_end|>'}}") != StyleChatML ||
		DetectChatStyle("[INST] x [/INST]") != StyleLlama2 || DetectChatStyle("") != "" {
		t.Error("DetectChatStyle")
	}
}
