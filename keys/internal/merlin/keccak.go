package merlin

import (
	"encoding/binary"
	"math/bits"
)

// Keccak-f[1600] as FIPS 202 §3 defines it. The state is 25 lanes of 64
// bits, lane (x, y) at index x+5y, stored little-endian in 200 bytes (the
// byte order STROBE and SHA-3 both use). The constants are derived from the
// specification's own algorithms at start-up rather than typed in.

// rhoOffsets[x+5y] is the ρ rotation of lane (x, y) (FIPS 202 Algorithm 2:
// starting at (1, 0), the t-th lane visited rotates by (t+1)(t+2)/2).
// piDest[x+5y] is where π moves lane (x, y): A'[x', y'] = A[x'+3y', x'], so
// lane (x, y) lands at (y, 2x+3y) (Algorithm 3).
var rhoOffsets, piDest = func() (rho [25]int, dest [25]int) {
	x, y := 1, 0
	for t := 0; t < 24; t++ {
		rho[x+5*y] = ((t + 1) * (t + 2) / 2) % 64
		x, y = y, (2*x+3*y)%5
	}
	for x := 0; x < 5; x++ {
		for y := 0; y < 5; y++ {
			dest[x+5*y] = y + 5*((2*x+3*y)%5)
		}
	}
	return rho, dest
}()

// roundConstants[i] is RC of round i for ι (FIPS 202 Algorithm 6): bit
// 2^j−1 of RC is rc(j+7i).
var roundConstants = func() (rcs [24]uint64) {
	for i := range rcs {
		for j := 0; j <= 6; j++ {
			rcs[i] |= rc(j+7*i) << ((1 << j) - 1)
		}
	}
	return rcs
}()

// rc is FIPS 202 Algorithm 5, the output of the LFSR with polynomial
// x^8+x^6+x^5+x^4+1. Bit i of r is the specification's R[i]: prepending a 0
// is a left shift, and the feedback of R[8] into R[0], R[4], R[5], R[6]
// (then truncating to 8 bits) is one XOR with 0x171.
func rc(t int) uint64 {
	r := uint16(1)
	for i := 1; i <= t%255; i++ {
		r <<= 1
		if r&0x100 != 0 {
			r ^= 0x171
		}
	}
	return uint64(r & 1)
}

// keccakF1600 applies the 24-round permutation to the 200-byte state.
func keccakF1600(s *[200]byte) {
	var a [25]uint64
	for i := range a {
		a[i] = binary.LittleEndian.Uint64(s[8*i:])
	}
	permute(&a)
	for i := range a {
		binary.LittleEndian.PutUint64(s[8*i:], a[i])
	}
}

// permute is Keccak-p[1600, 24] on lanes: θ, ρ and π, χ, ι per round,
// with each round written out lane by lane (the looped form, kept in the
// tests as permuteReference, is several times slower). Lane (x, y) is
// a[x+5y]; the rotation amounts are rhoOffsets, the moves piDest.
func permute(a *[25]uint64) {
	a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15, a16, a17, a18, a19, a20, a21, a22, a23, a24 := a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11], a[12], a[13], a[14], a[15], a[16], a[17], a[18], a[19], a[20], a[21], a[22], a[23], a[24]
	for round := 0; round < 24; round++ {
		// θ
		c0 := a0 ^ a5 ^ a10 ^ a15 ^ a20
		c1 := a1 ^ a6 ^ a11 ^ a16 ^ a21
		c2 := a2 ^ a7 ^ a12 ^ a17 ^ a22
		c3 := a3 ^ a8 ^ a13 ^ a18 ^ a23
		c4 := a4 ^ a9 ^ a14 ^ a19 ^ a24
		d0 := c4 ^ bits.RotateLeft64(c1, 1)
		d1 := c0 ^ bits.RotateLeft64(c2, 1)
		d2 := c1 ^ bits.RotateLeft64(c3, 1)
		d3 := c2 ^ bits.RotateLeft64(c4, 1)
		d4 := c3 ^ bits.RotateLeft64(c0, 1)
		// ρ and π: b[piDest[i]] = (a[i] ^ d[x]) rotated by rhoOffsets[i]
		b0 := a0 ^ d0
		b1 := bits.RotateLeft64(a6^d1, 44)
		b2 := bits.RotateLeft64(a12^d2, 43)
		b3 := bits.RotateLeft64(a18^d3, 21)
		b4 := bits.RotateLeft64(a24^d4, 14)
		b5 := bits.RotateLeft64(a3^d3, 28)
		b6 := bits.RotateLeft64(a9^d4, 20)
		b7 := bits.RotateLeft64(a10^d0, 3)
		b8 := bits.RotateLeft64(a16^d1, 45)
		b9 := bits.RotateLeft64(a22^d2, 61)
		b10 := bits.RotateLeft64(a1^d1, 1)
		b11 := bits.RotateLeft64(a7^d2, 6)
		b12 := bits.RotateLeft64(a13^d3, 25)
		b13 := bits.RotateLeft64(a19^d4, 8)
		b14 := bits.RotateLeft64(a20^d0, 18)
		b15 := bits.RotateLeft64(a4^d4, 27)
		b16 := bits.RotateLeft64(a5^d0, 36)
		b17 := bits.RotateLeft64(a11^d1, 10)
		b18 := bits.RotateLeft64(a17^d2, 15)
		b19 := bits.RotateLeft64(a23^d3, 56)
		b20 := bits.RotateLeft64(a2^d2, 62)
		b21 := bits.RotateLeft64(a8^d3, 55)
		b22 := bits.RotateLeft64(a14^d4, 39)
		b23 := bits.RotateLeft64(a15^d0, 41)
		b24 := bits.RotateLeft64(a21^d1, 2)
		// χ
		a0 = b0 ^ (^b1 & b2)
		a1 = b1 ^ (^b2 & b3)
		a2 = b2 ^ (^b3 & b4)
		a3 = b3 ^ (^b4 & b0)
		a4 = b4 ^ (^b0 & b1)
		a5 = b5 ^ (^b6 & b7)
		a6 = b6 ^ (^b7 & b8)
		a7 = b7 ^ (^b8 & b9)
		a8 = b8 ^ (^b9 & b5)
		a9 = b9 ^ (^b5 & b6)
		a10 = b10 ^ (^b11 & b12)
		a11 = b11 ^ (^b12 & b13)
		a12 = b12 ^ (^b13 & b14)
		a13 = b13 ^ (^b14 & b10)
		a14 = b14 ^ (^b10 & b11)
		a15 = b15 ^ (^b16 & b17)
		a16 = b16 ^ (^b17 & b18)
		a17 = b17 ^ (^b18 & b19)
		a18 = b18 ^ (^b19 & b15)
		a19 = b19 ^ (^b15 & b16)
		a20 = b20 ^ (^b21 & b22)
		a21 = b21 ^ (^b22 & b23)
		a22 = b22 ^ (^b23 & b24)
		a23 = b23 ^ (^b24 & b20)
		a24 = b24 ^ (^b20 & b21)
		// ι
		a0 ^= roundConstants[round]
	}
	a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11], a[12], a[13], a[14], a[15], a[16], a[17], a[18], a[19], a[20], a[21], a[22], a[23], a[24] = a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15, a16, a17, a18, a19, a20, a21, a22, a23, a24
}
