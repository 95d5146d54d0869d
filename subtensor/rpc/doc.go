// Package rpc is a Substrate JSON-RPC 2.0 client over WebSocket (requests,
// subscriptions) and HTTP (one-shot requests). Every request has a timeout
// and fails with a message naming the method and endpoint; a dropped
// WebSocket is redialled with exponential backoff, trying each configured
// endpoint in turn (failover), and idempotent reads are retried once on the
// new connection. Submissions are never retried blindly.
package rpc
