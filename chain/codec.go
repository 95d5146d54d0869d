package chain

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// writer appends the fixed-width big-endian canonical encoding.
type writer struct{ b []byte }

func (w *writer) u8(v uint8)   { w.b = append(w.b, v) }
func (w *writer) u16(v uint16) { w.b = binary.BigEndian.AppendUint16(w.b, v) }
func (w *writer) u32(v uint32) { w.b = binary.BigEndian.AppendUint32(w.b, v) }
func (w *writer) u64(v uint64) { w.b = binary.BigEndian.AppendUint64(w.b, v) }
func (w *writer) boolean(v bool) {
	if v {
		w.u8(1)
	} else {
		w.u8(0)
	}
}

// str writes a u16-length-prefixed string.
func (w *writer) str(s string) {
	w.u16(uint16(len(s)))
	w.b = append(w.b, s...)
}

// bytes32 writes a u32-length-prefixed byte slice.
func (w *writer) bytes32(p []byte) {
	w.u32(uint32(len(p)))
	w.b = append(w.b, p...)
}

func (w *writer) u16s(v []uint16) {
	w.u32(uint32(len(v)))
	for _, x := range v {
		w.u16(x)
	}
}

// errShort is returned when the input ends early.
var errShort = errors.New("unexpected end of input")

// reader decodes what writer wrote, remembering the first error.
type reader struct {
	b   []byte
	err error
}

func (r *reader) fail(err error) {
	if r.err == nil {
		r.err = err
	}
}

func (r *reader) take(n int) []byte {
	if r.err != nil {
		return nil
	}
	if n < 0 || len(r.b) < n {
		r.fail(errShort)
		return nil
	}
	p := r.b[:n]
	r.b = r.b[n:]
	return p
}

func (r *reader) u8() uint8 {
	p := r.take(1)
	if p == nil {
		return 0
	}
	return p[0]
}

func (r *reader) u16() uint16 {
	p := r.take(2)
	if p == nil {
		return 0
	}
	return binary.BigEndian.Uint16(p)
}

func (r *reader) u32() uint32 {
	p := r.take(4)
	if p == nil {
		return 0
	}
	return binary.BigEndian.Uint32(p)
}

func (r *reader) u64() uint64 {
	p := r.take(8)
	if p == nil {
		return 0
	}
	return binary.BigEndian.Uint64(p)
}

func (r *reader) boolean() bool {
	v := r.u8()
	if v > 1 {
		r.fail(fmt.Errorf("invalid bool byte %d", v))
	}
	return v == 1
}

func (r *reader) str(max int) string {
	n := int(r.u16())
	if n > max {
		r.fail(fmt.Errorf("string of %d bytes exceeds %d", n, max))
		return ""
	}
	return string(r.take(n))
}

func (r *reader) bytes32(max int) []byte {
	n := r.u32()
	if uint64(n) > uint64(max) {
		r.fail(fmt.Errorf("byte string of %d bytes exceeds %d", n, max))
		return nil
	}
	p := r.take(int(n))
	if p == nil {
		return nil
	}
	return append([]byte(nil), p...)
}

// count reads a u32 element count, bounded by max and by the bytes left
// (each element takes at least minSize bytes), so hostile counts cannot allocate.
func (r *reader) count(max, minSize int) int {
	n := r.u32()
	if r.err != nil {
		return 0
	}
	if uint64(n) > uint64(max) {
		r.fail(fmt.Errorf("count %d exceeds %d", n, max))
		return 0
	}
	if minSize > 0 && uint64(n)*uint64(minSize) > uint64(len(r.b)) {
		r.fail(errShort)
		return 0
	}
	return int(n)
}

func (r *reader) u16s(max int) []uint16 {
	n := r.count(max, 2)
	if r.err != nil {
		return nil
	}
	v := make([]uint16, n)
	for i := range v {
		v[i] = r.u16()
	}
	return v
}

// done fails unless every byte was consumed (canonical: no trailing data).
func (r *reader) done() error {
	if r.err == nil && len(r.b) != 0 {
		r.fail(fmt.Errorf("%d trailing bytes", len(r.b)))
	}
	return r.err
}
