// Command node measures the taonet node: committed set_weights transactions
// per second on one embedded node, and submit→inclusion latency (p50/p99).
//
//	go run ./bench/node [-block-time 1s] [-txs 4000] [-validators 32] [-latency 100] [-cpuprofile f]
//
// It also prints the CPU (user+system) per committed transaction, the figure
// that stays meaningful on a shared machine, and BENCH lines for scripts/bench.sh.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"runtime"
	"runtime/pprof"
	"sort"
	"sync"
	"syscall"
	"time"

	"github.com/taonet/taonet/chain"
	"github.com/taonet/taonet/client"
	"github.com/taonet/taonet/keys"
	"github.com/taonet/taonet/node"
)

func main() {
	blockTime := flag.Duration("block-time", time.Second, "block time (timeout_commit)")
	txs := flag.Int("txs", 4000, "set_weights transactions in the throughput phase")
	nval := flag.Int("validators", 32, "validators (senders) on the subnet")
	nlat := flag.Int("latency", 100, "sequential submissions in the latency phase")
	cpuprof := flag.String("cpuprofile", "", "write a CPU profile of the whole run to this file")
	flag.Parse()
	if *cpuprof != "" {
		f, err := os.Create(*cpuprof)
		if err != nil {
			log.Fatal(err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			log.Fatal(err)
		}
		defer pprof.StopCPUProfile()
	}
	if err := run(*blockTime, *txs, *nval, *nlat); err != nil {
		log.Fatal(err)
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		log.Fatal(err)
	}
	return v
}

func run(blockTime time.Duration, ntx, nval, nlat int) error {
	home, err := os.MkdirTemp("", "taonet-bench-node")
	if err != nil {
		return err
	}
	defer os.RemoveAll(home)
	alice := must(keys.FromURI("//Alice"))
	g := chain.DefaultGenesis()
	g.Accounts = []chain.GenesisAccount{{Address: alice.SS58Address(), Balance: 10_000_000 * client.RaoPerTAO}}
	g.SubnetDefaults.Tempo = 20
	g.SubnetDefaults.MaxRegsPerBlock = 256
	g.SubnetDefaults.TargetRegsPerInterval = 256
	g.SubnetDefaults.WeightsRateLimit = 0
	st := must(json.Marshal(g))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	n, err := node.StartEmbedded(ctx, node.Options{Home: home, BlockTime: blockTime, AppState: st})
	if err != nil {
		return err
	}
	defer n.Stop()
	c := must(client.New([]string{n.APIURL()}))

	hot := make([]*keys.Keypair, nval)
	for i := range hot {
		hot[i] = must(keys.FromURI(fmt.Sprintf("//Alice//bench%d", i)))
	}
	if _, err := c.Submit(ctx, alice, &chain.CreateSubnet{Hotkey: hot[0].SS58Address()}); err != nil {
		return fmt.Errorf("create subnet: %w", err)
	}
	netuid := must(c.Subnets(ctx))[0].Netuid
	var hashes []string
	for i := 1; i < nval; i++ {
		hashes = append(hashes, must(c.Send(ctx, alice, &chain.BurnedRegister{Netuid: netuid, Hotkey: hot[i].SS58Address()})))
	}
	for i := 0; i < nval; i++ {
		hashes = append(hashes, must(c.Send(ctx, alice, &chain.AddStake{Hotkey: hot[i].SS58Address(), Amount: 1000 * client.RaoPerTAO})))
	}
	for _, h := range hashes {
		if _, err := c.WaitTx(ctx, h); err != nil {
			return err
		}
	}
	sn := must(c.Subnets(ctx))[0]
	if err := c.WaitHeight(ctx, sn.NextEpochBlock+1, nil); err != nil {
		return err
	}
	mg := must(c.Metagraph(ctx, netuid))
	uids := make([]uint16, mg.N)
	vals := make([]uint16, mg.N)
	for i := range uids {
		uids[i], vals[i] = uint16(i), uint16(1000+i)
	}
	call := func(k int) chain.Call {
		v := append([]uint16(nil), vals...)
		v[k%len(v)] += uint16(k % 1000) // distinct txs
		return &chain.SetWeights{Netuid: netuid, UIDs: uids, Values: v}
	}

	// Throughput: every validator streams its share; count what is committed.
	fmt.Printf("node bench: %d validators, block time %s, GOMAXPROCS %d\n", nval, blockTime, runtime.GOMAXPROCS(0))
	start, cpu0 := time.Now(), cpuTime()
	var mu sync.Mutex
	var sent []string
	var wg sync.WaitGroup
	for v := 0; v < nval; v++ {
		wg.Add(1)
		go func(v int) {
			defer wg.Done()
			for k := v; k < ntx; k += nval {
				h, err := c.Send(ctx, hot[v], call(k))
				if err != nil {
					log.Printf("send: %v", err)
					continue
				}
				mu.Lock()
				sent = append(sent, h)
				mu.Unlock()
			}
		}(v)
	}
	wg.Wait()
	var first, last uint64
	okCount := 0
	for _, h := range sent {
		o, err := c.WaitTx(ctx, h)
		if err != nil {
			log.Printf("tx %s: %v", h, err)
			continue
		}
		okCount++
		if first == 0 || o.Height < first {
			first = o.Height
		}
		last = max(last, o.Height)
	}
	el, cpu := time.Since(start), cpuTime()-cpu0
	fmt.Printf("throughput: %d set_weights committed (of %d sent) in %s over blocks %d..%d: %.0f tx/s\n",
		okCount, len(sent), el.Round(time.Millisecond), first, last, float64(okCount)/el.Seconds())
	// On a shared machine wall time says little; CPU per committed tx (node,
	// consensus and the in-process clients signing and submitting) does.
	fmt.Printf("cpu: %s user+system for the throughput phase, %.0f µs per committed tx (2,000 tx/s on 2 cores needs < 1,000)\n",
		cpu.Round(time.Millisecond), float64(cpu.Microseconds())/float64(max(okCount, 1)))
	row := fmt.Sprintf("%d set_weights, %d validators, block time %s", ntx, nval, blockTime)
	// Table line for scripts/bench.sh (bench/tables).
	fmt.Printf("BENCH\t%s\tcommitted tx/s (wall)=%.0f\tCPU per committed tx=%.0f µs\tCPU-bound ceiling on %d cores=%.0f tx/s\n",
		row, float64(okCount)/el.Seconds(), float64(cpu.Microseconds())/float64(max(okCount, 1)),
		runtime.NumCPU(), float64(runtime.NumCPU())*float64(okCount)/cpu.Seconds())

	// Latency: sequential submit → inclusion, at light load.
	if err := c.WaitHeight(ctx, last+2, nil); err != nil {
		return err
	}
	lat := make([]time.Duration, 0, nlat)
	for k := 0; k < nlat; k++ {
		t0 := time.Now()
		if _, err := c.Submit(ctx, hot[k%nval], call(k+ntx)); err != nil {
			return err
		}
		lat = append(lat, time.Since(t0))
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	pct := func(p float64) time.Duration { return lat[min(len(lat)-1, int(p*float64(len(lat))))] }
	fmt.Printf("latency submit→inclusion (%d sequential): p50 %s, p99 %s, max %s (block time %s)\n",
		len(lat), pct(0.50).Round(time.Millisecond), pct(0.99).Round(time.Millisecond), lat[len(lat)-1].Round(time.Millisecond), blockTime)
	fmt.Printf("BENCH\t%s\tlatency p50=%s\tlatency p99=%s\n", row, pct(0.50).Round(time.Millisecond), pct(0.99).Round(time.Millisecond))
	return nil
}

// cpuTime is the process's user+system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
