package localnet

import (
	"fmt"
	"sort"
	"strings"

	"github.com/taonet/taonet/subnets/finetuning/validator"
)

// FinetuneAgreement compares every finetuning validator's weights at the
// newest seed block all of them have stepped: validators whose weight
// vectors are identical bit for bit form one group. One group holding every
// validator is agreement; Warming lists validators whose window does not hold
// aggregate_seeds seed blocks yet (started late or lost their state; they
// converge once it does).
type FinetuneAgreement struct {
	// SeedBlock is the newest seed block every validator stepped (0: none).
	SeedBlock  uint64     `json:"seed_block"`
	Validators []string   `json:"validators"`
	Groups     [][]string `json:"groups"`
	// Behind lists validators with no step at SeedBlock among their recent
	// steps (they lag or skipped it).
	Behind  []string       `json:"behind,omitempty"`
	Window  map[string]int `json:"window"` // seed blocks in each validator's window at SeedBlock
	Warming []string       `json:"warming,omitempty"`
	Agree   bool           `json:"agree"`
}

// FinetuneAgreementOf computes FinetuneAgreement from the validators' recent steps;
// k is aggregate_seeds.
func FinetuneAgreementOf(steps map[string][]FinetuneStep, k int) FinetuneAgreement {
	a := FinetuneAgreement{Validators: sortedKeys(steps), Window: map[string]int{}}
	if len(a.Validators) == 0 {
		return a
	}
	// The newest seed block present in every validator's recent steps.
	count := map[uint64]int{}
	for _, v := range a.Validators {
		seen := map[uint64]bool{}
		for _, s := range steps[v] {
			if !seen[s.SeedBlock] {
				seen[s.SeedBlock] = true
				count[s.SeedBlock]++
			}
		}
	}
	for seed, c := range count {
		if c == len(a.Validators) && seed > a.SeedBlock {
			a.SeedBlock = seed
		}
	}
	if a.SeedBlock == 0 {
		a.Behind = a.Validators
		return a
	}
	byWeights := map[string][]string{}
	var keys []string
	for _, v := range a.Validators {
		var at *FinetuneStep
		for i := range steps[v] {
			if steps[v][i].SeedBlock == a.SeedBlock {
				at = &steps[v][i]
			}
		}
		key := validator.WeightsKey(at.Weights)
		if _, ok := byWeights[key]; !ok {
			keys = append(keys, key)
		}
		byWeights[key] = append(byWeights[key], v)
		a.Window[v] = at.WindowSeeds
		if at.WindowSeeds < k {
			a.Warming = append(a.Warming, v)
		}
	}
	for _, key := range keys {
		a.Groups = append(a.Groups, byWeights[key])
	}
	sort.Slice(a.Groups, func(i, j int) bool { return len(a.Groups[i]) > len(a.Groups[j]) })
	a.Agree = len(a.Groups) == 1
	return a
}

// String is the summary line.
func (a FinetuneAgreement) String() string {
	switch {
	case len(a.Validators) == 0:
		return ""
	case a.SeedBlock == 0:
		return fmt.Sprintf("no seed block stepped by all %d validators yet", len(a.Validators))
	}
	s := fmt.Sprintf("seed block %d: ", a.SeedBlock)
	if a.Agree {
		s += fmt.Sprintf("all %d validators set identical weights", len(a.Validators))
	} else {
		var gs []string
		for _, g := range a.Groups {
			gs = append(gs, "{"+strings.Join(g, " ")+"}")
		}
		s += fmt.Sprintf("%d weight vectors among %d validators: %s", len(a.Groups), len(a.Validators), strings.Join(gs, " "))
	}
	if len(a.Warming) > 0 {
		var ws []string
		for _, v := range a.Warming {
			ws = append(ws, fmt.Sprintf("%s %d", v, a.Window[v]))
		}
		s += fmt.Sprintf(" (window still filling: %s seed blocks)", strings.Join(ws, ", "))
	}
	return s
}

// finetuneK is the finetuning validators' aggregate_seeds.
func (n *Net) finetuneK() int { return Competition(n.o.FinetuneStepInterval).AggregateSeeds }
