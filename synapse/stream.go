package synapse

import (
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"net/http"
	"time"

	"github.com/taonet/taonet/synapse/h1"
)

// Stream is one streaming call in progress. Read chunks with Next or Chunks, then take
// the final Response with Result (upstream yields it as the last item).
type Stream[T any] struct {
	d      *Dendrite
	p      *prepared
	start  time.Time
	cancel context.CancelFunc
	resp   *h1.Response
	res    Response[T]
	buf    []byte
	done   bool
	// releaseLane returns the call's nonce lane once the stream is over.
	releaseLane func()
}

// OpenStream starts a streaming call; the timeout covers the whole stream. It never
// fails outright: a call that could not start is a Stream with no chunks whose Result
// carries the status.
func OpenStream[T any](ctx context.Context, d *Dendrite, target AxonInfo, s *T, timeout time.Duration) *Stream[T] {
	p, err := prepare(s, timeout)
	if err != nil {
		return &Stream[T]{done: true, res: Response[T]{Target: target, StatusCode: 422, StatusMessage: err.Error(), Err: err}}
	}
	p.keepHeaders = d.keepHeaders(ctx)
	return openStream[T](ctx, d, p, target)
}

func openStream[T any](parent context.Context, d *Dendrite, p *prepared, target AxonInfo) *Stream[T] {
	calls := []outgoing{{target: target}}
	d.signAll(p, calls)
	return startStream[T](parent, d, p, &calls[0])
}

// startStream runs a signed call up to the response head; the stream owns c's lane
// from here on.
func startStream[T any](parent context.Context, d *Dendrite, p *prepared, c *outgoing) *Stream[T] {
	target := c.target
	st := &Stream[T]{d: d, p: p, start: c.started, res: Response[T]{Target: target, Started: c.started}}
	ctx, cancel := context.WithTimeout(parent, p.timeout)
	st.cancel = cancel
	st.res.Synapse = p.cloner.(*cloner[T]).clone()
	st.res.Axon, st.res.Dendrite = c.req.Axon, c.req.Dendrite
	if err := d.enter(ctx); err != nil {
		c.release()
		st.res.Err = err
		st.res.StatusCode, st.res.StatusMessage = classify(err, p, target)
		st.finish()
		return st
	}
	st.releaseLane = func() { c.release(); d.leave() }
	resp, err := d.post(ctx, p, c)
	if err != nil {
		st.res.Err = err
		st.res.StatusCode, st.res.StatusMessage = classify(err, p, target)
		st.finish()
		return st
	}
	st.resp = resp
	// The head before any of the body (see exchange).
	code, msg, perr := takeTerminal(resp.Header, !p.keepHeaders, &st.res.Axon, &st.res.Dendrite, &c.lanes.seen)
	if p.keepHeaders {
		st.res.Header = resp.Header
	}
	if resp.StatusCode != http.StatusOK {
		body, err := d.readLimited(resp, nil)
		if err != nil {
			st.res.Axon, st.res.Dendrite = c.req.Axon, c.req.Dendrite
			st.res.Err = err
			st.res.StatusCode, st.res.StatusMessage = classify(err, p, target)
		} else {
			st.res.StatusCode, st.res.StatusMessage, st.res.Err = settle(resp.StatusCode, body, code, msg, perr, &st.res.Axon, &st.res.Dendrite)
		}
		st.finish()
		return st
	}
	st.res.StatusCode, st.res.StatusMessage, st.res.Err = settle(resp.StatusCode, nil, code, msg, perr, &st.res.Axon, &st.res.Dendrite)
	if st.res.Err != nil {
		st.finish()
		return st
	}
	st.buf = make([]byte, 32<<10)
	return st
}

// Next returns the next chunk as the axon flushed it (a fresh slice the caller may
// keep), or false when the stream has ended, failed, timed out or hit the size limit.
func (st *Stream[T]) Next() ([]byte, bool) {
	for !st.done {
		n, err := st.resp.Body.Read(st.buf)
		if n > 0 {
			if int64(len(st.res.Streamed)+n) > st.d.cfg.MaxResponseBytes {
				st.res.Err = fmt.Errorf("%w: stream longer than %d bytes", errTooLarge, st.d.cfg.MaxResponseBytes)
				st.res.StatusCode, st.res.StatusMessage = classify(st.res.Err, st.p, st.res.Target)
				st.finish()
				return nil, false
			}
			chunk := append([]byte(nil), st.buf[:n]...)
			st.res.Streamed = append(st.res.Streamed, chunk...)
			if cr, ok := any(st.res.Synapse).(ChunkReceiver); ok {
				cr.ReceiveChunk(chunk)
			}
			if err != nil {
				st.end(err)
			}
			return chunk, true
		}
		if err != nil {
			st.end(err)
		}
	}
	return nil, false
}

func (st *Stream[T]) end(err error) {
	if !errors.Is(err, io.EOF) {
		st.res.Err = err
		st.res.StatusCode, st.res.StatusMessage = classify(err, st.p, st.res.Target)
		st.res.Axon.StatusCode, st.res.Axon.StatusMessage = st.res.StatusCode, st.res.StatusMessage
		st.res.Dendrite.StatusCode, st.res.Dendrite.StatusMessage = st.res.StatusCode, st.res.StatusMessage
	}
	st.finish()
}

// Chunks iterates over the remaining chunks.
func (st *Stream[T]) Chunks() iter.Seq[[]byte] {
	return func(yield func([]byte) bool) {
		for {
			c, ok := st.Next()
			if !ok || !yield(c) {
				return
			}
		}
	}
}

// Result ends the stream (if still open) and returns the final response: status,
// latency, the bytes streamed and the synapse with chunks applied.
func (st *Stream[T]) Result() Response[T] {
	st.finish()
	return st.res
}

// Header returns the response headers (nil when the axon did not answer or headers
// are not kept: DendriteConfig.KeepHeaders, WithResponseHeaders) and the status
// known so far, without waiting for the stream to end.
func (st *Stream[T]) Header() (int, http.Header) {
	if st.res.Header == nil {
		return st.res.StatusCode, nil
	}
	return st.res.StatusCode, st.res.Header.HTTP()
}

// Close abandons the stream.
func (st *Stream[T]) Close() { st.finish() }

func (st *Stream[T]) finish() {
	st.done = true
	if st.resp != nil {
		st.resp.Body.Close()
		st.resp = nil
	}
	if st.cancel != nil {
		st.cancel()
		st.cancel = nil
	}
	if st.releaseLane != nil {
		st.releaseLane()
		st.releaseLane = nil
	}
	if st.res.Latency == 0 && !st.start.IsZero() {
		st.res.Latency = time.Since(st.start)
		if st.d != nil {
			st.d.met.observe(st.p.sc.name, st.res.StatusCode, st.res.Latency)
		}
	}
}

// StreamMany streams from every target concurrently. onChunk (may be nil) is called
// with the target's index for each chunk as it arrives; calls for one target are in
// order, calls for different targets are concurrent. Results are in target order.
func StreamMany[T any](ctx context.Context, d *Dendrite, targets []AxonInfo, s *T, timeout time.Duration, onChunk func(i int, chunk []byte)) []Response[T] {
	out := make([]Response[T], len(targets))
	p, err := prepare(s, timeout)
	if err != nil {
		for i, t := range targets {
			out[i] = Response[T]{Target: t, StatusCode: 422, StatusMessage: err.Error(), Err: err}
		}
		return out
	}
	p.keepHeaders = d.keepHeaders(ctx)
	d.fanOut(p, targets, func(i int, c *outgoing) {
		// The stream releases the lane itself (and fanOut's release is then a no-op).
		st := startStream[T](ctx, d, p, c)
		for chunk := range st.Chunks() {
			if onChunk != nil {
				onChunk(i, chunk)
			}
		}
		out[i] = st.Result()
	})
	return out
}
