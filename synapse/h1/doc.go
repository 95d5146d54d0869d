// Package h1 is the axon's HTTP/1.1 server and the dendrite's HTTP/1.1 client.
//
// The client keeps a keep-alive connection pool per address, writes requests as one
// pre-encoded byte slice in one write, and reads responses with a small strict
// parser (CRLF line endings, token header names, no obs-fold, no control bytes in
// values, one consistent Content-Length or "chunked" alone, bounded head and
// trailer sizes). It exists because a validator's fan-out sends the same request to
// hundreds of axons at once: net/http's client spends a writer and a reader
// goroutine hand-off, a header map and canonicalized keys on every call, which was a
// third of the dendrite's CPU per fan-out. Do copies a response's header fields out
// of the connection's buffer; DoView leaves them there, for a caller that takes what
// it needs from the head before reading the body, and DoViewIn also puts the
// Response in the caller's memory (a Slot) rather than a new allocation.
//
// The server (Server, Handler) reads requests by the same field rules, with the
// request-target in origin or absolute form, HTTP/1.0 and 1.1, Host required on
// 1.1, Expect: 100-continue answered at the body's first read, pipelined requests
// answered in order, and malformed heads refused with 400, 417, 431, 501 or 505, a
// precise reason and Connection: close. A handler sees the header fields as a slice
// (no map) and writes its status and fields straight into the connection's buffered
// writer (no header map, no per-request header string); a response of unknown
// length is streamed in chunks. It exists because in a one-process fan-out of 256
// axons on 2 cores the axons were ~70% of the CPU, and net/http's server was ~30% of
// the axon's: header maps from textproto, Header.Clone, the header writer, a context
// and a background-read goroutine per request, and ~1.3 GB of the 4 GB allocated
// over 880 fan-outs.
//
// A handler that runs longer than Server.DisconnectWatchAfter (1 s) has its
// connection watched for the client hanging up: Request.Context is cancelled and
// the Request.OnHangUp hook runs on EOF or a connection error, as net/http's server
// cancels a request's context. Unlike net/http, which reads in the background on
// every request, a shorter request pays only a timer reset and stop (~60 ns, no
// allocation: BenchmarkServerWatchShortRequest), and the watch never reads into a
// body the handler has not read. A client that half-closes after its request is
// taken as gone, as net/http takes EOF. TestServerDisconnect* cover the
// cancellation (plain and streamed responses, half-close), unwatched short requests
// and unread bodies, a request pipelined during the watch, and Shutdown.
//
// Both parsers are differentially fuzzed against net/http: whatever h1 accepts,
// net/http.ReadResponse (FuzzReadResponse) and net/http.ReadRequest
// (FuzzReadRequest) read the same way. TestServer* cover each refusal, pipelining,
// 100-continue, keep-alive and Connection: close, streaming, timeouts, Shutdown with
// a request in flight, handler panics, and net/http's client against the server.
package h1
