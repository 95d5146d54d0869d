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
// and verifies with keys.PublicKey. On a 2-core machine running a 256-axon fan-out in
// one process (`taonet synapse bench`), about 30% of the CPU is sr25519 (library
// speed: ~16 µs per base-point multiplication, ~40 µs per verification), and most of
// the rest is net/http with the ~25 bt_header_* headers each way, JSON, and syscalls.
// A fan-out encodes what all its requests share (envelope, payload, name, timeout,
// input_obj and body-hash headers) once; each request encodes only its terminal infos
// (BenchmarkEncodeRequestTemplate vs BenchmarkEncodeRequestGeneral, ~4.6 vs ~6.7-8 µs
// and 10 vs 17 allocations; TestRequestTemplateMatchesEncoders and
// FuzzRequestTemplate hold it byte-identical to the general encoders). That is well
// under 1 ms of a fan-out's ~25-37 ms dendrite CPU, which stays dominated by sr25519
// signing and net/http.
// GC is not the bottleneck there (GOGC=off changes neither CPU per fan-out nor
// latency beyond run-to-run noise), so no GOGC tuning is recommended.
//
// Subpackages: h1 (the dendrite's HTTP/1.1 client: pooled keep-alive connections,
// one write per request, a strict fuzzed response parser), epistula (the later
// Epistula v2 signed plain-HTTP scheme) and synbench (the fan-out benchmark behind
// `taonet synapse bench`).
package synapse
