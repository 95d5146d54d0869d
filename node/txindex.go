package node

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"sync"

	abci "github.com/cometbft/cometbft/abci/types"
	cmttypes "github.com/cometbft/cometbft/types"
	bolt "go.etcd.io/bbolt"
)

// The transaction index (bbolt bucket "txs") is a convenience copy of what
// CometBFT already stores under hashes: the block (its txs, under the block
// hash and the commit) and the FinalizeBlock results (under the next
// header's LastResultsHash). Every lookup checks the index record against
// them, so an edited record is never served as true: a record that differs
// from verified results is rebuilt from them, and one that cannot be
// verified is an error, not an answer.

// feeData encodes a tx's fee into ExecTxResult.Data, which LastResultsHash
// covers (nil when no fee, as before).
func feeData(fee uint64) []byte {
	if fee == 0 {
		return nil
	}
	return binary.BigEndian.AppendUint64(nil, fee)
}

// verifiedTx returns the committed outcome of the tx with hash hb, checked
// against the block and block results it was derived from. ok is false when
// the index has no record; err reports an unreadable or unverifiable one.
func (n *Node) verifiedTx(ctx context.Context, hb []byte) (o TxOutcome, ok bool, err error) {
	o, ok, err = n.app.Tx(hb)
	if err != nil {
		return o, false, fmt.Errorf("tx index record unreadable: %w", err)
	}
	if !ok {
		return o, false, nil
	}
	want, err := n.outcomeFromChain(ctx, o.Height, o.Index, hb)
	if err != nil {
		return o, false, fmt.Errorf("tx index record for %X (height %d, index %d) does not check against the chain: %w", hb, o.Height, o.Index, err)
	}
	if !sameOutcome(o, want) {
		// The block results verify; the record does not: rebuild it.
		if n.app.log != nil {
			n.app.log.Warn("tx index record differs from the committed block results; rebuilt", "hash", want.Hash, "height", want.Height)
		}
		if err := n.app.store.putTx(want); err != nil {
			return o, false, fmt.Errorf("rewrite tx index record: %w", err)
		}
		return want, true, nil
	}
	return o, true, nil
}

// outcomeFromChain derives a tx's outcome from CometBFT's stores: the tx at
// index of the block at height must hash to hb, and the block's results must
// match the next header's LastResultsHash when that header exists.
func (n *Node) outcomeFromChain(ctx context.Context, height uint64, index int, hb []byte) (TxOutcome, error) {
	vb, err := n.blocks.get(int64(height), func() (*verifiedBlock, bool, error) { return n.verifyBlock(ctx, int64(height)) })
	if err != nil {
		return TxOutcome{}, err
	}
	if index < 0 || index >= len(vb.hashes) {
		return TxOutcome{}, fmt.Errorf("block %d has %d txs, no index %d", height, len(vb.hashes), index)
	}
	if got := vb.hashes[index]; !strings.EqualFold(got, hex.EncodeToString(hb)) {
		return TxOutcome{}, fmt.Errorf("block %d holds tx %s at index %d", height, got, index)
	}
	r := vb.results[index]
	o := TxOutcome{Hash: vb.hashes[index], Height: height, Index: index, Code: r.Code, Log: r.Log, Events: fromABCIEvents(r.Events)}
	if len(r.Data) == 8 {
		o.Fee = binary.BigEndian.Uint64(r.Data)
	}
	return o, nil
}

// verifiedBlock is what tx lookups need of one block: its tx hashes and its
// FinalizeBlock results, checked against each other and the next header.
type verifiedBlock struct {
	hashes  []string
	results []*abci.ExecTxResult
}

// verifyBlock loads block h and its results and checks the results against
// the next header's LastResultsHash. final is true when that check was made
// (the next header exists), so the answer can never change.
func (n *Node) verifyBlock(ctx context.Context, h int64) (vb *verifiedBlock, final bool, err error) {
	blk, err := n.readBlock(ctx, h)
	if err != nil {
		return nil, false, err
	}
	txs := blk.Block.Txs
	var res []*abci.ExecTxResult
	if err := recovered(func() error {
		r, err := n.rpc.BlockResults(ctx, &h)
		if err == nil {
			res = r.TxsResults
		}
		return err
	}); err != nil {
		return nil, false, fmt.Errorf("block results %d unreadable: %w", h, err)
	}
	if len(res) != len(txs) {
		return nil, false, fmt.Errorf("block results %d have %d txs, the block %d", h, len(res), len(txs))
	}
	next := h + 1
	if nb, err := n.readBlock(ctx, next); err == nil && nb.Block != nil {
		if !bytes.Equal(cmttypes.NewResults(res).Hash(), nb.Block.LastResultsHash) {
			return nil, false, fmt.Errorf("block results %d do not match the results hash in header %d", h, next)
		}
		final = true
	}
	vb = &verifiedBlock{hashes: make([]string, len(txs)), results: res}
	for i, tx := range txs {
		vb.hashes[i] = TxHash(tx)
	}
	return vb, final, nil
}

// blockCache keeps the last few finally verified blocks in memory. Loading and
// hashing a whole block (and the next one) per tx lookup made every lookup
// cost O(block size): clients waiting on the ~1,000 txs of one busy block
// spent most of the node's CPU there. Only blocks whose results were checked
// against the next header are kept; that check is what the index's integrity
// rests on, and committed blocks do not change under a running node.
type blockCache struct {
	mu      sync.Mutex
	entries map[int64]*blockEntry
	order   []int64 // insertion order, for eviction
}

type blockEntry struct {
	ready chan struct{}
	vb    *verifiedBlock // nil: not cacheable (error or not final)
}

const blockCacheSize = 32

// get returns the verified block at h, loading it with load at most once at
// a time per height; concurrent lookups of the same height wait for it.
func (c *blockCache) get(h int64, load func() (*verifiedBlock, bool, error)) (*verifiedBlock, error) {
	c.mu.Lock()
	if c.entries == nil {
		c.entries = map[int64]*blockEntry{}
	}
	if e, ok := c.entries[h]; ok {
		c.mu.Unlock()
		<-e.ready
		if e.vb != nil {
			return e.vb, nil
		}
		vb, _, err := load() // the first load failed or was not final: ours decides
		return vb, err
	}
	e := &blockEntry{ready: make(chan struct{})}
	c.entries[h] = e
	c.mu.Unlock()

	vb, final, err := load()
	c.mu.Lock()
	if err == nil && final {
		e.vb = vb
		c.order = append(c.order, h)
		if len(c.order) > blockCacheSize {
			delete(c.entries, c.order[0])
			c.order = c.order[1:]
		}
	} else {
		delete(c.entries, h)
	}
	c.mu.Unlock()
	close(e.ready)
	return vb, err
}

// readBlock loads a block, turning the block store's panics on corrupt
// data into errors.
func (n *Node) readBlock(ctx context.Context, h int64) (*blockResult, error) {
	var b *blockResult
	err := recovered(func() error {
		r, err := n.rpc.Block(ctx, &h)
		if err == nil {
			if r.Block == nil {
				return fmt.Errorf("block %d not in the block store", h)
			}
			b = &blockResult{BlockID: r.BlockID, Block: r.Block}
		}
		return err
	})
	return b, err
}

type blockResult struct {
	BlockID cmttypes.BlockID
	Block   *cmttypes.Block
}

// recovered runs f and returns a panic inside it as an error (CometBFT's
// stores panic on undecodable data).
func recovered(f func() error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("store corrupt: %v", p)
		}
	}()
	return f()
}

func fromABCIEvents(evs []abci.Event) []Event {
	if len(evs) == 0 {
		return nil
	}
	out := make([]Event, len(evs))
	for i, e := range evs {
		out[i] = Event{Type: e.Type}
		for _, a := range e.Attributes {
			out[i].Attrs = append(out[i].Attrs, Attr{Key: a.Key, Value: a.Value})
		}
	}
	return out
}

func sameOutcome(a, b TxOutcome) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return bytes.Equal(x, y)
}

// putTx writes one tx index record.
func (s *store) putTx(o TxOutcome) error {
	k, err := hex.DecodeString(o.Hash)
	if err != nil {
		return err
	}
	v, err := json.Marshal(o)
	if err != nil {
		return err
	}
	return s.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketTxs).Put(k, v) })
}
