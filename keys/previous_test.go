package keys

import (
	"github.com/taonet/taonet/bench/threadcpu"

	"testing"

	schnorrkel "github.com/ChainSafe/go-schnorrkel"
	r255 "github.com/gtank/ristretto255"
)

// The previous Sign and PublicKey.Verify (before keys/internal/ristretto):
// the same transcript and equations over github.com/gtank/ristretto255, kept
// only as the baseline of BenchmarkSignPrevious / BenchmarkVerifyPrevious.

func previousSign(k *Keypair, x *r255.Scalar, msg []byte) ([]byte, error) {
	t := schnorrkel.NewSigningContext([]byte(SigningContext), msg)
	t.AppendMessage([]byte("proto-name"), []byte("Schnorr-sig"))
	t.AppendMessage([]byte("sign:pk"), k.pub[:])
	r, err := schnorrkel.NewRandomScalar()
	if err != nil {
		return nil, err
	}
	sig := make([]byte, 0, SignatureSize)
	sig = r255.NewElement().ScalarBaseMult(r).Encode(sig)
	t.AppendMessage([]byte("sign:R"), sig[:32])
	c := r255.NewScalar().FromUniformBytes(t.ExtractBytes([]byte("sign:c"), 64))
	s := r255.NewScalar().Multiply(c, x)
	s.Add(s, r)
	sig = s.Encode(sig)
	sig[63] |= 0x80
	return sig, nil
}

func previousVerify(pub [32]byte, msg, sig []byte) bool {
	if len(sig) != SignatureSize || sig[63]&0x80 == 0 || pub == ([32]byte{}) {
		return false
	}
	a := r255.NewElement()
	if a.Decode(pub[:]) != nil {
		return false
	}
	negA := r255.NewElement().Negate(a)
	var sb [32]byte
	copy(sb[:], sig[32:])
	sb[31] &= 0x7f
	s := r255.NewScalar()
	if s.Decode(sb[:]) != nil {
		return false
	}
	t := schnorrkel.NewSigningContext([]byte(SigningContext), msg)
	t.AppendMessage([]byte("proto-name"), []byte("Schnorr-sig"))
	t.AppendMessage([]byte("sign:pk"), pub[:])
	t.AppendMessage([]byte("sign:R"), sig[:32])
	k := r255.NewScalar().FromUniformBytes(t.ExtractBytes([]byte("sign:c"), 64))
	var enc [32]byte
	r := r255.NewElement().VarTimeDoubleScalarBaseMult(k, negA, s).Encode(enc[:0])
	return constantTimeEq(r, sig[:32])
}

// TestPreviousImplementationAgrees keeps the baseline honest: it still
// signs and verifies like the current code.
func TestPreviousImplementationAgrees(t *testing.T) {
	kp, _ := FromURI("//Alice")
	x, err := schnorrkel.ScalarFromBytes(kp.key)
	if err != nil {
		t.Fatal(err)
	}
	old, err := previousSign(kp, x, benchMsg)
	if err != nil || !Verify(kp.pub, benchMsg, old) {
		t.Fatal("previous Sign's signature rejected")
	}
	sig, _ := kp.Sign(benchMsg)
	if !previousVerify(kp.pub, benchMsg, sig) || previousVerify(kp.pub, benchMsg[1:], sig) {
		t.Fatal("previous Verify disagrees")
	}
}

func BenchmarkSignPrevious(b *testing.B) {
	kp, _ := FromURI("//Alice")
	x, _ := schnorrkel.ScalarFromBytes(kp.key)
	defer threadcpu.PerOp(b)()
	for b.Loop() {
		if _, err := previousSign(kp, x, benchMsg); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerifyPrevious(b *testing.B) {
	kp, _ := FromURI("//Alice")
	sig, _ := kp.Sign(benchMsg)
	defer threadcpu.PerOp(b)()
	for b.Loop() {
		if !previousVerify(kp.pub, benchMsg, sig) {
			b.Fatal("rejected")
		}
	}
}
