// Command finetune benchmarks one finetuning validator step end to end: a
// real embedded node and a loopback hub, N miners each committing a model of
// a preset size, and one validator step over S samples of up to L tokens. It
// prints wall time, LM-engine time and tokens/s, and the share of the step
// spent outside the engine (target < 10%).
//
//	go run ./bench/finetune -models 8 -size 15m -samples 400 -maxlen 512
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/taonet/taonet/chain"
	"github.com/taonet/taonet/client"
	"github.com/taonet/taonet/hub"
	"github.com/taonet/taonet/keys"
	"github.com/taonet/taonet/lm/model"
	"github.com/taonet/taonet/node"
	"github.com/taonet/taonet/subnets/finetuning/competition"
	"github.com/taonet/taonet/subnets/finetuning/data"
	"github.com/taonet/taonet/subnets/finetuning/miner"
	"github.com/taonet/taonet/subnets/finetuning/validator"
)

func main() {
	nModels := flag.Int("models", 8, "models (miners)")
	size := flag.String("size", "15m", "GPT-2 preset size (tiny, 15m, ...)")
	nSamples := flag.Int("samples", 400, "evaluation samples")
	maxLen := flag.Int("maxlen", 512, "longest sample in tokens (lengths uniform in [maxlen/8, maxlen])")
	batch := flag.Int("batch", 4, "samples per forward pass")
	flag.Parse()
	if err := run(*nModels, *size, *nSamples, *maxLen, *batch); err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func run(nModels int, size string, nSamples, maxLen, batch int) error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Hour)
	defer cancel()
	tmp, err := os.MkdirTemp("", "ftbench-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)

	mcfg, err := model.Preset(model.GPT2, size)
	if err != nil {
		return err
	}
	if mcfg.MaxPos < maxLen {
		return fmt.Errorf("preset %s has %d positions < maxlen %d", size, mcfg.MaxPos, maxLen)
	}
	cfg := competition.Default()
	k := &cfg.Competitions[0]
	k.MaxParams = mcfg.NumParams() + 1
	k.MaxBytes = 4 * k.MaxParams * 2
	k.SequenceLength = maxLen
	k.EvalSamples = nSamples
	cfg.StepInterval = 5
	tok := must(cfg.LoadTokenizer(k))

	// Chain: a subnet with one validator and nModels miners.
	alice := must(keys.FromURI("//Alice"))
	g := chain.DefaultGenesis()
	g.Accounts = append(g.Accounts, chain.GenesisAccount{Address: alice.SS58Address(), Balance: 1_000_000_000_000_000})
	g.SubnetDefaults.Tempo = 5
	g.SubnetDefaults.MaxRegsPerBlock = 64
	g.SubnetDefaults.TargetRegsPerInterval = 64
	g.SubnetDefaults.WeightsRateLimit = 0
	g.SubnetDefaults.ImmunityPeriod = 10000
	st, _ := json.Marshal(g)
	n, err := node.StartEmbedded(ctx, node.Options{Home: filepath.Join(tmp, "node"), BlockTime: 200 * time.Millisecond, AppState: st})
	if err != nil {
		return err
	}
	defer n.Stop()
	c := must(client.New([]string{n.APIURL()}))
	vk := must(keys.FromURI("//Alice//bench-validator"))
	if _, err := c.Submit(ctx, alice, &chain.CreateSubnet{Hotkey: vk.SS58Address()}); err != nil {
		return err
	}
	netuid := must(c.Subnets(ctx))[0].Netuid
	store := must(hub.OpenStore(filepath.Join(tmp, "hub"), hub.Limits{}))
	hs := httptest.NewServer(hub.NewServer(store, hub.ServerOptions{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}))
	defer hs.Close()

	fmt.Printf("preparing %d GPT-2 %s models (%d params each)...\n", nModels, size, mcfg.NumParams())
	for i := 0; i < nModels; i++ {
		hk := must(keys.FromURI(fmt.Sprintf("//Alice//bench-miner-%d", i)))
		if _, err := c.Submit(ctx, alice, &chain.BurnedRegister{Netuid: netuid, Hotkey: hk.SS58Address()}); err != nil {
			return err
		}
		dir := filepath.Join(tmp, fmt.Sprint("model", i))
		if err := miner.InitModel(dir, mcfg, uint64(i+1), tok); err != nil {
			return err
		}
		if _, err := miner.Publish(ctx, miner.PublishOptions{Chain: c, Hub: hub.NewClient(hs.URL, filepath.Join(tmp, "mcache")), Signer: hk,
			Netuid: netuid, Namespace: fmt.Sprint("b", i), Name: "m", CompetitionID: k.ID, Dir: dir}); err != nil {
			return err
		}
	}

	// Data: nSamples (prompt, response) pairs of uniform token lengths.
	rng := rand.New(rand.NewPCG(1, 2))
	words := strings.Fields("the of and to in is that for it as was with be by on not he this are or his from at which but have an they you were her she")
	var samples []data.Sample
	for i := 0; i < nSamples; i++ {
		total := maxLen/8 + rng.IntN(maxLen-maxLen/8-8)
		var p, r []string
		for j := 0; j < total/4; j++ {
			p = append(p, words[rng.IntN(len(words))])
		}
		for j := 0; j < total-total/4-8; j++ {
			r = append(r, words[rng.IntN(len(words))])
		}
		samples = append(samples, data.Sample{Prompt: strings.Join(p, " "), Response: strings.Join(r, " "), ID: fmt.Sprint(i)})
	}
	dataPath := filepath.Join(tmp, "data.jsonl")
	if err := os.WriteFile(dataPath, data.WriteJSONL(samples), 0o644); err != nil {
		return err
	}
	seed := cfg.SeedBlock(n.Height()) + cfg.StepInterval
	if err := c.WaitHeight(ctx, seed, nil); err != nil {
		return err
	}
	v, err := validator.New(validator.Options{Config: cfg, Chain: c, Hub: hub.NewClient(hs.URL, filepath.Join(tmp, "vcache")),
		Source: data.NewJSONL(dataPath), Signer: vk, Netuid: netuid, DataDir: filepath.Join(tmp, "validator"),
		SetWeights: true, EvalBatch: batch})
	if err != nil {
		return err
	}
	fmt.Printf("running one validator step (GOMAXPROCS=%d)...\n", runtime.GOMAXPROCS(0))
	rep, err := v.StepAt(ctx, seed)
	if err != nil {
		return err
	}
	validator.WriteTable(os.Stdout, rep)
	tokens := rep.Tokens * len(rep.Models)
	other := rep.Total - rep.EvalTime
	fmt.Printf("\nmodels %d × samples %d (%d tokens/model, longest %d)\n", len(rep.Models), rep.Samples, rep.Tokens, maxLen)
	fmt.Printf("step wall time        %v\n", rep.Total.Round(time.Millisecond))
	fmt.Printf("LM engine (losses)    %v  (%.0f tokens/s)\n", rep.EvalTime.Round(time.Millisecond), float64(tokens)/rep.EvalTime.Seconds())
	fmt.Printf("model load + checks   %v\n", rep.LoadTime.Round(time.Millisecond))
	fmt.Printf("everything else       %v  (download, hashing, chain, data, scoring, weights)\n", (other - rep.LoadTime).Round(time.Millisecond))
	fmt.Printf("overhead outside the engine: %.1f%% of the step (target < 10%%)\n", 100*other.Seconds()/rep.Total.Seconds())
	return nil
}
