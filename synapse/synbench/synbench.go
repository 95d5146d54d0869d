package synbench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"runtime/metrics"
	"runtime/pprof"
	"runtime/trace"
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
	// RoundLog, if set, receives one ROUND line per measured round: its overhead,
	// when its last handler started, its slowest return, the GC cycles and the
	// process CPU it took — which rounds make the p99, and why.
	RoundLog io.Writer
	// Trace, if set, receives a runtime/trace of the measured rounds, with each
	// round's ROUND line as a user log event (category "round") at its end.
	Trace io.Writer
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
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	b := &bench{cfg: cfg, rep: &Report{Axons: cfg.Axons, Rounds: cfg.Rounds, Sleep: cfg.Sleep}}
	defer b.shutdown()
	if err := b.startAxons(); err != nil {
		return nil, err
	}
	validator, err := keys.FromURI("//Alice")
	if err != nil {
		return nil, err
	}
	if b.d, err = synapse.NewDendrite(validator, synapse.DendriteConfig{}); err != nil {
		return nil, err
	}
	defer b.d.Close()

	b.rep.Cold = b.round(ctx).total
	b.calls, b.arrive, b.ret = b.calls[:0], b.arrive[:0], b.ret[:0]
	b.rep.FailedCalls = 0
	if err := b.measure(ctx); err != nil {
		return nil, err
	}
	b.summarize()
	return b.rep, nil
}

func (cfg Config) withDefaults() (Config, error) {
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
		return cfg, errors.New("synbench: at most 4096 axons and 10000 rounds")
	}
	return cfg, nil
}

// bench is one run's axons, dendrite and samples.
type bench struct {
	cfg     Config
	rep     *Report
	axons   []*synapse.Axon
	targets []synapse.AxonInfo
	// Per-axon handler start/end times of the current round (each axon gets exactly
	// one call per round; rounds are sequential, so index i is written by one
	// goroutine), unix ns.
	began, ended       []atomic.Int64
	d                  *synapse.Dendrite
	calls, arrive, ret []time.Duration
	totals             []time.Duration
}

// startAxons starts cfg.Axons axons, each on its own loopback listener, whose
// handler sleeps cfg.Sleep (or until its request's deadline).
func (b *bench) startAxons() error {
	var axonKeys []*keys.Keypair
	for _, n := range []string{"Bob", "Charlie", "Dave", "Eve", "Ferdie"} {
		kp, err := keys.FromURI("//" + n)
		if err != nil {
			return err
		}
		axonKeys = append(axonKeys, kp)
	}
	n := b.cfg.Axons
	b.targets = make([]synapse.AxonInfo, n)
	b.began, b.ended = make([]atomic.Int64, n), make([]atomic.Int64, n)
	for i := range n {
		a, err := synapse.NewAxon(synapse.AxonConfig{Hotkey: axonKeys[i%len(axonKeys)], DisableResponseSignature: !b.cfg.SignResponses})
		if err != nil {
			return err
		}
		if err := synapse.Register(a, b.handler(i), synapse.Options{}); err != nil {
			return err
		}
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return err
		}
		b.axons = append(b.axons, a)
		go pprof.Do(context.Background(), pprof.Labels("side", "axon"), func(context.Context) { _ = a.Serve(l) })
		b.targets[i] = synapse.AxonInfo{IP: "127.0.0.1", Port: l.Addr().(*net.TCPAddr).Port, Hotkey: a.Hotkey()}
	}
	return nil
}

// handler is axon i's handler: it records when it starts and ends, and sleeps.
func (b *bench) handler(i int) synapse.Handler[Query] {
	sleep := b.cfg.Sleep
	return func(ctx context.Context, _ *synapse.Request, q *Query) error {
		b.began[i].Store(time.Now().UnixNano())
		defer func() { b.ended[i].Store(time.Now().UnixNano()) }()
		t := time.NewTimer(sleep)
		defer t.Stop()
		select {
		case <-t.C:
		case <-ctx.Done():
			return ctx.Err()
		}
		q.Completion = "done"
		return nil
	}
}

func (b *bench) shutdown() {
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, a := range b.axons {
		_ = a.Shutdown(sctx)
	}
}

// roundStats is one fan-out: its total time, when its last handler started (after
// the fan-out began) and its slowest return (from a handler's end to its call's
// end at the dendrite).
type roundStats struct {
	total, lastArrival, slowestReturn time.Duration
}

var benchQuery = &Query{Roles: []string{"user"}, Messages: []string{"Summarize the plot of Hamlet."}}

// round runs one fan-out and adds its calls to the samples.
func (b *bench) round(ctx context.Context) roundStats {
	var res []synapse.Response[Query]
	var st roundStats
	var t0 time.Time
	pprof.Do(ctx, pprof.Labels("side", "dendrite"), func(ctx context.Context) {
		t0 = time.Now()
		res = synapse.QueryMany(ctx, b.d, b.targets, benchQuery, b.cfg.Timeout)
		st.total = time.Since(t0)
	})
	for i, r := range res {
		b.calls = append(b.calls, r.Latency)
		if r.StatusCode != 200 {
			if b.rep.FailedCalls == 0 {
				b.rep.FirstFailStatus = fmt.Sprintf("%d %s", r.StatusCode, r.StatusMessage)
			}
			b.rep.FailedCalls++
			continue
		}
		arrival := time.Duration(b.began[i].Load() - t0.UnixNano())
		ret := time.Duration(r.Started.Add(r.Latency).UnixNano() - b.ended[i].Load())
		b.arrive, b.ret = append(b.arrive, arrival), append(b.ret, ret)
		st.lastArrival, st.slowestReturn = max(st.lastArrival, arrival), max(st.slowestReturn, ret)
	}
	return st
}

// measure runs the measured rounds under the CPU profile (and the trace, if asked
// for), logging each round if asked.
func (b *bench) measure(ctx context.Context) error {
	var prof sideProfile
	if err := prof.start(); err != nil {
		return fmt.Errorf("synbench: CPU profile: %w", err)
	}
	if b.cfg.Trace != nil {
		if err := trace.Start(b.cfg.Trace); err != nil {
			pprof.StopCPUProfile()
			return fmt.Errorf("synbench: trace: %w", err)
		}
		defer trace.Stop()
	}
	cpu0 := cpuTime()
	b.totals = make([]time.Duration, 0, b.cfg.Rounds)
	for i := range b.cfg.Rounds {
		if err := ctx.Err(); err != nil {
			pprof.StopCPUProfile()
			return err
		}
		gc0, c0 := gcCycles(), cpuTime()
		st := b.round(ctx)
		b.totals = append(b.totals, st.total)
		b.logRound(ctx, i+1, st, gcCycles()-gc0, cpuTime()-c0)
	}
	b.rep.CPUPerFanout = (cpuTime() - cpu0) / time.Duration(b.cfg.Rounds)
	sides, err := prof.stop(b.cfg.CPUProfile)
	if err != nil {
		return err
	}
	share := func(side string) time.Duration { return time.Duration(sides[side] * float64(b.rep.CPUPerFanout)) }
	b.rep.DendriteCPU, b.rep.AxonCPU, b.rep.RuntimeCPU = share("dendrite"), share("axon"), share("")
	return nil
}

// logRound writes one measured round to cfg.RoundLog and, as a user log event
// (category "round"), into the trace, so a trace's timeline can be cut by round.
func (b *bench) logRound(ctx context.Context, n int, st roundStats, gcs uint64, cpu time.Duration) {
	if b.cfg.RoundLog == nil && b.cfg.Trace == nil {
		return
	}
	ms := func(d time.Duration) float64 { return float64(d) / 1e6 }
	line := fmt.Sprintf("ROUND\t%d\toverhead=%.1f ms\tlast arrival=%.1f ms\tslowest return=%.1f ms\tGC cycles=%d\tCPU=%.1f ms",
		n, ms(st.total-b.cfg.Sleep), ms(st.lastArrival), ms(st.slowestReturn), gcs, ms(cpu))
	if b.cfg.Trace != nil {
		trace.Log(ctx, "round", line)
	}
	if b.cfg.RoundLog != nil {
		fmt.Fprintln(b.cfg.RoundLog, line)
	}
}

// summarize turns the samples into the report's percentiles.
func (b *bench) summarize() {
	rep := b.rep
	slices.Sort(b.totals)
	slices.Sort(b.calls)
	slices.Sort(b.arrive)
	slices.Sort(b.ret)
	rep.ArriveP50, rep.ArriveP99 = Percentile(b.arrive, 0.50), Percentile(b.arrive, 0.99)
	rep.ReturnP50, rep.ReturnP99 = Percentile(b.ret, 0.50), Percentile(b.ret, 0.99)
	rep.P50, rep.P99, rep.Max = Percentile(b.totals, 0.50), Percentile(b.totals, 0.99), b.totals[len(b.totals)-1]
	rep.CallP50, rep.CallP99 = Percentile(b.calls, 0.50), Percentile(b.calls, 0.99)
	rep.OverheadP50, rep.OverheadP99 = rep.P50-b.cfg.Sleep, rep.P99-b.cfg.Sleep
}

// gcCycles is the number of completed GC cycles so far.
func gcCycles() uint64 {
	s := []metrics.Sample{{Name: "/gc/cycles/total:gc-cycles"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
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
