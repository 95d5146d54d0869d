package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/taonet/taonet/dashboard"
	"github.com/taonet/taonet/localnet"
	"github.com/taonet/taonet/netserve"
	"github.com/taonet/taonet/node"
)

func init() {
	rootCmd.AddCommand(localnetCmd(), dashboardCmd())
}

func localnetCmd() *cobra.Command {
	var o localnet.Options
	var duration time.Duration
	cmd := &cobra.Command{
		Use:   "localnet",
		Short: "Run the whole network on this machine: chain, both subnets, model hub, dashboard",
		Long: `Runs the whole taonet network on this machine: wallets, a funded genesis, the chain
(embedded node, or --nodes N for a local CometBFT cluster), the prompting and finetuning
subnets with registered and staked validators and miners, the model hub and the dashboard.
Restartable: a second run on the same --dir resumes the chain and reuses everything.`,
		Args: cobra.NoArgs,
	}
	f := cmd.Flags()
	f.StringVar(&o.Dir, "dir", "", "data directory (default ./.localnet, or ~/.taonet/localnet if . is not writable)")
	f.IntVar(&o.Nodes, "nodes", 1, "chain validators: 1 = embedded node, N > 1 = local CometBFT cluster of child processes")
	f.DurationVar(&o.BlockTime, "block-time", time.Second, "target block time")
	f.Uint16Var(&o.Tempo, "tempo", 10, "subnet epoch length in blocks (used when the chain is created)")
	f.IntVar(&o.PromptingMiners, "prompting-miners", 3, "prompting miners (tool, noise, echo, tool, ...)")
	f.IntVar(&o.PromptingValidators, "prompting-validators", 1, "prompting validators")
	f.IntVar(&o.FinetuneMiners, "finetune-miners", 3, "finetuning miners")
	f.IntVar(&o.FinetuneValidators, "finetune-validators", 2, "finetuning validators")
	f.StringVar(&o.LLMURL, "llm-url", "", "OpenAI-compatible LLM endpoint (e.g. http://127.0.0.1:8000/v1 from taonet model serve); adds an LLM miner and LLM-written challenges")
	f.StringVar(&o.LLMModel, "llm-model", "", "model name sent to --llm-url")
	f.StringVar(&o.LLMModelDir, "llm-model-dir", "", "serve this model directory with the taonet LM engine (as taonet model serve) and use it as the LLM")
	f.StringVar(&o.LLMKey, "llm-key", os.Getenv("OPENAI_API_KEY"), "API key for --llm-url (env OPENAI_API_KEY)")
	f.StringVar(&o.NodeAddr, "node-addr", localnet.DefaultNodeAddr, "node API listen address (a busy port falls back to a free one)")
	f.StringVar(&o.HubAddr, "hub-addr", localnet.DefaultHubAddr, "model hub listen address")
	f.StringVar(&o.DashboardAddr, "dashboard-addr", localnet.DefaultDashboardAddr, "dashboard listen address (\"-\" disables it)")
	f.DurationVar(&o.SummaryEvery, "summary-every", 10*time.Second, "live summary period (negative: none)")
	f.DurationVar(&duration, "duration", 0, "stop after this long (0: run until Ctrl-C)")
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		if o.Dir == "" {
			o.Dir = localnet.DefaultDir()
		}
		for _, c := range []*int{&o.PromptingMiners, &o.PromptingValidators, &o.FinetuneMiners, &o.FinetuneValidators} {
			if *c == 0 {
				*c = -1 // Options: 0 means the default, negative means none
			}
		}
		out := cmd.OutOrStdout()
		o.Out = out
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		fmt.Fprintf(out, "taonet localnet in %s\n", o.Dir)
		t0 := time.Now()
		n, err := localnet.Start(ctx, o)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "  network up in %s\n", time.Since(t0).Round(100*time.Millisecond))
		n.PrintEndpoints(out)
		if duration > 0 {
			fmt.Fprintf(out, "running for %s (Ctrl-C stops earlier)\n", duration)
			var cancel context.CancelFunc
			ctx, cancel = context.WithTimeout(ctx, duration)
			defer cancel()
		} else {
			fmt.Fprintln(out, "running; Ctrl-C stops everything (state is kept in the data directory)")
		}
		select {
		case <-ctx.Done():
		case <-n.ChainFailed():
			// The chain halted: say why and exit non-zero, not idle on.
			n.Stop()
			return fmt.Errorf("localnet chain halted: %w", n.ChainErr())
		}
		if time.Since(n.LastSummary()) > 2*time.Second {
			if s, err := n.Summary(context.Background()); err == nil {
				fmt.Fprint(out, s)
			}
		}
		fmt.Fprintln(out, "stopping…")
		if err := n.Stop(); err != nil {
			return err
		}
		fmt.Fprintf(out, "stopped; restart with the same --dir to resume\n")
		return nil
	}
	return cmd
}

func dashboardCmd() *cobra.Command {
	var nodeURL, addr string
	cmd := &cobra.Command{Use: "dashboard", Short: "Serve the web dashboard for a node (chain panels; localnet panels need taonet localnet)", Args: cobra.NoArgs}
	def := os.Getenv("TAONET_NODE")
	if def == "" {
		def = "http://" + node.DefaultAPIAddr
	}
	cmd.Flags().StringVar(&nodeURL, "node", def, "node API URL (env TAONET_NODE)")
	cmd.Flags().StringVar(&addr, "addr", "127.0.0.1:7071", "listen address")
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		h, err := dashboard.Handler(dashboard.Options{NodeURL: nodeURL})
		if err != nil {
			return err
		}
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			return err
		}
		fmt.Fprintf(cmd.OutOrStdout(), "dashboard for %s at http://%s\n", nodeURL, ln.Addr())
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		srv := netserve.NewServer(h, netserve.Config{})
		go func() {
			<-ctx.Done()
			sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			srv.Shutdown(sctx)
		}()
		if err := srv.Serve(netserve.LimitListener(ln, 0)); !errors.Is(err, http.ErrServerClosed) {
			return err
		}
		return nil
	}
	return cmd
}
