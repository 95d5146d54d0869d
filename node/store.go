package node

import (
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"
)

var (
	bucketState = []byte("state")
	bucketTxs   = []byte("txs")
	keyState    = []byte("state")
	keyHeight   = []byte("height")
	keyAppHash  = []byte("app_hash")
)

// store persists the committed state machine in one bbolt file. Each commit
// writes state, height and app hash in a single transaction, so a crash leaves
// either the previous or the new commit, never a mix.
type store struct {
	db   *bolt.DB
	hist *history // past states for ?height= queries (history.go)
}

// Snapshot is a committed state as persisted.
type snapshot struct {
	State   []byte
	Height  uint64
	AppHash []byte
}

func openStore(path string) (*store, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, err
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: 5 * time.Second})
	if err != nil {
		return nil, fmt.Errorf("open state db %s: %w", path, err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		if _, err := tx.CreateBucketIfNotExists(bucketState); err != nil {
			return err
		}
		_, err := tx.CreateBucketIfNotExists(bucketTxs)
		return err
	})
	if err != nil {
		db.Close()
		return nil, err
	}
	return &store{db: db, hist: &history{window: DefaultStateHistory}}, nil
}

// load returns the last committed snapshot, or ok=false if nothing was committed.
func (s *store) load() (snap snapshot, ok bool, err error) {
	err = s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketState)
		st := b.Get(keyState)
		if st == nil {
			return nil
		}
		h := b.Get(keyHeight)
		if len(h) != 8 {
			return errors.New("state db: corrupt height")
		}
		snap = snapshot{
			State:   append([]byte(nil), st...),
			Height:  binary.BigEndian.Uint64(h),
			AppHash: append([]byte(nil), b.Get(keyAppHash)...),
		}
		ok = true
		return nil
	})
	return snap, ok, err
}

// save writes a snapshot and the block's transaction outcomes (the tx index)
// in one transaction, atomically and durably: the index can never disagree
// with the state, even after a crash.
func (s *store) save(snap snapshot, outcomes []TxOutcome) error {
	after := func() {}
	err := s.db.Update(func(tx *bolt.Tx) error {
		var err error
		if after, err = s.hist.put(tx, snap.Height, snap.State); err != nil {
			return err
		}
		tb := tx.Bucket(bucketTxs)
		for _, o := range outcomes {
			k, err := hex.DecodeString(o.Hash)
			if err != nil {
				return err
			}
			v, err := json.Marshal(o)
			if err != nil {
				return err
			}
			if err := tb.Put(k, v); err != nil {
				return err
			}
		}
		b := tx.Bucket(bucketState)
		var h [8]byte
		binary.BigEndian.PutUint64(h[:], snap.Height)
		if err := b.Put(keyState, snap.State); err != nil {
			return err
		}
		if err := b.Put(keyHeight, h[:]); err != nil {
			return err
		}
		return b.Put(keyAppHash, snap.AppHash)
	})
	if err == nil {
		after()
	}
	return err
}

// tx returns the committed outcome of the transaction with the given hash.
func (s *store) tx(hash []byte) (TxOutcome, bool, error) {
	var o TxOutcome
	var ok bool
	err := s.db.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketTxs).Get(hash)
		if v == nil {
			return nil
		}
		ok = true
		return json.Unmarshal(v, &o)
	})
	return o, ok, err
}

func (s *store) close() error { return s.db.Close() }
