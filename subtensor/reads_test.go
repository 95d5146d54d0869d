package subtensor

import (
	"context"
	"fmt"
	"math/big"
	"reflect"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/taonet/taonet/chain"
	"github.com/taonet/taonet/keys"
	"github.com/taonet/taonet/subtensor/internal/fixture"
	"github.com/taonet/taonet/subtensor/rpc"
	"github.com/taonet/taonet/subtensor/substratetest"
)

// entry is one storage item of the replayed chain state, given in the form
// @polkadot/api takes (keys and value), which builds the key and encodes the
// value with the real runtime metadata.
type entry struct {
	pallet, item string
	keys         []any
	value        any
}

// replayNet is a synthetic subnet whose whole chain state @polkadot/api
// encoded; want is what every read must return.
type replayNet struct {
	srv  *substratetest.Server
	want *chain.Metagraph
	mat  *fixture.Material
}

func kp(t testing.TB, uri string) *keys.Keypair {
	k, err := keys.FromURI(uri)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// newReplay starts a scripted node for net serving a 4-neuron subnet 3 whose
// storage @polkadot/api encoded.
func newReplay(t testing.TB, net fixture.Network) *replayNet {
	mat := fixture.Load(t, net)
	genesis, _ := hash32(mat.GenesisHash)
	spec, _ := strconv.Atoi(mat.SpecVersion)
	txv, _ := strconv.Atoi(mat.TxVersion)
	srv, err := substratetest.New(genesis, substratetest.Runtime{SpecName: "node-subtensor", SpecVersion: uint32(spec), TxVersion: uint32(txv), Metadata: mat.Metadata})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	const netuid = 3
	hot := []*keys.Keypair{kp(t, "//Alice"), kp(t, "//Bob"), kp(t, "//Charlie"), kp(t, "//Dave")}
	cold := []*keys.Keypair{kp(t, "//Eve"), kp(t, "//Ferdie"), kp(t, "//Eve"), kp(t, "//One")}
	alpha := srv.Meta().HasStorage("SubtensorModule", "TotalHotkeyAlpha")
	want := &chain.Metagraph{Netuid: netuid, N: 4, UIDs: []uint16{0, 1, 2, 3},
		Consensus: []uint16{100, 200, 300, 400}, Incentive: []uint16{0, 65535, 0, 7}, Dividends: []uint16{65535, 0, 3, 0},
		Emission: []uint64{1_000_000_000, 2, 3, 4}, ValidatorTrust: []uint16{60000, 0, 0, 0},
		ValidatorPermit: []bool{true, false, false, true}, Active: []bool{true, true, false, true},
		LastUpdate: []uint64{500, 501, 502, 503}, BlockAtRegistration: []uint64{10, 11, 12, 13},
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
			want.Stake = append(want.Stake, StakeWeight(alphas[i], roots[i], taoWeight))
		} else {
			want.AlphaStake = append(want.AlphaStake, 0)
			want.TaoStake = append(want.TaoStake, alphas[i])
			want.Stake = append(want.Stake, alphas[i])
		}
	}
	want.TotalStake = want.Stake
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
			ax = chain.AxonInfo{Block: 77, Version: 20501, IP: fmt.Sprintf("10.0.0.%d", uid+1), Port: uint16(8091 + uid), IPType: 4, Protocol: 4, Hotkey: ax.Hotkey, Coldkey: ax.Coldkey}
			add("Axons", map[string]any{"block": 77, "version": 20501, "ip": strconv.Itoa(0x0a000000 + uid + 1), "port": 8091 + uid, "ip_type": 4, "protocol": 4, "placeholder1": 0, "placeholder2": 0}, netuid, hot[uid].SS58Address())
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
	return &replayNet{srv: srv, want: want, mat: mat}
}

// encoded caches @polkadot/api's answers per network: every replay of a
// network has the same entries, and one Node run costs seconds.
var (
	encodedMu sync.Mutex
	encoded   = map[fixture.Network][][2][]byte{}
)

func loadEntries(t testing.TB, srv *substratetest.Server, net fixture.Network, es []entry) {
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

func dial(t testing.TB, url, genesis string) *Client {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	c, err := Dial(ctx, Config{Endpoints: []string{url}, Genesis: genesis})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// TestReadsFromPolkadotEncodedState: a metagraph, hyperparameters, the
// subnet list, weights and bonds rows, a commitment and a balance read over
// WebSocket JSON-RPC from chain state whose keys and values @polkadot/api
// built from the real finney (spec 219, TAO stake) and test network (spec
// 224, dynamic TAO: alpha stake) metadata equal the values it encoded.
func TestReadsFromPolkadotEncodedState(t *testing.T) {
	for _, net := range []fixture.Network{fixture.Finney, fixture.Testnet} {
		t.Run(string(net), func(t *testing.T) {
			r := newReplay(t, net)
			c := dial(t, r.srv.URL, r.mat.GenesisHash)
			ctx := context.Background()
			mg, err := c.Metagraph(ctx, 3)
			if err != nil {
				t.Fatal(err)
			}
			want := *r.want
			want.Block = r.srv.Head()
			diffStruct(t, "metagraph", *mg, want)
			hp, _, err := c.Hyperparameters(ctx, 3, nil)
			if err != nil {
				t.Fatal(err)
			}
			diffStruct(t, "hyperparameters", *hp, r.want.Hyperparams)
			nets, _, err := c.Subnets(ctx, nil)
			if err != nil || !reflect.DeepEqual(nets, []uint16{0, 3, 11}) {
				t.Errorf("subnets %v, %v", nets, err)
			}
			rows, _, err := c.Matrix(ctx, "Weights", 3, nil)
			if err != nil || len(rows) != 2 || rows[0].UID != 0 || !reflect.DeepEqual(rows[0].Entries, r.want.Weights[0]) || rows[1].UID != 2 {
				t.Errorf("weights rows %+v, %v", rows, err)
			}
			cm, err := c.Commitment(ctx, 3, r.want.Hotkeys[1], nil)
			if err != nil || cm == nil || cm.Text != "hello world" || cm.Block != 1234 {
				t.Errorf("commitment %+v, %v", cm, err)
			}
			all, err := c.Commitments(ctx, 3)
			if err != nil || len(all) != 1 || all[0].UID != 1 || all[0].Hotkey != r.want.Hotkeys[1] {
				t.Errorf("commitments %+v, %v", all, err)
			}
			none, err := c.Commitment(ctx, 3, r.want.Hotkeys[0], nil)
			if err != nil || none != nil {
				t.Errorf("absent commitment = %+v, %v", none, err)
			}
			bal, err := c.Balance(ctx, r.want.Coldkeys[0], nil)
			if err != nil || bal.Free != 123456789012 || bal.Reserved != 5 || bal.Nonce != 3 {
				t.Errorf("balance %+v, %v", bal, err)
			}
			empty, err := c.Balance(ctx, kp(t, "//Nobody").SS58Address(), nil)
			if err != nil || empty.Free != 0 {
				t.Errorf("absent account balance %+v, %v", empty, err)
			}
			if _, err := c.Metagraph(ctx, 4); err == nil {
				t.Error("metagraph of a missing subnet succeeded")
			}
		})
	}
}

// diffStruct reports each differing field of two structs (briefly).
func diffStruct(t *testing.T, what string, got, want any) {
	t.Helper()
	g, w := reflect.ValueOf(got), reflect.ValueOf(want)
	for i := 0; i < g.NumField(); i++ {
		if !reflect.DeepEqual(g.Field(i).Interface(), w.Field(i).Interface()) {
			gs, ws := fmt.Sprint(g.Field(i).Interface()), fmt.Sprint(w.Field(i).Interface())
			t.Errorf("%s.%s = %.300s, want %.300s", what, g.Type().Field(i).Name, gs, ws)
		}
	}
}

func fastRetry() rpc.Options {
	return rpc.Options{Retries: 2, Backoff: 10 * time.Millisecond, DialTimeout: time.Second, Timeout: 2 * time.Second}
}
