//go:build !unix

package main

import "time"

// cpuTime is unavailable here; per-CPU-second columns then read 0.
func cpuTime() time.Duration { return 0 }
