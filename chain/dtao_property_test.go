package chain

import (
	"bytes"
	"fmt"
	"testing"

	"pgregory.net/rapid"
)

// dtaoCall draws one dTAO staking call, valid or not: stakes and unstakes with
// random amounts, limits and partial fills, moves, transfers and swaps between
// subnets (root included) and hotkeys.
func dtaoCall(t *rapid.T, tb testing.TB, s *State) (string, Call) {
	cold := rapid.SampledFrom(propColdkeys).Draw(t, "dcold")
	hot := addr(tb, rapid.SampledFrom(propHotkeys).Draw(t, "dhot"))
	hot2 := addr(tb, rapid.SampledFrom(propHotkeys).Draw(t, "dhot2"))
	// Mostly aim at hotkeys that exist and subnets that exist.
	var owned []string
	for _, h := range propHotkeys {
		if _, ok := s.owners[addr(tb, h)]; ok {
			owned = append(owned, addr(tb, h))
		}
	}
	if len(owned) > 0 && rapid.IntRange(0, 9).Draw(t, "aimown") > 2 {
		hot = rapid.SampledFrom(owned).Draw(t, "ownhot")
		hot2 = rapid.SampledFrom(owned).Draw(t, "ownhot2")
	}
	maxNet := len(s.Subnets())
	if rapid.IntRange(0, 9).Draw(t, "aimnet") == 0 {
		maxNet = 5
	}
	net := uint16(rapid.IntRange(0, maxNet).Draw(t, "dnet"))
	net2 := uint16(rapid.IntRange(0, maxNet).Draw(t, "dnet2"))
	amount := func(label string) uint64 {
		switch rapid.IntRange(0, 5).Draw(t, label+"kind") {
		case 0:
			return rapid.Uint64().Draw(t, label) // overflow territory
		case 1:
			return rapid.Uint64Range(0, 3_000_000).Draw(t, label) // around the minimum
		default:
			return rapid.Uint64Range(tao/100, 200*tao).Draw(t, label)
		}
	}
	limit := func() uint64 {
		if rapid.Bool().Draw(t, "haslimit") {
			return 0
		}
		var cur uint64 = 1_000_000_000
		if pi := s.poolInfo(net); pi != nil {
			cur = pi.Price
		}
		return cur/2 + rapid.Uint64Range(0, cur+1).Draw(t, "limit")
	}
	switch rapid.IntRange(0, 6).Draw(t, "dkind") {
	case 6:
		take := uint16(rapid.IntRange(0, 12_000).Draw(t, "take"))
		if rapid.Bool().Draw(t, "inc") {
			return cold, &IncreaseTake{Hotkey: hot, Take: take}
		}
		return cold, &DecreaseTake{Hotkey: hot, Take: take}
	case 0, 1:
		return cold, &AddStakeLimit{Hotkey: hot, Netuid: net, Amount: amount("a"), LimitPrice: limit(), AllowPartial: rapid.Bool().Draw(t, "p")}
	case 2:
		a := amount("r")
		if have := s.AlphaStake(net, hot, addr(tb, cold)); have > 0 && rapid.Bool().Draw(t, "all") {
			a = have
		}
		return cold, &RemoveStakeLimit{Hotkey: hot, Netuid: net, Amount: a, LimitPrice: limit(), AllowPartial: rapid.Bool().Draw(t, "p")}
	case 3:
		return cold, &MoveStake{OriginHotkey: hot, DestHotkey: hot2, OriginNetuid: net, DestNetuid: net2, Amount: amount("m")}
	case 4:
		return cold, &TransferStake{DestColdkey: addr(tb, rapid.SampledFrom(propColdkeys).Draw(t, "dest")), Hotkey: hot, OriginNetuid: net, DestNetuid: net2, Amount: amount("t")}
	default:
		return cold, &SwapStake{Hotkey: hot, OriginNetuid: net, DestNetuid: net2, Amount: amount("s")}
	}
}

// TestDTAOPropertyInvariants drives random blocks of stakes, unstakes, moves,
// registrations, weights and subnet creations on a dTAO chain and checks after
// every transaction and block: TAO issuance is accounted to the rao, each subnet's
// alpha balances exactly (minted − recycled = in + out; out = staked + pending +
// burned + protocol), a rejected transaction changes nothing, and replaying the
// blocks gives the same app hash.
func TestDTAOPropertyInvariants(t *testing.T) {
	for _, n := range append(append([]string{}, propColdkeys...), propHotkeys...) {
		devKey(t, n)
	}
	genesis := func() Genesis {
		g := propGenesis(t)
		g.Economics = EconomicsDTAO
		return g
	}
	codes := map[string]int{}
	defer func() { t.Logf("outcomes (call/code: count): %v", codes) }()
	rapid.Check(t, func(rt *rapid.T) {
		s, err := NewState(genesis())
		if err != nil {
			rt.Fatal(err)
		}
		var reveals []revealable
		var history [][][]byte
		check := func(h uint64, what string) {
			ii := s.Issuance()
			if ii.Balances+ii.Staked+ii.Locked+ii.PendingEmission+ii.Burned != ii.TotalIssuance {
				rt.Fatalf("block %d %s: TAO issuance %+v does not add up", h, what, ii)
			}
			for _, a := range s.AlphaAccounts() {
				if err := a.Check(); err != nil {
					rt.Fatalf("block %d %s: %v", h, what, err)
				}
			}
		}
		nBlocks := rapid.IntRange(10, 40).Draw(rt, "blocks")
		for h := uint64(1); h <= uint64(nBlocks); h++ {
			s.BeginBlock(BlockInfo{Height: h, Hash: [32]byte{byte(h)}})
			var txs [][]byte
			for i, n := 0, rapid.IntRange(0, 5).Draw(rt, "txs"); i < n; i++ {
				var name string
				var call Call
				if rapid.IntRange(0, 2).Draw(rt, "which") > 0 {
					name, call = dtaoCall(rt, t, s)
				} else {
					name, call = propCall(rt, t, s, &reveals)
				}
				k := devKey(t, name)
				tx := NewTx(k.SS58Address(), s.Account(k.SS58Address()).Nonce, call)
				tx.ChainID = s.ChainID()
				if err := tx.Sign(k); err != nil {
					rt.Fatal(err)
				}
				raw := tx.Encode()
				before := s.Encode()
				r := s.DeliverTx(raw)
				codes[fmt.Sprintf("%s/%s", call.CallName(), CodeName(r.Code))]++
				if r.Code != CodeOK {
					if !bytes.Equal(before, s.Encode()) {
						rt.Fatalf("block %d: rejected %s (%s: %s) changed the state", h, call.CallName(), CodeName(r.Code), r.Log)
					}
					if r.Log == "" {
						rt.Fatalf("rejection without a message")
					}
				}
				check(h, call.CallName())
				txs = append(txs, raw)
			}
			s.EndBlock()
			check(h, "end block")
			history = append(history, txs)
		}
		r, _ := NewState(genesis())
		for i, txs := range history {
			r.BeginBlock(BlockInfo{Height: uint64(i + 1), Hash: [32]byte{byte(i + 1)}})
			for _, raw := range txs {
				r.DeliverTx(raw)
			}
			r.EndBlock()
		}
		if !bytes.Equal(r.AppHash(), s.AppHash()) {
			rt.Fatalf("replay of %d blocks gave another app hash", len(history))
		}
		d, err := DecodeState(s.Encode())
		if err != nil || !bytes.Equal(d.AppHash(), s.AppHash()) {
			rt.Fatalf("decode: %v", err)
		}
	})
}
