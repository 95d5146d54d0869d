// Package netserve builds HTTP servers that survive hostile and broken
// clients. Every taonet server (node API, hub, model server, axon, dashboard,
// prompting feed, metrics) is built with it so that one slow, idle or
// malicious client cannot exhaust the process's file descriptors or hold a
// connection forever.
//
// What a server built with NewServer and Listen gets:
//
//   - A connection cap below the process's file-descriptor limit. RaiseFDLimit
//     lifts the soft RLIMIT_NOFILE to the hard one; each listener then accepts
//     at most a quarter of the limit, and all listeners of the process together
//     at most half, so CometBFT's databases and peers always find descriptors
//     (a node whose validator-state write fails with "too many open files"
//     halts consensus for good). Connections over the cap wait in the kernel's
//     accept queue instead of taking descriptors.
//   - Timeouts: the request header must arrive within ReadHeaderTimeout, an
//     idle keep-alive connection is closed after IdleTimeout, and every write
//     must make progress within WriteTimeout. The write timeout is renewed on
//     each write, so a healthy long-lived stream (server-sent events,
//     WebSocket, streaming synapse responses) is never cut, while a client
//     that stops reading is.
//   - A minimum-throughput rule for request bodies instead of a fixed
//     deadline: after BodyGrace, the body must have arrived at MinBodyRate
//     bytes/s on average, and no single stall may exceed BodyGrace. A
//     multi-gigabyte model upload on a good link is never cut; a client
//     dribbling bytes is.
//   - Bodies answered before they were read to the end are not read further:
//     the response carries "Connection: close" and the connection is dropped,
//     so an unauthenticated upload answered with 401 costs nothing more.
//   - A panicking handler answers 500 (when nothing was written yet) and the
//     process lives on.
//
// Defaults are production values; the environment variable TAONET_HTTP
// overrides any of them for every server of the process, e.g.
//
//	TAONET_HTTP="header=2s,idle=5s,write=10s,grace=3s,rate=1024,conns=128"
//
// which operators use to tune and tests use to run fast.
package netserve
