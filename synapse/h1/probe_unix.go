//go:build unix

package h1

import (
	"syscall"
	"time"
)

// peerClosed reports whether the server closed an idle connection (or sent bytes no
// request asked for), by peeking at the socket without blocking.
func peerClosed(cn *conn) bool {
	if cn.br.Buffered() > 0 {
		return true
	}
	sc, ok := cn.nc.(syscall.Conn)
	if !ok {
		return false // not a socket (tests, tunnels): trust it; a stale one is resent
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return true
	}
	// The last request's deadline may have passed since; an expired deadline would
	// fail the peek without looking.
	if err := cn.nc.SetReadDeadline(time.Time{}); err != nil {
		return true
	}
	closed := false
	var b [1]byte
	err = rc.Read(func(fd uintptr) bool {
		n, _, rerr := syscall.Recvfrom(int(fd), b[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
		closed = n > 0 || rerr == nil || rerr != syscall.EAGAIN && rerr != syscall.EINTR
		return true // never wait
	})
	return closed || err != nil
}
