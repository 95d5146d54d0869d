package timelock

import (
	"bytes"
	"errors"
	"testing"

	bls "github.com/cloudflare/circl/ecc/bls12381"
	"pgregory.net/rapid"
)

func gcmOpen(key, nonce, ct []byte) ([]byte, error) {
	g, err := newGCM(key)
	if err != nil {
		return nil, err
	}
	return g.Open(nil, nonce, ct, nil)
}

// TestCiphertextLayout pins the byte layout against tle's TLECiphertext
// serialization: 96-byte compressed G2, then u64-LE-length-prefixed v (32),
// w (32), body (AESOutput: ciphertext+tag, 12-byte nonce) and "AES_GCM_".
func TestCiphertextLayout(t *testing.T) {
	msg := []byte("payload")
	ct, err := Encrypt(Quicknet.PublicKey, 7, msg, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := 96 + 8 + 32 + 8 + 32 + 8 + (8 + len(msg) + 16 + 8 + 12) + 8 + 8
	if len(ct) != want {
		t.Fatalf("ciphertext %d bytes, want %d", len(ct), want)
	}
	if ct[0]&0xe0 != 0x80 && ct[0]&0xe0 != 0xa0 {
		t.Errorf("G2 flags %08b: want compressed, finite", ct[0]>>5)
	}
	if !bytes.Equal(ct[96:104], []byte{32, 0, 0, 0, 0, 0, 0, 0}) || !bytes.HasSuffix(ct, append([]byte{8, 0, 0, 0, 0, 0, 0, 0}, "AES_GCM_"...)) {
		t.Errorf("length prefixes or suite wrong: % x", ct[96:104])
	}
}

// TestWrongRoundRejected: a ciphertext for round 1001 does not open with
// round 1000's signature; a malformed signature is a clear error.
func TestWrongRoundRejected(t *testing.T) {
	ct, err := Encrypt(Quicknet.PublicKey, quicknetRound+1, []byte("x"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Decrypt(ct, unhex(t, quicknetSig)); !errors.Is(err, ErrWrongSignature) {
		t.Fatalf("err = %v, want ErrWrongSignature", err)
	}
	if _, err := Decrypt(ct, []byte{1, 2, 3}); err == nil {
		t.Fatal("3-byte signature accepted")
	}
	if _, err := Encrypt([]byte{1, 2}, 1, nil, nil); err == nil {
		t.Fatal("short public key accepted")
	}
}

// TestEncodeDecodeRoundTrip (property): any Ciphertext encodes and decodes
// to itself, with trailing bytes left alone.
func TestEncodeDecodeRoundTrip(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		var s bls.Scalar
		s.SetBytes(rapid.SliceOfN(rapid.Byte(), 32, 32).Draw(rt, "scalar"))
		u := new(bls.G2)
		u.ScalarMult(&s, bls.G2Generator())
		bs := func(name string) []byte { return rapid.SliceOfN(rapid.Byte(), 0, 200).Draw(rt, name) }
		ct := &Ciphertext{U: u, V: bs("v"), W: bs("w"), Body: bs("body"), CipherSuite: bs("suite")}
		enc := ct.Bytes()
		tail := bs("tail")
		got, n, err := Decode(append(append([]byte{}, enc...), tail...))
		if err != nil {
			rt.Fatalf("decode: %v", err)
		}
		if n != len(enc) || !got.U.IsEqual(u) || !bytes.Equal(got.V, ct.V) || !bytes.Equal(got.W, ct.W) ||
			!bytes.Equal(got.Body, ct.Body) || !bytes.Equal(got.CipherSuite, ct.CipherSuite) {
			rt.Fatalf("round trip changed the ciphertext")
		}
	})
}

// TestPayloadRoundTrip (property): payloads encode and decode to themselves
// in both layouts (legacy ones with 32+ uids may be taken for a foreign
// hotkey, as subtensor's reveal takes them).
func TestPayloadRoundTrip(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		var hot [32]byte
		copy(hot[:], rapid.SliceOfN(rapid.Byte(), 32, 32).Draw(rt, "hotkey"))
		n := rapid.IntRange(0, 300).Draw(rt, "n")
		p := Payload{Hotkey: hot[:], UIDs: rapid.SliceOfN(rapid.Uint16(), n, n).Draw(rt, "uids"),
			Values: rapid.SliceOfN(rapid.Uint16(), n, n).Draw(rt, "values"), VersionKey: rapid.Uint64().Draw(rt, "vk"),
			Legacy: rapid.Bool().Draw(rt, "legacy")}
		if p.Legacy {
			p.Hotkey = nil
		}
		got, err := DecodePayload(p.Encode(), hot)
		if p.Legacy && n >= 32 && errors.Is(err, ErrHotkeyMismatch) {
			// As on the chain: with 32 or more uids a legacy payload can also
			// parse in the new layout, its uids read as a foreign hotkey.
			return
		}
		if err != nil {
			rt.Fatalf("decode: %v", err)
		}
		if got.Legacy != p.Legacy || !bytes.Equal(got.Hotkey, p.Hotkey) || got.VersionKey != p.VersionKey ||
			len(got.UIDs) != n || len(got.Values) != n {
			rt.Fatalf("got %+v want %+v", got, p)
		}
		for i := range p.UIDs {
			if got.UIDs[i] != p.UIDs[i] || got.Values[i] != p.Values[i] {
				rt.Fatalf("entry %d differs", i)
			}
		}
	})
}

// TestPayloadBytes pins the SCALE layout of WeightsTlockPayload.
func TestPayloadBytes(t *testing.T) {
	hot := bytes.Repeat([]byte{0xaa}, 32)
	got := Payload{Hotkey: hot, UIDs: []uint16{1, 2}, Values: []uint16{11, 22}, VersionKey: 50}.Encode()
	want := append([]byte{0x80}, hot...) // compact(32)
	want = append(want, 0x08, 1, 0, 2, 0, 0x08, 11, 0, 22, 0, 50, 0, 0, 0, 0, 0, 0, 0)
	if !bytes.Equal(got, want) {
		t.Fatalf("payload\n% x\nwant\n% x", got, want)
	}
	var other [32]byte
	if _, err := DecodePayload(got, other); !errors.Is(err, ErrHotkeyMismatch) {
		t.Fatalf("foreign hotkey: %v", err)
	}
}

// FuzzDecode: the ciphertext decoder never panics, never reads past its
// input, and what it accepts re-encodes to the bytes it consumed.
func FuzzDecode(f *testing.F) {
	ct, _ := Encrypt(Quicknet.PublicKey, 1, []byte("seed"), nil)
	f.Add(ct)
	f.Add(ct[:100])
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		c, n, err := Decode(b)
		if err != nil {
			return
		}
		if n > len(b) || !bytes.Equal(c.Bytes(), b[:n]) {
			t.Fatalf("re-encoding differs from the %d bytes consumed", n)
		}
		_, _, _ = c.AES()
		_, _ = c.Open(make([]byte, 48))
	})
}

// FuzzDecodePayload: the payload decoder never panics on hostile plaintext.
func FuzzDecodePayload(f *testing.F) {
	f.Add(Payload{Hotkey: make([]byte, 32), UIDs: []uint16{1}, Values: []uint16{2}}.Encode())
	f.Add([]byte{0xff, 0xff, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = DecodePayload(b, [32]byte{})
	})
}

// BenchmarkEncrypt is one timelocked commit's encryption (a 200-uid payload):
// two G2 scalar multiplications, a hash to G1 and a pairing.
func BenchmarkEncrypt(b *testing.B) {
	p := Payload{Hotkey: make([]byte, 32), UIDs: make([]uint16, 200), Values: make([]uint16, 200)}.Encode()
	for b.Loop() {
		if _, err := Encrypt(Quicknet.PublicKey, quicknetRound, p, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecrypt is the chain side's work per commit: a pairing and a G2
// scalar multiplication (the U check), then AES-GCM.
func BenchmarkDecrypt(b *testing.B) {
	p := Payload{Hotkey: make([]byte, 32), UIDs: make([]uint16, 200), Values: make([]uint16, 200)}.Encode()
	ct, err := Encrypt(Quicknet.PublicKey, quicknetRound, p, nil)
	if err != nil {
		b.Fatal(err)
	}
	sig := unhex(b, quicknetSig)
	for b.Loop() {
		if _, err := Decrypt(ct, sig); err != nil {
			b.Fatal(err)
		}
	}
}
