// Package yuma computes the Yuma Consensus epoch exactly as subtensor does: a pure
// function of stake, weights, bonds and hyperparameters to consensus, incentive,
// dividends, bonds and rao emission, in substrate_fixed arithmetic with no floats.
package yuma
