package node

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"time"

	cfg "github.com/cometbft/cometbft/config"
	"github.com/cometbft/cometbft/p2p"
	"github.com/cometbft/cometbft/privval"
	cmttypes "github.com/cometbft/cometbft/types"
	"github.com/spf13/viper"
)

// DefaultChainID is the chain id used when none is given.
const DefaultChainID = "taonet-local"

// DefaultAPIAddr is the JSON API address `taonet chain init` configures and
// the CLI's --node default points at.
const DefaultAPIAddr = "127.0.0.1:26680"

// stateDBName is the bbolt file (under the home's data directory) holding the
// committed application state.
const stateDBName = "taonet-state.db"

// nodeFileName is taonet's own per-home settings file under config/.
const nodeFileName = "taonet.json"

// HomeSettings are taonet's own settings stored next to CometBFT's config.
type HomeSettings struct {
	// APIAddr is the default listen address of the JSON API.
	APIAddr string `json:"api_addr,omitempty"`
}

// InitOptions configure InitHome.
type InitOptions struct {
	Home    string
	ChainID string // DefaultChainID if empty
	Moniker string
	// AppState is the chain genesis (JSON), stored as the genesis document's app_state.
	AppState json.RawMessage
	// P2PAddr is the CometBFT p2p listen address (host:port); default 127.0.0.1:26656.
	P2PAddr string
	// RPCAddr is CometBFT's own RPC listen address (host:port); empty disables it.
	RPCAddr string
	// APIAddr is stored as the default JSON API address of `taonet chain start`.
	APIAddr string
	// BlockTime is CometBFT's timeout_commit; default 1 s.
	BlockTime time.Duration
	// Overwrite allows re-initializing an existing home.
	Overwrite bool
	// Genesis, when set, is the complete genesis document of an existing
	// network to join as a full node (AppState and ChainID are ignored).
	Genesis []byte
	// Peers are persistent peers, "id@host:port".
	Peers []string
	// ExternalAddr is the host:port other nodes dial to reach this one
	// (when it differs from P2PAddr, e.g. behind NAT or listening on 0.0.0.0).
	ExternalAddr string
	// allowDuplicateIP: several nodes behind one IP (single-machine test
	// clusters only; GenerateTestnet sets it when all hosts are one).
	allowDuplicateIP bool
}

// Initialized reports whether home holds a genesis document.
func Initialized(home string) bool {
	_, err := os.Stat(filepath.Join(home, "config", "genesis.json"))
	return err == nil
}

// InitHome creates a single-validator home directory: node key, validator key,
// CometBFT config and a genesis document with this node as the only validator.
// It returns the node's p2p id.
func InitHome(o InitOptions) (string, error) {
	if o.Home == "" {
		return "", errors.New("init: home directory required")
	}
	if Initialized(o.Home) && !o.Overwrite {
		return "", fmt.Errorf("init: %s is already initialized", o.Home)
	}
	if o.ChainID == "" {
		o.ChainID = DefaultChainID
	}
	if o.Genesis != nil {
		return joinHome(o)
	}
	c, err := writeNodeFiles(o)
	if err != nil {
		return "", err
	}
	pv := privval.LoadFilePV(c.PrivValidatorKeyFile(), c.PrivValidatorStateFile())
	pub, err := pv.GetPubKey()
	if err != nil {
		return "", err
	}
	gen := &cmttypes.GenesisDoc{
		ChainID:         o.ChainID,
		GenesisTime:     time.Now().UTC().Truncate(time.Second),
		ConsensusParams: cmttypes.DefaultConsensusParams(),
		Validators:      []cmttypes.GenesisValidator{{Address: pub.Address(), PubKey: pub, Power: 10, Name: c.Moniker}},
		AppState:        o.AppState,
	}
	if err := gen.ValidateAndComplete(); err != nil {
		return "", err
	}
	if err := gen.SaveAs(c.GenesisFile()); err != nil {
		return "", err
	}
	nk, err := p2p.LoadNodeKey(c.NodeKeyFile())
	if err != nil {
		return "", err
	}
	return string(nk.ID()), nil
}

// writeNodeFiles creates the directory layout, keys, config.toml and taonet.json.
func writeNodeFiles(o InitOptions) (*cfg.Config, error) {
	c := cfg.DefaultConfig()
	c.SetRoot(o.Home)
	if err := os.MkdirAll(filepath.Join(o.Home, "config"), 0o700); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Join(o.Home, "data"), 0o700); err != nil {
		return nil, err
	}
	if o.Moniker == "" {
		o.Moniker = filepath.Base(filepath.Clean(o.Home))
	}
	c.Moniker = o.Moniker
	if o.P2PAddr == "" {
		o.P2PAddr = "127.0.0.1:26656"
	}
	c.P2P.ListenAddress = "tcp://" + o.P2PAddr
	if o.RPCAddr != "" {
		c.RPC.ListenAddress = "tcp://" + o.RPCAddr
	} else {
		c.RPC.ListenAddress = ""
	}
	applyTaonetDefaults(c)
	if err := applyNetwork(c, o); err != nil {
		return nil, err
	}
	if o.BlockTime > 0 {
		c.Consensus.TimeoutCommit = o.BlockTime
	}
	cfg.WriteConfigFile(filepath.Join(o.Home, "config", "config.toml"), c)
	privval.LoadOrGenFilePV(c.PrivValidatorKeyFile(), c.PrivValidatorStateFile())
	if _, err := p2p.LoadOrGenNodeKey(c.NodeKeyFile()); err != nil {
		return nil, err
	}
	if o.APIAddr == "" {
		o.APIAddr = DefaultAPIAddr
	}
	if err := writeSettings(o.Home, HomeSettings{APIAddr: o.APIAddr}); err != nil {
		return nil, err
	}
	return c, nil
}

// applyTaonetDefaults sets what every taonet node wants: p2p through
// persistent peers (no address exchange), a roomy mempool, block-by-block app persistence, no CometBFT metrics
// (the node exports its own).
func applyTaonetDefaults(c *cfg.Config) {
	c.P2P.AddrBookStrict = false // reset by applyNetwork
	c.P2P.AllowDuplicateIP = false
	c.P2P.PexReactor = false
	c.Mempool.Size = 20000
	c.Mempool.CacheSize = 40000
	c.Mempool.MaxTxsBytes = 256 << 20
	c.Consensus.TimeoutCommit = time.Second
	c.Consensus.TimeoutPropose = 2 * time.Second
	c.Consensus.CreateEmptyBlocks = true
	c.Storage.DiscardABCIResponses = false
	// The app keeps its own tx index, committed atomically with the state.
	c.TxIndex.Indexer = "null"
	c.Instrumentation.Prometheus = false
	c.LogLevel = "error"
}

func writeSettings(home string, s HomeSettings) error {
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(home, "config", nodeFileName), append(b, '\n'), 0o600)
}

// ReadSettings reads taonet's settings of a home (zero value if absent).
func ReadSettings(home string) (HomeSettings, error) {
	var s HomeSettings
	b, err := os.ReadFile(filepath.Join(home, "config", nodeFileName))
	if errors.Is(err, os.ErrNotExist) {
		return s, nil
	}
	if err != nil {
		return s, err
	}
	if err := json.Unmarshal(b, &s); err != nil {
		return s, fmt.Errorf("%s: %w", nodeFileName, err)
	}
	return s, nil
}

// LoadConfig reads a home's CometBFT config.toml.
func LoadConfig(home string) (*cfg.Config, error) {
	v := viper.New()
	v.SetConfigFile(filepath.Join(home, "config", "config.toml"))
	if err := v.ReadInConfig(); err != nil {
		return nil, fmt.Errorf("read config: %w", err)
	}
	c := cfg.DefaultConfig()
	if err := v.Unmarshal(c); err != nil {
		return nil, fmt.Errorf("parse config: %w", err)
	}
	c.SetRoot(home)
	if err := c.ValidateBasic(); err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	return c, nil
}

// TestnetOptions configure GenerateTestnet.
type TestnetOptions struct {
	Out      string
	Nodes    int
	ChainID  string
	AppState json.RawMessage
	// BasePort: node i uses p2p BasePort+10*i, CometBFT RPC +1, JSON API +2.
	// Zero picks free ports (or, with Hosts, 26656 on each host).
	BasePort  int
	BlockTime time.Duration
	// Hosts are the nodes' addresses (IPs or names), one per node; empty
	// means all on 127.0.0.1. Nodes on distinct hosts use the same ports;
	// only when every node shares one host are duplicate IPs allowed.
	Hosts []string
}

// TestnetNode describes one generated node.
type TestnetNode struct {
	Home    string `json:"home"`
	ID      string `json:"id"`
	P2PAddr string `json:"p2p_addr"`
	RPCAddr string `json:"rpc_addr"`
	APIAddr string `json:"api_addr"`
}

// GenerateTestnet writes Nodes homes (Out/node0 ...) for a local
// multi-validator cluster on loopback: one genesis with every node as an
// equal-power validator and persistent peers between all nodes.
func GenerateTestnet(o TestnetOptions) ([]TestnetNode, error) {
	if o.Nodes < 1 || o.Nodes > 64 {
		return nil, fmt.Errorf("testnet: nodes must be 1..64, got %d", o.Nodes)
	}
	if o.ChainID == "" {
		o.ChainID = DefaultChainID
	}
	hosts, err := testnetHosts(o)
	if err != nil {
		return nil, err
	}
	ports, err := testnetPorts(o, hosts)
	if err != nil {
		return nil, err
	}
	sameHost := allSame(hosts)
	nodes := make([]TestnetNode, o.Nodes)
	confs := make([]*cfg.Config, o.Nodes)
	var vals []cmttypes.GenesisValidator
	for i := range nodes {
		home := filepath.Join(o.Out, fmt.Sprintf("node%d", i))
		if Initialized(home) {
			return nil, fmt.Errorf("testnet: %s is already initialized", home)
		}
		// Addresses as others reach the node; it listens on the host's IP,
		// or on all interfaces when the host is a name or not local.
		h, lh := hosts[i], listenHost(hosts[i])
		at := func(host string, port int) string { return net.JoinHostPort(host, fmt.Sprint(port)) }
		n := TestnetNode{Home: home, P2PAddr: at(h, ports[i][0]), RPCAddr: at(h, ports[i][1]), APIAddr: at(h, ports[i][2])}
		c, err := writeNodeFiles(InitOptions{Home: home, ChainID: o.ChainID, Moniker: fmt.Sprintf("node%d", i),
			P2PAddr: at(lh, ports[i][0]), ExternalAddr: n.P2PAddr, RPCAddr: at(rpcHost(lh), ports[i][1]), APIAddr: at(lh, ports[i][2]),
			BlockTime: o.BlockTime, allowDuplicateIP: sameHost})
		if err != nil {
			return nil, err
		}
		nk, err := p2p.LoadNodeKey(c.NodeKeyFile())
		if err != nil {
			return nil, err
		}
		n.ID = string(nk.ID())
		pub, err := privval.LoadFilePV(c.PrivValidatorKeyFile(), c.PrivValidatorStateFile()).GetPubKey()
		if err != nil {
			return nil, err
		}
		vals = append(vals, cmttypes.GenesisValidator{Address: pub.Address(), PubKey: pub, Power: 10, Name: c.Moniker})
		nodes[i], confs[i] = n, c
	}
	gen := &cmttypes.GenesisDoc{ChainID: o.ChainID, GenesisTime: time.Now().UTC().Truncate(time.Second),
		ConsensusParams: cmttypes.DefaultConsensusParams(), Validators: vals, AppState: o.AppState}
	if err := gen.ValidateAndComplete(); err != nil {
		return nil, err
	}
	for i, c := range confs {
		if err := gen.SaveAs(c.GenesisFile()); err != nil {
			return nil, err
		}
		var peers []string
		for j, p := range nodes {
			if j != i {
				peers = append(peers, p.ID+"@"+p.P2PAddr)
			}
		}
		c.P2P.PersistentPeers = joinComma(peers)
		c.P2P.AddrBookStrict = !anyNonRoutable(peers)
		cfg.WriteConfigFile(filepath.Join(c.RootDir, "config", "config.toml"), c)
	}
	return nodes, nil
}

func joinComma(s []string) string {
	out := ""
	for i, x := range s {
		if i > 0 {
			out += ","
		}
		out += x
	}
	return out
}

// pickPorts returns n triples of ports: from base if given, else free ports.
func pickPorts(base, n int) ([][3]int, error) {
	out := make([][3]int, n)
	if base > 0 {
		for i := range out {
			out[i] = [3]int{base + 10*i, base + 10*i + 1, base + 10*i + 2}
		}
		return out, nil
	}
	ps, err := FreePorts(3 * n)
	if err != nil {
		return nil, err
	}
	for i := range out {
		out[i] = [3]int{ps[3*i], ps[3*i+1], ps[3*i+2]}
	}
	return out, nil
}

// FreePorts returns n distinct currently free TCP ports on 127.0.0.1.
func FreePorts(n int) ([]int, error) {
	ls := make([]net.Listener, 0, n)
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	ports := make([]int, 0, n)
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}
