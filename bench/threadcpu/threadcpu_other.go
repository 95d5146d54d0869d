//go:build !linux

package threadcpu

import "testing"

// PerOp reports nothing where per-thread CPU time is not available.
func PerOp(*testing.B) func() { return func() {} }
