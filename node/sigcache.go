package node

import (
	"crypto/sha256"
	"runtime"
	"sync"

	"github.com/taonet/taonet/chain"
)

// sigCache remembers which raw transactions carry a valid signature, so a
// transaction is verified once — in the API handler or a parallel pass over
// the block — instead of again in CheckTx, every mempool recheck and
// FinalizeBlock. Signature validity is a pure function of the transaction's
// bytes (the encoding is canonical), so a hit gives the same answer a fresh
// verification would: state transitions stay bit-identical. Only valid
// signatures are remembered; the cache is bounded by keeping two generations.
type sigCache struct {
	mu        sync.Mutex
	cur, prev map[[32]byte]struct{}
	limit     int
}

// sigCacheGeneration bounds one generation: a few full mempools' worth.
const sigCacheGeneration = 1 << 15

func newSigCache(limit int) *sigCache {
	return &sigCache{cur: make(map[[32]byte]struct{}), limit: limit}
}

func (c *sigCache) has(k [32]byte) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	_, ok := c.cur[k]
	if !ok {
		_, ok = c.prev[k]
	}
	return ok
}

func (c *sigCache) add(k [32]byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.cur) >= c.limit {
		c.prev, c.cur = c.cur, make(map[[32]byte]struct{}, c.limit)
	}
	c.cur[k] = struct{}{}
}

// verifier returns the chain.SigVerifier for raw: a cache hit, or a real
// verification whose success is remembered.
func (c *sigCache) verifier(raw []byte) chain.SigVerifier {
	if c == nil {
		return (*chain.Tx).VerifySignature
	}
	k := sha256.Sum256(raw)
	return func(tx *chain.Tx) bool {
		if c.has(k) {
			return true
		}
		if !tx.VerifySignature() {
			return false
		}
		c.add(k)
		return true
	}
}

// preVerify checks raw's signature outside any state (safe from many
// goroutines) and remembers a valid one. Undecodable input is left to the
// state machine, which reports it.
func (c *sigCache) preVerify(raw []byte) {
	if c == nil {
		return
	}
	k := sha256.Sum256(raw)
	if c.has(k) {
		return
	}
	tx, err := chain.DecodeTx(raw)
	if err != nil || !tx.VerifySignature() {
		return
	}
	c.add(k)
}

// preVerifyAll verifies txs on every core (a block's signatures are
// independent); the block is then applied in order as before.
func (c *sigCache) preVerifyAll(txs [][]byte) {
	if c == nil || len(txs) == 0 {
		return
	}
	workers := min(runtime.GOMAXPROCS(0), len(txs))
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < len(txs); i += workers {
				c.preVerify(txs[i])
			}
		}()
	}
	wg.Wait()
}
