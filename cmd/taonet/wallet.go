package main

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/taonet/taonet/keys"
	"github.com/taonet/taonet/wallet"
)

// walletCmd is the `taonet wallet` group. Other command files may add
// btcli-style subcommands (balance, transfer, ...) to it from their init:
// package-level variables are initialized before any init runs.
var walletCmd = &cobra.Command{
	Use:   "wallet",
	Short: "Create, regenerate and inspect Bittensor-compatible wallets",
	Long: `Wallets live in Bittensor's layout: <wallet.path>/<wallet.name>/coldkey (encrypted,
$NACL), coldkeypub.txt and hotkeys/<wallet.hotkey>. The default path is
~/.bittensor/wallets (or $BT_WALLET_PATH). The coldkey password is read from
$BT_COLD_PW_<WALLET_NAME> if set, else prompted for on the terminal.`,
}

// walletFlagValues holds the common --wallet.* flags.
type walletFlagValues struct {
	name, hotkey, path string
}

// bindWalletFlags adds --wallet.name, --wallet.hotkey and --wallet.path (with
// btcli's spellings --wallet-name, --wallet_name, --name, --hotkey, ...) to
// cmd. Reusable by other commands that need a wallet.
func bindWalletFlags(cmd *cobra.Command, withHotkey bool) *walletFlagValues {
	v := &walletFlagValues{}
	f := cmd.Flags()
	f.StringVar(&v.name, "wallet.name", wallet.DefaultName, "wallet (coldkey) name")
	if withHotkey {
		f.StringVar(&v.hotkey, "wallet.hotkey", wallet.DefaultHotkey, "hotkey name")
	}
	f.StringVar(&v.path, "wallet.path", wallet.DefaultPathSetting, "wallets directory (env "+wallet.PathEnv+" overrides the default)")
	f.SetNormalizeFunc(btcliFlagNames)
	return v
}

// resolvedPath applies $BT_WALLET_PATH when --wallet.path was left at its default.
func (v *walletFlagValues) resolvedPath(cmd *cobra.Command) string {
	if !cmd.Flags().Changed("wallet.path") {
		return wallet.DefaultPath()
	}
	return v.path
}

// load opens the selected wallet for use (coldkeypub + hotkey; the coldkey
// is decrypted on demand with walletColdkeyPassword).
func (v *walletFlagValues) load(cmd *cobra.Command) (*wallet.Loaded, error) {
	return wallet.LoadWith(v.resolvedPath(cmd), v.name, v.hotkey, wallet.TerminalPassword(os.Stdin, cmd.ErrOrStderr()))
}

// walletColdkeyPassword is env-then-terminal for unlocking a coldkey.
func walletColdkeyPassword(cmd *cobra.Command, name string) wallet.PasswordFunc {
	return wallet.ColdkeyPassword(name, wallet.TerminalPassword(os.Stdin, cmd.ErrOrStderr()))
}

// btcliFlagNames maps btcli's alternative spellings onto our flag names.
func btcliFlagNames(_ *pflag.FlagSet, name string) pflag.NormalizedName {
	n := strings.ReplaceAll(name, "_", "-")
	switch n {
	case "wallet-name", "name", "wallet.name":
		return "wallet.name"
	case "wallet-hotkey", "hotkey", "wallet.hotkey":
		return "wallet.hotkey"
	case "wallet-path", "wallet.path":
		return "wallet.path"
	case "no-use-password":
		return "no-password"
	case "subtensor.chain-endpoint": // the Bittensor SDK's spelling, as --help shows it
		return "subtensor.chain_endpoint"
	}
	return pflag.NormalizedName(n)
}

// btcliOutputFlagNames also accepts btcli's --json-output for our --json
// (not on regen-*, where --json names a polkadot-js backup file as in btcli).
func btcliOutputFlagNames(f *pflag.FlagSet, name string) pflag.NormalizedName {
	if n := btcliFlagNames(f, name); n != "json-output" {
		return n
	}
	return "json"
}

// walletKeyFlags are the options of the key-creating commands.
type walletKeyFlags struct {
	nWords       int
	noPassword   bool
	usePassword  bool
	overwrite    bool
	jsonOut      bool
	hideMnemonic bool
	mnemonic     string
	seed         string
	uri          string
	backup       string
	backupPw     string
}

func (k *walletKeyFlags) bindCreate(cmd *cobra.Command) {
	f := cmd.Flags()
	f.IntVar(&k.nWords, "n-words", 12, "mnemonic length: 12, 15, 18, 21 or 24 words")
	f.BoolVar(&k.overwrite, "overwrite", false, "replace existing key files")
	f.BoolVar(&k.jsonOut, "json", false, "machine-readable JSON output")
	f.BoolVar(&k.hideMnemonic, "hide-mnemonic", false, "do not print the new mnemonic(s) (you will not see them again)")
	f.SetNormalizeFunc(btcliOutputFlagNames)
}

func (k *walletKeyFlags) bindPassword(cmd *cobra.Command, defaultEncrypt bool) {
	f := cmd.Flags()
	f.BoolVar(&k.noPassword, "no-password", false, "store the key unencrypted (alias --no-use-password)")
	f.BoolVar(&k.usePassword, "use-password", defaultEncrypt, "encrypt the key with a password")
}

func (k *walletKeyFlags) bindRegen(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVar(&k.mnemonic, "mnemonic", "", "mnemonic words to regenerate from (prompted for if no source is given)")
	f.StringVar(&k.seed, "seed", "", "0x-hex 32-byte seed (secretSeed) to regenerate from")
	f.StringVar(&k.uri, "uri", "", "Substrate secret URI (e.g. //Alice, or 'phrase//hard/soft')")
	f.StringVar(&k.backup, "json", "", "polkadot-js JSON backup file to regenerate from (as btcli)")
	f.StringVar(&k.backupPw, "json-password", "", "password of the --json backup (prompted for if omitted)")
	f.BoolVar(&k.overwrite, "overwrite", false, "replace existing key files")
	f.BoolVar(&k.jsonOut, "json-output", false, "machine-readable JSON output")
}

func (k *walletKeyFlags) encrypt() bool { return k.usePassword && !k.noPassword }

// options builds wallet.Options; the password comes from the environment or
// an interactive prompt (asked twice).
func (k *walletKeyFlags) options(cmd *cobra.Command, walletName string, hotkey bool) wallet.Options {
	opt := wallet.Options{Overwrite: k.overwrite}
	if !k.encrypt() {
		opt.NoPassword = true
		return opt
	}
	opt.EncryptHotkey = hotkey
	// BT_COLD_PW_<WALLET> is the coldkey's password; hotkey passwords are asked.
	if pw, ok := wallet.EnvPassword(walletName); ok && !hotkey {
		opt.Password = pw
	} else {
		opt.Ask = wallet.TerminalPassword(os.Stdin, cmd.ErrOrStderr())
	}
	return opt
}

// regenKeypair builds the keypair from exactly one of --mnemonic, --seed,
// --uri, --json, or a mnemonic read from stdin without echo.
func (k *walletKeyFlags) regenKeypair(cmd *cobra.Command) (*keys.Keypair, error) {
	set := 0
	for _, s := range []string{k.mnemonic, k.seed, k.uri, k.backup} {
		if s != "" {
			set++
		}
	}
	if set > 1 {
		return nil, errors.New("give only one of --mnemonic, --seed, --uri, --json")
	}
	switch {
	case k.backup != "":
		data, err := os.ReadFile(k.backup)
		if err != nil {
			return nil, err
		}
		pw := k.backupPw
		if pw == "" {
			if pw, err = wallet.TerminalPassword(os.Stdin, cmd.ErrOrStderr())("Enter the backup's password: "); err != nil {
				return nil, err
			}
		}
		return wallet.FromPolkadotJSON(data, pw)
	case k.seed != "":
		b, err := hex.DecodeString(strings.TrimPrefix(k.seed, "0x"))
		if err != nil || len(b) != 32 {
			return nil, errors.New("--seed must be 0x followed by 64 hex digits")
		}
		return keys.FromSeed([32]byte(b))
	case k.uri != "":
		return keys.FromURI(k.uri)
	case k.mnemonic != "":
		return keys.FromMnemonic(k.mnemonic, "")
	default:
		m, err := wallet.TerminalPassword(os.Stdin, cmd.ErrOrStderr())("Enter the mnemonic (or 0x seed) of the key: ")
		if err != nil {
			return nil, err
		}
		m = strings.TrimSpace(m)
		if strings.HasPrefix(m, "0x") {
			k.seed = m
			return k.regenKeypair(cmd)
		}
		return keys.FromMnemonic(m, "")
	}
}

// walletResult is the --json output of the key-writing commands.
type walletResult struct {
	Wallet          string `json:"wallet"`
	Path            string `json:"path"`
	Hotkey          string `json:"hotkey,omitempty"`
	ColdkeySS58     string `json:"coldkey_ss58,omitempty"`
	HotkeySS58      string `json:"hotkey_ss58,omitempty"`
	ColdkeyMnemonic string `json:"coldkey_mnemonic,omitempty"`
	HotkeyMnemonic  string `json:"hotkey_mnemonic,omitempty"`
}

func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func printMnemonic(w io.Writer, kind, mnemonic string) {
	fmt.Fprintf(w, "\nIMPORTANT: Store this mnemonic in a secure (preferably offline) place: anyone who has it can regenerate the key and access your tokens.\n")
	fmt.Fprintf(w, "The mnemonic to the new %s is:\n\n%s\n\n", kind, mnemonic)
	fmt.Fprintf(w, "You can use the mnemonic to recreate the key with `taonet wallet regen-%s` in case it gets lost.\n\n", kind)
}

func reportKeys(cmd *cobra.Command, k *walletKeyFlags, r walletResult) error {
	if k.hideMnemonic {
		r.ColdkeyMnemonic, r.HotkeyMnemonic = "", ""
	}
	out := cmd.OutOrStdout()
	if k.jsonOut {
		return printJSON(out, r)
	}
	if r.ColdkeyMnemonic != "" {
		printMnemonic(out, "coldkey", r.ColdkeyMnemonic)
	}
	if r.HotkeyMnemonic != "" {
		printMnemonic(out, "hotkey", r.HotkeyMnemonic)
	}
	if r.ColdkeySS58 != "" {
		fmt.Fprintf(out, "coldkey %s/%s: %s\n", r.Path, r.Wallet, r.ColdkeySS58)
	}
	if r.HotkeySS58 != "" {
		fmt.Fprintf(out, "hotkey  %s/%s/hotkeys/%s: %s\n", r.Path, r.Wallet, r.Hotkey, r.HotkeySS58)
	}
	return nil
}

// walletKeyExamples are the --help examples of the key-creating commands.
var walletKeyExamples = map[string]string{
	"create": `  taonet wallet create --wallet.name alice --wallet.hotkey miner1
  BT_COLD_PW_ALICE='secret' taonet wallet create --wallet.name alice --n-words 24

The coldkey password is prompted for, or read from BT_COLD_PW_<WALLET NAME> (upper
case, '-' as '_'), as bittensor-wallet does.`,
	"new-coldkey": `  taonet wallet new-coldkey --wallet.name alice`,
	"new-hotkey":  `  taonet wallet new-hotkey --wallet.name alice --wallet.hotkey miner2`,
	"regen-coldkey": `  taonet wallet regen-coldkey --wallet.name alice --mnemonic "word1 word2 ... word12"
  taonet wallet regen-coldkey --wallet.name dev --uri //Alice --no-password`,
	"regen-hotkey": `  taonet wallet regen-hotkey --wallet.name alice --wallet.hotkey miner1 --seed 0x<64 hex digits>`,
}

func newWalletKeyCmd(use, short string, coldkey, hotkey, regen bool) *cobra.Command {
	k := &walletKeyFlags{}
	var wf *walletFlagValues
	cmd := &cobra.Command{Use: use, Short: short, Example: walletKeyExamples[use], Args: cobra.NoArgs}
	wf = bindWalletFlags(cmd, hotkey)
	if regen {
		k.bindRegen(cmd)
	} else {
		k.bindCreate(cmd)
	}
	// Coldkeys are encrypted by default, hotkeys are not (as in btcli).
	k.bindPassword(cmd, coldkey)
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		w, err := wallet.New(wf.resolvedPath(cmd), wf.name, wf.hotkey)
		if err != nil {
			return err
		}
		r := walletResult{Wallet: w.Name, Path: w.Path}
		if hotkey {
			r.Hotkey = w.Hotkey
		}
		if coldkey && hotkey && !regen {
			// create: coldkey and hotkey together, nothing written unless both fit.
			c, err := wallet.Create(w.Path, w.Name, w.Hotkey, k.nWords, k.options(cmd, w.Name, false))
			if err != nil {
				return err
			}
			r.ColdkeySS58, r.HotkeySS58, r.ColdkeyMnemonic, r.HotkeyMnemonic = c.Coldkey, c.Hotkey, c.ColdkeyMnemonic, c.HotkeyMnemonic
			return reportKeys(cmd, k, r)
		}
		var kp *keys.Keypair
		if regen {
			kp, err = k.regenKeypair(cmd)
		} else {
			kp, err = keys.Generate(k.nWords)
		}
		if err != nil {
			return err
		}
		if coldkey {
			if err := w.SetColdkey(kp, k.options(cmd, w.Name, false)); err != nil {
				return err
			}
			r.ColdkeySS58 = kp.SS58Address()
			if !regen {
				r.ColdkeyMnemonic = kp.Mnemonic()
			}
		} else {
			if err := w.SetHotkey(kp, k.options(cmd, w.Name, true)); err != nil {
				return err
			}
			r.HotkeySS58 = kp.SS58Address()
			if !regen {
				r.HotkeyMnemonic = kp.Mnemonic()
			}
		}
		return reportKeys(cmd, k, r)
	}
	return cmd
}

func newWalletRegenColdkeypubCmd() *cobra.Command {
	var ss58, pubHex string
	var overwrite bool
	cmd := &cobra.Command{
		Use:     "regen-coldkeypub",
		Short:   "Write coldkeypub.txt from an ss58 address or public key (no secret needed)",
		Example: `  taonet wallet regen-coldkeypub --wallet.name watch --ss58-address 5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY`,
		Args:    cobra.NoArgs,
	}
	wf := bindWalletFlags(cmd, false)
	cmd.Flags().StringVar(&ss58, "ss58-address", "", "coldkey ss58 address")
	cmd.Flags().StringVar(&pubHex, "public-key-hex", "", "coldkey public key, 0x hex")
	cmd.Flags().BoolVar(&overwrite, "overwrite", false, "replace an existing coldkeypub.txt")
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		w, err := wallet.New(wf.resolvedPath(cmd), wf.name, "")
		if err != nil {
			return err
		}
		var pub [32]byte
		switch {
		case ss58 != "" && pubHex == "":
			if pub, err = keys.SS58Decode(ss58); err != nil {
				return err
			}
		case pubHex != "" && ss58 == "":
			b, err := hex.DecodeString(strings.TrimPrefix(pubHex, "0x"))
			if err != nil || len(b) != 32 {
				return errors.New("--public-key-hex must be 0x followed by 64 hex digits")
			}
			pub = [32]byte(b)
		default:
			return errors.New("give exactly one of --ss58-address, --public-key-hex")
		}
		if err := w.SetColdkeyPub(pub, overwrite); err != nil {
			return err
		}
		fmt.Fprintf(cmd.OutOrStdout(), "coldkeypub %s: %s\n", w.ColdkeyPubFile(), keys.SS58Encode(pub))
		return nil
	}
	return cmd
}

func newWalletListCmd() *cobra.Command {
	var jsonOut bool
	var path string
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List wallets and their hotkeys (public addresses only)",
		Example: `  taonet wallet list
  taonet wallet list --wallet.path /data/wallets --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if !cmd.Flags().Changed("wallet.path") {
				path = wallet.DefaultPath()
			}
			infos, err := wallet.List(path)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if jsonOut {
				return printJSON(out, infos)
			}
			if len(infos) == 0 {
				fmt.Fprintf(out, "no wallets under %s\n", path)
			}
			for _, in := range infos {
				printWalletInfo(out, in)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&path, "wallet.path", wallet.DefaultPathSetting, "wallets directory")
	cmd.Flags().BoolVar(&jsonOut, "json", false, "machine-readable JSON output (alias --json-output)")
	cmd.Flags().SetNormalizeFunc(btcliOutputFlagNames)
	return cmd
}

func printWalletInfo(out io.Writer, in wallet.Info) {
	ck := in.Coldkey
	if ck == "" {
		ck = "?"
	}
	enc := in.Encryption
	if enc == "" {
		enc = "no coldkey file"
	}
	fmt.Fprintf(out, "Wallet (%s)  coldkey %s  [%s]\n", in.Name, ck, enc)
	if in.Error != "" {
		fmt.Fprintf(out, "  ! %s\n", in.Error)
	}
	for _, h := range in.Hotkeys {
		addr := h.SS58
		switch {
		case h.Error != "":
			addr = "! " + h.Error
		case addr == "":
			addr = "(encrypted: " + h.Encryption + ")"
		}
		fmt.Fprintf(out, "  └── %s  %s\n", h.Name, addr)
	}
}

// walletSecrets is the --reveal-secrets output of `wallet show`.
type walletSecrets struct {
	Name          string `json:"name"`
	SS58          string `json:"ss58_address"`
	SecretPhrase  string `json:"secret_phrase,omitempty"`
	SecretSeed    string `json:"secret_seed,omitempty"`
	PrivateKeyHex string `json:"private_key,omitempty"`
}

func secretsOf(name string, kp *keys.Keypair) walletSecrets {
	s := walletSecrets{Name: name, SS58: kp.SS58Address(), SecretPhrase: kp.Mnemonic()}
	if seed, ok := kp.Seed(); ok {
		s.SecretSeed = "0x" + hex.EncodeToString(seed[:])
	}
	priv := kp.PrivateKey()
	s.PrivateKeyHex = "0x" + hex.EncodeToString(priv[:])
	return s
}

func newWalletShowCmd() *cobra.Command {
	var jsonOut, reveal, revealCold bool
	cmd := &cobra.Command{
		Use:   "show",
		Short: "Show one wallet: coldkey and hotkey addresses; secrets only with --reveal-secrets",
		Example: `  taonet wallet show --wallet.name alice --wallet.hotkey miner1
  taonet wallet show --wallet.name alice --json`,
		Args: cobra.NoArgs,
	}
	wf := bindWalletFlags(cmd, true)
	cmd.Flags().BoolVar(&jsonOut, "json", false, "machine-readable JSON output (alias --json-output)")
	cmd.Flags().SetNormalizeFunc(btcliOutputFlagNames)
	cmd.Flags().BoolVar(&reveal, "reveal-secrets", false, "also print the selected hotkey's mnemonic/seed/private key")
	cmd.Flags().BoolVar(&revealCold, "reveal-coldkey-secrets", false, "also decrypt and print the coldkey's mnemonic/seed/private key")
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		w, err := wallet.New(wf.resolvedPath(cmd), wf.name, wf.hotkey)
		if err != nil {
			return err
		}
		if _, err := os.Stat(w.Dir()); err != nil {
			return fmt.Errorf("wallet %q not found under %s", w.Name, w.Path)
		}
		info := w.Describe()
		var secrets []walletSecrets
		if reveal {
			hk, err := w.HotkeyPair(wallet.TerminalPassword(os.Stdin, cmd.ErrOrStderr()))
			if err != nil {
				return err
			}
			secrets = append(secrets, secretsOf("hotkey "+w.Hotkey, hk))
		}
		if revealCold {
			ck, err := w.Coldkey(walletColdkeyPassword(cmd, w.Name))
			if err != nil {
				return err
			}
			secrets = append(secrets, secretsOf("coldkey", ck))
		}
		out := cmd.OutOrStdout()
		if jsonOut {
			return printJSON(out, struct {
				wallet.Info
				Secrets []walletSecrets `json:"secrets,omitempty"`
			}{info, secrets})
		}
		printWalletInfo(out, info)
		for _, s := range secrets {
			fmt.Fprintf(out, "\n%s %s\n  secretPhrase: %s\n  secretSeed:   %s\n  privateKey:   %s\n", s.Name, s.SS58, s.SecretPhrase, s.SecretSeed, s.PrivateKeyHex)
		}
		return nil
	}
	return cmd
}

// messageBytes mirrors Python Keypair.sign/verify: a message string that
// starts with "0x" and is valid hex is the bytes it encodes.
func messageBytes(m string) []byte {
	if h, ok := strings.CutPrefix(m, "0x"); ok {
		if b, err := hex.DecodeString(h); err == nil {
			return b
		}
	}
	return []byte(m)
}

func newWalletSignCmd() *cobra.Command {
	var message string
	var useHotkey, jsonOut bool
	cmd := &cobra.Command{
		Use:   "sign",
		Short: "Sign a message with the coldkey (or --use-hotkey); prints the 0x signature",
		Example: `  taonet wallet sign --wallet.name alice --message "hello"
  taonet wallet sign --wallet.name alice --wallet.hotkey miner1 --use-hotkey --message 0x68656c6c6f`,
		Args: cobra.NoArgs,
	}
	wf := bindWalletFlags(cmd, true)
	cmd.Flags().StringVar(&message, "message", "", "message to sign (0x-hex is signed as bytes, as in btcli)")
	cmd.Flags().BoolVar(&useHotkey, "use-hotkey", false, "sign with the hotkey instead of the coldkey")
	cmd.Flags().BoolVar(&jsonOut, "json", false, "machine-readable JSON output (alias --json-output)")
	cmd.Flags().SetNormalizeFunc(btcliOutputFlagNames)
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		if !cmd.Flags().Changed("message") {
			return errors.New("--message is required")
		}
		w, err := wallet.New(wf.resolvedPath(cmd), wf.name, wf.hotkey)
		if err != nil {
			return err
		}
		var kp *keys.Keypair
		if useHotkey {
			kp, err = w.HotkeyPair(wallet.TerminalPassword(os.Stdin, cmd.ErrOrStderr()))
		} else {
			kp, err = w.Coldkey(walletColdkeyPassword(cmd, w.Name))
		}
		if err != nil {
			return err
		}
		sig, err := kp.Sign(messageBytes(message))
		if err != nil {
			return err
		}
		out := cmd.OutOrStdout()
		if jsonOut {
			return printJSON(out, map[string]string{"ss58_address": kp.SS58Address(), "signature": "0x" + hex.EncodeToString(sig)})
		}
		fmt.Fprintf(out, "0x%s\n", hex.EncodeToString(sig))
		return nil
	}
	return cmd
}

func newWalletVerifyCmd() *cobra.Command {
	var message, signature, address string
	cmd := &cobra.Command{
		Use:     "verify",
		Short:   "Verify an sr25519 signature of a message by an ss58 address or 0x public key",
		Example: `  taonet wallet verify --address 5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY --message hello --signature 0x...`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var pub [32]byte
			if h, ok := strings.CutPrefix(address, "0x"); ok {
				b, err := hex.DecodeString(h)
				if err != nil || len(b) != 32 {
					return errors.New("--address: 0x public key must have 64 hex digits")
				}
				pub = [32]byte(b)
			} else {
				var err error
				if _, pub, err = keys.SS58DecodePrefix(address); err != nil {
					return err
				}
			}
			sig, err := hex.DecodeString(strings.TrimPrefix(signature, "0x"))
			if err != nil {
				return errors.New("--signature must be hex")
			}
			if !keys.VerifyWrapped(pub, messageBytes(message), sig) {
				return errors.New("signature is NOT valid")
			}
			fmt.Fprintln(cmd.OutOrStdout(), "signature is valid")
			return nil
		},
	}
	cmd.Flags().StringVar(&message, "message", "", "the signed message (0x-hex is taken as bytes)")
	cmd.Flags().StringVar(&signature, "signature", "", "0x-hex signature")
	cmd.Flags().StringVar(&address, "address", "", "signer's ss58 address or 0x public key")
	cmd.Flags().SetNormalizeFunc(func(f *pflag.FlagSet, name string) pflag.NormalizedName {
		if name == "public-key" || name == "public_key" || name == "ss58" {
			return "address"
		}
		return btcliFlagNames(f, name)
	})
	return cmd
}

// newWalletSubcommands builds fresh wallet subcommands (fresh flag state,
// so tests can run them repeatedly).
func newWalletSubcommands() []*cobra.Command {
	return []*cobra.Command{
		newWalletKeyCmd("create", "Create a new wallet: an encrypted coldkey and a hotkey", true, true, false),
		newWalletKeyCmd("new-coldkey", "Create a new coldkey (encrypted unless --no-password)", true, false, false),
		newWalletKeyCmd("new-hotkey", "Create a new hotkey in an existing wallet", false, true, false),
		newWalletKeyCmd("regen-coldkey", "Regenerate a coldkey from its mnemonic, seed or URI", true, false, true),
		newWalletKeyCmd("regen-hotkey", "Regenerate a hotkey from its mnemonic, seed or URI", false, true, true),
		newWalletRegenColdkeypubCmd(),
		newWalletListCmd(),
		newWalletShowCmd(),
		newWalletSignCmd(),
		newWalletVerifyCmd(),
	}
}

func init() {
	walletCmd.AddCommand(newWalletSubcommands()...)
	rootCmd.AddCommand(walletCmd)
}
