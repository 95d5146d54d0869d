package e2e

import (
	"testing"
	"time"

	"github.com/taonet/taonet/subtensor/substratetest"
	"github.com/taonet/taonet/subtensor/timelock"
)

// testDrand has the scripted node reveal timelocked commits with a drand
// beacon the test controls (substratetest.NewTestDrand).
func testDrand(t *testing.T, srv *substratetest.Server) (timelock.Beacon, func(uint64) []byte) {
	t.Helper()
	d, err := substratetest.NewTestDrand()
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.EnableTimelock(d); err != nil {
		t.Fatal(err)
	}
	return d.Beacon, d.Sign
}

// waitCall waits until the node has included a call named name from signer.
func waitCall(t *testing.T, srv *substratetest.Server, signer, name string) substratetest.Call {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		for _, c := range srv.Calls() {
			if c.Name == name && c.Signer == signer {
				return c
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("no %s from %s reached the node (calls %+v, rejected %v)", name, signer, srv.Calls(), srv.Rejected())
	return substratetest.Call{}
}

// revealed adds blocks (at most three epochs' worth of the replay's tempo
// 360) until the node reveals signer's timelocked commit, and returns it.
func revealed(t *testing.T, srv *substratetest.Server, signer string) substratetest.Reveal {
	t.Helper()
	for i := 0; i < 4*361; i++ {
		for _, r := range srv.Reveals() {
			if r.Hotkey == signer {
				if r.Err != "" {
					t.Fatalf("the node dropped the commit at block %d: %s", r.Block, r.Err)
				}
				t.Logf("committed in block %d to drand round %d, revealed in block %d", r.CommitBlock, r.Round, r.Block)
				return r
			}
		}
		srv.AddBlock()
	}
	t.Fatalf("no reveal of %s's commit after %d blocks", signer, 4*361)
	return substratetest.Reveal{}
}
