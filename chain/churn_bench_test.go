package chain

import "testing"

// BenchmarkStateChurn32x256 measures how much of the encoded state one block
// changes at 32 subnets × 256 uids: the node keeps past states as deltas
// against a full base (node/history.go), which pays off only if consecutive
// encodings differ in few bytes. It reports the state size, the bytes that
// differ after an ordinary block (no epoch) and after the block where all 32
// epochs run.
func BenchmarkStateChurn32x256(b *testing.B) {
	s := epochBlockState(b)
	diff := func(a, c []byte) int {
		if len(a) != len(c) {
			return -1 // a length change: the delta stores the span between prefix and suffix
		}
		n := 0
		for i := range a {
			if a[i] != c[i] {
				n++
			}
		}
		return n
	}
	var plain, epoch, size int
	for i := 0; i < b.N; i++ {
		c := s.Clone()
		c.BeginBlock(BlockInfo{Height: 998})
		c.EndBlock()
		before := c.Encode()
		c.BeginBlock(BlockInfo{Height: 999})
		c.EndBlock()
		mid := c.Encode()
		c.BeginBlock(BlockInfo{Height: 1000})
		c.EndBlock()
		after := c.Encode()
		plain, epoch, size = diff(before, mid), diff(mid, after), len(after)
	}
	b.ReportMetric(float64(size), "state-bytes")
	b.ReportMetric(float64(plain), "changed-bytes/block")
	b.ReportMetric(float64(epoch), "changed-bytes/epoch-block")
}
