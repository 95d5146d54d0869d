package polkadottest

import (
	"encoding/json"
	"fmt"
	"math/big"
	"net/netip"
	"path/filepath"
	"testing"
	"time"

	"github.com/taonet/taonet/chain"
)

// TypedAPI runs interop/polkadot/runtimeapi.mjs on req: @polkadot/types,
// given subtensor's runtime API types written from the upstream Rust
// structs, encodes values (createType, optionally in the runtimes' Vec<u8>
// wrapper), decodes given bytes, and decodes runtime API answers by a v15
// metadata's declared output types. The answer is the script's JSON.
func TypedAPI(t testing.TB, req any) json.RawMessage {
	t.Helper()
	in, err := json.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	return runNode(t, filepath.Join("@polkadot", "types"), "runtimeapi.mjs", 90*time.Second, in, filepath.Join(InteropDir(), "runtimeapi.mjs"))
}

// MetagraphAnswers are the answers a v14 subtensor runtime holding mg's state
// gives to get_neurons_lite, get_subnet_state and get_subnet_hyperparams of
// mg's subnet, by state_call method: @polkadot/types encodes them (in the
// runtimes' Vec<u8> wrapper) from values taken from mg. Fields the storage
// reads do not carry (rank, trust, prometheus, difficulty) are zero.
func MetagraphAnswers(t testing.TB, mg *chain.Metagraph) map[string][]byte {
	t.Helper()
	neurons, state, hp := apiValuesOf(t, mg)
	var ans struct {
		Encode []struct {
			Hex string `json:"hex"`
		} `json:"encode"`
	}
	if err := json.Unmarshal(TypedAPI(t, map[string]any{"encode": []map[string]any{
		{"type": "Vec<NeuronInfoLite>", "value": neurons, "wrap": true},
		{"type": "SubnetState", "value": state, "wrap": true},
		{"type": "SubnetHyperparams", "value": hp, "wrap": true},
	}}), &ans); err != nil || len(ans.Encode) != 3 {
		t.Fatalf("runtimeapi.mjs: %v", err)
	}
	out := map[string][]byte{}
	for i, method := range []string{"NeuronInfoRuntimeApi_get_neurons_lite", "SubnetInfoRuntimeApi_get_subnet_state", "SubnetInfoRuntimeApi_get_subnet_hyperparams"} {
		raw, err := json.Marshal(ans.Encode[i].Hex)
		if err != nil {
			t.Fatal(err)
		}
		out[method] = Hex(t, raw)
	}
	return out
}

// apiValuesOf renders a metagraph as the runtime API values a runtime holding
// the same state answers, in @polkadot/types' JSON input form.
func apiValuesOf(t testing.TB, mg *chain.Metagraph) ([]map[string]any, map[string]any, map[string]any) {
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
func ipNumber(t testing.TB, s string) *big.Int {
	a, err := netip.ParseAddr(s)
	if err != nil {
		t.Fatalf("axon ip %q: %v", s, err)
	}
	b := a.AsSlice()
	return new(big.Int).SetBytes(b)
}
