// Package prompting is the root of the prompting subnet (Bittensor subnet 1
// "prompting" v1–v2.5, see shared/specs/prompting-subnet.md).
//
// The subpackages split the mechanism into pure parts and I/O edges:
//
//   - context: where challenge material comes from (embedded corpus, corpus
//     directories, Wikipedia dumps and REST API, code trees);
//   - persona: the simulated human who asks (profiles, moods, tones) and the
//     deterministic paraphraser used when no LLM is available;
//   - tasks: task definitions (qa, summarization, date_qa, math, debugging,
//     sentiment, generic), the sampler and the Challenge they produce;
//   - rewards: scoring of miner completions against the hidden reference
//     (ROUGE, semantic relevance, date, float_diff, ordinal, diff, penalties),
//     the score moving average and weight normalisation, all pure functions;
//   - embed: sentence-embedding backends for relevance (GloVe averages,
//     OpenAI-compatible /v1/embeddings, BERT on the project's engine);
//   - protocol, validator, miner, feed: the network side.
package prompting
