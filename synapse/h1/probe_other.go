//go:build !unix

package h1

// peerClosed cannot peek at a socket here: idle connections are trusted, and one the
// server closed is resent on a new connection.
func peerClosed(*conn) bool { return false }
