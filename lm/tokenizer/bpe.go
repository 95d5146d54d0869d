package tokenizer

import (
	"container/heap"
	"fmt"
	"sync"
	"unicode/utf8"
)

// bpe is a byte-pair-encoding model. In byte-level mode a word is a raw byte
// string whose initial symbols are the vocab ids of the byte-level characters;
// otherwise initial symbols are the word's runes.
type bpe struct {
	vocab        map[string]int
	merges       map[uint64]mergeInfo // (left id, right id) → rank and result
	mergeList    [][2]string          // in rank order, for Save
	byteLevel    bool
	byteIDs      [256]int32 // byte-level: id of each byte's character, -1 if absent
	unk          int        // -1 if none
	unkToken     string
	fuseUnk      bool
	byteFallback bool
	ignoreMerges bool

	mu    sync.Mutex
	cache map[string][]int
}

type mergeInfo struct {
	rank int32
	id   int32
}

const (
	bpeCacheMax     = 1 << 15 // entries
	bpeCacheMaxWord = 256     // bytes; longer words (no pre-tokenizer) are not cached
)

func pairKey(a, b int32) uint64 { return uint64(uint32(a))<<32 | uint64(uint32(b)) }

func newBPE(vocab map[string]int, merges [][2]string, byteLevel bool) (*bpe, error) {
	m := &bpe{vocab: vocab, merges: make(map[uint64]mergeInfo, len(merges)), mergeList: merges, byteLevel: byteLevel, unk: -1, cache: map[string][]int{}}
	for r, mg := range merges {
		a, okA := vocab[mg[0]]
		b, okB := vocab[mg[1]]
		c, okC := vocab[mg[0]+mg[1]]
		switch {
		case !okA:
			return nil, fmt.Errorf("merge %d (%q %q): %q is not in the vocab", r, mg[0], mg[1], mg[0])
		case !okB:
			return nil, fmt.Errorf("merge %d (%q %q): %q is not in the vocab", r, mg[0], mg[1], mg[1])
		case !okC:
			return nil, fmt.Errorf("merge %d (%q %q): result %q is not in the vocab", r, mg[0], mg[1], mg[0]+mg[1])
		}
		// A repeated pair takes its last rank, as in GPT-2's dict and HF's map.
		m.merges[pairKey(int32(a), int32(b))] = mergeInfo{rank: int32(r), id: int32(c)}
	}
	for b := 0; b < 256; b++ {
		m.byteIDs[b] = -1
		if id, ok := vocab[byteToStr[b]]; ok {
			m.byteIDs[b] = int32(id)
		}
	}
	return m, nil
}

// encodeWord appends the ids of one pre-tokenized word to dst.
func (m *bpe) encodeWord(dst []int, word string) []int {
	if word == "" {
		return dst
	}
	m.mu.Lock()
	ids, ok := m.cache[word]
	m.mu.Unlock()
	if ok {
		return append(dst, ids...)
	}
	ids = m.tokenize(word)
	if len(word) > bpeCacheMaxWord {
		return append(dst, ids...)
	}
	m.mu.Lock()
	if len(m.cache) >= bpeCacheMax {
		clear(m.cache)
	}
	m.cache[word] = ids
	m.mu.Unlock()
	return append(dst, ids...)
}

// symbol is one node of the doubly linked list of current symbols.
type symbol struct {
	id         int32
	prev, next int32 // indexes, -1 at the ends
	alive      bool
}

type candidate struct {
	rank  int32
	pos   int32 // index of the left symbol
	left  int32 // ids expected at merge time, to discard stale entries
	right int32
	id    int32
}

type candHeap []candidate

func (h candHeap) Len() int { return len(h) }
func (h candHeap) Less(i, j int) bool {
	if h[i].rank != h[j].rank {
		return h[i].rank < h[j].rank
	}
	return h[i].pos < h[j].pos
}
func (h candHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *candHeap) Push(x any)   { *h = append(*h, x.(candidate)) }
func (h *candHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

func (m *bpe) tokenize(word string) []int {
	if m.ignoreMerges {
		key := word
		if m.byteLevel {
			key = byteLevelString(word)
		}
		if id, ok := m.vocab[key]; ok {
			return []int{id}
		}
	}
	syms := m.initialSymbols(word)
	if len(syms) > 1 && len(m.merges) > 0 {
		if len(syms) <= shortWord {
			return m.mergeShort(syms)
		}
		m.merge(syms)
	}
	out := make([]int, 0, len(syms))
	for i := 0; i >= 0 && i < len(syms); i = int(syms[i].next) {
		if syms[i].alive {
			out = append(out, int(syms[i].id))
		}
	}
	return out
}

func (m *bpe) initialSymbols(word string) []symbol {
	syms := make([]symbol, 0, len(word))
	add := func(id int32) {
		n := int32(len(syms))
		syms = append(syms, symbol{id: id, prev: n - 1, next: n + 1, alive: true})
	}
	if m.byteLevel {
		for i := 0; i < len(word); i++ {
			if id := m.byteIDs[word[i]]; id >= 0 {
				add(id)
			} else if m.unk >= 0 {
				add(int32(m.unk))
			}
		}
	} else {
		lastUnk := false
		for _, r := range word {
			if id, ok := m.vocab[string(r)]; ok {
				add(int32(id))
				lastUnk = false
				continue
			}
			if m.byteFallback {
				var buf [utf8.UTFMax]byte
				n := utf8.EncodeRune(buf[:], r)
				all := true
				var ids []int32
				for _, b := range buf[:n] {
					id, ok := m.vocab[fmt.Sprintf("<0x%02X>", b)]
					if !ok {
						all = false
						break
					}
					ids = append(ids, int32(id))
				}
				if all {
					for _, id := range ids {
						add(id)
					}
					lastUnk = false
					continue
				}
			}
			if m.unk >= 0 && !(m.fuseUnk && lastUnk) {
				add(int32(m.unk))
			}
			lastUnk = true
		}
	}
	if len(syms) > 0 {
		syms[len(syms)-1].next = -1
	}
	return syms
}

// shortWord is the symbol count up to which mergeShort's linear scans beat
// the heap (about 2x faster on typical words); it also sizes its stack arrays.
const shortWord = 32

// mergeShort is merge for short words: stack arrays of the symbols and of
// each adjacent pair's merge, a linear scan for the lowest rank (leftmost
// among equals), and only the two neighbouring pairs looked up again after
// each merge.
func (m *bpe) mergeShort(syms []symbol) []int {
	const none = int32(1<<31 - 1)
	var idBuf [shortWord]int32
	var pairBuf [shortWord]mergeInfo
	n := len(syms)
	ids, pairs := idBuf[:n], pairBuf[:n-1]
	for i := range syms {
		ids[i] = syms[i].id
	}
	lookup := func(a, b int32) mergeInfo {
		if mi, ok := m.merges[pairKey(a, b)]; ok {
			return mi
		}
		return mergeInfo{rank: none}
	}
	for i := range pairs {
		pairs[i] = lookup(ids[i], ids[i+1])
	}
	for len(ids) > 1 {
		best := 0
		for i := 1; i < len(pairs); i++ {
			if pairs[i].rank < pairs[best].rank {
				best = i
			}
		}
		if pairs[best].rank == none {
			break
		}
		ids[best] = pairs[best].id
		copy(ids[best+1:], ids[best+2:])
		ids = ids[:len(ids)-1]
		copy(pairs[best:], pairs[best+1:])
		pairs = pairs[:len(pairs)-1]
		if best > 0 {
			pairs[best-1] = lookup(ids[best-1], ids[best])
		}
		if best < len(pairs) {
			pairs[best] = lookup(ids[best], ids[best+1])
		}
	}
	out := make([]int, len(ids))
	for i, id := range ids {
		out[i] = int(id)
	}
	return out
}

// merge applies merges lowest rank first (leftmost first among equal ranks)
// using a heap, so long words cost O(n log n) rather than O(n²).
func (m *bpe) merge(syms []symbol) {
	h := make(candHeap, 0, len(syms))
	push := func(pos int32) {
		nx := syms[pos].next
		if nx < 0 {
			return
		}
		if mi, ok := m.merges[pairKey(syms[pos].id, syms[nx].id)]; ok {
			h = append(h, candidate{rank: mi.rank, pos: pos, left: syms[pos].id, right: syms[nx].id, id: mi.id})
		}
	}
	for i := range syms {
		push(int32(i))
	}
	heap.Init(&h)
	for h.Len() > 0 {
		c := heap.Pop(&h).(candidate)
		l := &syms[c.pos]
		if !l.alive || l.id != c.left || l.next < 0 {
			continue
		}
		r := &syms[l.next]
		if r.id != c.right {
			continue
		}
		l.id = c.id
		r.alive = false
		l.next = r.next
		if r.next >= 0 {
			syms[r.next].prev = c.pos
		}
		if l.prev >= 0 {
			if mi, ok := m.merges[pairKey(syms[l.prev].id, l.id)]; ok {
				heap.Push(&h, candidate{rank: mi.rank, pos: l.prev, left: syms[l.prev].id, right: l.id, id: mi.id})
			}
		}
		if l.next >= 0 {
			if mi, ok := m.merges[pairKey(l.id, syms[l.next].id)]; ok {
				heap.Push(&h, candidate{rank: mi.rank, pos: c.pos, left: l.id, right: syms[l.next].id, id: mi.id})
			}
		}
	}
}
