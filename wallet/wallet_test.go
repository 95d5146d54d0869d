package wallet

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/taonet/taonet/keys"
)

func mode(t *testing.T, p string) os.FileMode {
	t.Helper()
	st, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	return st.Mode().Perm()
}

func TestCreateLoadRoundTrip(t *testing.T) {
	cheapKDF(t)
	dir := filepath.Join(t.TempDir(), "wallets")
	c, err := Create(dir, "alice", "miner1", 12, Options{Password: "s3cret-pw"})
	if err != nil {
		t.Fatal(err)
	}
	if len(strings.Fields(c.ColdkeyMnemonic)) != 12 || len(strings.Fields(c.HotkeyMnemonic)) != 12 {
		t.Fatal("mnemonics not returned")
	}
	w := c.Wallet
	for _, p := range []string{w.ColdkeyFile(), w.ColdkeyPubFile(), w.HotkeyFile()} {
		if m := mode(t, p); m != 0o600 {
			t.Errorf("%s mode %o", p, m)
		}
	}
	for _, d := range []string{dir, w.Dir(), filepath.Dir(w.HotkeyFile())} {
		if m := mode(t, d); m != 0o700 {
			t.Errorf("%s mode %o", d, m)
		}
	}
	raw, _ := os.ReadFile(w.ColdkeyFile())
	if !bytes.HasPrefix(raw, []byte("$NACL")) || bytes.Contains(raw, []byte(strings.Fields(c.ColdkeyMnemonic)[0]+" ")) {
		t.Fatal("coldkey not encrypted")
	}
	hraw, _ := os.ReadFile(w.HotkeyFile())
	if !bytes.Contains(hraw, []byte(c.HotkeyMnemonic)) {
		t.Fatal("hotkey should be plaintext JSON with its phrase, as upstream")
	}
	l, err := Load(dir, "alice", "miner1")
	if err != nil {
		t.Fatal(err)
	}
	if l.ColdkeyAddress() != c.Coldkey || l.HotkeyAddress() != c.Hotkey || l.Hotkey.Mnemonic() != c.HotkeyMnemonic {
		t.Fatal("loaded keys differ from created")
	}
	if _, err := l.Coldkey(StaticPassword("wrong-pw")); !errors.Is(err, ErrWrongPassword) {
		t.Fatalf("wrong password: %v", err)
	}
	if _, err := l.Coldkey(nil); !errors.Is(err, ErrNoPassword) {
		t.Fatalf("no password source: %v", err)
	}
	ck, err := l.Coldkey(StaticPassword("s3cret-pw"))
	if err != nil || ck.SS58Address() != c.Coldkey || ck.Mnemonic() != c.ColdkeyMnemonic {
		t.Fatalf("coldkey: %v", err)
	}
	calls := 0
	if again, _ := l.Coldkey(func(string) (string, error) { calls++; return "", nil }); again != ck || calls != 0 {
		t.Fatal("coldkey not cached")
	}
	msg := []byte("transfer")
	sig, _ := ck.Sign(msg)
	if !keys.VerifySS58(l.ColdkeyAddress(), msg, sig) {
		t.Fatal("coldkey signature")
	}
}

func TestNoPasswordAndOverwrite(t *testing.T) {
	dir := t.TempDir()
	c, err := Create(dir, "", "", 12, Options{NoPassword: true})
	if err != nil {
		t.Fatal(err)
	}
	if c.Wallet.Name != DefaultName || c.Wallet.Hotkey != DefaultHotkey {
		t.Fatal("defaults")
	}
	before, _ := os.ReadFile(c.Wallet.ColdkeyFile())
	if IsEncrypted(before) {
		t.Fatal("NoPassword coldkey encrypted")
	}
	ck, err := c.Wallet.Coldkey(nil)
	if err != nil || ck.SS58Address() != c.Coldkey {
		t.Fatalf("plaintext coldkey needs no password: %v", err)
	}
	if _, err := Create(dir, "", "", 12, Options{NoPassword: true}); !errors.Is(err, ErrExists) {
		t.Fatalf("second create: %v", err)
	}
	after, _ := os.ReadFile(c.Wallet.ColdkeyFile())
	if !bytes.Equal(before, after) {
		t.Fatal("refused create modified the coldkey")
	}
	kp, _ := keys.FromURI("//Bob")
	if err := c.Wallet.SetHotkey(kp, Options{}); !errors.Is(err, ErrExists) {
		t.Fatalf("hotkey overwrite without flag: %v", err)
	}
	if err := c.Wallet.SetColdkey(kp, Options{NoPassword: true}); !errors.Is(err, ErrExists) {
		t.Fatalf("coldkey overwrite without flag: %v", err)
	}
	if err := c.Wallet.SetHotkey(kp, Options{Overwrite: true}); err != nil {
		t.Fatal(err)
	}
	hk, err := c.Wallet.HotkeyPair(nil)
	if err != nil || hk.SS58Address() != kp.SS58Address() {
		t.Fatalf("overwritten hotkey: %v", err)
	}
	// No temp files left behind.
	ents, _ := os.ReadDir(filepath.Dir(c.Wallet.HotkeyFile()))
	for _, e := range ents {
		if strings.Contains(e.Name(), ".tmp-") {
			t.Fatalf("temp file left: %s", e.Name())
		}
	}
}

func TestCreateNeedsPasswordSource(t *testing.T) {
	dir := t.TempDir()
	if _, err := Create(dir, "w", "h", 12, Options{}); !errors.Is(err, ErrNoPassword) {
		t.Fatalf("no password: %v", err)
	}
	if _, err := Create(dir, "w", "h", 12, Options{Ask: StaticPassword("abc")}); !errors.Is(err, ErrWeakPassword) {
		t.Fatalf("weak password: %v", err)
	}
	answers := []string{"Good-pass1", "Good-pass2"}
	ask := func(string) (string, error) { a := answers[0]; answers = answers[1:]; return a, nil }
	if _, err := Create(dir, "w", "h", 12, Options{Ask: ask}); err == nil || !strings.Contains(err.Error(), "do not match") {
		t.Fatalf("mismatch: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "w", "coldkey")); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("failed create left a coldkey")
	}
}

func TestEncryptedHotkey(t *testing.T) {
	cheapKDF(t)
	dir := t.TempDir()
	w, _ := New(dir, "w", "h")
	kp, _ := keys.FromURI("//Alice")
	if err := w.SetColdkey(kp, Options{NoPassword: true}); err != nil {
		t.Fatal(err)
	}
	if err := w.SetHotkey(kp, Options{EncryptHotkey: true, Password: "hot-pass1"}); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(dir, "w", "h"); !errors.Is(err, ErrNoPassword) {
		t.Fatalf("Load of encrypted hotkey: %v", err)
	}
	l, err := LoadWith(dir, "w", "h", StaticPassword("hot-pass1"))
	if err != nil || l.HotkeyAddress() != kp.SS58Address() {
		t.Fatalf("LoadWith: %v", err)
	}
	info := w.Describe()
	if len(info.Hotkeys) != 1 || info.Hotkeys[0].Encryption != MethodNaCl || info.Hotkeys[0].SS58 != "" {
		t.Fatalf("describe: %+v", info)
	}
}

func TestLoadErrors(t *testing.T) {
	dir := t.TempDir()
	if _, err := Load(dir, "nope", "h"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("missing wallet: %v", err)
	}
	if _, err := Load(dir, "../etc", "h"); !errors.Is(err, ErrBadName) {
		t.Fatalf("traversal name: %v", err)
	}
	if _, err := New(dir, "w", "a/b"); !errors.Is(err, ErrBadName) {
		t.Fatalf("hotkey with slash: %v", err)
	}
	c, _ := Create(dir, "w", "h", 12, Options{NoPassword: true})
	// Corrupt the hotkey: truncated JSON.
	data, _ := os.ReadFile(c.Wallet.HotkeyFile())
	os.WriteFile(c.Wallet.HotkeyFile(), data[:len(data)/2], 0o600)
	if _, err := Load(dir, "w", "h"); !errors.Is(err, ErrBadKeyfile) {
		t.Fatalf("truncated hotkey: %v", err)
	}
	// coldkey that does not match coldkeypub.txt.
	other, _ := keys.FromURI("//Bob")
	os.WriteFile(c.Wallet.ColdkeyFile(), MarshalKeypair(other), 0o600)
	if _, err := c.Wallet.Coldkey(nil); !errors.Is(err, ErrBadKeyfile) {
		t.Fatalf("mismatched coldkey: %v", err)
	}
	// coldkey containing only a public key.
	os.WriteFile(c.Wallet.ColdkeyFile(), MarshalPublic(other.PublicKey()), 0o600)
	if _, err := c.Wallet.Coldkey(nil); !errors.Is(err, ErrBadKeyfile) {
		t.Fatalf("public-only coldkey: %v", err)
	}
}

func TestRegenFromMnemonicMatchesSpec(t *testing.T) {
	dir := t.TempDir()
	w, _ := New(dir, "spec", "default")
	kp, _ := keys.FromMnemonic(specMnemonic, "")
	if err := w.SetColdkey(kp, Options{NoPassword: true}); err != nil {
		t.Fatal(err)
	}
	pub, err := w.ColdkeyPub()
	if err != nil || keys.SS58Encode(pub) != specSS58 {
		t.Fatalf("coldkeypub: %v", err)
	}
	got, _ := os.ReadFile(w.ColdkeyFile())
	if !bytes.Equal(got, MarshalKeypair(kp)) {
		t.Fatal("plaintext coldkey is not the upstream keyfile JSON")
	}
}

func TestList(t *testing.T) {
	dir := t.TempDir()
	if l, err := List(filepath.Join(dir, "missing")); err != nil || len(l) != 0 {
		t.Fatalf("missing dir: %v %v", l, err)
	}
	a, _ := Create(dir, "a", "h1", 12, Options{NoPassword: true})
	w2, _ := a.Wallet.WithHotkey("h2")
	kp, _ := keys.FromURI("//Charlie")
	w2.SetHotkey(kp, Options{})
	os.MkdirAll(filepath.Join(dir, "b"), 0o700) // empty wallet dir
	os.WriteFile(filepath.Join(dir, "stray.txt"), []byte("x"), 0o600)
	infos, err := List(dir)
	if err != nil || len(infos) != 2 {
		t.Fatalf("list: %v %+v", err, infos)
	}
	if infos[0].Name != "a" || infos[0].Coldkey != a.Coldkey || infos[0].Encryption != MethodNone || len(infos[0].Hotkeys) != 2 {
		t.Fatalf("a: %+v", infos[0])
	}
	if infos[0].Hotkeys[0].SS58 != a.Hotkey || infos[0].Hotkeys[1].SS58 != kp.SS58Address() {
		t.Fatalf("hotkeys: %+v", infos[0].Hotkeys)
	}
	if infos[1].Name != "b" || infos[1].Error == "" {
		t.Fatalf("b should report its missing coldkeypub: %+v", infos[1])
	}
}

func TestConcurrentNoOverwriteCreate(t *testing.T) {
	dir := t.TempDir()
	w, _ := New(dir, "w", "h")
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			kp, _ := keys.Generate(12)
			errs[i] = w.SetHotkey(kp, Options{})
		}(i)
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		if err == nil {
			ok++
		} else if !errors.Is(err, ErrExists) {
			t.Fatal(err)
		}
	}
	if ok != 1 {
		t.Fatalf("%d concurrent creators succeeded, want exactly 1", ok)
	}
	if _, err := w.HotkeyPair(nil); err != nil {
		t.Fatal(err)
	}
}

func TestEnvPassword(t *testing.T) {
	t.Setenv("BT_COLD_PW_MY_WALLET", "from-env")
	if EnvVarName("my-wallet") != "BT_COLD_PW_MY_WALLET" {
		t.Fatal(EnvVarName("my-wallet"))
	}
	if v, ok := EnvPassword("my-wallet"); !ok || v != "from-env" {
		t.Fatal("exact env name")
	}
	t.Setenv("bt_cold_pw_xOther", "loose")
	if v, ok := EnvPassword("other"); !ok || v != "loose" {
		t.Fatal("python-style loose match")
	}
	if _, ok := EnvPassword("absent-wallet"); ok {
		t.Fatal("absent")
	}
	pw := ColdkeyPassword("my-wallet", nil)
	if v, err := pw("x"); err != nil || v != "from-env" {
		t.Fatal("ColdkeyPassword env")
	}
	if _, err := ColdkeyPassword("absent-wallet", nil)("x"); !errors.Is(err, ErrNoPassword) {
		t.Fatal("ColdkeyPassword without source")
	}
}

func TestTerminalPasswordFromPipe(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	go func() { io.WriteString(w, "first-pw\r\nsecond-pw\n"); w.Close() }()
	var out bytes.Buffer
	ask := TerminalPassword(r, &out)
	a, err1 := ask("P1: ")
	b, err2 := ask("P2: ")
	_, err3 := ask("P3: ")
	if err1 != nil || err2 != nil || a != "first-pw" || b != "second-pw" {
		t.Fatalf("%q %q %v %v", a, b, err1, err2)
	}
	if !errors.Is(err3, ErrNoPassword) {
		t.Fatalf("EOF: %v", err3)
	}
	if out.String() != "P1: P2: P3: " {
		t.Fatalf("prompts %q", out.String())
	}
}

func TestValidatePassword(t *testing.T) {
	for _, p := range []string{"", "abc", "aaaaaaaaaaaa", "abcdef", "ababababab"} {
		if ValidatePassword(p) == nil {
			t.Errorf("%q accepted", p)
		}
	}
	for _, p := range []string{"abc123", "correct horse battery", "Passw0rd!"} {
		if err := ValidatePassword(p); err != nil {
			t.Errorf("%q rejected: %v", p, err)
		}
	}
}

func TestExpandPath(t *testing.T) {
	home, _ := os.UserHomeDir()
	p, err := ExpandPath("~/.bittensor/wallets")
	if err != nil || p != filepath.Join(home, ".bittensor/wallets") {
		t.Fatalf("%s %v", p, err)
	}
	t.Setenv(PathEnv, "/tmp/x-wallets")
	if DefaultPath() != "/tmp/x-wallets" {
		t.Fatal("BT_WALLET_PATH ignored")
	}
}

func TestCreateFromKeysAndConcurrentColdkey(t *testing.T) {
	cheapKDF(t)
	dir := t.TempDir()
	cold, _ := keys.FromURI("//Alice")
	hot, _ := keys.FromURI("//Alice//hot")
	w, err := CreateFromKeys(dir, "alice", "default", cold, hot, Options{Password: "dev-pass1"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := CreateFromKeys(dir, "alice", "other", cold, hot, Options{NoPassword: true}); !errors.Is(err, ErrExists) {
		t.Fatalf("existing coldkey: %v", err)
	}
	l, err := Load(dir, w.Name, w.Hotkey)
	if err != nil || l.ColdkeyAddress() != cold.SS58Address() || l.HotkeyAddress() != hot.SS58Address() {
		t.Fatalf("load: %v", err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	asked := 0
	pw := func(string) (string, error) { mu.Lock(); asked++; mu.Unlock(); return "dev-pass1", nil }
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if ck, err := l.Coldkey(pw); err != nil || ck.SS58Address() != cold.SS58Address() {
				t.Errorf("coldkey: %v", err)
			}
		}()
	}
	wg.Wait()
	if asked != 1 {
		t.Fatalf("password asked %d times, want 1", asked)
	}
}
