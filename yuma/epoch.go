package yuma

import (
	"fmt"
	"math"

	fx "github.com/taonet/taonet/fixed"
)

// Epoch runs one Yuma Consensus epoch exactly as subtensor's on-chain sparse
// path (epoch_mechanism, one mechanism; the commit-reveal mask when
// Params.CommitReveal is set): activity, stake threshold with owner exemption,
// stake normalization, validator permits, weight masks, stake-weighted median
// consensus, clipping, validator trust, incentive, bonds (classic EMA or Yuma3
// with optional liquid alpha), dividends and the rao emission split. It is a
// pure function of in; in is not modified, and it is safe for concurrent use.
//
// Weight and bond entries whose uid is >= n are ignored, as upstream does when it
// reads storage. An error is returned only for inputs upstream cannot represent:
// an OwnerUID outside [-1, n), or a total stake above the I64F64 integer range.
func Epoch(in Input) (Output, error) {
	p := in.Params
	nb := in.Neurons
	n := len(nb)
	if n > 1<<16 {
		return Output{}, fmt.Errorf("neurons: %d uids, at most 65536 fit in u16 uids", n)
	}
	if p.OwnerUID < -1 || p.OwnerUID >= n {
		return Output{}, fmt.Errorf("owner_uid: %d is not a uid in [0, %d) or -1 (none)", p.OwnerUID, n)
	}
	owner := p.OwnerUID
	out := Output{
		Active:            make([]bool, n),
		Consensus:         make([]uint16, n),
		Incentive:         make([]uint16, n),
		Dividends:         make([]uint16, n),
		ValidatorTrust:    make([]uint16, n),
		ValidatorPermit:   make([]bool, n),
		Bonds:             make([][]Entry, n),
		ServerEmission:    make([]uint64, n),
		ValidatorEmission: make([]uint64, n),
		Emission:          make([]uint64, n),
	}
	for i := range out.Bonds {
		out.Bonds[i] = []Entry{}
	}
	if n == 0 {
		return out, nil
	}

	// 1. Activity.
	inactive := make([]bool, n)
	for i, nr := range nb {
		inactive[i] = satAdd(nr.LastUpdate, p.ActivityCutoff) < p.Block
		out.Active[i] = !inactive[i]
	}

	// 2. Stake: threshold filter (owner exempt), I64F64 normalization, truncation.
	var total uint64
	filtered := make([]uint64, n)
	for i, nr := range nb {
		s := nr.Stake
		if s < p.StakeThreshold && i != owner {
			s = 0
		}
		filtered[i] = s
		if total > math.MaxInt64-s || s > math.MaxInt64 {
			return Output{}, fmt.Errorf("stake: total stake exceeds the I64F64 range (2^63-1)")
		}
		total += s
	}
	stake := make([]fx.I32F32, n)
	if total > 0 {
		sum := fx.I64F64FromU64(total)
		for i, s := range filtered {
			if s != 0 {
				stake[i] = fx.I64F64FromU64(s).SafeDiv(sum).ToI32F32()
			}
		}
	}

	// 3. Validator permits: judge with last epoch's (owner forced), compute new ones.
	forbid := make([]bool, n)
	for i, nr := range nb {
		forbid[i] = !(nr.ValidatorPermit || i == owner)
	}
	newPermit := isTopkNonzero(stake, int(p.MaxAllowedValidators))
	if owner >= 0 {
		newPermit[owner] = true
	}
	copy(out.ValidatorPermit, newPermit)

	// 4. Active stake.
	activeStake := make([]fx.I32F32, n)
	for i := range activeStake {
		if !inactive[i] && !forbid[i] {
			activeStake[i] = stake[i]
		}
	}
	normalize(activeStake)

	// 5. Weights: forbidden rows, diagonal (owner exempt), outdated, row-normalize.
	weights := make(smat, n)
	wslab := newSlab(nb, func(nr *Neuron) int { return len(nr.Weights) })
	for i, nr := range nb {
		if forbid[i] || len(nr.Weights) == 0 {
			continue
		}
		row := wslab.take(len(nr.Weights))
		lu := nr.LastUpdate
		cb := nr.CommitBlock
		if !p.CommitReveal {
			cb = 0
		}
		for _, e := range nr.Weights {
			j := int(e.UID)
			if j >= n || (j == i && i != owner) || lu <= nb[j].BlockAtRegistration {
				continue
			}
			if cb != 0 && cb < nb[j].BlockAtRegistration {
				continue // committed before j's current occupant registered
			}
			row = append(row, ent{int32(j), fx.U16ToFixed(e.Value)})
		}
		weights[i] = row
	}
	rowNormalize(weights)

	// 6. Consensus.
	kappa := fx.U16ProportionToFixed(p.Kappa)
	consensus := weightedMedianCol(activeStake, weights, n, kappa)

	// 7-9. Clip, validator trust, ranks and incentive.
	clipped := colClip(weights, consensus)
	vtrust := rowSum(clipped)
	incentive := matmul(clipped, activeStake, n)
	normalize(incentive)

	// 10. Weights for bonds.
	penalty := fx.U16ProportionToFixed(p.BondsPenalty)
	wb := interpolate(weights, clipped, n, penalty)

	// 11. Bonds and dividends.
	lastTempo := satSub(p.Block, uint64(p.Tempo))
	if p.LastMechanismStep != 0 {
		lastTempo = p.LastMechanismStep + 1
	}
	bonds := make(smat, n)
	bslab := newSlab(nb, func(nr *Neuron) int { return len(nr.Bonds) })
	for i, nr := range nb {
		if len(nr.Bonds) == 0 {
			continue
		}
		row := bslab.take(len(nr.Bonds))
		for _, e := range nr.Bonds {
			j := int(e.UID)
			if j >= n || lastTempo <= nb[j].BlockAtRegistration {
				continue
			}
			v := fx.U16ToFixed(e.Value)
			if p.Yuma3 {
				v = v.SafeDiv(fx.U16ToFixed(math.MaxUint16))
			}
			row = append(row, ent{int32(j), v})
		}
		bonds[i] = row
	}
	scratch := make([]fx.I32F32, n)
	var dividends []fx.I32F32
	var ema smat
	if p.Yuma3 {
		ema = yuma3Bonds(p, wb, bonds, consensus, n)
		// dividends from the column-normalized copy of the EMA bonds, computed
		// entry by entry (value safe_div column sum) without materializing it
		colSum := scratch
		clear(colSum)
		for _, row := range ema {
			for _, e := range row {
				colSum[e.j] += e.v
			}
		}
		dividends = make([]fx.I32F32, n)
		for i, row := range ema {
			var total fx.I32F32
			for _, e := range row {
				v := e.v
				if s := colSum[e.j]; s != 0 {
					v = v.SafeDiv(s)
				}
				total += v.Mul(incentive[e.j])
			}
			if d, ok := total.CheckedMul(activeStake[i]); ok {
				dividends[i] = d
			}
		}
		normalize(dividends)
	} else {
		colNormalize(bonds, n, scratch)
		delta := rowHadamard(wb, activeStake)
		colNormalize(delta, n, scratch)
		ema = matEma(delta, bonds, movingAverageAlpha(p.BondsMovingAverage), n)
		colNormalize(ema, n, scratch)
		dividends = matmulTranspose(ema, incentive)
		normalize(dividends)
		colMaxUpscale(ema, scratch)
	}

	// 12. Emission split.
	combined := make([]fx.I32F32, n)
	var eSum fx.I32F32
	for i := range combined {
		combined[i] = incentive[i].SaturatingAdd(dividends[i])
		eSum += combined[i]
	}
	serverShare := append([]fx.I32F32(nil), incentive...)
	validatorShare := append([]fx.I32F32(nil), dividends...)
	normalizeUsingSum(serverShare, eSum)
	normalizeUsingSum(validatorShare, eSum)
	normalize(combined)
	if eSum == 0 {
		src := activeStake
		if allZero(activeStake) {
			src = stake
		}
		copy(validatorShare, src)
		copy(combined, src)
	}
	rao := fx.I96F32FromU64(in.Emission)
	toRao := func(x fx.I32F32) uint64 {
		return fx.I96F32FromI32F32(x).SaturatingMul(rao).SaturatingToU64()
	}
	for i := 0; i < n; i++ {
		out.ServerEmission[i] = toRao(serverShare[i])
		out.ValidatorEmission[i] = toRao(validatorShare[i])
		out.Emission[i] = toRao(combined[i])
		out.Consensus[i] = fx.FixedProportionToU16(consensus[i])
		out.Incentive[i] = fx.FixedProportionToU16(incentive[i])
		out.Dividends[i] = fx.FixedProportionToU16(dividends[i])
		out.ValidatorTrust[i] = fx.FixedProportionToU16(vtrust[i])
	}

	// 13. Stored bonds: the EMA row for new permit holders, empty otherwise.
	// All rows share one backing array; each is capped at its length so that a
	// caller appending to a row reallocates instead of overwriting the next.
	nBonds := 0
	for i := 0; i < n; i++ {
		if newPermit[i] {
			nBonds += len(ema[i])
		}
	}
	slab := make([]Entry, nBonds)
	for i := 0; i < n; i++ {
		if !newPermit[i] || len(ema[i]) == 0 {
			continue
		}
		row := slab[:len(ema[i]):len(ema[i])]
		slab = slab[len(ema[i]):]
		for k, e := range ema[i] {
			row[k] = Entry{UID: uint16(e.j), Value: fx.FixedProportionToU16(e.v)}
		}
		out.Bonds[i] = row
	}
	return out, nil
}

// entSlab hands out row slices of one backing array (capped at their capacity,
// so appends never spill into the next row).
type entSlab struct{ buf []ent }

func newSlab(nb []Neuron, size func(*Neuron) int) *entSlab {
	total := 0
	for i := range nb {
		total += size(&nb[i])
	}
	return &entSlab{buf: make([]ent, total)}
}

// take returns an empty row with capacity c.
func (s *entSlab) take(c int) []ent {
	r := s.buf[:0:c]
	s.buf = s.buf[c:]
	return r
}

// movingAverageAlpha is 1 − I32F32(I64F64(bonds_moving_average) / 1e6), as both
// compute_ema_bonds_normal_sparse and compute_disabled_liquid_alpha compute it.
func movingAverageAlpha(bma uint64) fx.I32F32 {
	ma := fx.I64F64FromU64(bma).SafeDiv(fx.I64F64FromU64(1_000_000)).ToI32F32()
	return fx.One32.SaturatingSub(ma)
}

// yuma3Bonds is compute_bonds_sparse: with liquid alpha on and some consensus
// non-zero, the per-entry sigmoid alpha and mat_ema_alpha_sparse; otherwise
// mat_ema_sparse with the fixed moving-average alpha.
func yuma3Bonds(p Params, w, b smat, consensus []fx.I32F32, n int) smat {
	anyC := false
	for _, c := range consensus {
		if c != 0 {
			anyC = true
			break
		}
	}
	if !p.LiquidAlpha || !anyC {
		return matEma(w, b, movingAverageAlpha(p.BondsMovingAverage), n)
	}
	lowA := fx.U16ProportionToFixed(p.AlphaLow)
	highA := fx.U16ProportionToFixed(p.AlphaHigh)
	steep := fx.I32FromInt(int64(p.AlphaSigmoidSteepness))
	out := make(smat, n)
	effW := make([]fx.I32F32, n)
	effB := make([]fx.I32F32, n)
	decayed := make([]fx.I32F32, n)
	alphaBuf := make([]fx.I32F32, n)
	mark := make([]bool, n)
	for i := 0; i < n; i++ {
		if len(w[i]) == 0 {
			continue // mat_ema_alpha_sparse emits only columns of the new row
		}
		// compute_liquid_alpha_values_sparse walks both rows with a peeking merge
		// over j = 0..n-1; reproduce which value it sees at every column.
		mergeView(w[i], effW)
		mergeView(b[i], effB)
		alpha := func(j int32) fx.I32F32 {
			return alphaSigmoid(consensus[j], effW[j], effB[j], lowA, highA, steep)
		}
		out[i] = matEmaAlphaRow(w[i], b[i], alpha, alphaBuf, decayed, mark)
		clearView(w[i], effW)
		clearView(b[i], effB)
	}
	return out
}

// matEmaAlphaRow is one row of mat_ema_alpha_sparse: old bonds decay by
// (1 − α_j), the purchase max(0, α_j·new) is added, capped at 1, and only the
// columns of the new row are emitted (in its order), keeping values > 0.
// alphaBuf and decayed are zeroed scratch rows of length n, left zeroed; mark
// is a false scratch row, left false. α_j is computed once per column of the new
// row: decayed values of other columns are never emitted.
func matEmaAlphaRow(newRow, oldRow []ent, alpha func(j int32) fx.I32F32, alphaBuf, decayed []fx.I32F32, mark []bool) []ent {
	for _, e := range newRow {
		if !mark[e.j] {
			mark[e.j] = true
			alphaBuf[e.j] = alpha(e.j)
		}
	}
	for _, e := range oldRow {
		if mark[e.j] {
			decayed[e.j] = fx.One32.SaturatingSub(alphaBuf[e.j]).SaturatingMul(e.v)
		}
	}
	row := make([]ent, 0, len(newRow))
	for _, e := range newRow {
		purchase := alphaBuf[e.j].SaturatingMul(e.v).Max(0)
		if v := decayed[e.j].SaturatingAdd(purchase).Min(fx.One32); v > 0 {
			row = append(row, ent{e.j, v})
		}
	}
	for _, e := range oldRow {
		decayed[e.j] = 0
	}
	for _, e := range newRow {
		mark[e.j] = false
		alphaBuf[e.j] = 0
	}
	return row
}

// mergeView fills view[j] with the value a peeking merge of row against
// j = 0, 1, ..., n-1 finds (exact lookups for sorted rows; upstream's behaviour
// for unsorted ones). Only columns present in row are written.
func mergeView(row []ent, view []fx.I32F32) {
	k := 0
	for k < len(row) {
		// advance j to the current entry's column: entries with a column below
		// the current j are skipped, as the merge's "i < j" branch does.
		j := row[k].j
		view[j] = row[k].v
		k++
		for k < len(row) && row[k].j <= j {
			k++ // column already passed (or duplicate): skipped by the merge
		}
	}
}

func clearView(row []ent, view []fx.I32F32) {
	for _, e := range row {
		view[e.j] = 0
	}
}

// alphaSigmoid is alpha_sigmoid (liquid alpha 2).
func alphaSigmoid(c, w, b, low, high, steep fx.I32F32) fx.I32F32 {
	var diff fx.I32F32
	if w >= b {
		diff = w.SaturatingSub(c).Clamp(0, fx.One32)
	} else {
		diff = b.SaturatingSub(w).Clamp(0, fx.One32)
	}
	k := steep.SaturatingDiv(fx.I32FromInt(-100))
	e := fx.ExpSafe(k.SaturatingMul(diff.SaturatingSub(fx.Half32)))
	sig := fx.One32.SaturatingDiv(fx.One32.SaturatingAdd(e))
	a := low.SaturatingAdd(sig.SaturatingMul(high.SaturatingSub(low)))
	return a.Clamp(low, high)
}

func satAdd(a, b uint64) uint64 {
	if s := a + b; s >= a {
		return s
	}
	return math.MaxUint64
}

func satSub(a, b uint64) uint64 {
	if a < b {
		return 0
	}
	return a - b
}

func allZero(x []fx.I32F32) bool {
	for _, v := range x {
		if v != 0 {
			return false
		}
	}
	return true
}
