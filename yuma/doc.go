// Package yuma computes the Yuma Consensus epoch exactly as subtensor does: a pure
// function of stake, weights, bonds and hyperparameters to consensus, incentive,
// dividends, bonds and rao emission, in substrate_fixed arithmetic with no floats.
//
// Epoch is the on-chain sparse path (classic bonds EMA or Yuma3 with optional
// liquid alpha); it reproduces subtensor's test vectors to the last u16 and rao.
// The package also owns the JSON scenario format of `taonet yuma epoch` and
// `taonet yuma simulate` (ParseScenario, MarshalOutput, Simulate, RunEpoch,
// RunSimulate) and the set_weights helpers MaxUpscaleU16 and CheckMaxLimited.
//
// Scenario JSON (one object; unknown keys are errors): hyperparameters block
// (required), tempo, last_mechanism_step, activity_cutoff, kappa, bonds_penalty,
// bonds_moving_average, yuma3, liquid_alpha, alpha_low, alpha_high,
// alpha_sigmoid_steepness, max_allowed_validators, stake_threshold, owner_uid
// (uid or null) and emission (rao, default 1e9); per-uid lists, one entry per
// uid: stake (required, defines n), last_update (default: block),
// block_at_registration (default 0), validator_permit (default false), weights
// and bonds (lists of [uid, u16] pairs per uid); for simulate, weights_by_epoch
// (a list of weights matrices, the last one held). Absent hyperparameters take
// DefaultParams.
package yuma
