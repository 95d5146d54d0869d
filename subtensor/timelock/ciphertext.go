package timelock

import (
	"encoding/binary"
	"errors"
	"fmt"

	bls "github.com/cloudflare/circl/ecc/bls12381"
)

// Ciphertext is tle's TLECiphertext<TinyBLS381>:
//
//	header: IBE Ciphertext { u: G2, v: Vec<u8>, w: Vec<u8> }
//	body: Vec<u8>          (AESOutput { ciphertext: Vec<u8>, nonce: Vec<u8> }, itself serialized)
//	cipher_suite: Vec<u8>  ("AES_GCM_")
//
// in ark-serialize's compressed encoding: the G2 point in 96 bytes (BLS12-381
// as ark-bls12-381 encodes it: x = c1‖c0 big-endian, the top three bits of the
// first byte flag compressed (0x80), infinity (0x40) and the lexicographically
// larger y (0x20) — the zcash layout), and each Vec<u8> as its length in a
// little-endian u64 followed by the bytes (not SCALE's compact length).
type Ciphertext struct {
	U           *bls.G2
	V, W        []byte
	Body        []byte
	CipherSuite []byte
}

// Bytes is the ark-serialize compressed encoding.
func (ct *Ciphertext) Bytes() []byte {
	out := make([]byte, 0, bls.G2SizeCompressed+4*8+len(ct.V)+len(ct.W)+len(ct.Body)+len(ct.CipherSuite))
	out = append(out, ct.U.BytesCompressed()...)
	out = appendVec(out, ct.V)
	out = appendVec(out, ct.W)
	out = appendVec(out, ct.Body)
	return appendVec(out, ct.CipherSuite)
}

// AES splits the body into tle's AESOutput fields.
func (ct *Ciphertext) AES() (ciphertext, nonce []byte, err error) {
	r := arkReader{b: ct.Body}
	if ciphertext, err = r.vec("AES ciphertext"); err != nil {
		return nil, nil, err
	}
	if nonce, err = r.vec("AES nonce"); err != nil {
		return nil, nil, err
	}
	return ciphertext, nonce, nil
}

// Decode reads a compressed TLECiphertext from the front of b, validating
// the point (on the curve and in G2, as ark-serialize's
// deserialize_compressed does), and returns it with the number of bytes it
// took. Like the chain's reader it leaves trailing bytes alone.
func Decode(b []byte) (*Ciphertext, int, error) {
	if len(b) < bls.G2SizeCompressed {
		return nil, 0, fmt.Errorf("timelock: ciphertext is %d bytes, shorter than its %d-byte G2 header point", len(b), bls.G2SizeCompressed)
	}
	u := new(bls.G2)
	if err := setCompressed(u, b[:bls.G2SizeCompressed]); err != nil {
		return nil, 0, fmt.Errorf("timelock: ciphertext header point: %w", err)
	}
	ct := &Ciphertext{U: u}
	r := arkReader{b: b, off: bls.G2SizeCompressed}
	var err error
	for _, f := range []struct {
		dst  *[]byte
		name string
	}{{&ct.V, "IBE v"}, {&ct.W, "IBE w"}, {&ct.Body, "body"}, {&ct.CipherSuite, "cipher suite"}} {
		if *f.dst, err = r.vec(f.name); err != nil {
			return nil, 0, err
		}
	}
	return ct, r.off, nil
}

// arkReader reads ark-serialize Vec<u8>s: a u64 little-endian length, then
// that many bytes, never trusting the length past the bytes that remain.
type arkReader struct {
	b   []byte
	off int
}

func (r *arkReader) vec(what string) ([]byte, error) {
	if len(r.b)-r.off < 8 {
		return nil, fmt.Errorf("timelock: ciphertext ends before the length of its %s (offset %d)", what, r.off)
	}
	n := binary.LittleEndian.Uint64(r.b[r.off:])
	r.off += 8
	if n > uint64(len(r.b)-r.off) {
		return nil, fmt.Errorf("timelock: %s length %d at offset %d exceeds the %d bytes left", what, n, r.off-8, len(r.b)-r.off)
	}
	v := append([]byte{}, r.b[r.off:r.off+int(n)]...)
	r.off += int(n)
	return v, nil
}

func appendVec(out, v []byte) []byte {
	out = binary.LittleEndian.AppendUint64(out, uint64(len(v)))
	return append(out, v...)
}

// point is circl's G1 or G2.
type point interface{ SetBytes([]byte) error }

// setCompressed parses a compressed point. The compression flag is checked
// first: ark-serialize's compressed reader requires it, and circl would
// read an uncompressed point's full length past a compressed-size slice.
func setCompressed(p point, b []byte) error {
	if len(b) == 0 || b[0]&0x80 == 0 {
		return errors.New("not a compressed point (flag bit 0x80 clear)")
	}
	return p.SetBytes(b)
}
