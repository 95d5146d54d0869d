// Package node runs the taonet chain on CometBFT. It owns the ABCI application
// around the deterministic state machine (check state, block execution, app
// hash), persistence of the committed state and of a transaction index in
// one bbolt file under the node's home directory (written in a single
// transaction per block, so a crash leaves either the old or the new block,
// and CometBFT's handshake replays the rest), home-directory layout (keys,
// genesis, CometBFT config), the embedded single-validator mode used by
// localnet, multi-validator testnets (GenerateTestnet) and local clusters of
// node processes (StartCluster), the JSON HTTP API with its block streams
// (server-sent events and WebSocket), and Prometheus metrics.
//
// The state machine itself lives in package chain; node only drives it through
// the Machine interface, so consensus plumbing never contains chain rules.
//
// JSON API (all errors are {"code","codespace","message"[,"hash"]}):
//
//	POST /api/v1/tx                          submit a signed tx (raw body, or JSON {"tx":base64,"wait":bool,"wait_timeout":"30s"}; ?wait=true)
//	GET  /api/v1/tx/{hash}[?wait=true]       committed outcome of a tx
//	GET  /api/v1/status                      chain id, node id, height, app hash, peers
//	GET  /api/v1/block, /api/v1/block/{h}    block height, hash, time, app hash, tx count
//	GET  /api/v1/blocks/stream               server-sent events, one "block" event per commit
//	GET  /api/v1/blocks/ws                   the same as WebSocket text messages
//	GET  /api/v1/accounts/{ss58}             balance, nonce, stakes
//	GET  /api/v1/accounts/{ss58}/nonce       next nonce counting the mempool
//	GET  /api/v1/subnets                     all subnets
//	GET  /api/v1/subnets/{netuid}/hyperparameters|metagraph|commitments|neurons/{uid}
//	GET  /api/v1/issuance                    issuance accounting
//	GET  /metrics, /healthz
//
// Liveness (liveness.go): /healthz answers 503 with the reason when no block
// was committed within the stall limit or consensus failed; a consensus
// failure (which CometBFT only logs) or a filesystem short of free space is
// fatal (Node.Failed), so owners exit instead of serving a frozen chain.
// Integrity (txindex.go): tx index records are checked against the block and
// the results under LastResultsHash before they are served. Multi-host
// networks (network.go): GenerateTestnet with Hosts, joining with a genesis
// document and persistent peers.
package node
