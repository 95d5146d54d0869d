// Package serve owns taonet's OpenAI-compatible HTTP server: /v1/chat/completions
// (with server-sent-event streaming), /v1/completions (including echo with
// prompt logprobs), /v1/embeddings and /v1/models, over the small Engine
// interfaces defined here, which a language-model engine implements. The wire
// types and a matching client live in the openai subpackage; modelengine
// adapts lm/model models to Engine for `taonet model serve`.
package serve
