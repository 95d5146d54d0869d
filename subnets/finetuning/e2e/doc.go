// Package e2e holds the finetuning subnet's end-to-end tests: a real
// embedded node, a real hub server on loopback, miners publishing tiny
// models of different quality, and independent validators setting weights.
// TestValidatorsAgree is the agreement scenario: validators started late or
// restarted without state, and a miner recommitting right after a seed
// block, end with identical weight vectors.
package e2e
