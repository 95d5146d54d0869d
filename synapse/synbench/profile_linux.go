package synbench

import (
	"io"
	"os"
	"runtime"
	"runtime/pprof"
	"syscall"
)

// startCPUProfile starts a CPU profile at hz. pprof.StartCPUProfile always asks the
// runtime for 100 Hz, which, with a rate already set, only prints "cannot set cpu
// profile rate" to stderr and keeps the set rate (golang/go#40094). That line would
// read like an error in the benchmark's log, so stderr points at /dev/null for the
// call.
func startCPUProfile(w io.Writer, hz int) error {
	runtime.SetCPUProfileRate(hz)
	null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		return pprof.StartCPUProfile(w)
	}
	defer null.Close()
	saved, err := syscall.Dup(2)
	if err != nil {
		return pprof.StartCPUProfile(w)
	}
	defer syscall.Close(saved)
	_ = syscall.Dup3(int(null.Fd()), 2, 0)
	defer syscall.Dup3(saved, 2, 0)
	return pprof.StartCPUProfile(w)
}
