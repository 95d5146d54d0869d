package h1

import (
	"context"
	"errors"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// hangWatch notices a client hanging up while its request's handler still runs, so the
// handler can stop working for nobody (a miner generating with an LLM frees its
// GPU). net/http does it with a background read on every request: a goroutine, a
// read syscall and a hand-off per request. Here a request is watched only once its
// handler has run for Server.DisconnectWatchAfter: a per-connection timer, reset
// per request and stopped when the handler returns early, is all a short request
// pays. When the timer fires and the request body has been read to its end (as
// net/http, the watch never reads into a body the handler has not read), the
// timer's goroutine peeks one byte through the connection's reader, so the bytes of
// a pipelined next request stay buffered for it:
//
//   - EOF or a connection error: the client hung up, the request's context is
//     cancelled and the hang-up hooks run. A client that half-closes its side after
//     its request (shutdown(SHUT_WR)) reads the same as one that closed: net/http
//     treats EOF on its background read as a hang-up too, and this server does as
//     net/http.
//   - bytes: the client is alive and pipelining; the watch ends.
//   - a timeout: the watch was stopped, or the handler's own read deadline passed;
//     the watch ends without cancelling.
//
// When the handler returns, stop ends the watch (a read deadline in the past makes
// the pending peek return), waits for the timer's goroutine, and restores the read
// deadline the handler had set.
type hangWatch struct {
	timer *time.Timer
	// state is watchArmed while the timer runs; the timer's goroutine moves it to
	// watchFired, stop to watchStopped, whichever comes first.
	state atomic.Int32
	// fired carries one token from each run of the timer's function to stop.
	fired chan struct{}
	// bodyEnded is set once the handler has read the body to its end (or at the
	// start for a request without a body): only then may the watch read ahead.
	bodyEnded atomic.Bool
	// readDeadline is the one the handler set (ResponseWriter.SetReadDeadline).
	readDeadline time.Time

	mu     sync.Mutex
	hungUp bool
	hooks  [2]func()      // Request.Context's cancel and Request.OnHangUp's function
	notify HangUpNotifier // Request.NotifyHangUp's
}

// HangUpNotifier is told of a hang-up (Request.NotifyHangUp): a pointer to a
// request's own state passed as one costs no allocation, where a method value
// passed to OnHangUp would be one.
type HangUpNotifier interface {
	HangUp()
}

const (
	watchArmed int32 = iota
	watchFired
	watchStopped
)

// handle runs the handler under the watch.
func (c *serverConn) handle() {
	c.armWatch()
	defer c.stopWatch()
	c.s.Handler.ServeH1(&c.w, &c.req)
}

// armWatch readies the watch for this request and starts its timer.
func (c *serverConn) armWatch() {
	w := &c.watch
	w.mu.Lock()
	w.hungUp, w.hooks, w.notify = false, [2]func(){}, nil
	w.mu.Unlock()
	w.readDeadline = time.Time{}
	w.bodyEnded.Store(c.body.ended())
	d := c.s.DisconnectWatchAfter
	if d < 0 {
		return
	}
	w.state.Store(watchArmed)
	if w.timer == nil {
		w.fired = make(chan struct{}, 1)
		w.timer = time.AfterFunc(d, c.watchFired)
		return
	}
	w.timer.Reset(d)
}

// watchFired runs in the timer's goroutine once the handler has run for the delay.
func (c *serverConn) watchFired() {
	w := &c.watch
	defer func() { w.fired <- struct{}{} }()
	if !w.state.CompareAndSwap(watchArmed, watchFired) || !w.bodyEnded.Load() {
		return
	}
	if c.s.onWatch != nil {
		c.s.onWatch()
	}
	if _, err := c.br.Peek(1); err != nil && !isTimeout(err) {
		c.hangUp()
	}
}

// stopWatch ends the watch when the handler returns: a timer that has not fired is
// stopped; a watcher reading ahead is made to return, and waited for.
func (c *serverConn) stopWatch() {
	w := &c.watch
	if w.timer != nil && c.s.DisconnectWatchAfter >= 0 && !w.timer.Stop() {
		if !w.state.CompareAndSwap(watchArmed, watchStopped) {
			_ = c.nc.SetReadDeadline(aLongTimeAgo)
		}
		<-w.fired
		_ = c.nc.SetReadDeadline(w.readDeadline)
	}
	if c.req.cancel != nil {
		c.req.cancel() // as net/http: the request's context ends with its handler
	}
}

// hangUp records that the client is gone and runs the hooks registered so far.
func (c *serverConn) hangUp() {
	w := &c.watch
	w.mu.Lock()
	w.hungUp = true
	hooks, notify := w.hooks, w.notify
	w.mu.Unlock()
	for _, f := range hooks {
		if f != nil {
			f()
		}
	}
	if notify != nil {
		notify.HangUp()
	}
}

// addHook registers f to run at a hang-up, at once if it has happened already.
func (c *serverConn) addHook(i int, f func()) {
	w := &c.watch
	w.mu.Lock()
	w.hooks[i] = f
	gone := w.hungUp
	w.mu.Unlock()
	if gone {
		f()
	}
}

// setNotify registers n to be told of a hang-up, at once if it has happened already.
func (c *serverConn) setNotify(n HangUpNotifier) {
	w := &c.watch
	w.mu.Lock()
	w.notify = n
	gone := w.hungUp
	w.mu.Unlock()
	if gone {
		n.HangUp()
	}
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// Context returns the request's context. It is cancelled when the handler returns,
// and when the server sees the client hang up while the handler runs (after
// Server.DisconnectWatchAfter; EOF from a client that half-closed counts, as with
// net/http). The first call allocates it; a handler that counts allocations can
// register its own context's cancel function with OnHangUp instead.
func (r *Request) Context() context.Context {
	if r.ctx == nil {
		r.ctx, r.cancel = context.WithCancel(context.Background())
		if r.c != nil {
			r.c.addHook(0, r.cancel)
		}
	}
	return r.ctx
}

// OnHangUp registers f to run, once and on another goroutine, when the server sees
// the client hang up while the handler runs (as for Context); a later call replaces
// f. f must not block: typically it is a context's cancel function.
func (r *Request) OnHangUp(f func()) {
	if r.c != nil {
		r.c.addHook(1, f)
	}
}

// NotifyHangUp is OnHangUp with n.HangUp as the function; a later call replaces n.
func (r *Request) NotifyHangUp(n HangUpNotifier) {
	if r.c != nil {
		r.c.setNotify(n)
	}
}
