// Package client is the Go client of a taonet node's JSON API, used by every
// miner, validator and CLI command. It builds, signs and submits transactions
// (with per-signer nonce management so many goroutines can submit from one
// key), waits for inclusion, reads accounts, subnets and metagraphs, follows
// the block stream, retries transient errors with backoff and fails over
// between several node URLs.
package client
