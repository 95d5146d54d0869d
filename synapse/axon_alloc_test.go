package synapse

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unsafe"
)

// maxAxonAllocsPerRequest pins the axon's allocations per verified request over h1
// (measured over BenchmarkAxonConn's in-memory connection, which adds none). What
// remains, per request:
//   - the request's own state (its Request, context and response-signature text),
//     which the handler may keep, so it is never reused: 1;
//   - the strings the Request keeps from the request head, copied out of the h1
//     connection's reused head buffer into one block (ownHeadStrings): 1;
//   - the synapse the handler gets: new(T) 1, its []string fields 2 (reflect.growslice)
//     and their strings ~1.25 (flatDecoder.scalar);
//   - the response payload, json.Marshal in marshalPayload: 1;
//   - the benchmark's stub signer (a fresh 64-byte signature) and handler (the
//     completion string): 2, not the axon's.
//
// A handler that waits on ctx.Done() adds the channel (the deadline timer is reused
// with the pooled call).
const (
	maxAxonAllocsPerRequest = 10
	maxAxonBytesPerRequest  = 1536
)

// memConnAllocs serves n requests of BenchmarkAxonConn's connection and returns the
// process's allocations and bytes per request, Serve's start and stop included
// (amortized over n).
func memConnAllocs(t *testing.T, n int, h Handler[Prompt]) (allocs, bytesPer float64) {
	a, hr, body := benchAxonWith(t, h)
	nonce := time.Now().UnixNano()
	hr.Header["bt_header_dendrite_nonce"] = []string{strconv.FormatInt(nonce, 10)}
	hr.Body = io.NopCloser(bytes.NewReader(body))
	var wire bytes.Buffer
	if err := hr.Write(&wire); err != nil {
		t.Fatal(err)
	}
	conn := &memConn{tmpl: wire.Bytes(), nonce: nonce, left: n, want: n,
		all: make(chan struct{}), closed: make(chan struct{}), wake: make(chan struct{}, 1)}
	conn.noncePos = bytes.Index(conn.tmpl, []byte("bt_header_dendrite_nonce: ")) + len("bt_header_dendrite_nonce: ")
	l := &memListener{conn: conn, closed: make(chan struct{})}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	served := make(chan error, 1)
	go func() { served <- a.Serve(l) }()
	select {
	case <-conn.all:
	case <-conn.closed:
	}
	runtime.ReadMemStats(&after)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = a.Shutdown(ctx)
	if err := <-served; err != nil {
		t.Fatal(err)
	}
	if conn.ok != n {
		t.Fatalf("%d of %d responses were 200s", conn.ok, n)
	}
	return float64(after.Mallocs-before.Mallocs) / float64(n), float64(after.TotalAlloc-before.TotalAlloc) / float64(n)
}

// TestAxonAllocsPerRequest pins the axon's per-request allocations (see
// maxAxonAllocsPerRequest): the call and its scratch are pooled, the handler's
// context is made lazily, and the signed messages, the request signature and the
// body hash are built in scratch.
func TestAxonAllocsPerRequest(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates on its own")
	}
	echo := func(ctx context.Context, r *Request, p *Prompt) error {
		p.Completion = "echo: " + strings.Join(p.Messages, "|")
		return nil
	}
	// As the fan-out benchmark's handler, which sleeps in a select on ctx.Done().
	waits := func(ctx context.Context, r *Request, p *Prompt) error {
		select {
		case <-ctx.Done():
			return ctx.Err()
		default:
		}
		return echo(ctx, r, p)
	}
	for _, tc := range []struct {
		name     string
		h        Handler[Prompt]
		maxAlloc int
		maxBytes float64
	}{
		{"echo", echo, maxAxonAllocsPerRequest, maxAxonBytesPerRequest},
		// Done makes the channel; the deadline timer is the pooled call's.
		{"waits on Done", waits, maxAxonAllocsPerRequest + 1, maxAxonBytesPerRequest + 128},
	} {
		// Warm the pools and the key cache, then measure.
		memConnAllocs(t, 200, tc.h)
		allocs, bytesPer := memConnAllocs(t, 4000, tc.h)
		t.Logf("%s: %.2f allocations, %.0f bytes per request", tc.name, allocs, bytesPer)
		if allocs > float64(tc.maxAlloc)+0.5 {
			t.Errorf("%s: %.2f allocations per request, want at most %d", tc.name, allocs, tc.maxAlloc)
		}
		if bytesPer > tc.maxBytes {
			t.Errorf("%s: %.0f bytes per request, want at most %.0f", tc.name, bytesPer, tc.maxBytes)
		}
	}
}

// TestAxonRequestOutlivesCall: a handler may keep its Request and context past its
// return (the call around them is pooled and reused, and the h1 server reads every
// head of a connection into one buffer; they are not): after later requests on the
// same connection the kept Request still says what it said, and the kept context
// is cancelled.
func TestAxonRequestOutlivesCall(t *testing.T) {
	a, err := NewAxon(AxonConfig{Hotkey: key(t, "Bob")})
	if err != nil {
		t.Fatal(err)
	}
	// snapshot renders what the handler saw, less the axon's own terminal fields,
	// which it stamps after the handler.
	snapshot := func(r Request) string {
		r.Axon = TerminalInfo{Nonce: r.Axon.Nonce}
		return fmt.Sprintf("%+v", r)
	}
	type kept struct {
		r    *Request
		copy string
		ctx  context.Context
	}
	var mu sync.Mutex
	var all []kept
	if err := Register(a, func(ctx context.Context, r *Request, p *Prompt) error {
		mu.Lock()
		all = append(all, kept{r: r, copy: snapshot(*r), ctx: ctx})
		mu.Unlock()
		p.Completion = "ok"
		return nil
	}, Options{}); err != nil {
		t.Fatal(err)
	}
	target := startAxon(t, a)
	// One connection, so the h1 server reads every head into the same buffer.
	var reqs [][]byte
	nonce := time.Now().UnixNano()
	for i, name := range []string{"Alice", "Charlie", "Alice", "Dave"} {
		hr := rawRequest{signer: key(t, name), nonce: nonce + int64(i), uuid: fmt.Sprintf("uuid-%d-%s", i, strings.Repeat("x", 8*i)),
			messages: []string{name}}.build(t, target)
		var buf bytes.Buffer
		if err := hr.Write(&buf); err != nil {
			t.Fatal(err)
		}
		reqs = append(reqs, buf.Bytes())
	}
	if err := replay(net.JoinHostPort(target.IP, strconv.Itoa(target.Port)), reqs); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(all) != 4 {
		t.Fatalf("%d handler calls", len(all))
	}
	for i, k := range all {
		if got := snapshot(*k.r); got != k.copy {
			t.Errorf("request %d changed after its handler returned:\n got %s\nwant %s", i, got, k.copy)
		}
		// The response signature's text is the request's own: it still verifies.
		msg := ResponseMessage(k.r.Axon.Nonce, k.r.Dendrite.Hotkey, a.Hotkey(), a.UUID())
		sig, err := DecodeSignature(k.r.Axon.Signature)
		if err != nil || !processKeys.verify(a.Hotkey(), msg, sig) {
			t.Errorf("request %d: kept response signature %q does not verify (%v)", i, k.r.Axon.Signature, err)
		}
		if i > 0 && k.r == all[i-1].r {
			t.Errorf("request %d: the same Request as the one before", i)
		}
		if !errors.Is(k.ctx.Err(), context.Canceled) {
			t.Errorf("request %d: kept context's Err = %v, want Canceled", i, k.ctx.Err())
		}
		select {
		case <-k.ctx.Done():
		default:
			t.Errorf("request %d: kept context's Done is open", i)
		}
	}
}

// TestRequestContextSemantics checks requestContext against what
// context.WithDeadline(context.Background(), deadline) does, with a timer of its
// own (made at Done) and with a shared deadlineTimer.
func TestRequestContextSemantics(t *testing.T) {
	for _, shared := range []bool{false, true} {
		t.Run(fmt.Sprintf("shared=%v", shared), func(t *testing.T) { testRequestContext(t, shared) })
	}
}

func testRequestContext(t *testing.T, shared bool) {
	newCtx := func(d time.Duration) *requestContext {
		c := &requestContext{deadline: time.Now().Add(d)}
		if shared {
			c.shared = new(deadlineTimer)
		}
		return c
	}
	t.Run("deadline without Done", func(t *testing.T) {
		c := newCtx(20 * time.Millisecond)
		if dl, ok := c.Deadline(); !ok || !dl.Equal(c.deadline) {
			t.Fatalf("Deadline = %v %v", dl, ok)
		}
		if c.Err() != nil {
			t.Fatal("Err before the deadline")
		}
		time.Sleep(30 * time.Millisecond)
		if !errors.Is(c.Err(), context.DeadlineExceeded) {
			t.Fatalf("Err = %v, want DeadlineExceeded", c.Err())
		}
		select {
		case <-c.Done():
		default:
			t.Fatal("Done open after Err reported the deadline")
		}
		c.cancel()
		if !errors.Is(c.Err(), context.DeadlineExceeded) {
			t.Fatalf("cancel after the deadline changed Err to %v", c.Err())
		}
	})
	t.Run("deadline with Done", func(t *testing.T) {
		c := newCtx(20 * time.Millisecond)
		select {
		case <-c.Done():
		case <-time.After(5 * time.Second):
			t.Fatal("Done not closed at the deadline")
		}
		if !errors.Is(c.Err(), context.DeadlineExceeded) {
			t.Fatalf("Err = %v, want DeadlineExceeded", c.Err())
		}
	})
	t.Run("cancel", func(t *testing.T) {
		c := newCtx(time.Hour)
		done := c.Done()
		child, stop := context.WithCancel(c)
		defer stop()
		c.HangUp()
		<-done
		if !errors.Is(c.Err(), context.Canceled) {
			t.Fatalf("Err = %v, want Canceled", c.Err())
		}
		select {
		case <-child.Done():
		case <-time.After(5 * time.Second):
			t.Fatal("a child context was not cancelled")
		}
		c.cancel() // twice: no double close
		if c.shared.ctx != nil || c.shared.t.Stop() {
			t.Fatal("the deadline timer still runs after cancel")
		}
	})
	t.Run("Done after the end", func(t *testing.T) {
		c := newCtx(time.Hour)
		c.cancel()
		select {
		case <-c.Done():
		default:
			t.Fatal("Done made after cancel is open")
		}
		past := newCtx(-time.Second)
		select {
		case <-past.Done():
		default:
			t.Fatal("Done of a context past its deadline is open")
		}
		if !errors.Is(past.Err(), context.DeadlineExceeded) {
			t.Fatalf("Err = %v", past.Err())
		}
	})
	t.Run("values and cause", func(t *testing.T) {
		c := newCtx(time.Hour)
		if c.Value("k") != nil {
			t.Fatal("a value from nowhere")
		}
		c.cancel()
		if !errors.Is(context.Cause(c), context.Canceled) {
			t.Fatalf("Cause = %v", context.Cause(c))
		}
		if !strings.Contains(fmt.Sprint(c), "WithDeadline") {
			t.Fatalf("String = %q", fmt.Sprint(c))
		}
	})
}

// TestDeadlineTimerReuse: one deadlineTimer serves one context after another; a
// context's end disarms it, the next context's deadline fires it, and a late run
// of an earlier arming expires nothing that is not due.
func TestDeadlineTimerReuse(t *testing.T) {
	dt := new(deadlineTimer)
	c1 := &requestContext{deadline: time.Now().Add(time.Hour), shared: dt}
	c1.Done()
	c1.cancel()
	if dt.ctx != nil {
		t.Fatal("armed after its context ended")
	}
	c2 := &requestContext{deadline: time.Now().Add(20 * time.Millisecond), shared: dt}
	select {
	case <-c2.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("the reused timer did not fire at the second context's deadline")
	}
	if !errors.Is(c2.Err(), context.DeadlineExceeded) || !errors.Is(c1.Err(), context.Canceled) {
		t.Fatalf("Err: %v, %v", c1.Err(), c2.Err())
	}
	c3 := &requestContext{deadline: time.Now().Add(time.Hour), shared: dt}
	done := c3.Done()
	dt.fire() // a late run of c2's arming
	select {
	case <-done:
		t.Fatal("a late run expired a context that is not due")
	default:
	}
	if c3.Err() != nil || dt.ctx != c3 {
		t.Fatalf("after a late run: Err %v, armed for c3 %v", c3.Err(), dt.ctx == c3)
	}
	c3.cancel()
}

// TestRequestContextConcurrent races the deadline timer, Err, Done and cancel (run
// with -race).
func TestRequestContextConcurrent(t *testing.T) {
	dt := new(deadlineTimer) // reused by every context, as a pooled call's
	for range 200 {
		c := &requestContext{deadline: time.Now().Add(50 * time.Microsecond), shared: dt}
		var wg sync.WaitGroup
		for i := range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				switch i {
				case 0:
					<-c.Done()
				case 1:
					for c.Err() == nil {
						runtime.Gosched()
					}
				case 2:
					c.cancel()
				default:
					_, _ = c.Deadline()
				}
			}()
		}
		wg.Wait()
		if c.Err() == nil {
			t.Fatal("context did not end")
		}
	}
}

// decodeSignatureReference is DecodeSignature as it was before it decoded into a
// fixed array (hex.DecodeString), the reference for the differential test.
func decodeSignatureReference(s string) ([]byte, error) {
	s = strings.TrimPrefix(strings.TrimPrefix(s, "0x"), "0X")
	if len(s) != 128 {
		return nil, fmt.Errorf("signature must be 64 bytes of hex, got %d characters", len(s))
	}
	b, err := hex.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("signature is not hex: %w", err)
	}
	return b, nil
}

func checkDecodeSignature(t *testing.T, s string) {
	want, wantErr := decodeSignatureReference(s)
	got, gotErr := DecodeSignature(s)
	var into [64]byte
	intoErr := decodeSignatureInto(&into, s)
	if fmt.Sprint(gotErr) != fmt.Sprint(wantErr) || fmt.Sprint(intoErr) != fmt.Sprint(wantErr) {
		t.Fatalf("%q: errors %v / %v, reference %v", s, gotErr, intoErr, wantErr)
	}
	if wantErr == nil && (!bytes.Equal(got, want) || !bytes.Equal(into[:], want)) {
		t.Fatalf("%q: decoded %x / %x, reference %x", s, got, into, want)
	}
}

// TestDecodeSignatureMatchesReference: the array decoder agrees with the
// hex.DecodeString one on valid, short, long, non-hex and odd inputs.
func TestDecodeSignatureMatchesReference(t *testing.T) {
	valid := strings.Repeat("0123456789abcdefABCDEF", 6)[:128]
	for _, s := range []string{
		"0x" + valid, "0X" + valid, valid, "0x0x" + valid[4:], "", "0x", "0x" + valid[:126],
		"0x" + valid + "00", "0x" + valid[:127] + "g", "0x" + valid[:127] + "é"[:1],
		"0x" + strings.Repeat("ff", 64), " 0x" + valid[1:],
	} {
		checkDecodeSignature(t, s)
	}
}

func FuzzDecodeSignature(f *testing.F) {
	f.Add("0x" + strings.Repeat("ab", 64))
	f.Add(strings.Repeat("0F", 64))
	f.Add("0x" + strings.Repeat("z", 128))
	f.Add("0X")
	f.Fuzz(func(t *testing.T, s string) { checkDecodeSignature(t, s) })
}

// TestRequestStateSizeClass: a request's own state is its one allocation of
// consequence; past 512 bytes it would take a 576-byte size class (an 8-byte field
// cost 64 bytes per request once).
func TestRequestStateSizeClass(t *testing.T) {
	if n := unsafe.Sizeof(requestState{}); n > 512 {
		t.Fatalf("requestState is %d bytes, want at most 512", n)
	}
}
