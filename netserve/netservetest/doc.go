// Package netservetest checks that a running HTTP server closes hostile
// clients: a silent connection, an idle keep-alive connection and a request
// body dribbled byte by byte. Every taonet server's tests run it against the
// real server on loopback, with TAONET_HTTP set to short limits (FastEnv).
package netservetest
