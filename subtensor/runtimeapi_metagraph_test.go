package subtensor

import (
	"context"
	"encoding/json"
	"fmt"
	"math/big"
	"net/netip"
	"strings"
	"testing"

	"github.com/taonet/taonet/chain"
	fixture "github.com/taonet/taonet/subtensor/polkadottest"
)

// TestMetagraphViaRuntimeAPI: the metagraph and hyperparameters read through
// the runtime APIs equal the storage reads, on the finney (spec 219) and test
// network (spec 224) v14 metadata. First the node offers no runtime API:
// the client falls back to storage (the state @polkadot/api encoded, as in
// TestReadsFromPolkadotEncodedState). Then the node answers get_neurons_lite,
// get_subnet_state and get_subnet_hyperparams with values @polkadot/types
// encoded (Vec<u8>-wrapped, as those runtimes answer) from that same state:
// the metagraph must come out identical, field for field, from the API
// answers. Last, an answer the built-in registry cannot decode: a warning
// naming the method and spec version, and the storage read again.
func TestMetagraphViaRuntimeAPI(t *testing.T) {
	for _, net := range []fixture.Network{fixture.Finney, fixture.Testnet} {
		t.Run(string(net), func(t *testing.T) {
			r := replay(t, net)
			c := dial(t, r.Srv.URL, r.Mat.GenesisHash)
			ctx := context.Background()
			fromStorage, err := c.Metagraph(ctx, 3)
			if err != nil {
				t.Fatal(err)
			}
			if n := len(r.Srv.StateCalls()); n != 0 {
				t.Fatalf("%d scripted state_calls answered before any was scripted", n)
			}
			var ans struct {
				Encode []struct {
					Hex string `json:"hex"`
				} `json:"encode"`
			}
			neurons, state, hp := apiValuesOf(t, fromStorage)
			if err := json.Unmarshal(fixture.TypedAPI(t, map[string]any{"encode": []map[string]any{
				{"type": "Vec<NeuronInfoLite>", "value": neurons, "wrap": true},
				{"type": "SubnetState", "value": state, "wrap": true},
				{"type": "SubnetHyperparams", "value": hp, "wrap": true},
			}}), &ans); err != nil || len(ans.Encode) != 3 {
				t.Fatalf("runtimeapi.mjs: %v", err)
			}
			r.Srv.SetRuntimeCall("NeuronInfoRuntimeApi_get_neurons_lite", hexBytes(t, ans.Encode[0].Hex))
			r.Srv.SetRuntimeCall("SubnetInfoRuntimeApi_get_subnet_state", hexBytes(t, ans.Encode[1].Hex))
			r.Srv.SetRuntimeCall("SubnetInfoRuntimeApi_get_subnet_hyperparams", hexBytes(t, ans.Encode[2].Hex))
			var warned []string
			Warnf = func(f string, a ...any) { warned = append(warned, fmt.Sprintf(f, a...)) }
			t.Cleanup(func() { Warnf = defaultWarnf })
			viaAPI, err := c.Metagraph(ctx, 3)
			if err != nil || len(warned) != 0 {
				t.Fatalf("%v; warnings %q", err, warned)
			}
			viaAPI.Block = fromStorage.Block
			diffStruct(t, "metagraph via runtime APIs", *viaAPI, *fromStorage)
			var methods []string
			for _, call := range r.Srv.StateCalls() {
				methods = append(methods, call.Method)
			}
			if got := strings.Join(methods, ","); got != "NeuronInfoRuntimeApi_get_neurons_lite,SubnetInfoRuntimeApi_get_subnet_state,SubnetInfoRuntimeApi_get_subnet_hyperparams" {
				t.Errorf("runtime API calls %s", got)
			}
			hpAPI, _, err := c.Hyperparameters(ctx, 3, nil)
			if err != nil {
				t.Fatal(err)
			}
			diffStruct(t, "hyperparameters via runtime API", *hpAPI, fromStorage.Hyperparams)

			r.Srv.SetRuntimeCall("NeuronInfoRuntimeApi_get_neurons_lite", []byte{0x0c, 0x04, 0xff, 0xff})
			again, err := c.Metagraph(ctx, 3)
			if err != nil {
				t.Fatal(err)
			}
			again.Block = fromStorage.Block
			diffStruct(t, "metagraph after an undecodable answer", *again, *fromStorage)
			if len(warned) != 1 || !strings.Contains(warned[0], "NeuronInfoRuntimeApi_get_neurons_lite of runtime spec "+r.Mat.SpecVersion) || !strings.Contains(warned[0], "reading storage instead") {
				t.Errorf("warnings %q", warned)
			}
		})
	}
}

// apiValuesOf renders a metagraph as the runtime API values a runtime holding
// the same state answers, in @polkadot/types' JSON input form.
func apiValuesOf(t *testing.T, mg *chain.Metagraph) ([]map[string]any, map[string]any, map[string]any) {
	var neurons []map[string]any
	for i := range mg.UIDs {
		ax := mg.Axons[i]
		neurons = append(neurons, map[string]any{
			"hotkey": mg.Hotkeys[i], "coldkey": mg.Coldkeys[i], "uid": mg.UIDs[i], "netuid": mg.Netuid, "active": mg.Active[i],
			"axon_info": map[string]any{"block": ax.Block, "version": ax.Version, "ip": ipNumber(t, ax.IP).String(), "port": ax.Port, "ip_type": ax.IPType, "protocol": ax.Protocol},
			"stake":     [][]any{{mg.Coldkeys[i], fmt.Sprint(mg.TaoStake[i])}}, "emission": fmt.Sprint(mg.Emission[i]),
			"incentive": mg.Incentive[i], "consensus": mg.Consensus[i], "validator_trust": mg.ValidatorTrust[i], "dividends": mg.Dividends[i],
			"last_update": fmt.Sprint(mg.LastUpdate[i]), "validator_permit": mg.ValidatorPermit[i], "pruning_score": mg.PruningScore[i],
		})
	}
	u64s := func(v []uint64) []string {
		out := []string{}
		for _, x := range v {
			out = append(out, fmt.Sprint(x))
		}
		return out
	}
	state := map[string]any{
		"netuid": mg.Netuid, "hotkeys": mg.Hotkeys, "coldkeys": mg.Coldkeys, "active": mg.Active, "validator_permit": mg.ValidatorPermit,
		"pruning_score": mg.PruningScore, "last_update": u64s(mg.LastUpdate), "emission": u64s(mg.Emission), "dividends": mg.Dividends,
		"incentives": mg.Incentive, "consensus": mg.Consensus, "trust": make([]uint16, mg.N), "rank": make([]uint16, mg.N),
		"block_at_registration": u64s(mg.BlockAtRegistration), "alpha_stake": u64s(mg.AlphaStake), "tao_stake": u64s(mg.TaoStake),
		"total_stake": u64s(mg.TotalStake), "emission_history": [][]string{},
	}
	h := mg.Hyperparams
	hp := map[string]any{
		"rho": h.Rho, "kappa": h.Kappa, "immunity_period": h.ImmunityPeriod, "min_allowed_weights": h.MinAllowedWeights,
		"max_weights_limit": h.MaxWeightsLimit, "tempo": h.Tempo, "weights_version": fmt.Sprint(h.WeightsVersion),
		"weights_rate_limit": fmt.Sprint(h.WeightsRateLimit), "adjustment_interval": h.AdjustmentInterval, "activity_cutoff": h.ActivityCutoff,
		"registration_allowed": h.RegistrationAllowed, "target_regs_per_interval": h.TargetRegsPerInterval, "min_burn": fmt.Sprint(h.MinBurn),
		"max_burn": fmt.Sprint(h.MaxBurn), "bonds_moving_avg": fmt.Sprint(h.BondsMovingAvg), "max_regs_per_block": h.MaxRegsPerBlock,
		"serving_rate_limit": fmt.Sprint(h.ServingRateLimit), "max_validators": h.MaxValidators, "adjustment_alpha": fmt.Sprint(h.AdjustmentAlpha),
		"commit_reveal_weights_interval": fmt.Sprint(h.CommitRevealPeriod), "commit_reveal_weights_enabled": h.CommitRevealWeightsEnabled,
		"alpha_high": h.AlphaHigh, "alpha_low": h.AlphaLow, "liquid_alpha_enabled": h.LiquidAlphaEnabled,
	}
	return neurons, state, hp
}

// ipNumber is the u128 subtensor stores for an axon's address text.
func ipNumber(t *testing.T, s string) *big.Int {
	a, err := netip.ParseAddr(s)
	if err != nil {
		t.Fatalf("axon ip %q: %v", s, err)
	}
	b := a.AsSlice()
	return new(big.Int).SetBytes(b)
}
