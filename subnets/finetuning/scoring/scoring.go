package scoring

import (
	"fmt"
	"math"
	"sort"

	"github.com/taonet/taonet/lm/detmath"
)

// IsWin reports whether model i beats model j on one sample: the model with
// the strictly earlier commit block has its loss multiplied by (1 − eps), and
// i wins iff its (adjusted) loss is strictly lower. eps is the epsilon of the
// earlier model (see competition.Epsilon).
func IsWin(lossI, lossJ float64, blockI, blockJ uint64, eps float64) bool {
	switch {
	case blockI < blockJ:
		lossI = float64(lossI * (1 - eps))
	case blockJ < blockI:
		lossJ = float64(lossJ * (1 - eps))
	}
	return lossI < lossJ
}

// Model is one model's per-sample losses in a step; Losses line up by sample
// index across models (+Inf for a failed model or sample).
type Model struct {
	UID    uint16
	Block  uint64 // commit block
	Losses []float64
}

// EpsilonFunc returns the epsilon advantage of a model committed at block.
type EpsilonFunc func(block uint64) float64

// ComputeWins counts, for each model, its sample wins against every other
// model of the step (upstream compute_wins): for each ordered pair (i, j),
// i ≠ j, over sample indices k < min(len(Li), len(Lj)), one match for i and a
// win if IsWin. The epsilon of a pair is that of its earlier model. Win rate
// = wins / matches (0 without matches). Results are indexed like models.
func ComputeWins(models []Model, eps EpsilonFunc) (wins []int, rates []float64) {
	wins = make([]int, len(models))
	rates = make([]float64, len(models))
	for i, a := range models {
		matches := 0
		for j, b := range models {
			if i == j {
				continue
			}
			e := eps(min(a.Block, b.Block))
			n := min(len(a.Losses), len(b.Losses))
			for k := 0; k < n; k++ {
				matches++
				if IsWin(a.Losses[k], b.Losses[k], a.Block, b.Block, e) {
					wins[i]++
				}
			}
		}
		if matches > 0 {
			rates[i] = float64(wins[i]) / float64(matches)
		}
	}
	return wins, rates
}

// Softmax returns softmax(x / temperature), computed stably (max subtracted).
// A single entry gets weight 1. temperature must be positive.
func Softmax(x []float64, temperature float64) ([]float64, error) {
	if !(temperature > 0) || math.IsInf(temperature, 0) {
		return nil, fmt.Errorf("softmax temperature must be positive and finite, got %v", temperature)
	}
	out := make([]float64, len(x))
	if len(x) == 0 {
		return out, nil
	}
	mx := math.Inf(-1)
	for _, v := range x {
		if math.IsNaN(v) {
			return nil, fmt.Errorf("softmax of NaN")
		}
		mx = max(mx, v)
	}
	var sum float64
	for i, v := range x {
		// detmath.Exp, not math.Exp: the latter's amd64 assembly takes
		// an FMA path only on CPUs that have FMA, and arm64 has its own,
		// so the weights would differ by CPU.
		out[i] = detmath.Exp((v - mx) / temperature)
		sum += out[i]
	}
	for i := range out {
		out[i] /= sum
	}
	return out, nil
}

// EMA returns alpha·old + (1 − alpha)·new elementwise over the union of
// keys (missing = 0); alpha is the share kept from the old value. NaN
// results become 0, as upstream. Entries that reach exactly 0 are dropped.
func EMA(old, new map[uint16]float64, alpha float64) map[uint16]float64 {
	out := make(map[uint16]float64, max(len(old), len(new)))
	for u, v := range old {
		out[u] = float64(alpha * v)
	}
	for u, v := range new {
		out[u] += float64((1 - alpha) * v)
	}
	for u, v := range out {
		if math.IsNaN(v) || v == 0 {
			delete(out, u)
		}
	}
	return out
}

// Normalize scales non-negative weights to sum 1 (all-zero stays empty).
func Normalize(w map[uint16]float64) map[uint16]float64 {
	var sum float64
	for _, u := range sortedKeys(w) {
		sum += w[u]
	}
	out := make(map[uint16]float64, len(w))
	if !(sum > 0) {
		return out
	}
	for u, v := range w {
		if v > 0 {
			out[u] = v / sum
		}
	}
	return out
}

// Compose combines per-competition weights (each summing to 1) into subnet
// weights: Σ share·weights, renormalized to sum 1, so a competition that has
// not run yet does not shrink the others (taoverse get_subnet_weights).
func Compose(perComp map[string]map[uint16]float64, share map[string]float64) map[uint16]float64 {
	out := map[uint16]float64{}
	comps := make([]string, 0, len(perComp))
	for c := range perComp {
		comps = append(comps, c)
	}
	sort.Strings(comps) // fixed summation order: identical floats everywhere
	for _, c := range comps {
		w := perComp[c]
		for _, u := range sortedKeys(w) {
			out[u] += float64(share[c] * w[u]) // rounded: never fused into an FMA
		}
	}
	return Normalize(out)
}

// TopK picks the k models to keep evaluating (spec §2.2, Macrocosmos rule):
// models holding a weight ≥ 0.001 rank by 1 + weight, the others by win rate;
// ties go to the earlier commit block, then the lower uid.
func TopK(models []Model, rates []float64, weight map[uint16]float64, k int) []uint16 {
	type cand struct {
		uid   uint16
		block uint64
		key   float64
	}
	cs := make([]cand, len(models))
	for i, m := range models {
		key := rates[i]
		if w := weight[m.UID]; w >= 0.001 {
			key = 1 + w
		}
		cs[i] = cand{m.UID, m.Block, key}
	}
	sort.Slice(cs, func(a, b int) bool {
		if cs[a].key != cs[b].key {
			return cs[a].key > cs[b].key
		}
		if cs[a].block != cs[b].block {
			return cs[a].block < cs[b].block
		}
		return cs[a].uid < cs[b].uid
	})
	var out []uint16
	for i := 0; i < len(cs) && i < k; i++ {
		out = append(out, cs[i].uid)
	}
	sort.Slice(out, func(a, b int) bool { return out[a] < out[b] })
	return out
}

// StepWeights turns one competition step into weights: softmax of the win
// rates at temperature, keyed by uid.
func StepWeights(models []Model, rates []float64, temperature float64) (map[uint16]float64, error) {
	sm, err := Softmax(rates, temperature)
	if err != nil {
		return nil, err
	}
	out := make(map[uint16]float64, len(models))
	for i, m := range models {
		out[m.UID] += sm[i]
	}
	return out, nil
}

// sortedKeys returns the uids of w in ascending order.
func sortedKeys(w map[uint16]float64) []uint16 {
	ks := make([]uint16, 0, len(w))
	for u := range w {
		ks = append(ks, u)
	}
	sort.Slice(ks, func(a, b int) bool { return ks[a] < ks[b] })
	return ks
}

// Vector returns the uids (ascending) and weights of w with positive weight,
// the form set_weights takes.
func Vector(w map[uint16]float64) ([]uint16, []float64) {
	var uids []uint16
	var vals []float64
	for _, u := range sortedKeys(w) {
		if w[u] > 0 {
			uids = append(uids, u)
			vals = append(vals, w[u])
		}
	}
	return uids, vals
}
