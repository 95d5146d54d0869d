package node_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/taonet/taonet/keys"
	"github.com/taonet/taonet/node"
)

// TestCLIDTAOAgainstNode drives the dynamic-TAO commands of the taonet binary
// against a node process initialized with the default economics (dtao): subnet
// list shows the pool, stake add/remove --netuid swap through it, stake show lists
// alpha, stake swap moves stake between root and the subnet, stake take lowers the
// take, and the classic stake call is refused with its named code.
func TestCLIDTAOAgainstNode(t *testing.T) {
	if testing.Short() {
		t.Skip("multi-process CLI test")
	}
	dir := t.TempDir()
	home, wallets := filepath.Join(dir, "node"), filepath.Join(dir, "wallets")
	alice, _ := keys.FromURI("//Alice")
	hot, _ := keys.FromURI("//Alice//hot")
	ports, err := node.FreePorts(2)
	if err != nil {
		t.Fatal(err)
	}
	api := fmt.Sprintf("127.0.0.1:%d", ports[0])
	run(t, "chain", "init", "--home", home, "--block-time", "150ms", "--api", api,
		"--p2p", fmt.Sprintf("127.0.0.1:%d", ports[1]), "--alloc", alice.SS58Address()+"=1000000000000000")
	p := startProc(t, home)
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	c := mustClient(t, "http://"+api)
	waitHeight(t, ctx, c, 1, p)
	cli := func(wantOK bool, args ...string) string {
		t.Helper()
		args = append(args, "--node", "http://"+api)
		if args[0] != "subnet" || args[1] != "list" {
			args = append(args, "--wallet.name", "alice")
		}
		cmd := exec.CommandContext(ctx, taonetBinary(t), args...)
		cmd.Env = append(os.Environ(), "BT_WALLET_PATH="+wallets)
		out, err := cmd.CombinedOutput()
		if (err == nil) != wantOK {
			t.Fatalf("taonet %s: err %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	for _, a := range [][]string{{"wallet", "regen-coldkey", "--uri", "//Alice"}, {"wallet", "regen-hotkey", "--wallet.hotkey", "default", "--uri", "//Alice//hot"}} {
		cmd := exec.Command(taonetBinary(t), append(a, "--wallet.path", wallets, "--no-password", "--wallet.name", "alice")...)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%v: %v\n%s", a, err, out)
		}
	}
	cli(true, "subnet", "create")
	if out := cli(true, "subnet", "list"); !strings.Contains(out, "PRICE(τ/α)") || !strings.Contains(out, "100") {
		t.Fatalf("subnet list on dTAO: %s", out)
	}
	if out := cli(false, "stake", "add", "--amount", "1"); !strings.Contains(out, "code 49") {
		t.Fatalf("classic stake add on dTAO: %s", out)
	}
	cli(true, "stake", "add", "--netuid", "1", "--amount", "10")
	cli(true, "stake", "add", "--netuid", "0", "--amount", "5")
	out := cli(true, "stake", "show")
	if !strings.Contains(out, "in subnet 1") || !strings.Contains(out, "τ5 on "+hot.SS58Address()) {
		t.Fatalf("stake show: %s", out)
	}
	cli(true, "stake", "swap", "--from", "0", "--to", "1", "--amount", "2")
	cli(true, "stake", "remove", "--netuid", "1", "--amount", "1")
	if out := cli(false, "stake", "add", "--netuid", "1", "--amount", "100", "--limit-price", "0.5"); !strings.Contains(out, "code 53") {
		t.Fatalf("limit below the price: %s", out)
	}
	cli(true, "stake", "take", "--percent", "9")
	mg, err := c.Metagraph(ctx, 1)
	if err != nil || mg.Pool == nil || mg.AlphaStake[0] == 0 || mg.TaoStake[0] != 3_000_000_000 {
		t.Fatalf("metagraph pool %+v alpha %v tao %v: %v", mg.Pool, mg.AlphaStake, mg.TaoStake, err)
	}
}
