package keys

import (
	"github.com/taonet/taonet/bench/threadcpu"

	"fmt"
	"sync"
	"testing"

	"pgregory.net/rapid"
)

// checkBatch fails unless every sigs[i] is a valid signature of msgs[i] by
// kp under Verify and under go-schnorrkel, with the schnorrkel marker set.
func checkBatch(t interface {
	Helper()
	Fatalf(string, ...any)
}, kp *Keypair, msgs, sigs [][]byte) {
	t.Helper()
	if len(sigs) != len(msgs) {
		t.Fatalf("%d signatures for %d messages", len(sigs), len(msgs))
	}
	pub := kp.PublicKey()
	for i, sig := range sigs {
		if len(sig) != SignatureSize || sig[63]&0x80 == 0 {
			t.Fatalf("signature %d of %d: %x is not a 64-byte marked sr25519 signature", i, len(msgs), sig)
		}
		if !Verify(pub, msgs[i], sig) {
			t.Fatalf("signature %d of %d rejected by Verify: msg %x sig %x", i, len(msgs), msgs[i], sig)
		}
		if !referenceVerify(pub, msgs[i], sig) {
			t.Fatalf("signature %d of %d rejected by go-schnorrkel: msg %x sig %x", i, len(msgs), msgs[i], sig)
		}
	}
}

func numberedMessages(n int) [][]byte {
	msgs := make([][]byte, n)
	for i := range msgs {
		msgs[i] = fmt.Appendf(nil, "%s.%d", benchMsg, i)
	}
	return msgs
}

// TestSignManyVerifies: batches of 0, 1, around the chunk size and of a full
// fan-out verify one by one, ours and go-schnorrkel's verifier, and a
// signature does not verify for its neighbour's message.
func TestSignManyVerifies(t *testing.T) {
	kp, _ := FromURI("//Alice")
	sizes := []int{0, 1, 2, signChunk - 1, signChunk, signChunk + 1, 256}
	if testing.Short() || raceEnabled {
		sizes = sizes[:6]
	}
	for _, n := range sizes {
		msgs := numberedMessages(n)
		sigs, err := kp.SignMany(msgs)
		if err != nil {
			t.Fatalf("n=%d: %v", n, err)
		}
		checkBatch(t, kp, msgs, sigs)
		for i := 1; i < n; i++ {
			if Verify(kp.PublicKey(), msgs[i-1], sigs[i]) {
				t.Fatalf("n=%d: signature %d verifies for message %d", n, i, i-1)
			}
		}
	}
}

// TestSignManyFreshNonces: signing the same messages twice, and the same
// message many times in one batch, never repeats an R (nor a signature): each
// signature has its own nonce.
func TestSignManyFreshNonces(t *testing.T) {
	kp, _ := FromURI("//Alice")
	msgs := numberedMessages(3 * signChunk)
	same := []byte("the same message")
	for i := range signChunk {
		msgs[i] = same
	}
	seen := map[[32]byte]int{}
	for call := range 3 {
		sigs, err := kp.SignMany(msgs)
		if err != nil {
			t.Fatal(err)
		}
		for i, sig := range sigs {
			R := [32]byte(sig[:32])
			if prev, dup := seen[R]; dup {
				t.Fatalf("call %d, signature %d repeats the R of signature #%d", call, i, prev)
			}
			seen[R] = call*len(msgs) + i
		}
	}
}

// TestSignManyIntoWritesSlots: the allocation-free form fills exactly the
// given slots, agrees with Verify, and allocates nothing.
func TestSignManyIntoWritesSlots(t *testing.T) {
	kp, _ := FromURI("//Alice")
	msgs := numberedMessages(40)
	sigs := make([][SignatureSize]byte, len(msgs))
	if err := kp.SignManyInto(sigs, msgs); err != nil {
		t.Fatal(err)
	}
	asSlices := make([][]byte, len(sigs))
	for i := range sigs {
		asSlices[i] = sigs[i][:]
	}
	checkBatch(t, kp, msgs, asSlices)
	if raceEnabled {
		return // the race detector's instrumentation allocates
	}
	if allocs := testing.AllocsPerRun(5, func() {
		if err := kp.SignManyInto(sigs, msgs); err != nil {
			t.Fatal(err)
		}
	}); allocs != 0 {
		t.Fatalf("SignManyInto allocates %.0f times per call", allocs)
	}
}

// TestSignManyErrors: the errors of Sign for an empty keypair and for a
// message Merlin cannot frame, plus a slot-count mismatch; none of them
// writes a signature.
func TestSignManyErrors(t *testing.T) {
	msgs := numberedMessages(3)
	for _, kp := range []*Keypair{nil, {}} {
		_, signErr := kp.Sign(msgs[0])
		_, err := kp.SignMany(msgs)
		if err == nil || signErr == nil || err.Error() != signErr.Error() {
			t.Fatalf("empty keypair %#v: SignMany error %v, Sign error %v", kp, err, signErr)
		}
		if _, err := kp.SignMany(nil); err == nil || err.Error() != signErr.Error() {
			t.Fatalf("empty keypair, no messages: %v", err)
		}
	}

	kp, _ := FromURI("//Alice")
	sigs := make([][SignatureSize]byte, 2)
	err := kp.SignManyInto(sigs, msgs)
	if err == nil || err.Error() != "keys: sign: 2 signature slots for 3 messages" {
		t.Fatalf("slot mismatch: %v", err)
	}
	if sigs[0] != [SignatureSize]byte{} || sigs[1] != [SignatureSize]byte{} {
		t.Fatal("a refused call wrote signatures")
	}
	if sigs, err := kp.SignMany(nil); err != nil || len(sigs) != 0 {
		t.Fatalf("no messages: %v, %d signatures", err, len(sigs))
	}
	testTooLongMessage(t, kp)
}

// TestConcurrentSignMany: one Keypair signs batches from several goroutines
// (the dendrite and the axon share a hotkey); run with -race.
func TestConcurrentSignMany(t *testing.T) {
	kp, _ := FromURI("//Alice")
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			msgs := numberedMessages(signChunk + g)
			for range 3 {
				sigs, err := kp.SignMany(msgs)
				if err != nil {
					t.Error(err)
					return
				}
				for i, sig := range sigs {
					if !Verify(kp.PublicKey(), msgs[i], sig) {
						t.Errorf("goroutine %d: signature %d rejected", g, i)
						return
					}
				}
			}
		})
	}
	wg.Wait()
}

// signManyProperty: for a random key and a random message set (empty
// messages, duplicates, sizes across the chunk boundary) every signature
// verifies under Verify and go-schnorrkel.
func signManyProperty(t *rapid.T) {
	var seed [32]byte
	copy(seed[:], rapid.SliceOfN(rapid.Byte(), 32, 32).Draw(t, "seed"))
	kp, err := FromSeed(seed)
	if err != nil {
		t.Fatal(err)
	}
	msgs := rapid.SliceOfN(rapid.SliceOfN(rapid.Byte(), 0, 300), 0, 2*signChunk+3).Draw(t, "msgs")
	sigs, err := kp.SignMany(msgs)
	if err != nil {
		t.Fatal(err)
	}
	checkBatch(t, kp, msgs, sigs)
}

func TestSignManyProperty(t *testing.T) {
	defer withTableBudget(1 << 20)()
	rapid.Check(t, signManyProperty)
}

func FuzzSignMany(f *testing.F) { f.Fuzz(rapid.MakeFuzz(signManyProperty)) }

// benchSignMany signs b.N messages in batches of n, so that ns/op,
// cpu-ns/op and allocs/op are per signature, like BenchmarkSign's.
func benchSignMany(b *testing.B, n int) {
	kp, _ := FromURI("//Alice")
	msgs := numberedMessages(n)
	sigs := make([][SignatureSize]byte, n)
	defer threadcpu.PerOp(b)()
	b.ResetTimer()
	for done := 0; done < b.N; done += n {
		k := min(n, b.N-done)
		if err := kp.SignManyInto(sigs[:k], msgs[:k]); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSignMany: one op is one signature, made in batches of 1, 32 or
// 256, to read beside BenchmarkSign.
func BenchmarkSignMany(b *testing.B) {
	for _, n := range []int{1, 32, 256} {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) { benchSignMany(b, n) })
	}
}
