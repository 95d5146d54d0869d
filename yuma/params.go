package yuma

// DefaultParams returns upstream's hyperparameters for a new subnet
// (subtensor runtime/storage defaults, overridden by init_new_network where it
// sets a value): tempo 360, activity cutoff 5000 blocks (13 889‰ of tempo 360),
// kappa 32767, bonds penalty 65535 (β = 1), bonds moving average 900 000, Yuma3 on
// (new subnets since 2026-03), liquid alpha off with alpha (low, high) =
// (45875, 58982), sigmoid steepness 1000, 64 validators, stake threshold 0, and no
// owner uid. Block and LastMechanismStep are 0.
func DefaultParams() Params {
	return Params{
		Tempo:                 360,
		ActivityCutoff:        5000,
		Kappa:                 32767,
		BondsPenalty:          65535,
		BondsMovingAverage:    900000,
		Yuma3:                 true,
		LiquidAlpha:           false,
		AlphaLow:              45875,
		AlphaHigh:             58982,
		AlphaSigmoidSteepness: 1000,
		MaxAllowedValidators:  64,
		StakeThreshold:        0,
		OwnerUID:              -1,
	}
}

// DefaultEmission is the rao an epoch distributes when a scenario does not say
// (one block emission of 1 TAO, as the upstream epoch tests use).
const DefaultEmission uint64 = 1_000_000_000

// ActivityCutoffFromFactor is the current (dynamic-tempo) activity cutoff:
// max(1, factorMilli × tempo / 1000) with integer division; the default factor
// 13 889 gives 5 000 blocks at tempo 360.
func ActivityCutoffFromFactor(factorMilli uint64, tempo uint16) uint64 {
	return max(1, factorMilli*uint64(tempo)/1000)
}
