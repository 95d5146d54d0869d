package rewards

import (
	"fmt"
	"math"
)

// Score-keeping constants (§4.10, §4.11, v1.1.0+).
const (
	DefaultAlpha       = 0.1   // moving-average weight of the newest step
	DefaultDecay       = 0.001 // subtracted from every score each step
	DefaultEpochLength = 100   // blocks between weight settings
)

// UpdateScores folds one step into the per-UID moving average and returns a
// new vector (scores is not modified): queried UIDs move to
// alpha·reward + (1−alpha)·old, everyone else keeps their score, then every
// score is reduced by decay and floored at 0 (punishes absent miners). NaN
// or negative rewards count as 0, rewards above 1 as 1. UIDs outside the
// vector, duplicates and length mismatches are errors.
func UpdateScores(scores []float64, uids []int, rewards []float64, alpha, decay float64) ([]float64, error) {
	if len(uids) != len(rewards) {
		return nil, fmt.Errorf("rewards: %d uids but %d rewards", len(uids), len(rewards))
	}
	if !(alpha >= 0 && alpha <= 1) || !(decay >= 0) {
		return nil, fmt.Errorf("rewards: alpha %v / decay %v out of range", alpha, decay)
	}
	out := make([]float64, len(scores))
	copy(out, scores)
	seen := make(map[int]bool, len(uids))
	for i, u := range uids {
		if u < 0 || u >= len(scores) {
			return nil, fmt.Errorf("rewards: uid %d outside [0,%d)", u, len(scores))
		}
		if seen[u] {
			return nil, fmt.Errorf("rewards: uid %d queried twice", u)
		}
		seen[u] = true
		r := rewards[i]
		if math.IsNaN(r) || r < 0 {
			r = 0
		}
		if r > 1 {
			r = 1
		}
		out[u] = alpha*r + (1-alpha)*out[u]
	}
	for i, s := range out {
		if math.IsNaN(s) {
			s = 0
		}
		s -= decay
		if s < 0 {
			s = 0
		}
		out[i] = s
	}
	return out, nil
}

// ResyncScores maps scores kept for oldHotkeys (by UID) onto newHotkeys
// after a metagraph resync: a UID keeps its score only if the same hotkey
// still holds it; replaced UIDs and new UIDs start at 0; the vector takes
// the new length.
func ResyncScores(scores []float64, oldHotkeys, newHotkeys []string) []float64 {
	out := make([]float64, len(newHotkeys))
	for uid, hk := range newHotkeys {
		if uid < len(oldHotkeys) && uid < len(scores) && oldHotkeys[uid] == hk {
			out[uid] = scores[uid]
		}
	}
	return out
}

// NormalizeWeights is torch.nn.functional.normalize(p=1) of the scores:
// each score divided by the sum of absolute values (eps 1e-12), so an
// all-zero vector stays all zero. NaN scores count as 0.
func NormalizeWeights(scores []float64) []float64 {
	sum := 0.0
	for _, s := range scores {
		if !math.IsNaN(s) {
			sum += math.Abs(s)
		}
	}
	if sum < 1e-12 {
		sum = 1e-12
	}
	out := make([]float64, len(scores))
	for i, s := range scores {
		if !math.IsNaN(s) {
			out[i] = s / sum
		}
	}
	return out
}

// ShouldSetWeights is upstream's should_set_weights: never at step 0, and
// only when more than epochLength blocks passed since this validator's last
// weight update on chain.
func ShouldSetWeights(step, currentBlock, lastUpdate, epochLength uint64) bool {
	if step == 0 || currentBlock < lastUpdate {
		return false
	}
	return currentBlock-lastUpdate > epochLength
}
