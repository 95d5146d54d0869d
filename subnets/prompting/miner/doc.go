// Package miner owns the prompting subnet's miner: an Axon serving the
// StreamPromptingSynapse (spec §6) with a pluggable Responder, a blacklist
// (unregistered hotkeys, optionally non-validators) and a stake priority taken
// from a periodically refreshed metagraph, and the on-chain ServeAxon
// registration.
//
// Responders:
//
//   - Tool: no LLM; math by the prompting-core calculator, translation by
//     Apertium (Tool.Solver.Translator), qa/date_qa and
//     summarization by BM25 retrieval over the same built-in corpus the
//     validator draws from, debugging by returning the received code with a
//     best-effort repair from an optional index of a code tree.
//   - LLM: any OpenAI-compatible chat endpoint (vLLM, Ollama, llama.cpp's
//     server, OpenAI, `taonet model serve`), streamed through.
//   - Echo and Noise: baseline miners (repeat the question; random words)
//     for localnets, demos and tests of the incentive mechanism.
//
// Answers are streamed in small chunks (ChunkWords words per flush) so a
// validator's streaming penalty (§4.8) does not apply.
package miner
