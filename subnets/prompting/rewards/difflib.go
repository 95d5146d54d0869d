package rewards

import "sort"

// DiffRatio returns Python difflib.SequenceMatcher(None, a, b).ratio() over
// the code points of a and b: 2·M/(len(a)+len(b)), M the total size of the
// Ratcliff/Obershelp matching blocks, with difflib's autojunk heuristic
// (when len(b) ≥ 200, code points occurring more than len(b)/100+1 times in b
// are "popular" and cannot start a match, only extend one). Two empty
// strings give 1, as in difflib. Inputs are sanitized and capped first.
func DiffRatio(a, b string) float64 {
	ra := []rune(Sanitize(a, MaxCompletionBytes))
	rb := []rune(Sanitize(b, MaxCompletionBytes))
	total := len(ra) + len(rb)
	if total == 0 {
		return 1.0
	}
	return 2.0 * float64(matchingSize(ra, rb)) / float64(total)
}

// matchingSize is the sum of the sizes of difflib's get_matching_blocks().
func matchingSize(a, b []rune) int {
	b2j := map[rune][]int{}
	for j, r := range b {
		b2j[r] = append(b2j[r], j)
	}
	if n := len(b); n >= 200 {
		ntest := n/100 + 1
		for r, idx := range b2j {
			if len(idx) > ntest {
				delete(b2j, r)
			}
		}
	}
	type span struct{ alo, ahi, blo, bhi int }
	queue := []span{{0, len(a), 0, len(b)}}
	total := 0
	j2len := map[int]int{}
	newj2len := map[int]int{}
	for len(queue) > 0 {
		s := queue[len(queue)-1]
		queue = queue[:len(queue)-1]
		i, j, k := longestMatch(a, b, b2j, s.alo, s.ahi, s.blo, s.bhi, j2len, newj2len)
		if k > 0 {
			total += k
			if s.alo < i && s.blo < j {
				queue = append(queue, span{s.alo, i, s.blo, j})
			}
			if i+k < s.ahi && j+k < s.bhi {
				queue = append(queue, span{i + k, s.ahi, j + k, s.bhi})
			}
		}
	}
	return total
}

// longestMatch is difflib's find_longest_match with no junk function: the
// leftmost-in-a, then leftmost-in-b longest block among non-popular
// elements, then extended over equal (possibly popular) neighbours.
func longestMatch(a, b []rune, b2j map[rune][]int, alo, ahi, blo, bhi int, j2len, newj2len map[int]int) (int, int, int) {
	besti, bestj, bestsize := alo, blo, 0
	clear(j2len)
	for i := alo; i < ahi; i++ {
		clear(newj2len)
		idx := b2j[a[i]]
		// indices are ascending; skip those below blo quickly.
		start := sort.SearchInts(idx, blo)
		for _, j := range idx[start:] {
			if j >= bhi {
				break
			}
			k := j2len[j-1] + 1
			newj2len[j] = k
			if k > bestsize {
				besti, bestj, bestsize = i-k+1, j-k+1, k
			}
		}
		j2len, newj2len = newj2len, j2len
	}
	for besti > alo && bestj > blo && a[besti-1] == b[bestj-1] {
		besti, bestj, bestsize = besti-1, bestj-1, bestsize+1
	}
	for besti+bestsize < ahi && bestj+bestsize < bhi && a[besti+bestsize] == b[bestj+bestsize] {
		bestsize++
	}
	return besti, bestj, bestsize
}
