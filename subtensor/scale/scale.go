package scale

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math/big"
)

// ErrShort is returned when the input ends before a value does.
var ErrShort = errors.New("scale: input too short")

// Decoder reads SCALE values from a byte slice.
type Decoder struct {
	b   []byte
	off int
}

// NewDecoder returns a decoder over b.
func NewDecoder(b []byte) *Decoder { return &Decoder{b: b} }

// Remaining is the number of unread bytes.
func (d *Decoder) Remaining() int { return len(d.b) - d.off }

// Offset is the number of bytes read so far.
func (d *Decoder) Offset() int { return d.off }

// Bytes reads n raw bytes (a sub-slice of the input; callers copy if they keep it).
func (d *Decoder) Bytes(n int) ([]byte, error) {
	if n < 0 || n > d.Remaining() {
		return nil, fmt.Errorf("%w: need %d bytes at offset %d, have %d", ErrShort, n, d.off, d.Remaining())
	}
	out := d.b[d.off : d.off+n]
	d.off += n
	return out, nil
}

// U8 reads one byte.
func (d *Decoder) U8() (uint8, error) {
	b, err := d.Bytes(1)
	if err != nil {
		return 0, err
	}
	return b[0], nil
}

// Bool reads a SCALE bool (0 or 1; anything else is an error).
func (d *Decoder) Bool() (bool, error) {
	v, err := d.U8()
	if err != nil {
		return false, err
	}
	switch v {
	case 0:
		return false, nil
	case 1:
		return true, nil
	}
	return false, fmt.Errorf("scale: invalid bool byte %#x at offset %d", v, d.off-1)
}

// U16 reads a little-endian u16.
func (d *Decoder) U16() (uint16, error) {
	b, err := d.Bytes(2)
	if err != nil {
		return 0, err
	}
	return binary.LittleEndian.Uint16(b), nil
}

// U32 reads a little-endian u32.
func (d *Decoder) U32() (uint32, error) {
	b, err := d.Bytes(4)
	if err != nil {
		return 0, err
	}
	return binary.LittleEndian.Uint32(b), nil
}

// U64 reads a little-endian u64.
func (d *Decoder) U64() (uint64, error) {
	b, err := d.Bytes(8)
	if err != nil {
		return 0, err
	}
	return binary.LittleEndian.Uint64(b), nil
}

// UintN reads an n-byte little-endian unsigned integer (n up to 32) as a big.Int.
func (d *Decoder) UintN(n int) (*big.Int, error) {
	b, err := d.Bytes(n)
	if err != nil {
		return nil, err
	}
	return new(big.Int).SetBytes(reverse(b)), nil
}

// IntN reads an n-byte little-endian two's-complement integer as a big.Int.
func (d *Decoder) IntN(n int) (*big.Int, error) {
	v, err := d.UintN(n)
	if err != nil {
		return nil, err
	}
	if n > 0 && v.Bit(8*n-1) == 1 {
		v.Sub(v, new(big.Int).Lsh(big.NewInt(1), uint(8*n)))
	}
	return v, nil
}

// Compact reads a compact-encoded unsigned integer.
func (d *Decoder) Compact() (*big.Int, error) {
	first, err := d.U8()
	if err != nil {
		return nil, err
	}
	switch first & 3 {
	case 0:
		return big.NewInt(int64(first >> 2)), nil
	case 1:
		second, err := d.U8()
		if err != nil {
			return nil, err
		}
		v := int64(uint16(first)|uint16(second)<<8) >> 2
		if v < 1<<6 {
			return nil, errNonCanonical(d.off - 2)
		}
		return big.NewInt(v), nil
	case 2:
		rest, err := d.Bytes(3)
		if err != nil {
			return nil, err
		}
		v := uint32(first) | uint32(rest[0])<<8 | uint32(rest[1])<<16 | uint32(rest[2])<<24
		if v>>2 < 1<<14 {
			return nil, errNonCanonical(d.off - 4)
		}
		return big.NewInt(int64(v >> 2)), nil
	}
	n := int(first>>2) + 4
	start := d.off - 1
	v, err := d.UintN(n)
	if err != nil {
		return nil, err
	}
	// parity-scale-codec rejects big-integer mode for values that fit the
	// shorter modes and byte counts with a zero top byte; so do we, so that
	// every accepted encoding is the one the chain would produce.
	if v.BitLen() <= 30 || (v.BitLen()+7)/8 != n {
		return nil, errNonCanonical(start)
	}
	return v, nil
}

func errNonCanonical(off int) error {
	return fmt.Errorf("scale: non-canonical compact integer at offset %d", off)
}

// CompactU64 reads a compact integer that must fit in 64 bits.
func (d *Decoder) CompactU64() (uint64, error) {
	v, err := d.Compact()
	if err != nil {
		return 0, err
	}
	if !v.IsUint64() {
		return 0, fmt.Errorf("scale: compact %s overflows u64", v)
	}
	return v.Uint64(), nil
}

// Len reads a compact length prefix and checks that at least minElem*len bytes
// remain, so a hostile length cannot make the caller allocate unbounded memory.
func (d *Decoder) Len(minElem int) (int, error) {
	v, err := d.CompactU64()
	if err != nil {
		return 0, err
	}
	if minElem < 1 {
		minElem = 1
	}
	if v > uint64(d.Remaining()/minElem) {
		// Zero-sized elements can legally repeat; cap them at a sane bound.
		if minElem == 1 && d.Remaining() == 0 && v == 0 {
			return 0, nil
		}
		return 0, fmt.Errorf("%w: length %d at offset %d exceeds the %d bytes left", ErrShort, v, d.off, d.Remaining())
	}
	return int(v), nil
}

// ByteVec reads a compact-length-prefixed byte string (Vec<u8>).
func (d *Decoder) ByteVec() ([]byte, error) {
	n, err := d.Len(1)
	if err != nil {
		return nil, err
	}
	b, err := d.Bytes(n)
	if err != nil {
		return nil, err
	}
	return append([]byte(nil), b...), nil
}

// String reads a compact-length-prefixed UTF-8 string (not validated: the
// runtime's own strings are ASCII and an invalid byte should not lose data).
func (d *Decoder) String() (string, error) {
	b, err := d.ByteVec()
	return string(b), err
}

// Encoder appends SCALE values to a buffer.
type Encoder struct{ B []byte }

// Bytes returns the encoded bytes.
func (e *Encoder) Bytes() []byte { return e.B }

// Raw appends bytes as they are.
func (e *Encoder) Raw(b []byte) { e.B = append(e.B, b...) }

// U8 appends a byte.
func (e *Encoder) U8(v uint8) { e.B = append(e.B, v) }

// Bool appends a bool.
func (e *Encoder) Bool(v bool) {
	if v {
		e.U8(1)
	} else {
		e.U8(0)
	}
}

// U16 appends a little-endian u16.
func (e *Encoder) U16(v uint16) { e.B = binary.LittleEndian.AppendUint16(e.B, v) }

// U32 appends a little-endian u32.
func (e *Encoder) U32(v uint32) { e.B = binary.LittleEndian.AppendUint32(e.B, v) }

// U64 appends a little-endian u64.
func (e *Encoder) U64(v uint64) { e.B = binary.LittleEndian.AppendUint64(e.B, v) }

// UintN appends v as an n-byte little-endian integer; negative values are
// written in two's complement. It fails when v does not fit.
func (e *Encoder) UintN(v *big.Int, n int, signed bool) error {
	x := new(big.Int).Set(v)
	lim := new(big.Int).Lsh(big.NewInt(1), uint(8*n))
	if signed {
		half := new(big.Int).Rsh(lim, 1)
		if x.Cmp(half) >= 0 || x.Cmp(new(big.Int).Neg(half)) < 0 {
			return fmt.Errorf("scale: %s does not fit in i%d", v, 8*n)
		}
		if x.Sign() < 0 {
			x.Add(x, lim)
		}
	} else if x.Sign() < 0 || x.Cmp(lim) >= 0 {
		return fmt.Errorf("scale: %s does not fit in u%d", v, 8*n)
	}
	buf := make([]byte, n)
	x.FillBytes(buf)
	e.B = append(e.B, reverse(buf)...)
	return nil
}

// Compact appends a compact-encoded unsigned integer.
func (e *Encoder) Compact(v *big.Int) error {
	if v.Sign() < 0 {
		return fmt.Errorf("scale: compact of negative %s", v)
	}
	if v.IsUint64() && v.Uint64() < 1<<30 {
		e.CompactU64(v.Uint64())
		return nil
	}
	b := reverse(v.Bytes())
	if len(b) > 67 {
		return fmt.Errorf("scale: compact %s too large", v)
	}
	if len(b) < 4 {
		b = append(b, make([]byte, 4-len(b))...)
	}
	e.U8(byte(len(b)-4)<<2 | 3)
	e.Raw(b)
	return nil
}

// CompactU64 appends a compact-encoded u64.
func (e *Encoder) CompactU64(v uint64) {
	switch {
	case v < 1<<6:
		e.U8(byte(v << 2))
	case v < 1<<14:
		e.U16(uint16(v<<2 | 1))
	case v < 1<<30:
		e.U32(uint32(v<<2 | 2))
	default:
		_ = e.Compact(new(big.Int).SetUint64(v))
	}
}

// ByteVec appends a compact-length-prefixed byte string.
func (e *Encoder) ByteVec(b []byte) {
	e.CompactU64(uint64(len(b)))
	e.Raw(b)
}

func reverse(b []byte) []byte {
	out := make([]byte, len(b))
	for i, c := range b {
		out[len(b)-1-i] = c
	}
	return out
}
