package tasks

import (
	"math/big"
	"testing"

	pctx "github.com/taonet/taonet/subnets/prompting/context"
)

func TestMathKindsHand(t *testing.T) {
	byName := map[string]*MathKind{}
	for _, k := range MathKinds {
		if byName[k.Name] != nil {
			t.Fatalf("duplicate kind %s", k.Name)
		}
		byName[k.Name] = k
	}
	if len(byName) < 30 {
		t.Fatalf("%d kinds, want ≥ 30", len(byName))
	}
	// answers computed by hand
	cases := []struct {
		kind string
		args []int64
		want string
	}{
		{"addition", []int64{22, 34}, "56"},
		{"subtraction", []int64{5, 12}, "-7"},
		{"division", []int64{144, 12}, "12"},
		{"order_of_operations", []int64{3, 4, 5, 6}, "17"},
		{"percentage", []int64{15, 80}, "12"},
		{"percent_change", []int64{80, 100}, "25"},
		{"percent_change", []int64{3, 4}, "100/3"},
		{"fraction_addition", []int64{1, 2, 1, 3}, "5/6"},
		{"fraction_division", []int64{1, 2, 1, 4}, "2"},
		{"linear_equation", []int64{4, 3, 5}, "0.5"},
		{"system_of_equations", []int64{10, 3}, "6.5"},
		{"quadratic_root", []int64{7, 12}, "4"},
		{"gcd", []int64{84, 36}, "12"},
		{"lcm", []int64{4, 6}, "12"},
		{"nth_prime", []int64{1}, "2"},
		{"nth_prime", []int64{25}, "97"},
		{"prime_count", []int64{100}, "25"},
		{"triangle_area", []int64{5, 3}, "7.5"},
		{"hypotenuse", []int64{5, 12}, "13"},
		{"celsius_to_fahrenheit", []int64{37}, "98.6"},
		{"grams_to_kg", []int64{1250}, "1.25"},
		{"geometric_sequence", []int64{3, 2, 5}, "48"},
		{"sum_of_integers", []int64{100}, "5050"},
		{"factorial", []int64{10}, "3628800"},
		{"combinations", []int64{2, 5}, "10"},
		{"permutations", []int64{2, 5}, "20"},
		{"median", []int64{9, 1, 5, 3, 7}, "5"},
		{"mean", []int64{1, 2, 3, 5}, "2.75"},
		{"simple_interest", []int64{1000, 5, 3}, "150"},
		{"remainder", []int64{100, 7}, "2"},
		{"dice_probability", []int64{7}, "1/6"},
		{"triangle_angle", []int64{60, 70}, "50"},
	}
	for _, c := range cases {
		k := byName[c.kind]
		if k == nil {
			t.Fatalf("no kind %s", c.kind)
		}
		x, ok := k.Solve(c.args)
		if !ok || FormatAnswer(x) != c.want {
			t.Errorf("%s%v = %v (%v), want %s", c.kind, c.args, x, ok, c.want)
		}
	}
}

func TestFormatAnswer(t *testing.T) {
	for _, c := range []struct {
		r    *big.Rat
		want string
	}{{big.NewRat(3, 8), "0.375"}, {big.NewRat(-1, 3), "-1/3"}, {big.NewRat(10, 2), "5"}, {big.NewRat(1, 1000), "0.001"}} {
		if got := FormatAnswer(c.r); got != c.want {
			t.Errorf("%v → %s want %s", c.r, got, c.want)
		}
	}
}

// Every kind generates solvable problems, and SolveMath finds the problem
// inside a template challenge and gets the reference answer.
func TestMathGenerateSolveRoundTrip(t *testing.T) {
	rng := pctx.NewRand(1)
	seen := map[string]bool{}
	for i := 0; i < 3000; i++ {
		p, err := GenerateMath(rng)
		if err != nil {
			t.Fatal(err)
		}
		seen[p.Kind] = true
		q := templateChallenge(rng, p.Problem, mathRequests)
		ans, kind, ok := SolveMath(q)
		if !ok || ans != p.Answer {
			t.Fatalf("%s: SolveMath(%q) = %q,%s,%v want %q", p.Kind, q, ans, kind, ok, p.Answer)
		}
	}
	if len(seen) != len(MathKinds) {
		t.Errorf("only %d of %d kinds drawn", len(seen), len(MathKinds))
	}
}
