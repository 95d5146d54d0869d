package node

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	dbm "github.com/cometbft/cometbft-db"
	cfg "github.com/cometbft/cometbft/config"
	cmtlog "github.com/cometbft/cometbft/libs/log"
	nm "github.com/cometbft/cometbft/node"
	"github.com/cometbft/cometbft/p2p"
	"github.com/cometbft/cometbft/privval"
	"github.com/cometbft/cometbft/proxy"
	rpclocal "github.com/cometbft/cometbft/rpc/client/local"
)

// Options configure a node started with Start or StartEmbedded.
type Options struct {
	// Home is the node's home directory (CometBFT layout plus the state db).
	Home string
	// Factory builds the state machine; nil means the taonet chain.
	Factory Factory
	// APIAddr is the JSON API listen address ("127.0.0.1:0" picks a port;
	// empty uses the home's setting; "-" disables the API).
	APIAddr string
	// BlockTime overrides CometBFT's timeout_commit when positive.
	BlockTime time.Duration
	// LogWriter receives CometBFT's logs (nil: silent). LogLevel is
	// CometBFT's level filter ("info", "error", ...; default "info").
	LogWriter io.Writer
	LogLevel  string
	// Logger is taonet's own structured logger (nil: silent).
	Logger *slog.Logger
	// StateHistory is how many recent blocks' states the node keeps for
	// queries at a past height (?height=); 0 means DefaultStateHistory.
	StateHistory uint64

	// StallAfter is how long without a committed block makes /healthz fail
	// (0: DefaultStallBlocks block times, at least MinStallAfter).
	StallAfter time.Duration
	// MinFreeDisk halts the node when its data directory's filesystem has
	// fewer free bytes (0: DefaultMinFreeDisk).
	MinFreeDisk uint64

	// Embedded-mode genesis (used only when the home is not yet initialized).
	ChainID  string
	AppState []byte
}

// Node is a running taonet node: CometBFT, the ABCI app and the JSON API.
type Node struct {
	app     *App
	cmt     *nm.Node
	rpc     *rpclocal.Local
	metrics *Metrics
	chainID string
	home    string

	api       *http.Server
	apiLn     net.Listener
	apiDone   chan struct{}
	apiCancel context.CancelFunc

	indexDB dbm.DB
	blocks  blockCache // verified blocks for tx lookups (txindex.go)

	fatal      *fatal
	started    time.Time
	stallAfter time.Duration
	stopped    chan struct{}

	stopOnce sync.Once
	stopErr  error
}

// StartEmbedded runs a single-validator node in this process, initializing
// the home directory on first use (genesis from opts.AppState). Each start
// picks a free p2p port; CometBFT's own RPC is off (the JSON API serves).
func StartEmbedded(ctx context.Context, o Options) (*Node, error) {
	if o.Home == "" {
		return nil, errors.New("embedded node: home directory required")
	}
	if !Initialized(o.Home) {
		if _, err := InitHome(InitOptions{Home: o.Home, ChainID: o.ChainID, AppState: o.AppState,
			BlockTime: o.BlockTime, Moniker: "embedded"}); err != nil {
			return nil, err
		}
	}
	ports, err := FreePorts(1)
	if err != nil {
		return nil, err
	}
	if o.APIAddr == "" {
		o.APIAddr = "127.0.0.1:0"
	}
	return start(ctx, o, func(c *cfg.Config) {
		c.P2P.ListenAddress = fmt.Sprintf("tcp://127.0.0.1:%d", ports[0])
		c.P2P.PersistentPeers = ""
		c.RPC.ListenAddress = ""
		if o.BlockTime > 0 {
			// Short blocks: a lone validator needs no long propose timeouts.
			c.Consensus.TimeoutPropose = max(o.BlockTime, 200*time.Millisecond)
		}
	})
}

// Start runs the node of an initialized home directory with its config.toml.
func Start(ctx context.Context, o Options) (*Node, error) {
	if !Initialized(o.Home) {
		return nil, fmt.Errorf("%s is not initialized (run taonet chain init)", o.Home)
	}
	return start(ctx, o, nil)
}

func start(_ context.Context, o Options, adjust func(*cfg.Config)) (*Node, error) {
	c, err := LoadConfig(o.Home)
	if err != nil {
		return nil, err
	}
	if o.BlockTime > 0 {
		c.Consensus.TimeoutCommit = o.BlockTime
	}
	if adjust != nil {
		adjust(c)
	}
	c.TxIndex.Indexer = "null" // see applyTaonetDefaults
	if o.APIAddr == "" {
		s, err := ReadSettings(o.Home)
		if err != nil {
			return nil, err
		}
		o.APIAddr = s.APIAddr
	}
	f := o.Factory
	if f == nil {
		f = ChainFactory{}
	}
	logger := cmtlog.NewNopLogger()
	if o.LogWriter != nil {
		logger = cmtlog.NewTMLogger(cmtlog.NewSyncWriter(o.LogWriter))
		lvl := o.LogLevel
		if lvl == "" {
			lvl = "info"
		}
		opt, err := cmtlog.AllowLevel(lvl)
		if err != nil {
			return nil, err
		}
		logger = cmtlog.NewFilter(logger, opt)
	}
	// Consensus failures are only logged by CometBFT: watch for them
	// whatever the log level, so the node can report and exit.
	fat := newFatal()
	logger = failureLogger{Logger: logger, f: fat}
	if err := checkFreeDisk(c.DBDir(), minFreeDisk(o)); err != nil {
		return nil, err
	}
	m := NewMetrics()
	app, err := NewApp(filepath.Join(c.DBDir(), stateDBName), f, o.Logger, m)
	if err != nil {
		return nil, err
	}
	if o.StateHistory > 0 {
		app.SetStateHistory(o.StateHistory)
	}
	nodeKey, err := p2p.LoadNodeKey(c.NodeKeyFile())
	if err != nil {
		app.Close()
		return nil, err
	}
	if _, err := os.Stat(c.PrivValidatorKeyFile()); err != nil {
		app.Close()
		return nil, fmt.Errorf("validator key: %w", err)
	}
	pv := privval.LoadOrGenFilePV(c.PrivValidatorKeyFile(), c.PrivValidatorStateFile())
	// CometBFT does not close the tx index database on stop; track it so a
	// stopped node releases every file lock (restart in the same process).
	var indexDB dbm.DB
	dbProvider := func(dc *cfg.DBContext) (dbm.DB, error) {
		db, err := cfg.DefaultDBProvider(dc)
		if err == nil && dc.ID == "tx_index" {
			indexDB = db
		}
		return db, err
	}
	cleanup := func() {
		if indexDB != nil {
			indexDB.Close()
		}
		app.Close()
	}
	cn, err := nm.NewNode(c, pv, nodeKey, proxy.NewLocalClientCreator(app),
		nm.DefaultGenesisDocProviderFunc(c), dbProvider, nm.DefaultMetricsProvider(c.Instrumentation), logger)
	if err != nil {
		cleanup()
		return nil, fmt.Errorf("create node: %w", err)
	}
	if err := cn.Start(); err != nil {
		cleanup()
		return nil, fmt.Errorf("start node: %w", err)
	}
	n := &Node{app: app, cmt: cn, rpc: rpclocal.New(cn), metrics: m, home: o.Home, chainID: cn.GenesisDoc().ChainID, indexDB: indexDB,
		fatal: fat, started: time.Now(), stallAfter: o.StallAfter, stopped: make(chan struct{})}
	if n.stallAfter <= 0 {
		n.stallAfter = stallLimit(c.Consensus.TimeoutCommit)
	}
	go n.watchDisk(c.DBDir(), minFreeDisk(o))
	if o.APIAddr != "" && o.APIAddr != "-" {
		if err := n.serveAPI(o.APIAddr); err != nil {
			n.Stop()
			return nil, err
		}
	}
	return n, nil
}

// App returns the node's ABCI application (committed state, subscriptions).
func (n *Node) App() *App { return n.app }

// ChainID returns the chain id of the node's genesis.
func (n *Node) ChainID() string { return n.chainID }

// Home returns the node's home directory.
func (n *Node) Home() string { return n.home }

// NodeID returns the node's p2p id.
func (n *Node) NodeID() string { return string(n.cmt.NodeInfo().ID()) }

// APIURL returns the JSON API base URL ("" if the API is off).
func (n *Node) APIURL() string {
	if n.apiLn == nil {
		return ""
	}
	return "http://" + n.apiLn.Addr().String()
}

// Height returns the last committed height.
func (n *Node) Height() uint64 { return n.app.LastBlock().Height }

// WaitHeight blocks until the node committed height h or ctx ends.
func (n *Node) WaitHeight(ctx context.Context, h uint64) error {
	ch, cancel := n.app.SubscribeBlocks(16)
	defer cancel()
	for n.Height() < h {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-ch:
		case <-time.After(100 * time.Millisecond):
		}
	}
	return nil
}

// Stop shuts down the API, CometBFT and the state database. Safe to call twice.
func (n *Node) Stop() error {
	n.stopOnce.Do(func() {
		close(n.stopped)
		var errs []error
		if n.api != nil {
			n.apiCancel()
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
			if n.api.Shutdown(ctx) != nil {
				n.api.Close()
			}
			cancel()
			<-n.apiDone
		}
		if n.cmt.IsRunning() {
			if err := n.cmt.Stop(); err != nil {
				errs = append(errs, err)
			}
		}
		n.cmt.Wait()
		if n.indexDB != nil {
			n.indexDB.Close()
		}
		if err := n.app.Close(); err != nil {
			errs = append(errs, err)
		}
		n.stopErr = errors.Join(errs...)
	})
	return n.stopErr
}

func minFreeDisk(o Options) uint64 {
	if o.MinFreeDisk > 0 {
		return o.MinFreeDisk
	}
	return DefaultMinFreeDisk
}
