package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/taonet/taonet/wallet"
)

// runWallet runs `wallet <args>` on a fresh command tree.
func runWallet(t *testing.T, args ...string) (string, error) {
	t.Helper()
	c := &cobra.Command{Use: "wallet", SilenceUsage: true, SilenceErrors: true}
	c.AddCommand(newWalletSubcommands()...)
	var out, errOut bytes.Buffer
	c.SetOut(&out)
	c.SetErr(&errOut)
	c.SetArgs(args)
	err := c.Execute()
	return out.String(), err
}

func TestWalletCLI(t *testing.T) {
	dir := t.TempDir()
	out, err := runWallet(t, "create", "--wallet.path", dir, "--wallet.name", "w1", "--wallet.hotkey", "h1", "--no-password")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Count(out, "The mnemonic to the new") != 2 {
		t.Fatalf("mnemonics should be shown once at creation:\n%s", out)
	}
	if _, err := runWallet(t, "create", "--wallet.path", dir, "--wallet.name", "w1", "--wallet.hotkey", "h1", "--no-password"); err == nil {
		t.Fatal("create over an existing wallet succeeded without --overwrite")
	}
	// btcli spellings and JSON output; --hide-mnemonic keeps secrets off stdout.
	out, err = runWallet(t, "new-hotkey", "--wallet_path", dir, "--wallet-name", "w1", "--hotkey", "h2", "--json-output", "--hide-mnemonic")
	if err != nil {
		t.Fatal(err)
	}
	var r walletResult
	if err := json.Unmarshal([]byte(out), &r); err != nil || r.HotkeySS58 == "" || r.HotkeyMnemonic != "" {
		t.Fatalf("new-hotkey json: %v %q", err, out)
	}
	out, err = runWallet(t, "regen-coldkey", "--wallet.path", dir, "--wallet.name", "spec", "--no-use-password", "--json-output",
		"--mnemonic", "bottom drive obey lake curtain smoke basket hold race lonely fit walk")
	if err != nil || !strings.Contains(out, "5DfhGyQdFobKM8NsWvEeAKk5EQQgYe9AydgJ7rMB6E1EqRzV") || strings.Contains(out, "bottom") {
		t.Fatalf("regen-coldkey: %v %s", err, out)
	}
	if _, err := runWallet(t, "regen-hotkey", "--wallet.path", dir, "--wallet.name", "spec", "--wallet.hotkey", "alice", "--seed", "0xzz"); err == nil {
		t.Fatal("bad seed accepted")
	}
	if _, err := runWallet(t, "regen-hotkey", "--wallet.path", dir, "--wallet.name", "spec", "--wallet.hotkey", "alice", "--uri", "//Alice", "--mnemonic", "x"); err == nil {
		t.Fatal("two sources accepted")
	}
	if _, err := runWallet(t, "regen-hotkey", "--wallet.path", dir, "--wallet.name", "spec", "--wallet.hotkey", "alice", "--uri", "//Alice"); err != nil {
		t.Fatal(err)
	}
	l, err := wallet.Load(dir, "spec", "alice")
	if err != nil || l.HotkeyAddress() != "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY" || l.ColdkeyAddress() != "5DfhGyQdFobKM8NsWvEeAKk5EQQgYe9AydgJ7rMB6E1EqRzV" {
		t.Fatalf("load regenerated wallet: %v", err)
	}
	// btcli's --json names a polkadot-js backup on regen-*.
	out, err = runWallet(t, "regen-hotkey", "--wallet.path", dir, "--wallet.name", "spec", "--wallet.hotkey", "pjs",
		"--json", "../../wallet/testdata/polkadotjs_backup.json", "--json-password", "correct horse battery staple", "--json-output")
	if err != nil || !strings.Contains(out, "5DfhGyQdFobKM8NsWvEeAKk5EQQgYe9AydgJ7rMB6E1EqRzV") {
		t.Fatalf("regen-hotkey --json: %v %s", err, out)
	}
	out, err = runWallet(t, "list", "--wallet.path", dir)
	if err != nil || !strings.Contains(out, "Wallet (w1)") || !strings.Contains(out, "h2") || !strings.Contains(out, "Wallet (spec)") {
		t.Fatalf("list: %v\n%s", err, out)
	}
	out, err = runWallet(t, "show", "--wallet.path", dir, "--wallet.name", "spec", "--wallet.hotkey", "alice")
	if err != nil || strings.Contains(out, "secretSeed") {
		t.Fatalf("show without --reveal-secrets must not print secrets: %v\n%s", err, out)
	}
	out, err = runWallet(t, "show", "--wallet.path", dir, "--wallet.name", "spec", "--reveal-coldkey-secrets", "--json")
	if err != nil || !strings.Contains(out, "bottom drive obey") {
		t.Fatalf("show --reveal-coldkey-secrets: %v\n%s", err, out)
	}
	os.Remove(filepath.Join(dir, "spec", "coldkeypub.txt"))
	if _, err := runWallet(t, "regen-coldkeypub", "--wallet.path", dir, "--wallet.name", "spec", "--ss58-address", "5DfhGyQdFobKM8NsWvEeAKk5EQQgYe9AydgJ7rMB6E1EqRzW"); err == nil {
		t.Fatal("bad checksum address accepted")
	}
	if _, err := runWallet(t, "regen-coldkeypub", "--wallet.path", dir, "--wallet.name", "spec", "--ss58-address", "5DfhGyQdFobKM8NsWvEeAKk5EQQgYe9AydgJ7rMB6E1EqRzV"); err != nil {
		t.Fatal(err)
	}
	// sign with the hotkey, verify by address; tampering fails.
	out, err = runWallet(t, "sign", "--wallet.path", dir, "--wallet.name", "spec", "--wallet.hotkey", "alice", "--use-hotkey", "--message", "hello taonet")
	if err != nil || !strings.HasPrefix(out, "0x") {
		t.Fatalf("sign: %v %s", err, out)
	}
	sig := strings.TrimSpace(out)
	if _, err := runWallet(t, "verify", "--message", "hello taonet", "--signature", sig, "--address", "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY"); err != nil {
		t.Fatalf("verify: %v", err)
	}
	if _, err := runWallet(t, "verify", "--message", "hello taonet!", "--signature", sig, "--address", "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY"); err == nil {
		t.Fatal("tampered message verified")
	}
	if _, err := runWallet(t, "verify", "--message", "hello taonet", "--signature", sig, "--public-key", "0xd43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d"); err != nil {
		t.Fatalf("verify by public key: %v", err)
	}
	// coldkey signing (plaintext coldkey in this wallet) with a 0x message.
	out, err = runWallet(t, "sign", "--wallet.path", dir, "--wallet.name", "spec", "--message", "0x01ff", "--json")
	if err != nil || !strings.Contains(out, "5DfhGyQdFobKM8NsWvEeAKk5EQQgYe9AydgJ7rMB6E1EqRzV") {
		t.Fatalf("coldkey sign: %v %s", err, out)
	}
	if _, err := runWallet(t, "show", "--wallet.path", dir, "--wallet.name", "nobody"); err == nil {
		t.Fatal("show of a missing wallet succeeded")
	}
}
