// Package rewards owns the scoring of prompting-subnet miner completions
// (spec shared/specs/prompting-subnet.md §4): every reward model, the
// penalties, the per-task weighting, the per-UID moving average and the
// weight normalisation. Everything except Relevance (which calls an
// embed.Embedder) is a pure function of its arguments.
//
// Reward models (each maps (reference, completion) to [0, 1]):
//
//   - Rouge1F, RougeLF: pltrdy rouge==1.0.1 semantics (§4.2), exactly.
//   - Relevance: cos(E(ref), E(c)) − cos(E(ref), E("")) clipped to [0, 1] (§4.3).
//   - DateScore: v2.3+ date reward (§4.4).
//   - FloatDiff: math answer extraction and relative error (§4.5).
//   - Ordinal: sentiment class distance (§4.6).
//   - DiffRatio: Python difflib SequenceMatcher(None, a, b).ratio() incl.
//     the autojunk heuristic (§4.7).
//
// Penalties: ChallengeOverlap (rouge-1 F against the challenge the miner saw)
// and StreamingPenalty (oversized stream chunks), combined as
// total = Σ wᵢ·rᵢ, then total *= (1 − wⱼ·pⱼ) for each penalty (§4.1).
//
// Deliberate decision (§4.1, §9): models are keyed by (name, params), so
// summarization really uses ROUGE-L as declared upstream; upstream's
// pipeline de-duplicated by name and silently scored it with ROUGE-1.
//
// Hostile input: every completion is cut to MaxCompletionBytes (at a UTF-8
// boundary) and invalid UTF-8 is replaced before scoring, so huge or binary
// answers cost bounded time and never panic.
package rewards
