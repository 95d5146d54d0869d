package synapse

import (
	"context"
	"net/http"
	"syscall"
	"testing"
	"time"

	"github.com/taonet/taonet/keys"
	"github.com/taonet/taonet/synapse/h1"
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
			cpu0 := cpuTime()
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
			reportCPU(b, cpu0)
		})
	}
}

// Micro-benchmarks for the breakdown of where a call's CPU time goes.

func BenchmarkSign(b *testing.B) {
	kp := key(b, "Alice")
	msg := RequestMessage(time.Now().UnixNano(), kp.SS58Address(), key(b, "Bob").SS58Address(), newUUID(), EmptyBodyHash)
	cpu0 := cpuTime()
	for b.Loop() {
		if _, err := kp.Sign(msg); err != nil {
			b.Fatal(err)
		}
	}
	reportCPU(b, cpu0)
}

// BenchmarkVerifySS58 is the axon's default verification of a valid signature.
func BenchmarkVerifySS58(b *testing.B) {
	kp := key(b, "Alice")
	msg := RequestMessage(time.Now().UnixNano(), kp.SS58Address(), key(b, "Bob").SS58Address(), newUUID(), EmptyBodyHash)
	sig, _ := kp.Sign(msg)
	a, _ := NewAxon(AxonConfig{Hotkey: key(b, "Bob")})
	addr := kp.SS58Address()
	cpu0 := cpuTime()
	for b.Loop() {
		if !a.cfg.Verify(addr, msg, sig) {
			b.Fatal("verify")
		}
	}
	reportCPU(b, cpu0)
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

func BenchmarkSS58Decode(b *testing.B) {
	addr := key(b, "Alice").SS58Address()
	cpu0 := cpuTime()
	for b.Loop() {
		if _, err := keys.SS58Decode(addr); err != nil {
			b.Fatal(err)
		}
	}
	reportCPU(b, cpu0)
}

// cpuTime is the process's user+system CPU time so far. On a machine shared with other
// work, CPU time per operation is a steadier measure than wall time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportCPU reports process CPU nanoseconds per operation since cpu0 (both sides of
// a loopback call when the axon runs in the same process).
func reportCPU(b *testing.B, cpu0 time.Duration) {
	b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N), "cpu-ns/op")
}

// BenchmarkParseResponseFields is the dendrite's reading of an axon's response
// headers (the h1 field list of a typical 200).
func BenchmarkParseResponseFields(b *testing.B) {
	p, r := benchRequest(b)
	r.Axon.StatusCode, r.Axon.StatusMessage, r.Axon.ProcessTime = 200, "Success", 0.0523
	r.Axon.Nonce, r.Axon.UUID, r.Axon.Version, r.Axon.Signature = 1733472000123456789, newUUID(), DefaultVersion, r.Dendrite.Signature
	h := http.Header{}
	encodeHeaders(h, p.sc, &r, 1234)
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", "1234")
	h.Set("Date", "Sun, 06 Dec 2026 07:00:00 GMT")
	var fields h1.Header
	for k, vs := range h {
		fields = append(fields, h1.Field{Name: k, Value: vs[0]})
	}
	b.ReportAllocs()
	for b.Loop() {
		var r Request
		if err := r.parseFields(fields); err != nil {
			b.Fatal(err)
		}
	}
}
