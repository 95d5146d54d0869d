package main

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/taonet/taonet/chain"
	"github.com/taonet/taonet/subtensor"
	fixture "github.com/taonet/taonet/subtensor/polkadottest"
	"github.com/taonet/taonet/subtensor/substratetest"
	"github.com/taonet/taonet/wallet"
)

// runSplit executes the root command and returns stdout and stderr apart.
func runSplit(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	rootCmd.SetOut(&out)
	rootCmd.SetErr(&errOut)
	rootCmd.SetArgs(args)
	err := rootCmd.Execute()
	return out.String(), errOut.String(), err
}

// TestSubtensorCLI: the chain commands with --subtensor.chain_endpoint against
// a scripted node whose state @polkadot/api encoded from the real test
// network metadata print, in the taonet backend's JSON shapes, the values
// @polkadot/api encoded; weights set signs what the node verifies; --dry-run
// sends nothing; --subtensor.network checks the genesis.
func TestSubtensorCLI(t *testing.T) {
	r := substratetest.NewReplay(t, fixture.Testnet)
	ep := r.Srv.URL
	want := r.Want
	want.Stake = make([]uint64, len(want.AlphaStake))
	for i := range want.Stake {
		want.Stake[i] = subtensor.StakeWeight(want.AlphaStake[i], want.TaoStake[i], r.TaoWeight)
	}
	want.TotalStake = want.Stake

	out, _, err := runSplit(t, "metagraph", "--subtensor.chain_endpoint", ep, "--netuid", "3", "--block", "-1", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var mg chain.Metagraph
	if err := json.Unmarshal([]byte(out), &mg); err != nil {
		t.Fatalf("metagraph JSON: %v\n%.300s", err, out)
	}
	want.Block = mg.Block
	if !reflect.DeepEqual(&mg, want) {
		t.Errorf("metagraph JSON differs from the encoded state:\n got %.400v\nwant %.400v", mg, *want)
	}

	out, _, err = runSplit(t, "subnet", "hyperparameters", "--subtensor.chain_endpoint", ep, "--netuid", "3", "--json")
	var hp chain.Hyperparams
	if err != nil || json.Unmarshal([]byte(out), &hp) != nil || hp != want.Hyperparams {
		t.Errorf("hyperparameters: %v %.300s", err, out)
	}
	out, _, err = runSplit(t, "commitment", "get", "--subtensor.chain_endpoint", ep, "--netuid", "3", "--hotkey-ss58", "", "--json")
	var cs []chain.Commitment
	if err != nil || json.Unmarshal([]byte(out), &cs) != nil || len(cs) != 1 || cs[0].Text != "hello world" || cs[0].UID != 1 {
		t.Errorf("commitment get: %v %.300s", err, out)
	}
	out, _, err = runSplit(t, "weights", "get", "--subtensor.chain_endpoint", ep, "--netuid", "3", "--json")
	var rows []subtensor.WeightsRow
	if err != nil || json.Unmarshal([]byte(out), &rows) != nil || !reflect.DeepEqual(rows, subtensor.RowsOf(want.Weights)) {
		t.Errorf("weights get: %v %.300s", err, out)
	}
	out, _, err = runSplit(t, "wallet", "balance", "--subtensor.chain_endpoint", ep, "--ss58-address", want.Coldkeys[0], "--json")
	var bal subtensor.Balance
	if err != nil || json.Unmarshal([]byte(out), &bal) != nil || bal.Free != 123456789012 {
		t.Errorf("wallet balance: %v %.300s", err, out)
	}
	out, _, err = runSplit(t, "subnet", "list", "--subtensor.chain_endpoint", ep, "--json")
	var subnets []chain.SubnetInfo
	if err != nil || json.Unmarshal([]byte(out), &subnets) != nil || len(subnets) != 3 || subnets[1].Netuid != 3 || subnets[1].N != 4 || subnets[1].Tempo != 360 {
		t.Errorf("subnet list: %v %.300s", err, out)
	}

	dir := aliceWallet(t)
	base := []string{"--subtensor.chain_endpoint", ep, "--wallet.path", dir, "--wallet.name", "val", "--wallet.hotkey", "default", "--netuid", "3", "--uids", "1,3", "--weights", "0.75,0.25"}
	// Commit-reveal is on for subnet 3: weights set commits timelocked
	// (commit_crv3_weights on this runtime) and says when it is revealed.
	out, _, err = runSplit(t, append([]string{"weights", "set", "--dry-run", "--json=false"}, base...)...)
	if err != nil || !strings.Contains(out, "SubtensorModule.commit_crv3_weights(netuid: 3, commit: 0x") || !strings.Contains(out, "reveal:    drand round ") || !strings.Contains(out, "extrinsic: 0x") {
		t.Errorf("dry run: %v\n%s", err, out)
	}
	if len(r.Srv.Calls()) != 0 {
		t.Fatal("--dry-run sent the extrinsic")
	}
	out, _, err = runSplit(t, append([]string{"weights", "set", "--dry-run=false"}, base...)...)
	if err != nil || !strings.Contains(out, "✓ weights committed (timelocked, commit_crv3_weights) in block") || !strings.Contains(out, "reveals them") {
		t.Errorf("weights set (CR on): %v\n%s (rejected: %v)", err, out, r.Srv.Rejected())
	}
	if calls := r.Srv.Calls(); len(calls) != 1 || calls[0].Name != "commit_crv3_weights" {
		t.Errorf("node saw %+v", calls)
	}
	_, _, err = runSplit(t, append([]string{"weights", "commit", "--timelock", "--reveal-round", "5", "--dry-run"}, base...)...)
	if err == nil || !strings.Contains(err.Error(), "reveal round 5 is in the past") {
		t.Errorf("past reveal round: %v", err)
	}
	// Commit-reveal off: set_weights as itself.
	if err := r.Srv.Put("SubtensorModule", "CommitRevealWeightsEnabled", false, 3); err != nil {
		t.Fatal(err)
	}
	out, stderr, err := runSplit(t, append([]string{"weights", "set", "--dry-run=false"}, base...)...)
	if err != nil || !strings.Contains(out, "✓ set_weights included in block") || !strings.Contains(stderr, "set_weights: ready") {
		t.Errorf("weights set: %v\n%s\n%s (rejected: %v)", err, out, stderr, r.Srv.Rejected())
	}
	if calls := r.Srv.Calls(); len(calls) != 2 || calls[1].Name != "set_weights" {
		t.Errorf("node saw %+v", calls)
	}

	// --subtensor.network finney pointed at a test network node: refused.
	_, _, err = runSplit(t, "metagraph", "--subtensor.network", "finney", "--subtensor.chain_endpoint", ep, "--netuid", "3")
	if err == nil || !strings.Contains(err.Error(), "wrong network") {
		t.Errorf("wrong network: %v", err)
	}
	// A taonet-only command refuses the subtensor flags.
	_, _, err = runSplit(t, "stake", "show", "--subtensor.network", "", "--subtensor.chain_endpoint", ep)
	if err == nil || !strings.Contains(err.Error(), "taonet nodes only") {
		t.Errorf("taonet-only command: %v", err)
	}
}

// aliceWallet is a wallets directory with wallet "val": coldkey //Eve,
// hotkey "default" //Alice (uid 0 of the replayed subnet).
func aliceWallet(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	w, err := wallet.New(dir, "val", "default")
	if err != nil {
		t.Fatal(err)
	}
	if err := w.SetColdkey(substratetest.KP(t, "//Eve"), wallet.Options{NoPassword: true}); err != nil {
		t.Fatal(err)
	}
	if err := w.SetHotkey(substratetest.KP(t, "//Alice"), wallet.Options{}); err != nil {
		t.Fatal(err)
	}
	return dir
}

// helpOf is a command's --help text (the help flag is reset afterwards:
// flag values persist between executions of the same command tree).
func helpOf(t *testing.T, path ...string) string {
	t.Helper()
	out, _, err := runSplit(t, append(path, "--help")...)
	if err != nil {
		t.Fatalf("%v --help: %v", path, err)
	}
	if c, _, err := rootCmd.Find(path); err == nil {
		_ = c.Flags().Set("help", "false")
	}
	return out
}

// TestSubtensorCLIHelp: every command that runs on both backends names both
// backends' flags; only those that send extrinsics take --dry-run and
// --wait-finalized (read commands refuse them); taonet-only commands do not
// offer the subtensor flags in their help.
func TestSubtensorCLIHelp(t *testing.T) {
	tx := map[string]bool{"subnet register": true, "weights set": true, "weights commit": true, "weights reveal": true,
		"commitment set": true, "stake add": true, "stake remove": true, "axon serve": true, "transfer": true}
	for path := range subtensorCommands {
		help := helpOf(t, strings.Fields(path)...)
		for _, want := range []string{"--node string", "taonet backend", "--subtensor.network string", "--subtensor.chain_endpoint string", "subtensor backend"} {
			if !strings.Contains(help, want) {
				t.Errorf("%s --help lacks %q", path, want)
			}
		}
		for _, flag := range []string{"--dry-run", "--wait-finalized"} {
			if got := strings.Contains(help, flag); got != tx[path] {
				t.Errorf("%s --help: %s shown %v, want %v", path, flag, got, tx[path])
			}
		}
	}
	for _, path := range []string{"stake show", "chain status", "subnet create"} {
		if help := helpOf(t, strings.Fields(path)...); strings.Contains(help, "subtensor") || strings.Contains(help, "--dry-run") {
			t.Errorf("taonet-only %s --help offers subtensor flags:\n%s", path, help)
		}
	}
	for _, path := range []string{"finetune validator", "prompting miner"} {
		if help := helpOf(t, strings.Fields(path)...); !strings.Contains(help, "--subtensor.chain_endpoint") || !strings.Contains(help, "taonet backend") {
			t.Errorf("%s --help does not name both backends", path)
		}
	}
	if _, _, err := runSplit(t, "metagraph", "--dry-run", "--netuid", "3"); err == nil || !strings.Contains(err.Error(), "unknown flag: --dry-run") {
		t.Errorf("metagraph --dry-run: %v", err)
	}
}

// TestSubtensorCLIErrors: an unreachable endpoint, the wrong network, metadata
// the client cannot decode, an extrinsic the node's pool rejects and a failed
// dispatch each end the command with one line that says which.
func TestSubtensorCLIErrors(t *testing.T) {
	r := substratetest.NewReplay(t, fixture.Testnet)
	var fail atomic.Bool
	r.Srv.Dispatch = func(substratetest.Call) *substratetest.Failure {
		if fail.Load() {
			return &substratetest.Failure{Pallet: "SubtensorModule", Error: "SettingWeightsTooFast"}
		}
		return nil
	}
	ep := r.Srv.URL
	dir := aliceWallet(t)
	set := []string{"weights", "set", "--subtensor.network", "", "--subtensor.chain_endpoint", ep, "--dry-run=false", "--wallet.path", dir,
		"--wallet.name", "val", "--wallet.hotkey", "default", "--netuid", "3", "--uids", "1", "--weights", "1"}
	oneLine := func(what string, err error, want ...string) {
		t.Helper()
		if err == nil {
			t.Errorf("%s: no error", what)
			return
		}
		msg := err.Error()
		t.Logf("%s: error: %s", what, msg)
		if strings.Contains(msg, "\n") {
			t.Errorf("%s: error spans lines: %q", what, msg)
		}
		for _, w := range want {
			if !strings.Contains(msg, w) {
				t.Errorf("%s: %q lacks %q", what, msg, w)
			}
		}
	}

	_, _, err := runSplit(t, "metagraph", "--subtensor.network", "", "--subtensor.chain_endpoint", "ws://127.0.0.1:1", "--netuid", "3")
	oneLine("unreachable", err, "subtensor: cannot reach the chain: ws://127.0.0.1:1: connect: connection refused")
	_, _, err = runSplit(t, "metagraph", "--subtensor.network", "finney", "--subtensor.chain_endpoint", ep, "--netuid", "3")
	oneLine("wrong network", err, "subtensor: wrong network", subtensor.TestnetGenesis+" (test), expected "+subtensor.FinneyGenesis+" (finney)")

	r.Srv.RejectNext("Transaction is outdated")
	_, _, err = runSplit(t, set...)
	oneLine("rejected", err, "subtensor: extrinsic rejected", "Invalid Transaction (code 1010): Transaction is outdated")
	fail.Store(true)
	_, _, err = runSplit(t, set...)
	oneLine("dispatch error", err, "dispatch error SubtensorModule::SettingWeightsTooFast")
	if calls := r.Srv.Calls(); len(calls) != 1 {
		t.Errorf("node included %d calls, want the failed one only", len(calls))
	}

	bad := append([]byte("meta"), 13)
	bad = append(bad, r.Mat.Metadata[5:]...)
	if err := r.Srv.UpgradeRaw(substratetest.Runtime{SpecName: "node-subtensor", SpecVersion: 999, TxVersion: 1}, bad); err != nil {
		t.Fatal(err)
	}
	_, _, err = runSplit(t, "metagraph", "--subtensor.network", "", "--subtensor.chain_endpoint", ep, "--netuid", "3")
	oneLine("undecodable metadata", err, "the node's runtime metadata cannot be decoded by this client", "version 13 is not supported")
}
