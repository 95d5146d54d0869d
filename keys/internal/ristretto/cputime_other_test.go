//go:build !linux

package ristretto

import "testing"

// cpuPerOp reports nothing where per-thread CPU time is not available.
func cpuPerOp(*testing.B) func() { return func() {} }
