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

// permute is Keccak-p[1600, 24] on lanes, each round θ, ρ and π, χ, ι
// written out lane by lane (the looped form, kept in the tests as
// permuteReference, is several times slower). A round reads one array and
// writes the other, so each output row needs only its five source lanes
// in registers; two rounds per iteration bring the state back to a.
// Lane (x, y) is a[x+5y]; the rotations are rhoOffsets, the moves piDest.
func permute(a *[25]uint64) {
	var e [25]uint64
	var b0, b1, b2, b3, b4, c0, c1, c2, c3, c4, d0, d1, d2, d3, d4 uint64
	for round := 0; round < 24; round += 2 {
		// round, from a to e
		c0 = a[0] ^ a[5] ^ a[10] ^ a[15] ^ a[20]
		c1 = a[1] ^ a[6] ^ a[11] ^ a[16] ^ a[21]
		c2 = a[2] ^ a[7] ^ a[12] ^ a[17] ^ a[22]
		c3 = a[3] ^ a[8] ^ a[13] ^ a[18] ^ a[23]
		c4 = a[4] ^ a[9] ^ a[14] ^ a[19] ^ a[24]
		d0 = c4 ^ bits.RotateLeft64(c1, 1)
		d1 = c0 ^ bits.RotateLeft64(c2, 1)
		d2 = c1 ^ bits.RotateLeft64(c3, 1)
		d3 = c2 ^ bits.RotateLeft64(c4, 1)
		d4 = c3 ^ bits.RotateLeft64(c0, 1)
		b0 = a[0] ^ d0
		b1 = bits.RotateLeft64(a[6]^d1, 44)
		b2 = bits.RotateLeft64(a[12]^d2, 43)
		b3 = bits.RotateLeft64(a[18]^d3, 21)
		b4 = bits.RotateLeft64(a[24]^d4, 14)
		e[0] = b0 ^ (^b1 & b2) ^ roundConstants[round]
		e[1] = b1 ^ (^b2 & b3)
		e[2] = b2 ^ (^b3 & b4)
		e[3] = b3 ^ (^b4 & b0)
		e[4] = b4 ^ (^b0 & b1)
		b0 = bits.RotateLeft64(a[3]^d3, 28)
		b1 = bits.RotateLeft64(a[9]^d4, 20)
		b2 = bits.RotateLeft64(a[10]^d0, 3)
		b3 = bits.RotateLeft64(a[16]^d1, 45)
		b4 = bits.RotateLeft64(a[22]^d2, 61)
		e[5] = b0 ^ (^b1 & b2)
		e[6] = b1 ^ (^b2 & b3)
		e[7] = b2 ^ (^b3 & b4)
		e[8] = b3 ^ (^b4 & b0)
		e[9] = b4 ^ (^b0 & b1)
		b0 = bits.RotateLeft64(a[1]^d1, 1)
		b1 = bits.RotateLeft64(a[7]^d2, 6)
		b2 = bits.RotateLeft64(a[13]^d3, 25)
		b3 = bits.RotateLeft64(a[19]^d4, 8)
		b4 = bits.RotateLeft64(a[20]^d0, 18)
		e[10] = b0 ^ (^b1 & b2)
		e[11] = b1 ^ (^b2 & b3)
		e[12] = b2 ^ (^b3 & b4)
		e[13] = b3 ^ (^b4 & b0)
		e[14] = b4 ^ (^b0 & b1)
		b0 = bits.RotateLeft64(a[4]^d4, 27)
		b1 = bits.RotateLeft64(a[5]^d0, 36)
		b2 = bits.RotateLeft64(a[11]^d1, 10)
		b3 = bits.RotateLeft64(a[17]^d2, 15)
		b4 = bits.RotateLeft64(a[23]^d3, 56)
		e[15] = b0 ^ (^b1 & b2)
		e[16] = b1 ^ (^b2 & b3)
		e[17] = b2 ^ (^b3 & b4)
		e[18] = b3 ^ (^b4 & b0)
		e[19] = b4 ^ (^b0 & b1)
		b0 = bits.RotateLeft64(a[2]^d2, 62)
		b1 = bits.RotateLeft64(a[8]^d3, 55)
		b2 = bits.RotateLeft64(a[14]^d4, 39)
		b3 = bits.RotateLeft64(a[15]^d0, 41)
		b4 = bits.RotateLeft64(a[21]^d1, 2)
		e[20] = b0 ^ (^b1 & b2)
		e[21] = b1 ^ (^b2 & b3)
		e[22] = b2 ^ (^b3 & b4)
		e[23] = b3 ^ (^b4 & b0)
		e[24] = b4 ^ (^b0 & b1)
		// round+1, from e back to a
		c0 = e[0] ^ e[5] ^ e[10] ^ e[15] ^ e[20]
		c1 = e[1] ^ e[6] ^ e[11] ^ e[16] ^ e[21]
		c2 = e[2] ^ e[7] ^ e[12] ^ e[17] ^ e[22]
		c3 = e[3] ^ e[8] ^ e[13] ^ e[18] ^ e[23]
		c4 = e[4] ^ e[9] ^ e[14] ^ e[19] ^ e[24]
		d0 = c4 ^ bits.RotateLeft64(c1, 1)
		d1 = c0 ^ bits.RotateLeft64(c2, 1)
		d2 = c1 ^ bits.RotateLeft64(c3, 1)
		d3 = c2 ^ bits.RotateLeft64(c4, 1)
		d4 = c3 ^ bits.RotateLeft64(c0, 1)
		b0 = e[0] ^ d0
		b1 = bits.RotateLeft64(e[6]^d1, 44)
		b2 = bits.RotateLeft64(e[12]^d2, 43)
		b3 = bits.RotateLeft64(e[18]^d3, 21)
		b4 = bits.RotateLeft64(e[24]^d4, 14)
		a[0] = b0 ^ (^b1 & b2) ^ roundConstants[round+1]
		a[1] = b1 ^ (^b2 & b3)
		a[2] = b2 ^ (^b3 & b4)
		a[3] = b3 ^ (^b4 & b0)
		a[4] = b4 ^ (^b0 & b1)
		b0 = bits.RotateLeft64(e[3]^d3, 28)
		b1 = bits.RotateLeft64(e[9]^d4, 20)
		b2 = bits.RotateLeft64(e[10]^d0, 3)
		b3 = bits.RotateLeft64(e[16]^d1, 45)
		b4 = bits.RotateLeft64(e[22]^d2, 61)
		a[5] = b0 ^ (^b1 & b2)
		a[6] = b1 ^ (^b2 & b3)
		a[7] = b2 ^ (^b3 & b4)
		a[8] = b3 ^ (^b4 & b0)
		a[9] = b4 ^ (^b0 & b1)
		b0 = bits.RotateLeft64(e[1]^d1, 1)
		b1 = bits.RotateLeft64(e[7]^d2, 6)
		b2 = bits.RotateLeft64(e[13]^d3, 25)
		b3 = bits.RotateLeft64(e[19]^d4, 8)
		b4 = bits.RotateLeft64(e[20]^d0, 18)
		a[10] = b0 ^ (^b1 & b2)
		a[11] = b1 ^ (^b2 & b3)
		a[12] = b2 ^ (^b3 & b4)
		a[13] = b3 ^ (^b4 & b0)
		a[14] = b4 ^ (^b0 & b1)
		b0 = bits.RotateLeft64(e[4]^d4, 27)
		b1 = bits.RotateLeft64(e[5]^d0, 36)
		b2 = bits.RotateLeft64(e[11]^d1, 10)
		b3 = bits.RotateLeft64(e[17]^d2, 15)
		b4 = bits.RotateLeft64(e[23]^d3, 56)
		a[15] = b0 ^ (^b1 & b2)
		a[16] = b1 ^ (^b2 & b3)
		a[17] = b2 ^ (^b3 & b4)
		a[18] = b3 ^ (^b4 & b0)
		a[19] = b4 ^ (^b0 & b1)
		b0 = bits.RotateLeft64(e[2]^d2, 62)
		b1 = bits.RotateLeft64(e[8]^d3, 55)
		b2 = bits.RotateLeft64(e[14]^d4, 39)
		b3 = bits.RotateLeft64(e[15]^d0, 41)
		b4 = bits.RotateLeft64(e[21]^d1, 2)
		a[20] = b0 ^ (^b1 & b2)
		a[21] = b1 ^ (^b2 & b3)
		a[22] = b2 ^ (^b3 & b4)
		a[23] = b3 ^ (^b4 & b0)
		a[24] = b4 ^ (^b0 & b1)
	}
}
