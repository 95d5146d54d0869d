package netserve

import (
	"net"
	"sync"
)

// Connection budgets derived from the fd limit: each listener a quarter of
// it, all listeners of the process together half. The rest is for
// databases, peers, outgoing clients and files.
const (
	minConns    = 8
	maxPerLn    = 4096
	maxProcConn = 16384
)

var (
	procOnce sync.Once
	procSem  chan struct{}
)

// processBudget is the semaphore shared by every capped listener.
func processBudget() chan struct{} {
	procOnce.Do(func() {
		lim, _ := RaiseFDLimit()
		procSem = make(chan struct{}, clamp(int(lim/2), 2*minConns, maxProcConn))
	})
	return procSem
}

// perListenerCap is the default cap of one listener.
func perListenerCap() int {
	lim, _ := RaiseFDLimit()
	if lim == 0 {
		return 1024
	}
	return clamp(int(lim/4), minConns, maxPerLn)
}

func clamp(v, lo, hi int) int { return min(max(v, lo), hi) }

// Listen opens a TCP listener capped as LimitListener does with
// DefaultConfig's MaxConns.
func Listen(network, addr string) (net.Listener, error) {
	ln, err := net.Listen(network, addr)
	if err != nil {
		return nil, err
	}
	return LimitListener(ln, DefaultConfig().MaxConns), nil
}

// LimitListener caps ln at n open connections (n <= 0: a quarter of the
// fd limit) and at the process-wide budget shared by all capped listeners.
// Accept waits while either is exhausted, leaving new connections in the
// kernel's accept queue where they cost this process no descriptor.
func LimitListener(ln net.Listener, n int) net.Listener {
	if n <= 0 {
		n = perListenerCap()
	}
	return &limitListener{Listener: ln, own: make(chan struct{}, n), proc: processBudget(), done: make(chan struct{})}
}

type limitListener struct {
	net.Listener
	own, proc chan struct{}
	closeOnce sync.Once
	done      chan struct{}
}

// acquire takes one slot of both budgets, or reports false once closed.
func (l *limitListener) acquire() bool {
	select {
	case l.own <- struct{}{}:
	case <-l.done:
		return false
	}
	select {
	case l.proc <- struct{}{}:
		return true
	case <-l.done:
		<-l.own
		return false
	}
}

func (l *limitListener) release() { <-l.proc; <-l.own }

// Accept waits for a free slot, then for a connection.
func (l *limitListener) Accept() (net.Conn, error) {
	if !l.acquire() {
		return nil, net.ErrClosed
	}
	c, err := l.Listener.Accept()
	if err != nil {
		l.release()
		return nil, err
	}
	return &limitConn{Conn: c, release: l.release}, nil
}

// Close stops Accept, including one waiting for a slot.
func (l *limitListener) Close() error {
	l.closeOnce.Do(func() { close(l.done) })
	return l.Listener.Close()
}

type limitConn struct {
	net.Conn
	once    sync.Once
	release func()
}

// CloseWrite half-closes the connection when the underlying one can (TCP), so a
// server can let an error response drain before it closes.
func (c *limitConn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}

// Close frees the connection's slot exactly once.
func (c *limitConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(c.release)
	return err
}
