package main

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/spf13/cobra"

	"github.com/taonet/taonet/client"
	"github.com/taonet/taonet/netserve"
	"github.com/taonet/taonet/subnets/prompting/embed"
	"github.com/taonet/taonet/subnets/prompting/organic"
	"github.com/taonet/taonet/subnets/prompting/tasks"
)

func promptingAPICmd() *cobra.Command {
	var (
		nodeURLs, addr, keysFlag, keysFile, proto, llmURL, llmModel, llmKey string
		netuid                                                              uint16
		topK                                                                int
		timeout                                                             time.Duration
		score                                                               bool
	)
	cmd := &cobra.Command{Use: "api", Short: "Serve organic traffic: an OpenAI-compatible /v1/chat/completions routed to the top miners",
		Example: `  taonet prompting api --wallet.name val --netuid 1 --api-keys sk-mine --addr 127.0.0.1:8096
  curl -N http://127.0.0.1:8096/v1/chat/completions -H 'Authorization: Bearer sk-mine' \
       -d '{"model":"taonet","stream":true,"messages":[{"role":"user","content":"What is 2+2?"}]}'`,
		Long: `Runs the organic API of a validator owner. Each request (Bearer API key; 401 otherwise)
goes at once to the --top-k serving miners with the highest incentive, signed with the
validator's hotkey over --protocol; the first miner whose stream delivers text answers
(streamed as chat.completion.chunk events, or as one chat.completion), the others are
cancelled. With --score the answer is also scored in the background against a reference
from --llm-url. /metrics has requests and latency per route and the winning miners.`, Args: cobra.NoArgs}
	wf := bindWalletFlags(cmd, true)
	f := cmd.Flags()
	f.StringVar(&nodeURLs, "node", promptingNodeDefault(), "node API URL(s), comma-separated (env TAONET_NODE)")
	f.Uint16Var(&netuid, "netuid", 1, "prompting subnet")
	f.StringVar(&addr, "addr", "127.0.0.1:8096", "listen address (the API and /metrics)")
	f.StringVar(&keysFlag, "api-keys", os.Getenv("TAONET_API_KEYS"), "accepted API keys, comma-separated (env TAONET_API_KEYS)")
	f.StringVar(&keysFile, "api-keys-file", "", "file with one accepted API key per line")
	f.IntVar(&topK, "top-k", 3, "miners asked per request (highest incentive first)")
	f.DurationVar(&timeout, "timeout", 30*time.Second, "per-miner answer timeout")
	f.StringVar(&proto, "protocol", "bittensor", "how miners are reached: bittensor or epistula")
	f.BoolVar(&score, "score", false, "score every answer against a reference from --llm-url (metric taonet_prompting_api_answer_score)")
	f.StringVar(&llmURL, "llm-url", "", "OpenAI-compatible API for --score references (and embeddings)")
	f.StringVar(&llmModel, "llm-model", "default", "model name for --score")
	f.StringVar(&llmKey, "llm-api-key", os.Getenv("OPENAI_API_KEY"), "API key of --llm-url (env OPENAI_API_KEY)")
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		if topK < 1 {
			return fmt.Errorf("--top-k %d: want 1 or more", topK)
		}
		if timeout <= 0 {
			return fmt.Errorf("--timeout %s: want > 0", timeout)
		}
		if proto != "bittensor" && proto != "epistula" {
			return fmt.Errorf("--protocol %q: want bittensor or epistula", proto)
		}
		if score && llmURL == "" {
			return errors.New("--score needs --llm-url (the reference model)")
		}
		keys := strings.Split(keysFlag, ",")
		if keysFile != "" {
			b, err := os.ReadFile(keysFile)
			if err != nil {
				return fmt.Errorf("--api-keys-file: %w", err)
			}
			keys = append(keys, strings.Split(string(b), "\n")...)
		}
		if strings.TrimSpace(strings.Join(keys, "")) == "" {
			return errors.New("no API key: pass --api-keys, --api-keys-file or TAONET_API_KEYS")
		}
		lw, err := wf.load(cmd)
		if err != nil {
			return err
		}
		c, err := client.New(strings.Split(nodeURLs, ","))
		if err != nil {
			return err
		}
		log := slog.New(slog.NewTextHandler(cmd.ErrOrStderr(), &slog.HandlerOptions{Level: slog.LevelInfo}))
		metrics := prometheus.NewRegistry()
		cfg := organic.Config{Hotkey: lw.Hotkey, Netuid: netuid, Chain: c, Keys: keys, TopK: topK, Timeout: timeout,
			Epistula: proto == "epistula", Logger: log, Metrics: metrics}
		if score {
			cfg.Score = organic.ReferenceScorer(tasks.NewOpenAILLM(llmURL, llmModel, llmKey), embed.NewOpenAI(llmURL, llmModel, llmKey))
		}
		g, err := organic.New(cfg)
		if err != nil {
			return err
		}
		defer g.Close()
		mux := http.NewServeMux()
		mux.Handle("/v1/", g)
		mux.Handle("GET /metrics", promhttp.HandlerFor(metrics, promhttp.HandlerOpts{}))
		l, err := netserve.Listen("tcp", addr)
		if err != nil {
			return fmt.Errorf("--addr: %w", err)
		}
		srv := netserve.NewServer(mux, netserve.Config{})
		ctx, cancel := promptingSignalContext()
		defer cancel()
		go func() {
			<-ctx.Done()
			srv.Close()
		}()
		fmt.Fprintf(cmd.ErrOrStderr(), "organic API on http://%s/v1 (subnet %d, top %d miners, %s)\n", l.Addr(), netuid, topK, proto)
		if err := srv.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
			return err
		}
		return nil
	}
	return cmd
}
