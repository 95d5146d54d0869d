package subtensor

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/taonet/taonet/chain"
	"github.com/taonet/taonet/subtensor/metadata"
	fixture "github.com/taonet/taonet/subtensor/polkadottest"
	"github.com/taonet/taonet/subtensor/substratetest"
	"github.com/taonet/taonet/subtensor/timelock"
)

// crBackend is a Backend on the spec-224 replay (commit-reveal on for
// subnet 3, tempo 360, reveal period 2) whose node reveals with a test
// drand beacon the backend encrypts to.
func crBackend(t *testing.T) (*substratetest.Replay, *Backend, substratetest.Drand) {
	t.Helper()
	r := replay(t, fixture.Testnet)
	r.Srv.Dispatch = func(c substratetest.Call) *substratetest.Failure {
		if err := r.Srv.Apply(c); err != nil {
			t.Errorf("apply %s: %v", c.Name, err)
		}
		return nil
	}
	d, err := substratetest.NewTestDrand()
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Srv.EnableTimelock(d); err != nil {
		t.Fatal(err)
	}
	b := NewBackend(dial(t, r.Srv.URL, r.Mat.GenesisHash))
	b.Timelock.Beacon = d.Beacon
	return r, b, d
}

// TestSetWeightsCommitsTimelockedOnCRSubnet: on a commit-reveal subnet a
// set_weights goes out as commit_crv3_weights (the call this runtime has)
// to the reveal round bittensor-drand would pick at that block and time,
// carrying the legacy payload the runtime decodes; the test beacon's
// signature of that round opens it. --dry-run builds the same call and
// sends nothing; with commit-reveal off set_weights is sent as is.
func TestSetWeightsCommitsTimelockedOnCRSubnet(t *testing.T) {
	r, b, d := crBackend(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	alice := substratetest.KP(t, "//Alice")
	now := time.Unix(1_800_000_000, 250_000_000)
	b.Timelock.Now = func() time.Time { return now }
	sw := &chain.SetWeights{Netuid: substratetest.Netuid, UIDs: []uint16{0, 1, 3}, Values: []uint16{100, 65535, 7}, VersionKey: 20501}

	b.Options.DryRun = true
	if _, err := b.Submit(ctx, alice, sw); err != nil {
		t.Fatal(err)
	}
	if len(r.Srv.Calls()) != 0 || !strings.HasPrefix(b.LastResult.Call, "SubtensorModule.commit_crv3_weights(netuid: 3, commit: 0x") {
		t.Fatalf("dry run: calls %v, built %s", r.Srv.Calls(), b.LastResult.Call)
	}
	b.Options.DryRun = false

	head := r.Srv.Head()
	out, err := b.Submit(ctx, alice, sw)
	if err != nil || out.Code != 0 {
		t.Fatalf("submit: %v %+v (rejected %v)", err, out, r.Srv.Rejected())
	}
	calls := r.Srv.Calls()
	if len(calls) != 1 || calls[0].Name != "commit_crv3_weights" {
		t.Fatalf("calls %+v", calls)
	}
	info := b.LastCommit
	want := d.Beacon.RevealRound(timelock.RevealParams{CurrentBlock: head, Tempo: 360, Netuid: 3, RevealPeriod: 2, BlockTime: 12}, now)
	if info == nil || info.RevealRound != want || info.Call != "commit_crv3_weights" || !info.LegacyPayload || info.Tempo != 360 || info.RevealPeriod != 2 {
		t.Fatalf("commit %+v, want reveal round %d", info, want)
	}
	roundV, _ := metadata.FieldOf(calls[0].Args, "reveal_round")
	commitV, _ := metadata.FieldOf(calls[0].Args, "commit")
	round, _ := metadata.AsUint64(roundV)
	commit, _ := metadata.AsBytes(commitV)
	if round != want {
		t.Fatalf("reveal_round on chain %d, want %d", round, want)
	}
	pt, err := timelock.Decrypt(commit, d.Sign(round))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(pt, (timelock.Payload{Legacy: true, UIDs: sw.UIDs, Values: sw.Values, VersionKey: sw.VersionKey}).Encode()) {
		t.Fatalf("payload %x", pt)
	}

	if err := r.Srv.Put("SubtensorModule", "CommitRevealWeightsEnabled", false, substratetest.Netuid); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Submit(ctx, alice, sw); err != nil {
		t.Fatal(err)
	}
	if calls := r.Srv.Calls(); len(calls) != 2 || calls[1].Name != "set_weights" || b.LastCommit != nil {
		t.Fatalf("CR off: calls %+v, last commit %+v", calls, b.LastCommit)
	}
}

// TestTimelockedCommitBadInput: a commit-reveal subnet on a runtime with
// neither commit call, a reveal round already published, a commit over the
// chain's 5,000-byte bound and a chain beacon other than ours each fail
// with a clear error before anything is sent.
func TestTimelockedCommitBadInput(t *testing.T) {
	r, b, d := crBackend(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	alice := substratetest.KP(t, "//Alice")
	sw := &chain.SetWeights{Netuid: substratetest.Netuid, UIDs: []uint16{1}, Values: []uint16{65535}}
	expect := func(what, frag string) {
		t.Helper()
		_, err := b.Submit(ctx, alice, sw)
		if err == nil || !strings.Contains(err.Error(), frag) {
			t.Fatalf("%s: err %v, want …%s…", what, err, frag)
		}
		if n := len(r.Srv.Calls()); n != 0 {
			t.Fatalf("%s: %d calls reached the node", what, n)
		}
	}

	b.Timelock.RevealRound = d.Beacon.RoundAt(time.Now()) - 5
	expect("past round", "is in the past")
	b.Timelock.RevealRound = 0

	big := &chain.SetWeights{Netuid: substratetest.Netuid}
	for i := 0; i < 1300; i++ {
		big.UIDs = append(big.UIDs, uint16(i))
		big.Values = append(big.Values, 1)
	}
	sw, big = big, sw
	expect("too big", "over the chain's 5000-byte bound")
	sw = big

	b.Timelock.Beacon = timelock.Quicknet
	expect("other beacon", "is not the one commits are encrypted to")
	b.Timelock.Beacon = d.Beacon

	// A runtime without commit_crv3_weights and commit_timelocked_weights:
	// the spec-224 metadata with those call names changed (same length).
	meta := bytes.ReplaceAll(r.Mat.Metadata, []byte("commit_crv3_weights"), []byte("commit_crv3_weightz"))
	if err := r.Srv.Upgrade(substratetest.Runtime{SpecName: "node-subtensor", SpecVersion: 225, TxVersion: 1, Metadata: meta}); err != nil {
		t.Fatal(err)
	}
	expect("no commit call", "runtime node-subtensor spec 225 has neither SubtensorModule.commit_timelocked_weights nor commit_crv3_weights")
}

// TestTimelockedCommitOnRecordedFinney: on the SDK's recorded finney
// runtime (which has commit_timelocked_weights and no commit_crv3_weights),
// with its storage defaults (commit-reveal on, CommitRevealWeightsVersion
// 4, Drand.BeaconConfig = quicknet), a set_weights dry run builds
// commit_timelocked_weights with version 4 and the hotkey payload. Runs
// only where the SDK mirror exists.
func TestTimelockedCommitOnRecordedFinney(t *testing.T) {
	raw := sdkFile(t, "tests/helpers/integration_websocket_metadata.txt")
	meta, err := decodeHex(string(raw))
	if err != nil {
		t.Fatal(err)
	}
	var genesis [32]byte
	srv, err := substratetest.New(genesis, substratetest.Runtime{SpecName: "node-subtensor", SpecVersion: 343, TxVersion: 1, Metadata: meta})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	b := NewBackend(dial(t, srv.URL, ""))
	b.Options.DryRun = true
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := b.Submit(ctx, substratetest.KP(t, "//Alice"), &chain.SetWeights{Netuid: 9, UIDs: []uint16{1, 2}, Values: []uint16{65535, 3}, VersionKey: 1}); err != nil {
		t.Fatal(err)
	}
	c := b.LastCommit
	if c == nil || c.Call != "commit_timelocked_weights" || c.Version != 4 || c.LegacyPayload || len(srv.Calls()) != 0 {
		t.Fatalf("commit %+v, calls %v", c, srv.Calls())
	}
	if !strings.HasPrefix(b.LastResult.Call, "SubtensorModule.commit_timelocked_weights(netuid: 9, commit: 0x") ||
		!strings.HasSuffix(b.LastResult.Call, ", commit_reveal_version: 4)") {
		t.Fatalf("built %s", b.LastResult.Call)
	}
}

// TestCommitToQuicknetOpensWithRealBeacon: the backend's whole commit path
// on a chain whose Drand.BeaconConfig is the default (quicknet), with the
// clock set to before quicknet round 1000 and that round asked for, yields
// a commit the real round-1000 beacon signature opens (Decrypt is checked
// against the tle crate itself in package timelock) into the hotkey
// payload. The signature is public: drand quicknet /public/1000, as quoted
// by tle's and subtensor's own tests.
func TestCommitToQuicknetOpensWithRealBeacon(t *testing.T) {
	r := replay(t, fixture.Testnet)
	c := dial(t, r.Srv.URL, r.Mat.GenesisHash)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	alice := substratetest.KP(t, "//Alice")
	q := timelock.Quicknet
	o := TimelockOptions{RevealRound: 1000, Now: func() time.Time { return q.RoundTime(990) }}
	_, call, args, info, err := c.PrepareTimelockedCommit(ctx, alice.PublicKey(), 3, []uint16{1, 2}, []uint16{65535, 9}, 20501, o)
	if err != nil {
		t.Fatal(err)
	}
	if call != "commit_crv3_weights" || info.RevealRound != 1000 {
		t.Fatalf("%s %+v", call, info)
	}
	sig, _ := decodeHex("0xb44679b9a59af2ec876b1a6b1ad52ea9b1615fc3982b19576350f93447cb1125e342b73a8dd2bacbe47e4b6b63ed5e39")
	pt, err := timelock.Decrypt(args["commit"].([]byte), sig)
	if err != nil {
		t.Fatal(err)
	}
	p, err := timelock.DecodePayload(pt, alice.PublicKey())
	if err != nil || !p.Legacy || len(p.UIDs) != 2 || p.Values[0] != 65535 || p.VersionKey != 20501 {
		t.Fatalf("payload %+v %v", p, err)
	}
	o.Now = func() time.Time { return q.RoundTime(1000) }
	if _, _, _, _, err := c.PrepareTimelockedCommit(ctx, alice.PublicKey(), 3, []uint16{1}, []uint16{1}, 0, o); err == nil {
		t.Fatal("a published round accepted")
	}
}
