package node

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"strings"

	cfg "github.com/cometbft/cometbft/config"
	"github.com/cometbft/cometbft/p2p"
	"github.com/cometbft/cometbft/privval"
	cmttypes "github.com/cometbft/cometbft/types"
)

// DefaultP2PPort is the p2p port of testnet nodes on distinct hosts.
const DefaultP2PPort = 26656

// applyNetwork writes the peer settings of o into c: persistent peers, the
// external address, duplicate-IP allowance (single-machine clusters only)
// and a strict address book unless some address is loopback or private.
func applyNetwork(c *cfg.Config, o InitOptions) error {
	for _, p := range o.Peers {
		if _, err := p2p.NewNetAddressString(p); err != nil {
			return fmt.Errorf("peer %q: %w (want id@host:port, the id from `taonet chain init` or node_key.json)", p, err)
		}
	}
	if o.ExternalAddr != "" {
		if _, _, err := net.SplitHostPort(o.ExternalAddr); err != nil {
			return fmt.Errorf("external address %q: %w", o.ExternalAddr, err)
		}
		c.P2P.ExternalAddress = "tcp://" + o.ExternalAddr
	}
	c.P2P.PersistentPeers = joinComma(o.Peers)
	c.P2P.AllowDuplicateIP = o.allowDuplicateIP
	self := o.ExternalAddr
	if self == "" {
		self = o.P2PAddr
	}
	if h, _, err := net.SplitHostPort(self); err == nil && (h == "0.0.0.0" || h == "::" || h == "") {
		self = "" // listening everywhere says nothing about reachability
	}
	addrs := append([]string{self}, o.Peers...)
	c.P2P.AddrBookStrict = !anyNonRoutable(addrs)
	return nil
}

// joinHome initializes a full node of an existing network: its own node and
// (unused) validator keys, the network's genesis document as given, and
// persistent peers to reach it.
func joinHome(o InitOptions) (string, error) {
	gen, err := cmttypes.GenesisDocFromJSON(o.Genesis)
	if err != nil {
		return "", fmt.Errorf("genesis: %w", err)
	}
	if len(o.Peers) == 0 {
		return "", errors.New("joining a network needs at least one peer (--peers id@host:port)")
	}
	c, err := writeNodeFiles(o)
	if err != nil {
		return "", err
	}
	// Keep the network's document byte for byte: its hash is what every
	// node checks at handshake.
	if err := os.WriteFile(c.GenesisFile(), o.Genesis, 0o644); err != nil {
		return "", err
	}
	nk, err := p2p.LoadNodeKey(c.NodeKeyFile())
	if err != nil {
		return "", err
	}
	pub, err := privval.LoadFilePV(c.PrivValidatorKeyFile(), c.PrivValidatorStateFile()).GetPubKey()
	if err != nil {
		return "", err
	}
	for _, v := range gen.Validators {
		if v.Address.String() == pub.Address().String() {
			return "", errors.New("this home's validator key is a genesis validator: copy that validator's home instead of joining")
		}
	}
	return string(nk.ID()), nil
}

// IsGenesisDoc reports whether b is a complete network genesis document (as
// opposed to a chain genesis, the app state alone).
func IsGenesisDoc(b []byte) bool {
	_, err := cmttypes.GenesisDocFromJSON(b)
	return err == nil && strings.Contains(string(b), `"validators"`)
}

func testnetHosts(o TestnetOptions) ([]string, error) {
	if len(o.Hosts) == 0 {
		hs := make([]string, o.Nodes)
		for i := range hs {
			hs[i] = "127.0.0.1"
		}
		return hs, nil
	}
	if len(o.Hosts) != o.Nodes {
		return nil, fmt.Errorf("testnet: %d hosts for %d nodes (give one host per node)", len(o.Hosts), o.Nodes)
	}
	for _, h := range o.Hosts {
		if h == "" || strings.ContainsAny(h, "/@ ") || (strings.Contains(h, ":") && !isIP(h)) {
			return nil, fmt.Errorf("testnet: host %q is not an IP address or host name", h)
		}
	}
	return o.Hosts, nil
}

// testnetPorts gives each node its ports: BasePort+10k for the k-th node
// on the same host, so nodes on distinct hosts share the standard ports.
func testnetPorts(o TestnetOptions, hosts []string) ([][3]int, error) {
	if len(o.Hosts) == 0 {
		return pickPorts(o.BasePort, o.Nodes)
	}
	base := o.BasePort
	if base == 0 {
		base = DefaultP2PPort
	}
	seen := map[string]int{}
	out := make([][3]int, len(hosts))
	for i, h := range hosts {
		k := seen[h]
		seen[h]++
		p := base + 10*k
		out[i] = [3]int{p, p + 1, p + 2}
	}
	return out, nil
}

func allSame(hs []string) bool {
	for _, h := range hs {
		if h != hs[0] {
			return false
		}
	}
	return true
}

func isIP(h string) bool { _, err := netip.ParseAddr(h); return err == nil }

// listenHost is the address a node on host h binds: the IP itself when it
// is a loopback address (several test nodes on one machine), else all
// interfaces (the machine's address may be a name, or NATed).
func listenHost(h string) string {
	if a, err := netip.ParseAddr(h); err == nil && a.IsLoopback() {
		return h
	}
	return "0.0.0.0"
}

// anyNonRoutable reports whether some address (host:port or id@host:port)
// is loopback, private or link-local: CometBFT's strict address book would
// refuse it.
func anyNonRoutable(addrs []string) bool {
	for _, a := range addrs {
		if a == "" {
			continue
		}
		if i := strings.LastIndex(a, "@"); i >= 0 {
			a = a[i+1:]
		}
		host, _, err := net.SplitHostPort(a)
		if err != nil {
			host = a
		}
		ip, err := netip.ParseAddr(host)
		if err != nil {
			continue // a name: resolved by CometBFT
		}
		if ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsUnspecified() {
			return true
		}
	}
	return false
}

// SplitList splits a comma-separated flag value, dropping blanks.
func SplitList(s string) []string {
	var out []string
	for _, x := range strings.Split(s, ",") {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}

// rpcHost keeps CometBFT's own RPC (unauthenticated, with unsafe routes
// possible) on the machine: the JSON API is the public interface.
func rpcHost(listen string) string {
	if listen == "0.0.0.0" {
		return "127.0.0.1"
	}
	return listen
}
