package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"github.com/taonet/taonet/chain"
	"github.com/taonet/taonet/client"
	"github.com/taonet/taonet/keys"
	"github.com/taonet/taonet/node"
	"github.com/taonet/taonet/subtensor"
	"github.com/taonet/taonet/wallet"
)

func init() {
	chainCmd := &cobra.Command{
		Use:   "chain",
		Short: "Run a taonet chain node (CometBFT): init, start, testnet, status",
	}
	chainCmd.AddCommand(chainInitCmd(), chainStartCmd(), chainTestnetCmd(), chainStatusCmd(), chainGenesisCmd())
	rootCmd.AddCommand(chainCmd)
}

type genesisFlags struct {
	chainID   string
	allocs    []string
	genesis   string
	economics string
	cmd       *cobra.Command
}

func bindGenesisFlags(cmd *cobra.Command) *genesisFlags {
	g := &genesisFlags{cmd: cmd}
	cmd.Flags().StringVar(&g.economics, "economics", chain.EconomicsDTAO,
		"chain economics: dtao (subnet pools, alpha stake, today's coinbase) or classic (pre-2025 rules); a --genesis file keeps its own unless this is given")
	cmd.Flags().StringVar(&g.chainID, "chain-id", node.DefaultChainID, "chain id")
	cmd.Flags().StringArrayVar(&g.allocs, "alloc", nil, "genesis balance ss58=rao (repeatable)")
	cmd.Flags().StringVar(&g.genesis, "genesis", "", "chain genesis JSON file to start from (default: built-in defaults)")
	return g
}

func (g *genesisFlags) appState() (json.RawMessage, error) {
	var base []byte
	if g.genesis != "" {
		b, err := os.ReadFile(g.genesis)
		if err != nil {
			return nil, err
		}
		base = b
	}
	st, err := node.BuildAppState(g.chainID, base, g.allocs)
	if err != nil || (g.genesis != "" && !g.cmd.Flags().Changed("economics")) {
		return st, err
	}
	return node.SetEconomics(st, g.economics)
}

func chainInitCmd() *cobra.Command {
	var home, api, p2p, rpc, moniker, peers, external string
	var blockTime time.Duration
	var overwrite bool
	cmd := &cobra.Command{
		Use:   "init --home DIR",
		Short: "Create a node home: node key, validator key, config and a single-validator genesis",
		Example: `  taonet chain init --home ~/.taonet/node
  taonet chain init --home /tmp/n1 --block-time 500ms --alloc 5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY=1000000000000
  # join an existing network as a full node (genesis.json copied from a validator's config/):
  taonet chain init --home ~/.taonet/full --genesis genesis.json --peers ID@203.0.113.10:26656 --p2p 0.0.0.0:26656 --external-address 203.0.113.20:26656`,
		Args: cobra.NoArgs,
	}
	g := bindGenesisFlags(cmd)
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		if home == "" {
			return fmt.Errorf("--home is required")
		}
		o := node.InitOptions{Home: home, ChainID: g.chainID, Moniker: moniker, P2PAddr: p2p, RPCAddr: rpc, APIAddr: api,
			BlockTime: blockTime, Overwrite: overwrite, Peers: node.SplitList(peers), ExternalAddr: external}
		// --genesis is either a chain genesis (app state) for a new network
		// or a whole network's genesis.json to join as a full node.
		if g.genesis != "" {
			if b, err := os.ReadFile(g.genesis); err == nil && node.IsGenesisDoc(b) {
				o.Genesis = b
			}
		}
		if o.Genesis == nil {
			st, err := g.appState()
			if err != nil {
				return err
			}
			o.AppState = st
		}
		id, err := node.InitHome(o)
		if err != nil {
			return err
		}
		if o.Genesis != nil {
			fmt.Fprintf(cmd.OutOrStdout(), "initialized %s as a full node joining through %d peer(s) (node id %s)\nstart it with: taonet chain start --home %s\n", home, len(o.Peers), id, home)
			return nil
		}
		fmt.Fprintf(cmd.OutOrStdout(), "initialized %s (chain %s, node id %s)\nstart it with: taonet chain start --home %s\n", home, g.chainID, id, home)
		return nil
	}
	f := cmd.Flags()
	f.StringVar(&home, "home", "", "node home directory")
	f.StringVar(&peers, "peers", "", "persistent peers, id@host:port,... (the ids are printed by chain init / chain testnet)")
	f.StringVar(&external, "external-address", "", "host:port other nodes dial to reach this node (when --p2p listens on 0.0.0.0 or behind NAT)")
	f.StringVar(&api, "api", node.DefaultAPIAddr, "JSON API listen address stored as the start default")
	f.StringVar(&p2p, "p2p", "127.0.0.1:26656", "CometBFT p2p listen address")
	f.StringVar(&rpc, "rpc", "", "CometBFT RPC listen address (empty: off)")
	f.StringVar(&moniker, "moniker", "", "node name (default: home directory name)")
	f.DurationVar(&blockTime, "block-time", time.Second, "target block time (CometBFT timeout_commit)")
	f.BoolVar(&overwrite, "overwrite", false, "re-initialize an existing home (keeps keys)")
	return cmd
}

func chainStartCmd() *cobra.Command {
	var home, api, logLevel string
	var blockTime, stallAfter time.Duration
	var minFreeMiB, stateHistory uint64
	var verbose bool
	cmd := &cobra.Command{
		Use:   "start --home DIR",
		Short: "Run the node of an initialized home until interrupted",
		Example: `  taonet chain start --home ~/.taonet/node
  taonet chain start --home /tmp/n1 --api 127.0.0.1:26680 --verbose`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if home == "" {
				return fmt.Errorf("--home is required")
			}
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			var logw io.Writer
			if verbose {
				logw = cmd.ErrOrStderr()
			}
			n, err := node.Start(ctx, node.Options{Home: home, APIAddr: api, BlockTime: blockTime, LogWriter: logw, LogLevel: logLevel,
				StallAfter: stallAfter, MinFreeDisk: minFreeMiB << 20, StateHistory: stateHistory})
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "node %s of chain %s running; API %s (metrics %s/metrics)\n", n.NodeID(), n.ChainID(), n.APIURL(), n.APIURL())
			select {
			case <-ctx.Done():
				fmt.Fprintln(cmd.OutOrStdout(), "stopping")
				return n.Stop()
			case <-n.Failed():
				// A halted node must not look alive: report and exit non-zero.
				n.Stop()
				return fmt.Errorf("node halted: %w", n.Err())
			}
		},
	}
	f := cmd.Flags()
	f.StringVar(&home, "home", "", "node home directory")
	f.StringVar(&api, "api", "", "JSON API listen address (default: the home's setting; - disables)")
	f.DurationVar(&blockTime, "block-time", 0, "override the block time (timeout_commit)")
	f.BoolVar(&verbose, "verbose", false, "show CometBFT logs")
	f.StringVar(&logLevel, "log-level", "info", "CometBFT log level with --verbose (debug, info, error)")
	f.DurationVar(&stallAfter, "stall-after", 0, "/healthz fails after this long without a block (default: 10 block times, at least 30s)")
	f.Uint64Var(&minFreeMiB, "min-free-disk", node.DefaultMinFreeDisk>>20, "halt (exit non-zero) when the data directory's filesystem has fewer MiB free")
	f.Uint64Var(&stateHistory, "state-history", node.DefaultStateHistory, "keep the state of this many recent blocks for ?height= queries (validators read the chain as of their seed block)")
	return cmd
}

func chainTestnetCmd() *cobra.Command {
	var out, hosts string
	var nodes, basePort int
	var blockTime time.Duration
	cmd := &cobra.Command{
		Use:   "testnet --nodes 4 --out DIR",
		Short: "Write homes for a multi-validator network: on loopback ports, or one node per host with --hosts",
		Example: `  taonet chain testnet --nodes 4 --out /tmp/cluster
  for i in 0 1 2 3; do taonet chain start --home /tmp/cluster/node$i & done
  # four machines (copy nodeI to host I, then start it there; see README "Validators on several machines"):
  taonet chain testnet --nodes 4 --hosts 203.0.113.10,203.0.113.11,203.0.113.12,203.0.113.13 --out ./net`,
		Args: cobra.NoArgs,
	}
	g := bindGenesisFlags(cmd)
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		if out == "" {
			return fmt.Errorf("--out is required")
		}
		st, err := g.appState()
		if err != nil {
			return err
		}
		hs := node.SplitList(hosts)
		if len(hs) > 0 && !cmd.Flags().Changed("nodes") {
			nodes = len(hs)
		}
		ns, err := node.GenerateTestnet(node.TestnetOptions{Out: out, Nodes: nodes, ChainID: g.chainID, AppState: st,
			BasePort: basePort, BlockTime: blockTime, Hosts: hs})
		if err != nil {
			return err
		}
		w := cmd.OutOrStdout()
		fmt.Fprintf(w, "%d validators of chain %s in %s:\n", len(ns), g.chainID, out)
		var urls, peers []string
		for _, n := range ns {
			fmt.Fprintf(w, "  taonet chain start --home %s    # p2p %s, API http://%s\n", n.Home, n.P2PAddr, n.APIAddr)
			urls = append(urls, "http://"+n.APIAddr)
			peers = append(peers, n.ID+"@"+n.P2PAddr)
		}
		fmt.Fprintf(w, "clients: --node %s\n", strings.Join(urls, ","))
		fmt.Fprintf(w, "full nodes join with: taonet chain init --home DIR --genesis %s --peers %s\n",
			filepath.Join(ns[0].Home, "config", "genesis.json"), strings.Join(peers, ","))
		return nil
	}
	f := cmd.Flags()
	f.StringVar(&out, "out", "", "output directory (node0, node1, ...)")
	f.IntVar(&nodes, "nodes", 4, "number of validators")
	f.IntVar(&basePort, "base-port", 0, "first port (node i: p2p base+10i, RPC +1, API +2; 0 picks free ports, or 26656 on each of --hosts)")
	f.StringVar(&hosts, "hosts", "", "one address per node (h1,h2,...): nodes on distinct hosts share ports and may not share an IP")
	f.DurationVar(&blockTime, "block-time", time.Second, "target block time")
	return cmd
}

func chainGenesisCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:     "genesis",
		Short:   "Print the chain genesis (defaults plus --alloc) as JSON, to edit and pass to --genesis",
		Example: `  taonet chain genesis > genesis.json && taonet chain init --home /tmp/n1 --genesis genesis.json`,
		Args:    cobra.NoArgs,
	}
	g := bindGenesisFlags(cmd)
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		st, err := g.appState()
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(cmd.OutOrStdout(), "%s\n", st)
		return err
	}
	return cmd
}

func chainStatusCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:     "status",
		Short:   "Show the chain status of a node",
		Example: `  taonet chain status --node http://127.0.0.1:26680`,
		Args:    cobra.NoArgs,
	}
	nf := bindNodeFlags(cmd)
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		c, ctx, cancel, err := nf.client()
		if err != nil {
			return err
		}
		defer cancel()
		s, err := c.Status(ctx)
		if err != nil {
			return err
		}
		return nodePrintJSON(cmd.OutOrStdout(), s)
	}
	return cmd
}

// nodeFlags are the flags of every command that talks to a node.
type nodeFlags struct {
	urls    string
	timeout time.Duration
	json    bool
	// st selects the subtensor backend (--subtensor.network/chain_endpoint).
	st *subtensorFlags
	// stakeNetuid is stake add/remove's --netuid (subtensor dynamic TAO).
	stakeNetuid *uint16
	// timelock is weights commit --timelock's options (subtensor only).
	timelock *subtensor.TimelockOptions
	cmd      *cobra.Command
}

func bindNodeFlags(cmd *cobra.Command) *nodeFlags {
	nf := &nodeFlags{cmd: cmd}
	def := os.Getenv("TAONET_NODE")
	if def == "" {
		def = "http://" + node.DefaultAPIAddr
	}
	cmd.Flags().StringVar(&nf.urls, "node", def, "taonet backend: node API URL(s), comma-separated for failover (env TAONET_NODE)")
	cmd.Flags().DurationVar(&nf.timeout, "timeout", 2*time.Minute, "give up after this long")
	cmd.Flags().BoolVar(&nf.json, "json", false, "print JSON")
	nf.st = bindSubtensorFlags(cmd, false)
	if cmd.Annotations == nil {
		cmd.Annotations = map[string]string{}
	}
	cmd.Annotations[nodeFlagsAnnotation] = "1"
	return nf
}

// bindTxNodeFlags is bindNodeFlags for commands that send transactions:
// they also take the subtensor backend's --dry-run and --wait-finalized.
func bindTxNodeFlags(cmd *cobra.Command) *nodeFlags {
	nf := bindNodeFlags(cmd)
	nf.st.bindTx(cmd)
	return nf
}

func (nf *nodeFlags) client() (*client.Client, context.Context, context.CancelFunc, error) {
	if err := nf.st.supported(nf.cmd); err != nil {
		return nil, nil, nil, err
	}
	c, err := client.New([]string{nf.urls})
	if err != nil {
		return nil, nil, nil, err
	}
	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	ctx, cancel2 := context.WithTimeout(ctx, nf.timeout)
	return c, ctx, func() { cancel2(); cancel() }, nil
}

func nodePrintJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// cliColdkey unlocks the selected wallet's coldkey (env BT_COLD_PW_<NAME>, else a prompt).
func cliColdkey(cmd *cobra.Command, wf *walletFlagValues) (*keys.Keypair, error) {
	hk := wf.hotkey
	if hk == "" {
		hk = wallet.DefaultHotkey
	}
	w, err := wallet.New(wf.resolvedPath(cmd), wf.name, hk)
	if err != nil {
		return nil, err
	}
	return w.Coldkey(walletColdkeyPassword(cmd, wf.name))
}

// cliHotkey loads the selected wallet's hotkey pair.
func cliHotkey(cmd *cobra.Command, wf *walletFlagValues) (*keys.Keypair, error) {
	l, err := wf.load(cmd)
	if err != nil {
		return nil, err
	}
	return l.Hotkey, nil
}

// cliHotkeyAddress is --hotkey-ss58 if given, else the wallet hotkey's address.
func cliHotkeyAddress(cmd *cobra.Command, wf *walletFlagValues, ss58 string) (string, error) {
	if ss58 != "" {
		if _, err := keys.SS58Decode(ss58); err != nil {
			return "", fmt.Errorf("--hotkey-ss58: %w", err)
		}
		return ss58, nil
	}
	w, err := wallet.New(wf.resolvedPath(cmd), wf.name, wf.hotkey)
	if err != nil {
		return "", err
	}
	kp, err := w.HotkeyPair(wallet.TerminalPassword(os.Stdin, cmd.ErrOrStderr()))
	if err != nil {
		return "", err
	}
	return kp.SS58Address(), nil
}

// cliHotkeyAndColdkey is what a command acting on a hotkey with the wallet's
// coldkey needs: the hotkey's address (cliHotkeyAddress) and the unlocked
// coldkey (cliColdkey).
func cliHotkeyAndColdkey(cmd *cobra.Command, wf *walletFlagValues, ss58 string) (string, *keys.Keypair, error) {
	h, err := cliHotkeyAddress(cmd, wf, ss58)
	if err != nil {
		return "", nil, err
	}
	ck, err := cliColdkey(cmd, wf)
	if err != nil {
		return "", nil, err
	}
	return h, ck, nil
}

// cliSubmit signs and submits call, showing progress until it is included.
func cliSubmit(cmd *cobra.Command, nf *nodeFlags, c *client.Client, ctx context.Context, s chain.Signer, call chain.Call) (*node.TxOutcome, error) {
	if nf.st.on() {
		return subtensorSubmit(cmd, nf, s, call)
	}
	errw := cmd.ErrOrStderr()
	hash, err := c.Send(ctx, s, call)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(errw, "%s submitted by %s: tx %s\n", call.CallName(), s.SS58Address(), hash)
	done := make(chan struct{})
	var shown atomic.Bool
	exited := make(chan struct{})
	go func() {
		defer close(exited)
		start := time.Now()
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				if b, err := c.LatestBlock(ctx); err == nil {
					shown.Store(true)
					fmt.Fprintf(errw, "\r  waiting for inclusion… block %d, %s", b.Height, time.Since(start).Round(time.Second))
				}
			}
		}
	}()
	o, err := c.WaitTx(ctx, hash)
	close(done)
	<-exited
	if shown.Load() {
		fmt.Fprint(errw, "\r\033[K")
	}
	if err != nil {
		return o, err
	}
	if nf.json {
		return o, nodePrintJSON(cmd.OutOrStdout(), o)
	}
	fmt.Fprintf(cmd.OutOrStdout(), "✓ %s included in block %d\n", call.CallName(), o.Height)
	return o, nil
}
