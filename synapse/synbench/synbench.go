package synbench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"runtime/pprof"
	"slices"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/taonet/taonet/keys"
	"github.com/taonet/taonet/synapse"
)

// Query is the benchmark synapse: a prompt shaped like prompting's synapse.
type Query struct {
	Roles      []string `json:"roles" synapse:"required"`
	Messages   []string `json:"messages" synapse:"required,hash"`
	Completion string   `json:"completion"`
}

// Config sets up a fan-out run. Zero values select the defaults in brackets.
type Config struct {
	Axons         int           // local axons [256]
	Sleep         time.Duration // handler sleep [50ms]
	Rounds        int           // measured fan-outs after one warm-up round [20]
	Timeout       time.Duration // per-call timeout [5s]
	SignResponses bool          // axons sign bt_header_axon_signature (upstream default)
	// CPUProfile, if set, receives the CPU profile of the measured rounds (pprof
	// format, goroutines labelled side=axon|dendrite).
	CPUProfile io.Writer
}

// Report is the outcome of a run. Durations are wall time unless named CPU.
type Report struct {
	Axons, Rounds int
	Sleep         time.Duration
	Cold          time.Duration // the warm-up round, including connection setup
	P50, P99, Max time.Duration // total fan-out time
	CallP50       time.Duration // per-call latency across all rounds
	CallP99       time.Duration
	CPUPerFanout  time.Duration // process CPU (user+system) per measured round
	OverheadP50   time.Duration // P50 - Sleep
	OverheadP99   time.Duration // P99 - Sleep
	// ArriveP50/P99: from the start of a fan-out to a handler starting (dendrite
	// signing and sending, connection, axon parsing, verification, queueing).
	ArriveP50, ArriveP99 time.Duration
	// ReturnP99: from a handler returning to its call completing at the dendrite
	// (response encoding and signing, transport, decoding).
	ReturnP50, ReturnP99 time.Duration
	// DendriteCPU and AxonCPU split CPUPerFanout by the shares of the goroutines'
	// side label in a CPU profile of the measured rounds; RuntimeCPU is the unlabelled
	// rest (GC workers, scheduler, network poller).
	DendriteCPU, AxonCPU, RuntimeCPU time.Duration
	FailedCalls                      int
	FirstFailStatus                  string
}

// String renders the report for a terminal.
func (r *Report) String() string {
	ms := func(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d)/1e6) }
	s := fmt.Sprintf("fan-out to %d axons, handler sleep %s, %d rounds\n", r.Axons, r.Sleep, r.Rounds)
	s += fmt.Sprintf("  cold round      %s\n", ms(r.Cold))
	s += fmt.Sprintf("  total p50/p99   %s / %s (max %s)\n", ms(r.P50), ms(r.P99), ms(r.Max))
	s += fmt.Sprintf("  overhead p50/p99 %s / %s above the sleep\n", ms(r.OverheadP50), ms(r.OverheadP99))
	s += fmt.Sprintf("  call p50/p99    %s / %s\n", ms(r.CallP50), ms(r.CallP99))
	s += fmt.Sprintf("  where: request arrival p50/p99 %s / %s after the fan-out starts; response return p50/p99 %s / %s after the handler\n",
		ms(r.ArriveP50), ms(r.ArriveP99), ms(r.ReturnP50), ms(r.ReturnP99))
	s += fmt.Sprintf("  CPU per fan-out %s (all axons and the dendrite share this process)\n", ms(r.CPUPerFanout))
	s += fmt.Sprintf("    by side (CPU profile): dendrite %s, axons %s, runtime (GC, poller) %s\n", ms(r.DendriteCPU), ms(r.AxonCPU), ms(r.RuntimeCPU))
	if r.FailedCalls > 0 {
		s += fmt.Sprintf("  FAILED calls    %d (first: %s)\n", r.FailedCalls, r.FirstFailStatus)
	}
	// Table line for scripts/bench.sh (bench/tables).
	s += fmt.Sprintf("BENCH\t%d axons, %s handlers, %d rounds\toverhead p50=%s\toverhead p99=%s\tCPU per fan-out=%s\tdendrite CPU per fan-out=%s\tfailed calls=%d\n",
		r.Axons, r.Sleep, r.Rounds, ms(r.OverheadP50), ms(r.OverheadP99), ms(r.CPUPerFanout), ms(r.DendriteCPU), r.FailedCalls)
	return s
}

// Run starts the axons on 127.0.0.1, runs the fan-out and shuts everything down.
func Run(ctx context.Context, cfg Config) (*Report, error) {
	if cfg.Axons <= 0 {
		cfg.Axons = 256
	}
	if cfg.Sleep <= 0 {
		cfg.Sleep = 50 * time.Millisecond
	}
	if cfg.Rounds <= 0 {
		cfg.Rounds = 20
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 5 * time.Second
	}
	if cfg.Axons > 4096 || cfg.Rounds > 10000 {
		return nil, errors.New("synbench: at most 4096 axons and 10000 rounds")
	}
	var axonKeys []*keys.Keypair
	for _, n := range []string{"Bob", "Charlie", "Dave", "Eve", "Ferdie"} {
		kp, err := keys.FromURI("//" + n)
		if err != nil {
			return nil, err
		}
		axonKeys = append(axonKeys, kp)
	}
	validator, err := keys.FromURI("//Alice")
	if err != nil {
		return nil, err
	}

	targets := make([]synapse.AxonInfo, cfg.Axons)
	// Per-axon handler start/end times of the current round (each axon gets exactly one
	// call per round; rounds are sequential, so index i is written by one goroutine).
	began := make([]atomic.Int64, cfg.Axons) // unix ns
	ended := make([]atomic.Int64, cfg.Axons)
	var axons []*synapse.Axon
	defer func() {
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		for _, a := range axons {
			_ = a.Shutdown(sctx)
		}
	}()
	for i := range cfg.Axons {
		a, err := synapse.NewAxon(synapse.AxonConfig{Hotkey: axonKeys[i%len(axonKeys)], DisableResponseSignature: !cfg.SignResponses})
		if err != nil {
			return nil, err
		}
		sleep := cfg.Sleep
		if err := synapse.Register(a, func(ctx context.Context, _ *synapse.Request, q *Query) error {
			began[i].Store(time.Now().UnixNano())
			defer func() { ended[i].Store(time.Now().UnixNano()) }()
			t := time.NewTimer(sleep)
			defer t.Stop()
			select {
			case <-t.C:
			case <-ctx.Done():
				return ctx.Err()
			}
			q.Completion = "done"
			return nil
		}, synapse.Options{}); err != nil {
			return nil, err
		}
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		axons = append(axons, a)
		go pprof.Do(context.Background(), pprof.Labels("side", "axon"), func(context.Context) { _ = a.Serve(l) })
		targets[i] = synapse.AxonInfo{IP: "127.0.0.1", Port: l.Addr().(*net.TCPAddr).Port, Hotkey: a.Hotkey()}
	}
	d, err := synapse.NewDendrite(validator, synapse.DendriteConfig{})
	if err != nil {
		return nil, err
	}
	defer d.Close()

	rep := &Report{Axons: cfg.Axons, Rounds: cfg.Rounds, Sleep: cfg.Sleep}
	in := &Query{Roles: []string{"user"}, Messages: []string{"Summarize the plot of Hamlet."}}
	var calls, arrive, ret []time.Duration
	round := func() time.Duration {
		var res []synapse.Response[Query]
		var total time.Duration
		var t0 time.Time
		pprof.Do(ctx, pprof.Labels("side", "dendrite"), func(ctx context.Context) {
			t0 = time.Now()
			res = synapse.QueryMany(ctx, d, targets, in, cfg.Timeout)
			total = time.Since(t0)
		})
		for i, r := range res {
			if r.StatusCode == 200 {
				arrive = append(arrive, time.Duration(began[i].Load()-t0.UnixNano()))
				ret = append(ret, time.Duration(r.Started.Add(r.Latency).UnixNano()-ended[i].Load()))
			}
			if r.StatusCode != 200 {
				if rep.FailedCalls == 0 {
					rep.FirstFailStatus = fmt.Sprintf("%d %s", r.StatusCode, r.StatusMessage)
				}
				rep.FailedCalls++
			}
			calls = append(calls, r.Latency)
		}
		return total
	}
	rep.Cold = round()
	calls, arrive, ret = calls[:0], arrive[:0], ret[:0]
	rep.FailedCalls = 0
	var prof sideProfile
	if err := prof.start(); err != nil {
		return nil, fmt.Errorf("synbench: CPU profile: %w", err)
	}
	cpu0 := cpuTime()
	totals := make([]time.Duration, 0, cfg.Rounds)
	for range cfg.Rounds {
		if err := ctx.Err(); err != nil {
			pprof.StopCPUProfile()
			return nil, err
		}
		totals = append(totals, round())
	}
	rep.CPUPerFanout = (cpuTime() - cpu0) / time.Duration(cfg.Rounds)
	sides, err := prof.stop(cfg.CPUProfile)
	if err != nil {
		return nil, err
	}
	share := func(side string) time.Duration { return time.Duration(sides[side] * float64(rep.CPUPerFanout)) }
	rep.DendriteCPU, rep.AxonCPU, rep.RuntimeCPU = share("dendrite"), share("axon"), share("")
	slices.Sort(totals)
	slices.Sort(calls)
	slices.Sort(arrive)
	slices.Sort(ret)
	rep.ArriveP50, rep.ArriveP99 = Percentile(arrive, 0.50), Percentile(arrive, 0.99)
	rep.ReturnP50, rep.ReturnP99 = Percentile(ret, 0.50), Percentile(ret, 0.99)
	rep.P50, rep.P99, rep.Max = Percentile(totals, 0.50), Percentile(totals, 0.99), totals[len(totals)-1]
	rep.CallP50, rep.CallP99 = Percentile(calls, 0.50), Percentile(calls, 0.99)
	rep.OverheadP50, rep.OverheadP99 = rep.P50-cfg.Sleep, rep.P99-cfg.Sleep
	return rep, nil
}

// Percentile returns the q-quantile (nearest rank) of sorted durations.
func Percentile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(q*float64(len(sorted)-1) + 0.5)
	return sorted[min(max(i, 0), len(sorted)-1)]
}

// cpuTime is the process's user+system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
