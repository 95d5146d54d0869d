// Package threadcpu lets a Go benchmark report the CPU time of its own thread per
// operation (cpu-ns/op) beside the wall time. On a shared machine wall time per op
// moves with everyone else's load; the benchmarking thread's CPU time moves much
// less, so before/after ratios can be read from one run.
package threadcpu
