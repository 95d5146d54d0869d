package tasks

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestOpenAILLM(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req map[string]any
		json.NewDecoder(r.Body).Decode(&req)
		msgs := req["messages"].([]any)
		if r.URL.Path != "/v1/chat/completions" || req["model"] != "m" || req["max_tokens"].(float64) != 256 || req["temperature"].(float64) != 0.7 || len(msgs) != 2 {
			http.Error(w, "bad request", 400)
			return
		}
		last := msgs[1].(map[string]any)["content"].(string)
		json.NewEncoder(w).Encode(map[string]any{"id": "x", "object": "chat.completion", "choices": []any{
			map[string]any{"index": 0, "message": map[string]any{"role": "assistant", "content": "echo: " + last}, "finish_reason": "stop"}}})
	}))
	defer srv.Close()
	llm := NewOpenAILLM(srv.URL+"/v1", "m", "")
	got, err := llm.Chat(bg, []Message{{"system", "s"}, {"user", "hi"}}, DefaultChatOptions())
	if err != nil || got != "echo: hi" {
		t.Fatalf("%q %v", got, err)
	}
	if _, err := llm.Chat(bg, []Message{{"user", "hi"}}, DefaultChatOptions()); err == nil {
		t.Error("400 accepted")
	}
}
