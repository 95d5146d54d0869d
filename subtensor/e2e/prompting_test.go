package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/taonet/taonet/subnets/prompting/embed"
	"github.com/taonet/taonet/subnets/prompting/miner"
	"github.com/taonet/taonet/subnets/prompting/tasks"
	"github.com/taonet/taonet/subnets/prompting/validator"
	"github.com/taonet/taonet/subtensor"
	fixture "github.com/taonet/taonet/subtensor/polkadottest"
	"github.com/taonet/taonet/subtensor/substratetest"
)

// backend connects a subtensor Backend to the replay node, following its
// heads as the CLI's miners and validators do.
func backend(t *testing.T, r *substratetest.Replay) *subtensor.Backend {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	c, err := subtensor.Dial(ctx, subtensor.Config{Endpoints: []string{r.Srv.URL}, Genesis: r.Mat.GenesisHash})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	b := subtensor.NewBackend(c)
	b.Follow()
	return b
}

// TestPromptingOnSubtensor: a prompting miner (//Bob, uid 1) serves its axon
// through serve_axon on the scripted subtensor node; the prompting validator
// (//Alice, uid 0, with a permit) reads the metagraph from subtensor storage,
// queries the miner over loopback, and sets weights. The subnet has
// commit-reveal on, so the backend sends them as a timelocked commit
// (commit_crv3_weights on this spec-224 runtime) encrypted to the node's
// drand beacon (a test key signing rounds as quicknet does); the node
// reveals it in the reveal epoch once the round's pulse is in, and the
// Weights row read back over RPC is the validator's. Nothing above the
// chain interfaces changed: the same miner and validator run on taonet nodes.
func TestPromptingOnSubtensor(t *testing.T) {
	r := substratetest.NewReplay(t, fixture.Testnet)
	r.Srv.Dispatch = func(c substratetest.Call) *substratetest.Failure {
		if err := r.Srv.Apply(c); err != nil {
			t.Errorf("apply %s: %v", c.Name, err)
		}
		return nil
	}
	b := backend(t, r)
	beacon, _ := testDrand(t, r.Srv)
	b.Timelock.Beacon = beacon
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	alice, bob := substratetest.KP(t, "//Alice"), substratetest.KP(t, "//Bob")

	m, err := miner.New(miner.Config{Hotkey: bob, Netuid: substratetest.Netuid, Chain: b, Responder: miner.NewTool(nil, nil), Refresh: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	addr, err := m.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer m.Shutdown(context.Background())
	if err := miner.ServeOnChain(ctx, b, bob, substratetest.Netuid, "127.0.0.1", addr.Port); err != nil {
		t.Fatalf("serve axon: %v (rejected %v)", err, r.Srv.Rejected())
	}

	reg, err := tasks.NewRegistry(tasks.Entry{Task: tasks.NewMath(), Weight: 1})
	if err != nil {
		t.Fatal(err)
	}
	var log strings.Builder
	v, err := validator.New(validator.Config{Hotkey: alice, Netuid: substratetest.Netuid, Chain: b, Registry: reg,
		Embedder: embed.Hashed{Dim: 64}, SampleSize: 8, Timeout: 5 * time.Second, WeightsInterval: 1,
		DataDir: t.TempDir(), Out: &log})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	answered, weights := false, false
	for step := 0; step < 6 && !(answered && weights); step++ {
		res, err := v.Step(ctx)
		if err != nil {
			t.Fatalf("step %d: %v\n%s", step, err, log.String())
		}
		for _, mr := range res.Miners {
			if mr.Hotkey == bob.SS58Address() && mr.Status == 200 && mr.Completion != "" {
				answered = true
			}
		}
		weights = weights || res.WeightsSet
		r.Srv.AddBlock()
	}
	if !answered {
		t.Fatalf("the miner never answered through its on-chain axon\n%s", log.String())
	}
	if !weights {
		t.Fatalf("the validator set no weights\n%s", log.String())
	}
	// Send does not wait: give the node a moment for Alice's commit, then
	// run the chain into the reveal epoch.
	waitCall(t, r.Srv, alice.SS58Address(), "commit_crv3_weights")
	rev := revealed(t, r.Srv, alice.SS58Address())
	if len(rev.UIDs) != 4 || rev.Values[1] != 65535 {
		t.Fatalf("revealed weights %v %v: want all four uids, the answering miner (uid 1) on top", rev.UIDs, rev.Values)
	}
	rows, _, err := b.Matrix(ctx, "Weights", substratetest.Netuid, nil)
	if err != nil {
		t.Fatal(err)
	}
	var want [][2]uint16
	for i := range rev.UIDs {
		want = append(want, [2]uint16{rev.UIDs[i], rev.Values[i]})
	}
	if len(rows) == 0 || rows[0].UID != 0 || fmt.Sprint(rows[0].Entries) != fmt.Sprint(want) {
		t.Fatalf("Weights rows on chain %+v; uid 0 should hold the revealed %v", rows, want)
	}
}
