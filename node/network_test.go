package node

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestTestnetHostsConfig: nodes on distinct public hosts share the standard
// ports, listen on all interfaces with their host as external address, keep
// CometBFT's RPC on loopback, refuse duplicate IPs and use a strict address
// book; a single-host cluster keeps the duplicate-IP allowance.
func TestTestnetHostsConfig(t *testing.T) {
	dir := t.TempDir()
	hosts := []string{"203.0.113.10", "203.0.113.11", "203.0.113.11"}
	ns, err := GenerateTestnet(TestnetOptions{Out: dir, Nodes: 3, Hosts: hosts})
	if err != nil {
		t.Fatal(err)
	}
	wantP2P := []string{"203.0.113.10:26656", "203.0.113.11:26656", "203.0.113.11:26666"}
	for i, n := range ns {
		if n.P2PAddr != wantP2P[i] {
			t.Errorf("node%d p2p %s, want %s", i, n.P2PAddr, wantP2P[i])
		}
		c, err := LoadConfig(n.Home)
		if err != nil {
			t.Fatal(err)
		}
		if c.P2P.AllowDuplicateIP || !c.P2P.AddrBookStrict || c.P2P.ExternalAddress != "tcp://"+wantP2P[i] ||
			!strings.HasPrefix(c.P2P.ListenAddress, "tcp://0.0.0.0:") || !strings.HasPrefix(c.RPC.ListenAddress, "tcp://127.0.0.1:") {
			t.Errorf("node%d p2p config %+v rpc %s", i, c.P2P, c.RPC.ListenAddress)
		}
		if strings.Count(c.P2P.PersistentPeers, "@") != 2 {
			t.Errorf("node%d peers %q", i, c.P2P.PersistentPeers)
		}
	}
	if _, err := GenerateTestnet(TestnetOptions{Out: filepath.Join(dir, "x"), Nodes: 2, Hosts: hosts}); err == nil {
		t.Error("3 hosts for 2 nodes accepted")
	}
	local, err := GenerateTestnet(TestnetOptions{Out: filepath.Join(dir, "local"), Nodes: 2})
	if err != nil {
		t.Fatal(err)
	}
	c, _ := LoadConfig(local[0].Home)
	if !c.P2P.AllowDuplicateIP || c.P2P.AddrBookStrict {
		t.Errorf("single-host cluster: %+v", c.P2P)
	}
}
