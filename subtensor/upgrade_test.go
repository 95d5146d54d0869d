package subtensor

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	fixture "github.com/taonet/taonet/subtensor/polkadottest"
	"github.com/taonet/taonet/subtensor/substratetest"
)

// TestRuntimeUpgradeMidRun: the node upgrades from the finney runtime (spec
// 219, add_stake(hotkey, amount)) to the test network's (spec 224,
// add_stake(hotkey, netuid, amount), other call indices) while the client
// runs. The next submission sees the new spec version, fetches and decodes
// the new metadata and signs with it: the node accepts it under the new
// spec, and a call built for the old runtime's shape is refused by name.
func TestRuntimeUpgradeMidRun(t *testing.T) {
	r := replay(t, fixture.Finney)
	c := dial(t, r.Srv.URL, r.Mat.GenesisHash)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cold := substratetest.KP(t, "//Eve")
	hot := substratetest.KP(t, "//Alice")
	old := map[string]any{"hotkey": hot.PublicKey(), "amount_staked": uint64(5)}
	res, err := c.Submit(ctx, cold, "SubtensorModule", "add_stake", old, SubmitOptions{})
	if err != nil || res.SpecVersion != 219 {
		t.Fatalf("before the upgrade: %+v %v", res, err)
	}
	next := fixture.Load(t, fixture.Testnet)
	spec, _ := strconv.Atoi(next.SpecVersion)
	txv, _ := strconv.Atoi(next.TxVersion)
	if err := r.Srv.Upgrade(substratetest.Runtime{SpecName: "node-subtensor", SpecVersion: uint32(spec), TxVersion: uint32(txv), Metadata: next.Metadata}); err != nil {
		t.Fatal(err)
	}
	_, err = c.Submit(ctx, cold, "SubtensorModule", "add_stake", old, SubmitOptions{})
	if err == nil || !strings.Contains(err.Error(), `needs argument "netuid"`) {
		t.Fatalf("old-shape call after the upgrade: %v", err)
	}
	withNetuid := map[string]any{"hotkey": hot.PublicKey(), "netuid": uint16(3), "amount_staked": uint64(5)}
	res, err = c.Submit(ctx, cold, "SubtensorModule", "add_stake", withNetuid, SubmitOptions{})
	if err != nil || res.SpecVersion != 224 {
		t.Fatalf("after the upgrade: %+v %v (rejected %v)", res, err, r.Srv.Rejected())
	}
	if calls := r.Srv.Calls(); len(calls) != 2 || calls[1].Name != "add_stake" {
		t.Fatalf("node saw %+v", calls)
	}
}

// TestUndecodableMetadata: a node serving metadata this client cannot decode
// (an unsupported version) fails reads with a message that says so, and the
// client stays usable for calls that need no metadata.
func TestUndecodableMetadata(t *testing.T) {
	r := replay(t, fixture.Finney)
	bad := append([]byte("meta"), 13)
	bad = append(bad, r.Mat.Metadata[5:]...)
	c := dial(t, r.Srv.URL, r.Mat.GenesisHash)
	ctx := context.Background()
	if err := r.Srv.UpgradeRaw(substratetest.Runtime{SpecName: "node-subtensor", SpecVersion: 999, TxVersion: 1}, bad); err != nil {
		t.Fatal(err)
	}
	_, err := c.Balance(ctx, substratetest.KP(t, "//Eve").SS58Address(), nil)
	if err == nil || !strings.Contains(err.Error(), "cannot be decoded by this client") || !strings.Contains(err.Error(), "version 13 is not supported") {
		t.Fatalf("undecodable metadata: %v", err)
	}
	if _, err := c.BestHead(ctx); err != nil {
		t.Fatalf("client unusable after a metadata error: %v", err)
	}
}
