// Package synapse owns the Bittensor Axon/Dendrite wire protocol: signed synapse
// requests over HTTP/1.1, compatible with the Python bittensor implementation.
//
// A subnet declares a synapse as a plain Go struct. The struct's JSON field names are
// the wire names; the tag `synapse:"hash"` marks a field that feeds computed_body_hash
// and `synapse:"required"` marks a field Python would treat as required (it gets a
// bt_header_input_obj_* header). The synapse name (the URL path and the "name" header)
// is the Go type name unless the type has a `SynapseName() string` method.
//
// The Axon is the server: Register / RegisterStream attach a typed handler with
// optional blacklist and priority functions, and every request goes through the
// upstream pipeline: route and header parse, size limit, blacklist (before the body is
// read), signature and nonce verification, a priority queue in front of a bounded pool of
// handler slots, then body integrity and the handler under the request's timeout.
//
// The Dendrite is the client: Query, QueryMany (concurrent fan-out), OpenStream and
// StreamMany sign each request with the caller's hotkey, enforce a per-call timeout and a
// response-size limit, and report per-axon status codes as upstream does (§3.1 of the
// wire-protocol spec).
package synapse
