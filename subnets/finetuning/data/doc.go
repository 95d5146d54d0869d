// Package data owns the finetuning subnet's evaluation and training data
// contract: a Sample is one (prompt, response) pair stamped with the chain
// block it was produced at, and a Source returns the samples of a block
// window. Validators select their evaluation samples deterministically from
// a Source's window (see package scoring/validator), so a Source must return
// the same set of samples for the same window on every machine.
//
// Implementations: JSONL (offline files of {"prompt", "response"[, "block",
// "id"]}, this package) and the prompting subnet's signed feed
// (subnets/prompting/feed).
package data
