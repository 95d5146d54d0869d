package scoring

import (
	"fmt"
	"math"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"testing"

	"pgregory.net/rapid"
)

var inf = math.Inf(1)

func TestIsWin(t *testing.T) {
	cases := []struct {
		name   string
		li, lj float64
		bi, bj uint64
		eps    float64
		want   bool
	}{
		{"lower loss same block", 1.0, 2.0, 5, 5, 0.01, true},
		{"higher loss same block", 2.0, 1.0, 5, 5, 0.01, false},
		{"tie same block", 2.0, 2.0, 5, 5, 0.01, false},
		{"earlier wins tie", 2.0, 2.0, 4, 5, 0.01, true},
		{"later loses tie", 2.0, 2.0, 5, 4, 0.01, false},
		// spec §3.1 example: older 2.000, eps 0.01 -> adjusted 1.980.
		{"newer 1.981 vs older 2.0 loses", 1.981, 2.0, 9, 1, 0.01, false},
		{"newer 1.979 vs older 2.0 wins", 1.979, 2.0, 9, 1, 0.01, true},
		{"newer exactly 1.98 loses (strict)", 1.98, 2.0, 9, 1, 0.01, false},
		{"older 2.0 vs newer 1.981 wins", 2.0, 1.981, 1, 9, 0.01, true},
		{"inf vs inf", inf, inf, 1, 2, 0.01, false},
		{"finite vs inf", 10, inf, 2, 1, 0.01, true},
		{"inf vs finite", inf, 10, 1, 2, 0.01, false},
		{"nan", math.NaN(), 1, 1, 2, 0.01, false},
		{"vs nan", 1, math.NaN(), 1, 2, 0.01, false},
	}
	for _, tc := range cases {
		if got := IsWin(tc.li, tc.lj, tc.bi, tc.bj, tc.eps); got != tc.want {
			t.Errorf("%s: IsWin = %v", tc.name, got)
		}
	}
}

func TestComputeWins(t *testing.T) {
	fixed := func(uint64) float64 { return 0.01 }
	ms := []Model{
		{UID: 0, Block: 10, Losses: []float64{1.0, 2.0, 3.0}},
		{UID: 1, Block: 20, Losses: []float64{0.5, 2.0, 3.5}},
		{UID: 2, Block: 30, Losses: []float64{inf, inf, inf}},
	}
	wins, rates := ComputeWins(ms, fixed)
	// uid0 vs uid1: k0 0.99<0.5? no; k1 1.98<2 yes; k2 2.97<3.5 yes -> 2; vs uid2: 3.
	// uid1 vs uid0: k0 0.5<0.99 yes; k1 2<1.98 no; k2 no -> 1; vs uid2: 3.
	// uid2: 0.
	want := []int{5, 4, 0}
	for i := range want {
		if wins[i] != want[i] {
			t.Fatalf("wins %v want %v", wins, want)
		}
	}
	if rates[0] != 5.0/6 || rates[1] != 4.0/6 || rates[2] != 0 {
		t.Fatalf("rates %v", rates)
	}
	// Unequal lengths: only the common prefix is matched.
	_, r := ComputeWins([]Model{{UID: 0, Losses: []float64{1, 1}}, {UID: 1, Losses: []float64{2}}}, fixed)
	if r[0] != 1 || r[1] != 0 {
		t.Fatalf("prefix rates %v", r)
	}
	// A single model has no matches: rate 0, softmax weight 1.
	_, r = ComputeWins([]Model{{UID: 3, Losses: []float64{1}}}, fixed)
	sm, _ := Softmax(r, 0.08)
	if r[0] != 0 || sm[0] != 1 {
		t.Fatalf("single %v %v", r, sm)
	}
}

func TestEpsilonOfEarlierModel(t *testing.T) {
	// The pair's epsilon is the earlier model's; record which block is asked.
	var asked []uint64
	eps := func(b uint64) float64 { asked = append(asked, b); return 0.5 }
	ComputeWins([]Model{{Block: 7, Losses: []float64{1}}, {Block: 3, Losses: []float64{1}}}, eps)
	for _, b := range asked {
		if b != 3 {
			t.Fatalf("asked epsilon for block %d", b)
		}
	}
}

func TestSoftmaxSpecExample(t *testing.T) {
	// spec §3.3: win rates [0.9,0.7,0.5,0.3,0.1] at T=0.08 ≈ [0.918,0.075,0.006,0.0005,0.00004].
	w, err := Softmax([]float64{0.9, 0.7, 0.5, 0.3, 0.1}, 0.08)
	if err != nil {
		t.Fatal(err)
	}
	want := []float64{0.918, 0.075, 0.006, 0.0005, 0.00004}
	tol := []float64{0.001, 0.001, 0.0005, 0.00005, 0.00001}
	for i := range want {
		if math.Abs(w[i]-want[i]) > tol[i] {
			t.Fatalf("softmax %v", w)
		}
	}
	if _, err := Softmax([]float64{1}, 0); err == nil {
		t.Fatal("temperature 0 accepted")
	}
	if _, err := Softmax([]float64{math.NaN()}, 1); err == nil {
		t.Fatal("NaN accepted")
	}
	eq, _ := Softmax([]float64{0.5, 0.5}, 0.01)
	if eq[0] != eq[1] || eq[0] != 0.5 {
		t.Fatalf("ties %v", eq)
	}
}

func TestEMAAndCompose(t *testing.T) {
	e := EMA(map[uint16]float64{1: 1}, map[uint16]float64{2: 1}, 0.9)
	if math.Abs(e[1]-0.9) > 1e-15 || math.Abs(e[2]-0.1) > 1e-15 || len(e) != 2 {
		t.Fatalf("ema %v", e)
	}
	if e := EMA(map[uint16]float64{1: math.NaN()}, nil, 0.5); len(e) != 0 {
		t.Fatalf("NaN kept: %v", e)
	}
	c := Compose(map[string]map[uint16]float64{
		"a": {1: 1},
		"b": {2: 0.5, 3: 0.5},
	}, map[string]float64{"a": 0.6, "b": 0.4})
	if math.Abs(c[1]-0.6) > 1e-15 || math.Abs(c[2]-0.2) > 1e-15 || math.Abs(c[3]-0.2) > 1e-15 {
		t.Fatalf("compose %v", c)
	}
	// A competition that has not run yet: the other is renormalized to 1.
	c = Compose(map[string]map[uint16]float64{"a": {1: 1}}, map[string]float64{"a": 0.6, "b": 0.4})
	if c[1] != 1 {
		t.Fatalf("renormalize %v", c)
	}
}

func TestTopK(t *testing.T) {
	ms := []Model{{UID: 4, Block: 5}, {UID: 1, Block: 9}, {UID: 2, Block: 1}, {UID: 3, Block: 2}}
	rates := []float64{0.1, 0.9, 0.5, 0.5}
	// uid4 holds weight so it ranks first; then uid1 (0.9); then uid2 vs uid3 tie
	// at 0.5 -> earlier block (uid2).
	got := TopK(ms, rates, map[uint16]float64{4: 0.2}, 3)
	want := []uint16{1, 2, 4}
	if len(got) != 3 || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] {
		t.Fatalf("topk %v", got)
	}
}

// Property: win rates are in [0,1]; with equal blocks wins(i,j)+wins(j,i) ≤
// matches; and a model whose loss is lower on every sample than all others
// (by more than any epsilon) has the highest win rate.
func TestWinsProperties(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(1, 6).Draw(t, "n")
		k := rapid.IntRange(1, 8).Draw(t, "k")
		eps := rapid.Float64Range(0, 0.1).Draw(t, "eps")
		ms := make([]Model, n)
		for i := range ms {
			ms[i].UID = uint16(i)
			ms[i].Block = rapid.Uint64Range(0, 5).Draw(t, "block")
			for j := 0; j < k; j++ {
				ms[i].Losses = append(ms[i].Losses, rapid.Float64Range(0.5, 5).Draw(t, "loss"))
			}
		}
		best := rapid.IntRange(0, n-1).Draw(t, "best")
		for j := range ms[best].Losses {
			ms[best].Losses[j] = 0.1
		}
		_, rates := ComputeWins(ms, func(uint64) float64 { return eps })
		for i, r := range rates {
			if r < 0 || r > 1 {
				t.Fatalf("rate %v", r)
			}
			if n > 1 && i != best && r >= rates[best] {
				t.Fatalf("model %d rate %v >= best %v", i, r, rates[best])
			}
		}
	})
}

// softmaxDump hashes the bits of softmax weights over many win-rate vectors
// and temperatures (the step weights every validator must agree on).
func softmaxDump() string {
	var h uint64 = 14695981039346656037
	rng := uint64(1)
	next := func() float64 {
		rng = rng*6364136223846793005 + 1442695040888963407
		return float64(rng>>11) / (1 << 53)
	}
	for i := 0; i < 3000; i++ {
		rates := make([]float64, 2+i%7)
		for j := range rates {
			rates[j] = next()
		}
		for _, temp := range []float64{0.01, 0.08, 0.5, 1} {
			w, err := Softmax(rates, temp)
			if err != nil {
				return err.Error()
			}
			for _, x := range w {
				h = (h ^ math.Float64bits(x)) * 1099511628211
			}
		}
	}
	return fmt.Sprintf("softmax-bits %016x", h)
}

// TestSoftmaxSameBitsWithoutFMA: the same binary on an amd64 CPU without FMA
// (simulated with GODEBUG=cpu.fma=off) gives the same softmax bits. It
// failed with math.Exp, whose amd64 assembly takes an FMA path only on
// CPUs that have it: validators on older CPUs set other weights.
func TestSoftmaxSameBitsWithoutFMA(t *testing.T) {
	if os.Getenv("TAONET_SOFTMAX_DUMP") == "1" {
		fmt.Println(softmaxDump())
		return
	}
	if runtime.GOARCH != "amd64" {
		t.Skip("the CPU-dependent FMA dispatch of math.Exp is amd64's")
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestSoftmaxSameBitsWithoutFMA$", "-test.count=1")
	cmd.Env = append(os.Environ(), "TAONET_SOFTMAX_DUMP=1", "GODEBUG=cpu.fma=off")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	want := softmaxDump()
	if !strings.Contains(string(out), want) {
		t.Fatalf("without FMA: %q, with: %q", strings.TrimSpace(string(out)), want)
	}
}
