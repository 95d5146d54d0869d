// Command soak runs a localnet (embedded node, prompting miners and
// validator, hub, dashboard) under steady transaction and synapse load for a
// bounded time and reports the process's RSS, open file descriptors and
// goroutines at the start and end of the load, and every error.
//
//	go run ./bench/soak [--duration 10m] [--tx-rate 5] [--prompting-interval 500ms]
//
// Resource numbers are of this process, which hosts the whole localnet.
// "Start" is taken after setup and a warm-up, so one-time allocations
// (wallets, subnets, model caches) do not count as growth.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"os/signal"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/taonet/taonet/chain"
	"github.com/taonet/taonet/client"
	"github.com/taonet/taonet/keys"
	"github.com/taonet/taonet/localnet"
)

func main() {
	duration := flag.Duration("duration", 10*time.Minute, "load duration (after setup and warm-up)")
	warmup := flag.Duration("warmup", 30*time.Second, "load before the start sample")
	rate := flag.Float64("tx-rate", 5, "transfers per second")
	interval := flag.Duration("prompting-interval", 500*time.Millisecond, "pause between prompting validator steps (synapse load)")
	dir := flag.String("dir", "", "localnet data directory (default: a temporary one, removed afterwards)")
	flag.Parse()
	if err := run(*duration, *warmup, *rate, *interval, *dir); err != nil {
		log.Fatal(err)
	}
}

// sample is the process's resource use at one moment.
type sample struct {
	rssKiB     int64
	fds        int
	goroutines int
	heapMiB    float64
}

func take() sample {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	s := sample{goroutines: runtime.NumGoroutine(), heapMiB: float64(ms.HeapAlloc) / (1 << 20)}
	if ents, err := os.ReadDir("/proc/self/fd"); err == nil {
		s.fds = len(ents)
	}
	if b, err := os.ReadFile("/proc/self/status"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if f := strings.Fields(l); len(f) >= 2 && f[0] == "VmRSS:" {
				s.rssKiB, _ = strconv.ParseInt(f[1], 10, 64)
			}
		}
	}
	return s
}

func (s sample) String() string {
	return fmt.Sprintf("RSS %.1f MiB, heap %.1f MiB, fds %d, goroutines %d", float64(s.rssKiB)/1024, s.heapMiB, s.fds, s.goroutines)
}

func run(duration, warmup time.Duration, rate float64, interval time.Duration, dir string) error {
	if dir == "" {
		d, err := os.MkdirTemp("", "taonet-soak")
		if err != nil {
			return err
		}
		defer os.RemoveAll(d)
		dir = d
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	t0 := time.Now()
	n, err := localnet.Start(ctx, localnet.Options{Dir: dir, NodeAddr: "127.0.0.1:0", HubAddr: "127.0.0.1:0", DashboardAddr: "127.0.0.1:0",
		FinetuneMiners: -1, FinetuneValidators: -1, PromptingInterval: interval, SummaryEvery: -1})
	if err != nil {
		return fmt.Errorf("localnet: %w", err)
	}
	defer n.Stop()
	fmt.Printf("soak: localnet up in %s (prompting miners %d, validator steps every %s); %.1f transfers/s; warm-up %s, load %s; GOMAXPROCS %d\n",
		time.Since(t0).Round(time.Second), n.Options().PromptingMiners, interval, rate, warmup, duration, runtime.GOMAXPROCS(0))

	load, err := newLoad(ctx, n.Client)
	if err != nil {
		return err
	}
	lctx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan struct{})
	go func() { defer close(done); load.run(lctx, rate) }()

	sleep(ctx, warmup)
	start, h0, sent0 := take(), height(ctx, n.Client), load.sent.Load()
	fmt.Printf("start: %s, height %d\n", start, h0)
	tick := time.NewTicker(time.Minute)
	defer tick.Stop()
	end := time.After(duration)
loop:
	for {
		select {
		case <-ctx.Done():
			break loop
		case <-end:
			break loop
		case <-tick.C:
			fmt.Printf("  %s: %s, height %d, transfers %d ok / %d errors\n", time.Since(t0).Round(time.Second), take(),
				height(ctx, n.Client), load.ok.Load(), load.errs.Load())
		}
	}
	cancel()
	<-done
	// Let in-flight inclusion waits finish and idle connections settle, so
	// the end sample counts what stays, not what was mid-request.
	load.wg.Wait()
	sleep(ctx, 3*time.Second)
	fin, h1 := take(), height(context.Background(), n.Client)
	fmt.Printf("end:   %s, height %d\n", fin, h1)
	fmt.Printf("growth: RSS %+.1f MiB, fds %+d, goroutines %+d\n", float64(fin.rssKiB-start.rssKiB)/1024, fin.fds-start.fds, fin.goroutines-start.goroutines)
	fmt.Printf("transfers: %d sent during the load, %d committed ok overall, %d errors; %d blocks\n",
		load.sent.Load()-sent0, load.ok.Load(), load.errs.Load(), h1-h0)
	if e := load.lastErr.Load(); e != nil {
		fmt.Printf("last transfer error: %v\n", *e)
	}
	fmt.Printf("healthz: %s\n", healthz(n.NodeURLs[0]))
	if s, err := n.Summary(context.Background()); err == nil {
		fmt.Print(s)
	}
	if err := n.ChainErr(); err != nil {
		return fmt.Errorf("chain halted: %w", err)
	}
	return nil
}

// load sends transfers from a funded soak account at a steady rate and
// checks each is committed.
type load struct {
	c              *client.Client
	from           *keys.Keypair
	to             string
	sent, ok, errs atomic.Int64
	lastErr        atomic.Pointer[error]
	wg             sync.WaitGroup
}

func newLoad(ctx context.Context, c *client.Client) (*load, error) {
	owner, err := localnet.Key("")
	if err != nil {
		return nil, err
	}
	from, _ := keys.FromURI("//taonet-soak")
	to, _ := keys.FromURI("//taonet-soak//sink")
	if _, err := c.Submit(ctx, owner, &chain.Transfer{Dest: from.SS58Address(), Amount: 10_000 * client.RaoPerTAO}); err != nil {
		return nil, fmt.Errorf("fund the soak account: %w", err)
	}
	return &load{c: c, from: from, to: to.SS58Address()}, nil
}

func (l *load) run(ctx context.Context, rate float64) {
	t := time.NewTicker(time.Duration(float64(time.Second) / rate))
	defer t.Stop()
	for i := 0; ; i++ {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		h, err := l.c.Send(ctx, l.from, &chain.Transfer{Dest: l.to, Amount: uint64(1000 + i%1000)})
		if err != nil {
			if ctx.Err() == nil {
				l.fail(err)
			}
			continue
		}
		l.sent.Add(1)
		l.wg.Add(1)
		go func() {
			defer l.wg.Done()
			wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
			defer cancel()
			o, err := l.c.WaitTx(wctx, h)
			switch {
			case err != nil:
				l.fail(err)
			case o.Code != 0:
				l.fail(fmt.Errorf("tx %s rejected: code %d %s", h, o.Code, o.Log))
			default:
				l.ok.Add(1)
			}
		}()
	}
}

func (l *load) fail(err error) { l.errs.Add(1); l.lastErr.Store(&err) }

func height(ctx context.Context, c *client.Client) uint64 {
	b, err := c.LatestBlock(ctx)
	if err != nil {
		return 0
	}
	return b.Height
}

func healthz(url string) string {
	resp, err := http.Get(url + "/healthz")
	if err != nil {
		return err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return fmt.Sprintf("%d %s", resp.StatusCode, strings.TrimSpace(string(b)))
}

func sleep(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}
