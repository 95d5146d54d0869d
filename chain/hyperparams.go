package chain

import (
	"fmt"
	"sort"
	"strconv"
)

// hpField describes one hyperparameter for SetHyperparameter.
type hpField struct {
	max   uint64 // largest raw value (type bound)
	owner bool   // settable by the subnet owner (else root-only upstream: genesis only here)
	get   func(*Hyperparams) uint64
	set   func(*Hyperparams, uint64)
	check func(h *Hyperparams, v uint64) error // extra upstream bound, nil if none
}

const (
	maxU16 = 65535
	maxU64 = ^uint64(0)
)

func b2u(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}

// hpFields maps every Hyperparams JSON name to its accessor and rules. Owner-settable
// ones follow admin-utils' ensure_subnet_owner_or_root; root-only ones are fixed by
// genesis (this chain has no sudo).
var hpFields = map[string]hpField{
	"rho":                 {maxU16, true, func(h *Hyperparams) uint64 { return uint64(h.Rho) }, func(h *Hyperparams, v uint64) { h.Rho = uint16(v) }, nil},
	"kappa":               {maxU16, false, func(h *Hyperparams) uint64 { return uint64(h.Kappa) }, func(h *Hyperparams, v uint64) { h.Kappa = uint16(v) }, nil},
	"immunity_period":     {maxU16, true, func(h *Hyperparams) uint64 { return uint64(h.ImmunityPeriod) }, func(h *Hyperparams, v uint64) { h.ImmunityPeriod = uint16(v) }, nil},
	"min_allowed_weights": {maxU16, true, func(h *Hyperparams) uint64 { return uint64(h.MinAllowedWeights) }, func(h *Hyperparams, v uint64) { h.MinAllowedWeights = uint16(v) }, nil},
	"max_weights_limit":   {maxU16, true, func(h *Hyperparams) uint64 { return uint64(h.MaxWeightsLimit) }, func(h *Hyperparams, v uint64) { h.MaxWeightsLimit = uint16(v) }, nil},
	"tempo":               {maxU16, false, func(h *Hyperparams) uint64 { return uint64(h.Tempo) }, func(h *Hyperparams, v uint64) { h.Tempo = uint16(v) }, nil},
	"weights_version":     {maxU64, true, func(h *Hyperparams) uint64 { return h.WeightsVersion }, func(h *Hyperparams, v uint64) { h.WeightsVersion = v }, nil},
	"weights_rate_limit":  {maxU64, false, func(h *Hyperparams) uint64 { return h.WeightsRateLimit }, func(h *Hyperparams, v uint64) { h.WeightsRateLimit = v }, nil},
	"adjustment_interval": {maxU16, false, func(h *Hyperparams) uint64 { return uint64(h.AdjustmentInterval) }, func(h *Hyperparams, v uint64) { h.AdjustmentInterval = uint16(v) }, nil},
	"activity_cutoff": {maxU16, true, func(h *Hyperparams) uint64 { return uint64(h.ActivityCutoff) }, func(h *Hyperparams, v uint64) { h.ActivityCutoff = uint16(v) },
		func(_ *Hyperparams, v uint64) error {
			if v < minActivityCutoff {
				return fmt.Errorf("activity_cutoff %d below the minimum %d", v, minActivityCutoff)
			}
			return nil
		}},
	"registration_allowed":     {1, false, func(h *Hyperparams) uint64 { return b2u(h.RegistrationAllowed) }, func(h *Hyperparams, v uint64) { h.RegistrationAllowed = v == 1 }, nil},
	"target_regs_per_interval": {maxU16, false, func(h *Hyperparams) uint64 { return uint64(h.TargetRegsPerInterval) }, func(h *Hyperparams, v uint64) { h.TargetRegsPerInterval = uint16(v) }, nil},
	"min_burn": {maxU64, true, func(h *Hyperparams) uint64 { return h.MinBurn }, func(h *Hyperparams, v uint64) { h.MinBurn = v },
		func(h *Hyperparams, v uint64) error {
			if v > h.MaxBurn {
				return fmt.Errorf("min_burn %d above max_burn %d", v, h.MaxBurn)
			}
			return nil
		}},
	"max_burn": {maxU64, true, func(h *Hyperparams) uint64 { return h.MaxBurn }, func(h *Hyperparams, v uint64) { h.MaxBurn = v },
		func(h *Hyperparams, v uint64) error {
			if v < h.MinBurn {
				return fmt.Errorf("max_burn %d below min_burn %d", v, h.MinBurn)
			}
			return nil
		}},
	"burn": {maxU64, false, func(h *Hyperparams) uint64 { return h.Burn }, func(h *Hyperparams, v uint64) { h.Burn = v }, nil},
	"bonds_moving_avg": {maxU64, true, func(h *Hyperparams) uint64 { return h.BondsMovingAvg }, func(h *Hyperparams, v uint64) { h.BondsMovingAvg = v },
		func(_ *Hyperparams, v uint64) error {
			if v > 975_000 {
				return fmt.Errorf("bonds_moving_avg %d above the owner limit 975000", v)
			}
			return nil
		}},
	"max_regs_per_block": {maxU16, false, func(h *Hyperparams) uint64 { return uint64(h.MaxRegsPerBlock) }, func(h *Hyperparams, v uint64) { h.MaxRegsPerBlock = uint16(v) }, nil},
	"serving_rate_limit": {maxU64, true, func(h *Hyperparams) uint64 { return h.ServingRateLimit }, func(h *Hyperparams, v uint64) { h.ServingRateLimit = v }, nil},
	"max_validators":     {maxU16, false, func(h *Hyperparams) uint64 { return uint64(h.MaxValidators) }, func(h *Hyperparams, v uint64) { h.MaxValidators = uint16(v) }, nil},
	"adjustment_alpha":   {maxU64, true, func(h *Hyperparams) uint64 { return h.AdjustmentAlpha }, func(h *Hyperparams, v uint64) { h.AdjustmentAlpha = v }, nil},
	"commit_reveal_period": {maxU64, true, func(h *Hyperparams) uint64 { return h.CommitRevealPeriod }, func(h *Hyperparams, v uint64) { h.CommitRevealPeriod = v },
		func(_ *Hyperparams, v uint64) error {
			if v < 1 || v > 100 {
				return fmt.Errorf("commit_reveal_period %d outside 1..100", v)
			}
			return nil
		}},
	"commit_reveal_weights_enabled": {1, true, func(h *Hyperparams) uint64 { return b2u(h.CommitRevealWeightsEnabled) }, func(h *Hyperparams, v uint64) { h.CommitRevealWeightsEnabled = v == 1 }, nil},
	"alpha_high": {maxU16, true, func(h *Hyperparams) uint64 { return uint64(h.AlphaHigh) }, func(h *Hyperparams, v uint64) { h.AlphaHigh = uint16(v) },
		func(h *Hyperparams, v uint64) error {
			switch {
			case !h.LiquidAlphaEnabled:
				return fmt.Errorf("liquid alpha is disabled")
			case v < minAlpha:
				return fmt.Errorf("alpha_high %d below %d", v, minAlpha)
			case v < uint64(h.AlphaLow):
				return fmt.Errorf("alpha_high %d below alpha_low %d", v, h.AlphaLow)
			}
			return nil
		}},
	"alpha_low": {maxU16, true, func(h *Hyperparams) uint64 { return uint64(h.AlphaLow) }, func(h *Hyperparams, v uint64) { h.AlphaLow = uint16(v) },
		func(h *Hyperparams, v uint64) error {
			switch {
			case !h.LiquidAlphaEnabled:
				return fmt.Errorf("liquid alpha is disabled")
			case v < minAlpha:
				return fmt.Errorf("alpha_low %d below %d", v, minAlpha)
			case v > uint64(h.AlphaHigh):
				return fmt.Errorf("alpha_low %d above alpha_high %d", v, h.AlphaHigh)
			}
			return nil
		}},
	"liquid_alpha_enabled":    {1, true, func(h *Hyperparams) uint64 { return b2u(h.LiquidAlphaEnabled) }, func(h *Hyperparams, v uint64) { h.LiquidAlphaEnabled = v == 1 }, nil},
	"yuma3_enabled":           {1, true, func(h *Hyperparams) uint64 { return b2u(h.Yuma3Enabled) }, func(h *Hyperparams, v uint64) { h.Yuma3Enabled = v == 1 }, nil},
	"bonds_penalty":           {maxU16, true, func(h *Hyperparams) uint64 { return uint64(h.BondsPenalty) }, func(h *Hyperparams, v uint64) { h.BondsPenalty = uint16(v) }, nil},
	"bonds_reset_enabled":     {1, true, func(h *Hyperparams) uint64 { return b2u(h.BondsResetEnabled) }, func(h *Hyperparams, v uint64) { h.BondsResetEnabled = v == 1 }, nil},
	"alpha_sigmoid_steepness": {32767, true, func(h *Hyperparams) uint64 { return uint64(max(h.AlphaSigmoidSteepness, 0)) }, func(h *Hyperparams, v uint64) { h.AlphaSigmoidSteepness = int16(v) }, nil},
	"max_allowed_uids":        {maxU16, false, func(h *Hyperparams) uint64 { return uint64(h.MaxAllowedUids) }, func(h *Hyperparams, v uint64) { h.MaxAllowedUids = uint16(v) }, nil},
	"stake_threshold":         {maxU64, false, func(h *Hyperparams) uint64 { return h.StakeThreshold }, func(h *Hyperparams, v uint64) { h.StakeThreshold = v }, nil},
	"commitment_max_space":    {1<<32 - 1, false, func(h *Hyperparams) uint64 { return uint64(h.CommitmentMaxSpace) }, func(h *Hyperparams, v uint64) { h.CommitmentMaxSpace = uint32(v) }, nil},
}

const (
	minActivityCutoff = 360  // upstream MinActivityCutoff
	minAlpha          = 1638 // upstream alpha_low/high floor (65535/40)
)

// HyperparameterNames lists every hyperparameter name and whether the subnet owner
// may set it (true) or it is fixed at genesis (false).
func HyperparameterNames() map[string]bool {
	out := make(map[string]bool, len(hpFields))
	for k, f := range hpFields {
		out[k] = f.owner
	}
	return out
}

func hpNames() []string {
	out := make([]string, 0, len(hpFields))
	for k := range hpFields {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func (s *State) doSetHyperparameter(signer string, c *SetHyperparameter) ([]Event, error) {
	sn := s.subnets[c.Netuid]
	if sn == nil {
		return nil, fail(CodeSubnetNotFound, "subnet %d does not exist", c.Netuid)
	}
	if signer != sn.ownerColdkey {
		return nil, fail(CodeNotSubnetOwner, "%s does not own subnet %d (owner %s)", signer, c.Netuid, sn.ownerColdkey)
	}
	f, ok := hpFields[c.Name]
	if !ok {
		return nil, fail(CodeUnknownHyperparameter, "unknown hyperparameter %q (known: %v)", c.Name, hpNames())
	}
	if !f.owner {
		return nil, fail(CodeHyperparameterNotSettable, "hyperparameter %q is root-only upstream; set it in genesis", c.Name)
	}
	if c.Value > f.max {
		return nil, fail(CodeHyperparameterOutOfBounds, "%s = %d exceeds %d", c.Name, c.Value, f.max)
	}
	if f.check != nil {
		if err := f.check(&sn.hp, c.Value); err != nil {
			return nil, fail(CodeHyperparameterOutOfBounds, "%v", err)
		}
	}
	f.set(&sn.hp, c.Value)
	return []Event{event("hyperparameter_set", "netuid", strconv.Itoa(int(c.Netuid)), "name", c.Name,
		"value", u64s(c.Value))}, nil
}
