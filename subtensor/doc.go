// Package subtensor is taonet's second chain backend: a client for Bittensor's
// substrate chain (finney, test network, local subtensor nodes) that speaks
// Substrate JSON-RPC, decodes the chain's own runtime metadata (v14/v15) and
// builds signed v4 extrinsics from it. Nothing here hard-codes a pallet or call
// index: every storage key, call and event is looked up by name in the metadata
// of the runtime that answers, so a runtime upgrade does not break it.
// Reads use the runtime APIs the SDK uses (neurons lite, subnet state,
// hyperparameters, metagraph) where the runtime offers them, decoded by its
// v15 metadata or, on v14 runtimes, by the built-in registry of
// runtimeapi_registry.go, and storage where it does not.
//
// On a subnet with commit-reveal on, Backend sends set_weights as the SDK
// does: a timelocked commit (commit_timelocked_weights, or
// commit_crv3_weights on older runtimes) encrypted with package timelock to
// the drand round the chain will reveal it at (commitreveal.go).
//
// Sub-packages: scale (the SCALE codec primitives), metadata (metadata decoding,
// the type registry and metadata-driven value encoding/decoding, storage keys,
// calls, events and dispatch errors), rpc (JSON-RPC over WebSocket and HTTP with
// timeouts, reconnect and failover), timelock (drand timelock encryption of
// weight commits).
package subtensor
