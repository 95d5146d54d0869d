package metadata

import (
	"testing"

	fixture "github.com/taonet/taonet/subtensor/polkadottest"
	"github.com/taonet/taonet/subtensor/scale"
)

// FuzzDecodeMetadata: arbitrary bytes after the magic never panic or hang the
// metadata decoder; a truncated real blob is an error, not a crash.
func FuzzDecodeMetadata(f *testing.F) {
	f.Add([]byte("meta\x0e\x00"))
	f.Add([]byte("meta\x0f\x04\x00\x00\x00\x00\x00"))
	f.Add([]byte("meta\x0e\x08\x00\x00\x00\x05\x03\x00\x04\x00\x00\x00\x02\x00\x00"))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := Decode(b)
		if err == nil && m.Types == nil {
			t.Fatal("decoded without a registry")
		}
	})
}

// FuzzDecodeValue: any bytes decoded as any type of the real finney registry
// never panic, and whatever decodes re-encodes to the same bytes.
func FuzzDecodeValue(f *testing.F) {
	mat := fixture.Load(f, fixture.Finney)
	m, err := Decode(mat.Metadata)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(uint32(0), make([]byte, 32))
	f.Add(uint32(3), []byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40})
	f.Add(uint32(275), []byte{5, 'h', 'e', 'l', 'l'})
	f.Fuzz(func(t *testing.T, id uint32, b []byte) {
		id %= uint32(m.Types.Len())
		d := scale.NewDecoder(b)
		v, err := m.DecodeValue(id, d)
		if err != nil {
			return
		}
		enc, err := m.Encode(id, v)
		if err != nil {
			ty, _ := m.Types.Type(id)
			if ty.Kind == KindBitSequence || containsBits(m, id, 0) {
				return // bit sequences are decoded for reading only
			}
			t.Fatalf("type %d (%s): decoded %v but cannot re-encode: %v", id, ty.PathString(), v, err)
		}
		if string(enc) != string(b[:d.Offset()]) {
			t.Fatalf("type %d: re-encoding %x differs from input %x", id, enc, b[:d.Offset()])
		}
	})
}

func containsBits(m *Metadata, id uint32, depth int) bool {
	t, err := m.Types.Type(id)
	if err != nil || depth > 10 {
		return depth > 10
	}
	if t.Kind == KindBitSequence {
		return true
	}
	for _, f := range t.Fields {
		if containsBits(m, f.Type, depth+1) {
			return true
		}
	}
	for _, v := range t.Variants {
		for _, f := range v.Fields {
			if containsBits(m, f.Type, depth+1) {
				return true
			}
		}
	}
	for _, x := range t.Tuple {
		if containsBits(m, x, depth+1) {
			return true
		}
	}
	if t.Kind == KindSequence || t.Kind == KindArray || t.Kind == KindCompact {
		return containsBits(m, t.Elem, depth+1)
	}
	return false
}
