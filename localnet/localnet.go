package localnet

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/taonet/taonet/chain"
	"github.com/taonet/taonet/client"
	"github.com/taonet/taonet/keys"
	"github.com/taonet/taonet/netserve"
	"github.com/taonet/taonet/node"
	"github.com/taonet/taonet/wallet"
)

// ChainID is the localnet's chain id.
const ChainID = "taonet-localnet"

const tao = 1_000_000_000

// Stakes: validators get more than the prompting subnet's vpermit limit
// (4096 TAO), so prompting validators do not query each other.
const (
	ownerFunds     = 10_000_000 * tao
	validatorStake = 5_000 * tao
	// operatorKey names the neurons' coldkey (Key(operatorKey)).
	operatorKey = "operator"
	// operatorFunds pays the neurons' registrations and stakes; with ownerFunds
	// the supply stays below the first halving (10.5M τ).
	operatorFunds = 100_000 * tao
	// dTAO: what each validator stakes into its subnet's pool (which starts at
	// the 100 τ lock) and on root.
	dtaoSubnetStake = 100 * tao
	dtaoRootStake   = 1_000 * tao
)

// Process is one running component, as listed by the dashboard and the
// startup output.
type Process struct {
	Name    string `json:"name"`
	Role    string `json:"role"`
	Netuid  uint16 `json:"netuid,omitempty"`
	Hotkey  string `json:"hotkey,omitempty"`
	URL     string `json:"url,omitempty"`
	Metrics string `json:"metrics,omitempty"`
	Log     string `json:"log,omitempty"`
}

// Net is a running local network.
type Net struct {
	o      Options
	Client *client.Client
	// NodeURLs are the chain API base URLs.
	NodeURLs []string
	// PromptingNetuid and FinetuningNetuid are the subnets' ids.
	PromptingNetuid, FinetuningNetuid uint16
	// DashboardURL is "" when the dashboard is disabled.
	DashboardURL string
	// HubURL is the model hub's base URL ("" without finetuning).
	HubURL string

	owner *keys.Keypair
	// operator is the coldkey that registers and stakes the validators and
	// miners: not the subnet owner's, because (dTAO, as upstream) incentive
	// earned by the owner coldkey's own hotkeys is burned, not paid.
	operator *keys.Keypair
	lock     *os.File
	node     *node.Node
	clus     *node.Cluster

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu         sync.Mutex
	procs      []Process
	notStarted []string
	servers    []*http.Server
	closers    []func() // run in reverse order on Stop
	live       liveData
	hist       history

	lastSummary atomic.Int64 // unix nanos of the last printed summary

	stopOnce sync.Once
	stopErr  error
}

// Start builds (or reuses) the network in o.Dir and starts every component.
// Progress lines go to o.Out. Stop the network with Stop.
func Start(ctx context.Context, o Options) (*Net, error) {
	o = o.Defaults()
	if err := o.validate(); err != nil {
		return nil, err
	}
	dir, err := filepath.Abs(o.Dir)
	if err != nil {
		return nil, err
	}
	o.Dir = dir
	if err := os.MkdirAll(filepath.Join(dir, "logs"), 0o755); err != nil {
		return nil, fmt.Errorf("localnet: %w", err)
	}
	lock, err := lockDir(dir)
	if err != nil {
		return nil, err
	}
	rctx, cancel := context.WithCancel(context.Background())
	n := &Net{o: o, ctx: rctx, cancel: cancel, lock: lock}
	n.live.init()
	ok := false
	defer func() {
		if !ok {
			n.Stop()
		}
	}()
	steps := []struct {
		name string
		fn   func(context.Context) (string, error)
	}{
		{"wallets", n.setupWallets},
		{"chain", n.startChain},
		{"subnets", n.setupSubnets},
		{"registrations and stakes", n.setupNeurons},
		{"model hub", n.startHub},
		{"LLM", n.startLLM},
		{"prompting subnet", n.startPrompting},
		{"finetuning subnet", n.startFinetuning},
		{"dashboard", n.startDashboard},
	}
	for _, s := range steps {
		t0 := time.Now()
		detail, err := s.fn(ctx)
		if err != nil {
			fmt.Fprintf(o.Out, "  ✗ %s: %v\n", s.name, err)
			return nil, fmt.Errorf("localnet: %s: %w", s.name, err)
		}
		fmt.Fprintf(o.Out, "  ✓ %-26s %s (%s)\n", s.name, detail, time.Since(t0).Round(time.Millisecond))
	}
	n.writeInfo()
	n.goRun(n.historyLoop)
	if o.SummaryEvery > 0 {
		n.goRun(func(ctx context.Context) { n.summaryLoop(ctx) })
	}
	ok = true
	return n, nil
}

// Options returns the effective options (defaults filled in).
func (n *Net) Options() Options { return n.o }

// Processes lists the running components.
func (n *Net) Processes() []Process {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]Process(nil), n.procs...)
}

// NotStarted lists components that could not run, with the reason.
func (n *Net) NotStarted() []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]string(nil), n.notStarted...)
}

// Done is closed when the network is stopping.
func (n *Net) Done() <-chan struct{} { return n.ctx.Done() }

// ChainFailed is closed when the embedded chain node hit a fatal error
// (consensus failure, disk almost full); ChainErr names it. With a cluster
// it never closes: the cluster outlives a failed node.
func (n *Net) ChainFailed() <-chan struct{} {
	if n.node == nil {
		return nil
	}
	return n.node.Failed()
}

// ChainErr returns the embedded node's fatal error, or nil.
func (n *Net) ChainErr() error {
	if n.node == nil {
		return nil
	}
	return n.node.Err()
}

// Stop stops every component (miners, validators, hub, dashboard), flushes
// state and stops the chain. Safe to call twice.
func (n *Net) Stop() error {
	n.stopOnce.Do(func() {
		n.cancel()
		n.wg.Wait()
		n.mu.Lock()
		servers, closers := n.servers, n.closers
		n.mu.Unlock()
		for _, s := range servers {
			sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			if s.Shutdown(sctx) != nil {
				s.Close()
			}
			cancel()
		}
		for i := len(closers) - 1; i >= 0; i-- {
			closers[i]()
		}
		var errs []error
		if n.node != nil {
			errs = append(errs, n.node.Stop())
		}
		if n.clus != nil {
			n.clus.Stop()
		}
		n.lock.Close() // releases the directory lock
		n.stopErr = errors.Join(errs...)
	})
	return n.stopErr
}

// lockDir takes an exclusive lock on <dir>/.lock, so two localnets never
// share one data directory (the chain's database would refuse anyway, less clearly).
func lockDir(dir string) (*os.File, error) {
	f, err := os.OpenFile(filepath.Join(dir, ".lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("localnet: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		return nil, fmt.Errorf("localnet: another taonet localnet is running in %s (stop it first, or use --dir)", dir)
	}
	return f, nil
}

// goRun runs fn in a goroutine that Stop waits for.
func (n *Net) goRun(fn func(ctx context.Context)) {
	n.wg.Add(1)
	go func() {
		defer n.wg.Done()
		fn(n.ctx)
	}()
}

func (n *Net) addProc(p Process) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.procs = append(n.procs, p)
}

func (n *Net) addNotStarted(what string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.notStarted = append(n.notStarted, what)
}

func (n *Net) onStop(f func()) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.closers = append(n.closers, f)
}

// logger returns a logger writing to logs/<name>.log (closed on Stop).
func (n *Net) logger(name string) (*slog.Logger, io.Writer, string) {
	path := filepath.Join(n.o.Dir, "logs", name+".log")
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return slog.New(slog.DiscardHandler), io.Discard, ""
	}
	w := &lockedWriter{w: f}
	n.onStop(func() { w.close() })
	return slog.New(slog.NewTextHandler(w, nil)), w, path
}

// lockedWriter serializes writes (several goroutines log to one file) and
// drops writes after close.
type lockedWriter struct {
	mu     sync.Mutex
	w      *os.File
	closed bool
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return len(p), nil
	}
	return l.w.Write(p)
}

func (l *lockedWriter) close() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.closed {
		l.closed = true
		l.w.Close()
	}
}

// listen binds addr, or a free loopback port when addr is busy.
func listen(addr string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err == nil {
		return ln, nil
	}
	host, _, herr := net.SplitHostPort(addr)
	if herr != nil || host == "" {
		host = "127.0.0.1"
	}
	return net.Listen("tcp", net.JoinHostPort(host, "0"))
}

// serve runs h on ln until Stop and returns its base URL.
func (n *Net) serve(ln net.Listener, h http.Handler) string {
	s := netserve.NewServer(h, netserve.Config{})
	n.mu.Lock()
	n.servers = append(n.servers, s)
	n.mu.Unlock()
	go s.Serve(netserve.LimitListener(ln, 0))
	return "http://" + ln.Addr().String()
}

// serveMetrics serves reg on /metrics (plus extra routes) on a free loopback
// port and returns the base URL.
func (n *Net) serveMetrics(reg *prometheus.Registry, extra map[string]http.Handler) (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	for p, h := range extra {
		mux.Handle(p, h)
	}
	return n.serve(ln, mux), nil
}

// ---- wallets ----

// neuron names: pv0.. prompting validators, pm0.. prompting miners, fv0..,
// fm0.. finetuning; the subnet owners' hotkeys are "prompting" and "finetuning".
func names(prefix string, k int) []string {
	out := make([]string, k)
	for i := range out {
		out[i] = fmt.Sprintf("%s%d", prefix, i)
	}
	return out
}

// WalletName is the localnet wallet (its coldkey owns every neuron).
const WalletName = "localnet"

// Key returns the deterministic hotkey of a localnet neuron name (e.g.
// "pm0"); the coldkey is Key("").
func Key(name string) (*keys.Keypair, error) {
	if name == "" {
		return keys.FromURI("//taonet-localnet")
	}
	return keys.FromURI("//taonet-localnet//" + name)
}

func (n *Net) hotkeyNames() []string {
	o := n.o
	out := []string{"prompting", "finetuning"}
	out = append(out, names("pv", o.PromptingValidators)...)
	out = append(out, names("pm", o.PromptingMiners+boolInt(o.hasLLM()))...)
	out = append(out, names("fv", o.FinetuneValidators)...)
	out = append(out, names("fm", o.FinetuneMiners)...)
	return out
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func (n *Net) setupWallets(context.Context) (string, error) {
	cold, err := Key("")
	if err != nil {
		return "", err
	}
	n.owner = cold
	if n.operator, err = Key(operatorKey); err != nil {
		return "", err
	}
	path := filepath.Join(n.o.Dir, "wallets")
	created := 0
	hot := n.hotkeyNames()
	for _, name := range hot {
		w, err := wallet.New(path, WalletName, name)
		if err != nil {
			return "", err
		}
		hk, err := Key(name)
		if err != nil {
			return "", err
		}
		opt := wallet.Options{NoPassword: true}
		if _, err := os.Stat(w.ColdkeyFile()); errors.Is(err, os.ErrNotExist) {
			if err := w.SetColdkey(cold, opt); err != nil {
				return "", err
			}
		}
		if _, err := os.Stat(w.HotkeyFile()); errors.Is(err, os.ErrNotExist) {
			if err := w.SetHotkey(hk, opt); err != nil {
				return "", err
			}
			created++
		}
	}
	return fmt.Sprintf("%d hotkeys (%d new) in %s, coldkey %s", len(hot), created, path, short(cold.SS58Address())), nil
}

func short(addr string) string {
	if len(addr) <= 12 {
		return addr
	}
	return addr[:6] + "…" + addr[len(addr)-4:]
}

// ---- chain ----

// Genesis is the localnet genesis: chain.LocalnetGenesis with the owner
// coldkey funded, the chosen tempo and registration limits a localnet never hits.
func Genesis(tempo uint16) (chain.Genesis, error) {
	cold, err := Key("")
	if err != nil {
		return chain.Genesis{}, err
	}
	g := chain.LocalnetGenesis()
	g.ChainID = ChainID
	op, err := Key(operatorKey)
	if err != nil {
		return chain.Genesis{}, err
	}
	g.Accounts = append(g.Accounts, chain.GenesisAccount{Address: cold.SS58Address(), Balance: ownerFunds},
		chain.GenesisAccount{Address: op.SS58Address(), Balance: operatorFunds})
	hp := &g.SubnetDefaults
	hp.Tempo = tempo
	hp.MaxRegsPerBlock = 64
	hp.TargetRegsPerInterval = 64
	hp.ImmunityPeriod = 10_000
	return g, nil
}

func (n *Net) startChain(ctx context.Context) (string, error) {
	g, err := Genesis(n.o.Tempo)
	if err != nil {
		return "", err
	}
	st, err := json.Marshal(g)
	if err != nil {
		return "", err
	}
	var mode string
	if n.o.Nodes <= 1 {
		home := filepath.Join(n.o.Dir, "node")
		fresh := !node.Initialized(home)
		addr := n.o.NodeAddr
		if ln, err := listen(addr); err == nil { // probe: fall back to a free port
			addr = ln.Addr().String()
			ln.Close()
		}
		logf, err := os.OpenFile(filepath.Join(n.o.Dir, "logs", "node.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			return "", err
		}
		lw := &lockedWriter{w: logf}
		nd, err := node.StartEmbedded(ctx, node.Options{Home: home, BlockTime: n.o.BlockTime, AppState: st, ChainID: ChainID,
			APIAddr: addr, LogWriter: lw, LogLevel: "error"})
		if err != nil {
			lw.close()
			return "", err
		}
		n.node = nd
		n.onStop(lw.close) // runs before node.Stop: the node logs nothing after shutdown starts that matters
		n.NodeURLs = []string{nd.APIURL()}
		mode = "embedded node"
		if !fresh {
			mode += " (resumed)"
		}
		n.addProc(Process{Name: "node", Role: "chain node", URL: nd.APIURL(), Metrics: nd.APIURL() + "/metrics",
			Log: filepath.Join(n.o.Dir, "logs", "node.log")})
	} else {
		c, err := node.StartCluster(ctx, node.ClusterOptions{Dir: filepath.Join(n.o.Dir, "cluster"), Nodes: n.o.Nodes,
			Binary: n.o.Binary, ChainID: ChainID, AppState: st, BlockTime: n.o.BlockTime})
		if err != nil {
			return "", err
		}
		n.clus = c
		n.NodeURLs = c.URLs()
		for i, u := range n.NodeURLs {
			n.addProc(Process{Name: fmt.Sprintf("node%d", i), Role: "chain node (child process)", URL: u, Metrics: u + "/metrics",
				Log: filepath.Join(c.Nodes[i].Home, "node.log")})
		}
		mode = fmt.Sprintf("%d-node CometBFT cluster", len(n.NodeURLs))
	}
	cl, err := client.New(n.NodeURLs, client.WithChainID(ChainID))
	if err != nil {
		return "", err
	}
	n.Client = cl
	if err := cl.WaitHeight(ctx, 1, nil); err != nil {
		return "", err
	}
	b, err := cl.LatestBlock(ctx)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%s at %s, height %d, block time %s", mode, n.NodeURLs[0], b.Height, n.o.BlockTime), nil
}

// ---- subnets and neurons ----

func (n *Net) setupSubnets(ctx context.Context) (string, error) {
	var msg []string
	for _, s := range []struct {
		owner string
		id    *uint16
	}{{"prompting", &n.PromptingNetuid}, {"finetuning", &n.FinetuningNetuid}} {
		hk, err := Key(s.owner)
		if err != nil {
			return "", err
		}
		id, found, err := n.subnetOf(ctx, hk.SS58Address())
		if err != nil {
			return "", err
		}
		state := "exists"
		if !found {
			if _, err := n.Client.Submit(ctx, n.owner, &chain.CreateSubnet{Hotkey: hk.SS58Address()}); err != nil {
				return "", fmt.Errorf("create %s subnet: %w", s.owner, err)
			}
			if id, found, err = n.subnetOf(ctx, hk.SS58Address()); err != nil || !found {
				return "", fmt.Errorf("%s subnet not found after creation (%v)", s.owner, err)
			}
			state = "created"
		}
		*s.id = id
		msg = append(msg, fmt.Sprintf("%s netuid %d (%s)", s.owner, id, state))
	}
	return fmt.Sprint(msg[0], ", ", msg[1]), nil
}

func (n *Net) subnetOf(ctx context.Context, ownerHotkey string) (uint16, bool, error) {
	sns, err := n.Client.Subnets(ctx)
	if err != nil {
		return 0, false, err
	}
	for _, s := range sns {
		if s.OwnerHotkey == ownerHotkey {
			return s.Netuid, true, nil
		}
	}
	return 0, false, nil
}

// setupNeurons registers every hotkey missing from its subnet and tops up
// validator stakes, all transactions in flight at once.
func (n *Net) setupNeurons(ctx context.Context) (string, error) {
	type job struct {
		desc string
		call chain.Call
	}
	var jobs []job
	regs, stakes := 0, 0
	total := 0
	for _, sub := range []struct {
		netuid     uint16
		validators []string
		miners     []string
	}{
		{n.PromptingNetuid, names("pv", n.o.PromptingValidators), names("pm", n.o.PromptingMiners+boolInt(n.o.hasLLM()))},
		{n.FinetuningNetuid, names("fv", n.o.FinetuneValidators), names("fm", n.o.FinetuneMiners)},
	} {
		mg, err := n.Client.Metagraph(ctx, sub.netuid)
		if err != nil {
			return "", err
		}
		have := map[string]bool{}
		for _, h := range mg.Hotkeys {
			have[h] = true
		}
		for _, name := range append(append([]string{}, sub.validators...), sub.miners...) {
			total++
			hk, err := Key(name)
			if err != nil {
				return "", err
			}
			if !have[hk.SS58Address()] {
				jobs = append(jobs, job{"register " + name, &chain.BurnedRegister{Netuid: sub.netuid, Hotkey: hk.SS58Address()}})
				regs++
			}
		}
		for _, name := range sub.validators {
			hk, _ := Key(name)
			if mg.Pool != nil {
				// Dynamic TAO: validators stake into their subnet's pool (alpha)
				// and on root, so root has a share of each subnet (root_proportion
				// > 0) and TAO is injected into the pools as on mainnet.
				if !hasAlphaStake(mg, hk.SS58Address()) {
					jobs = append(jobs, job{"stake " + name, &chain.AddStakeLimit{Hotkey: hk.SS58Address(), Netuid: sub.netuid, Amount: dtaoSubnetStake}},
						job{"root stake " + name, &chain.AddStakeLimit{Hotkey: hk.SS58Address(), Netuid: 0, Amount: dtaoRootStake}})
					stakes += 2
				}
				continue
			}
			acc, err := n.Client.Account(ctx, hk.SS58Address())
			if err != nil {
				return "", err
			}
			if acc.HotkeyStake < validatorStake {
				jobs = append(jobs, job{"stake " + name, &chain.AddStake{Hotkey: hk.SS58Address(), Amount: validatorStake - acc.HotkeyStake}})
				stakes++
			}
		}
	}
	// Registrations first: a stake needs its hotkey registered.
	var regJobs, stakeJobs []job
	for _, j := range jobs {
		switch j.call.(type) {
		case *chain.AddStake, *chain.AddStakeLimit:
			stakeJobs = append(stakeJobs, j)
		default:
			regJobs = append(regJobs, j)
		}
	}
	for _, batch := range [][]job{regJobs, stakeJobs} {
		errs := make([]error, len(batch))
		var wg sync.WaitGroup
		for i, j := range batch {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := n.Client.Submit(ctx, n.operator, j.call); err != nil {
					errs[i] = fmt.Errorf("%s: %w", j.desc, err)
				}
			}()
		}
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			return "", err
		}
	}
	return fmt.Sprintf("%d neurons: %d registered now, %d stakes added (%s TAO each validator)", total, regs, stakes,
		client.FormatTAO(validatorStake)), nil
}

// hasAlphaStake reports whether hotkey is registered with alpha stake in mg.
func hasAlphaStake(mg *chain.Metagraph, hotkey string) bool {
	for uid, h := range mg.Hotkeys {
		if h == hotkey && uid < len(mg.AlphaStake) && mg.AlphaStake[uid] > 0 {
			return true
		}
	}
	return false
}

// uidOf returns the uid of hotkey on netuid (-1 if absent).
func (n *Net) uidOf(ctx context.Context, netuid uint16, hotkey string) int {
	mg, err := n.Client.Metagraph(ctx, netuid)
	if err != nil {
		return -1
	}
	for i, h := range mg.Hotkeys {
		if h == hotkey {
			return i
		}
	}
	return -1
}

// writeInfo records the running network in <dir>/localnet.json (for people
// and scripts; nothing reads it back).
func (n *Net) writeInfo() {
	info := map[string]any{"chain_id": ChainID, "node_urls": n.NodeURLs, "dashboard": n.DashboardURL, "hub": n.HubURL,
		"prompting_netuid": n.PromptingNetuid, "finetuning_netuid": n.FinetuningNetuid, "processes": n.Processes(),
		"not_started": n.NotStarted(), "wallet_path": filepath.Join(n.o.Dir, "wallets"), "wallet_name": WalletName}
	b, _ := json.MarshalIndent(info, "", "  ")
	_ = os.WriteFile(filepath.Join(n.o.Dir, "localnet.json"), b, 0o644)
}

// PrintEndpoints writes the URLs a person needs: dashboard, node API, hub and
// each component's /metrics.
func (n *Net) PrintEndpoints(w io.Writer) {
	if n.DashboardURL != "" {
		fmt.Fprintf(w, "\n  dashboard   %s\n", n.DashboardURL)
	}
	fmt.Fprintf(w, "  node API    %s   (export TAONET_NODE=%s to use the taonet CLI)\n", n.NodeURLs[0], n.NodeURLs[0])
	fmt.Fprintf(w, "  wallets     --wallet.path %s --wallet.name %s --wallet.hotkey pm0|pv0|fm0|fv0...\n",
		filepath.Join(n.o.Dir, "wallets"), WalletName)
	fmt.Fprintf(w, "  logs        %s\n\n  metrics (Prometheus):\n", filepath.Join(n.o.Dir, "logs"))
	procs := n.Processes()
	sort.SliceStable(procs, func(i, j int) bool { return procs[i].Netuid < procs[j].Netuid })
	for _, p := range procs {
		fmt.Fprintf(w, "    %-14s %-34s %s\n", p.Name, p.Role, p.Metrics)
	}
	for _, s := range n.NotStarted() {
		fmt.Fprintf(w, "  not started: %s\n", s)
	}
	fmt.Fprintln(w)
}
