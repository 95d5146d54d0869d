package ristretto

import (
	"runtime"
	"syscall"
	"testing"
	"time"
)

// cpuPerOp (as in package keys) makes a benchmark also report cpu-ns/op: the CPU time of the
// benchmarking thread per operation. On the shared 2-core machine wall time
// per op moves with everyone else's load; the thread's own CPU time moves
// much less, so before/after ratios can be read from one run. Use as
// `defer cpuPerOp(b)()` before the b.Loop loop.
func cpuPerOp(b *testing.B) func() {
	runtime.LockOSThread()
	start := threadCPU()
	return func() {
		used := threadCPU() - start
		runtime.UnlockOSThread()
		if b.N > 0 {
			b.ReportMetric(float64(used.Nanoseconds())/float64(b.N), "cpu-ns/op")
		}
	}
}

func threadCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(1 /* RUSAGE_THREAD */, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
