package localnet

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/taonet/taonet/chain"
	pctx "github.com/taonet/taonet/subnets/prompting/context"
	"github.com/taonet/taonet/subnets/prompting/embed"
	"github.com/taonet/taonet/subnets/prompting/feed"
	"github.com/taonet/taonet/subnets/prompting/miner"
	"github.com/taonet/taonet/subnets/prompting/tasks"
	"github.com/taonet/taonet/subnets/prompting/translate"
	"github.com/taonet/taonet/subnets/prompting/validator"
)

// embeddingWords bounds the GloVe vocabulary loaded (memory ≈ 40 MB).
const embeddingWords = 100_000

// minerKind names the responder of prompting miner i: tool miners answer
// well, the noise and echo miners are baselines, so incentive visibly
// follows quality. With an LLM configured, the last miner uses it.
func (n *Net) minerKind(i int) string {
	if n.o.hasLLM() && i == n.o.PromptingMiners {
		return "llm"
	}
	return [...]string{"tool", "noise", "echo", "tool"}[i%4]
}

func (n *Net) startPrompting(ctx context.Context) (string, error) {
	nm := n.o.PromptingMiners + boolInt(n.o.hasLLM())
	// Axon and feed announcements go out together (one block, not one each).
	var chainTxs []func() error
	// Challenge material: the Debian Reference (scripts/setup.sh run
	// installs it; hundreds of sections), else the embedded articles.
	var corpus = pctx.Embedded()
	var articles pctx.Source = corpus
	ctxNote := ""
	if dr, err := pctx.OpenDebianReference(pctx.DebianReferencePath, pctx.CorpusOptions{}); err == nil {
		corpus, articles = dr, &pctx.Fallback{Sources: []pctx.Named{{Name: pctx.KindDebianReference, Source: dr}, {Name: pctx.KindEmbedded, Source: pctx.Embedded()}}}
	} else {
		ctxNote = "; challenges from the embedded articles only (" + err.Error() + ")"
	}
	// Apertium (scripts/setup.sh run installs it) drives the translation
	// task and the tool miners' translations; without it translation is off.
	var mt tasks.Translator
	mtNote := ""
	if a, err := translate.Discover("", "", nil); err == nil {
		mt = a
	} else {
		mtNote = "; translation off (" + err.Error() + ")"
	}
	for i := 0; i < nm; i++ {
		name := fmt.Sprintf("pm%d", i)
		hk, _ := Key(name)
		kind := n.minerKind(i)
		var resp miner.Responder
		switch kind {
		case "tool":
			tool := miner.NewTool(corpus, nil)
			tool.Solver.Translator = mt
			resp = tool
		case "noise":
			resp = miner.NewNoise(uint64(i) + 1)
		case "echo":
			resp = miner.Echo{}
		case "llm":
			resp = miner.NewLLM(n.o.LLMURL, n.o.LLMModel, n.o.LLMKey)
		}
		log, _, logPath := n.logger(name)
		reg := n.neuronRegistry(n.PromptingNetuid, hk.SS58Address(), false)
		m, err := miner.New(miner.Config{Hotkey: hk, Netuid: n.PromptingNetuid, Chain: n.Client, Responder: resp,
			Refresh: 10 * time.Second, Logger: log, Metrics: reg})
		if err != nil {
			return "", err
		}
		if err := m.Refresh(ctx); err != nil {
			return "", err
		}
		addr, err := m.Start("127.0.0.1:0")
		if err != nil {
			return "", err
		}
		n.onStop(func() {
			sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			m.Shutdown(sctx)
		})
		n.goRun(func(ctx context.Context) { m.Run(ctx) })
		chainTxs = append(chainTxs, func() error {
			if err := miner.ServeOnChain(ctx, n.Client, hk, n.PromptingNetuid, "127.0.0.1", addr.Port); err != nil {
				return fmt.Errorf("%s serve axon: %w", name, err)
			}
			return nil
		})
		murl, err := n.serveMetrics(reg, nil)
		if err != nil {
			return "", err
		}
		n.addProc(Process{Name: name, Role: "prompting miner (" + kind + ")", Netuid: n.PromptingNetuid, Hotkey: hk.SS58Address(),
			URL: "http://" + addr.String(), Metrics: murl + "/metrics", Log: logPath})
	}
	if n.o.PromptingValidators == 0 {
		if err := runAll(chainTxs); err != nil {
			return "", err
		}
		return fmt.Sprintf("%d miners, no validator%s%s", nm, mtNote, ctxNote), nil
	}
	path := n.o.EmbeddingsPath
	if path == "" {
		path = embed.DefaultWinkPath()
	}
	if _, err := os.Stat(path); err != nil {
		if err := runAll(chainTxs); err != nil {
			return "", err
		}
		n.addNotStarted(fmt.Sprintf("prompting validators: GloVe vectors missing at %s (run: bash scripts/setup.sh run)", path))
		return fmt.Sprintf("%d miners; validators NOT started (GloVe vectors missing: bash scripts/setup.sh run)", nm), nil
	}
	emb, err := embed.LoadWinkCached(path, embeddingWords)
	if err != nil {
		return "", err
	}
	backends := tasks.Backends{Articles: articles, Translator: mt}
	if n.o.LLMURL != "" {
		backends.LLM = tasks.NewOpenAILLM(n.o.LLMURL, n.o.LLMModel, n.o.LLMKey)
	}
	weightsEvery := uint64(max(n.o.Tempo/2, 1))
	var loops []func()
	for i := 0; i < n.o.PromptingValidators; i++ {
		name := fmt.Sprintf("pv%d", i)
		hk, _ := Key(name)
		dir := filepath.Join(n.o.Dir, "prompting", name)
		store, err := feed.OpenStore(filepath.Join(dir, "feed"), nil)
		if err != nil {
			return "", err
		}
		n.onStop(func() { store.Close() })
		log, table, logPath := n.logger(name)
		reg := n.neuronRegistry(n.PromptingNetuid, hk.SS58Address(), false)
		v, err := validator.New(validator.Config{Hotkey: hk, Netuid: n.PromptingNetuid, Chain: n.Client, Backends: backends,
			Embedder: emb, SampleSize: 64, Timeout: n.o.PromptingTimeout, WeightsInterval: weightsEvery, DataDir: dir,
			Feed: store, Out: table, Logger: log, Metrics: reg})
		if err != nil {
			return "", err
		}
		n.onStop(v.Close)
		murl, err := n.serveMetrics(reg, map[string]http.Handler{"GET /feed": feed.Handler(store)})
		if err != nil {
			return "", err
		}
		// Announce the feed (its URL changes with the port on each start).
		chainTxs = append(chainTxs, func() error {
			if _, err := n.Client.Submit(ctx, hk, &chain.SetCommitment{Netuid: n.PromptingNetuid,
				Fields: []chain.CommitmentField{{Kind: chain.FieldRaw, Data: []byte(feed.CommitmentText(murl))}}}); err != nil {
				return fmt.Errorf("%s: commit feed url: %w", name, err)
			}
			return nil
		})
		n.live.addFeed(name, store)
		loops = append(loops, func() { n.goRun(func(ctx context.Context) { n.promptingLoop(ctx, name, v, log) }) })
		n.addProc(Process{Name: name, Role: "prompting validator", Netuid: n.PromptingNetuid, Hotkey: hk.SS58Address(),
			URL: murl + "/feed", Metrics: murl + "/metrics", Log: logPath})
	}
	if err := runAll(chainTxs); err != nil {
		return "", err
	}
	for _, start := range loops { // validators step once the axons are on chain
		start()
	}
	kinds := make([]string, nm)
	for i := range kinds {
		kinds[i] = n.minerKind(i)
	}
	return fmt.Sprintf("%d validator(s), %d miners (%s)%s%s", n.o.PromptingValidators, nm, strings.Join(kinds, ", "), mtNote, ctxNote), nil
}

// promptingLoop steps the validator every PromptingInterval and keeps the
// results for the dashboard.
func (n *Net) promptingLoop(ctx context.Context, name string, v *validator.Validator, log interface {
	Warn(string, ...any)
}) {
	for {
		t0 := time.Now()
		res, err := v.Step(ctx)
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			log.Warn("step failed", "err", err)
		} else {
			for r := res; r != nil; r = r.FollowUp { // a follow-up turn shows as its own entry
				n.live.addPrompt(name, r)
			}
		}
		wait := n.o.PromptingInterval - time.Since(t0)
		select {
		case <-ctx.Done():
			return
		case <-time.After(max(wait, 100*time.Millisecond)):
		}
	}
}

// runAll runs fs concurrently and joins their errors.
func runAll(fs []func() error) error {
	errs := make([]error, len(fs))
	var wg sync.WaitGroup
	for i, f := range fs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = f()
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}
