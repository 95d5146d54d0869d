package chain

import (
	"bytes"
	"errors"
	"testing"

	"github.com/taonet/taonet/yuma"
)

func TestEmissionSplitAndOwnerCut(t *testing.T) {
	e := newEnv(t, nil)
	n1 := e.subnet("Alice", "AliceHot")
	n2 := e.subnet("Bob", "BobHot")
	n3 := e.subnet("Charlie", "CharlieHot")
	e.hp(n3, func(h *Hyperparams) { h.Tempo = 0 }) // not emitting
	e.hp(n1, func(h *Hyperparams) { h.Tempo = 1000 })
	e.hp(n2, func(h *Hyperparams) { h.Tempo = 1000 })
	a0 := e.s.Account(addr(t, "Alice")).Balance
	b0 := e.s.Account(addr(t, "Bob")).Balance
	i0 := e.s.Issuance().TotalIssuance
	e.blocks(3)
	// 1e9 over 2 subnets: 5e8 each; owner cut floor(5e8·11796/65535) = 89997711.
	const cut = 89997711
	if got := e.s.Account(addr(t, "Alice")).Balance - a0; got != 3*cut {
		t.Fatalf("alice owner cut %d", got)
	}
	if got := e.s.Account(addr(t, "Bob")).Balance - b0; got != 3*cut {
		t.Fatalf("bob owner cut %d", got)
	}
	subs := e.s.Subnets()
	if subs[0].PendingEmission != 3*(500_000_000-cut) || subs[1].PendingEmission != subs[0].PendingEmission || subs[2].PendingEmission != 0 {
		t.Fatalf("pending %+v", subs)
	}
	if got := e.s.Issuance().TotalIssuance - i0; got != 3*tao {
		t.Fatalf("minted %d", got)
	}
	e.checkIssuance()

	// Odd split: 3 emitting subnets, the remainder goes to the lowest netuids.
	e.hp(n3, func(h *Hyperparams) { h.Tempo = 1000 })
	p := []uint64{}
	for _, s := range e.s.Subnets() {
		p = append(p, s.PendingEmission)
	}
	e.block()
	got := []uint64{}
	for i, s := range e.s.Subnets() {
		got = append(got, s.PendingEmission-p[i])
	}
	c1 := mulDiv(333333334, 11796, 65535)
	c2 := mulDiv(333333333, 11796, 65535)
	if got[0] != 333333334-c1 || got[1] != 333333333-c2 || got[2] != 333333333-c2 {
		t.Fatalf("odd split %v", got)
	}
	e.checkIssuance()
}

func TestBlockEmissionHalving(t *testing.T) {
	e := newEnv(t, nil)
	s := e.s
	cases := []struct{ circulating, want uint64 }{
		{0, 1e9},
		{10_499_999_999_999_999, 1e9},
		{10_500_000_000_000_000, 5e8},
		{15_750_000_000_000_000, 25e7},
		{20_999_999_999_999_999, 1e9 >> 54},
		{21_000_000_000_000_000, 0},
	}
	for _, c := range cases {
		s.issuance, s.regBurned, s.feesBurned, s.recycled = c.circulating+7, 7, 0, 0
		if got := s.BlockEmission(); got != c.want {
			t.Errorf("circulating %d: emission %d, want %d", c.circulating, got, c.want)
		}
	}
}

// epochEnv: subnet 1 (tempo 10, epochs at blocks 9, 20, 31, ...) with owner
// AliceHot (uid 0), validator V (uid 1, staked by Bob and nominated by Charlie),
// miners M1 (uid 2, coldkey Dave) and M2 (uid 3, coldkey Eve).
func epochEnv(t *testing.T) (*env, uint16) {
	e := newEnv(t, nil)
	net := e.subnet("Alice", "AliceHot")
	e.block()
	e.ok("Bob", &BurnedRegister{Netuid: net, Hotkey: addr(t, "V")})
	e.ok("Dave", &BurnedRegister{Netuid: net, Hotkey: addr(t, "M1")})
	e.ok("Eve", &BurnedRegister{Netuid: net, Hotkey: addr(t, "M2")})
	e.ok("Bob", &AddStake{Hotkey: addr(t, "V"), Amount: 300 * tao})
	e.ok("Charlie", &AddStake{Hotkey: addr(t, "V"), Amount: 100 * tao})
	return e, net
}

func TestEpochPaysStake(t *testing.T) {
	e, net := epochEnv(t)
	e.blocks(8) // block 9: first epoch (no weights yet): gives V its permit
	ev := e.block()
	_ = ev
	m, _ := e.s.Metagraph(net)
	if !m.ValidatorPermit[1] || m.ValidatorPermit[2] {
		t.Fatalf("permits after the first epoch %v", m.ValidatorPermit)
	}
	e.ok("V", &SetWeights{Netuid: net, UIDs: []uint16{2, 3}, Values: []uint16{1, 3}})
	// Advance to block 19, then predict block 20's epoch with the same input.
	for e.s.Height() < 19 {
		e.block()
	}
	sn := e.s.subnets[net]
	stakeBefore := map[string]uint64{}
	for _, who := range []string{"Bob", "Charlie", "Dave", "Eve"} {
		for _, h := range []string{"V", "M1", "M2"} {
			stakeBefore[who+h] = e.s.Stake(addr(t, h), addr(t, who))
		}
	}
	issued := e.s.Issuance()
	e.s.BeginBlock(BlockInfo{Height: 20})
	pendingAtEpoch := sn.pending + (tao - mulDiv(tao, 11796, 65535))
	in := e.s.epochInput(sn)
	in.Emission = pendingAtEpoch
	want, err := yuma.Epoch(in)
	if err != nil {
		t.Fatal(err)
	}
	events := e.s.EndBlock()
	if len(events) != 1 || events[0].Type != "epoch" {
		t.Fatalf("events %+v", events)
	}
	if sn.pending != 0 || sn.lastEpoch != 20 {
		t.Fatalf("pending %d last epoch %d", sn.pending, sn.lastEpoch)
	}
	// Miners: server emission to the owner coldkey's stake.
	if got := e.s.Stake(addr(t, "M1"), addr(t, "Dave")) - stakeBefore["DaveM1"]; got != want.ServerEmission[2]+want.ValidatorEmission[2] || got == 0 {
		t.Fatalf("M1 paid %d, want %d", got, want.ServerEmission[2])
	}
	if got := e.s.Stake(addr(t, "M2"), addr(t, "Eve")) - stakeBefore["EveM2"]; got != want.ServerEmission[3]+want.ValidatorEmission[3] {
		t.Fatalf("M2 paid %d", got)
	}
	if want.Incentive[3] <= want.Incentive[2] {
		t.Fatalf("incentive %v", want.Incentive)
	}
	// Validator: 18% take to the owner (Bob), the rest pro rata to Bob and Charlie.
	v := want.ValidatorEmission[1]
	if v == 0 {
		t.Fatal("no dividends")
	}
	take := fracMul(11796, 65535, v)
	rest := v - take
	total := stakeBefore["BobV"] + stakeBefore["CharlieV"] // includes block 9's payout
	charlie := fracMul(stakeBefore["CharlieV"], total, rest)
	bob := fracMul(stakeBefore["BobV"], total, rest)
	bob += take + (rest - charlie - bob)
	if got := e.s.Stake(addr(t, "V"), addr(t, "Charlie")) - stakeBefore["CharlieV"]; got != charlie {
		t.Fatalf("charlie dividends %d, want %d", got, charlie)
	}
	if got := e.s.Stake(addr(t, "V"), addr(t, "Bob")) - stakeBefore["BobV"]; got != bob+want.ServerEmission[1] {
		t.Fatalf("bob dividends %d, want %d", got, bob)
	}
	// Stored outputs.
	m, _ = e.s.Metagraph(net)
	for i := range m.UIDs {
		if m.Incentive[i] != want.Incentive[i] || m.Dividends[i] != want.Dividends[i] || m.Consensus[i] != want.Consensus[i] ||
			m.ValidatorTrust[i] != want.ValidatorTrust[i] || m.Emission[i] != want.Emission[i] ||
			m.ValidatorPermit[i] != want.ValidatorPermit[i] || m.Active[i] != want.Active[i] || len(m.Bonds[i]) != len(want.Bonds[i]) {
			t.Fatalf("uid %d: metagraph differs from the epoch output", i)
		}
	}
	// Pruning score: emission max-upscaled.
	var maxE uint64
	for _, x := range want.Emission {
		maxE = max(maxE, x)
	}
	for i, x := range want.Emission {
		if w := uint16(mulDiv(x, 65535, maxE) + roundBit(x, 65535, maxE)); m.PruningScore[i] != w {
			t.Fatalf("pruning score %v", m.PruningScore)
		}
	}
	after := e.s.Issuance()
	if after.TotalIssuance-issued.TotalIssuance != tao {
		t.Fatal("the epoch block minted more than the block emission")
	}
	e.checkIssuance()
}

func TestEpochFailureKeepsPending(t *testing.T) {
	e, net := epochEnv(t)
	old := epochFunc
	defer func() { epochFunc = old }()
	epochFunc = func(yuma.Input) (yuma.Output, error) { return yuma.Output{}, errors.New("boom") }
	for e.s.Height() < 8 {
		e.block()
	}
	pending := e.s.subnets[net].pending
	ev := e.block()
	if len(ev) != 1 || ev[0].Type != "epoch_failed" {
		t.Fatalf("events %+v", ev)
	}
	if e.s.subnets[net].pending <= pending {
		t.Fatal("pending emission lost on failure")
	}
	// An epoch that claims to pay more than is pending is refused too.
	epochFunc = func(in yuma.Input) (yuma.Output, error) {
		out, err := old(in)
		if err == nil && len(out.ServerEmission) > 0 {
			out.ServerEmission[0] = in.Emission + 1
		}
		return out, err
	}
	for e.s.Height() < 19 {
		e.block()
	}
	if ev := e.block(); len(ev) != 1 || ev[0].Type != "epoch_failed" {
		t.Fatalf("overpaying epoch accepted: %+v", ev)
	}
	epochFunc = func(in yuma.Input) (yuma.Output, error) { return yuma.Output{}, nil }
	for e.s.Height() < 30 {
		e.block()
	}
	if ev := e.block(); len(ev) != 1 || ev[0].Type != "epoch_failed" {
		t.Fatalf("short output accepted: %+v", ev)
	}
	e.checkIssuance()
	epochFunc = old
	for e.s.Height() < 42 {
		e.block()
	}
	if e.s.subnets[net].pending != 0 {
		t.Fatal("pending not paid once the epoch works")
	}
	e.checkIssuance()
}

func TestEmptyEmissionRecycled(t *testing.T) {
	// A subnet whose only neuron is the owner with no stake: the epoch pays the
	// owner's hotkey (stake fallback has nothing) — anything unpaid is recycled.
	e := newEnv(t, nil)
	e.subnet("Alice", "AliceHot")
	e.blocks(25) // epochs at 9 and 20 with nothing to pay
	if ii := e.s.Issuance(); ii.EmissionRecycled == 0 || ii.PendingEmission == 0 {
		t.Fatalf("issuance %+v", ii)
	}
	e.checkIssuance()
}

// script runs a fixed mixed workload and returns the state.
func script(t *testing.T) *State {
	e, net := epochEnv(t)
	e.blocks(9)
	e.ok("V", &SetWeights{Netuid: net, UIDs: []uint16{2, 3}, Values: []uint16{5, 3}})
	e.ok("M1", &SetCommitment{Netuid: net, Fields: []CommitmentField{{Kind: FieldRaw, Data: []byte("m1")}}})
	ip, _, _ := AxonIP("10.0.0.1")
	e.ok("M2", &ServeAxon{Netuid: net, IP: ip, IPType: 4, Port: 9})
	e.hp(net, func(h *Hyperparams) { h.CommitRevealWeightsEnabled = false })
	e.blocks(25)
	e.ok("Bob", &Transfer{Dest: addr(t, "Ferdie"), Amount: 3})
	e.subnet("Ferdie", "FerdieHot")
	e.blocks(15)
	return e.s
}

func TestDeterminismAndEncoding(t *testing.T) {
	a, b := script(t), script(t)
	if !bytes.Equal(a.AppHash(), b.AppHash()) || len(a.AppHash()) != 32 {
		t.Fatal("same block sequence, different app hash")
	}
	enc := a.Encode()
	if b2, h2 := a.EncodeWithHash(); !bytes.Equal(b2, enc) || !bytes.Equal(h2, a.AppHash()) {
		t.Fatal("EncodeWithHash differs from Encode/AppHash")
	}
	d, err := DecodeState(enc)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(d.Encode(), enc) {
		t.Fatal("decode/encode is not the identity")
	}
	c := a.Clone()
	if !bytes.Equal(c.Encode(), enc) {
		t.Fatal("clone encodes differently")
	}
	// All three evolve identically.
	for _, s := range []*State{a, d, c} {
		for h, end := s.Height()+1, s.Height()+30; h < end; h++ {
			s.BeginBlock(BlockInfo{Height: h})
			s.EndBlock()
		}
	}
	if !bytes.Equal(a.AppHash(), d.AppHash()) || !bytes.Equal(a.AppHash(), c.AppHash()) {
		t.Fatal("decoded or cloned state diverged")
	}
	// Clone independence: mutate the clone deeply, the original is unchanged.
	before := a.Encode()
	for _, sn := range c.subnets {
		for _, n := range sn.neurons {
			if len(n.weights) > 0 {
				n.weights[0].Value ^= 1
			}
			if len(n.bonds) > 0 {
				n.bonds[0].Value ^= 1
			}
			if n.axon != nil {
				n.axon.port++
			}
		}
		for _, cm := range sn.commitments {
			cm.fields[0].Data[0] ^= 1
		}
		sn.hp.Burn++
	}
	for _, m := range c.stake {
		for k := range m {
			m[k]++
		}
	}
	for _, acc := range c.accounts {
		acc.balance++
	}
	if !bytes.Equal(a.Encode(), before) {
		t.Fatal("mutating the clone changed the original")
	}
	// Corrupt encodings are errors.
	for _, bad := range [][]byte{nil, []byte("taonet-state"), enc[:len(enc)-1], append(append([]byte(nil), enc...), 0)} {
		if _, err := DecodeState(bad); err == nil {
			t.Fatal("corrupt state decoded")
		}
	}
	v2 := append([]byte(nil), enc...)
	v2[len(stateMagic)] = 9
	if _, err := DecodeState(v2); err == nil {
		t.Fatal("wrong version decoded")
	}
}

func TestQueries(t *testing.T) {
	e, net := epochEnv(t)
	if _, err := e.s.Metagraph(77); err == nil {
		t.Fatal("metagraph of a missing subnet")
	}
	if _, err := e.s.Neuron(77, 0); err == nil {
		t.Fatal("neuron of a missing subnet")
	}
	if _, err := e.s.Neuron(net, 4); err == nil {
		t.Fatal("missing uid")
	}
	if _, ok := e.s.UID(77, addr(t, "V")); ok {
		t.Fatal("uid on a missing subnet")
	}
	acc := e.s.Account(addr(t, "Bob"))
	if len(acc.Stakes) != 1 || acc.Stakes[0].Hotkey != addr(t, "V") || acc.TotalStaked != 300*tao {
		t.Fatalf("account %+v", acc)
	}
	if st := e.s.Stakers(addr(t, "V")); len(st) != 2 {
		t.Fatalf("stakers %+v", st)
	}
	m, _ := e.s.Metagraph(net)
	if m.N != 4 || len(m.Hotkeys) != 4 || m.Coldkeys[2] != addr(t, "Dave") || m.OwnerHotkey != addr(t, "AliceHot") ||
		m.Stake[1] != 400*tao || m.BlockAtRegistration[3] != 1 {
		t.Fatalf("metagraph %+v", m)
	}
	subs := e.s.Subnets()
	if len(subs) != 1 || subs[0].NextEpochBlock != 9 || subs[0].N != 4 || subs[0].MaxN != 256 {
		t.Fatalf("subnets %+v", subs)
	}
	if e.s.BlockTime().IsZero() || e.s.Params().ChainID != "taonet-test" {
		t.Fatal("block time / params")
	}
}
