package chain

import (
	"bytes"
	"fmt"
	"testing"

	"pgregory.net/rapid"
)

var (
	propColdkeys = []string{"PC0", "PC1", "PC2", "PC3"}
	propHotkeys  = []string{"PH0", "PH1", "PH2", "PH3", "PH4", "PH5", "PH6", "PH7"}
	propParams   = []string{"immunity_period", "min_allowed_weights", "max_weights_limit", "weights_version",
		"commit_reveal_weights_enabled", "commit_reveal_period", "bonds_moving_avg", "yuma3_enabled",
		"liquid_alpha_enabled", "alpha_low", "alpha_high", "bonds_penalty", "serving_rate_limit", "tempo", "nope"}
)

type revealable struct {
	hotkey           string
	netuid           uint16
	uids, vals, salt []uint16
}

// propCall draws one call, valid or not, against the current state.
func propCall(t *rapid.T, tb testing.TB, s *State, reveals *[]revealable) (string, Call) {
	cold := rapid.SampledFrom(propColdkeys).Draw(t, "cold")
	hot := rapid.SampledFrom(propHotkeys).Draw(t, "hot")
	netuid := uint16(rapid.IntRange(0, 4).Draw(t, "netuid"))
	// Mostly aim at existing subnets and their registered hotkeys, so success paths
	// are exercised as much as rejections.
	var n int
	if subs := s.Subnets(); len(subs) > 0 && rapid.IntRange(0, 9).Draw(t, "aim") > 1 {
		netuid = rapid.SampledFrom(subs).Draw(t, "subnet").Netuid
		m, _ := s.Metagraph(netuid)
		n = int(m.N)
		var names []string
		for _, h := range propHotkeys {
			if _, ok := s.UID(netuid, addr(tb, h)); ok {
				names = append(names, h)
			}
		}
		if len(names) > 0 && rapid.IntRange(0, 9).Draw(t, "aimhot") > 1 {
			hot = rapid.SampledFrom(names).Draw(t, "reghot")
		}
	}
	validUIDs := func(name string) []uint16 {
		if n == 0 {
			return nil
		}
		perm := rapid.Permutation(func() []uint16 {
			v := make([]uint16, n)
			for i := range v {
				v[i] = uint16(i)
			}
			return v
		}()).Draw(t, name)
		return perm[:rapid.IntRange(1, n).Draw(t, name+"n")]
	}
	amount := func() uint64 {
		return rapid.OneOf(rapid.Uint64Range(0, 10), rapid.Uint64Range(0, 500*tao), rapid.Just(^uint64(0))).Draw(t, "amount")
	}
	u16s := func(name string, n int) []uint16 {
		return rapid.SliceOfN(rapid.OneOf(rapid.Uint16Range(0, 10), rapid.Uint16()), n, n).Draw(t, name)
	}
	switch rapid.IntRange(0, 11).Draw(t, "kind") {
	case 0:
		dest := addr(tb, rapid.SampledFrom(append(append([]string{}, propColdkeys...), propHotkeys...)).Draw(t, "dest"))
		return cold, &Transfer{Dest: dest, Amount: amount()}
	case 1:
		return cold, &CreateSubnet{Hotkey: addr(tb, hot)}
	case 2:
		return cold, &SetHyperparameter{Netuid: netuid, Name: rapid.SampledFrom(propParams).Draw(t, "param"),
			Value: rapid.OneOf(rapid.Uint64Range(0, 3), rapid.Uint64Range(0, 70000)).Draw(t, "value")}
	case 3, 4:
		return cold, &BurnedRegister{Netuid: netuid, Hotkey: addr(tb, hot)}
	case 5:
		return cold, &AddStake{Hotkey: addr(tb, hot), Amount: amount()}
	case 6:
		return cold, &RemoveStake{Hotkey: addr(tb, hot), Amount: amount()}
	case 7, 8:
		if uids := validUIDs("wuids"); uids != nil && rapid.Bool().Draw(t, "validw") {
			return hot, &SetWeights{Netuid: netuid, UIDs: uids, Values: u16s("vals", len(uids))}
		}
		k := rapid.IntRange(0, 6).Draw(t, "len")
		return hot, &SetWeights{Netuid: netuid, UIDs: u16s("uids", k), Values: u16s("vals", k), VersionKey: rapid.Uint64Range(0, 2).Draw(t, "ver")}
	case 9:
		if len(*reveals) > 0 && rapid.Bool().Draw(t, "reveal") {
			r := rapid.SampledFrom(*reveals).Draw(t, "which")
			return r.hotkey, &RevealWeights{Netuid: r.netuid, UIDs: r.uids, Values: r.vals, Salt: r.salt}
		}
		uids := validUIDs("cuids")
		if uids == nil {
			uids = u16s("uids", 2)
		}
		r := revealable{hotkey: hot, netuid: netuid, uids: uids, vals: u16s("vals", len(uids)), salt: u16s("salt", 2)}
		h, _ := CommitHashSS58(addr(tb, hot), netuid, r.uids, r.vals, r.salt, 0)
		*reveals = append(*reveals, r)
		return hot, &CommitWeights{Netuid: netuid, Hash: h}
	case 10:
		return hot, &SetCommitment{Netuid: netuid, Fields: []CommitmentField{{Kind: FieldRaw,
			Data: []byte(rapid.StringN(0, 140, -1).Draw(t, "text"))}}}
	default:
		ip := [16]byte{12: 10, 15: byte(rapid.IntRange(0, 255).Draw(t, "ip"))}
		return hot, &ServeAxon{Netuid: netuid, IP: ip, IPType: uint8(rapid.SampledFrom([]int{4, 6, 5}).Draw(t, "type")),
			Port: uint16(rapid.IntRange(0, 3).Draw(t, "port"))}
	}
}

func propGenesis(tb testing.TB) Genesis {
	g := DefaultGenesis()
	g.ChainID = "taonet-prop"
	for _, c := range propColdkeys {
		g.Accounts = append(g.Accounts, GenesisAccount{Address: addr(tb, c), Balance: 1000 * tao})
	}
	g.NetworkMinLockCost = 10 * tao
	g.MaxSubnets = 4
	g.SubnetDefaults.Tempo = 4
	g.SubnetDefaults.MaxAllowedUids = 5
	g.SubnetDefaults.ImmunityPeriod = 3
	g.SubnetDefaults.WeightsRateLimit = 2
	g.SubnetDefaults.AdjustmentInterval = 5
	g.SubnetDefaults.TargetRegsPerInterval = 1
	g.SubnetDefaults.MaxRegsPerBlock = 2
	g.SubnetDefaults.Burn = tao / 10
	g.SubnetDefaults.ActivityCutoff = 20
	g.SubnetDefaults.ServingRateLimit = 3
	g.SubnetDefaults.MinAllowedWeights = 1
	// Two genesis subnets, the second with commit-reveal on.
	cr := g.SubnetDefaults
	cr.CommitRevealWeightsEnabled = true
	g.Subnets = []GenesisSubnet{{OwnerColdkey: addr(tb, "PC0"), OwnerHotkey: addr(tb, "PH0")},
		{OwnerColdkey: addr(tb, "PC1"), OwnerHotkey: addr(tb, "PH1"), Hyperparams: &cr}}
	return g
}

// TestPropertyInvariants drives random transaction streams over random blocks
// (rapid's default 100 runs × 20..120 blocks ≈ 7 000 blocks) and checks after
// every step: issuance is accounted to the rao, a rejected transaction changes
// nothing, and replaying the same blocks gives the same app hash.
func TestPropertyInvariants(t *testing.T) {
	for _, n := range append(append([]string{}, propColdkeys...), propHotkeys...) {
		devKey(t, n) // derive once, outside rapid's timing
	}
	codes := map[string]int{}
	defer func() { t.Logf("outcomes (call/code: count): %v", codes) }()
	rapid.Check(t, func(rt *rapid.T) {
		s, err := NewState(propGenesis(t))
		if err != nil {
			rt.Fatal(err)
		}
		var reveals []revealable
		type block struct{ txs [][]byte }
		var history []block
		nBlocks := rapid.IntRange(20, 120).Draw(rt, "blocks")
		for h := uint64(1); h <= uint64(nBlocks); h++ {
			s.BeginBlock(BlockInfo{Height: h, Hash: [32]byte{byte(h)}})
			var b block
			for i, n := 0, rapid.IntRange(0, 4).Draw(rt, "txs"); i < n; i++ {
				name, call := propCall(rt, t, s, &reveals)
				k := devKey(t, name)
				tx := NewTx(k.SS58Address(), s.Account(k.SS58Address()).Nonce, call)
				tx.ChainID = s.ChainID()
				if rapid.IntRange(0, 30).Draw(rt, "corrupt") == 17 {
					tx.Nonce += 1 // a stale/future nonce
				}
				if err := tx.Sign(k); err != nil {
					rt.Fatal(err)
				}
				raw := tx.Encode()
				before := s.Encode()
				r := s.DeliverTx(raw)
				codes[fmt.Sprintf("%s/%d", call.CallName(), r.Code)]++
				if r.Code != CodeOK {
					if !bytes.Equal(before, s.Encode()) {
						rt.Fatalf("block %d: rejected %s (code %d: %s) changed the state", h, call.CallName(), r.Code, r.Log)
					}
					if r.Log == "" {
						rt.Fatalf("rejection without a message")
					}
				}
				b.txs = append(b.txs, raw)
			}
			s.EndBlock()
			history = append(history, b)
			ii := s.Issuance()
			if ii.Balances+ii.Staked+ii.Locked+ii.PendingEmission+ii.Burned != ii.TotalIssuance {
				rt.Fatalf("block %d: issuance %+v does not add up", h, ii)
			}
		}
		// Replay from genesis: same app hash.
		r, _ := NewState(propGenesis(t))
		for i, b := range history {
			r.BeginBlock(BlockInfo{Height: uint64(i + 1), Hash: [32]byte{byte(i + 1)}})
			for _, raw := range b.txs {
				r.DeliverTx(raw)
			}
			r.EndBlock()
		}
		if !bytes.Equal(r.AppHash(), s.AppHash()) {
			rt.Fatalf("replay of %d blocks gave another app hash", len(history))
		}
		// And the encoding survives a round trip.
		d, err := DecodeState(s.Encode())
		if err != nil || !bytes.Equal(d.AppHash(), s.AppHash()) {
			rt.Fatalf("decode: %v", err)
		}
	})
}
