// Package synapse owns the Bittensor Axon/Dendrite wire protocol: signed synapse
// requests over HTTP/1.1, compatible with the Python bittensor implementation
// (headers, computed_body_hash, signatures, nonce rules and status codes of
// shared/specs/wire-protocol.md §1-§3).
//
// A subnet declares a synapse as a plain Go struct. The struct's JSON field names are
// the wire names; the tag `synapse:"hash"` marks a field that feeds computed_body_hash
// (sha3-256 over Python str() renderings, see PyStr) and `synapse:"required"` marks a
// field Python treats as required (it gets a bt_header_input_obj_* header, which a
// Python axon needs to build its header-only synapse). The synapse name (URL path and
// "name" header) is the Go type name unless the type has a `SynapseName() string`
// method:
//
//	type Prompt struct {
//		Roles      []string `json:"roles" synapse:"required"`
//		Messages   []string `json:"messages" synapse:"required,hash"`
//		Completion string   `json:"completion"`
//	}
//	func (Prompt) SynapseName() string { return "StreamPromptingSynapse" }
//
// The Axon is the server. Register / RegisterStream attach a typed handler with
// optional blacklist and priority functions, and every request goes through the
// upstream pipeline: route and header parse (404/400), size limit (413), blacklist on
// headers only, before the body is read (403), signature and nonce verification (401),
// a priority queue in front of a bounded pool of handler slots (503 when full or past
// the timeout), then bounded body reading, body-hash integrity (400) and the handler
// under the request's timeout (500 on error or panic, 408 past the deadline).
//
// The Dendrite is the client. Query, QueryMany (concurrent fan-out), OpenStream and
// StreamMany sign each request with the caller's hotkey, enforce a per-call timeout and
// a response-size limit, reuse connections, and report per-axon status codes as
// upstream does (408 timeout, 422 unparsable or oversized response, 503 unreachable).
//
// Performance. Every request costs one sr25519 signature on each side and one
// verification on the axon; the axon keeps decoded caller hotkeys in a bounded cache
// and verifies with keys.PublicKey. The dendrite's request path is built for
// fan-outs: the fan-out's goroutine signs the requests in batches of 32 (through
// BatchSigner where the hotkey has it) and starts each batch's calls while it signs
// the next, so a call's goroutine only sends and reads; what all requests share (envelope, payload, fixed headers and
// the fixed lines of the HTTP head) is encoded once; each request appends only its
// terminal infos and sizes into a pooled buffer and goes out in one write on a pooled
// keep-alive connection of the dendrite's own HTTP/1.1 client (package h1: no per-call
// goroutine hand-offs or header maps); the response head is parsed by h1's strict
// reader in the connection's buffer (Client.DoView), and the call keeps only the
// terminal-info strings that differ from what it sent, no copy of the fields unless
// DendriteConfig.KeepHeaders or WithResponseHeaders asks for one; each call's copy of the request synapse is a
// reflection deep copy of one decoded prototype. The axon serves on h1's server: the
// synapse headers are parsed from the request's raw field slice (no header map), the
// response headers are written from headerEncoder straight into the connection's
// buffer, and its response envelope is encoded without reflection;
// TestAxonClosesHostileClients holds it to the hostile-client rules, and ServeHTTP
// runs the same pipeline for net/http. TestWireRequestMatchesEncoders,
// TestEnvelopeBodyMatchesEncodeBody and TestCloneMatchesJSON (with their fuzzers)
// hold each shortcut to the general encoders; BENCHMARKS.md has the measurements (`taonet synapse bench` reports the
// dendrite's own CPU per fan-out from a CPU profile of the measured rounds).
//
// Subpackages: h1 (the axon's HTTP/1.1 server and the dendrite's client: strict
// fuzzed request and response parsers, pooled keep-alive connections, one write per
// request), epistula (the later Epistula v2 signed plain-HTTP scheme) and synbench
// (the fan-out benchmark behind `taonet synapse bench`).
package synapse
