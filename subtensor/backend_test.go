package subtensor

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/taonet/taonet/chain"
	"github.com/taonet/taonet/node"
	fixture "github.com/taonet/taonet/subtensor/polkadottest"
	"github.com/taonet/taonet/subtensor/substratetest"
)

// TestCommitHashMatchesPolkadotAPI: the commit-reveal v2 hash the validators
// commit (chain.CommitHash) is BlakeTwo256 of the SCALE tuple subtensor hashes,
// as @polkadot/api encodes and hashes it.
func TestCommitHashMatchesPolkadotAPI(t *testing.T) {
	hot := substratetest.KP(t, "//Alice")
	uids, vals, salt := []uint16{0, 5, 300}, []uint16{65535, 1, 77}, []uint16{9, 8, 7, 6, 5, 4, 3, 2}
	ans := fixture.Polkadot(t, []map[string]any{{"op": "commitHash", "net": "mainnet", "who": hot.SS58Address(),
		"netuid": 7, "uids": uids, "values": vals, "salt": salt, "version_key": 20501}})
	ours := chain.CommitHash(hot.PublicKey(), 7, uids, vals, salt, 20501)
	if theirs := fixture.Hex(t, ans[0]); !bytes.Equal(ours[:], theirs) {
		t.Fatalf("commit hash ours %x, @polkadot/api %x", ours, theirs)
	}
}

// TestBackendSubmitsTaonetCalls: the calls the subnets make (set/commit/
// reveal weights, set_commitment, serve_axon) go through Backend.Submit to
// the scripted node, which verifies them and sees the subtensor call with
// the right arguments; a dispatch failure is a failed TxOutcome with the
// named error, like the taonet client's.
func TestBackendSubmitsTaonetCalls(t *testing.T) {
	r := replay(t, fixture.Testnet)
	// Commit-reveal off, so set_weights goes out as itself (on a CR subnet
	// it becomes a timelocked commit: TestSetWeightsCommitsTimelockedOnCRSubnet).
	if err := r.Srv.Put("SubtensorModule", "CommitRevealWeightsEnabled", false, 3); err != nil {
		t.Fatal(err)
	}
	b := NewBackend(dial(t, r.Srv.URL, r.Mat.GenesisHash))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	hot := substratetest.KP(t, "//Alice")
	ip, ipType, _ := chain.AxonIP("203.0.113.7")
	calls := []chain.Call{
		&chain.SetWeights{Netuid: 3, UIDs: []uint16{0, 1}, Values: []uint16{65535, 3}, VersionKey: 1},
		&chain.CommitWeights{Netuid: 3, Hash: [32]byte{1, 2, 3}},
		&chain.RevealWeights{Netuid: 3, UIDs: []uint16{1}, Values: []uint16{2}, Salt: []uint16{3}, VersionKey: 4},
		&chain.SetCommitment{Netuid: 3, Fields: []chain.CommitmentField{{Kind: chain.FieldRaw, Data: []byte("org/model@abc")}}},
		&chain.ServeAxon{Netuid: 3, Version: 1, IP: ip, Port: 8091, IPType: ipType, Protocol: 4},
	}
	for _, c := range calls {
		out, err := b.Submit(ctx, hot, c)
		if err != nil || out.Code != 0 || out.Height == 0 {
			t.Fatalf("%s: %+v %v (rejected: %v)", c.CallName(), out, err, r.Srv.Rejected())
		}
	}
	seen := r.Srv.Calls()
	if len(seen) != len(calls) {
		t.Fatalf("server saw %d calls", len(seen))
	}
	for i, c := range calls {
		if seen[i].Name != c.CallName() {
			t.Errorf("call %d: server saw %s, sent %s", i, seen[i].Name, c.CallName())
		}
	}
	if got := FormatValue(seen[4].Args); got != "serve_axon(netuid: 3, version: 1, ip: 3405803783, port: 8091, ip_type: 4, protocol: 4, placeholder1: 0, placeholder2: 0)" {
		t.Errorf("serve_axon args %s", got)
	}
	head, err := b.LatestBlock(ctx)
	if err != nil || head.Height != r.Srv.Head() || len(head.Hash) != 64 {
		t.Errorf("latest block %+v %v", head, err)
	}
	if _, err := hex.DecodeString(head.Hash); err != nil {
		t.Errorf("hash %q", head.Hash)
	}
	r.Srv.Dispatch = func(substratetest.Call) *substratetest.Failure {
		return &substratetest.Failure{Pallet: "SubtensorModule", Error: "NotEnoughStakeToSetWeights"}
	}
	out, err := b.Submit(ctx, hot, calls[0])
	var de *DispatchError
	if !errors.As(err, &de) || out == nil || out.Code == 0 || de.Name != "NotEnoughStakeToSetWeights" {
		t.Fatalf("failed dispatch: %+v %v", out, err)
	}
	// add_stake needs a subnet on this dTAO runtime.
	if _, err := b.Submit(ctx, substratetest.KP(t, "//Eve"), &chain.AddStake{Hotkey: hot.SS58Address(), Amount: 1}); err == nil {
		t.Error("add_stake without a netuid accepted on a dTAO runtime")
	}
}

// TestBackendClassifiesHeightErrors: reads at a block above the head, at a
// block whose state a pruning node discarded, and of a subnet that does not
// exist carry the taonet client's error kinds (node.ErrHeightFuture,
// ErrHeightPruned, ErrNotFound), which the finetuning validator's catch-up
// tells apart; the node's answer stays in the message.
func TestBackendClassifiesHeightErrors(t *testing.T) {
	r := replay(t, fixture.Testnet)
	b := NewBackend(dial(t, r.Srv.URL, r.Mat.GenesisHash))
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for range 3 {
		r.Srv.AddBlock()
	}
	head := r.Srv.Head()
	if _, err := b.MetagraphAt(ctx, substratetest.Netuid, head+5); !errors.Is(err, node.ErrHeightFuture) {
		t.Errorf("future block: %v", err)
	}
	if _, err := b.Block(ctx, head+5); !errors.Is(err, node.ErrHeightFuture) {
		t.Errorf("future block summary: %v", err)
	}
	if _, err := b.MetagraphAt(ctx, 99, head); !errors.Is(err, node.ErrNotFound) {
		t.Errorf("no such subnet: %v", err)
	}
	if _, err := b.MetagraphAt(ctx, substratetest.Netuid, head); err != nil {
		t.Fatalf("head: %v", err)
	}
	r.Srv.PruneBelow(head)
	_, err := b.MetagraphAt(ctx, substratetest.Netuid, head-1)
	if !errors.Is(err, node.ErrHeightPruned) || !strings.Contains(err.Error(), "State already discarded") {
		t.Errorf("pruned block: %v", err)
	}
	if _, err := b.CommitmentsAt(ctx, substratetest.Netuid, head-1); !errors.Is(err, node.ErrHeightPruned) {
		t.Errorf("pruned commitments: %v", err)
	}
	if _, err := b.MetagraphAt(ctx, substratetest.Netuid, head); err != nil {
		t.Errorf("head after pruning: %v", err)
	}
}
