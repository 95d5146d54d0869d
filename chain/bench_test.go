package chain

import (
	"fmt"
	"testing"

	"github.com/taonet/taonet/keys"
	"github.com/taonet/taonet/yuma"
)

// benchKey derives a keypair from a fixed seed (fast, no SURI derivation).
func benchKey(tb testing.TB, i int) *keys.Keypair {
	var seed [32]byte
	copy(seed[:], fmt.Sprintf("bench-key-%d", i))
	k, err := keys.FromSeed(seed)
	if err != nil {
		tb.Fatal(err)
	}
	return k
}

// bigState builds nets subnets of n neurons each, the first vals of them
// validators (staked, permitted) with full weight rows, without transactions.
func bigState(tb testing.TB, nets, n, vals int, tempo func(netuid uint16) uint16) (*State, []*keys.Keypair) {
	g := DefaultGenesis()
	g.MaxSubnets = uint16(nets)
	g.SubnetDefaults.WeightsRateLimit = 0
	g.SubnetDefaults.MaxValidators = uint16(vals)
	s, err := NewState(g)
	if err != nil {
		tb.Fatal(err)
	}
	var vkeys []*keys.Keypair
	for i := 0; i < vals; i++ {
		vkeys = append(vkeys, benchKey(tb, i))
	}
	coldkey := benchKey(tb, 1_000_000).SS58Address()
	hot := func(i int) string {
		if i < vals {
			return vkeys[i].SS58Address()
		}
		return fmt.Sprintf("miner-%d", i) // queries only; never signs
	}
	for net := 1; net <= nets; net++ {
		hp := g.SubnetDefaults
		hp.Tempo = tempo(uint16(net))
		sn := s.addSubnet(uint16(net), coldkey, hot(0), 0, hp)
		for i := 1; i < n; i++ {
			s.owners[hot(i)] = coldkey
			s.appendNeuron(sn, hot(i))
		}
		for i := 0; i < vals; i++ {
			nr := sn.neurons[i]
			nr.permit = true
			nr.lastUpdate = 1 // after every registration (block 0): weights count
			row := make([]yuma.Entry, n)
			for j := range row {
				row[j] = yuma.Entry{UID: uint16(j), Value: uint16(1 + (i*7919+j*104729)%65535)}
			}
			nr.weights = row
		}
	}
	for i := 0; i < vals; i++ {
		s.addStake(hot(i), coldkey, uint64(1000+i)*tao)
	}
	return s, vkeys
}

// BenchmarkSetWeights10k applies 10 000 signed set_weights transactions (64
// validators, 256 uids each) through DeliverTx: decode, sr25519 verify, all checks,
// store. One op = 10 000 transactions.
func BenchmarkSetWeights10k(b *testing.B) {
	base, vkeys := bigState(b, 1, 256, 64, func(uint16) uint16 { return 360 })
	base.BeginBlock(BlockInfo{Height: 1})
	uids := make([]uint16, 256)
	vals := make([]uint16, 256)
	for i := range uids {
		uids[i], vals[i] = uint16(i), uint16(i*13+1)
	}
	txs := make([][]byte, 0, 10_000)
	for i := 0; i < 10_000; i++ {
		k := vkeys[i%len(vkeys)]
		tx := NewTx(k.SS58Address(), uint64(i/len(vkeys)), &SetWeights{Netuid: 1, UIDs: uids, Values: vals})
		if err := tx.Sign(k); err != nil {
			b.Fatal(err)
		}
		txs = append(txs, tx.Encode())
	}
	b.ResetTimer()
	for it := 0; it < b.N; it++ {
		b.StopTimer()
		s := base.Clone()
		b.StartTimer()
		for _, raw := range txs {
			if r := s.DeliverTx(raw); r.Code != CodeOK {
				b.Fatal(r.Log)
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/10_000, "ns/tx")
}

// epochBlockState: 32 subnets × 256 uids (64 validators with full rows), every
// subnet's epoch due at block 1000 (tempo chosen per netuid so all coincide).
func epochBlockState(b *testing.B) *State {
	s, _ := bigState(b, 32, 256, 64, func(netuid uint16) uint16 { return 1000 + netuid })
	for h := uint64(1); h < 1000; h += 333 {
		s.BeginBlock(BlockInfo{Height: h})
		s.EndBlock()
	}
	return s
}

// BenchmarkEpochBlock32x256 is one EndBlock running 32 subnets' epochs at n = 256.
func BenchmarkEpochBlock32x256(b *testing.B) {
	s := epochBlockState(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s.BeginBlock(BlockInfo{Height: 1000})
		ev := s.EndBlock()
		if len(ev) != 32 || ev[0].Type != "epoch" {
			b.Fatalf("%d epoch events, want 32: %+v", len(ev), ev)
		}
	}
	b.StopTimer()
	// The epochs did real work: miners earned incentive, validators dividends and bonds.
	m, _ := s.Metagraph(32)
	if m.Incentive[200] == 0 || m.Dividends[3] == 0 || len(m.Bonds[3]) == 0 {
		b.Fatalf("degenerate epoch: incentive %d dividends %d bonds %d", m.Incentive[200], m.Dividends[3], len(m.Bonds[3]))
	}
}

// BenchmarkEncode32x256 and friends measure what the node pays per commit and per
// check-state reset at the same scale (after one epoch, so bonds are populated).
func BenchmarkEncode32x256(b *testing.B) {
	s := epochBlockState(b)
	s.BeginBlock(BlockInfo{Height: 1000})
	s.EndBlock()
	var n int
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		n = len(s.Encode())
	}
	b.ReportMetric(float64(n), "state-bytes")
}

func BenchmarkAppHash32x256(b *testing.B) {
	s := epochBlockState(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		_ = s.AppHash()
	}
}

func BenchmarkDecodeState32x256(b *testing.B) {
	s := epochBlockState(b)
	s.BeginBlock(BlockInfo{Height: 1000})
	s.EndBlock()
	enc := s.Encode()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := DecodeState(enc); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkClone32x256(b *testing.B) {
	s := epochBlockState(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		_ = s.Clone()
	}
}
