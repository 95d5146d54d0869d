//go:build !unix

package netserve

// RaiseFDLimit is a no-op where there is no RLIMIT_NOFILE.
func RaiseFDLimit() (uint64, error) { return 0, nil }

func fdLimit() uint64 { return 0 }
