package synapse

import (
	"context"
	"net/http"
	"runtime/pprof"
	"slices"
	"syscall"
	"testing"
	"time"
)

// BenchmarkAxonVerifiedRequests measures complete verified requests per second on one
// Axon over loopback: dendrite signing, HTTP, blacklist, signature and nonce
// verification, priority gate, body hash, handler, response signing and decoding.
func BenchmarkAxonVerifiedRequests(b *testing.B) {
	for _, tc := range []struct {
		name     string
		parallel bool
		noSign   bool
	}{{"sequential", false, false}, {"parallel", true, false}, {"parallel-nosign", true, true}} {
		b.Run(tc.name, func(b *testing.B) {
			_, target := echoAxon(b, AxonConfig{DisableResponseSignature: tc.noSign, MaxConcurrent: 256},
				Options{Priority: func(context.Context, *Request) float64 { return 1 }})
			d := newDendrite(b, "Alice")
			in := &Prompt{Roles: []string{"user"}, Messages: []string{"What is the capital of France?"}}
			b.ResetTimer()
			start := time.Now()
			if tc.parallel {
				b.SetParallelism(4)
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						if r := Query(context.Background(), d, target, in, 10*time.Second); r.StatusCode != 200 {
							b.Errorf("status %d %s", r.StatusCode, r.StatusMessage)
							return
						}
					}
				})
			} else {
				for range b.N {
					if r := Query(context.Background(), d, target, in, 10*time.Second); r.StatusCode != 200 {
						b.Fatalf("status %d %s", r.StatusCode, r.StatusMessage)
					}
				}
			}
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "req/s")
		})
	}
}

// BenchmarkFanOut256 queries 256 local axons whose handlers sleep 50 ms and reports the
// distribution of the total fan-out time and its overhead above 50 ms. Run with a
// bounded count, e.g. -benchtime=30x.
func BenchmarkFanOut256(b *testing.B) {
	for _, noSign := range []bool{false, true} {
		name := "axon-signs"
		if noSign {
			name = "axon-nosign"
		}
		b.Run(name, func(b *testing.B) { benchFanOut(b, 256, 50*time.Millisecond, noSign) })
	}
}

func benchFanOut(b *testing.B, n int, sleep time.Duration, noSign bool) {
	names := []string{"Bob", "Charlie", "Dave", "Eve"}
	targets := make([]AxonInfo, n)
	for i := range n {
		a, err := NewAxon(AxonConfig{Hotkey: key(b, names[i%len(names)]), DisableResponseSignature: noSign})
		if err != nil {
			b.Fatal(err)
		}
		if err := Register(a, func(ctx context.Context, _ *Request, p *Prompt) error {
			select {
			case <-time.After(sleep):
			case <-ctx.Done():
				return ctx.Err()
			}
			p.Completion = "done"
			return nil
		}, Options{}); err != nil {
			b.Fatal(err)
		}
		targets[i] = startAxon(b, a)
	}
	d, err := NewDendrite(key(b, "Alice"), DendriteConfig{})
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close()
	in := &Prompt{Roles: []string{"user"}, Messages: []string{"Summarize the plot of Hamlet."}}
	run := func() (time.Duration, []time.Duration) {
		var res []Response[Prompt]
		var total time.Duration
		pprof.Do(context.Background(), pprof.Labels("side", "dendrite"), func(ctx context.Context) {
			t0 := time.Now()
			res = QueryMany(ctx, d, targets, in, 5*time.Second)
			total = time.Since(t0)
		})
		lat := make([]time.Duration, len(res))
		for i, r := range res {
			if r.StatusCode != http.StatusOK {
				b.Fatalf("axon %d: %d %s", i, r.StatusCode, r.StatusMessage)
			}
			lat[i] = r.Latency
		}
		return total, lat
	}
	cold, _ := run() // connection setup
	b.ResetTimer()
	cpu0 := cpuTime()
	var totals, calls []time.Duration
	for range b.N {
		t, lat := run()
		totals = append(totals, t)
		calls = append(calls, lat...)
	}
	b.StopTimer()
	cpuPer := (cpuTime() - cpu0) / time.Duration(b.N)
	slices.Sort(totals)
	slices.Sort(calls)
	ms := func(d time.Duration) float64 { return float64(d) / 1e6 }
	p50, p99 := pct(totals, 0.50), pct(totals, 0.99)
	b.ReportMetric(ms(cold), "cold-ms")
	b.ReportMetric(ms(cpuPer), "cpu-ms/fanout")
	b.ReportMetric(ms(p50), "p50-ms")
	b.ReportMetric(ms(p99), "p99-ms")
	b.ReportMetric(ms(p99-sleep), "p99-overhead-ms")
	b.ReportMetric(ms(pct(calls, 0.50)), "call-p50-ms")
	b.ReportMetric(ms(pct(calls, 0.99)), "call-p99-ms")
}

// cpuTime is the process's user+system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func pct(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(q*float64(len(sorted)-1) + 0.5)
	return sorted[i]
}

// Micro-benchmarks for the breakdown of where a call's CPU time goes.

func BenchmarkSign(b *testing.B) {
	kp := key(b, "Alice")
	msg := RequestMessage(time.Now().UnixNano(), kp.SS58Address(), key(b, "Bob").SS58Address(), newUUID(), EmptyBodyHash)
	for b.Loop() {
		if _, err := kp.Sign(msg); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerifySS58(b *testing.B) {
	kp := key(b, "Alice")
	msg := RequestMessage(time.Now().UnixNano(), kp.SS58Address(), key(b, "Bob").SS58Address(), newUUID(), EmptyBodyHash)
	sig, _ := kp.Sign(msg)
	a, _ := NewAxon(AxonConfig{Hotkey: key(b, "Bob")})
	addr := kp.SS58Address()
	for b.Loop() {
		if !a.cfg.Verify(addr, msg, sig) {
			b.Fatal("verify")
		}
	}
}

func BenchmarkBodyHash(b *testing.B) {
	p := &Prompt{Roles: []string{"system", "user"}, Messages: []string{"You are a helpful assistant.", "What is the capital of France?"}}
	for b.Loop() {
		if _, err := BodyHash(p); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseHeaders(b *testing.B) {
	hr := rawRequest{signer: key(b, "Alice")}.build(b, AxonInfo{IP: "127.0.0.1", Port: 1, Hotkey: key(b, "Bob").SS58Address()})
	for b.Loop() {
		if _, err := ParseHeaders(hr.Header); err != nil {
			b.Fatal(err)
		}
	}
}
