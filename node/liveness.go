package node

import (
	"fmt"
	"net/http"
	"sync"
	"syscall"
	"time"

	cmtlog "github.com/cometbft/cometbft/libs/log"
)

// Liveness defaults.
const (
	// DefaultStallBlocks is how many block times without a commit make the
	// node unhealthy.
	DefaultStallBlocks = 10
	// MinStallAfter is the floor of the stall limit (round changes after a
	// validator restart take several block times).
	MinStallAfter = 30 * time.Second
	// DefaultMinFreeDisk is the free space under which the node halts
	// before a block or state write could fail half-way.
	DefaultMinFreeDisk = 64 << 20
	diskCheckEvery     = 2 * time.Second
)

// fatal records the first error that ends a node's usefulness: a consensus
// failure (which CometBFT only logs, leaving a process that never commits
// again) or a disk about to be full.
type fatal struct {
	once sync.Once
	done chan struct{}
	err  error
}

func newFatal() *fatal { return &fatal{done: make(chan struct{})} }

func (f *fatal) set(err error) {
	f.once.Do(func() { f.err = err; close(f.done) })
}

func (f *fatal) get() error {
	select {
	case <-f.done:
		return f.err
	default:
		return nil
	}
}

// Failed is closed when the node hit a fatal error; Err names it. Owners of
// a node (chain start, localnet) stop it and exit non-zero.
func (n *Node) Failed() <-chan struct{} { return n.fatal.done }

// Err returns the node's fatal error, or nil while it is healthy.
func (n *Node) Err() error { return n.fatal.get() }

// failureLogger passes CometBFT's logs on and turns its "CONSENSUS FAILURE"
// (a recovered panic in the consensus routine: a failed WAL or validator
// state write, or a block the app could not persist) into a fatal error.
type failureLogger struct {
	cmtlog.Logger
	f *fatal
}

func (l failureLogger) Error(msg string, kv ...any) {
	if msg == "CONSENSUS FAILURE!!!" {
		reason := any("unknown")
		for i := 0; i+1 < len(kv); i += 2 {
			if kv[i] == "err" {
				reason = kv[i+1]
			}
		}
		l.f.set(fmt.Errorf("consensus failure: %v", reason))
	}
	l.Logger.Error(msg, kv...)
}

func (l failureLogger) With(kv ...any) cmtlog.Logger {
	return failureLogger{Logger: l.Logger.With(kv...), f: l.f}
}

// watchDisk halts the node when the data directory's filesystem has less
// than min bytes free: stopping consensus between blocks loses nothing,
// while a write failing half-way is what corrupts stores.
func (n *Node) watchDisk(dir string, min uint64) {
	t := time.NewTicker(diskCheckEvery)
	defer t.Stop()
	for {
		if err := checkFreeDisk(dir, min); err != nil {
			n.fatal.set(err)
			if n.cmt.IsRunning() {
				_ = n.cmt.Stop()
			}
			return
		}
		select {
		case <-n.stopped:
			return
		case <-t.C:
		}
	}
}

// checkFreeDisk reports an error naming dir when under min bytes are free.
func checkFreeDisk(dir string, min uint64) error {
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		return nil // not knowable here; persistence errors still halt the node
	}
	free := st.Bavail * uint64(st.Bsize)
	if free < min {
		return fmt.Errorf("disk almost full: %d MiB free on the filesystem of %s, under the %d MiB the node keeps in reserve; free space (or lower --min-free-disk) and restart",
			free>>20, dir, min>>20)
	}
	return nil
}

// Health answers GET /healthz.
type Health struct {
	Status string `json:"status"` // "ok" or "failing"
	Height uint64 `json:"height"`
	// SinceCommit is the time since the last committed block (or since
	// start, before the first).
	SinceCommit string `json:"since_commit"`
	StallAfter  string `json:"stall_after"`
	Error       string `json:"error,omitempty"`
}

// health is the node's liveness verdict: failing after a fatal error or when
// no block was committed within the stall limit.
func (n *Node) health() (Health, bool) {
	last := n.app.LastCommitTime()
	if last.IsZero() {
		last = n.started
	}
	since := time.Since(last)
	h := Health{Status: "ok", Height: n.Height(), SinceCommit: since.Round(time.Millisecond).String(), StallAfter: n.stallAfter.String()}
	switch err := n.Err(); {
	case err != nil:
		h.Error = err.Error()
	case since > n.stallAfter:
		h.Error = fmt.Sprintf("no block committed for %s (limit %s)", since.Round(time.Second), n.stallAfter)
	default:
		return h, true
	}
	h.Status = "failing"
	return h, false
}

func (n *Node) handleHealth(w http.ResponseWriter, _ *http.Request) {
	h, ok := n.health()
	status := http.StatusOK
	if !ok {
		status = http.StatusServiceUnavailable
	}
	writeJSON(w, status, h)
}

// stallLimit is the default stall limit for a block time.
func stallLimit(blockTime time.Duration) time.Duration {
	return max(DefaultStallBlocks*blockTime, MinStallAfter)
}
