package synbench

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestRunSmall(t *testing.T) {
	// 640 signed calls: enough CPU (~0.1 s) for the profile to sample both sides.
	var log, tr bytes.Buffer
	rep, err := Run(context.Background(), Config{Axons: 16, Sleep: 5 * time.Millisecond, Rounds: 40, SignResponses: true, RoundLog: &log, Trace: &tr})
	if err != nil {
		t.Fatal(err)
	}
	checkRoundLogAndTrace(t, rep, log.String(), tr.Bytes())
	if rep.FailedCalls != 0 {
		t.Fatalf("failed calls: %d (%s)", rep.FailedCalls, rep.FirstFailStatus)
	}
	// Every call sleeps 5 ms, so the total can never be below it.
	if rep.P50 < 5*time.Millisecond || rep.P50 > rep.P99 || rep.P99 > rep.Max || rep.CallP50 < 5*time.Millisecond {
		t.Fatalf("inconsistent report %+v", rep)
	}
	// The side split comes from a CPU profile: both sides ran, and the shares add up
	// to the measured process CPU (within rounding).
	if rep.DendriteCPU <= 0 || rep.AxonCPU <= 0 || rep.RuntimeCPU < 0 {
		t.Fatalf("CPU by side: dendrite %v axon %v runtime %v", rep.DendriteCPU, rep.AxonCPU, rep.RuntimeCPU)
	}
	if sum := rep.DendriteCPU + rep.AxonCPU + rep.RuntimeCPU; sum > rep.CPUPerFanout+time.Microsecond || sum < rep.CPUPerFanout-time.Microsecond {
		t.Fatalf("CPU by side sums to %v, process CPU %v", sum, rep.CPUPerFanout)
	}
	if rep.String() == "" {
		t.Fatal("empty report")
	}
}

// checkRoundLogAndTrace: the round log has one ROUND line per measured round, and the
// trace is a Go execution trace.
func checkRoundLogAndTrace(t *testing.T, rep *Report, log string, tr []byte) {
	t.Helper()
	lines := strings.Split(strings.TrimSpace(log), "\n")
	if len(lines) != rep.Rounds {
		t.Fatalf("%d round lines for %d rounds:\n%s", len(lines), rep.Rounds, log)
	}
	for i, l := range lines {
		if !strings.HasPrefix(l, fmt.Sprintf("ROUND\t%d\toverhead=", i+1)) || !strings.Contains(l, "\tGC cycles=") {
			t.Fatalf("round line %q", l)
		}
	}
	if !bytes.HasPrefix(tr, []byte("go 1.")) {
		t.Fatalf("trace starts %q", tr[:min(16, len(tr))])
	}
}

func TestPercentile(t *testing.T) {
	d := []time.Duration{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	if Percentile(d, 0.5) != 6 || Percentile(d, 0.99) != 10 || Percentile(d, 0) != 1 || Percentile(nil, 0.5) != 0 {
		t.Fatal("percentile")
	}
}

// BenchmarkFanOut256 is the fan-out benchmark: 256 local axons, handlers sleep 50 ms.
// Each iteration is one Run of 10 measured rounds; use -benchtime=1x.
func BenchmarkFanOut256(b *testing.B) {
	for _, sign := range []bool{true, false} {
		name := "axon-signs"
		if !sign {
			name = "axon-nosign"
		}
		b.Run(name, func(b *testing.B) {
			for range b.N {
				rep, err := Run(context.Background(), Config{Axons: 256, Rounds: 10, SignResponses: sign})
				if err != nil {
					b.Fatal(err)
				}
				if rep.FailedCalls > 0 {
					b.Fatalf("%d failed calls: %s", rep.FailedCalls, rep.FirstFailStatus)
				}
				ms := func(d time.Duration) float64 { return float64(d) / 1e6 }
				b.ReportMetric(ms(rep.P50), "p50-ms")
				b.ReportMetric(ms(rep.P99), "p99-ms")
				b.ReportMetric(ms(rep.OverheadP99), "p99-overhead-ms")
				b.ReportMetric(ms(rep.CallP99), "call-p99-ms")
				b.ReportMetric(ms(rep.CPUPerFanout), "cpu-ms/fanout")
				b.ReportMetric(ms(rep.DendriteCPU), "dendrite-cpu-ms/fanout")
				b.ReportMetric(ms(rep.Cold), "cold-ms")
			}
		})
	}
}
