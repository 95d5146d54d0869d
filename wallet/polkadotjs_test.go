package wallet

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// TestPolkadotJSONVector imports a backup written by @polkadot/keyring
// 14.0.3 (pair.toJson) for the spec mnemonic.
func TestPolkadotJSONVector(t *testing.T) {
	data := readTestdata(t, "polkadotjs_backup.json")
	kp, err := FromPolkadotJSON(data, vectorPassword)
	if err != nil {
		t.Fatal(err)
	}
	if kp.SS58Address() != specSS58 {
		t.Fatalf("address %s", kp.SS58Address())
	}
	sig, _ := kp.Sign([]byte("m"))
	if !kp.Verify([]byte("m"), sig) {
		t.Fatal("imported key cannot sign")
	}
	if _, err := FromPolkadotJSON(data, "wrong"); !errors.Is(err, ErrWrongPassword) {
		t.Fatalf("wrong password: %v", err)
	}
}

func TestPolkadotJSONRejects(t *testing.T) {
	var m map[string]any
	json.Unmarshal(readTestdata(t, "polkadotjs_backup.json"), &m)
	mut := func(f func(map[string]any)) []byte {
		c := map[string]any{}
		b, _ := json.Marshal(m)
		json.Unmarshal(b, &c)
		f(c)
		out, _ := json.Marshal(c)
		return out
	}
	enc, _ := base64.StdEncoding.DecodeString(m["encoded"].(string))
	hugeN := append([]byte{}, enc...)
	hugeN[35] = 0x40 // N = 2^30
	cases := map[string][]byte{
		"not json":     []byte("nope"),
		"version":      mut(func(c map[string]any) { c["encoding"].(map[string]any)["version"] = "2" }),
		"ed25519":      mut(func(c map[string]any) { c["encoding"].(map[string]any)["content"] = []string{"pkcs8", "ed25519"} }),
		"cipher":       mut(func(c map[string]any) { c["encoding"].(map[string]any)["type"] = []string{"scrypt", "aes"} }),
		"not base64":   mut(func(c map[string]any) { c["encoded"] = "!!" }),
		"truncated":    mut(func(c map[string]any) { c["encoded"] = base64.StdEncoding.EncodeToString(enc[:50]) }),
		"short params": mut(func(c map[string]any) { c["encoded"] = base64.StdEncoding.EncodeToString(enc[:40]) }),
		"huge N":       mut(func(c map[string]any) { c["encoded"] = base64.StdEncoding.EncodeToString(hugeN) }),
		"address":      mut(func(c map[string]any) { c["address"] = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY" }),
		"huge":         []byte(strings.Repeat(" ", maxKeyfileSize+1)),
	}
	for name, data := range cases {
		if _, err := FromPolkadotJSON(data, vectorPassword); !errors.Is(err, ErrBadBackup) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func FuzzFromPolkadotJSON(f *testing.F) {
	f.Add(readTestdata(f, "polkadotjs_backup.json"), vectorPassword)
	f.Add([]byte(`{"encoded":"AAAA","encoding":{"content":["pkcs8","sr25519"],"type":["xsalsa20-poly1305"],"version":"3"}}`), "pw")
	f.Add([]byte(`{}`), "")
	f.Fuzz(func(t *testing.T, data []byte, pw string) {
		kp, err := FromPolkadotJSON(data, pw)
		if err != nil {
			if !errors.Is(err, ErrBadBackup) && !errors.Is(err, ErrWrongPassword) {
				t.Fatalf("unclassified error %v", err)
			}
			return
		}
		if kp == nil {
			t.Fatal("nil key without error")
		}
	})
}
