// Package synbench owns the Dendrite fan-out benchmark: it starts N local axons whose
// handlers sleep for a fixed time, fans one synapse out to all of them repeatedly, and
// reports the distribution of the total fan-out time, its overhead above the sleep,
// per-call latencies and the CPU time spent per fan-out. The taonet CLI
// (`taonet synapse bench`) and BenchmarkFanOut256 both run it.
package synbench
