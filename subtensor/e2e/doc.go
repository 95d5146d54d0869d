// Package e2e runs taonet's subnets unchanged on the subtensor backend: a
// prompting miner and validator and a finetuning validator against the
// scripted substrate node (package substratetest) serving state that
// @polkadot/api encoded from real Bittensor metadata. Test-only.
package e2e
