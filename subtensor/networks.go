package subtensor

import (
	"fmt"
	"strings"
)

// Network is a named subtensor network, as the Bittensor SDK's
// --subtensor.network names them.
type Network struct {
	Name     string
	Endpoint string
	// Genesis is the network's genesis hash (0x-hex); empty for local nodes,
	// whose genesis differs per chain spec.
	Genesis string
}

// Genesis hashes of finney and the test network (also in the metadata
// material @bitgo/sdk-coin-tao ships, which the tests read).
const (
	FinneyGenesis  = "0x2f0555cc76fc2840a25a6ea3b9637146806f1f44b090c175ffde2a7e5ab36c03"
	TestnetGenesis = "0x8f9cf856bf558a14440e75569c9e58594757048d7b3a84b5d25f6bd978263105"
)

// Networks are the named networks with the Bittensor SDK's default endpoints.
var Networks = map[string]Network{
	"finney":  {"finney", "wss://entrypoint-finney.opentensor.ai:443", FinneyGenesis},
	"test":    {"test", "wss://test.finney.opentensor.ai:443", TestnetGenesis},
	"archive": {"archive", "wss://archive.chain.opentensor.ai:443", FinneyGenesis},
	"local":   {"local", "ws://127.0.0.1:9944", ""},
}

// ResolveNetwork turns --subtensor.network and --subtensor.chain_endpoint into
// endpoints and the genesis hash to expect. An endpoint overrides the
// network's default endpoint but keeps its genesis check (so pointing
// "--subtensor.network finney" at a test node fails loudly); endpoint alone
// checks nothing. Several endpoints may be given comma-separated (failover).
func ResolveNetwork(network, endpoint string) (endpoints []string, genesis string, err error) {
	if network == "" && endpoint == "" {
		return nil, "", fmt.Errorf("subtensor: give --subtensor.network (finney, test, archive, local) or --subtensor.chain_endpoint")
	}
	if network != "" {
		n, ok := Networks[network]
		if !ok {
			return nil, "", fmt.Errorf("subtensor: unknown network %q (finney, test, archive, local)", network)
		}
		genesis = n.Genesis
		endpoints = []string{n.Endpoint}
	}
	if endpoint != "" {
		endpoints = nil
		for _, e := range strings.Split(endpoint, ",") {
			if e = strings.TrimSpace(e); e != "" {
				endpoints = append(endpoints, e)
			}
		}
	}
	return endpoints, genesis, nil
}
