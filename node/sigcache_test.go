package node

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/taonet/taonet/chain"
	"github.com/taonet/taonet/keys"
)

// TestSigCacheSameOutcomes runs one block of valid, forged and re-signed
// transactions through a machine that verifies every signature (nil cache)
// and one that pre-verifies in parallel and reuses its cache: every result
// and the app hash must be identical, and a forged copy of a cached
// transaction must still be rejected.
func TestSigCacheSameOutcomes(t *testing.T) {
	alice, _ := keys.FromURI("//Alice")
	bob, _ := keys.FromURI("//Bob")
	g := chain.DefaultGenesis()
	g.Accounts = []chain.GenesisAccount{{Address: alice.SS58Address(), Balance: 1e15}}
	st, _ := json.Marshal(g)
	var txs [][]byte
	for n := range uint64(6) {
		good := signTx(t, alice, n, &chain.Transfer{Dest: bob.SS58Address(), Amount: 1000 + n})
		forged := bytes.Clone(good)
		forged[len(forged)-10] ^= 1           // signature byte: same call, invalid signature
		txs = append(txs, forged, good, good) // the repeat fails on its nonce
	}
	txs = append(txs, []byte("not a transaction"))

	run := func(cached bool) ([]Result, []byte) {
		m, err := ChainFactory{}.FromGenesis("", st)
		if err != nil {
			t.Fatal(err)
		}
		cm := m.(*ChainMachine)
		if !cached {
			cm.sigs = nil
		} else {
			cm.PreVerifyTxs(txs)
			if got := len(cm.sigs.cur); got != 6 {
				t.Fatalf("cache holds %d signatures, want the 6 valid ones", got)
			}
		}
		cm.BeginBlock(Block{Height: 1, Time: time.Unix(1_700_000_000, 0)})
		var rs []Result
		for _, tx := range txs {
			rs = append(rs, cm.DeliverTx(tx))
		}
		cm.EndBlock()
		return rs, cm.AppHash()
	}
	plain, plainHash := run(false)
	cached, cachedHash := run(true)
	for i := range plain {
		if fmt.Sprint(plain[i]) != fmt.Sprint(cached[i]) {
			t.Errorf("tx %d: uncached %+v, cached %+v", i, plain[i], cached[i])
		}
	}
	if plain[0].Code != chain.CodeBadSignature || plain[1].Code != 0 || plain[2].Code != chain.CodeBadNonce {
		t.Errorf("unexpected codes %d %d %d", plain[0].Code, plain[1].Code, plain[2].Code)
	}
	if !bytes.Equal(plainHash, cachedHash) {
		t.Errorf("app hash differs: %X vs %X", plainHash, cachedHash)
	}
}

// TestSigCacheBounded checks the two-generation bound.
func TestSigCacheBounded(t *testing.T) {
	c := newSigCache(4)
	for i := range 10 {
		c.add([32]byte{byte(i)})
	}
	if c.has([32]byte{0}) || !c.has([32]byte{9}) || !c.has([32]byte{7}) {
		t.Error("cache kept the oldest or lost the newest entries")
	}
	if len(c.cur)+len(c.prev) > 8 {
		t.Errorf("cache holds %d entries, bound 8", len(c.cur)+len(c.prev))
	}
}

// TestPreVerifyConcurrentWithBlocks has API-style pre-verification run
// while the App checks and finalizes blocks (for -race), and every block's
// transactions commit.
func TestPreVerifyConcurrentWithBlocks(t *testing.T) {
	alice, _ := keys.FromURI("//Alice")
	bob, _ := keys.FromURI("//Bob")
	g := chain.DefaultGenesis()
	g.Accounts = []chain.GenesisAccount{{Address: alice.SS58Address(), Balance: 1e15}}
	st, _ := json.Marshal(g)
	a, err := NewApp(filepath.Join(t.TempDir(), "s.db"), ChainFactory{}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if _, err := a.InitChain(context.Background(), &abci.RequestInitChain{AppStateBytes: st}); err != nil {
		t.Fatal(err)
	}
	c := &appChain{tb: t, a: a}
	nonce := uint64(0)
	for range 5 {
		var txs [][]byte
		for range 20 {
			txs = append(txs, signTx(t, alice, nonce, &chain.Transfer{Dest: bob.SS58Address(), Amount: 1}))
			nonce++
		}
		var wg sync.WaitGroup
		for _, tx := range txs {
			wg.Add(1)
			go func() { defer wg.Done(); a.PreVerifyTx(tx) }()
		}
		for _, tx := range txs {
			if r, _ := a.CheckTx(context.Background(), &abci.RequestCheckTx{Tx: tx}); r.Code != 0 {
				t.Fatalf("check: %d %s", r.Code, r.Log)
			}
		}
		for i, r := range c.block(txs).TxResults {
			if r.Code != 0 {
				t.Fatalf("tx %d: %d %s", i, r.Code, r.Log)
			}
		}
		wg.Wait()
	}
}

// TestBlockCache: concurrent lookups of one height load it once; a block not
// yet final (no next header) or failing is loaded again next time; the cache
// stays bounded.
func TestBlockCache(t *testing.T) {
	var c blockCache
	var mu sync.Mutex
	loads := map[int64]int{}
	load := func(h int64, final bool, err error) func() (*verifiedBlock, bool, error) {
		return func() (*verifiedBlock, bool, error) {
			mu.Lock()
			loads[h]++
			mu.Unlock()
			time.Sleep(time.Millisecond)
			return &verifiedBlock{hashes: []string{fmt.Sprint(h)}}, final, err
		}
	}
	var wg sync.WaitGroup
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if vb, err := c.get(1, load(1, true, nil)); err != nil || vb.hashes[0] != "1" {
				t.Errorf("get: %v %v", vb, err)
			}
		}()
	}
	wg.Wait()
	if loads[1] != 1 {
		t.Errorf("height 1 loaded %d times, want 1", loads[1])
	}
	c.get(2, load(2, false, nil))
	c.get(2, load(2, false, nil))
	c.get(3, load(3, true, fmt.Errorf("unreadable")))
	if _, err := c.get(3, load(3, true, fmt.Errorf("unreadable"))); err == nil {
		t.Error("error not reported")
	}
	if loads[2] != 2 || loads[3] != 2 {
		t.Errorf("non-final or failing blocks cached: loads %v", loads)
	}
	for h := int64(10); h < 10+2*blockCacheSize; h++ {
		c.get(h, load(h, true, nil))
	}
	if len(c.entries) != blockCacheSize || len(c.order) != blockCacheSize {
		t.Errorf("cache holds %d/%d entries, bound %d", len(c.entries), len(c.order), blockCacheSize)
	}
}
