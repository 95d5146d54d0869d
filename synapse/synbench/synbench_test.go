package synbench

import (
	"context"
	"testing"
	"time"
)

func TestRunSmall(t *testing.T) {
	rep, err := Run(context.Background(), Config{Axons: 8, Sleep: 5 * time.Millisecond, Rounds: 3, SignResponses: true})
	if err != nil {
		t.Fatal(err)
	}
	if rep.FailedCalls != 0 {
		t.Fatalf("failed calls: %d (%s)", rep.FailedCalls, rep.FirstFailStatus)
	}
	// Every call sleeps 5 ms, so the total can never be below it.
	if rep.P50 < 5*time.Millisecond || rep.P50 > rep.P99 || rep.P99 > rep.Max || rep.CallP50 < 5*time.Millisecond {
		t.Fatalf("inconsistent report %+v", rep)
	}
	if rep.String() == "" {
		t.Fatal("empty report")
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
				b.ReportMetric(ms(rep.Cold), "cold-ms")
			}
		})
	}
}
