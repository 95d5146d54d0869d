package yuma

import (
	"reflect"
	"sort"
	"testing"

	fx "github.com/taonet/taonet/fixed"
	"pgregory.net/rapid"
)

// This file is a second, deliberately naive implementation of the sparse epoch:
// a line-by-line transliteration of subtensor's epoch_mechanism and the math.rs
// functions it calls (dense scratch rows, allocating weighted_median, the literal
// peeking merge of compute_liquid_alpha_values_sparse, a dense alpha matrix).
// Epoch's optimized paths are checked against it on random inputs.

type refRow = []ent

func refNormalize(x []fx.I32F32) {
	var sum fx.I32F32
	for _, v := range x {
		sum += v
	}
	if sum == 0 {
		return
	}
	for i := range x {
		x[i] = x[i].SafeDiv(sum)
	}
}

func refWeightedMedian(stake, score []fx.I32F32, partition []int, minority, lo, hi fx.I32F32) fx.I32F32 {
	cur := append([]int(nil), partition...)
	limit := len(partition)
	for it := 0; ; {
		n := len(cur)
		if n == 0 {
			return 0
		}
		if n == 1 {
			return score[cur[0]]
		}
		pivot := score[cur[n/2]]
		var loS, hiS fx.I32F32
		var lower, upper []int
		for _, idx := range cur {
			if score[idx] == pivot {
				continue
			}
			if score[idx] < pivot {
				loS += stake[idx]
				lower = append(lower, idx)
			} else {
				hiS += stake[idx]
				upper = append(upper, idx)
			}
		}
		if lo+loS <= minority && minority < hi-hiS {
			return pivot
		} else if minority < lo+loS && len(lower) > 0 {
			cur, hi = lower, lo+loS
		} else if hi-hiS <= minority && len(upper) > 0 {
			cur, lo = upper, hi-hiS
		} else {
			return pivot
		}
		it++
		if it > limit {
			return 0
		}
	}
}

func refMedianCol(stake []fx.I32F32, score []refRow, n int, majority fx.I32F32) []fx.I32F32 {
	var use []fx.I32F32
	for _, s := range stake {
		if s > 0 {
			use = append(use, s)
		}
	}
	refNormalize(use)
	var sum fx.I32F32
	for _, s := range use {
		sum += s
	}
	idx := make([]int, len(use))
	for i := range idx {
		idx[i] = i
	}
	minority := sum.SaturatingSub(majority)
	useScore := make([][]fx.I32F32, n)
	for c := range useScore {
		useScore[c] = make([]fx.I32F32, len(use))
	}
	k := 0
	for r := range stake {
		if stake[r] <= 0 {
			continue
		}
		for _, e := range score[r] {
			useScore[e.j][k] = e.v
		}
		k++
	}
	med := make([]fx.I32F32, n)
	for c := 0; c < n; c++ {
		med[c] = refWeightedMedian(use, useScore[c], idx, minority, 0, sum)
	}
	return med
}

func refColNormalize(m []refRow, n int) {
	sum := make([]fx.I32F32, n)
	for _, r := range m {
		for _, e := range r {
			sum[e.j] += e.v
		}
	}
	for _, r := range m {
		for k := range r {
			if sum[r[k].j] != 0 {
				r[k].v = r[k].v.SafeDiv(sum[r[k].j])
			}
		}
	}
}

func refMatEma(newM, oldM []refRow, alpha fx.I32F32, n int) []refRow {
	om := fx.One32.SaturatingSub(alpha)
	out := make([]refRow, len(newM))
	for i := range newM {
		row := make([]fx.I32F32, n)
		for _, e := range newM[i] {
			row[e.j] += alpha.SaturatingMul(e.v)
		}
		for _, e := range oldM[i] {
			row[e.j] += om.SaturatingMul(e.v)
		}
		for j, v := range row {
			if v > 0 {
				out[i] = append(out[i], ent{int32(j), v})
			}
		}
	}
	return out
}

func refLiquidAlphas(p Params, w, b []refRow, cons []fx.I32F32) [][]fx.I32F32 {
	low, high := fx.U16ProportionToFixed(p.AlphaLow), fx.U16ProportionToFixed(p.AlphaHigh)
	steep := fx.I32FromInt(int64(p.AlphaSigmoidSteepness))
	var alphas [][]fx.I32F32
	for i := range w {
		var row []fx.I32F32
		wi, bi := 0, 0
		for jp, c := range cons {
			j := int32(jp)
			var wv, bv fx.I32F32
			for wi < len(w[i]) {
				if w[i][wi].j < j {
					wi++
				} else {
					if w[i][wi].j == j {
						wv = w[i][wi].v
					}
					break
				}
			}
			for bi < len(b[i]) {
				if b[i][bi].j < j {
					bi++
				} else {
					if b[i][bi].j == j {
						bv = b[i][bi].v
					}
					break
				}
			}
			row = append(row, alphaSigmoid(c, wv, bv, low, high, steep))
		}
		alphas = append(alphas, row)
	}
	return alphas
}

func refMatEmaAlpha(newM, oldM []refRow, alphas [][]fx.I32F32, n int) []refRow {
	out := make([]refRow, len(newM))
	for i := range newM {
		decayed := make([]fx.I32F32, n)
		for _, e := range oldM[i] {
			decayed[e.j] = fx.One32.SaturatingSub(alphas[i][e.j]).SaturatingMul(e.v)
		}
		for _, e := range newM[i] {
			purchase := alphas[i][e.j].SaturatingMul(e.v).Max(0)
			if v := decayed[e.j].SaturatingAdd(purchase).Min(fx.One32); v > 0 {
				out[i] = append(out[i], ent{e.j, v})
			}
		}
	}
	return out
}

// refEpoch is epoch_mechanism, written without any of Epoch's shortcuts.
func refEpoch(in Input) Output {
	p, nb, n := in.Params, in.Neurons, len(in.Neurons)
	owner := p.OwnerUID
	inactive := make([]bool, n)
	for i, nr := range nb {
		inactive[i] = satAdd(nr.LastUpdate, p.ActivityCutoff) < p.Block
	}
	filtered := make([]fx.I64F64, n)
	total := fx.I64F64FromInt(0)
	for i, nr := range nb {
		if nr.Stake < p.StakeThreshold && i != owner {
			continue
		}
		filtered[i] = fx.I64F64FromU64(nr.Stake)
		total = total.Add(filtered[i])
	}
	stake := make([]fx.I32F32, n)
	for i := range filtered {
		if !total.IsZero() {
			stake[i] = filtered[i].SafeDiv(total).ToI32F32()
		}
	}
	permits := make([]bool, n)
	for i, nr := range nb {
		permits[i] = nr.ValidatorPermit || i == owner
	}
	newPermits := make([]bool, n)
	for i, s := range stake {
		newPermits[i] = s != 0
	}
	if k := int(p.MaxAllowedValidators); n >= k {
		idx := make([]int, n)
		for i := range idx {
			idx[i] = i
		}
		sort.SliceStable(idx, func(a, b int) bool { return stake[idx[a]] < stake[idx[b]] })
		for _, i := range idx[:n-k] {
			newPermits[i] = false
		}
	}
	if owner >= 0 {
		newPermits[owner] = true
	}
	active := make([]fx.I32F32, n)
	for i := range active {
		if !inactive[i] && permits[i] {
			active[i] = stake[i]
		}
	}
	refNormalize(active)
	w := make([]refRow, n)
	for i, nr := range nb {
		for _, e := range nr.Weights {
			j := int(e.UID)
			if j >= n || !permits[i] || (i == j && i != owner) || nr.LastUpdate <= nb[j].BlockAtRegistration {
				continue
			}
			if p.CommitReveal && nr.CommitBlock != 0 && nr.CommitBlock < nb[j].BlockAtRegistration {
				continue
			}
			w[i] = append(w[i], ent{int32(j), fx.U16ToFixed(e.Value)})
		}
		var sum fx.I32F32
		for _, e := range w[i] {
			sum += e.v
		}
		if sum > 0 {
			for k := range w[i] {
				w[i][k].v = w[i][k].v.SafeDiv(sum)
			}
		}
	}
	cons := refMedianCol(active, w, n, fx.U16ProportionToFixed(p.Kappa))
	clipped := make([]refRow, n)
	vtrust := make([]fx.I32F32, n)
	ranks := make([]fx.I32F32, n)
	for i := range w {
		for _, e := range w[i] {
			if cons[e.j] < e.v {
				if cons[e.j] > 0 {
					clipped[i] = append(clipped[i], ent{e.j, cons[e.j]})
				}
			} else {
				clipped[i] = append(clipped[i], e)
			}
		}
		for _, e := range clipped[i] {
			vtrust[i] += e.v
			ranks[e.j] += active[i].Mul(e.v)
		}
	}
	incentive := append([]fx.I32F32(nil), ranks...)
	refNormalize(incentive)
	beta := fx.U16ProportionToFixed(p.BondsPenalty)
	wb := w
	switch beta {
	case 0:
	case fx.One32:
		wb = clipped
	default:
		wb = make([]refRow, n)
		for i := 0; i < n; i++ {
			r1, r2 := make([]fx.I32F32, n), make([]fx.I32F32, n)
			for _, e := range w[i] {
				r1[e.j] += e.v
			}
			for _, e := range clipped[i] {
				r2[e.j] += e.v
			}
			for j := 0; j < n; j++ {
				if v := r1[j] + beta.Mul(r2[j]-r1[j]); v > 0 {
					wb[i] = append(wb[i], ent{int32(j), v})
				}
			}
		}
	}
	lastTempo := satSub(p.Block, uint64(p.Tempo))
	if p.LastMechanismStep != 0 {
		lastTempo = p.LastMechanismStep + 1
	}
	bonds := make([]refRow, n)
	for i, nr := range nb {
		for _, e := range nr.Bonds {
			if int(e.UID) >= n || lastTempo <= nb[e.UID].BlockAtRegistration {
				continue
			}
			v := fx.U16ToFixed(e.Value)
			if p.Yuma3 {
				v = v.SafeDiv(fx.I32FromInt(65535))
			}
			bonds[i] = append(bonds[i], ent{int32(e.UID), v})
		}
	}
	alpha := fx.One32.SaturatingSub(fx.I64F64FromU64(p.BondsMovingAverage).SafeDiv(fx.I64F64FromU64(1e6)).ToI32F32())
	dividends := make([]fx.I32F32, n)
	var ema []refRow
	if p.Yuma3 {
		anyC := false
		for _, c := range cons {
			anyC = anyC || c != 0
		}
		if p.LiquidAlpha && anyC {
			ema = refMatEmaAlpha(wb, bonds, refLiquidAlphas(p, wb, bonds, cons), n)
		} else {
			ema = refMatEma(wb, bonds, alpha, n)
		}
		norm := make([]refRow, n)
		for i := range ema {
			norm[i] = append(refRow(nil), ema[i]...)
		}
		refColNormalize(norm, n)
		for i := range norm {
			var t fx.I32F32
			for _, e := range norm[i] {
				if prod := e.v.Mul(incentive[e.j]); prod != 0 {
					t += prod
				}
			}
			if d, ok := t.CheckedMul(active[i]); ok {
				dividends[i] = d
			}
		}
	} else {
		refColNormalize(bonds, n)
		delta := make([]refRow, n)
		for i := range wb {
			for _, e := range wb[i] {
				delta[i] = append(delta[i], ent{e.j, e.v.Mul(active[i])})
			}
		}
		refColNormalize(delta, n)
		ema = refMatEma(delta, bonds, alpha, n)
		refColNormalize(ema, n)
		for i := range ema {
			for _, e := range ema[i] {
				dividends[i] += incentive[e.j].Mul(e.v)
			}
		}
		colMax := make([]fx.I32F32, n)
		for _, r := range ema {
			for _, e := range r {
				colMax[e.j] = colMax[e.j].Max(e.v)
			}
		}
		for _, r := range ema {
			for k := range r {
				if colMax[r[k].j] != 0 {
					r[k].v = r[k].v.SafeDiv(colMax[r[k].j])
				}
			}
		}
	}
	refNormalize(dividends)
	combined := make([]fx.I32F32, n)
	var eSum fx.I32F32
	for i := range combined {
		combined[i] = incentive[i].SaturatingAdd(dividends[i])
		eSum += combined[i]
	}
	server := append([]fx.I32F32(nil), incentive...)
	validator := append([]fx.I32F32(nil), dividends...)
	if eSum != 0 {
		for i := range server {
			server[i] = server[i].SafeDiv(eSum)
			validator[i] = validator[i].SafeDiv(eSum)
		}
	}
	refNormalize(combined)
	if eSum == 0 {
		src := active
		if allZero(active) {
			src = stake
		}
		copy(validator, src)
		copy(combined, src)
	}
	rao := fx.I96F32FromU64(in.Emission)
	out := Output{Bonds: make([][]Entry, n)}
	for i := 0; i < n; i++ {
		out.Active = append(out.Active, !inactive[i])
		out.Consensus = append(out.Consensus, fx.FixedProportionToU16(cons[i]))
		out.Incentive = append(out.Incentive, fx.FixedProportionToU16(incentive[i]))
		out.Dividends = append(out.Dividends, fx.FixedProportionToU16(dividends[i]))
		out.ValidatorTrust = append(out.ValidatorTrust, fx.FixedProportionToU16(vtrust[i]))
		out.ValidatorPermit = append(out.ValidatorPermit, newPermits[i])
		out.ServerEmission = append(out.ServerEmission, fx.I96F32FromI32F32(server[i]).SaturatingMul(rao).SaturatingToU64())
		out.ValidatorEmission = append(out.ValidatorEmission, fx.I96F32FromI32F32(validator[i]).SaturatingMul(rao).SaturatingToU64())
		out.Emission = append(out.Emission, fx.I96F32FromI32F32(combined[i]).SaturatingMul(rao).SaturatingToU64())
		out.Bonds[i] = []Entry{}
		if newPermits[i] {
			for _, e := range ema[i] {
				out.Bonds[i] = append(out.Bonds[i], Entry{uint16(e.j), fx.FixedProportionToU16(e.v)})
			}
		}
	}
	return out
}

// TestEpochMatchesReference compares Epoch with the naive transliteration on
// random subnets, including unsorted rows, duplicate-free random orders and
// every bonds mode.
func TestEpochMatchesReference(t *testing.T) {
	// ten rounds (fresh seeds) of the default 100 checks: the liquid-alpha
	// paths need a few hundred random subnets to be reached reliably
	for round := 0; round < 10; round++ {
		rapid.Check(t, checkAgainstReference)
	}
}

func checkAgainstReference(t *rapid.T) {
	{
		in := genInput(t, false)
		if rapid.Bool().Draw(t, "shuffleRows") {
			for i := range in.Neurons {
				w := in.Neurons[i].Weights
				perm := rapid.Permutation(append([]Entry(nil), w...)).Draw(t, "wperm")
				in.Neurons[i].Weights = perm
			}
		}
		in.Params.CommitReveal = rapid.Bool().Draw(t, "cr")
		for i := range in.Neurons {
			in.Neurons[i].CommitBlock = rapid.Uint64Range(0, in.Params.Block).Draw(t, "cb")
		}
		got, err := Epoch(in)
		if err != nil {
			t.Fatal(err)
		}
		want := refEpoch(in)
		if !reflect.DeepEqual(got, want) {
			for _, f := range []string{"Active", "Consensus", "Incentive", "Dividends", "ValidatorTrust",
				"ValidatorPermit", "Bonds", "ServerEmission", "ValidatorEmission", "Emission"} {
				g := reflect.ValueOf(got).FieldByName(f).Interface()
				w := reflect.ValueOf(want).FieldByName(f).Interface()
				if !reflect.DeepEqual(g, w) {
					t.Fatalf("%s differs:\n got %v\nwant %v", f, g, w)
				}
			}
		}
	}
}
