//go:build !linux

package synbench

import (
	"io"
	"runtime/pprof"
)

// startCPUProfile starts a CPU profile at the runtime's default rate (the rate
// override of the Linux build prints a warning on other systems).
func startCPUProfile(w io.Writer, _ int) error { return pprof.StartCPUProfile(w) }
