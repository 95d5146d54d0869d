// Package localnet runs the whole taonet network on one machine: a data
// directory with deterministic password-less wallets, a funded genesis, the
// chain (an embedded single CometBFT validator, or a local cluster of node
// processes), the prompting and finetuning subnets with their registered and
// staked validators and miners, the model hub, and the dashboard.
//
// Every component runs in this process as goroutines (one binary to start
// and stop, one context to cancel, testable under -race through Start); each
// one still gets its own Prometheus registry and /metrics listener, so it
// looks like a separate process to a scraper. Only the --nodes N cluster
// runs child processes, because CometBFT validators need separate homes and
// ports and a killed node must not take the others down.
//
// Start is restartable on the same directory: wallets, the base model, the
// subnets (recorded in localnet.json and checked on chain), registrations and
// stakes that exist are reused, not recreated.
package localnet
