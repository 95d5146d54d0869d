package yuma

import (
	"syscall"
	"testing"

	fx "github.com/taonet/taonet/fixed"
)

// benchInput builds a deterministic subnet: n uids, the first v are validators
// (stake 1e12 + i·1e9, permits held), each weighting per miners chosen from a
// rotating window with pseudo-random u16 values. One warm-up epoch produces the
// bonds and permits the measured epoch starts from.
func benchInput(n, v, per int, p Params) Input {
	p.Block = 10_000
	p.MaxAllowedValidators = uint16(v)
	in := Input{Params: p, Emission: DefaultEmission}
	seed := uint64(0x9e3779b97f4a7c15)
	rnd := func() uint64 {
		seed ^= seed << 13
		seed ^= seed >> 7
		seed ^= seed << 17
		return seed
	}
	miners := n - v
	for i := 0; i < n; i++ {
		nr := Neuron{LastUpdate: p.Block - 1, BlockAtRegistration: 1}
		if i < v {
			nr.Stake = 1_000_000_000_000 + uint64(i)*1_000_000_000
			nr.ValidatorPermit = true
			start := (i * 7) % miners
			for k := 0; k < per; k++ {
				j := v + (start+k)%miners
				nr.Weights = append(nr.Weights, Entry{UID: uint16(j), Value: uint16(rnd()%65535 + 1)})
			}
		}
		in.Neurons = append(in.Neurons, nr)
	}
	out, err := Epoch(in)
	if err != nil {
		panic(err)
	}
	for i := range in.Neurons {
		in.Neurons[i].Bonds = out.Bonds[i]
		in.Neurons[i].ValidatorPermit = out.ValidatorPermit[i]
	}
	return in
}

func classicParams() Params {
	p := DefaultParams()
	p.Yuma3 = false
	return p
}

func liquidParams() Params {
	p := DefaultParams()
	p.LiquidAlpha = true
	return p
}

func benchEpoch(b *testing.B, in Input) {
	nnz := 0
	for _, nr := range in.Neurons {
		nnz += len(nr.Weights) + len(nr.Bonds)
	}
	b.ReportMetric(float64(nnz), "nnz")
	b.ResetTimer()
	cpu0 := cpuTime()
	for i := 0; i < b.N; i++ {
		if _, err := Epoch(in); err != nil {
			b.Fatal(err)
		}
	}
	// process CPU time per epoch: with -cpu 1 this is the single-core cost even
	// when other processes load the machine (it includes GC work).
	b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N), "cpu-ns/op")
}

func cpuTime() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}

// BenchmarkEpoch256: n = 256, 64 validators each weighting all 192 miners.
func BenchmarkEpoch256(b *testing.B) {
	for _, c := range []struct {
		name string
		p    Params
	}{{"yuma3", DefaultParams()}, {"classic", classicParams()}, {"liquid", liquidParams()}} {
		b.Run(c.name, func(b *testing.B) { benchEpoch(b, benchInput(256, 64, 192, c.p)) })
	}
}

// BenchmarkEpoch4096: n = 4096, 256 validators each weighting 1024 miners.
func BenchmarkEpoch4096(b *testing.B) {
	for _, c := range []struct {
		name string
		p    Params
	}{{"yuma3", DefaultParams()}, {"classic", classicParams()}, {"liquid", liquidParams()}} {
		b.Run(c.name, func(b *testing.B) { benchEpoch(b, benchInput(4096, 256, 1024, c.p)) })
	}
}

// BenchmarkNNZPass4096 is the floor the epoch is compared with: one pass over
// every non-zero of the 4096 input (weights and bonds), converting each u16 to
// I32F32 and summing.
func BenchmarkNNZPass4096(b *testing.B) {
	in := benchInput(4096, 256, 1024, DefaultParams())
	b.ResetTimer()
	cpu0 := cpuTime()
	var sink fx.I32F32
	for i := 0; i < b.N; i++ {
		var s fx.I32F32
		for _, nr := range in.Neurons {
			for _, e := range nr.Weights {
				s += fx.U16ToFixed(e.Value)
			}
			for _, e := range nr.Bonds {
				s += fx.U16ToFixed(e.Value)
			}
		}
		sink += s
	}
	b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N), "cpu-ns/op")
	_ = sink
}
