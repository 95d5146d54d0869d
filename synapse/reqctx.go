package synapse

import (
	"context"
	"sync"
	"time"
)

// requestContext is a handler's context on the h1 path: it ends at the request's
// deadline, at a hang-up (cancel) or when the request is over (cancel). It is what
// context.WithDeadline(context.Background(), deadline) gives, built lazily: the Done
// channel and the timer that closes it exist only once someone calls Done, and Err
// reads the clock instead. Most handlers (and the axon itself, unless a request waits
// for a handler slot) never call Done, and context.WithDeadline costs four
// allocations per request (its context, cancel machinery and timer) whether or not
// anyone waits on it. It lives inside the request's own state, which nothing
// reuses, so a goroutine that keeps it sees it cancelled, as with WithDeadline.
type requestContext struct {
	deadline time.Time
	// shared is the pooled call's deadline timer, armed for this context while it
	// runs (Done makes one of its own if it is nil). No other field: the request's
	// state stays in the 512-byte size class.
	shared *deadlineTimer

	mu   sync.Mutex
	err  error
	done chan struct{}
}

// deadlineTimer is a deadline timer reused from request to request (it belongs to
// a pooled call), so a handler that waits on ctx.Done() costs the channel but not
// a new timer and its function value. It is armed for at most one running context
// at a time. A run of its function for a context that has since ended finds ctx
// nil or another context, and expires nothing that is not due.
type deadlineTimer struct {
	mu  sync.Mutex
	t   *time.Timer
	ctx *requestContext // the context it is armed for; nil when disarmed
}

// arm starts the timer for ctx, due in d.
func (dt *deadlineTimer) arm(ctx *requestContext, d time.Duration) {
	dt.mu.Lock()
	defer dt.mu.Unlock()
	dt.ctx = ctx
	if dt.t == nil {
		dt.t = time.AfterFunc(d, dt.fire)
		return
	}
	dt.t.Reset(d)
}

// disarm stops the timer if it is armed for ctx.
func (dt *deadlineTimer) disarm(ctx *requestContext) {
	dt.mu.Lock()
	defer dt.mu.Unlock()
	if dt.ctx == ctx {
		dt.ctx = nil
		dt.t.Stop()
	}
}

// fire expires the context the timer is armed for, if its deadline has passed (a
// late run of an earlier arming may find a context that is not yet due: its own
// run comes).
func (dt *deadlineTimer) fire() {
	dt.mu.Lock()
	ctx := dt.ctx
	if ctx != nil && !time.Now().Before(ctx.deadline) {
		dt.ctx = nil
	} else {
		ctx = nil
	}
	dt.mu.Unlock()
	if ctx != nil {
		ctx.expire()
	}
}

// Deadline is the request's deadline.
func (c *requestContext) Deadline() (time.Time, bool) { return c.deadline, true }

// Done returns a channel closed when the context ends; the first call makes it and,
// if the deadline is still ahead, the timer that closes it.
func (c *requestContext) Done() <-chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.done != nil {
		return c.done
	}
	c.done = make(chan struct{})
	if c.err == nil {
		if d := time.Until(c.deadline); d > 0 {
			if c.shared == nil {
				c.shared = new(deadlineTimer)
			}
			c.shared.arm(c, d)
			return c.done
		}
		c.err = context.DeadlineExceeded
	}
	close(c.done)
	return c.done
}

// Err is nil while the context runs, then context.DeadlineExceeded or
// context.Canceled. Once it has reported the deadline, Done is closed too.
func (c *requestContext) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err == nil && !time.Now().Before(c.deadline) {
		c.endLocked(context.DeadlineExceeded)
	}
	return c.err
}

// Value has no values: the context's parent is context.Background.
func (c *requestContext) Value(any) any { return nil }

// String names the context as context.WithDeadline's do.
func (c *requestContext) String() string {
	return "synapse.requestContext.WithDeadline(" + c.deadline.String() + ")"
}

func (c *requestContext) expire() { c.end(context.DeadlineExceeded) }

// cancel ends the context (a hang-up, or the request is over); a context that has
// ended keeps its first error.
func (c *requestContext) cancel() { c.end(context.Canceled) }

// HangUp is cancel, for h1.Request.NotifyHangUp.
func (c *requestContext) HangUp() { c.cancel() }

func (c *requestContext) end(err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err == nil {
		c.endLocked(err)
	}
}

// endLocked records err, closes Done if it was made and stops the timer. (Lock
// order: the context, then the shared timer; the timer's function takes them one
// after the other.)
func (c *requestContext) endLocked(err error) {
	c.err = err
	if c.done == nil {
		return
	}
	close(c.done)
	if c.shared != nil {
		c.shared.disarm(c)
	}
}
