package keys

import (
	"github.com/taonet/taonet/bench/threadcpu"

	"testing"

	"filippo.io/edwards25519"
	schnorrkel "github.com/ChainSafe/go-schnorrkel"
	"pgregory.net/rapid"
)

// goSchnorrkelChallenge is the challenge as go-schnorrkel's Sign and Verify
// compute it (sign.go: NewSigningContext, then proto-name, sign:pk, sign:R,
// sign:c over github.com/gtank/merlin).
func goSchnorrkelChallenge(msg, pub, r []byte) *edwards25519.Scalar {
	t := schnorrkel.NewSigningContext([]byte(SigningContext), msg)
	t.AppendMessage([]byte("proto-name"), []byte("Schnorr-sig"))
	t.AppendMessage([]byte("sign:pk"), pub)
	t.AppendMessage([]byte("sign:R"), r)
	c, err := edwards25519.NewScalar().SetUniformBytes(t.ExtractBytes([]byte("sign:c"), 64))
	if err != nil {
		panic(err)
	}
	return c
}

// TestChallengeMatchesGoSchnorrkel: signing is randomized, so the bit-exact
// check of the transcript is on the challenge itself, for messages on both
// sides of the 166-byte STROBE block (the message is absorbed after the
// prepared context prefix, so its blocks straddle differently per length).
func TestChallengeMatchesGoSchnorrkel(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		msg := rapid.SliceOfN(rapid.Byte(), 0, 1200).Draw(rt, "msg")
		pub := rapid.SliceOfN(rapid.Byte(), 32, 32).Draw(rt, "pub")
		r := rapid.SliceOfN(rapid.Byte(), 32, 32).Draw(rt, "R")
		var got edwards25519.Scalar
		if err := challenge(&got, msg, pub, r); err != nil {
			rt.Fatal(err)
		}
		if want := goSchnorrkelChallenge(msg, pub, r); got.Equal(want) != 1 {
			rt.Fatalf("challenge %x, go-schnorrkel %x", got.Bytes(), want.Bytes())
		}
	})
}

// TestChallengeAllocatesNothing: the transcript work of a signature or
// verification (copying the prepared context, four appends, one extraction)
// stays off the heap.
func TestChallengeAllocatesNothing(t *testing.T) {
	msg, pub, r := make([]byte, 200), make([]byte, 32), make([]byte, 32)
	var c edwards25519.Scalar
	allocs := testing.AllocsPerRun(100, func() {
		if err := challenge(&c, msg, pub, r); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Fatalf("%v allocations per challenge", allocs)
	}
}

// BenchmarkSignTranscript and BenchmarkSignTranscriptGoSchnorrkel are the
// transcript part of one signature or verification of BenchmarkSign's
// message, ours and go-schnorrkel's, named so that scripts/bench.sh keys
// runs them.
func BenchmarkSignTranscript(b *testing.B) {
	msg, pub, r := benchMsg, make([]byte, 32), make([]byte, 32)
	var c edwards25519.Scalar
	defer threadcpu.PerOp(b)()
	for b.Loop() {
		if err := challenge(&c, msg, pub, r); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSignTranscriptGoSchnorrkel(b *testing.B) {
	msg, pub, r := benchMsg, make([]byte, 32), make([]byte, 32)
	defer threadcpu.PerOp(b)()
	for b.Loop() {
		goSchnorrkelChallenge(msg, pub, r)
	}
}
