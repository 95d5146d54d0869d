// Package validator owns the finetuning subnet's validator loop. Each step,
// at a seed block every validator derives the same way (the latest block
// whose height is a multiple of the step interval), runs five phases, each a
// function in step.go with its own test (phases_test.go):
// candidates → fetchAndCheck → evaluate → score → weights. In detail it:
//
//  1. (candidates) reads the metagraph and the commitments as of the seed
//     block (Chain.MetagraphAt, Chain.CommitmentsAt: the node's state
//     history and the chain's commitment history), however late it runs;
//     parses them (modelid) and keeps every commitment of the step's
//     competition made at least eval_block_delay blocks before the seed
//     block. A miner that recommits right after the seed block is judged by
//     the commitment in force at the seed block, by every validator;
//  2. (fetchAndCheck) downloads each through the hub client (revision size
//     checked before any transfer), verifies the hotkey-salted hash, and
//     checks the model (package evaluate); a malformed or oversize model is
//     rejected with a logged reason, remembered by its commitment, and the
//     step goes on;
//  3. (evaluate) selects the evaluation samples from the data window
//     deterministically from the seed block's hash (data.Select), tokenizes
//     them once, computes each model's per-sample response losses and saves
//     them, model by model, in the seed block's results file (results.go):
//     a restarted validator does not compute them again;
//  4. (score) computes the seed block's step weights from its results
//     (pairwise wins with the epsilon advantage of the earlier commitment,
//     epsilon evaluated at the seed block; win rates; softmax), and the
//     subnet weights: per competition the normalized sum of the step weights
//     of its last aggregate_seeds seed blocks (a uid counts only while it
//     belongs to the hotkey that earned the weight), composed by reward share;
//  5. (weights) persists its state atomically (JSON in the data dir) and sets
//     weights on chain every weights_interval blocks (on a commit-reveal
//     subnet it commits them and Reveal, called by Run, reveals them in their
//     epoch; the pending reveal is part of the persisted state).
//
// # Why an aggregate over seed blocks, not upstream's moving average
//
// Upstream keeps, per validator, an exponential moving average of the step
// weights (w ← α·w + (1−α)·step, α = 0.5 per competition in the Macrocosmos
// subnet, 0.9 in taoverse's tracker) and re-evaluates only its own top
// models plus new commitments. Both depend on the validator's own history:
// a validator started later, or restarted without its state, holds another
// average (forever in principle: an EMA never forgets its start), and
// evaluates another set of models, so the softmax of each step differs too.
// Here every eligible model is evaluated at every seed block and the weights
// are a pure function of the last K seed blocks' results (AggregateWeights),
// so any two validators that evaluated the same K seed blocks set the same
// weights bit for bit, whenever they started. Like the EMA, the mean over K
// steps smooths one step's luck of the sample draw; unlike it, old steps
// leave the window completely after K seed blocks. The price is evaluating
// every model at every step instead of the top few plus new ones.
//
// A model that breaks a rule (hash, size, architecture, parameters,
// tokenizer, non-finite weights, norms) never enters the step, as upstream's
// tracker; a model whose loss computation fails scores +Inf on every sample
// (package scoring). The epsilon clock is the seed block, not the live head,
// so it is the same on every validator.
package validator
