// Package validator owns the finetuning subnet's validator loop. Each step,
// at a seed block every validator derives the same way (the latest block
// whose height is a multiple of the step interval), runs five phases, each a
// function in step.go with its own test (phases_test.go):
// candidates → fetchAndCheck → evaluate → score → weights. In detail it:
//
//  1. (candidates) reads the metagraph and commitments at the node, parses them
//     (modelid), keeps the commitments of the step's competition made at
//     least eval_block_delay blocks before the seed block;
//  2. picks the models to evaluate: the previous step's top-k plus new or
//     changed commitments;
//  3. (fetchAndCheck) downloads each through the hub client (revision size checked before
//     any transfer), verifies the hotkey-salted hash, and checks the model
//     (package evaluate); a malformed or oversize model is rejected with a
//     logged reason, remembered by its commitment, and the step goes on;
//  4. (evaluate) selects the evaluation samples from the data window deterministically
//     from the seed block's hash (data.Select), tokenizes them once;
//     computes per-sample response losses;
//  5. (score) counts pairwise wins with the epsilon
//     advantage of the earlier commitment (epsilon evaluated at the seed
//     block), win rates, softmax weights, the per-competition moving
//     average, the top-k to keep (package scoring);
//  6. (weights) persists its state atomically (JSON in the data dir) and sets weights
//     on chain every weights_interval blocks (on a commit-reveal subnet it
//     commits them and Reveal, called by Run, reveals them in their epoch;
//     the pending reveal is part of the persisted state).
//
// A model that breaks a rule (hash, size, architecture, parameters,
// tokenizer, non-finite weights, norms) never enters the step, as upstream's
// tracker; a model whose loss computation fails scores +Inf on every sample
// (package scoring). The epsilon clock is the seed block, not the live head,
// so it is the same on every validator.
//
// Everything that decides weights is a function of chain state at the seed
// block, the data window and the models, so validators agree exactly.
package validator
