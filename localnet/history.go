package localnet

import (
	"context"
	"math"
	"slices"
	"sync"
	"time"

	"github.com/taonet/taonet/chain"
)

// keepHistory bounds the samples kept per subnet (one per change).
const keepHistory = 500

// Sample is a subnet's per-uid incentive and emission at a block, and the
// agreement of its validators' weights (nil with fewer than two validators).
type Sample struct {
	Block     uint64    `json:"block"`
	Incentive []float64 `json:"incentive"`
	Emission  []float64 `json:"emission"` // TAO per epoch
	Agreement *float64  `json:"agreement"`
	// Pool is the subnet's dTAO pool at the block (nil on classic chains).
	Pool *PoolSample `json:"pool,omitempty"`
}

// PoolSample is a dTAO pool's price (τ per α), its moving average, and the TAO
// injected into it in the block.
type PoolSample struct {
	Price       float64 `json:"price"`
	MovingPrice float64 `json:"moving_price"`
	TaoIn       float64 `json:"tao_in_emission"`
}

func (s Sample) same(o Sample) bool {
	return slices.Equal(s.Incentive, o.Incentive) && slices.Equal(s.Emission, o.Emission) &&
		((s.Agreement == nil) == (o.Agreement == nil)) && (s.Agreement == nil || *s.Agreement == *o.Agreement) &&
		((s.Pool == nil) == (o.Pool == nil)) && (s.Pool == nil || *s.Pool == *o.Pool)
}

// history keeps, per subnet, a sample at every block where something
// changed plus a trailing sample at the newest block, so the dashboard can
// draw stepped charts from the network's start.
type history struct {
	mu   sync.Mutex
	subs map[uint16][]Sample
}

func (h *history) add(netuid uint16, s Sample) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.subs == nil {
		h.subs = map[uint16][]Sample{}
	}
	xs := h.subs[netuid]
	// Two equal samples in a row: move the trailing one forward instead.
	if k := len(xs); k >= 2 && xs[k-1].same(s) && xs[k-2].same(s) {
		xs[k-1] = s
		return
	}
	xs = append(xs, s)
	if len(xs) > keepHistory {
		xs = xs[len(xs)-keepHistory:]
	}
	h.subs[netuid] = xs
}

func (h *history) get(netuid uint16) []Sample {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]Sample(nil), h.subs[netuid]...)
}

// sampleOf summarizes a metagraph.
func sampleOf(mg *chain.Metagraph) Sample {
	s := Sample{Block: mg.Block, Incentive: make([]float64, len(mg.Incentive)), Emission: make([]float64, len(mg.Emission))}
	for i, x := range mg.Incentive {
		s.Incentive[i] = float64(x) / 65535
	}
	for i, x := range mg.Emission {
		s.Emission[i] = float64(x) / tao
	}
	if a, ok := Agreement(mg); ok {
		s.Agreement = &a
	}
	if p := mg.Pool; p != nil {
		s.Pool = &PoolSample{Price: float64(p.Price) / tao, MovingPrice: float64(p.MovingPrice) / tao, TaoIn: float64(p.TaoInEmission) / tao}
	}
	return s
}

// Agreement is the mean pairwise cosine similarity of the weight rows of a
// subnet's validators (uids with a permit and weights set): 1 when every
// validator sets the same weights. ok is false with fewer than two.
func Agreement(mg *chain.Metagraph) (float64, bool) {
	n := int(mg.N)
	var rows [][]float64
	for uid, row := range mg.Weights {
		if len(row) == 0 || uid >= len(mg.ValidatorPermit) || !mg.ValidatorPermit[uid] {
			continue
		}
		v := make([]float64, n)
		for _, p := range row {
			if int(p[0]) < n {
				v[p[0]] = float64(p[1])
			}
		}
		rows = append(rows, v)
	}
	if len(rows) < 2 {
		return 0, false
	}
	var sum float64
	var cnt int
	for i := range rows {
		for j := i + 1; j < len(rows); j++ {
			var d, a, b float64
			for k := range rows[i] {
				d += rows[i][k] * rows[j][k]
				a += rows[i][k] * rows[i][k]
				b += rows[j][k] * rows[j][k]
			}
			if a > 0 && b > 0 {
				sum += d / math.Sqrt(a*b)
			}
			cnt++
		}
	}
	return sum / float64(cnt), true
}

// historyLoop samples both subnets' metagraphs at every new block.
func (n *Net) historyLoop(ctx context.Context) {
	var last uint64
	t := time.NewTicker(max(n.o.BlockTime/2, 100*time.Millisecond))
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		b, err := n.Client.LatestBlock(ctx)
		if err != nil || b.Height == last {
			continue
		}
		last = b.Height
		for _, id := range []uint16{n.PromptingNetuid, n.FinetuningNetuid} {
			if mg, err := n.Client.Metagraph(ctx, id); err == nil {
				n.hist.add(id, sampleOf(mg))
			}
		}
	}
}
