package localnet

import (
	"testing"

	"github.com/taonet/taonet/chain"
)

// BenchmarkAgreement: the validator-agreement statistic the history sampler
// computes every block, on a full subnet (256 uids, 64 validators with
// dense weight rows).
func BenchmarkAgreement(b *testing.B) {
	const n, vals = 256, 64
	m := &chain.Metagraph{N: n, ValidatorPermit: make([]bool, n), Weights: make([][][2]uint16, n)}
	for v := 0; v < vals; v++ {
		m.ValidatorPermit[v] = true
		for u := 0; u < n; u++ {
			m.Weights[v] = append(m.Weights[v], [2]uint16{uint16(u), uint16((u*7919 + v*104729) % 65536)})
		}
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, ok := Agreement(m); !ok {
			b.Fatal("no agreement")
		}
	}
}
