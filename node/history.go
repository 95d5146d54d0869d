package node

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"sync"

	bolt "go.etcd.io/bbolt"
)

// Past states. Queries with ?height=H read the state committed at block H,
// so a validator reads the metagraph as of its seed block however late it
// asks. The node keeps the encoded state of its last StateHistory blocks in
// the state database (bucket "history"), written in the same transaction as
// the commit. Consecutive states differ in a few hundred bytes (a 4.8 MB
// state of 32 subnets × 256 neurons changes 136 bytes in an ordinary block,
// chain's BenchmarkStateChurn32x256), so most blocks are stored as a delta
// against the last full state, a "base"; a new base is written when the
// delta would exceed an eighth of the state (epoch blocks that change the
// state's length usually do).
// A delta needs only its base to rebuild: reading any kept height costs one
// base, one delta and one decode, and the last few decoded states are cached.
// Pruning keeps the base the oldest kept delta refers to.

// DefaultStateHistory is the number of recent blocks whose state a node
// keeps for ?height= queries when Options.StateHistory is 0.
const DefaultStateHistory = 2048

// Errors of a query at a past height (the API maps them to 404 and 410).
var (
	// ErrHeightFuture: the height is above the last committed block.
	ErrHeightFuture = errors.New("height not committed yet")
	// ErrHeightPruned: the height is older than the kept history.
	ErrHeightPruned = errors.New("height pruned from the state history")
)

var bucketHistory = []byte("history")

const (
	histFull  = 0
	histDelta = 1
)

// history writes and reads the state history inside the store's database.
type history struct {
	window uint64 // blocks kept; 0 disables the history

	mu         sync.Mutex // guards base, baseHeight (written at commit, read at startup)
	base       []byte
	baseHeight uint64
}

func heightKey(h uint64) []byte {
	var k [8]byte
	binary.BigEndian.PutUint64(k[:], h)
	return k[:]
}

// put records the state of height h in tx and prunes what left the window.
// The returned function, run once the transaction committed, makes the base
// the next deltas refer to current in memory.
func (hs *history) put(tx *bolt.Tx, h uint64, state []byte) (after func(), err error) {
	after = func() {}
	if hs == nil || hs.window == 0 {
		return after, nil
	}
	b, err := tx.CreateBucketIfNotExists(bucketHistory)
	if err != nil {
		return after, err
	}
	hs.mu.Lock()
	base, baseHeight := hs.base, hs.baseHeight
	hs.mu.Unlock()
	if base == nil {
		base, baseHeight = latestBase(b)
		if base != nil {
			after = func() { hs.setBase(baseHeight, base) }
		}
	}
	var val []byte
	if base != nil && baseHeight < h {
		if d := diffStates(base, state); len(d) < len(state)/8 {
			val = make([]byte, 0, 9+len(d))
			val = append(append(append(val, histDelta), heightKey(baseHeight)...), d...)
		}
	}
	if val == nil {
		val = append([]byte{histFull}, state...)
		after = func() { hs.setBase(h, state) }
	}
	if err := b.Put(heightKey(h), val); err != nil {
		return after, err
	}
	return after, hs.prune(b, h)
}

// setBase installs the base written at height h (after its commit).
func (hs *history) setBase(h uint64, state []byte) {
	hs.mu.Lock()
	hs.base, hs.baseHeight = state, h
	hs.mu.Unlock()
}

// latestBase finds the newest full state in the bucket (after a restart).
func latestBase(b *bolt.Bucket) ([]byte, uint64) {
	c := b.Cursor()
	for k, v := c.Last(); k != nil; k, v = c.Prev() {
		if len(v) > 0 && v[0] == histFull {
			return append([]byte(nil), v[1:]...), binary.BigEndian.Uint64(k)
		}
	}
	return nil, 0
}

// prune deletes the heights below the window ending at h, except the base
// the oldest kept height needs.
func (hs *history) prune(b *bolt.Bucket, h uint64) error {
	if h < hs.window {
		return nil
	}
	lo := h - hs.window + 1
	keep := uint64(0)
	c := b.Cursor()
	if k, v := c.Seek(heightKey(lo)); k != nil && len(v) >= 9 && v[0] == histDelta {
		keep = binary.BigEndian.Uint64(v[1:9])
	}
	var del [][]byte
	for k, _ := c.First(); k != nil && bytes.Compare(k, heightKey(lo)) < 0; k, _ = c.Next() {
		if binary.BigEndian.Uint64(k) != keep {
			del = append(del, append([]byte(nil), k...))
		}
	}
	for _, k := range del {
		if err := b.Delete(k); err != nil {
			return err
		}
	}
	return nil
}

// inWindow checks h against the window ending at the last committed height.
func (hs *history) inWindow(h, last uint64) error {
	if h > last {
		return fmt.Errorf("%w: block %d (last committed %d)", ErrHeightFuture, h, last)
	}
	if h+hs.window <= last {
		// Outside the window, even if still stored as a base: the answer
		// must not depend on where the bases happen to fall.
		return fmt.Errorf("%w: block %d is older than the last %d blocks this node keeps (last %d)", ErrHeightPruned, h, hs.window, last)
	}
	return nil
}

// get rebuilds the encoded state of height h. last is the last committed
// height (to tell a future height from a pruned one).
func (hs *history) get(db *bolt.DB, h, last uint64) ([]byte, error) {
	if err := hs.inWindow(h, last); err != nil {
		return nil, err
	}
	var out []byte
	err := db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketHistory)
		var v []byte
		if b != nil {
			v = b.Get(heightKey(h))
		}
		if len(v) == 0 {
			oldest := uint64(0)
			if b != nil {
				if k, _ := b.Cursor().First(); k != nil {
					oldest = binary.BigEndian.Uint64(k)
				}
			}
			return fmt.Errorf("%w: block %d is not kept (this node keeps the last %d blocks' states; oldest kept %d, last %d)",
				ErrHeightPruned, h, hs.window, oldest, last)
		}
		if v[0] == histFull {
			out = append([]byte(nil), v[1:]...)
			return nil
		}
		if len(v) < 9 {
			return fmt.Errorf("state history: corrupt entry at %d", h)
		}
		base := b.Get(v[1:9])
		if len(base) == 0 || base[0] != histFull {
			return fmt.Errorf("state history: base %d of block %d missing", binary.BigEndian.Uint64(v[1:9]), h)
		}
		var err error
		out, err = applyDiff(base[1:], v[9:])
		if err != nil {
			return fmt.Errorf("state history at %d: %w", h, err)
		}
		return nil
	})
	return out, err
}

// diffStates encodes new as edits of old: a list of (offset in old, length
// in old, length in new, new bytes). Equal-length middles are diffed byte by
// byte (runs closer than 16 bytes merged); a length change replaces the
// span between the common prefix and the common suffix.
func diffStates(old, new []byte) []byte {
	p := 0
	for p < len(old) && p < len(new) && old[p] == new[p] {
		p++
	}
	s := 0
	for s < len(old)-p && s < len(new)-p && old[len(old)-1-s] == new[len(new)-1-s] {
		s++
	}
	a, b := old[p:len(old)-s], new[p:len(new)-s]
	var out []byte
	op := func(off, oldLen int, data []byte) {
		var hdr [12]byte
		binary.BigEndian.PutUint32(hdr[0:], uint32(off))
		binary.BigEndian.PutUint32(hdr[4:], uint32(oldLen))
		binary.BigEndian.PutUint32(hdr[8:], uint32(len(data)))
		out = append(append(out, hdr[:]...), data...)
	}
	if len(a) != len(b) {
		op(p, len(a), b)
		return out
	}
	for i := 0; i < len(a); {
		if a[i] == b[i] {
			i++
			continue
		}
		j, same := i, 0
		for k := i; k < len(a) && same < 16; k++ {
			if a[k] == b[k] {
				same++
			} else {
				j, same = k+1, 0
			}
		}
		op(p+i, j-i, b[i:j])
		i = j
	}
	return out
}

// applyDiff rebuilds the new state from old and a diffStates encoding.
func applyDiff(old, d []byte) ([]byte, error) {
	out := make([]byte, 0, len(old)+64)
	pos := 0
	for len(d) > 0 {
		if len(d) < 12 {
			return nil, errors.New("truncated delta")
		}
		off := int(binary.BigEndian.Uint32(d[0:]))
		oldLen := int(binary.BigEndian.Uint32(d[4:]))
		n := int(binary.BigEndian.Uint32(d[8:]))
		d = d[12:]
		if off < pos || off+oldLen > len(old) || n > len(d) {
			return nil, errors.New("delta does not fit its base")
		}
		out = append(append(out, old[pos:off]...), d[:n]...)
		pos, d = off+oldLen, d[n:]
	}
	return append(out, old[pos:]...), nil
}

// pastCacheSize is how many decoded past states an App keeps (validators of
// one step ask the same seed block several times).
const pastCacheSize = 4

// pastCache holds recently decoded past states, newest use last.
type pastCache struct {
	mu      sync.Mutex
	heights []uint64
	states  map[uint64]Machine
}

func (c *pastCache) get(h uint64) (Machine, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	m, ok := c.states[h]
	return m, ok
}

func (c *pastCache) add(h uint64, m Machine) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.states == nil {
		c.states = map[uint64]Machine{}
	}
	if _, ok := c.states[h]; ok {
		return
	}
	if len(c.heights) == pastCacheSize {
		delete(c.states, c.heights[0])
		c.heights = c.heights[1:]
	}
	c.heights = append(c.heights, h)
	c.states[h] = m
}

// SetStateHistory sets how many recent blocks' states the app keeps for
// queries at a past height (0 disables them). Call it before the node starts.
func (a *App) SetStateHistory(blocks uint64) { a.store.hist.window = blocks }

// MachineAt returns the committed state machine of block h: the current one
// for the last committed height, otherwise one rebuilt from the state
// history. Callers must only read it. Errors wrap ErrHeightFuture or
// ErrHeightPruned.
func (a *App) MachineAt(h uint64) (Machine, error) {
	m, last := a.CommittedAt()
	switch {
	case m == nil:
		return nil, fmt.Errorf("%w: no committed state yet", ErrHeightFuture)
	case h == last:
		return m, nil
	case h == 0:
		return nil, fmt.Errorf("%w: heights start at 1", ErrInvalid)
	}
	if err := a.store.hist.inWindow(h, last); err != nil {
		return nil, err
	}
	if pm, ok := a.past.get(h); ok {
		return pm, nil
	}
	b, err := a.store.hist.get(a.store.db, h, last)
	if err != nil {
		return nil, err
	}
	pm, err := a.factory.Decode(b)
	if err != nil {
		return nil, fmt.Errorf("state history at %d: %w", h, err)
	}
	a.past.add(h, pm)
	return pm, nil
}
