package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/spf13/cobra"

	"github.com/taonet/taonet/chain"
	"github.com/taonet/taonet/client"
	"github.com/taonet/taonet/lm/serve/modelengine"
	"github.com/taonet/taonet/netserve"
	"github.com/taonet/taonet/node"
	"github.com/taonet/taonet/subnets/finetuning/data"
	pctx "github.com/taonet/taonet/subnets/prompting/context"
	"github.com/taonet/taonet/subnets/prompting/embed"
	"github.com/taonet/taonet/subnets/prompting/feed"
	pminer "github.com/taonet/taonet/subnets/prompting/miner"
	"github.com/taonet/taonet/subnets/prompting/tasks"
	"github.com/taonet/taonet/subnets/prompting/translate"
	pvalidator "github.com/taonet/taonet/subnets/prompting/validator"
)

func init() {
	cmd := &cobra.Command{Use: "prompting", Short: "Prompting subnet: validator, miners, signed dataset feed"}
	cmd.AddCommand(promptingValidatorCmd(), promptingMinerCmd(), promptingFeedCmd(), promptingAPICmd())
	rootCmd.AddCommand(cmd)
}

func promptingNodeDefault() string {
	if d := os.Getenv("TAONET_NODE"); d != "" {
		return d
	}
	return "http://" + node.DefaultAPIAddr
}

// promptingSources are the challenge-material flags shared by validator and tool miner.
type promptingSources struct {
	corpus, wikiDump, codeRoot string
	kinds                      []string
	ctxPath, ctxURL            string
	mtEngine, mtPairs          string
}

func (s *promptingSources) bind(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringSliceVar(&s.kinds, "context", []string{pctx.KindDebianReference, pctx.KindEmbedded},
		"article sources in fallback order: embedded, dir, dump, wiki-api, debian-reference (the Debian Reference, installed by scripts/setup.sh)")
	f.StringVar(&s.ctxPath, "context.path", "", "file or directory of --context dir, dump or debian-reference")
	f.StringVar(&s.ctxURL, "context.url", "", "API root of --context wiki-api (default "+pctx.DefaultWikiURL+")")
	f.StringVar(&s.corpus, "corpus", "", "corpus directory (md/txt/jsonl); same as --context dir,embedded --context.path DIR")
	f.StringVar(&s.wikiDump, "wiki-dump", "", "Wikipedia XML dump (.xml or .xml.bz2); same as --context dump,embedded --context.path FILE")
	f.StringVar(&s.codeRoot, "code-root", "", "source tree for debugging tasks (e.g. $(go env GOROOT)/src)")
	f.StringVar(&s.mtEngine, "translation.engine", "apertium", "translation engine: apertium (Debian apertium + pair packages), llm (the --llm-url model; validator only) or off")
	f.StringVar(&s.mtPairs, "translation.pairs", "", "Apertium directions to use, e.g. en-es,es-en,en-ca (default: every installed pair)")
}

// check refuses unknown source kinds before anything is opened.
func (s *promptingSources) check() error {
	for _, k := range s.kinds {
		switch k {
		case pctx.KindEmbedded, pctx.KindDir, pctx.KindDump, pctx.KindWikiAPI, pctx.KindDebianReference:
		default:
			return fmt.Errorf("--context %q: want embedded, dir, dump, wiki-api or debian-reference", k)
		}
	}
	switch s.mtEngine {
	case "apertium", "llm", "off":
	default:
		return fmt.Errorf("--translation.engine %q: want apertium, llm or off", s.mtEngine)
	}
	return nil
}

// articles opens the selected sources: a fallback chain (sources that fail
// to open or, later, to answer hand over to the next with a logged
// message) and its first in-memory corpus (nil when there is none).
func (s *promptingSources) articles(log *slog.Logger) (*pctx.Fallback, *pctx.Corpus, error) {
	kinds, path := s.kinds, s.ctxPath
	switch {
	case s.wikiDump != "":
		kinds, path = []string{pctx.KindDump, pctx.KindEmbedded}, s.wikiDump
	case s.corpus != "":
		kinds, path = []string{pctx.KindDir, pctx.KindEmbedded}, s.corpus
	}
	fb, first, err := pctx.OpenChain(kinds, path, s.ctxURL, func(m string) { log.Warn(m) })
	if err != nil {
		return nil, nil, fmt.Errorf("--context: %w", err)
	}
	var names []string
	for _, n := range fb.Sources {
		names = append(names, n.Name)
	}
	log.Info("context sources", "order", strings.Join(names, ","))
	return fb, first, nil
}

// translator returns the translation engine the flags select, or nil with a
// warning when it is unavailable: translation is then skipped and the other
// tasks go on.
func (s *promptingSources) translator(log *slog.Logger, llm tasks.LLM) (tasks.Translator, error) {
	switch s.mtEngine {
	case "off":
		return nil, nil
	case "llm":
		if llm == nil {
			return nil, errors.New("--translation.engine llm needs --llm-url")
		}
		return &tasks.LLMTranslator{LLM: llm}, nil
	case "apertium":
	default:
		return nil, fmt.Errorf("--translation.engine %q: want apertium, llm or off", s.mtEngine)
	}
	var want []string
	if s.mtPairs != "" {
		want = strings.Split(s.mtPairs, ",")
	}
	a, err := translate.Discover("", "", want)
	if err != nil {
		log.Warn("translation task off", "err", err)
		return nil, nil
	}
	log.Info("translation by apertium", "pairs", fmt.Sprint(a.Pairs()))
	return a, nil
}

func promptingSignalContext() (context.Context, context.CancelFunc) {
	return signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
}

func promptingValidatorCmd() *cobra.Command {
	var (
		nodeURLs, llmURL, llmModel, llmKey, embeddings, embPath, embURL, embModel string
		dataDir, feedAddr, feedURL                                                string
		netuid                                                                    uint16
		sampleSize, embWords, steps                                               int
		timeout, stepInterval                                                     time.Duration
		weightsInterval, retention                                                uint64
		difficulty                                                                float64
		src                                                                       promptingSources
		noAnnounce                                                                bool
		proto, taskMix                                                            string
		followUp                                                                  float64
	)
	cmd := &cobra.Command{Use: "validator", Short: "Run a prompting validator (challenges, scoring, weights, signed feed)", Example: `  taonet prompting validator --wallet.name val --netuid 1                 # offline tasks only
  taonet prompting validator --wallet.name val --netuid 1 --llm-url http://127.0.0.1:8000/v1 --embeddings openai
  taonet prompting validator --wallet.name val --netuid 1 --steps 10 --sample-size 16`, Args: cobra.NoArgs}
	wf := bindWalletFlags(cmd, true)
	f := cmd.Flags()
	f.StringVar(&nodeURLs, "node", promptingNodeDefault(), "taonet backend: node API URL(s), comma-separated (env TAONET_NODE)")
	sf := bindSubtensorFlags(cmd, false)
	f.Uint16Var(&netuid, "netuid", 1, "prompting subnet")
	f.IntVar(&sampleSize, "sample-size", pvalidator.DefaultSampleSize, "miners queried per step (K)")
	f.DurationVar(&timeout, "timeout", pvalidator.DefaultTimeout, "per-miner stream timeout")
	f.StringVar(&llmURL, "llm-url", "", "OpenAI-compatible API base (e.g. http://127.0.0.1:8000/v1); empty: offline tasks only")
	f.StringVar(&llmModel, "llm-model", "default", "model name sent to the LLM backend")
	f.StringVar(&llmKey, "llm-api-key", os.Getenv("OPENAI_API_KEY"), "API key for the LLM/embeddings backend (env OPENAI_API_KEY)")
	f.StringVar(&embeddings, "embeddings", "glove", "relevance embeddings: glove (wink GloVe vectors), openai (/v1/embeddings), bert (a BERT model directory on taonet's engine) or hashed (shared words only; needs no data)")
	f.StringVar(&embPath, "embeddings-path", "", "GloVe (wink) JSON file (default: where scripts/setup.sh installs it), or the BERT model directory")
	f.IntVar(&embWords, "embeddings-words", 100000, "GloVe vocabulary kept (most frequent words)")
	f.StringVar(&embURL, "embeddings-url", "", "OpenAI-compatible embeddings API base (default: --llm-url)")
	f.StringVar(&embModel, "embeddings-model", "default", "embeddings model name")
	f.StringVar(&dataDir, "data-dir", "", "state and feed directory (default ~/.taonet/prompting/<wallet>/<hotkey>/netuid<N>)")
	f.StringVar(&feedAddr, "feed-addr", "127.0.0.1:8095", "serve the signed feed (/feed) and /metrics here; empty: off")
	f.StringVar(&feedURL, "feed-url", "", "public feed URL committed on chain (default http://<feed-addr>)")
	f.BoolVar(&noAnnounce, "no-announce", false, "do not commit the feed URL on chain")
	f.Uint64Var(&retention, "feed-retention", feed.DefaultRetention, "feed retention window in blocks")
	f.Uint64Var(&weightsInterval, "weights-interval", 100, "blocks between weight settings")
	f.DurationVar(&stepInterval, "step-interval", time.Second, "minimum time between steps")
	f.IntVar(&steps, "steps", 0, "stop after this many steps (0: run until interrupted)")
	f.Float64Var(&difficulty, "difficulty", 0.3, "paraphrase difficulty of offline challenges, 0..1")
	f.StringVar(&taskMix, "tasks", "", "task mix as name=weight pairs, e.g. qa=0.3,translation=0.1,math=0.2 (default: every task, equal weights, as upstream)")
	f.Float64Var(&followUp, "followup-probability", pvalidator.DefaultFollowUpProbability, "chance that a conversation gets a follow-up turn (0: never)")
	f.StringVar(&proto, "protocol", pvalidator.ProtocolBittensor, "how miners are queried: bittensor (Axon/Dendrite StreamPromptingSynapse) or epistula (signed OpenAI chat requests)")
	src.bind(cmd)
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		ctx, cancel := promptingSignalContext()
		defer cancel()
		log := slog.New(slog.NewTextHandler(cmd.ErrOrStderr(), &slog.HandlerOptions{Level: slog.LevelInfo}))
		// Flag checks first, before wallets, files and the network.
		if !(difficulty >= 0 && difficulty <= 1) {
			return fmt.Errorf("--difficulty %v: want 0..1", difficulty)
		}
		if steps < 0 {
			return fmt.Errorf("--steps %d: want 0 (run until interrupted) or more", steps)
		}
		if proto != pvalidator.ProtocolBittensor && proto != pvalidator.ProtocolEpistula {
			return fmt.Errorf("--protocol %q: want bittensor or epistula", proto)
		}
		if err := src.check(); err != nil {
			return err
		}
		if !(followUp >= 0 && followUp <= 1) {
			return fmt.Errorf("--followup-probability %v: want 0..1", followUp)
		}
		if followUp == 0 {
			followUp = -1 // the validator's "never"
		}
		reg := tasks.Default()
		if taskMix != "" {
			var err error
			if reg, err = tasks.ParseMix(taskMix); err != nil {
				return fmt.Errorf("--tasks: %w", err)
			}
		}
		lw, err := wf.load(cmd)
		if err != nil {
			return err
		}
		c, err := chainFor(sf, nodeURLs)
		if err != nil {
			return err
		}
		arts, _, err := src.articles(log)
		if err != nil {
			return err
		}
		be := tasks.Backends{Articles: arts, Difficulty: difficulty}
		if src.codeRoot != "" {
			code, err := pctx.NewCode(src.codeRoot)
			if err != nil {
				return err
			}
			be.Code = code
		}
		if llmURL != "" {
			be.LLM = tasks.NewOpenAILLM(llmURL, llmModel, llmKey)
		}
		if be.Translator, err = src.translator(log, be.LLM); err != nil {
			return err
		}
		var emb embed.Embedder
		switch embeddings {
		case "glove":
			p := embPath
			if p == "" {
				p = embed.DefaultWinkPath()
			}
			wv, err := embed.LoadWinkCached(p, embWords)
			if err != nil {
				return fmt.Errorf("--embeddings glove: %w (install with scripts/setup.sh, or pass --embeddings-path)", err)
			}
			emb = wv
		case "bert":
			if embPath == "" {
				return errors.New("--embeddings bert needs --embeddings-path (a BERT model directory)")
			}
			eng, err := modelengine.Load(embPath, modelengine.Options{Pooling: "cls"}) // upstream UAE: CLS pooling
			if err != nil {
				return fmt.Errorf("--embeddings bert: %w", err)
			}
			emb = embed.Batched{Embedder: eng, Size: 32}
		case "hashed":
			emb = embed.Hashed{Dim: 256}
		case "openai":
			u := embURL
			if u == "" {
				u = llmURL
			}
			if u == "" {
				return errors.New("--embeddings openai needs --embeddings-url or --llm-url")
			}
			emb = embed.NewOpenAI(u, embModel, llmKey)
		default:
			return fmt.Errorf("--embeddings %q: want glove, openai, bert or hashed", embeddings)
		}
		if dataDir == "" {
			home, _ := os.UserHomeDir()
			dataDir = filepath.Join(home, ".taonet", "prompting", wf.name, wf.hotkey, "netuid"+strconv.Itoa(int(netuid)))
		}
		store, err := feed.OpenStore(filepath.Join(dataDir, "feed"), log)
		if err != nil {
			return err
		}
		defer store.Close()
		store.Retention = retention
		metrics := prometheus.NewRegistry()
		metrics.MustRegister(prometheus.NewGoCollector(), prometheus.NewProcessCollector(prometheus.ProcessCollectorOpts{}))
		if feedAddr != "" {
			mux := http.NewServeMux()
			mux.Handle("/feed", feed.Handler(store))
			mux.Handle("/metrics", promhttp.HandlerFor(metrics, promhttp.HandlerOpts{}))
			l, err := net.Listen("tcp", feedAddr)
			if err != nil {
				return fmt.Errorf("--feed-addr: %w", err)
			}
			srv := netserve.NewServer(mux, netserve.Config{})
			go srv.Serve(netserve.LimitListener(l, 0))
			defer srv.Close()
			if feedURL == "" {
				feedURL = "http://" + l.Addr().String()
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "feed and metrics on %s (/feed, /metrics)\n", l.Addr())
			if !noAnnounce {
				text := feed.CommitmentText(feedURL)
				if len(text) > 128 {
					return fmt.Errorf("--feed-url: commitment %q is longer than 128 bytes", text)
				}
				if _, err := c.Submit(ctx, lw.Hotkey, &chain.SetCommitment{Netuid: netuid,
					Fields: []chain.CommitmentField{{Kind: chain.FieldRaw, Data: []byte(text)}}}); err != nil {
					log.Warn("could not commit the feed URL", "err", err)
				}
			}
		}
		v, err := pvalidator.New(pvalidator.Config{Hotkey: lw.Hotkey, Netuid: netuid, Chain: c, Backends: be, Embedder: emb,
			SampleSize: sampleSize, Timeout: timeout, WeightsInterval: weightsInterval, DataDir: dataDir, Feed: store,
			Out: cmd.OutOrStdout(), Logger: log, Metrics: metrics, Protocol: proto, Registry: reg, FollowUpProbability: followUp})
		if err != nil {
			return err
		}
		defer v.Close()
		fmt.Fprintf(cmd.ErrOrStderr(), "prompting validator %s on subnet %d; tasks %v; data %s\n",
			lw.Hotkey.SS58Address(), netuid, reg.Available(be), dataDir)
		if steps > 0 {
			var failed int
			var lastErr error
			for i := 0; i < steps && ctx.Err() == nil; i++ {
				t0 := time.Now()
				if _, err := v.Step(ctx); err != nil {
					log.Warn("step failed", "err", err)
					failed, lastErr = failed+1, err
				}
				select {
				case <-ctx.Done():
				case <-time.After(max(0, stepInterval-time.Since(t0))):
				}
			}
			// A bounded run where nothing worked (e.g. the node is down) is an
			// error for scripts, not a success.
			if failed == steps {
				return fmt.Errorf("all %d steps failed; last: %w", steps, lastErr)
			}
			return nil
		}
		if err := v.Run(ctx, stepInterval); err != nil && !errors.Is(err, context.Canceled) {
			return err
		}
		return nil
	}
	return cmd
}

func promptingMinerCmd() *cobra.Command {
	var (
		nodeURLs, mode, llmURL, llmModel, llmKey, axonIP, listen, metricsAddr, proto string
		netuid                                                                       uint16
		port, chunkWords                                                             int
		forcePermit, allowUnregistered, noServe                                      bool
		src                                                                          promptingSources
	)
	cmd := &cobra.Command{Use: "miner", Short: "Run a prompting miner (LLM backend, or --mode tool: no LLM needed)", Example: `  taonet prompting miner --wallet.name m1 --netuid 1 --mode tool --axon.port 8091
  taonet prompting miner --wallet.name m2 --netuid 1 --llm-url http://127.0.0.1:11434/v1 --llm-model llama3`, Args: cobra.NoArgs}
	wf := bindWalletFlags(cmd, true)
	f := cmd.Flags()
	f.StringVar(&nodeURLs, "node", promptingNodeDefault(), "taonet backend: node API URL(s), comma-separated (env TAONET_NODE)")
	sf := bindSubtensorFlags(cmd, false)
	f.Uint16Var(&netuid, "netuid", 1, "prompting subnet")
	f.StringVar(&mode, "mode", "llm", "llm (OpenAI-compatible backend), tool (calculator + retrieval), echo or noise (baselines)")
	f.StringVar(&llmURL, "llm-url", "http://127.0.0.1:8000/v1", "OpenAI-compatible API base: vLLM, Ollama (/v1), llama.cpp server, OpenAI, taonet model serve")
	f.StringVar(&llmModel, "llm-model", "default", "model name sent to the backend")
	f.StringVar(&llmKey, "llm-api-key", os.Getenv("OPENAI_API_KEY"), "API key (env OPENAI_API_KEY)")
	f.StringVar(&axonIP, "axon.ip", "127.0.0.1", "IP announced on chain")
	f.IntVar(&port, "axon.port", 8091, "axon port (announced and listened on)")
	f.StringVar(&listen, "axon.listen", "", "listen host (default: 0.0.0.0, or 127.0.0.1 when --axon.ip is loopback)")
	f.IntVar(&chunkWords, "chunk-words", pminer.DefaultChunkWords, "words per streamed chunk")
	f.BoolVar(&forcePermit, "blacklist.force_validator_permit", false, "only serve validators (hotkeys with a permit)")
	f.BoolVar(&allowUnregistered, "blacklist.allow_non_registered", false, "serve hotkeys not registered on the subnet")
	f.BoolVar(&noServe, "no-serve-axon", false, "do not publish the axon on chain (already served)")
	f.StringVar(&metricsAddr, "metrics-addr", "", "serve Prometheus /metrics here (e.g. 127.0.0.1:9109)")
	f.StringVar(&proto, "protocol", "bittensor", "what the port speaks: bittensor (Axon, StreamPromptingSynapse) or epistula (Epistula-signed POST /v1/chat/completions)")
	src.bind(cmd)
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		ctx, cancel := promptingSignalContext()
		defer cancel()
		log := slog.New(slog.NewTextHandler(cmd.ErrOrStderr(), &slog.HandlerOptions{Level: slog.LevelInfo}))
		switch mode {
		case "llm", "tool", "echo", "noise":
		default:
			return fmt.Errorf("--mode %q: want llm, tool, echo or noise", mode)
		}
		if port < 1 || port > 65535 {
			return fmt.Errorf("--axon.port %d: want 1..65535", port)
		}
		if proto != "bittensor" && proto != "epistula" {
			return fmt.Errorf("--protocol %q: want bittensor or epistula", proto)
		}
		if err := src.check(); err != nil {
			return err
		}
		lw, err := wf.load(cmd)
		if err != nil {
			return err
		}
		c, err := chainFor(sf, nodeURLs)
		if err != nil {
			return err
		}
		var r pminer.Responder
		switch mode {
		case "llm":
			r = pminer.NewLLM(llmURL, llmModel, llmKey)
		case "tool":
			_, arts, err := src.articles(log)
			if err != nil {
				return err
			}
			if arts == nil {
				return errors.New("--mode tool indexes a corpus: add embedded, dir, dump or debian-reference to --context")
			}
			var code *pminer.CodeIndex
			if src.codeRoot != "" {
				if code, err = pminer.NewCodeIndex(src.codeRoot, 0); err != nil {
					return err
				}
			}
			tool := pminer.NewTool(arts, code)
			if src.mtEngine == "llm" {
				return errors.New("--translation.engine llm: a tool miner has no LLM; use apertium or --mode llm")
			}
			if tool.Solver.Translator, err = src.translator(log, nil); err != nil {
				return err
			}
			r = tool
		case "echo":
			r = pminer.Echo{}
		case "noise":
			r = pminer.NewNoise(uint64(time.Now().UnixNano()))
		default:
			return fmt.Errorf("--mode %q: want llm, tool, echo or noise", mode)
		}
		reg := prometheus.NewRegistry()
		m, err := pminer.New(pminer.Config{Hotkey: lw.Hotkey, Netuid: netuid, Chain: c, Responder: r, ChunkWords: chunkWords,
			RequireValidatorPermit: forcePermit, AllowNonRegistered: allowUnregistered, Logger: log, Metrics: reg})
		if err != nil {
			return err
		}
		if err := m.Refresh(ctx); err != nil {
			return err
		}
		host := listen
		if host == "" {
			host = "0.0.0.0"
			if ip := net.ParseIP(axonIP); ip != nil && ip.IsLoopback() {
				host = "127.0.0.1"
			}
		}
		start := m.Start
		if proto == "epistula" {
			start = m.StartEpistula
		}
		addr, err := start(net.JoinHostPort(host, strconv.Itoa(port)))
		if err != nil {
			return err
		}
		defer m.Shutdown(context.Background())
		if metricsAddr != "" {
			srv, _, err := netserve.Start(metricsAddr, promhttp.HandlerFor(reg, promhttp.HandlerOpts{}), netserve.Config{})
			if err != nil {
				return fmt.Errorf("--metrics-addr: %w", err)
			}
			defer srv.Close()
		}
		if !noServe {
			sctx, scancel := context.WithTimeout(ctx, 2*time.Minute)
			err := pminer.ServeOnChain(sctx, c, lw.Hotkey, netuid, axonIP, addr.Port)
			scancel()
			if err != nil {
				return err
			}
		}
		fmt.Fprintf(cmd.ErrOrStderr(), "prompting miner (%s, %s) %s serving on %s, announced %s:%d on subnet %d\n",
			mode, proto, lw.Hotkey.SS58Address(), addr, axonIP, addr.Port, netuid)
		if err := m.Run(ctx); err != nil && !errors.Is(err, context.Canceled) {
			return err
		}
		return nil
	}
	return cmd
}

func promptingFeedCmd() *cobra.Command {
	var (
		nodeURLs, response string
		netuid             uint16
		minStake           float64
		since, until       uint64
	)
	cmd := &cobra.Command{Use: "feed", Short: "Read the validators' signed feeds (verified) as finetuning JSONL samples", Example: `  taonet prompting feed --netuid 1 --since 1000 > samples.jsonl
  taonet prompting feed --netuid 1 --min-stake 100 --response completion`, Args: cobra.NoArgs}
	f := cmd.Flags()
	f.StringVar(&nodeURLs, "node", promptingNodeDefault(), "taonet backend: node API URL(s), comma-separated (env TAONET_NODE)")
	sf := bindSubtensorFlags(cmd, false)
	f.Uint16Var(&netuid, "netuid", 1, "prompting subnet")
	f.Float64Var(&minStake, "min-stake", 1, "minimum stake (TAO) of a publishing validator")
	f.Uint64Var(&since, "since", 0, "first block")
	f.Uint64Var(&until, "until", 0, "last block (0: the chain head)")
	f.StringVar(&response, "response", feed.ResponseReference, "sample response: reference or completion")
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		ctx, cancel := promptingSignalContext()
		defer cancel()
		if response != feed.ResponseReference && response != feed.ResponseCompletion {
			return fmt.Errorf("--response %q: want reference or completion", response)
		}
		if !(minStake >= 0) {
			return fmt.Errorf("--min-stake %v: want a non-negative amount of TAO", minStake)
		}
		if until != 0 && until < since {
			return fmt.Errorf("--until %d is before --since %d", until, since)
		}
		c, err := chainFor(sf, nodeURLs)
		if err != nil {
			return err
		}
		if until == 0 {
			b, err := c.LatestBlock(ctx)
			if err != nil {
				return err
			}
			until = b.Height
		}
		fc := &feed.Client{Chain: c, Netuid: netuid, MinStake: uint64(minStake * client.RaoPerTAO), Response: response,
			Logger: slog.New(slog.NewTextHandler(cmd.ErrOrStderr(), nil))}
		s, err := fc.Samples(ctx, since, until)
		if err != nil {
			return err
		}
		_, err = cmd.OutOrStdout().Write(data.WriteJSONL(s))
		fmt.Fprintf(cmd.ErrOrStderr(), "%d samples (blocks %d..%d), %d records rejected\n", len(s), since, until, fc.Rejected())
		return err
	}
	return cmd
}
