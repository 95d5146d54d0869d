package wallet

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/taonet/taonet/keys"
)

// Defaults, as in bittensor.
const (
	DefaultName   = "default"
	DefaultHotkey = "default"
	// DefaultPathSetting is the unexpanded default wallet directory.
	DefaultPathSetting = "~/.bittensor/wallets"
	// PathEnv overrides the default wallet directory, as in bittensor.
	PathEnv = "BT_WALLET_PATH"
)

// File names inside a wallet directory.
const (
	ColdkeyFileName    = "coldkey"
	ColdkeyPubFileName = "coldkeypub.txt"
	HotkeysDirName     = "hotkeys"
)

// ErrNotFound is returned when a wallet file is missing.
var ErrNotFound = errors.New("wallet: key file not found")

// ErrBadName is returned for wallet/hotkey names that are not a single
// path element.
var ErrBadName = errors.New("wallet: invalid name")

// DefaultPath returns $BT_WALLET_PATH or ~/.bittensor/wallets, expanded.
func DefaultPath() string {
	p := DefaultPathSetting
	if v := os.Getenv(PathEnv); v != "" {
		p = v
	}
	e, err := ExpandPath(p)
	if err != nil {
		return p
	}
	return e
}

// ExpandPath expands a leading "~" and makes the path absolute.
func ExpandPath(p string) (string, error) {
	if p == "~" || strings.HasPrefix(p, "~/") {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("wallet: expand %q: %w", p, err)
		}
		p = filepath.Join(home, p[1:])
	}
	return filepath.Abs(p)
}

func checkName(kind, n string) error {
	if n == "" || n == "." || n == ".." || strings.ContainsAny(n, `/\`) || strings.ContainsRune(n, 0) || strings.HasPrefix(n, ".") {
		return fmt.Errorf("%w: %s name %q must be a plain file name", ErrBadName, kind, n)
	}
	return nil
}

// Wallet addresses one wallet's files: <Path>/<Name>/{coldkey,
// coldkeypub.txt, hotkeys/<Hotkey>}.
type Wallet struct {
	Path   string // expanded wallet directory root
	Name   string // wallet (coldkey) name
	Hotkey string // selected hotkey name
}

// New validates names and expands path ("" means DefaultPath()).
func New(path, name, hotkey string) (*Wallet, error) {
	if path == "" {
		path = DefaultPath()
	}
	p, err := ExpandPath(path)
	if err != nil {
		return nil, err
	}
	if name == "" {
		name = DefaultName
	}
	if hotkey == "" {
		hotkey = DefaultHotkey
	}
	if err := checkName("wallet", name); err != nil {
		return nil, err
	}
	if err := checkName("hotkey", hotkey); err != nil {
		return nil, err
	}
	return &Wallet{Path: p, Name: name, Hotkey: hotkey}, nil
}

// Dir is the wallet's directory.
func (w *Wallet) Dir() string { return filepath.Join(w.Path, w.Name) }

// ColdkeyFile is the path of the (normally encrypted) coldkey keyfile.
func (w *Wallet) ColdkeyFile() string { return filepath.Join(w.Dir(), ColdkeyFileName) }

// ColdkeyPubFile is the path of the public coldkey keyfile.
func (w *Wallet) ColdkeyPubFile() string { return filepath.Join(w.Dir(), ColdkeyPubFileName) }

// HotkeyFile is the path of the selected hotkey's keyfile.
func (w *Wallet) HotkeyFile() string { return filepath.Join(w.Dir(), HotkeysDirName, w.Hotkey) }

// WithHotkey returns a copy of w selecting another hotkey.
func (w *Wallet) WithHotkey(hotkey string) (*Wallet, error) {
	if err := checkName("hotkey", hotkey); err != nil {
		return nil, err
	}
	c := *w
	c.Hotkey = hotkey
	return &c, nil
}

// Options control how keys are written.
type Options struct {
	// Password encrypts the key when set (and NoPassword is false).
	Password string
	// Ask supplies a new password when Password is empty (it is asked
	// twice and checked with ValidatePassword).
	Ask PasswordFunc
	// NoPassword stores the coldkey unencrypted (localnet, tests).
	NoPassword bool
	// EncryptHotkey encrypts hotkeys too (upstream default: plaintext).
	EncryptHotkey bool
	// Overwrite allows replacing existing key files.
	Overwrite bool
}

func (o Options) encryptionPassword() (string, error) {
	if o.Password != "" {
		return o.Password, nil
	}
	if o.Ask == nil {
		return "", ErrNoPassword
	}
	return NewPassword(o.Ask)
}

func exists(p string) bool {
	_, err := os.Lstat(p)
	return err == nil
}

// SetColdkey writes the coldkey (encrypted unless opt.NoPassword) and
// coldkeypub.txt.
func (w *Wallet) SetColdkey(kp *keys.Keypair, opt Options) error {
	if !opt.Overwrite {
		for _, p := range []string{w.ColdkeyFile(), w.ColdkeyPubFile()} {
			if exists(p) {
				return fmt.Errorf("%w: %s", ErrExists, p)
			}
		}
	}
	data := MarshalKeypair(kp)
	if !opt.NoPassword {
		pw, err := opt.encryptionPassword()
		if err != nil {
			return err
		}
		if data, err = Encrypt(data, pw); err != nil {
			return err
		}
	}
	if err := writeFileAtomic(w.ColdkeyFile(), data, opt.Overwrite); err != nil {
		return err
	}
	return w.SetColdkeyPub(kp.PublicKey(), opt.Overwrite)
}

// SetColdkeyPub writes coldkeypub.txt only (regen-coldkeypub).
func (w *Wallet) SetColdkeyPub(pub [32]byte, overwrite bool) error {
	return writeFileAtomic(w.ColdkeyPubFile(), MarshalPublic(pub), overwrite)
}

// SetHotkey writes the selected hotkey's keyfile (plaintext unless
// opt.EncryptHotkey).
func (w *Wallet) SetHotkey(kp *keys.Keypair, opt Options) error {
	if !opt.Overwrite && exists(w.HotkeyFile()) {
		return fmt.Errorf("%w: %s", ErrExists, w.HotkeyFile())
	}
	data := MarshalKeypair(kp)
	if opt.EncryptHotkey {
		pw, err := opt.encryptionPassword()
		if err != nil {
			return err
		}
		if data, err = Encrypt(data, pw); err != nil {
			return err
		}
	}
	return writeFileAtomic(w.HotkeyFile(), data, opt.Overwrite)
}

// readKey reads and, if needed, decrypts a keyfile.
func readKey(path string, pw PasswordFunc) (*Key, error) {
	data, err := readKeyfile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w: %s", ErrNotFound, path)
	}
	if err != nil {
		return nil, err
	}
	if IsEncrypted(data) {
		if pw == nil {
			return nil, fmt.Errorf("%w: %s is encrypted", ErrNoPassword, path)
		}
		p, err := pw("Enter password to unlock key: ")
		if err != nil {
			return nil, err
		}
		if data, err = Decrypt(data, p); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
	}
	k, err := ParseKeyfile(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return k, nil
}

// ColdkeyPub reads the public coldkey from coldkeypub.txt.
func (w *Wallet) ColdkeyPub() ([32]byte, error) {
	k, err := readKey(w.ColdkeyPubFile(), nil)
	if err != nil {
		return [32]byte{}, err
	}
	return k.Public, nil
}

// Coldkey decrypts and returns the coldkey pair; pw is asked only if the
// file is encrypted. The result is checked against coldkeypub.txt.
func (w *Wallet) Coldkey(pw PasswordFunc) (*keys.Keypair, error) {
	k, err := readKey(w.ColdkeyFile(), pw)
	if err != nil {
		return nil, err
	}
	if k.Pair == nil {
		return nil, fmt.Errorf("%w: %s holds no secret key", ErrBadKeyfile, w.ColdkeyFile())
	}
	if pub, err := w.ColdkeyPub(); err == nil && pub != k.Public {
		return nil, fmt.Errorf("%w: coldkey %s does not match coldkeypub.txt %s", ErrBadKeyfile, k.SS58Address(), keys.SS58Encode(pub))
	}
	return k.Pair, nil
}

// HotkeyPair returns the selected hotkey's pair; pw is asked only if the
// hotkey file is encrypted (nil: encrypted hotkeys give ErrNoPassword).
func (w *Wallet) HotkeyPair(pw PasswordFunc) (*keys.Keypair, error) {
	k, err := readKey(w.HotkeyFile(), pw)
	if err != nil {
		return nil, err
	}
	if k.Pair == nil {
		return nil, fmt.Errorf("%w: %s holds no secret key", ErrBadKeyfile, w.HotkeyFile())
	}
	return k.Pair, nil
}

// Hotkeys lists the wallet's hotkey names, sorted.
func (w *Wallet) Hotkeys() ([]string, error) {
	ents, err := os.ReadDir(filepath.Join(w.Dir(), HotkeysDirName))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range ents {
		if e.Type().IsRegular() && checkName("hotkey", e.Name()) == nil {
			out = append(out, e.Name())
		}
	}
	sort.Strings(out)
	return out, nil
}

// Created reports what Create made. The mnemonics are secrets: show them
// once, then drop them.
type Created struct {
	Wallet          *Wallet
	Coldkey         string // ss58
	Hotkey          string // ss58
	ColdkeyMnemonic string
	HotkeyMnemonic  string
}

// Create makes a new wallet: a fresh coldkey and hotkey from new mnemonics
// of `words` words. It checks that neither exists (unless opt.Overwrite)
// before writing anything.
func Create(path, name, hotkey string, words int, opt Options) (*Created, error) {
	w, err := New(path, name, hotkey)
	if err != nil {
		return nil, err
	}
	if !opt.Overwrite {
		for _, p := range []string{w.ColdkeyFile(), w.ColdkeyPubFile(), w.HotkeyFile()} {
			if exists(p) {
				return nil, fmt.Errorf("%w: %s", ErrExists, p)
			}
		}
	}
	ck, err := keys.Generate(words)
	if err != nil {
		return nil, err
	}
	hk, err := keys.Generate(words)
	if err != nil {
		return nil, err
	}
	if err := w.SetColdkey(ck, opt); err != nil {
		return nil, err
	}
	if err := w.SetHotkey(hk, opt); err != nil {
		return nil, err
	}
	return &Created{Wallet: w, Coldkey: ck.SS58Address(), Hotkey: hk.SS58Address(), ColdkeyMnemonic: ck.Mnemonic(), HotkeyMnemonic: hk.Mnemonic()}, nil
}

// CreateFromKeys writes a wallet from given pairs (e.g. deterministic dev
// keys from keys.FromURI for a localnet). Like Create it checks that none of
// the files exists (unless opt.Overwrite) before writing anything.
func CreateFromKeys(path, name, hotkey string, cold, hot *keys.Keypair, opt Options) (*Wallet, error) {
	w, err := New(path, name, hotkey)
	if err != nil {
		return nil, err
	}
	if !opt.Overwrite {
		for _, p := range []string{w.ColdkeyFile(), w.ColdkeyPubFile(), w.HotkeyFile()} {
			if exists(p) {
				return nil, fmt.Errorf("%w: %s", ErrExists, p)
			}
		}
	}
	if err := w.SetColdkey(cold, opt); err != nil {
		return nil, err
	}
	if err := w.SetHotkey(hot, opt); err != nil {
		return nil, err
	}
	return w, nil
}

// Loaded is a wallet opened for use by a node, miner or validator: the
// public coldkey and the hotkey pair are ready; the coldkey is decrypted on
// demand.
type Loaded struct {
	Wallet     *Wallet
	ColdkeyPub [32]byte
	Hotkey     *keys.Keypair

	mu      sync.Mutex // guards coldkey: one decryption even under concurrent first use
	coldkey *keys.Keypair
}

// ColdkeyAddress is the ss58 address of the coldkey.
func (l *Loaded) ColdkeyAddress() string { return keys.SS58Encode(l.ColdkeyPub) }

// HotkeyAddress is the ss58 address of the hotkey.
func (l *Loaded) HotkeyAddress() string { return l.Hotkey.SS58Address() }

// Coldkey decrypts the coldkey once (asking pw if it is encrypted; use
// ColdkeyPassword(name, TerminalPassword(...)) for env-then-prompt) and
// caches it. Safe for concurrent use.
func (l *Loaded) Coldkey(pw PasswordFunc) (*keys.Keypair, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.coldkey != nil {
		return l.coldkey, nil
	}
	kp, err := l.Wallet.Coldkey(pw)
	if err != nil {
		return nil, err
	}
	l.coldkey = kp
	return kp, nil
}

// Load opens wallet `name` under path ("" = default) with hotkey `hotkey`:
// reads coldkeypub.txt and the (plaintext) hotkey. An encrypted hotkey needs
// LoadWith.
func Load(path, name, hotkey string) (*Loaded, error) {
	return LoadWith(path, name, hotkey, nil)
}

// LoadWith is Load with a password source for an encrypted hotkey.
func LoadWith(path, name, hotkey string, hotkeyPw PasswordFunc) (*Loaded, error) {
	w, err := New(path, name, hotkey)
	if err != nil {
		return nil, err
	}
	pub, err := w.ColdkeyPub()
	if err != nil {
		return nil, err
	}
	hk, err := w.HotkeyPair(hotkeyPw)
	if err != nil {
		return nil, err
	}
	return &Loaded{Wallet: w, ColdkeyPub: pub, Hotkey: hk}, nil
}

// HotkeyInfo describes one hotkey file without exposing secrets.
type HotkeyInfo struct {
	Name       string `json:"name"`
	SS58       string `json:"ss58_address,omitempty"`
	Encryption string `json:"encryption"`
	Error      string `json:"error,omitempty"`
}

// Info describes a wallet without exposing secrets.
type Info struct {
	Name       string       `json:"name"`
	Path       string       `json:"path"`
	Coldkey    string       `json:"coldkey_ss58,omitempty"`
	Encryption string       `json:"coldkey_encryption,omitempty"`
	Error      string       `json:"error,omitempty"`
	Hotkeys    []HotkeyInfo `json:"hotkeys"`
}

// Describe reads the public parts of a wallet: coldkeypub, the coldkey's
// encryption method and each hotkey's address (encrypted hotkeys show none).
// Per-file problems are reported in the Error fields, not as an error.
func (w *Wallet) Describe() Info {
	info := Info{Name: w.Name, Path: w.Dir(), Hotkeys: []HotkeyInfo{}}
	if pub, err := w.ColdkeyPub(); err == nil {
		info.Coldkey = keys.SS58Encode(pub)
	} else {
		info.Error = err.Error()
	}
	if data, err := readKeyfile(w.ColdkeyFile()); err == nil {
		info.Encryption = EncryptionMethod(data)
	}
	names, err := w.Hotkeys()
	if err != nil && info.Error == "" {
		info.Error = err.Error()
	}
	for _, n := range names {
		hi := HotkeyInfo{Name: n}
		hw, _ := w.WithHotkey(n)
		data, err := readKeyfile(hw.HotkeyFile())
		switch {
		case err != nil:
			hi.Error = err.Error()
		case IsEncrypted(data):
			hi.Encryption = EncryptionMethod(data)
		default:
			hi.Encryption = MethodNone
			if k, err := ParseKeyfile(data); err != nil {
				hi.Error = err.Error()
			} else {
				hi.SS58 = k.SS58Address()
			}
		}
		info.Hotkeys = append(info.Hotkeys, hi)
	}
	return info
}

// List describes every wallet directory under path ("" = default), sorted
// by name. A missing path gives an empty list.
func List(path string) ([]Info, error) {
	if path == "" {
		path = DefaultPath()
	}
	p, err := ExpandPath(path)
	if err != nil {
		return nil, err
	}
	ents, err := os.ReadDir(p)
	if errors.Is(err, fs.ErrNotExist) {
		return []Info{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("wallet: list %s: %w", p, err)
	}
	out := []Info{}
	for _, e := range ents {
		if !e.IsDir() || checkName("wallet", e.Name()) != nil {
			continue
		}
		w := &Wallet{Path: p, Name: e.Name(), Hotkey: DefaultHotkey}
		out = append(out, w.Describe())
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}
