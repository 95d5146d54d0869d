package model

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// parallelFor runs fn(i) for i in [0,n) on up to GOMAXPROCS goroutines. Each
// index must write only its own outputs, so results never depend on the
// number of workers or on scheduling.
func parallelFor(n int, fn func(i int)) {
	workers := runtime.GOMAXPROCS(0)
	if workers > n {
		workers = n
	}
	if workers <= 1 {
		for i := 0; i < n; i++ {
			fn(i)
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	wg.Add(workers)
	for w := 0; w < workers; w++ {
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				fn(i)
			}
		}()
	}
	wg.Wait()
}

// parallelRanges splits [0,n) into chunks of at least minChunk and runs fn on
// each chunk in parallel.
func parallelRanges(n, minChunk int, fn func(lo, hi int)) {
	if n <= 0 {
		return
	}
	chunks := (n + minChunk - 1) / minChunk
	if w := 4 * runtime.GOMAXPROCS(0); chunks > w {
		chunks = w
	}
	size := (n + chunks - 1) / chunks
	parallelFor(chunks, func(c int) {
		lo := c * size
		hi := min(lo+size, n)
		if lo < hi {
			fn(lo, hi)
		}
	})
}
