package keys

import (
	"github.com/taonet/taonet/bench/threadcpu"

	"fmt"
	"sync"
	"testing"
)

func TestStringNeverLeaksSecret(t *testing.T) {
	kp, _ := FromMnemonic(specMnemonic, "")
	for _, f := range []string{"%v", "%s", "%+v", "%#v"} {
		s := fmt.Sprintf(f, kp)
		if s != "sr25519("+specSS58+")" {
			t.Fatalf("%s → %q", f, s)
		}
	}
	var nilKP *Keypair
	if nilKP.String() != "sr25519(nil)" {
		t.Fatal("nil String")
	}
}

func TestVerifyWrapped(t *testing.T) {
	kp, _ := FromURI("//Alice")
	msg := []byte("hello")
	wrapped, _ := kp.Sign([]byte("<Bytes>hello</Bytes>"))
	if Verify(kp.PublicKey(), msg, wrapped) || !VerifyWrapped(kp.PublicKey(), msg, wrapped) {
		t.Fatal("wrapped fallback")
	}
	raw, _ := kp.Sign(msg)
	if !VerifyWrapped(kp.PublicKey(), msg, raw) || VerifyWrapped(kp.PublicKey(), []byte("other"), raw) {
		t.Fatal("raw path")
	}
}

// TestConcurrentSignVerify: one Keypair is shared by many goroutines (an
// Axon signs responses concurrently); run with -race.
func TestConcurrentSignVerify(t *testing.T) {
	kp, _ := FromURI("//Alice")
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 20; i++ {
				msg := []byte(fmt.Sprintf("%d.%d", g, i))
				sig, err := kp.Sign(msg)
				if err != nil || !Verify(kp.PublicKey(), msg, sig) || !VerifySS58(kp.SS58Address(), msg, sig) {
					t.Errorf("goroutine %d msg %d failed", g, i)
					return
				}
			}
		}(g)
	}
	wg.Wait()
}

var benchMsg = []byte("1700000000000000000.5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY.5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty.8b4a5e1c-0000-11ee-be56-0242ac120002.7d572de8b8df200488c8c72bb6a1588ac7073e7c32d036d196ba7f7b2ada3e3f")

func BenchmarkSign(b *testing.B) {
	kp, _ := FromURI("//Alice")
	defer threadcpu.PerOp(b)()
	for b.Loop() {
		if _, err := kp.Sign(benchMsg); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerify(b *testing.B) {
	kp, _ := FromURI("//Alice")
	sig, _ := kp.Sign(benchMsg)
	pub := kp.PublicKey()
	defer threadcpu.PerOp(b)()
	for b.Loop() {
		if !Verify(pub, benchMsg, sig) {
			b.Fatal("verify")
		}
	}
}

func BenchmarkVerifySS58(b *testing.B) {
	kp, _ := FromURI("//Alice")
	sig, _ := kp.Sign(benchMsg)
	addr := kp.SS58Address()
	defer threadcpu.PerOp(b)()
	for b.Loop() {
		if !VerifySS58(addr, benchMsg, sig) {
			b.Fatal("verify")
		}
	}
}

func BenchmarkSS58Encode(b *testing.B) {
	kp, _ := FromURI("//Alice")
	pub := kp.PublicKey()
	for b.Loop() {
		SS58Encode(pub)
	}
}

func BenchmarkSS58Decode(b *testing.B) {
	for b.Loop() {
		if _, err := SS58Decode(aliceSS58); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkFromMnemonic(b *testing.B) {
	for b.Loop() {
		if _, err := FromMnemonic(specMnemonic, ""); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkFromURIAlice(b *testing.B) {
	for b.Loop() {
		if _, err := FromURI("//Alice"); err != nil {
			b.Fatal(err)
		}
	}
}
