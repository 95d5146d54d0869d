// Package openai owns the OpenAI-compatible HTTP wire format (the JSON of
// /v1/chat/completions, /v1/completions, /v1/embeddings, /v1/models, their
// server-sent-event streams and error bodies) and a client for any server
// speaking it: vLLM, Ollama, llama.cpp's server, OpenAI itself, or
// `taonet model serve`. The client streams chat completions, retries
// transient failures with backoff and honours per-request timeouts.
package openai
