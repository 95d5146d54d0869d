package yuma

import (
	"fmt"
	"reflect"
	"slices"
	"sort"
	"testing"

	"pgregory.net/rapid"

	fx "github.com/taonet/taonet/fixed"
)

// genInput draws a random but well-formed epoch input.
func genInput(t *rapid.T, distinctStake bool) Input {
	n := rapid.IntRange(1, 12).Draw(t, "n")
	p := DefaultParams()
	p.Block = rapid.Uint64Range(1, 20000).Draw(t, "block")
	p.Tempo = uint16(rapid.IntRange(0, 400).Draw(t, "tempo"))
	p.ActivityCutoff = rapid.SampledFrom([]uint64{5000, 5000, rapid.Uint64Range(0, 10000).Draw(t, "c")}).Draw(t, "cutoff")
	p.Kappa = rapid.SampledFrom([]uint16{32767, rapid.Uint16().Draw(t, "k")}).Draw(t, "kappa")
	p.BondsPenalty = rapid.SampledFrom([]uint16{0, 65535, rapid.Uint16().Draw(t, "penalty")}).Draw(t, "bp")
	p.BondsMovingAverage = rapid.Uint64Range(0, 1_000_000).Draw(t, "bma")
	p.Yuma3 = rapid.Bool().Draw(t, "yuma3")
	p.LiquidAlpha = rapid.Bool().Draw(t, "liquid")
	p.AlphaLow = uint16(rapid.IntRange(1638, 65535).Draw(t, "alow"))
	p.AlphaHigh = uint16(rapid.IntRange(int(p.AlphaLow), 65535).Draw(t, "ahigh"))
	p.AlphaSigmoidSteepness = int16(rapid.IntRange(-2000, 2000).Draw(t, "steep"))
	p.MaxAllowedValidators = uint16(rapid.SampledFrom([]int{64, rapid.IntRange(0, 14).Draw(t, "mv")}).Draw(t, "maxval"))
	p.StakeThreshold = rapid.SampledFrom([]uint64{0, 0, 1000}).Draw(t, "threshold")
	p.OwnerUID = rapid.IntRange(-1, n-1).Draw(t, "owner")
	in := Input{Params: p, Emission: rapid.SampledFrom([]uint64{1e9, 0, 1, 123456789012, 1 << 62}).Draw(t, "emission")}
	used := map[uint64]bool{}
	for i := 0; i < n; i++ {
		var stake uint64
		if rapid.IntRange(0, 3).Draw(t, "stakekind") > 0 {
			stake = rapid.Uint64Range(0, 1<<40).Draw(t, "stake")
		}
		if distinctStake {
			// small distinct stakes keep the normalized stakes distinct too
			// (consecutive values differ by more than 2^-32 of the total)
			stake = stake%10000 + 1
			for used[stake] {
				stake++
			}
			used[stake] = true
		}
		// mostly a live subnet (recent weights, old registrations, permits),
		// sometimes anything, so both the full path and the masks are exercised
		nr := Neuron{Stake: stake}
		if rapid.IntRange(0, 4).Draw(t, "realistic") > 0 {
			nr.BlockAtRegistration = rapid.Uint64Range(0, p.Block/8).Draw(t, "reg")
			nr.LastUpdate = p.Block - rapid.Uint64Range(0, min(p.Block, 50)).Draw(t, "age")
			nr.ValidatorPermit = rapid.IntRange(0, 4).Draw(t, "permitp") > 0
		} else {
			nr.LastUpdate = rapid.Uint64Range(0, p.Block).Draw(t, "lu")
			nr.BlockAtRegistration = rapid.Uint64Range(0, p.Block).Draw(t, "reg")
			nr.ValidatorPermit = rapid.Bool().Draw(t, "permit")
		}
		nr.Weights = genRow(t, n, "w")
		nr.Bonds = genRow(t, n, "b")
		in.Neurons = append(in.Neurons, nr)
	}
	return in
}

// genRow draws a sorted sparse row without duplicate uids.
func genRow(t *rapid.T, n int, label string) []Entry {
	uids := rapid.SliceOfNDistinct(rapid.IntRange(0, n-1), 0, n, rapid.ID[int]).Draw(t, label+"uids")
	sort.Ints(uids)
	row := make([]Entry, len(uids))
	for k, u := range uids {
		row[k] = Entry{UID: uint16(u), Value: rapid.SampledFrom([]uint16{0, 65535, rapid.Uint16().Draw(t, label+"v")}).Draw(t, label+"val")}
	}
	return row
}

func cloneInput(in Input) Input {
	c := in
	c.Neurons = make([]Neuron, len(in.Neurons))
	for i, nr := range in.Neurons {
		c.Neurons[i] = nr
		c.Neurons[i].Weights = slices.Clone(nr.Weights)
		c.Neurons[i].Bonds = slices.Clone(nr.Bonds)
	}
	return c
}

// TestEpochInvariants: one entry per uid everywhere, emissions never above the
// budget, bonds only for permit holders, deterministic and input left untouched.
func TestEpochInvariants(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		in := genInput(t, false)
		orig := cloneInput(in)
		out, err := Epoch(in)
		if err != nil {
			t.Fatal(err)
		}
		checkShape(t, out, len(in.Neurons), in.Emission)
		if !reflect.DeepEqual(in, orig) {
			t.Fatal("Epoch modified its input")
		}
		again, _ := Epoch(orig)
		if !reflect.DeepEqual(out, again) {
			t.Fatal("Epoch is not deterministic")
		}
		if in.Params.OwnerUID >= 0 && !out.ValidatorPermit[in.Params.OwnerUID] {
			t.Fatal("owner uid lost its permit")
		}
		permits := 0
		for i, v := range out.ValidatorPermit {
			if v {
				permits++
				if in.Neurons[i].Stake == 0 && i != in.Params.OwnerUID {
					t.Fatalf("uid %d has a permit without stake", i)
				}
			}
		}
		limit := int(in.Params.MaxAllowedValidators)
		if in.Params.OwnerUID >= 0 {
			limit++
		}
		if len(in.Neurons) >= int(in.Params.MaxAllowedValidators) && permits > limit {
			t.Fatalf("%d permits > max %d", permits, in.Params.MaxAllowedValidators)
		}
	})
}

// TestNoWeightsPaysStake: with no weights at all nothing goes to miners and the
// whole emission (less rounding, at most 2 rao per uid) goes by (active) stake.
func TestNoWeightsPaysStake(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		in := genInput(t, false)
		in.Emission = 1e9
		for i := range in.Neurons {
			in.Neurons[i].Weights = nil
		}
		out, err := Epoch(in)
		if err != nil {
			t.Fatal(err)
		}
		var total, sum uint64
		for i, nr := range in.Neurons {
			if out.ServerEmission[i] != 0 || out.Incentive[i] != 0 || out.Dividends[i] != 0 {
				t.Fatalf("uid %d paid as miner/validator without weights", i)
			}
			if out.Emission[i] != out.ValidatorEmission[i] {
				t.Fatalf("uid %d: emission %d != validator emission %d", i, out.Emission[i], out.ValidatorEmission[i])
			}
			sum += out.Emission[i]
			if nr.Stake >= in.Params.StakeThreshold || i == in.Params.OwnerUID {
				total += nr.Stake
			}
		}
		n := uint64(len(in.Neurons))
		if total > 0 && sum+2*n < in.Emission {
			t.Fatalf("no-weights epoch paid %d of %d", sum, in.Emission)
		}
	})
}

// TestStakeScaleInvariance: multiplying every stake (and the threshold) by the
// same factor changes nothing, exactly (the I64F64 normalization is scale-free).
func TestStakeScaleInvariance(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		in := genInput(t, false)
		c := rapid.Uint64Range(2, 1000).Draw(t, "factor")
		scaled := cloneInput(in)
		scaled.Params.StakeThreshold *= c
		for i := range scaled.Neurons {
			scaled.Neurons[i].Stake *= c
		}
		a, _ := Epoch(in)
		b, _ := Epoch(scaled)
		if !reflect.DeepEqual(a, b) {
			t.Fatalf("scaling stake by %d changed the result", c)
		}
	})
}

// TestPermutationEquivariance: relabeling uids (with distinct stakes, so the
// top-k tie rule does not apply, and rows kept sorted) permutes every output.
func TestPermutationEquivariance(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		in := genInput(t, true)
		n := len(in.Neurons)
		perm := rapid.Permutation(func() []int {
			x := make([]int, n)
			for i := range x {
				x[i] = i
			}
			return x
		}()).Draw(t, "perm") // perm[old] = new
		pin := cloneInput(in)
		mapRow := func(row []Entry) []Entry {
			out := make([]Entry, len(row))
			for k, e := range row {
				out[k] = Entry{UID: uint16(perm[e.UID]), Value: e.Value}
			}
			sort.Slice(out, func(a, b int) bool { return out[a].UID < out[b].UID })
			return out
		}
		for old, nr := range in.Neurons {
			nr.Weights = mapRow(nr.Weights)
			nr.Bonds = mapRow(nr.Bonds)
			pin.Neurons[perm[old]] = nr
		}
		if in.Params.OwnerUID >= 0 {
			pin.Params.OwnerUID = perm[in.Params.OwnerUID]
		}
		a, err := Epoch(in)
		if err != nil {
			t.Fatal(err)
		}
		b, err := Epoch(pin)
		if err != nil {
			t.Fatal(err)
		}
		for old := 0; old < n; old++ {
			nw := perm[old]
			ga := fmt.Sprint(a.Consensus[old], a.Incentive[old], a.Dividends[old], a.ValidatorTrust[old],
				a.ValidatorPermit[old], a.ServerEmission[old], a.ValidatorEmission[old], a.Emission[old], mapRow(a.Bonds[old]))
			gb := fmt.Sprint(b.Consensus[nw], b.Incentive[nw], b.Dividends[nw], b.ValidatorTrust[nw],
				b.ValidatorPermit[nw], b.ServerEmission[nw], b.ValidatorEmission[nw], b.Emission[nw], b.Bonds[nw])
			if ga != gb {
				t.Fatalf("uid %d -> %d: %s vs %s", old, nw, ga, gb)
			}
		}
	})
}

// TestMedianFastPathMatchesLoop: the transposed, zero-pivot shortcut of
// weightedMedianCol equals upstream's plain loop over dense columns.
func TestMedianFastPathMatchesLoop(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		rows := rapid.IntRange(1, 40).Draw(t, "rows")
		n := rapid.IntRange(1, 8).Draw(t, "cols")
		stake := make([]fx.I32F32, rows)
		for i := range stake {
			if rapid.IntRange(0, 4).Draw(t, "hasStake") > 0 {
				stake[i] = fx.FromBits32(rapid.Int64Range(1, 1<<32).Draw(t, "s"))
			}
		}
		normalize(stake)
		w := make(smat, rows)
		for i := range w {
			for j := 0; j < n; j++ {
				if rapid.IntRange(0, 3).Draw(t, "has") == 0 {
					v := rapid.SampledFrom([]int64{0, 1 << 31, 1 << 32, rapid.Int64Range(0, 1<<32).Draw(t, "v")}).Draw(t, "val")
					w[i] = append(w[i], ent{int32(j), fx.FromBits32(v)})
				}
			}
		}
		kappa := fx.U16ProportionToFixed(rapid.Uint16().Draw(t, "kappa"))
		got := weightedMedianCol(stake, w, n, kappa)
		// reference: upstream's dense formulation
		var use []fx.I32F32
		var used []int
		for i, s := range stake {
			if s > 0 {
				use = append(use, s)
				used = append(used, i)
			}
		}
		normalize(use)
		var sum fx.I32F32
		for _, s := range use {
			sum += s
		}
		idx := make([]int32, len(use))
		for i := range idx {
			idx[i] = int32(i)
		}
		for c := 0; c < n; c++ {
			col := make([]fx.I32F32, len(use))
			for r, i := range used {
				for _, e := range w[i] {
					if int(e.j) == c {
						col[r] = e.v
					}
				}
			}
			want := weightedMedian(use, col, idx, sum.SaturatingSub(kappa), 0, sum,
				make([]int32, 0, len(idx)), make([]int32, 0, len(idx)))
			if got[c] != want {
				t.Fatalf("column %d: %d, want %d", c, got[c], want)
			}
		}
	})
}
