package localnet

import (
	"strings"
	"testing"
)

func TestFinetuneAgreement(t *testing.T) {
	w := func(x float64) map[uint16]float64 { return map[uint16]float64{1: x, 2: 1 - x} }
	steps := map[string][]FinetuneStep{
		"fv0": {{SeedBlock: 10, Weights: w(0.5), WindowSeeds: 3}, {SeedBlock: 20, Weights: w(0.25), WindowSeeds: 3}, {SeedBlock: 30, Weights: w(0.3), WindowSeeds: 3}},
		"fv1": {{SeedBlock: 20, Weights: w(0.25), WindowSeeds: 3}, {SeedBlock: 30, Weights: w(0.3), WindowSeeds: 3}},
		"fv2": {{SeedBlock: 20, Weights: w(0.25), WindowSeeds: 2}},
	}
	a := FinetuneAgreementOf(steps, 3)
	// Seed 20 is the newest all three stepped; fv2 agrees but its window is short.
	if a.SeedBlock != 20 || !a.Agree || len(a.Groups) != 1 || len(a.Groups[0]) != 3 || strings.Join(a.Warming, ",") != "fv2" {
		t.Fatalf("%+v", a)
	}
	if s := a.String(); !strings.Contains(s, "all 3 validators set identical weights") || !strings.Contains(s, "fv2 2") {
		t.Fatalf("summary %q", s)
	}
	// The third validator differs in the last bit: two groups, named.
	steps["fv2"][0].Weights = map[uint16]float64{1: 0.25, 2: 0.7500000000000001}
	a = FinetuneAgreementOf(steps, 3)
	if a.Agree || len(a.Groups) != 2 || strings.Join(a.Groups[0], ",") != "fv0,fv1" || strings.Join(a.Groups[1], ",") != "fv2" {
		t.Fatalf("%+v", a)
	}
	if s := a.String(); !strings.Contains(s, "2 weight vectors among 3 validators: {fv0 fv1} {fv2}") {
		t.Fatalf("summary %q", s)
	}
	// No seed block in common yet.
	steps["fv2"] = []FinetuneStep{{SeedBlock: 40, Weights: w(0.3)}}
	if a = FinetuneAgreementOf(steps, 3); a.SeedBlock != 0 || a.Agree || !strings.Contains(a.String(), "no seed block stepped by all 3") {
		t.Fatalf("%+v %q", a, a.String())
	}
	if a = FinetuneAgreementOf(nil, 3); a.String() != "" {
		t.Fatal("agreement without validators")
	}
}
