// Package substratetest is a scripted substrate JSON-RPC node for tests: a
// real WebSocket and HTTP server on loopback that serves a storage map, a
// runtime (version + metadata), a growing chain of blocks, and the submit
// path. A submitted extrinsic's sr25519 signature is checked against the
// signing payload the server rebuilds from the metadata (its own decoding of
// the extras, not the client's builder), the nonce is checked, and the
// extrinsic is included in a new block whose System.Events say
// ExtrinsicSuccess or, when the test's Dispatch hook returns a module error,
// ExtrinsicFailed with it. Runtime upgrades can be scripted mid-run.
package substratetest
