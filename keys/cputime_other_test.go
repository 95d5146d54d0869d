//go:build !linux

package keys

import "testing"

// cpuPerOp reports nothing where per-thread CPU time is not available.
func cpuPerOp(*testing.B) func() { return func() {} }

// cpuPer reports nothing where per-thread CPU time is not available.
func cpuPer(*testing.B, int, string) func() { return func() {} }
