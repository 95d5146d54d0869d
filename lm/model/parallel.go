package model

import "github.com/taonet/taonet/lm/kernels"

// parallelRanges splits [0,n) into chunks of at least minChunk and runs fn on
// each chunk in parallel (kernels.ParallelFor). Each chunk writes only its own
// outputs, so results never depend on the number of workers.
func parallelRanges(n, minChunk int, fn func(lo, hi int)) {
	if n <= 0 {
		return
	}
	chunks := (n + minChunk - 1) / minChunk
	if w := 4 * kernels.Threads(); chunks > w {
		chunks = w
	}
	size := (n + chunks - 1) / chunks
	kernels.ParallelFor(chunks, func(c int) {
		lo := c * size
		hi := min(lo+size, n)
		if lo < hi {
			fn(lo, hi)
		}
	})
}
