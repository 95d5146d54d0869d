package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/taonet/taonet/lm/serve"
	"github.com/taonet/taonet/lm/serve/modelengine"
	"github.com/taonet/taonet/netserve"
)

func init() {
	modelCmd.AddCommand(newModelServeCmd())
}

func newModelServeCmd() *cobra.Command {
	var dir, addr, id, pooling string
	var maxBody int64
	var maxTokens int
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve a model over an OpenAI-compatible HTTP API",
		Long: `Serve a Hugging Face-layout model directory over an OpenAI-compatible API:
  POST /v1/chat/completions  (stream: true for server-sent events)
  POST /v1/completions       (text or token-id prompts; echo + logprobs or vLLM's
                             prompt_logprobs score the prompt)
  POST /v1/embeddings        (BERT models)
  GET  /v1/models
Chat messages are rendered with the model's own Jinja chat template
(chat_template.jinja or tokenizer_config.json), else the family's fixed format.
bf16/f16 weights stay 16-bit in memory. Stops cleanly on SIGINT/SIGTERM.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if dir == "" {
				return errors.New("--model is required")
			}
			eng, err := modelengine.Load(dir, modelengine.Options{ModelID: id, Pooling: pooling})
			if err != nil {
				return err
			}
			logger := slog.New(slog.NewTextHandler(cmd.ErrOrStderr(), nil))
			handler := serve.New(eng, serve.Options{MaxBodyBytes: maxBody, MaxTokensLimit: maxTokens, Logger: logger})
			ln, err := net.Listen("tcp", addr)
			if err != nil {
				return err
			}
			// Generation can take long before the first byte: write progress
			// is bounded per write by netserve, not by a whole-response deadline.
			srv := netserve.NewServer(handler, netserve.Config{Logger: logger})
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			errc := make(chan error, 1)
			go func() { errc <- srv.Serve(netserve.LimitListener(ln, 0)) }()
			fmt.Fprintf(cmd.OutOrStdout(), "serving %s on http://%s/v1\n", eng.ModelID(), ln.Addr())
			select {
			case err := <-errc:
				return err
			case <-ctx.Done():
			}
			shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			return srv.Shutdown(shutdown)
		},
	}
	f := cmd.Flags()
	f.StringVar(&dir, "model", "", "model directory (config.json, model.safetensors, tokenizer.json)")
	f.StringVar(&addr, "addr", "127.0.0.1:8000", "listen address")
	f.StringVar(&id, "model-id", "", "model name reported by /v1/models (default: the directory name)")
	f.StringVar(&pooling, "pooling", "mean", "BERT embedding pooling: mean or cls")
	f.Int64Var(&maxBody, "max-body", 4<<20, "maximum request body in bytes")
	f.IntVar(&maxTokens, "max-tokens-limit", 4096, "largest max_tokens a request may ask for")
	return cmd
}
