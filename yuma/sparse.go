package yuma

import (
	"slices"
	"sort"

	fx "github.com/taonet/taonet/fixed"
)

// This file holds the sparse-matrix primitives of subtensor's epoch/math.rs that
// the on-chain (sparse) epoch uses. Rows are slices of (column, I32F32) entries in
// stored order; every function keeps upstream's order and rounding.

type ent struct {
	j int32
	v fx.I32F32
}

type smat [][]ent

// normalize is inplace_normalize: each value safe_div the (wrapping) sum, unless
// the sum is 0.
func normalize(x []fx.I32F32) {
	var sum fx.I32F32
	for _, v := range x {
		sum += v
	}
	normalizeUsingSum(x, sum)
}

// normalizeUsingSum is inplace_normalize_using_sum.
func normalizeUsingSum(x []fx.I32F32, sum fx.I32F32) {
	if sum == 0 {
		return
	}
	for i, v := range x {
		x[i] = v.SafeDiv(sum)
	}
}

// isTopkNonzero is is_topk_nonzero: true for non-zero values, then, if n >= k,
// false for the n-k smallest under a stable ascending sort (lower uid loses ties).
func isTopkNonzero(x []fx.I32F32, k int) []bool {
	n := len(x)
	res := make([]bool, n)
	for i, v := range x {
		res[i] = v != 0
	}
	if n < k {
		return res
	}
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return x[idx[a]] < x[idx[b]] })
	for _, i := range idx[:n-k] {
		res[i] = false
	}
	return res
}

// rowNormalize is inplace_row_normalize_sparse.
func rowNormalize(m smat) {
	for _, row := range m {
		var sum fx.I32F32
		for _, e := range row {
			sum += e.v
		}
		if sum > 0 {
			for k := range row {
				row[k].v = row[k].v.SafeDiv(sum)
			}
		}
	}
}

// colNormalize is inplace_col_normalize_sparse.
func colNormalize(m smat, n int, colSum []fx.I32F32) {
	clear(colSum)
	for _, row := range m {
		for _, e := range row {
			colSum[e.j] += e.v
		}
	}
	for _, row := range m {
		for k, e := range row {
			if s := colSum[e.j]; s != 0 {
				row[k].v = e.v.SafeDiv(s)
			}
		}
	}
}

// colMaxUpscale is inplace_col_max_upscale_sparse.
func colMaxUpscale(m smat, colMax []fx.I32F32) {
	clear(colMax)
	for _, row := range m {
		for _, e := range row {
			if colMax[e.j] < e.v {
				colMax[e.j] = e.v
			}
		}
	}
	for _, row := range m {
		for k, e := range row {
			if mx := colMax[e.j]; mx != 0 {
				row[k].v = e.v.SafeDiv(mx)
			}
		}
	}
}

// colClip is col_clip_sparse: an entry above its column threshold becomes the
// threshold, or is dropped when the threshold is <= 0.
func colClip(m smat, c []fx.I32F32) smat {
	out := make(smat, len(m))
	total := 0
	for _, row := range m {
		total += len(row)
	}
	slab := make([]ent, total)
	for i, row := range m {
		if len(row) == 0 {
			continue
		}
		r := slab[:0:len(row)]
		slab = slab[len(row):]
		for _, e := range row {
			t := c[e.j]
			if t < e.v {
				if t > 0 {
					r = append(r, ent{e.j, t})
				}
			} else {
				r = append(r, e)
			}
		}
		out[i] = r
	}
	return out
}

// rowSum is row_sum_sparse.
func rowSum(m smat) []fx.I32F32 {
	out := make([]fx.I32F32, len(m))
	for i, row := range m {
		var s fx.I32F32
		for _, e := range row {
			s += e.v
		}
		out[i] = s
	}
	return out
}

// matmul is matmul_sparse: out_j = Σ_i v_i · m_ij (each product floored).
func matmul(m smat, v []fx.I32F32, n int) []fx.I32F32 {
	out := make([]fx.I32F32, n)
	for i, row := range m {
		vi := v[i]
		for _, e := range row {
			out[e.j] += vi.Mul(e.v)
		}
	}
	return out
}

// matmulTranspose is matmul_transpose_sparse: out_i = Σ_j v_j · m_ij.
func matmulTranspose(m smat, v []fx.I32F32) []fx.I32F32 {
	out := make([]fx.I32F32, len(m))
	for i, row := range m {
		var s fx.I32F32
		for _, e := range row {
			s += v[e.j].Mul(e.v)
		}
		out[i] = s
	}
	return out
}

// rowHadamard is row_hadamard_sparse: m_ij · v_i.
func rowHadamard(m smat, v []fx.I32F32) smat {
	out := make(smat, len(m))
	total := 0
	for _, row := range m {
		total += len(row)
	}
	slab := make([]ent, total)
	for i, row := range m {
		if len(row) == 0 {
			continue
		}
		r := slab[:len(row):len(row)]
		slab = slab[len(row):]
		for k, e := range row {
			r[k] = ent{e.j, e.v.Mul(v[i])}
		}
		out[i] = r
	}
	return out
}

// interpolate is interpolate_sparse: a + ratio·(b − a); ratio 0 → a, 1 → b,
// otherwise dense rows keeping only entries > 0, in column order.
func interpolate(a, b smat, n int, ratio fx.I32F32) smat {
	if ratio == 0 {
		return a
	}
	if ratio == fx.One32 {
		return b
	}
	out := make(smat, len(a))
	r1 := make([]fx.I32F32, n)
	r2 := make([]fx.I32F32, n)
	for i := range a {
		if len(a[i]) == 0 && len(b[i]) == 0 {
			continue
		}
		clear(r1)
		clear(r2)
		for _, e := range a[i] {
			r1[e.j] += e.v
		}
		for _, e := range b[i] {
			r2[e.j] += e.v
		}
		var row []ent
		for j := 0; j < n; j++ {
			v := r1[j] + ratio.Mul(r2[j]-r1[j])
			if v > 0 {
				row = append(row, ent{int32(j), v})
			}
		}
		out[i] = row
	}
	return out
}

// matEma is mat_ema_sparse: alpha·new + (1−alpha)·old on a dense row, keeping
// entries > 0 in column order (old bonds decay even without a new entry).
func matEma(newM, oldM smat, alpha fx.I32F32, n int) smat {
	oneMinus := fx.One32.SaturatingSub(alpha)
	out := make(smat, len(newM))
	row := make([]fx.I32F32, n)
	touched := make([]int32, 0, 64)
	mark := make([]bool, n)
	for i := range newM {
		if len(newM[i]) == 0 && len(oldM[i]) == 0 {
			continue
		}
		if strictlySorted(newM[i]) && strictlySorted(oldM[i]) {
			out[i] = mergeEmaRow(newM[i], oldM[i], alpha, oneMinus)
			continue
		}
		touched = touched[:0]
		for _, e := range newM[i] {
			row[e.j] += alpha.SaturatingMul(e.v)
			if !mark[e.j] {
				mark[e.j] = true
				touched = append(touched, e.j)
			}
		}
		for _, e := range oldM[i] {
			row[e.j] += oneMinus.SaturatingMul(e.v)
			if !mark[e.j] {
				mark[e.j] = true
				touched = append(touched, e.j)
			}
		}
		// upstream scans the dense row in column order; visiting only the touched
		// columns in sorted order gives the same entries.
		r := make([]ent, 0, len(touched))
		if len(touched)*16 > n {
			for j := range row {
				if mark[j] {
					if v := row[j]; v > 0 {
						r = append(r, ent{int32(j), v})
					}
					row[j] = 0
					mark[j] = false
				}
			}
		} else {
			slices.Sort(touched)
			for _, j := range touched {
				if v := row[j]; v > 0 {
					r = append(r, ent{j, v})
				}
				row[j] = 0
				mark[j] = false
			}
		}
		out[i] = r
	}
	return out
}

func strictlySorted(row []ent) bool {
	for k := 1; k < len(row); k++ {
		if row[k].j <= row[k-1].j {
			return false
		}
	}
	return true
}

// mergeEmaRow is one matEma row for rows sorted by column without duplicates:
// a merge gives the dense row's sums (each column gets at most one term from
// each side) in column order, without the dense scratch row.
func mergeEmaRow(nr, or []ent, alpha, oneMinus fx.I32F32) []ent {
	r := make([]ent, 0, max(len(nr), len(or)))
	a, b := 0, 0
	for a < len(nr) || b < len(or) {
		var j int32
		var v fx.I32F32
		switch {
		case b == len(or) || (a < len(nr) && nr[a].j < or[b].j):
			j, v = nr[a].j, alpha.SaturatingMul(nr[a].v)
			a++
		case a == len(nr) || or[b].j < nr[a].j:
			j, v = or[b].j, oneMinus.SaturatingMul(or[b].v)
			b++
		default:
			j, v = nr[a].j, alpha.SaturatingMul(nr[a].v)+oneMinus.SaturatingMul(or[b].v)
			a++
			b++
		}
		if v > 0 {
			r = append(r, ent{j, v})
		}
	}
	return r
}

// weightedMedian ports weighted_median: the stake-weighted median of score over
// the partition idx, with deterministic middle pivots. bufA and bufB (capacity >=
// len(idx)) hold the lower and upper partitions; partitioning in place is safe
// because each element is written at or before the position being read.
func weightedMedian(stake, score []fx.I32F32, idx []int32, minority, lo, hi fx.I32F32, bufA, bufB []int32) fx.I32F32 {
	return weightedMedianFrom(stake, score, idx, 0, len(idx), minority, lo, hi, bufA, bufB)
}

// weightedMedianFrom runs weighted_median's loop from iteration it on partition
// cur, with the iteration limit of the original partition.
func weightedMedianFrom(stake, score []fx.I32F32, cur []int32, it, limit int, minority, lo, hi fx.I32F32, bufA, bufB []int32) fx.I32F32 {
	for {
		n := len(cur)
		if n == 0 {
			return 0
		}
		if n == 1 {
			return score[cur[0]]
		}
		pivot := score[cur[n/2]]
		var loStake, hiStake fx.I32F32
		lower, upper := bufA[:0], bufB[:0]
		for _, k := range cur {
			s := score[k]
			if s == pivot {
				continue
			}
			if s < pivot {
				loStake += stake[k]
				lower = append(lower, k)
			} else {
				hiStake += stake[k]
				upper = append(upper, k)
			}
		}
		switch {
		case lo+loStake <= minority && minority < hi-hiStake:
			return pivot
		case minority < lo+loStake && len(lower) > 0:
			hi = lo + loStake
			cur = lower
		case hi-hiStake <= minority && len(upper) > 0:
			lo = hi - hiStake
			cur = upper
		default:
			return pivot
		}
		it++
		if it > limit {
			return 0
		}
	}
}

// zeroPivotMedian is weighted_median's first iteration over all k used rows when
// the middle row's score (the pivot) is 0 and every score is >= 0 (normalized
// weights are): lower is empty and upper is exactly the column's non-zero
// entries, in row order (rows lists them strictly increasing), so the pass costs
// the column's entries instead of k. The rest continues in weightedMedianFrom.
func zeroPivotMedian(stake, score []fx.I32F32, rows []int32, k int, minority, hi fx.I32F32, bufA, bufB []int32) fx.I32F32 {
	upper := bufB[:0]
	var hiStake fx.I32F32
	for _, r := range rows {
		if score[r] > 0 {
			hiStake += stake[r]
			upper = append(upper, r)
		}
	}
	var lo fx.I32F32
	switch {
	case lo <= minority && minority < hi-hiStake:
		return 0
	case hi-hiStake <= minority && len(upper) > 0:
		// the next pass partitions upper into bufA/bufB in place (safe, see
		// weightedMedian), so hand it the upper buffer as the current partition.
		return weightedMedianFrom(stake, score, upper, 1, k, minority, hi-hiStake, hi, bufA, bufB)
	}
	return 0
}

// weightedMedianCol is weighted_median_col_sparse: per column, the median over the
// rows with stake > 0 (their stake re-normalized), absent entries scoring 0.
func weightedMedianCol(stake []fx.I32F32, w smat, n int, majority fx.I32F32) []fx.I32F32 {
	var useStake []fx.I32F32
	var rows []int
	for i, s := range stake {
		if s > 0 {
			useStake = append(useStake, s)
			rows = append(rows, i)
		}
	}
	normalize(useStake)
	var stakeSum fx.I32F32
	for _, s := range useStake {
		stakeSum += s
	}
	minority := stakeSum.SaturatingSub(majority)
	k := len(useStake)
	median := make([]fx.I32F32, n)
	if k == 0 {
		return median
	}
	// Transpose the used rows into per-column lists (in row order, so a
	// duplicate uid in a row still ends with the last value, as upstream's dense
	// fill does); then fill one dense score column at a time. A column without
	// a non-zero score has median 0 (every element equals the pivot 0).
	start := make([]int32, n+1)
	for _, i := range rows {
		for _, e := range w[i] {
			start[e.j+1]++
		}
	}
	for c := 0; c < n; c++ {
		start[c+1] += start[c]
	}
	pos := append([]int32(nil), start[:n]...)
	colR := make([]int32, start[n])
	colV := make([]fx.I32F32, start[n])
	for r, i := range rows {
		for _, e := range w[i] {
			p := pos[e.j]
			colR[p], colV[p] = int32(r), e.v
			pos[e.j]++
		}
	}
	idx := make([]int32, k)
	for r := range idx {
		idx[r] = int32(r)
	}
	score := make([]fx.I32F32, k)
	bufA := make([]int32, 0, k)
	bufB := make([]int32, 0, k)
	for c := 0; c < n; c++ {
		lo, hi := start[c], start[c+1]
		nonzero, increasing := false, true
		for p := lo; p < hi; p++ {
			score[colR[p]] = colV[p]
			nonzero = nonzero || colV[p] != 0
			if p > lo && colR[p] <= colR[p-1] {
				increasing = false
			}
		}
		switch {
		case !nonzero:
		case increasing && score[k/2] == 0:
			median[c] = zeroPivotMedian(useStake, score, colR[lo:hi], k, minority, stakeSum, bufA, bufB)
		default:
			median[c] = weightedMedian(useStake, score, idx, minority, 0, stakeSum, bufA, bufB)
		}
		for p := lo; p < hi; p++ {
			score[colR[p]] = 0
		}
	}
	return median
}
