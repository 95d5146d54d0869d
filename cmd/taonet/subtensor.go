package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/taonet/taonet/chain"
	"github.com/taonet/taonet/client"
	"github.com/taonet/taonet/node"
	"github.com/taonet/taonet/subtensor"
)

// subtensorFlags are the Bittensor SDK's backend flags; either one selects
// the subtensor backend instead of a taonet node (--node).
type subtensorFlags struct {
	network, endpoint string
	dryRun            bool
	finalized         bool
}

// bindSubtensorFlags binds the subtensor backend's flags; tx adds the
// transaction flags (--dry-run, --wait-finalized), which only commands that
// send extrinsics take.
func bindSubtensorFlags(cmd *cobra.Command, tx bool) *subtensorFlags {
	sf := &subtensorFlags{}
	f := cmd.Flags()
	f.StringVar(&sf.network, "subtensor.network", os.Getenv("BT_SUBTENSOR_NETWORK"), "subtensor backend (Bittensor's chain) instead of a taonet node: finney, test, archive or local; the node's genesis hash must match (env BT_SUBTENSOR_NETWORK)")
	f.StringVar(&sf.endpoint, "subtensor.chain_endpoint", os.Getenv("BT_SUBTENSOR_CHAIN_ENDPOINT"), "subtensor backend: node URL(s) ws(s):// or http(s)://, comma-separated for failover; overrides --subtensor.network's default endpoint (env BT_SUBTENSOR_CHAIN_ENDPOINT)")
	if tx {
		sf.bindTx(cmd)
	}
	return sf
}

func (sf *subtensorFlags) bindTx(cmd *cobra.Command) {
	f := cmd.Flags()
	f.BoolVar(&sf.dryRun, "dry-run", false, "subtensor backend: sign and print the extrinsic hex and its decoded call; send nothing")
	f.BoolVar(&sf.finalized, "wait-finalized", false, "subtensor backend: wait until the block with the extrinsic is finalized, not only included")
}

// nodeFlagsAnnotation marks commands whose backend flags bindNodeFlags bound.
const nodeFlagsAnnotation = "taonet/node-flags"

// taonetOnlyHelp hides the subtensor flags in the --help of chain commands
// that run on taonet nodes only (they still refuse the flags with a message).
func taonetOnlyHelp(help func(*cobra.Command, []string)) func(*cobra.Command, []string) {
	return func(c *cobra.Command, args []string) {
		if c.Annotations[nodeFlagsAnnotation] != "" && !subtensorCommands[subPath(c)] {
			for _, name := range []string{"subtensor.network", "subtensor.chain_endpoint", "dry-run", "wait-finalized"} {
				if c.Flags().Lookup(name) != nil {
					_ = c.Flags().MarkHidden(name)
				}
			}
		}
		help(c, args)
	}
}

func init() { rootCmd.SetHelpFunc(taonetOnlyHelp(rootCmd.HelpFunc())) }

func (sf *subtensorFlags) on() bool { return sf != nil && (sf.network != "" || sf.endpoint != "") }

// dial connects to the selected subtensor network (genesis checked).
func (sf *subtensorFlags) dial(ctx context.Context) (*subtensor.Backend, error) {
	eps, genesis, err := subtensor.ResolveNetwork(sf.network, sf.endpoint)
	if err != nil {
		return nil, err
	}
	c, err := subtensor.Dial(ctx, subtensor.Config{Endpoints: eps, Genesis: genesis})
	if err != nil {
		return nil, err
	}
	b := subtensor.NewBackend(c)
	b.Options = subtensor.SubmitOptions{DryRun: sf.dryRun, WaitFinalized: sf.finalized}
	return b, nil
}

// subtensorContext is the command's context (interrupt, --timeout).
func (nf *nodeFlags) subtensorContext() (context.Context, context.CancelFunc) {
	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	ctx, cancel2 := context.WithTimeout(ctx, nf.timeout)
	return ctx, func() { cancel2(); cancel() }
}

// withSubtensor runs fn against the subtensor backend.
func (nf *nodeFlags) withSubtensor(fn func(ctx context.Context, b *subtensor.Backend) error) error {
	ctx, cancel := nf.subtensorContext()
	defer cancel()
	b, err := nf.st.dial(ctx)
	if err != nil {
		return err
	}
	defer b.Close()
	return fn(ctx, b)
}

// subtensorSubmit signs and submits call on subtensor with progress on stderr.
func subtensorSubmit(cmd *cobra.Command, nf *nodeFlags, s chain.Signer, call chain.Call) (*node.TxOutcome, error) {
	var out *node.TxOutcome
	err := nf.withSubtensor(func(ctx context.Context, b *subtensor.Backend) error {
		errw := cmd.ErrOrStderr()
		b.Options.Progress = func(st string) { fmt.Fprintf(errw, "  %s: %s\n", call.CallName(), st) }
		b.StakeNetuid = nf.stakeNetuid
		if nf.timelock != nil {
			b.Timelock = *nf.timelock
		}
		o, err := b.Submit(ctx, s, call)
		out = o
		res, tl := b.LastResult, b.LastCommit
		if res != nil && nf.st.dryRun {
			if nf.json {
				return nodePrintJSON(cmd.OutOrStdout(), timelockedJSON(res, tl))
			}
			fmt.Fprintf(cmd.OutOrStdout(), "call:      %s\nnonce:     %d (spec %d)\nextrinsic: %s\n", res.Call, res.Nonce, res.SpecVersion, res.Extrinsic)
			if tl != nil {
				fmt.Fprintf(cmd.OutOrStdout(), "reveal:    drand round %d (published about %s); the chain reveals the weights itself\n", tl.RevealRound, tl.RevealTime.Format(time.RFC3339))
			}
			fmt.Fprintln(cmd.OutOrStdout(), "(dry run: not sent)")
			return nil
		}
		if err != nil {
			return err
		}
		if nf.json {
			return nodePrintJSON(cmd.OutOrStdout(), timelockedJSON(res, tl))
		}
		if tl != nil {
			fmt.Fprintf(cmd.OutOrStdout(), "✓ weights committed (timelocked, %s) in block %d (%s); drand round %d (published about %s) reveals them, the chain applies them itself\n",
				tl.Call, res.BlockNumber, res.BlockHash, tl.RevealRound, tl.RevealTime.Format(time.RFC3339))
			return nil
		}
		fmt.Fprintf(cmd.OutOrStdout(), "✓ %s included in block %d (%s)\n", call.CallName(), res.BlockNumber, res.BlockHash)
		return nil
	})
	return out, err
}

// timelockedJSON is a submission's JSON: the extrinsic result, plus the
// timelocked commit under "timelock" when set_weights became one.
func timelockedJSON(res *subtensor.Result, tl *subtensor.TimelockCommit) any {
	if tl == nil {
		return res
	}
	return struct {
		*subtensor.Result
		Timelock *subtensor.TimelockCommit `json:"timelock"`
	}{res, tl}
}

// subnetChain is what the subnets' miners and validators use from a chain;
// *client.Client (taonet nodes) and *subtensor.Backend both have it.
type subnetChain interface {
	LatestBlock(ctx context.Context) (node.BlockSummary, error)
	Block(ctx context.Context, h uint64) (node.BlockSummary, error)
	Metagraph(ctx context.Context, netuid uint16) (*chain.Metagraph, error)
	MetagraphAt(ctx context.Context, netuid uint16, height uint64) (*chain.Metagraph, error)
	Commitments(ctx context.Context, netuid uint16) ([]chain.Commitment, error)
	CommitmentsAt(ctx context.Context, netuid uint16, height uint64) ([]chain.Commitment, error)
	Submit(ctx context.Context, s chain.Signer, call chain.Call) (*node.TxOutcome, error)
	Send(ctx context.Context, s chain.Signer, call chain.Call) (string, error)
}

// chainFor connects a miner or validator to subtensor when sf selects it,
// else to the taonet node(s) nodeURLs.
func chainFor(sf *subtensorFlags, nodeURLs string) (subnetChain, error) {
	if !sf.on() {
		return client.New(strings.Split(nodeURLs, ","))
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	b, err := sf.dial(ctx)
	if err != nil {
		return nil, err
	}
	b.Options.Progress = nil
	// Miners and validators ask for the latest block often: follow the
	// heads (subscription, else polling) instead of asking the node each time.
	b.Follow()
	return b, nil
}

// Read commands on subtensor: same JSON shapes as on a taonet node.

func subtensorMetagraph(cmd *cobra.Command, nf *nodeFlags, netuid uint16, block *uint64) error {
	return nf.withSubtensor(func(ctx context.Context, b *subtensor.Backend) error {
		m, err := b.ReadMetagraph(ctx, netuid, block)
		if err != nil {
			return err
		}
		if nf.json {
			return nodePrintJSON(cmd.OutOrStdout(), m)
		}
		return client.WriteMetagraphTable(cmd.OutOrStdout(), m)
	})
}

func subtensorHyperparameters(cmd *cobra.Command, nf *nodeFlags, netuid uint16) (h *chain.Hyperparams, err error) {
	err = nf.withSubtensor(func(ctx context.Context, b *subtensor.Backend) error {
		h, _, err = b.Hyperparameters(ctx, netuid, nil)
		return err
	})
	return h, err
}

func subtensorSubnets(nf *nodeFlags) (out []chain.SubnetInfo, err error) {
	err = nf.withSubtensor(func(ctx context.Context, b *subtensor.Backend) error {
		out, err = b.SubnetInfos(ctx)
		return err
	})
	return out, err
}

func subtensorCommitments(nf *nodeFlags, netuid uint16) (out []chain.Commitment, err error) {
	err = nf.withSubtensor(func(ctx context.Context, b *subtensor.Backend) error {
		out, err = b.Commitments(ctx, netuid)
		return err
	})
	return out, err
}

func init() {
	var netuid uint16
	cmd := &cobra.Command{Use: "get", Short: "Show a subnet's weights rows (uid → [(uid, weight)]) as stored on chain", Example: `  taonet weights get --netuid 1 --json
  taonet weights get --netuid 1 --subtensor.network finney --json`, Args: cobra.NoArgs}
	nf := bindNodeFlags(cmd)
	cmd.Flags().Uint16Var(&netuid, "netuid", 1, "subnet")
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		var rows []subtensor.WeightsRow
		if nf.st.on() {
			err := nf.withSubtensor(func(ctx context.Context, b *subtensor.Backend) (err error) {
				rows, _, err = b.Matrix(ctx, "Weights", netuid, nil)
				return err
			})
			if err != nil {
				return err
			}
		} else {
			c, ctx, cancel, err := nf.client()
			if err != nil {
				return err
			}
			defer cancel()
			m, err := c.Metagraph(ctx, netuid)
			if err != nil {
				return err
			}
			rows = subtensor.RowsOf(m.Weights)
		}
		if nf.json {
			return nodePrintJSON(cmd.OutOrStdout(), rows)
		}
		tw := tabwriter.NewWriter(cmd.OutOrStdout(), 2, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "UID\tWEIGHTS (uid:weight)")
		for _, r := range rows {
			fmt.Fprintf(tw, "%d\t%v\n", r.UID, r.Entries)
		}
		return tw.Flush()
	}
	weightsGroup.AddCommand(cmd)

	var addr string
	bal := &cobra.Command{Use: "balance", Short: "Show an address's free balance", Example: `  taonet wallet balance --ss58-address 5F... --json
  taonet wallet balance --ss58-address 5F... --subtensor.network finney`, Args: cobra.NoArgs}
	bnf := bindNodeFlags(bal)
	bal.Flags().StringVar(&addr, "ss58-address", "", "the address (required)")
	bal.RunE = func(cmd *cobra.Command, _ []string) error {
		if addr == "" {
			return fmt.Errorf("--ss58-address is required")
		}
		var out *subtensor.Balance
		if bnf.st.on() {
			if err := bnf.withSubtensor(func(ctx context.Context, b *subtensor.Backend) (err error) {
				out, err = b.Balance(ctx, addr, nil)
				return err
			}); err != nil {
				return err
			}
		} else {
			c, ctx, cancel, err := bnf.client()
			if err != nil {
				return err
			}
			defer cancel()
			acc, err := c.Account(ctx, addr)
			if err != nil {
				return err
			}
			out = &subtensor.Balance{Address: addr, Free: acc.Balance, Nonce: acc.Nonce}
		}
		if bnf.json {
			return nodePrintJSON(cmd.OutOrStdout(), out)
		}
		fmt.Fprintf(cmd.OutOrStdout(), "%s: free τ%s, reserved τ%s\n", out.Address, client.FormatTAO(out.Free), client.FormatTAO(out.Reserved))
		return nil
	}
	walletCmd.AddCommand(bal)
}

// subtensorCommands are the commands that run on the subtensor backend; the
// others refuse --subtensor.* rather than silently using a taonet node.
var subtensorCommands = map[string]bool{
	"metagraph": true, "subnet list": true, "subnet hyperparameters": true, "subnet register": true,
	"weights get": true, "weights set": true, "weights commit": true, "weights reveal": true,
	"commitment get": true, "commitment set": true, "wallet balance": true, "stake add": true,
	"stake remove": true, "axon serve": true, "transfer": true,
}

func (sf *subtensorFlags) supported(cmd *cobra.Command) error {
	if !sf.on() || cmd == nil {
		return nil
	}
	if !subtensorCommands[subPath(cmd)] {
		return fmt.Errorf("%s runs on taonet nodes only (--node); drop --subtensor.network/--subtensor.chain_endpoint", cmd.CommandPath())
	}
	return nil
}

// subPath is the command's path without the program name ("weights set").
func subPath(cmd *cobra.Command) string {
	path := cmd.CommandPath()
	if i := strings.IndexByte(path, ' '); i >= 0 {
		path = path[i+1:]
	}
	return path
}
