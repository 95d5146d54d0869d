package node

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/taonet/taonet/chain"
	"github.com/taonet/taonet/keys"
)

// appChain drives an App directly (no consensus) for benchmarks.
type appChain struct {
	tb testing.TB
	a  *App
	h  int64
}

func (c *appChain) block(txs [][]byte) *abci.ResponseFinalizeBlock {
	c.h++
	res, err := c.a.FinalizeBlock(context.Background(), &abci.RequestFinalizeBlock{Height: c.h, Time: time.Unix(1_700_000_000+c.h, 0), Txs: txs})
	if err != nil {
		c.tb.Fatal(err)
	}
	if _, err := c.a.Commit(context.Background(), &abci.RequestCommit{}); err != nil {
		c.tb.Fatal(err)
	}
	return res
}

func signTx(tb testing.TB, k *keys.Keypair, nonce uint64, call chain.Call) []byte {
	tx := chain.NewTx(k.SS58Address(), nonce, call)
	if err := tx.Sign(k); err != nil {
		tb.Fatal(err)
	}
	return tx.Encode()
}

// BenchmarkAppSetWeights measures the ABCI application alone: CheckTx of
// each set_weights transaction on the check state, then FinalizeBlock and
// Commit (with bbolt persistence) in blocks of 500 — the node's ceiling
// without consensus and networking.
func BenchmarkAppSetWeights(b *testing.B) {
	const nval = 32
	alice, _ := keys.FromURI("//Alice")
	g := chain.DefaultGenesis()
	g.Accounts = []chain.GenesisAccount{{Address: alice.SS58Address(), Balance: 1e18}}
	g.SubnetDefaults.Tempo = 5
	g.SubnetDefaults.MaxRegsPerBlock = 256
	g.SubnetDefaults.TargetRegsPerInterval = 256
	g.SubnetDefaults.WeightsRateLimit = 0
	st, _ := json.Marshal(g)
	a, err := NewApp(filepath.Join(b.TempDir(), "s.db"), ChainFactory{}, nil, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer a.Close()
	if _, err := a.InitChain(context.Background(), &abci.RequestInitChain{AppStateBytes: st}); err != nil {
		b.Fatal(err)
	}
	c := &appChain{tb: b, a: a}
	hot := make([]*keys.Keypair, nval)
	for i := range hot {
		hot[i], _ = keys.FromURI(fmt.Sprintf("//Alice//b%d", i))
	}
	var setup [][]byte
	nonce := uint64(0)
	setup = append(setup, signTx(b, alice, nonce, &chain.CreateSubnet{Hotkey: hot[0].SS58Address()}))
	nonce++
	for i := 1; i < nval; i++ {
		setup = append(setup, signTx(b, alice, nonce, &chain.BurnedRegister{Netuid: 1, Hotkey: hot[i].SS58Address()}))
		nonce++
	}
	for i := 0; i < nval; i++ {
		setup = append(setup, signTx(b, alice, nonce, &chain.AddStake{Hotkey: hot[i].SS58Address(), Amount: 1e12}))
		nonce++
	}
	for _, r := range c.block(setup).TxResults {
		if r.Code != 0 {
			b.Fatalf("setup tx: %d %s", r.Code, r.Log)
		}
	}
	for i := 0; i < 12; i++ {
		c.block(nil)
	}
	uids := make([]uint16, nval)
	vals := make([]uint16, nval)
	for i := range uids {
		uids[i], vals[i] = uint16(i), uint16(100+i)
	}
	txs := make([][]byte, b.N)
	nonces := make([]uint64, nval)
	for i := range txs {
		v := i % nval
		txs[i] = signTx(b, hot[v], nonces[v], &chain.SetWeights{Netuid: 1, UIDs: uids, Values: vals})
		nonces[v]++
	}
	b.ResetTimer()
	start := time.Now()
	for lo := 0; lo < len(txs); lo += 500 {
		batch := txs[lo:min(lo+500, len(txs))]
		for _, tx := range batch {
			if r, _ := a.CheckTx(context.Background(), &abci.RequestCheckTx{Tx: tx}); r.Code != 0 {
				b.Fatalf("check: %d %s", r.Code, r.Log)
			}
		}
		for _, r := range c.block(batch).TxResults {
			if r.Code != 0 {
				b.Fatalf("deliver: %d %s", r.Code, r.Log)
			}
		}
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "tx/s")
}
