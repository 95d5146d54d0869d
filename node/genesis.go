package node

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/taonet/taonet/chain"
	"github.com/taonet/taonet/keys"
)

// ParseAlloc parses a genesis allocation "ss58=rao".
func ParseAlloc(s string) (chain.GenesisAccount, error) {
	addr, amt, ok := strings.Cut(strings.TrimSpace(s), "=")
	if !ok {
		return chain.GenesisAccount{}, fmt.Errorf("allocation %q: want ss58=rao", s)
	}
	if _, err := keys.SS58Decode(addr); err != nil {
		return chain.GenesisAccount{}, fmt.Errorf("allocation %q: %w", s, err)
	}
	v, err := strconv.ParseUint(amt, 10, 64)
	if err != nil {
		return chain.GenesisAccount{}, fmt.Errorf("allocation %q: amount must be rao as an unsigned integer", s)
	}
	return chain.GenesisAccount{Address: addr, Balance: v}, nil
}

// BuildAppState makes a chain genesis (the app_state of the genesis document):
// base (JSON, may be empty for chain.DefaultGenesis) with chainID and the
// allocations ("ss58=rao") added. It validates by building the state.
func BuildAppState(chainID string, base []byte, allocs []string) (json.RawMessage, error) {
	g, err := GenesisFromJSON(base)
	if err != nil {
		return nil, err
	}
	if chainID != "" {
		g.ChainID = chainID
	}
	for _, a := range allocs {
		acc, err := ParseAlloc(a)
		if err != nil {
			return nil, err
		}
		g.Accounts = append(g.Accounts, acc)
	}
	if _, err := chain.NewState(g); err != nil {
		return nil, err
	}
	return json.MarshalIndent(g, "", "  ")
}

// SetEconomics returns appState (a chain genesis JSON) with Economics set to
// economics ("dtao" or "classic"), validated by building the state.
func SetEconomics(appState json.RawMessage, economics string) (json.RawMessage, error) {
	var g chain.Genesis
	if err := json.Unmarshal(appState, &g); err != nil {
		return nil, fmt.Errorf("genesis: %w", err)
	}
	switch economics {
	case chain.EconomicsDTAO, chain.EconomicsClassic:
		g.Economics = economics
	default:
		return nil, fmt.Errorf("--economics %q: want %s or %s", economics, chain.EconomicsDTAO, chain.EconomicsClassic)
	}
	if _, err := chain.NewState(g); err != nil {
		return nil, err
	}
	return json.MarshalIndent(g, "", "  ")
}
