package serve

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// FuzzHandlers posts arbitrary bodies to every endpoint: the server must
// answer with valid JSON (or an SSE stream) and never panic.
func FuzzHandlers(f *testing.F) {
	f.Add("/v1/chat/completions", `{"messages":[{"role":"user","content":"hi"}],"max_tokens":2}`)
	f.Add("/v1/chat/completions", `{"messages":[{"role":"system","content":"s"},{"role":"user","content":[{"type":"text","text":"x"}]}],"stream":true,"stop":["w1"]}`)
	f.Add("/v1/completions", `{"prompt":"a b c","echo":true,"logprobs":2,"max_tokens":0}`)
	f.Add("/v1/completions", `{"prompt":["x"],"n":3,"seed":1}`)
	f.Add("/v1/completions", `{"prompt":[[1,2],[3]],"echo":true,"prompt_logprobs":0,"max_tokens":0}`)
	f.Add("/v1/embeddings", `{"input":["a","b"],"encoding_format":"base64"}`)
	f.Add("/v1/embeddings", `{"input":[1,2]}`)
	srv := New(newTestEngine(), Options{MaxTokensLimit: 64})
	f.Fuzz(func(t *testing.T, path, body string) {
		switch path {
		case "/v1/chat/completions", "/v1/completions", "/v1/embeddings":
		default:
			path = "/v1/completions"
		}
		if strings.Contains(body, "SLOW") {
			return // blocks until the client leaves, by design
		}
		req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		if rec.Header().Get("Content-Type") == "text/event-stream" {
			if !strings.HasSuffix(rec.Body.String(), "data: [DONE]\n\n") {
				t.Fatalf("stream without [DONE]: %q", rec.Body.String())
			}
			return
		}
		if !json.Valid(rec.Body.Bytes()) {
			t.Fatalf("status %d, invalid JSON %q", rec.Code, rec.Body.String())
		}
	})
}
