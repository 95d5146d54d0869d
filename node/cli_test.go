package node_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/taonet/taonet/keys"
	"github.com/taonet/taonet/node"
)

// TestCLIAgainstNode drives the btcli-style commands of the taonet binary
// against a node process started with `taonet chain start`.
func TestCLIAgainstNode(t *testing.T) {
	if testing.Short() {
		t.Skip("multi-process CLI test")
	}
	dir := t.TempDir()
	home, wallets := filepath.Join(dir, "node"), filepath.Join(dir, "wallets")
	alice, _ := keys.FromURI("//Alice")
	bob, _ := keys.FromURI("//Bob")
	v2, _ := keys.FromURI("//Alice//v2")
	genesis := filepath.Join(dir, "genesis.json")
	os.WriteFile(genesis, []byte(`{"subnet_defaults":{"tempo":5,"weights_rate_limit":0}}`), 0o600)
	ports, err := node.FreePorts(2)
	if err != nil {
		t.Fatal(err)
	}
	api := fmt.Sprintf("127.0.0.1:%d", ports[0])
	run(t, "chain", "init", "--home", home, "--block-time", "150ms", "--api", api, "--genesis", genesis,
		"--p2p", fmt.Sprintf("127.0.0.1:%d", ports[1]), "--alloc", alice.SS58Address()+"=1000000000000000")
	p := startProc(t, home)
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	c := mustClient(t, "http://"+api)
	waitHeight(t, ctx, c, 1, p)

	cli := func(wantOK bool, args ...string) string {
		t.Helper()
		args = append(args, "--node", "http://"+api)
		cctx, ccancel := context.WithTimeout(ctx, 60*time.Second)
		defer ccancel()
		cmd := exec.CommandContext(cctx, taonetBinary(t), args...)
		cmd.Env = append(os.Environ(), "BT_WALLET_PATH="+wallets)
		out, err := cmd.CombinedOutput()
		if (err == nil) != wantOK {
			t.Fatalf("taonet %s: err %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	wallet := func(args ...string) {
		cmd := exec.Command(taonetBinary(t), append(args, "--wallet.path", wallets, "--no-password", "--wallet.name", "alice")...)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("wallet %v: %v\n%s", args, err, out)
		}
	}
	wallet("wallet", "regen-coldkey", "--uri", "//Alice")
	wallet("wallet", "regen-hotkey", "--wallet.hotkey", "default", "--uri", "//Alice//hot")
	wallet("wallet", "regen-hotkey", "--wallet.hotkey", "v2", "--uri", "//Alice//v2")
	w := []string{"--wallet.name", "alice"}

	if out := cli(true, append([]string{"subnet", "create"}, w...)...); !strings.Contains(out, "subnet netuid 1 created") {
		t.Fatalf("subnet create: %s", out)
	}
	if out := cli(true, append([]string{"subnet", "register", "--netuid", "1", "--wallet.hotkey", "v2"}, w...)...); !strings.Contains(out, "registered as uid 1") {
		t.Fatalf("register: %s", out)
	}
	cli(true, append([]string{"stake", "add", "--amount", "100"}, w...)...)
	cli(true, append([]string{"stake", "add", "--amount", "0.5", "--hotkey-ss58", v2.SS58Address()}, w...)...)
	cli(true, append([]string{"stake", "remove", "--amount", "0.25", "--hotkey-ss58", v2.SS58Address()}, w...)...)
	staked, err := c.LatestBlock(ctx)
	if err != nil {
		t.Fatal(err)
	}
	cli(true, append([]string{"transfer", "--dest", bob.SS58Address(), "--amount", "1.5"}, w...)...)
	if acc, err := c.Account(ctx, bob.SS58Address()); err != nil || acc.Balance != 1_500_000_000 {
		t.Fatalf("bob %+v %v", acc, err)
	}
	cli(true, append([]string{"subnet", "set-hyperparameter", "--netuid", "1", "--param", "immunity_period", "--value", "200"}, w...)...)
	if hp, err := c.Hyperparameters(ctx, 1); err != nil || hp.ImmunityPeriod != 200 || hp.Tempo != 5 {
		t.Fatalf("hyperparameters %+v %v", hp, err)
	}
	// A chain rejection is a failing command with the code and reason.
	if out := cli(false, append([]string{"subnet", "set-hyperparameter", "--netuid", "1", "--param", "tempo", "--value", "9"}, w...)...); !strings.Contains(out, "code 12") {
		t.Fatalf("root-only hyperparameter: %s", out)
	}
	if out := cli(false, append([]string{"transfer", "--dest", bob.SS58Address(), "--amount", "1.0000000001"}, w...)...); !strings.Contains(out, "decimals") {
		t.Fatalf("bad amount: %s", out)
	}
	cli(true, append([]string{"commitment", "set", "--netuid", "1", "--wallet.hotkey", "v2", "--data", "model@abc"}, w...)...)
	var cs []struct {
		Hotkey, Text string
	}
	if err := json.Unmarshal([]byte(cli(true, "commitment", "get", "--netuid", "1", "--hotkey-ss58", v2.SS58Address(), "--json")), &cs); err != nil || len(cs) != 1 || cs[0].Text != "model@abc" {
		t.Fatalf("commitment get: %+v %v", cs, err)
	}
	cli(true, append([]string{"axon", "serve", "--netuid", "1", "--wallet.hotkey", "v2", "--ip", "10.1.2.3", "--port", "9000"}, w...)...)
	// Weights need the validator permit of the next epoch: retry until then.
	deadline := time.Now().Add(30 * time.Second)
	for {
		cmd := exec.CommandContext(ctx, taonetBinary(t), append([]string{"weights", "set", "--netuid", "1", "--uids", "0,1", "--weights", "0.25,1", "--node", "http://" + api}, w...)...)
		cmd.Env = append(os.Environ(), "BT_WALLET_PATH="+wallets)
		out, err := cmd.CombinedOutput()
		if err == nil {
			break
		}
		if !strings.Contains(string(out), "permit") || time.Now().After(deadline) {
			t.Fatalf("weights set: %v\n%s", err, out)
		}
		time.Sleep(300 * time.Millisecond)
	}
	mg, err := c.Metagraph(ctx, 1)
	if err != nil || mg.N != 2 || mg.Axons[1].Port != 9000 || mg.Axons[1].IP != "10.1.2.3" {
		t.Fatalf("metagraph %+v %v", mg, err)
	}
	if len(mg.Weights[0]) != 2 || mg.Weights[0][1] != [2]uint16{1, 65535} || mg.Weights[0][0] != [2]uint16{0, 16384} {
		t.Fatalf("weights row %v", mg.Weights[0])
	}
	if out := cli(true, "metagraph", "--netuid", "1"); !strings.Contains(out, "10.1.2.3:9000") || !strings.Contains(out, "UID") {
		t.Fatalf("metagraph table: %s", out)
	}
	if out := cli(true, "subnet", "list"); !strings.Contains(out, alice.SS58Address()) {
		t.Fatalf("subnet list: %s", out)
	}
	if out := cli(true, "subnet", "hyperparameters", "--netuid", "1"); !strings.Contains(out, "immunity_period                200") && !strings.Contains(out, "200") {
		t.Fatalf("hyperparameters: %s", out)
	}
	// 0.25 staked; dividends of the epochs since (tempo 5) only add to it,
	// and how many epochs passed depends on the machine's speed: a block
	// emits at most 1 τ, so the stake can have grown by at most 1 τ per block
	// (2 per block allows for the alpha price above 1 after the 100 τ stake).
	out := cli(true, append([]string{"stake", "show"}, w...)...)
	now, err := c.LatestBlock(ctx)
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`τ([0-9.]+) on ` + v2.SS58Address()).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("stake show: %s", out)
	}
	most := 0.25 + 2*float64(now.Height-staked.Height+1)
	if v, err := strconv.ParseFloat(m[1], 64); err != nil || v < 0.25 || v > most {
		t.Fatalf("stake show: %s on v2, want 0.25 plus at most %d blocks of dividends: %s", m[1], now.Height-staked.Height+1, out)
	}
	if out := cli(true, "chain", "status"); !strings.Contains(out, `"chain_id": "taonet-local"`) {
		t.Fatalf("status: %s", out)
	}
}
