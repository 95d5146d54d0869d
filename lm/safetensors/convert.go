package safetensors

import (
	"encoding/binary"
	"fmt"
	"math"
	"unsafe"

	"github.com/x448/float16"
)

// littleEndian is true on little-endian machines, where F32 data can be copied.
var littleEndian = binary.NativeEndian.Uint16([]byte{1, 0}) == 1

// decodeFloat32 converts little-endian raw bytes of dtype d into dst.
func decodeFloat32(d DType, raw []byte, dst []float32) error {
	switch d {
	case F32:
		if littleEndian && len(dst) > 0 && uintptr(unsafe.Pointer(&raw[0]))%4 == 0 {
			// Same bytes in memory: copy at memmove speed.
			copy(dst, unsafe.Slice((*float32)(unsafe.Pointer(&raw[0])), len(dst)))
			return nil
		}
		for i := range dst {
			dst[i] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:]))
		}
	case F16:
		for i := range dst {
			dst[i] = float16.Frombits(binary.LittleEndian.Uint16(raw[2*i:])).Float32()
		}
	case BF16:
		// bfloat16 is the top half of an IEEE float32.
		for i := range dst {
			dst[i] = math.Float32frombits(uint32(binary.LittleEndian.Uint16(raw[2*i:])) << 16)
		}
	case F64:
		for i := range dst {
			dst[i] = float32(math.Float64frombits(binary.LittleEndian.Uint64(raw[8*i:])))
		}
	default:
		return fmt.Errorf("dtype %s cannot be converted to float32", d)
	}
	return nil
}

// encodeFloat32 converts src to little-endian bytes of dtype d.
func encodeFloat32(d DType, src []float32) ([]byte, error) {
	size := d.Size()
	switch d {
	case F32, F16, BF16, F64:
	default:
		return nil, fmt.Errorf("dtype %q cannot be written from float32 (want F32, F16, BF16 or F64)", d)
	}
	out := make([]byte, len(src)*size)
	for i, v := range src {
		switch d {
		case F32:
			binary.LittleEndian.PutUint32(out[4*i:], math.Float32bits(v))
		case F16:
			binary.LittleEndian.PutUint16(out[2*i:], float16.Fromfloat32(v).Bits())
		case BF16:
			binary.LittleEndian.PutUint16(out[2*i:], BF16FromFloat32(v))
		case F64:
			binary.LittleEndian.PutUint64(out[8*i:], math.Float64bits(float64(v)))
		}
	}
	return out, nil
}

// BF16FromFloat32 rounds v to bfloat16 bits with round-to-nearest-even, as
// PyTorch does; NaN stays a (quiet) NaN.
func BF16FromFloat32(v float32) uint16 {
	b := math.Float32bits(v)
	if b&0x7fffffff > 0x7f800000 { // NaN: keep sign, force a quiet mantissa bit
		return uint16(b>>16) | 0x0040
	}
	b += 0x7fff + (b>>16)&1
	return uint16(b >> 16)
}

// BF16ToFloat32 widens bfloat16 bits to float32 exactly.
func BF16ToFloat32(h uint16) float32 { return math.Float32frombits(uint32(h) << 16) }

// CheckFinite returns an error naming the tensor and the first index holding a
// NaN or an infinity, so loaders can refuse broken weights precisely.
func CheckFinite(name string, v []float32) error {
	for i, x := range v {
		if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
			return fmt.Errorf("safetensors: tensor %q: non-finite value %v at index %d", name, x, i)
		}
	}
	return nil
}
