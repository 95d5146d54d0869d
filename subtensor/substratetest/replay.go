package substratetest

import (
	"encoding/hex"
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/taonet/taonet/chain"
	"github.com/taonet/taonet/keys"
	fixture "github.com/taonet/taonet/subtensor/polkadottest"
)

// entry is one storage item of the replayed chain state, given in the form
// @polkadot/api takes (keys and value), which builds the key and encodes the
// value with the real runtime metadata.
type entry struct {
	pallet, item string
	keys         []any
	value        any
}

// Replay is a scripted node serving a synthetic subnet whose whole chain
// state @polkadot/api encoded; Want is what a metagraph read must return
// (Stake and TotalStake left for the caller to compute from AlphaStake,
// TaoStake and TaoWeight with subtensor.StakeWeight).
type Replay struct {
	Srv       *Server
	Want      *chain.Metagraph
	Mat       *fixture.Material
	TaoWeight *big.Int // nil where the runtime has no TaoWeight (or no dTAO)
}

// Netuid is the replayed subnet.
const Netuid = 3

// KP is the keypair of a dev URI (//Alice, ...).
func KP(t testing.TB, uri string) *keys.Keypair {
	k, err := keys.FromURI(uri)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// NewReplay starts a scripted node for net serving a 4-neuron subnet 3 whose
// storage @polkadot/api encoded, with a Raw commitment for uid 1 and a
// balance for uid 0's coldkey. Hotkeys are //Alice, //Bob, //Charlie, //Dave.
func NewReplay(t testing.TB, net fixture.Network) *Replay {
	mat := fixture.Load(t, net)
	var genesis [32]byte
	if g, err := hex.DecodeString(strings.TrimPrefix(mat.GenesisHash, "0x")); err == nil {
		copy(genesis[:], g)
	}
	spec, _ := strconv.Atoi(mat.SpecVersion)
	txv, _ := strconv.Atoi(mat.TxVersion)
	srv, err := New(genesis, Runtime{SpecName: "node-subtensor", SpecVersion: uint32(spec), TxVersion: uint32(txv), Metadata: mat.Metadata})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	const netuid = 3
	hot := []*keys.Keypair{KP(t, "//Alice"), KP(t, "//Bob"), KP(t, "//Charlie"), KP(t, "//Dave")}
	cold := []*keys.Keypair{KP(t, "//Eve"), KP(t, "//Ferdie"), KP(t, "//Eve"), KP(t, "//One")}
	alpha := srv.Meta().HasStorage("SubtensorModule", "TotalHotkeyAlpha")
	want := &chain.Metagraph{Netuid: netuid, N: 4, UIDs: []uint16{0, 1, 2, 3},
		Consensus: []uint16{100, 200, 300, 400}, Incentive: []uint16{0, 65535, 0, 7}, Dividends: []uint16{65535, 0, 3, 0},
		Emission: []uint64{1_000_000_000, 2, 3, 4}, ValidatorTrust: []uint16{60000, 0, 0, 0},
		ValidatorPermit: []bool{true, false, false, true}, Active: []bool{true, true, false, true},
		LastUpdate: []uint64{0, 1, 1, 0}, BlockAtRegistration: []uint64{10, 11, 12, 13},
		PruningScore: []uint16{9, 8, 7, 6},
		Weights:      [][][2]uint16{{{1, 65535}, {3, 100}}, {}, {{0, 1}}, {}},
		Bonds:        [][][2]uint16{{{1, 7}}, {}, {}, {{0, 65535}}},
		Hyperparams: chain.Hyperparams{Rho: 10, Kappa: 32767, Tempo: 360, ImmunityPeriod: 5000, MinAllowedWeights: 1,
			MaxWeightsLimit: 65535, WeightsVersion: 20501, WeightsRateLimit: 100, ActivityCutoff: 5000,
			RegistrationAllowed: true, MaxValidators: 64, MaxAllowedUids: 256, Burn: 1_000_000_000, CommitRevealWeightsEnabled: true,
			AdjustmentInterval: 112, TargetRegsPerInterval: 3, MinBurn: 400_000, MaxBurn: 90_000_000_000, BondsMovingAvg: 975_000,
			MaxRegsPerBlock: 2, ServingRateLimit: 49, CommitRevealPeriod: 2, AlphaLow: 1000, AlphaHigh: 60000},
		OwnerColdkey: cold[0].SS58Address(),
	}
	// Stake parts: on the dTAO runtime alpha on the subnet and root stake,
	// with tao_weight 0.18 × u64::MAX; on the older one TAO stake only.
	alphas := []uint64{5_000_000_000_000, 0, 42, 1}
	roots := []uint64{1_000_000_000, 7, 0, 3_000_000_000_000}
	var taoWeight *big.Int
	if alpha && srv.Meta().HasStorage("SubtensorModule", "TaoWeight") {
		taoWeight = new(big.Int).SetUint64(3320413933267719290) // 0.18 × u64::MAX, upstream DefaultTaoWeight
	}
	for i := range alphas {
		if alpha {
			want.AlphaStake = append(want.AlphaStake, alphas[i])
			want.TaoStake = append(want.TaoStake, roots[i])
		} else {
			want.AlphaStake = append(want.AlphaStake, 0)
			want.TaoStake = append(want.TaoStake, alphas[i])
		}
	}
	var es []entry
	add := func(item string, value any, k ...any) { es = append(es, entry{"SubtensorModule", item, k, value}) }
	add("NetworksAdded", true, netuid)
	add("NetworksAdded", true, 0)
	add("NetworksAdded", true, 11)
	add("SubnetworkN", 4, netuid)
	for uid := range hot {
		want.Hotkeys = append(want.Hotkeys, hot[uid].SS58Address())
		want.Coldkeys = append(want.Coldkeys, cold[uid].SS58Address())
		add("Keys", hot[uid].SS58Address(), netuid, uid)
		add("Owner", cold[uid].SS58Address(), hot[uid].SS58Address())
		add("BlockAtRegistration", want.BlockAtRegistration[uid], netuid, uid)
		add("Uids", uid, netuid, hot[uid].SS58Address())
		if alpha {
			add("TotalHotkeyAlpha", strconv.FormatUint(alphas[uid], 10), hot[uid].SS58Address(), netuid)
			add("TotalHotkeyAlpha", strconv.FormatUint(roots[uid], 10), hot[uid].SS58Address(), 0)
		} else {
			add("TotalHotkeyStake", strconv.FormatUint(alphas[uid], 10), hot[uid].SS58Address())
		}
		ax := chain.AxonInfo{Hotkey: hot[uid].SS58Address(), Coldkey: cold[uid].SS58Address(), IP: "0.0.0.0"}
		if uid != 2 {
			// Loopback addresses on port 9 (discard, never listened on in tests):
			// a validator that queries them gets a refused connection at once.
			ax = chain.AxonInfo{Block: 77, Version: 20501, IP: fmt.Sprintf("127.0.0.%d", uid+1), Port: 9, IPType: 4, Protocol: 4, Hotkey: ax.Hotkey, Coldkey: ax.Coldkey}
			add("Axons", map[string]any{"block": 77, "version": 20501, "ip": strconv.Itoa(0x7f000000 + uid + 1), "port": 9, "ip_type": 4, "protocol": 4, "placeholder1": 0, "placeholder2": 0}, netuid, hot[uid].SS58Address())
		}
		want.Axons = append(want.Axons, ax)
		if len(want.Weights[uid]) > 0 {
			add("Weights", want.Weights[uid], netuid, uid)
		}
		if len(want.Bonds[uid]) > 0 {
			add("Bonds", want.Bonds[uid], netuid, uid)
		}
	}
	add("Consensus", want.Consensus, netuid)
	add("Incentive", want.Incentive, netuid)
	add("Dividends", want.Dividends, netuid)
	add("Emission", want.Emission, netuid)
	add("ValidatorTrust", want.ValidatorTrust, netuid)
	add("ValidatorPermit", want.ValidatorPermit, netuid)
	add("Active", want.Active, netuid)
	add("LastUpdate", want.LastUpdate, netuid)
	add("PruningScores", want.PruningScore, netuid)
	add("SubnetOwner", cold[0].SS58Address(), netuid)
	if taoWeight != nil {
		add("TaoWeight", taoWeight.String())
	}
	h := want.Hyperparams
	for item, v := range map[string]any{"Rho": h.Rho, "Kappa": h.Kappa, "Tempo": h.Tempo, "ImmunityPeriod": h.ImmunityPeriod,
		"MinAllowedWeights": h.MinAllowedWeights, "MaxWeightsLimit": h.MaxWeightsLimit, "WeightsVersionKey": h.WeightsVersion,
		"WeightsSetRateLimit": h.WeightsRateLimit, "ActivityCutoff": h.ActivityCutoff, "NetworkRegistrationAllowed": h.RegistrationAllowed,
		"MaxAllowedValidators": h.MaxValidators, "MaxAllowedUids": h.MaxAllowedUids, "Burn": h.Burn,
		"CommitRevealWeightsEnabled": h.CommitRevealWeightsEnabled, "AdjustmentInterval": h.AdjustmentInterval,
		"TargetRegistrationsPerInterval": h.TargetRegsPerInterval, "MinBurn": h.MinBurn, "MaxBurn": h.MaxBurn,
		"BondsMovingAverage": h.BondsMovingAvg, "MaxRegistrationsPerBlock": h.MaxRegsPerBlock, "ServingRateLimit": h.ServingRateLimit,
		"RevealPeriodEpochs": h.CommitRevealPeriod, "AlphaValues": []uint16{h.AlphaLow, h.AlphaHigh}} {
		if srv.Meta().HasStorage("SubtensorModule", item) {
			add(item, v, netuid)
		}
	}
	if srv.Meta().HasStorage("SubtensorModule", "SubnetTAO") {
		// The dTAO pool: 7000 TAO against 3000 alpha on a dynamic subnet,
		// price 7/3 TAO in I96F32 (10021590357 / 2^32) = 2333333333 rao, moving
		// price 3/4 TAO (I96F32 bits 3221225472) = 750000000 rao.
		want.Pool = &chain.PoolInfo{TaoIn: 7_000_000_000_000, AlphaIn: 3_000_000_000_000, AlphaOut: 11_000_000_000_000,
			Price: 2_333_333_333, MovingPrice: 750_000_000, QuoteWeight: 500_000_000_000_000_000,
			TaoInEmission: 1_000_000, AlphaInEmission: 2_000_000, AlphaOutEmission: 3_000_000}
		add("SubnetTAO", "7000000000000", netuid)
		add("SubnetAlphaIn", "3000000000000", netuid)
		add("SubnetAlphaOut", "11000000000000", netuid)
		add("SubnetMechanism", 1, netuid)
		add("SubnetMovingPrice", map[string]any{"bits": "3221225472"}, netuid)
		add("SubnetTaoInEmission", 1_000_000, netuid)
		add("SubnetAlphaInEmission", 2_000_000, netuid)
		add("SubnetAlphaOutEmission", 3_000_000, netuid)
		// Pending emissions under the names of this runtime generation
		// (spec 224: PendingEmission, PendingAlphaSwapped, PendingOwnerCut)
		// and 5000 TAO on root. Root proportion (subtensor's root_proportion
		// in U96F32, spec yuma-consensus §5.2): tao_weight = floor(2^32 ·
		// 3320413933267719290 / (2^64−1)) = 773094113 / 2^32; bits =
		// floor(2^32 · 5e12·773094113 / (5e12·773094113 + 14e12·2^32)) =
		// 259427554; × 1e9 / 2^32 = 60402684 parts per 1e9 (≈ 0.0604).
		for item, v := range map[string]*uint64{"PendingEmission": &want.Pool.PendingAlphaEmission,
			"PendingAlphaSwapped": &want.Pool.PendingRootEmission, "PendingOwnerCut": &want.Pool.PendingOwnerCut} {
			if srv.Meta().HasStorage("SubtensorModule", item) {
				*v = uint64(4_000_000 + len(item))
				add(item, *v, netuid)
			}
		}
		if taoWeight != nil {
			add("SubnetTAO", "5000000000000", 0)
			want.Pool.RootProportion = 60_402_684
		}
	}
	if srv.Meta().HasStorage("SubtensorModule", "SubnetOwnerHotkey") {
		want.OwnerHotkey = hot[0].SS58Address()
		add("SubnetOwnerHotkey", want.OwnerHotkey, netuid)
	}
	// Fields the runtime stores with a non-zero default (read back as such).
	es = append(es,
		entry{"Commitments", "CommitmentOf", []any{netuid, hot[1].SS58Address()}, map[string]any{"deposit": 0, "block": 1234,
			"info": map[string]any{"fields": []any{map[string]any{"Raw11": "0x" + fmt.Sprintf("%x", "hello world")}}}}},
		entry{"System", "Account", []any{cold[0].SS58Address()}, map[string]any{"nonce": 3, "consumers": 0, "providers": 1, "sufficients": 0,
			"data": map[string]any{"free": "123456789012", "reserved": "5", "frozen": 0, "flags": "0x80000000000000000000000000000000"}}},
	)
	loadEntries(t, srv, net, es)
	return &Replay{Srv: srv, Want: want, Mat: mat, TaoWeight: taoWeight}
}

// encoded caches @polkadot/api's answers per network: every replay of a
// network has the same entries, and one Node run costs seconds.
var (
	encodedMu sync.Mutex
	encoded   = map[fixture.Network][][2][]byte{}
)

func loadEntries(t testing.TB, srv *Server, net fixture.Network, es []entry) {
	encodedMu.Lock()
	defer encodedMu.Unlock()
	if kv, ok := encoded[net]; ok && len(kv) == len(es) {
		for _, p := range kv {
			srv.SetStorage(p[0], p[1])
		}
		return
	}
	var reqs []map[string]any
	for _, e := range es {
		if e.keys == nil {
			e.keys = []any{}
		}
		reqs = append(reqs,
			map[string]any{"op": "storageKey", "net": string(net), "pallet": e.pallet, "item": e.item, "args": e.keys},
			map[string]any{"op": "encodeStorage", "net": string(net), "pallet": e.pallet, "item": e.item, "value": e.value})
	}
	ans := fixture.Polkadot(t, reqs)
	var kv [][2][]byte
	for i := range es {
		k, v := fixture.Hex(t, ans[2*i]), fixture.Hex(t, ans[2*i+1])
		srv.SetStorage(k, v)
		kv = append(kv, [2][]byte{k, v})
	}
	encoded[net] = kv
}
