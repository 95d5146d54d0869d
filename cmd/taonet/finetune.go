package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/spf13/cobra"

	"github.com/taonet/taonet/client"
	"github.com/taonet/taonet/hub"
	"github.com/taonet/taonet/keys"
	"github.com/taonet/taonet/lm/train"
	"github.com/taonet/taonet/netserve"
	"github.com/taonet/taonet/node"
	"github.com/taonet/taonet/subnets/finetuning/competition"
	"github.com/taonet/taonet/subnets/finetuning/data"
	"github.com/taonet/taonet/subnets/finetuning/evaluate"
	"github.com/taonet/taonet/subnets/finetuning/miner"
	"github.com/taonet/taonet/subnets/finetuning/validator"
	"github.com/taonet/taonet/subnets/prompting/feed"
)

func init() {
	cmd := &cobra.Command{Use: "finetune", Short: "Finetuning subnet: competition config, miner (train, publish, run), validator"}
	mc := &cobra.Command{Use: "miner", Short: "Finetuning miner: train, publish, run"}
	mc.AddCommand(ftMinerTrainCmd(), ftMinerPublishCmd(), ftMinerRunCmd())
	cmd.AddCommand(ftConfigCmd(), mc, ftValidatorCmd())
	rootCmd.AddCommand(cmd)
}

// ftCommon are the flags shared by the finetuning commands.
type ftCommon struct {
	config, comp, nodeURL, hubURL, cacheDir string
	netuid                                  uint16
	st                                      *subtensorFlags
}

func (f *ftCommon) bind(cmd *cobra.Command, withChain bool) {
	cmd.Flags().StringVar(&f.config, "config", "", "competition config (JSON or TOML); empty = the localnet default (taonet finetune config)")
	cmd.Flags().StringVar(&f.comp, "competition", "", "competition id (default: the config's first)")
	cmd.Flags().StringVar(&f.hubURL, "hub", defaultHubURL, "model hub URL, e.g. https://huggingface.co (env "+hub.EnvEndpoint+"; token from "+hub.EnvToken+" or taonet hub login)")
	cmd.Flags().StringVar(&f.cacheDir, "cache-dir", "", "hub download cache (default: the user cache dir)")
	if withChain {
		def := os.Getenv("TAONET_NODE")
		if def == "" {
			def = "http://" + node.DefaultAPIAddr
		}
		cmd.Flags().StringVar(&f.nodeURL, "node", def, "taonet backend: node API URL(s), comma-separated (env TAONET_NODE)")
		cmd.Flags().Uint16Var(&f.netuid, "netuid", 1, "subnet")
		f.st = bindSubtensorFlags(cmd, false)
	}
}

func (f *ftCommon) load() (competition.Config, *competition.Competition, error) {
	cfg := competition.Default()
	if f.config != "" {
		var err error
		if cfg, err = competition.Load(f.config); err != nil {
			return cfg, nil, err
		}
	}
	id := f.comp
	if id == "" {
		id = cfg.Competitions[0].ID
	}
	k, ok := cfg.Competition(id)
	if !ok {
		return cfg, nil, fmt.Errorf("competition %q not in the config (have %v)", id, cfg.IDs())
	}
	return cfg, k, nil
}

func (f *ftCommon) chain() (subnetChain, error) {
	return chainFor(f.st, f.nodeURL)
}

const defaultHubURL = "http://127.0.0.1:7860"

// hub is a client for --hub (or $HF_ENDPOINT) with its token, if any: with a
// token, uploads speak the Hugging Face protocol (huggingface.co or a taonet
// hub), reads of private repos use it too.
func (f *ftCommon) hub() *hub.Client {
	return hubClient(hub.Endpoint(f.hubURL, f.hubURL != defaultHubURL), f.cacheDir)
}

func ftContext() (context.Context, context.CancelFunc) {
	return signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
}

func ftLogger(cmd *cobra.Command) *slog.Logger {
	return slog.New(slog.NewTextHandler(cmd.ErrOrStderr(), nil))
}

// ftData are the data-source flags: JSONL files and/or the prompting
// subnet's signed feed.
type ftData struct {
	paths     string
	feedNet   int
	feedStake uint64
	response  string
}

func (d *ftData) bind(cmd *cobra.Command) {
	cmd.Flags().StringVar(&d.paths, "data", "", "JSONL data file(s) of {prompt, response[, block, id]}, comma-separated")
	cmd.Flags().IntVar(&d.feedNet, "feed-netuid", -1, "also read the signed dataset feed of the prompting validators on this subnet")
	cmd.Flags().Uint64Var(&d.feedStake, "feed-min-stake", 0, "minimum stake (rao) of a feed-publishing validator besides its permit")
	cmd.Flags().StringVar(&d.response, "feed-response", feed.ResponseReference, "feed text used as the response: reference or completion")
}

func (d *ftData) source(c feed.Chain, log *slog.Logger) (data.Source, error) {
	var u data.Union
	if d.paths != "" {
		u = append(u, data.NewJSONL(strings.Split(d.paths, ",")...))
	}
	if d.feedNet >= 0 {
		if d.feedNet > 65535 {
			return nil, fmt.Errorf("--feed-netuid %d out of range", d.feedNet)
		}
		if c == nil {
			return nil, errors.New("--feed-netuid needs a node (--node)")
		}
		u = append(u, &feed.Client{Chain: c, Netuid: uint16(d.feedNet), MinStake: d.feedStake, Response: d.response, Logger: log})
	}
	switch len(u) {
	case 0:
		return nil, errors.New("no data: give --data FILE.jsonl and/or --feed-netuid N")
	case 1:
		return u[0], nil
	}
	return u, nil
}

func ftConfigCmd() *cobra.Command {
	var out string
	cmd := &cobra.Command{Use: "config", Short: "Print (or write with --out) the default competition config as JSON", Args: cobra.NoArgs}
	cmd.Flags().StringVar(&out, "out", "", "write to this file instead of stdout")
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		b := competition.Default().JSON()
		if out == "" {
			_, err := cmd.OutOrStdout().Write(b)
			return err
		}
		return os.WriteFile(out, b, 0o644)
	}
	return cmd
}

func ftMinerTrainCmd() *cobra.Command {
	var f ftCommon
	var base, out string
	var d ftData
	var best bool
	var steps, batch, accum, warmup, every int
	var lr float64
	var seed uint64
	cmd := &cobra.Command{Use: "train", Short: "Fine-tune a base model (--base) or the best committed model (--best) on JSONL data", Args: cobra.NoArgs}
	f.bind(cmd, true)
	cmd.Flags().StringVar(&base, "base", "", "starting model directory (e.g. taonet model init output)")
	cmd.Flags().BoolVar(&best, "best", false, "start from the best committed model of the competition (downloaded from the hub)")
	cmd.Flags().StringVar(&out, "out", "ft-model", "output directory (checkpoints and final model)")
	d.bind(cmd)
	cmd.Flags().IntVar(&steps, "steps", 100, "optimizer steps")
	cmd.Flags().IntVar(&batch, "batch", 4, "sequences per micro-batch")
	cmd.Flags().IntVar(&accum, "accum", 1, "micro-batches per step")
	cmd.Flags().IntVar(&warmup, "warmup", 10, "warmup steps")
	cmd.Flags().IntVar(&every, "checkpoint-every", 50, "write a checkpoint every N steps (0: at the end)")
	cmd.Flags().Float64Var(&lr, "lr", 1e-3, "peak learning rate")
	cmd.Flags().Uint64Var(&seed, "seed", 1, "data order seed")
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		cfg, k, err := f.load()
		if err != nil {
			return err
		}
		tok, err := cfg.LoadTokenizer(k)
		if err != nil {
			return err
		}
		ctx, cancel := ftContext()
		defer cancel()
		if best == (base != "") {
			return errors.New("give exactly one of --base DIR or --best")
		}
		if best {
			c, err := f.chain()
			if err != nil {
				return err
			}
			b, err := miner.FindBest(ctx, c, f.netuid, k.ID)
			if err != nil {
				return err
			}
			if base, err = miner.DownloadBest(ctx, f.hub(), b); err != nil {
				return err
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "starting from uid %d: %s\n", b.UID, b.Commitment)
		}
		var c subnetChain
		if d.feedNet >= 0 || best {
			if c, err = f.chain(); err != nil {
				return err
			}
		}
		src, err := d.source(c, ftLogger(cmd))
		if err != nil {
			return err
		}
		samples, err := src.Samples(ctx, 0, ^uint64(0))
		if err != nil {
			return err
		}
		start := time.Now()
		err = miner.Train(ctx, miner.TrainOptions{Competition: k, Tokenizer: tok, BaseDir: base, OutDir: out, Samples: samples,
			Steps: steps, Batch: batch, Accum: accum, LR: lr, Warmup: warmup, Seed: seed, CheckpointEvery: every,
			Progress: func(p train.Progress) {
				fmt.Fprintf(cmd.ErrOrStderr(), "step %d/%d loss %.4f lr %.2e grad %.3f tokens/s %.0f\n", p.Step, p.Steps, p.Loss, p.LR,
					p.GradNorm, float64(p.SeqTokens)*float64(p.Step)/time.Since(start).Seconds()/float64(max(p.Step, 1)))
			}})
		if err != nil {
			return err
		}
		fmt.Fprintf(cmd.OutOrStdout(), "model written to %s\n", out)
		return nil
	}
	return cmd
}

func ftPublishOptions(cmd *cobra.Command, f *ftCommon, wf *walletFlagValues, repo string) (miner.PublishOptions, *competition.Competition, competition.Config, error) {
	cfg, k, err := f.load()
	if err != nil {
		return miner.PublishOptions{}, nil, cfg, err
	}
	c, err := f.chain()
	if err != nil {
		return miner.PublishOptions{}, nil, cfg, err
	}
	hk, err := cliHotkey(cmd, wf)
	if err != nil {
		return miner.PublishOptions{}, nil, cfg, err
	}
	hc := f.hub()
	if repo == "" {
		repo = hk.SS58Address()[:12] + "/ft" // short: repo ids are limited to 38 characters
		if hc.Token != "" {                  // on huggingface.co the namespace is the token's user
			ctx, cancel := context.WithTimeout(cmd.Context(), time.Minute)
			who, err := hc.WhoAmI(ctx)
			cancel()
			if err != nil {
				return miner.PublishOptions{}, nil, cfg, fmt.Errorf("whoami (for the default --repo): %w", err)
			}
			if who != hk.SS58Address() {
				repo = who + "/ft"
			}
		}
	}
	ns, name, err := hub.ParseRepoID(repo)
	if err != nil {
		return miner.PublishOptions{}, nil, cfg, fmt.Errorf("--repo: %w", err)
	}
	return miner.PublishOptions{Chain: c, Hub: hc, Signer: hk, Netuid: f.netuid, Namespace: ns, Name: name,
		CompetitionID: k.ID}, k, cfg, nil
}

func ftMinerPublishCmd() *cobra.Command {
	var f ftCommon
	var repo string
	cmd := &cobra.Command{Use: "publish DIR", Short: "Upload DIR to the hub and commit it on chain (refuses a model another hotkey committed)", Args: cobra.ExactArgs(1),
		Long: `Upload DIR to the hub and commit it on chain, private until committed (finetuning spec §1.2):
the repo is made private, DIR uploaded and re-downloaded with the hotkey's signature to
compute the hash a validator will, the commitment submitted and its inclusion awaited, and
only then is the repo made public. If the commit fails the repo stays private; run the
same command again to retry. A model another hotkey already committed is refused.

The same command publishes to huggingface.co (--hub https://huggingface.co or
HF_ENDPOINT, with HF_TOKEN) and to a taonet hub (after taonet hub login, or
signed by the hotkey without a token); the commitment format is upstream's
namespace:name:revision:hash:competition either way.`}
	f.bind(cmd, true)
	wf := bindWalletFlags(cmd, true)
	cmd.Flags().StringVar(&repo, "repo", "", "hub repository namespace/name, at most 38 characters (default: the first 12 characters of the hotkey address + \"/ft\")")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		o, _, _, err := ftPublishOptions(cmd, &f, wf, repo)
		if err != nil {
			return err
		}
		o.Dir = args[0]
		ctx, cancel := ftContext()
		defer cancel()
		id, err := miner.Publish(ctx, o)
		if err != nil {
			return err
		}
		fmt.Fprintln(cmd.OutOrStdout(), id.String())
		return nil
	}
	return cmd
}

func ftMinerRunCmd() *cobra.Command {
	var f ftCommon
	var repo, base, work string
	var d ftData
	var steps, batch, rounds int
	var lr float64
	var interval time.Duration
	cmd := &cobra.Command{Use: "run", Short: "Loop: train from the best model, publish when better by more than epsilon", Args: cobra.NoArgs}
	f.bind(cmd, true)
	wf := bindWalletFlags(cmd, true)
	cmd.Flags().StringVar(&repo, "repo", "", "hub repository namespace/name, at most 38 characters (default: the first 12 characters of the hotkey address + \"/ft\")")
	cmd.Flags().StringVar(&base, "base", "", "base model used while nothing is committed")
	cmd.Flags().StringVar(&work, "work-dir", "ft-miner", "training output directory")
	d.bind(cmd)
	cmd.Flags().IntVar(&steps, "steps", 100, "optimizer steps per round")
	cmd.Flags().IntVar(&batch, "batch", 4, "sequences per step")
	cmd.Flags().Float64Var(&lr, "lr", 1e-3, "peak learning rate")
	cmd.Flags().DurationVar(&interval, "interval", time.Minute, "pause between rounds")
	cmd.Flags().IntVar(&rounds, "rounds", 0, "stop after this many rounds (0: run until interrupted)")
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		o, k, cfg, err := ftPublishOptions(cmd, &f, wf, repo)
		if err != nil {
			return err
		}
		tok, err := cfg.LoadTokenizer(k)
		if err != nil {
			return err
		}
		c, _ := o.Chain.(*client.Client)
		src, err := d.source(c, ftLogger(cmd))
		if err != nil {
			return err
		}
		if base == "" {
			return errors.New("--base: a starting model is required (taonet model init)")
		}
		ctx, cancel := ftContext()
		defer cancel()
		err = miner.Run(ctx, miner.RunOptions{Publish: o, Config: cfg, Competition: k, Tokenizer: tok, Source: src, BaseDir: base,
			WorkDir: work, StepsPerRun: steps, Batch: batch, LR: lr, Interval: interval, Rounds: rounds, Logger: ftLogger(cmd)})
		if errors.Is(err, context.Canceled) {
			return nil
		}
		return err
	}
	return cmd
}

func ftValidatorCmd() *cobra.Command {
	var f ftCommon
	var dataDir, metricsAddr string
	var d ftData
	var noWeights, once bool
	var batch int
	var poll time.Duration
	var eb evalBackendFlags
	cmd := &cobra.Command{Use: "validator", Short: "Run the finetuning validator: evaluate committed models each step and set weights", Args: cobra.NoArgs}
	eb.bind(cmd)
	f.bind(cmd, true)
	wf := bindWalletFlags(cmd, true)
	d.bind(cmd)
	cmd.Flags().StringVar(&dataDir, "data-dir", "ft-validator", "state directory (scores, evaluated models); the hub cache goes under it unless --cache-dir")
	cmd.Flags().StringVar(&metricsAddr, "metrics-addr", "", "serve Prometheus /metrics here (e.g. 127.0.0.1:9108)")
	cmd.Flags().BoolVar(&noWeights, "no-set-weights", false, "evaluate only")
	cmd.Flags().BoolVar(&once, "once", false, "run one step at the current seed block and exit")
	cmd.Flags().IntVar(&batch, "eval-batch", 4, "samples per forward pass")
	cmd.Flags().DurationVar(&poll, "poll", 2*time.Second, "block polling interval")
	var allowNondet bool
	cmd.Flags().BoolVar(&allowNondet, "allow-nondeterministic", false, "start even when scores are not guaranteed bit-identical to other validators' (TAONET_BLAS set, --eval.backend openai); a warning is logged either way")
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		cfg, _, err := f.load()
		if err != nil {
			return err
		}
		c, err := f.chain()
		if err != nil {
			return err
		}
		src, err := d.source(c, ftLogger(cmd))
		if err != nil {
			return err
		}
		var signer *keys.Keypair
		if !noWeights {
			if signer, err = cliHotkey(cmd, wf); err != nil {
				return err
			}
		}
		if f.cacheDir == "" {
			f.cacheDir = filepath.Join(dataDir, "hub-cache")
		}
		reg := prometheus.NewRegistry()
		o := validator.Options{Config: cfg, Chain: c, Hub: f.hub(), Source: src, Netuid: f.netuid, DataDir: dataDir,
			SetWeights: !noWeights, EvalBatch: batch, Logger: ftLogger(cmd), Table: cmd.OutOrStdout(),
			Metrics: validator.NewMetrics(reg), Poll: poll, AllowNondeterministic: allowNondet}
		if signer != nil {
			o.Signer = signer
		}
		if o.Backend, err = eb.backend(batch, ftLogger(cmd)); err != nil {
			return err
		}
		v, err := validator.New(o)
		if err != nil {
			return err
		}
		ctx, cancel := ftContext()
		defer cancel()
		if metricsAddr != "" {
			srv, _, err := netserve.Start(metricsAddr, promhttp.HandlerFor(reg, promhttp.HandlerOpts{}), netserve.Config{})
			if err != nil {
				return fmt.Errorf("--metrics-addr: %w", err)
			}
			defer srv.Close()
		}
		if once {
			_, err := v.Step(ctx)
			return err
		}
		err = v.Run(ctx)
		if errors.Is(err, context.Canceled) {
			return nil
		}
		return err
	}
	return cmd
}

// evalBackendFlags are the validator's --eval.* flags.
type evalBackendFlags struct {
	kind, serverCmd, baseURL, modelName string
	startTimeout                        time.Duration
}

func (e *evalBackendFlags) bind(cmd *cobra.Command) {
	cmd.Flags().StringVar(&e.kind, "eval.backend", "go", "where losses are computed: go (built-in engine; the only backend whose scores are bit-identical across validators) or openai (an OpenAI-compatible completions server returning prompt logprobs, e.g. vLLM)")
	cmd.Flags().StringVar(&e.serverCmd, "eval.server-cmd", "", "openai backend: command started per model ({model} = model directory, {port} = free port), e.g. 'vllm serve {model} --port {port}' or 'taonet model serve --model {model} --addr 127.0.0.1:{port}'")
	cmd.Flags().StringVar(&e.baseURL, "eval.base-url", "", "openai backend: a running multi-model server (http://host:port) instead of --eval.server-cmd")
	cmd.Flags().StringVar(&e.modelName, "eval.model-name", "{model}", "openai backend with --eval.base-url: the request's model name ({model} = directory, {name} = its base name)")
	cmd.Flags().DurationVar(&e.startTimeout, "eval.start-timeout", 10*time.Minute, "openai backend: how long a started engine may take to serve /v1/models")
}

// backend returns nil for the built-in engine.
func (e *evalBackendFlags) backend(batch int, log *slog.Logger) (validator.LossBackend, error) {
	switch e.kind {
	case "go":
		if e.serverCmd != "" || e.baseURL != "" {
			return nil, errors.New("--eval.server-cmd and --eval.base-url need --eval.backend openai")
		}
		return nil, nil
	case "openai":
		if (e.serverCmd == "") == (e.baseURL == "") {
			return nil, errors.New("--eval.backend openai needs exactly one of --eval.server-cmd and --eval.base-url")
		}
		return &evaluate.OpenAI{ServerCmd: e.serverCmd, BaseURL: e.baseURL, ModelName: e.modelName,
			StartTimeout: e.startTimeout, Batch: batch, Log: log}, nil
	default:
		return nil, fmt.Errorf("--eval.backend %q: want go or openai", e.kind)
	}
}
