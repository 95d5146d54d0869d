package timelock

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	fixture "github.com/taonet/taonet/subtensor/polkadottest"
)

// A real drand quicknet beacon: round 1000's signature, as published at
// https://api.drand.sh/52db9ba70e0cc0f6eaf7803dd07447a1f5477735fd3f661792ba94600c84e971/public/1000
// and quoted by tle's test tlock_encrypt_decrypt_drand_quicknet_works
// (ideal-lab5/timelock tle/src/tlock.rs) and subtensor's DRAND_PULSE
// (pallets/drand/src/tests.rs). badQuicknetSig is the invalid round-1000
// signature subtensor's it_rejects_invalid_pulse_due_to_bad_signature uses.
const (
	quicknetRound  = 1000
	quicknetSig    = "b44679b9a59af2ec876b1a6b1ad52ea9b1615fc3982b19576350f93447cb1125e342b73a8dd2bacbe47e4b6b63ed5e39"
	badQuicknetSig = "b0a8b04e009cf72534321aca0f50048da596a3feec1172a0244d9a4a623a3123d0402da79854d4c705e94bc73224c341"
)

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// upstream runs interop/timelock/tle.mjs — the tle crate itself, compiled to
// WebAssembly by its authors (npm @ideallabs/timelock_wasm_wrapper) — on
// reqs and returns its answers (ok or err per request).
func upstream(t *testing.T, reqs []map[string]string) []struct{ OK, Err string } {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	dir := filepath.Join(filepath.Dir(file), "..", "..", "interop", "timelock")
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "@ideallabs", "timelock_wasm_wrapper")); err != nil {
		fixture.Missing(t, "interop/timelock/node_modules/@ideallabs/timelock_wasm_wrapper")
	}
	node, err := exec.LookPath("node")
	if err != nil {
		fixture.Missing(t, "node")
	}
	var in bytes.Buffer
	for _, r := range reqs {
		b, _ := json.Marshal(r)
		in.Write(append(b, '\n'))
	}
	cmd := exec.Command(node, "tle.mjs")
	cmd.Dir, cmd.Stdin = dir, &in
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	timer := time.AfterFunc(60*time.Second, func() { _ = cmd.Process.Kill() })
	out, err := cmd.Output()
	timer.Stop()
	if err != nil {
		t.Fatalf("tle.mjs: %v\n%s", err, stderr.String())
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) != len(reqs) {
		t.Fatalf("tle.mjs answered %d lines to %d requests:\n%s\n%s", len(lines), len(reqs), out, stderr.String())
	}
	ans := make([]struct{ OK, Err string }, len(lines))
	for i, l := range lines {
		var a struct {
			OK  string `json:"ok"`
			Err string `json:"err"`
		}
		if err := json.Unmarshal([]byte(l), &a); err != nil {
			t.Fatalf("tle.mjs answer %q: %v", l, err)
		}
		ans[i].OK, ans[i].Err = a.OK, a.Err
	}
	return ans
}

func testPayloads() [][]byte {
	hot := bytes.Repeat([]byte{0xd4}, 32)
	big := Payload{Hotkey: hot, VersionKey: 20501}
	for i := 0; i < 1100; i++ { // ~4.4 kB: near the 5,000-byte commit bound
		big.UIDs = append(big.UIDs, uint16(i))
		big.Values = append(big.Values, uint16(65535-i))
	}
	return [][]byte{
		{},
		[]byte("hello, bittensor!"),
		Payload{Hotkey: hot, UIDs: []uint16{0, 1, 7}, Values: []uint16{65535, 1200, 0}, VersionKey: 20501}.Encode(),
		Payload{Legacy: true, UIDs: []uint16{2}, Values: []uint16{9}, VersionKey: 7}.Encode(),
		big.Encode(),
	}
}

// TestUpstreamTLEDecryptsOurs: ciphertexts we make for quicknet round 1000
// are opened by the tle crate itself with the real round-1000 beacon
// signature, and refused with the invalid one.
func TestUpstreamTLEDecryptsOurs(t *testing.T) {
	var reqs []map[string]string
	pts := testPayloads()
	for _, pt := range pts {
		ct, err := Encrypt(Quicknet.PublicKey, quicknetRound, pt, nil)
		if err != nil {
			t.Fatal(err)
		}
		reqs = append(reqs,
			map[string]string{"op": "decrypt", "ct": hex.EncodeToString(ct), "sig": quicknetSig},
			map[string]string{"op": "decrypt", "ct": hex.EncodeToString(ct), "sig": badQuicknetSig})
	}
	ans := upstream(t, reqs)
	for i, pt := range pts {
		good, bad := ans[2*i], ans[2*i+1]
		if good.Err != "" || good.OK != hex.EncodeToString(pt) {
			t.Errorf("payload %d: tle opened %q (err %q), want %x", i, good.OK, good.Err, pt)
		}
		if bad.Err == "" {
			t.Errorf("payload %d: tle opened our ciphertext with the invalid signature", i)
		}
	}
}

// TestWeDecryptUpstreamTLE: ciphertexts the tle crate makes for quicknet
// round 1000 are opened by Decrypt with the real beacon signature, and our
// encoder reproduces their bytes exactly from what Decode read.
func TestWeDecryptUpstreamTLE(t *testing.T) {
	pts := testPayloads()
	var reqs []map[string]string
	for i, pt := range pts {
		key := bytes.Repeat([]byte{byte(i + 1)}, 32)
		reqs = append(reqs, map[string]string{"op": "encrypt", "id": hex.EncodeToString(Identity(quicknetRound)),
			"msg": hex.EncodeToString(pt), "key": hex.EncodeToString(key), "pk": hex.EncodeToString(Quicknet.PublicKey)})
	}
	ans := upstream(t, reqs)
	sig := unhex(t, quicknetSig)
	for i, pt := range pts {
		if ans[i].Err != "" {
			t.Fatalf("tle encrypt %d: %s", i, ans[i].Err)
		}
		ctBytes := unhex(t, ans[i].OK)
		got, err := Decrypt(ctBytes, sig)
		if err != nil || !bytes.Equal(got, pt) {
			t.Errorf("payload %d: Decrypt = %x, %v; want %x", i, got, err, pt)
		}
		ct, n, err := Decode(ctBytes)
		if err != nil || n != len(ctBytes) || !bytes.Equal(ct.Bytes(), ctBytes) {
			t.Errorf("payload %d: Decode/Bytes does not reproduce tle's %d bytes (read %d, %v)", i, len(ctBytes), n, err)
		}
		if string(ct.CipherSuite) != CipherSuite {
			t.Errorf("cipher suite %q", ct.CipherSuite)
		}
		if _, err := Decrypt(ctBytes, unhex(t, badQuicknetSig)); err == nil {
			t.Errorf("payload %d: opened with the invalid signature", i)
		}
	}
}
