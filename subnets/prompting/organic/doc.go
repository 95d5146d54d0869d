// Package organic is the prompting subnet's organic-traffic gateway, run by a
// validator owner as `taonet prompting api`: an OpenAI-compatible
// POST /v1/chat/completions (streamed or not, Bearer API keys, 401 on a bad
// key) that sends each user conversation to the top-k miners by incentive
// at the same time, returns the first stream that delivers text and cancels
// the others. Optionally every answer is scored against a reference from
// a scoring function (e.g. an LLM reference and the validator's reward
// models) and the score is exported. Prometheus series are kept per route
// (requests by status code, latency, winning miner).
//
// Miners are reached over either protocol the subnet speaks: the Bittensor
// StreamPromptingSynapse (Axon/Dendrite) or Epistula-signed chat requests.
package organic
