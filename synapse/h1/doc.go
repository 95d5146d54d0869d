// Package h1 is the dendrite's HTTP/1.1 client: a keep-alive connection pool per
// address, requests written as one pre-encoded byte slice in one write, and responses
// read by a small strict parser (CRLF line endings, token header names, no obs-fold,
// no control bytes in values, one consistent Content-Length or "chunked" alone, bounded
// head and trailer sizes). It exists because a validator's fan-out sends the same
// request to hundreds of axons at once: net/http's client spends a writer and a reader
// goroutine hand-off, a header map and canonicalized keys on every call, which was a
// third of the dendrite's CPU per fan-out.
//
// The parser is differentially fuzzed against net/http.ReadResponse
// (FuzzReadResponse): whatever h1 accepts, net/http reads the same way.
package h1
