// Package modelengine adapts a taonet language model (lm/model) and its
// tokenizer (lm/tokenizer) to the serve.Engine interfaces, so `taonet model
// serve` can put any Hugging Face-layout model directory behind the
// OpenAI-compatible API.
package modelengine
