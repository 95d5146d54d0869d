package client_test

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/taonet/taonet/chain"
	"github.com/taonet/taonet/client"
	"github.com/taonet/taonet/keys"
	"github.com/taonet/taonet/node"
)

const tao = 1_000_000_000

func key(t testing.TB, uri string) *keys.Keypair {
	t.Helper()
	k, err := keys.FromURI(uri)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// testGenesis funds the given keys and makes subnets fast: short tempo, many
// registrations per block, no weights rate limit.
func testGenesis(t testing.TB, funded ...*keys.Keypair) (json.RawMessage, uint64) {
	g := chain.DefaultGenesis()
	var total uint64
	for _, k := range funded {
		g.Accounts = append(g.Accounts, chain.GenesisAccount{Address: k.SS58Address(), Balance: 1_000_000 * tao})
		total += 1_000_000 * tao
	}
	g.SubnetDefaults.Tempo = 10
	g.SubnetDefaults.MaxRegsPerBlock = 64
	g.SubnetDefaults.TargetRegsPerInterval = 64
	g.SubnetDefaults.WeightsRateLimit = 0
	g.SubnetDefaults.ImmunityPeriod = 100
	b, err := json.Marshal(g)
	if err != nil {
		t.Fatal(err)
	}
	return b, total
}

func startNode(t testing.TB, appState json.RawMessage) *node.Node {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	n, err := node.StartEmbedded(ctx, node.Options{Home: t.TempDir(), BlockTime: 150 * time.Millisecond, AppState: appState})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { n.Stop() })
	return n
}

// TestSingleNodeNetwork is the end-to-end single-node scenario: create a
// subnet, register 16 neurons, stake, set weights, pass several epochs, read
// the metagraph through the client, and check issuance to the rao.
func TestSingleNodeNetwork(t *testing.T) {
	alice := key(t, "//Alice")
	appState, genesisTotal := testGenesis(t, alice)
	n := startNode(t, appState)
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	c, err := client.New([]string{n.APIURL()})
	if err != nil {
		t.Fatal(err)
	}
	hot := make([]*keys.Keypair, 16)
	for i := range hot {
		hot[i] = key(t, fmt.Sprintf("//Alice//hot%d", i))
	}
	created, err := c.Submit(ctx, alice, &chain.CreateSubnet{Hotkey: hot[0].SS58Address()})
	if err != nil {
		t.Fatal("create subnet: ", err)
	}
	subnets, err := c.Subnets(ctx)
	if err != nil || len(subnets) != 1 {
		t.Fatalf("subnets %v %v", subnets, err)
	}
	netuid := subnets[0].Netuid

	// 15 registrations submitted concurrently from one coldkey: the client
	// must hand out nonces in order.
	var wg sync.WaitGroup
	errs := make([]error, len(hot))
	for i := 1; i < len(hot); i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			_, errs[i] = c.Submit(ctx, alice, &chain.BurnedRegister{Netuid: netuid, Hotkey: hot[i].SS58Address()})
		}(i)
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("register %d: %v", i, err)
		}
	}
	mg0, err := c.Metagraph(ctx, netuid)
	if err != nil {
		t.Fatal(err)
	}
	uidOf := map[string]uint16{}
	for u, hk := range mg0.Hotkeys {
		uidOf[hk] = uint16(u)
	}
	if len(uidOf) != 16 {
		t.Fatalf("metagraph has %d hotkeys", len(uidOf))
	}
	uid := func(i int) uint16 {
		u, ok := uidOf[hot[i].SS58Address()]
		if !ok {
			t.Fatalf("hot%d not registered", i)
		}
		return u
	}
	// Validators 0..3 get stake; they weight miners 4..15 unevenly.
	for i := 0; i < 4; i++ {
		if _, err := c.Submit(ctx, alice, &chain.AddStake{Hotkey: hot[i].SS58Address(), Amount: uint64(1000*(i+1)) * tao}); err != nil {
			t.Fatal("stake: ", err)
		}
	}
	// Validator permits are handed out by the next epoch.
	subnets, err = c.Subnets(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.WaitHeight(ctx, subnets[0].NextEpochBlock+1, nil); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 4; i++ {
		sw := &chain.SetWeights{Netuid: netuid}
		for m := 4; m < 16; m++ {
			sw.UIDs = append(sw.UIDs, uid(m))
			sw.Values = append(sw.Values, uint16(m*100))
		}
		if _, err := c.Submit(ctx, hot[i], sw); err != nil {
			t.Fatal("set weights: ", err)
		}
	}
	start, err := c.LatestBlock(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.WaitHeight(ctx, start.Height+35, nil); err != nil {
		t.Fatal(err)
	}
	mg, err := c.Metagraph(ctx, netuid)
	if err != nil {
		t.Fatal(err)
	}
	if mg.N != 16 || len(mg.Hotkeys) != 16 {
		t.Fatalf("metagraph n=%d", mg.N)
	}
	for m := 4; m < 16; m++ {
		if mg.Incentive[uid(m)] == 0 {
			t.Fatalf("miner hot%d has no incentive: %v", m, mg.Incentive)
		}
	}
	if mg.Incentive[uid(15)] <= mg.Incentive[uid(4)] {
		t.Fatalf("incentive does not follow weights: %v", mg.Incentive)
	}
	var divs uint64
	for v := 0; v < 4; v++ {
		divs += uint64(mg.Dividends[uid(v)])
		if !mg.ValidatorPermit[uid(v)] {
			t.Fatalf("validator hot%d has no permit", v)
		}
	}
	if divs == 0 {
		t.Fatalf("validators earned no dividends: %v", mg.Dividends)
	}
	nr, err := c.Neuron(ctx, netuid, uid(15))
	if err != nil || nr.Hotkey != hot[15].SS58Address() || nr.Incentive == 0 {
		t.Fatalf("neuron 15: %+v %v", nr, err)
	}

	// Issuance to the rao, on one committed snapshot.
	m, h := n.App().CommittedAt()
	st := m.(*node.ChainMachine).S
	iss := st.Issuance()
	if iss.TotalIssuance != iss.Balances+iss.Staked+iss.Locked+iss.PendingEmission+iss.Burned ||
		iss.Burned != iss.RegistrationBurned+iss.FeesBurned+iss.EmissionRecycled {
		t.Fatalf("issuance identity broken: %+v", iss)
	}
	// Emission is minted from the block that created the subnet on.
	if want := genesisTotal + (h-created.Height+1)*tao; iss.TotalIssuance != want {
		t.Fatalf("total issuance %d at height %d, want %d (subnet created at %d)", iss.TotalIssuance, h, want, created.Height)
	}
	// The client's view agrees with the in-process one once heights agree.
	ci, err := c.Issuance(ctx)
	if err != nil || ci.TotalIssuance < iss.TotalIssuance {
		t.Fatalf("client issuance %+v %v", ci, err)
	}
	acc, err := c.Account(ctx, alice.SS58Address())
	if err != nil || acc.Nonce != 1+15+4 {
		t.Fatalf("alice account %+v %v", acc, err)
	}
}
