package synapse

import (
	"context"
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
