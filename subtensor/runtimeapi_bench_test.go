package subtensor

import (
	"context"
	"math/big"
	"testing"

	fixture "github.com/taonet/taonet/subtensor/polkadottest"
	"github.com/taonet/taonet/subtensor/scale"
	"github.com/taonet/taonet/subtensor/substratetest"
)

// BenchmarkMetagraph1024: one metagraph read of a 1,024-uid subnet over
// WebSocket JSON-RPC from the scripted node on loopback (test network spec
// 224 metadata), from storage (the node offers no runtime API) and through
// get_neurons_lite + get_subnet_state (answers encoded from the same
// state). Both paths must read the same metagraph. Loopback hides network
// latency, which the storage path pays once per 256 keys.
func BenchmarkMetagraph1024(b *testing.B) {
	const netuid, n = 5, 1024
	r := substratetest.NewReplay(b, fixture.Testnet)
	neurons, state := bigSubnet(b, r.Srv, netuid, n)
	c := dial(b, r.Srv.URL, r.Mat.GenesisHash)
	ctx := context.Background()
	fromStorage, err := c.Metagraph(ctx, netuid)
	if err != nil || len(fromStorage.Hotkeys) != n {
		b.Fatalf("storage read: %v", err)
	}
	b.Run("storage", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if _, err := c.Metagraph(ctx, netuid); err != nil {
				b.Fatal(err)
			}
		}
	})
	reg, err := builtin()
	if err != nil {
		b.Fatal(err)
	}
	for method, v := range map[string]any{"NeuronInfoRuntimeApi_get_neurons_lite": neurons, "SubnetInfoRuntimeApi_get_subnet_state": state} {
		enc, err := reg.meta.Encode(reg.inner[method], v)
		if err != nil {
			b.Fatal(err)
		}
		var e scale.Encoder
		e.ByteVec(enc)
		r.Srv.SetRuntimeCall(method, e.Bytes())
	}
	viaAPI, err := c.Metagraph(ctx, netuid)
	if err != nil {
		b.Fatal(err)
	}
	viaAPI.Block = fromStorage.Block
	diffStruct(b, "metagraph via runtime APIs", *viaAPI, *fromStorage)
	b.Run("runtime-api", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if _, err := c.Metagraph(ctx, netuid); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// bigSubnet stores an n-uid subnet and returns the neurons-lite and subnet
// state values a runtime holding it answers (TaoWeight 0: stake = alpha).
func bigSubnet(b *testing.B, srv *substratetest.Server, netuid uint16, n int) ([]any, map[string]any) {
	put := func(item string, v any, keys ...any) {
		if err := srv.Put("SubtensorModule", item, v, keys...); err != nil {
			b.Fatal(err)
		}
	}
	put("NetworksAdded", true, netuid)
	put("SubnetworkN", uint64(n), netuid)
	put("TaoWeight", uint64(0))
	var neurons []any
	state := map[string]any{"netuid": uint64(netuid)}
	cols := map[string][]any{}
	for uid := 0; uid < n; uid++ {
		var hk, ck [32]byte
		hk[0], hk[1], ck[0], ck[1] = byte(uid), byte(uid>>8), byte(uid), 0xcc
		stake := uint64(1000 + uid)
		ip := big.NewInt(int64(0x0a000000 + uid))
		axon := map[string]any{"block": uint64(uid), "version": uint64(7), "ip": ip, "port": uint64(8091), "ip_type": uint64(4), "protocol": uint64(4), "placeholder1": uint64(0), "placeholder2": uint64(0)}
		put("Keys", hk, netuid, uint16(uid))
		put("BlockAtRegistration", uint64(100+uid), netuid, uint16(uid))
		put("Owner", ck, hk)
		put("TotalHotkeyAlpha", stake, hk, netuid)
		put("Axons", axon, netuid, hk)
		neurons = append(neurons, map[string]any{
			"hotkey": hk, "coldkey": ck, "uid": uint64(uid), "netuid": uint64(netuid), "active": true, "axon_info": axon,
			"prometheus_info": map[string]any{"block": uint64(0), "version": uint64(0), "ip": uint64(0), "port": uint64(0), "ip_type": uint64(0)},
			"stake":           []any{}, "rank": uint64(0), "emission": uint64(uid), "incentive": uint64(uid % 65536), "consensus": uint64(uid),
			"trust": uint64(0), "validator_trust": uint64(uid % 7), "dividends": uint64(uid % 3), "last_update": uint64(5000 + uid),
			"validator_permit": uid%4 == 0, "pruning_score": uint64(uid % 5),
		})
		for k, v := range map[string]any{"hotkeys": hk, "coldkeys": ck, "active": true, "validator_permit": uid%4 == 0,
			"pruning_score": uint64(uid % 5), "last_update": uint64(5000 + uid), "emission": uint64(uid), "dividends": uint64(uid % 3),
			"incentives": uint64(uid % 65536), "consensus": uint64(uid), "trust": uint64(0), "rank": uint64(0),
			"block_at_registration": uint64(100 + uid), "alpha_stake": stake, "tao_stake": uint64(0), "total_stake": stake} {
			cols[k] = append(cols[k], v)
		}
	}
	for k, v := range cols {
		state[k] = v
	}
	state["emission_history"] = []any{}
	vec := func(item, col string) { put(item, cols[col], netuid) }
	vec("Active", "active")
	vec("ValidatorPermit", "validator_permit")
	vec("PruningScores", "pruning_score")
	vec("LastUpdate", "last_update")
	vec("Emission", "emission")
	vec("Dividends", "dividends")
	vec("Incentive", "incentives")
	vec("Consensus", "consensus")
	vt := make([]any, n)
	for i := range vt {
		vt[i] = uint64(i % 7)
	}
	put("ValidatorTrust", vt, netuid)
	return neurons, state
}
