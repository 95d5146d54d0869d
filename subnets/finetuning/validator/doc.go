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
// weights bit for bit, whenever they started (and catching up makes every
// validator evaluate the same seed blocks, below). Like the EMA, the mean over K
// steps smooths one step's luck of the sample draw; unlike it, old steps
// leave the window completely after K seed blocks. The price is evaluating
// every model at every step instead of the top few plus new ones.
//
// # Catching up: the same window on every validator
//
// Before its step at seed block S a validator evaluates every seed block of
// S's window (the last aggregate_seeds × competitions seed blocks) that has
// no complete results on disk, oldest first, against the chain as of that
// block (catchup.go): the ones its previous step passed while it outlasted
// the step interval, the ones before it started or before it lost its data
// dir. So its window is always the same seed blocks as every other
// validator's. The work per step is bounded by the window (never a seed
// block older than it) and logged seed block by seed block; a step that
// ends after the next seed block says so, and the next step catches up.
// A validator that is always slower than the step interval still sets the
// weights every other validator set at the seed block it steps at, only
// later than they did.
//
// A seed block of the window that cannot be evaluated — older than the
// node's state history (node.ErrHeightPruned: HTTP 410 from a taonet node,
// which keeps 2,048 blocks by default, taonet chain start --state-history;
// state a pruning subtensor node discarded), or a node or data-source
// failure — is a hole: the step reports it (StepReport.Missing), logs an
// error naming the seed blocks and when weights will be set again (once an
// unservable seed block has left the window; a failure is retried at the
// next step), and sets no weights. Weights from a partial
// window would differ from every other validator's (Yuma clips a
// validator's weights to the consensus, costing its trust, and the miners'
// agreed incentive moves); keeping the last weights on chain for at most
// aggregate_seeds × competitions steps costs neither. Outcomes that are the
// same on every validator are results, not holes: a subnet not registered
// at the seed block, and an empty data window at a caught-up seed block
// (at the newest seed block the step fails and is retried instead, as its
// data may still be arriving).
//
// # The agreement guarantee
//
// Two validators with the same competition config and the deterministic
// engine (not TAONET_BLAS, not --eval.backend openai; see determinism.go)
// that step at the same seed block S set bit-identical weights, on every
// CPU and target lm/crosstarget covers (the losses; the scoring after them
// rounds every product and uses lm/detmath's exp), whenever each started
// and however many seed blocks each skipped, provided that for every seed
// block t of S's window:
//
//   - they read the same chain: guaranteed, as both read the metagraph and
//     commitments as of t and any node of the chain answers the same;
//   - they obtained the same models: a commitment pins the files by its
//     hotkey-salted hash, so whatever both evaluate is identical, but a
//     revision the hub served to one and not to the other (not found,
//     private for a moment, unreachable) is skipped by one only — and
//     retried at each later step while t is in the window, so a passing
//     hub failure costs the steps until the retry succeeds, not K;
//   - their data source returned the same samples for [t − data_window, t].
//
// The chain part is pinned; the last two are not functions of t alone, and
// they are what limits agreement. For the data:
//
//   - JSONL files (--data) are re-read at every step: the same for t when
//     every validator holds the same samples, and no sample dated at or
//     before t, nor an undated one (undated samples are in every window), is
//     added or removed after some validator evaluated t;
//   - the prompting feed (--feed-netuid, package subnets/prompting/feed)
//     holds what the client has received when it evaluates t: a record
//     dated at or before t but published after one validator's step is
//     seen by a validator that steps or catches up later (the localnet's
//     source leaves out records younger than a lag for this reason); the
//     publishers are the validators with a permit in the live metagraph,
//     not the one at t, and the records of one that lost it are dropped;
//     a feed unreachable at a validator's sync is missing from its
//     samples; and records older than the client's retention (7,200 blocks
//     behind the head) are gone, so a seed block caught up more than
//     retention − data_window blocks late (3,600 with the defaults, while
//     the whole window spans aggregate_seeds × competitions ×
//     step_interval = 80 blocks) would see fewer samples.
//
// A catching-up validator reads the data later than the others did, so
// with the feed it is exposed to the first and last points more; the
// chain state it reads is the same.
//
// A model that breaks a rule (hash, size, architecture, parameters,
// tokenizer, non-finite weights, norms) never enters the step, as upstream's
// tracker; a model whose loss computation fails scores +Inf on every sample
// (package scoring). The epsilon clock is the seed block, not the live head,
// so it is the same on every validator.
package validator
