package node

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"

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
	h := int64(height)
	blk, err := n.readBlock(ctx, h)
	if err != nil {
		return TxOutcome{}, err
	}
	txs := blk.Block.Txs
	if index < 0 || index >= len(txs) {
		return TxOutcome{}, fmt.Errorf("block %d has %d txs, no index %d", h, len(txs), index)
	}
	if got := TxHash(txs[index]); !strings.EqualFold(got, hex.EncodeToString(hb)) {
		return TxOutcome{}, fmt.Errorf("block %d holds tx %s at index %d", h, got, index)
	}
	var res []*abci.ExecTxResult
	if err := recovered(func() error {
		r, err := n.rpc.BlockResults(ctx, &h)
		if err == nil {
			res = r.TxsResults
		}
		return err
	}); err != nil {
		return TxOutcome{}, fmt.Errorf("block results %d unreadable: %w", h, err)
	}
	if len(res) != len(txs) {
		return TxOutcome{}, fmt.Errorf("block results %d have %d txs, the block %d", h, len(res), len(txs))
	}
	next := h + 1
	if nb, err := n.readBlock(ctx, next); err == nil && nb.Block != nil {
		if !bytes.Equal(cmttypes.NewResults(res).Hash(), nb.Block.LastResultsHash) {
			return TxOutcome{}, fmt.Errorf("block results %d do not match the results hash in header %d", h, next)
		}
	}
	r := res[index]
	o := TxOutcome{Hash: TxHash(txs[index]), Height: height, Index: index, Code: r.Code, Log: r.Log, Events: fromABCIEvents(r.Events)}
	if len(r.Data) == 8 {
		o.Fee = binary.BigEndian.Uint64(r.Data)
	}
	return o, nil
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
