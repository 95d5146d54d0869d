package kernels

import (
	"encoding/binary"
	"math"
	"testing"

	"github.com/x448/float16"
)

// TestWidenF16 compares every one of the 65536 half values with the
// x448/float16 library's conversion (bit for bit, NaN payloads included).
func TestWidenF16(t *testing.T) {
	src := make([]byte, 2*65536)
	for i := 0; i < 65536; i++ {
		binary.LittleEndian.PutUint16(src[2*i:], uint16(i))
	}
	dst := make([]float32, 65536)
	WidenF16(dst, src)
	for i, v := range dst {
		want := float16.Frombits(uint16(i)).Float32()
		if math.Float32bits(v) != math.Float32bits(want) {
			t.Fatalf("half %#04x: %v (%#08x), want %v (%#08x)", i, v, math.Float32bits(v), want, math.Float32bits(want))
		}
	}
}

func TestWidenBF16(t *testing.T) {
	src := make([]byte, 2*65536)
	for i := 0; i < 65536; i++ {
		binary.LittleEndian.PutUint16(src[2*i:], uint16(i))
	}
	dst := make([]float32, 65536)
	WidenBF16(dst, src)
	for i, v := range dst {
		if math.Float32bits(v) != uint32(i)<<16 {
			t.Fatalf("bf16 %#04x widened to %#08x", i, math.Float32bits(v))
		}
	}
}
