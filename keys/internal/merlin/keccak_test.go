package merlin

import (
	"bytes"
	"crypto/sha3"
	"math/bits"
	"testing"

	"pgregory.net/rapid"
)

// spongeHash is the FIPS 202 sponge built on keccakF1600: absorb msg at the
// given rate, pad with the domain byte and the final 0x80, squeeze outLen
// bytes. With (136, 0x06) it is SHA3-256; with (168, 0x1f) SHAKE128.
func spongeHash(rate int, domain byte, msg []byte, outLen int) []byte {
	var st [200]byte
	for len(msg) >= rate {
		for i := 0; i < rate; i++ {
			st[i] ^= msg[i]
		}
		keccakF1600(&st)
		msg = msg[rate:]
	}
	for i, b := range msg {
		st[i] ^= b
	}
	st[len(msg)] ^= domain
	st[rate-1] ^= 0x80
	keccakF1600(&st)
	var out []byte
	for {
		n := min(rate, outLen-len(out))
		out = append(out, st[:n]...)
		if len(out) == outLen {
			return out
		}
		keccakF1600(&st)
	}
}

// TestKeccakMatchesSHA3 checks the permutation against the standard
// library's SHA3-256 and SHAKE128 (crypto/sha3, an independent
// implementation) for messages around the rate boundaries and outputs
// longer than a block.
func TestKeccakMatchesSHA3(t *testing.T) {
	for _, n := range []int{0, 1, 135, 136, 137, 167, 168, 169, 300, 1000} {
		msg := make([]byte, n)
		for i := range msg {
			msg[i] = byte(i*7 + n)
		}
		want := sha3.Sum256(msg)
		if got := spongeHash(136, 0x06, msg, 32); !bytes.Equal(got, want[:]) {
			t.Fatalf("SHA3-256 of %d bytes: got %x want %x", n, got, want)
		}
		wantShake := sha3.SumSHAKE128(msg, 500)
		if got := spongeHash(168, 0x1f, msg, 500); !bytes.Equal(got, wantShake) {
			t.Fatalf("SHAKE128 of %d bytes differs", n)
		}
	}
}

// TestKeccakConstants spot-checks the derived constants against values
// printed in the Keccak reference (keccak.team, "Keccak-f round constants"
// and "rotation offsets" tables).
func TestKeccakConstants(t *testing.T) {
	if roundConstants[0] != 0x0000000000000001 || roundConstants[1] != 0x0000000000008082 ||
		roundConstants[23] != 0x8000000080008008 {
		t.Fatalf("round constants: %x", roundConstants)
	}
	// r[x][y] for (1,0), (0,1), (4,4), (2,2)
	if rhoOffsets[1] != 1 || rhoOffsets[5] != 36 || rhoOffsets[24] != 14 || rhoOffsets[12] != 43 || rhoOffsets[0] != 0 {
		t.Fatalf("rotation offsets: %v", rhoOffsets)
	}
}

func BenchmarkKeccakF1600(b *testing.B) {
	var st [200]byte
	for b.Loop() {
		keccakF1600(&st)
	}
}

// permuteReference is Keccak-p[1600, 24] step by step as FIPS 202 writes
// it (θ, ρ and π, χ, ι per round), the form permute unrolls.
func permuteReference(a *[25]uint64) {
	var b [25]uint64
	for round := 0; round < 24; round++ {
		// θ: XOR each lane with the parities of two neighbouring columns.
		var c [5]uint64
		for x := 0; x < 5; x++ {
			c[x] = a[x] ^ a[x+5] ^ a[x+10] ^ a[x+15] ^ a[x+20]
		}
		for x := 0; x < 5; x++ {
			d := c[(x+4)%5] ^ bits.RotateLeft64(c[(x+1)%5], 1)
			for y := 0; y < 25; y += 5 {
				a[x+y] ^= d
			}
		}
		// ρ and π: rotate each lane and move it to its new position.
		for i := 0; i < 25; i++ {
			b[piDest[i]] = bits.RotateLeft64(a[i], rhoOffsets[i])
		}
		// χ: the only non-linear step, along each row.
		for y := 0; y < 25; y += 5 {
			for x := 0; x < 5; x++ {
				a[y+x] = b[y+x] ^ (^b[y+(x+1)%5] & b[y+(x+2)%5])
			}
		}
		// ι
		a[0] ^= roundConstants[round]
	}
}

// TestPermuteMatchesReference compares the unrolled rounds with the
// specification's looped form on random states.
func TestPermuteMatchesReference(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		var a, b [25]uint64
		for i := range a {
			a[i] = rapid.Uint64().Draw(rt, "lane")
		}
		b = a
		permute(&a)
		permuteReference(&b)
		if a != b {
			rt.Fatalf("unrolled %x, reference %x", a, b)
		}
	})
}
