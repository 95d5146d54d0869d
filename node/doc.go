// Package node runs the taonet chain on CometBFT. It owns the ABCI application
// around the deterministic state machine (check state, block execution, app
// hash), persistence of the committed state in bbolt under the node's home
// directory, home-directory layout (keys, genesis, CometBFT config), the
// embedded single-validator mode used by localnet, multi-validator testnet
// generation, the JSON HTTP API with its block stream, and Prometheus metrics.
//
// The state machine itself lives in package chain; node only drives it through
// the Machine interface, so consensus plumbing never contains chain rules.
package node
