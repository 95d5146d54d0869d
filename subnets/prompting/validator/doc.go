// Package validator owns the prompting subnet's validator loop (spec §4.10,
// §4.11, §5): each Step picks a task whose needs are met, builds the
// challenge and its hidden reference (package tasks), streams the challenge
// to K serving miners from the metagraph concurrently under a timeout,
// scores the completions (package rewards, penalties included), folds the
// rewards into the per-UID moving average (alpha 0.1, decay for everyone),
// persists the scores atomically in its data directory, publishes the
// exchange to its signed feed, and every N blocks sets weights on chain.
// Each step is logged as a readable table and exported as Prometheus
// metrics.
//
// Hostile miners cannot stall or poison a step: every stream is bounded by
// the timeout and a byte cap, and a completion that did not finish in time
// (408), overflowed the cap (422), failed, or is not valid UTF-8 scores 0.
// (Upstream scored the partial text of a timed-out stream; a partial answer
// is not an answer, and scoring it would reward never-ending streams.)
package validator
