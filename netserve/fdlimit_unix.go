//go:build unix

package netserve

import "syscall"

// RaiseFDLimit lifts the soft RLIMIT_NOFILE to the hard limit and returns the
// resulting soft limit. (Go already does this at start on Linux; calling it
// again is harmless and makes the intent explicit for other Unixes.)
func RaiseFDLimit() (uint64, error) {
	var l syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &l); err != nil {
		return 0, err
	}
	if l.Cur < l.Max {
		want := l
		want.Cur = l.Max
		if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &want); err == nil {
			l = want
		}
	}
	return uint64(l.Cur), nil
}

// fdLimit is the current soft RLIMIT_NOFILE (0 if unknown).
func fdLimit() uint64 {
	var l syscall.Rlimit
	if syscall.Getrlimit(syscall.RLIMIT_NOFILE, &l) != nil {
		return 0
	}
	return uint64(l.Cur)
}
