package threadcpu

import (
	"runtime"
	"syscall"
	"testing"
	"time"
)

// PerOp makes b also report cpu-ns/op: the CPU time of the benchmarking thread
// (locked to it meanwhile) per operation. Use as `defer threadcpu.PerOp(b)()` before
// the b.Loop loop.
func PerOp(b *testing.B) func() {
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
