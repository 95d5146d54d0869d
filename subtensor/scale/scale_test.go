package scale

import (
	"bytes"
	"math/big"
	"testing"
)

// Compact vectors from the SCALE specification (docs.substrate.io "SCALE codec").
func TestCompactSpecVectors(t *testing.T) {
	cases := []struct {
		v   string
		enc []byte
	}{
		{"0", []byte{0x00}},
		{"1", []byte{0x04}},
		{"42", []byte{0xa8}},
		{"69", []byte{0x15, 0x01}},
		{"65535", []byte{0xfe, 0xff, 0x03, 0x00}},
		{"100000000000000", []byte{0x0b, 0x00, 0x40, 0x7a, 0x10, 0xf3, 0x5a}},
		{"1073741824", []byte{0x03, 0x00, 0x00, 0x00, 0x40}},
	}
	for _, c := range cases {
		n, _ := new(big.Int).SetString(c.v, 10)
		var e Encoder
		if err := e.Compact(n); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(e.Bytes(), c.enc) {
			t.Errorf("compact(%s) = %x, want %x", c.v, e.Bytes(), c.enc)
		}
		got, err := NewDecoder(c.enc).Compact()
		if err != nil || got.Cmp(n) != 0 {
			t.Errorf("decode %x = %v (%v), want %s", c.enc, got, err, c.v)
		}
	}
}

func TestSignedIntegers(t *testing.T) {
	var e Encoder
	if err := e.UintN(big.NewInt(-2), 2, true); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(e.Bytes(), []byte{0xfe, 0xff}) {
		t.Fatalf("i16(-2) = %x", e.Bytes())
	}
	v, err := NewDecoder(e.Bytes()).IntN(2)
	if err != nil || v.Int64() != -2 {
		t.Fatalf("decode = %v %v", v, err)
	}
	if err := e.UintN(big.NewInt(256), 1, false); err == nil {
		t.Fatal("u8(256) accepted")
	}
}

func TestHostileLengths(t *testing.T) {
	// A length of 2^30 with three bytes behind it must fail before allocating.
	d := NewDecoder([]byte{0x03, 0x00, 0x00, 0x00, 0x40, 1, 2, 3})
	if _, err := d.ByteVec(); err == nil {
		t.Fatal("huge length accepted")
	}
	if _, err := NewDecoder([]byte{0x02}).Bool(); err == nil {
		t.Fatal("bool 2 accepted")
	}
}

// FuzzCompact: decoding never panics and a decoded compact re-encodes to the
// same (canonical) bytes or was non-canonical.
func FuzzCompact(f *testing.F) {
	f.Add([]byte{0x0b, 0x00, 0x40, 0x7a, 0x10, 0xf3, 0x5a})
	f.Add([]byte{0xff})
	f.Fuzz(func(t *testing.T, b []byte) {
		d := NewDecoder(b)
		v, err := d.Compact()
		if err != nil {
			return
		}
		var e Encoder
		if err := e.Compact(v); err != nil {
			t.Fatal(err)
		}
		back, err := NewDecoder(e.Bytes()).Compact()
		if err != nil || back.Cmp(v) != 0 {
			t.Fatalf("round trip of %v failed", v)
		}
	})
}
