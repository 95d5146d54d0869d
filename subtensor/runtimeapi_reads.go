package subtensor

import (
	"context"
	"errors"
	"log"

	"github.com/taonet/taonet/chain"
	"github.com/taonet/taonet/subtensor/rpc"
)

// Warnf reports a runtime API answer the client could not use and read
// storage instead (tests replace it).
var Warnf = defaultWarnf

var defaultWarnf = log.Printf

// apiOrStorage decides what a runtime API error means for a read that can
// fall back to storage. The runtime not offering the method: storage,
// silently. An answer the built-in registry (v14 runtimes) cannot decode (a
// runtime whose layout the registry does not know), a value that does not
// fit the typed reader, or a node that fails a call its metadata declares
// (e.g. a trap inside the runtime): storage, with a warning naming the
// method and spec version. An answer that contradicts
// the runtime's own declared type, or a transport error: the read fails.
func apiOrStorage(err error) (useStorage bool, fatal error) {
	if err == nil {
		return false, nil
	}
	if errors.Is(err, ErrAPIUnavailable) {
		return true, nil
	}
	var de *APIDecodeError
	var re *rpc.Error
	if (errors.As(err, &de) && (!de.Declared || de.Unfit)) || (!errors.As(err, &de) && errors.As(err, &re)) {
		Warnf("subtensor: warning: %v; reading storage instead", err)
		return true, nil
	}
	return false, err
}

// neuronsFromAPI fills the metagraph's per-uid fields from
// NeuronInfoRuntimeApi_get_neurons_lite (keys, axons, activity, scores,
// validator trust) and SubnetInfoRuntimeApi_get_subnet_state (registration
// blocks and the runtime's own alpha/tao/total stake), two state_calls in
// place of several storage reads per uid. It reports false when the runtime
// offers either not, so the caller reads storage.
func (c *Client) neuronsFromAPI(ctx context.Context, at Head, netuid uint16, mg *chain.Metagraph) (bool, error) {
	neurons, err := c.NeuronsLite(ctx, at, netuid)
	if storage, err := apiOrStorage(err); storage || err != nil {
		return false, err
	}
	st, err := c.SubnetStateAPI(ctx, at, netuid)
	if storage, err := apiOrStorage(err); storage || err != nil {
		return false, err
	}
	if st == nil || len(st.Hotkeys) != len(neurons) || len(st.TotalStake) != len(neurons) ||
		len(st.AlphaStake) != len(neurons) || len(st.TaoStake) != len(neurons) || len(st.BlockAtRegistration) != len(neurons) {
		Warnf("subtensor: warning: get_neurons_lite(%d) and get_subnet_state(%d) disagree on the subnet's size; reading storage instead", netuid, netuid)
		return false, nil
	}
	n := len(neurons)
	mg.N = uint16(n)
	mg.UIDs, mg.Hotkeys, mg.Coldkeys = make([]uint16, n), make([]string, n), make([]string, n)
	mg.Consensus, mg.Incentive, mg.Dividends = make([]uint16, n), make([]uint16, n), make([]uint16, n)
	mg.ValidatorTrust, mg.PruningScore = make([]uint16, n), make([]uint16, n)
	mg.Emission, mg.LastUpdate = make([]uint64, n), make([]uint64, n)
	mg.ValidatorPermit, mg.Active = make([]bool, n), make([]bool, n)
	mg.Axons = make([]chain.AxonInfo, n)
	for i, nr := range neurons {
		mg.UIDs[i], mg.Hotkeys[i], mg.Coldkeys[i] = nr.UID, nr.Hotkey, nr.Coldkey
		mg.Consensus[i], mg.Incentive[i], mg.Dividends[i] = nr.Consensus, nr.Incentive, nr.Dividends
		mg.ValidatorTrust[i], mg.PruningScore[i] = nr.ValidatorTrust, nr.PruningScore
		mg.Emission[i], mg.LastUpdate[i] = nr.Emission, nr.LastUpdate
		mg.ValidatorPermit[i], mg.Active[i] = nr.ValidatorPermit, nr.Active
		a := nr.AxonInfo
		mg.Axons[i] = chain.AxonInfo{Block: a.Block, Version: a.Version, Port: a.Port, IPType: a.IPType, Protocol: a.Protocol}
		if a.IP != nil {
			mg.Axons[i].IP = ipText(a.IP, a.IPType)
		} else {
			mg.Axons[i].IP = "0.0.0.0"
		}
	}
	mg.BlockAtRegistration = st.BlockAtRegistration
	mg.AlphaStake, mg.TaoStake, mg.TotalStake = st.AlphaStake, st.TaoStake, st.TotalStake
	mg.Stake = append([]uint64(nil), st.TotalStake...)
	return true, nil
}

// readHyperparams fills h from SubnetInfoRuntimeApi_get_subnet_hyperparams_v2
// (or get_subnet_hyperparams) where the runtime offers it and reads the rest
// (burn, bonds penalty, max uids, stake threshold, and the V2-only fields on
// V1 runtimes) from storage in one batch; where it does not, everything
// comes from storage.
func (c *Client) readHyperparams(ctx context.Context, at Head, rt *Runtime, netuid uint16, h *chain.Hyperparams) error {
	p, err := c.SubnetHyperparamsAPI(ctx, at, netuid)
	storage, err := apiOrStorage(err)
	if err != nil {
		return err
	}
	reads := hyperparamReads(netuid, h)
	if !storage && p != nil {
		hyperparamsOf(p, h)
		keep := map[string]bool{"Burn": true, "BondsPenalty": true, "MaxAllowedUids": true, "StakeThreshold": true}
		if !p.V2 {
			keep["Yuma3On"], keep["BondsResetOn"], keep["AlphaSigmoidSteepness"] = true, true, true
		}
		var rest []Read
		for _, r := range reads {
			if keep[r.Item] {
				rest = append(rest, r)
			}
		}
		reads = rest
	}
	return c.ReadMany(ctx, at, rt, reads)
}

// hyperparamsOf maps the runtime API's hyperparameters onto taonet's.
func hyperparamsOf(p *SubnetHyperparams, h *chain.Hyperparams) {
	h.Rho, h.Kappa, h.ImmunityPeriod, h.Tempo = p.Rho, p.Kappa, p.ImmunityPeriod, p.Tempo
	h.MinAllowedWeights, h.MaxWeightsLimit = p.MinAllowedWeights, p.MaxWeightsLimit
	h.WeightsVersion, h.WeightsRateLimit = p.WeightsVersion, p.WeightsRateLimit
	h.AdjustmentInterval, h.ActivityCutoff, h.AdjustmentAlpha = p.AdjustmentInterval, p.ActivityCutoff, p.AdjustmentAlpha
	h.RegistrationAllowed, h.TargetRegsPerInterval, h.MaxRegsPerBlock = p.RegistrationAllowed, p.TargetRegsPerInterval, p.MaxRegsPerBlock
	h.MinBurn, h.MaxBurn, h.BondsMovingAvg = p.MinBurn, p.MaxBurn, p.BondsMovingAvg
	h.ServingRateLimit, h.MaxValidators = p.ServingRateLimit, p.MaxValidators
	h.CommitRevealPeriod, h.CommitRevealWeightsEnabled = p.CommitRevealPeriod, p.CommitRevealWeightsEnabled
	h.AlphaHigh, h.AlphaLow, h.LiquidAlphaEnabled = p.AlphaHigh, p.AlphaLow, p.LiquidAlphaEnabled
	if p.YumaVersion != nil {
		h.Yuma3Enabled = *p.YumaVersion == 3
	}
	if p.BondsResetEnabled != nil {
		h.BondsResetEnabled = *p.BondsResetEnabled
	}
	if p.AlphaSigmoidSteepness != nil && p.AlphaSigmoidSteepness.Bits != nil {
		// I32F32 made from the i16 storage value: the integer part is it.
		h.AlphaSigmoidSteepness = int16(p.AlphaSigmoidSteepness.Bits.Int64() >> 32)
	}
}
