// Package miner owns the finetuning subnet's reference miner: Train
// fine-tunes a starting model (the current best model on chain, downloaded
// through the hub by its commitment, or a local base model such as the
// output of `taonet model init`) on recent data with lm/train, writing
// checkpoints with the competition tokenizer; Publish uploads a model
// directory to the hub under the miner's namespace, private until its
// commitment is included (spec §1.2: set private, upload, re-download and
// hash with the miner's signature, commit, await inclusion, set public; a
// failed commit leaves it private and is retried by publishing again),
// computes the hotkey-salted hash, refuses a model already committed by
// another hotkey, commits "namespace:name:revision:hash:competition_id" on
// chain and reads it back; Run loops train → compare with the current best
// → publish.
package miner
