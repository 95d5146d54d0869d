package synapse

import (
	"testing"

	"github.com/taonet/taonet/keys"
)

func TestKeyCache(t *testing.T) {
	c := newKeyCache()
	alice, err := keys.FromURI("//Alice")
	if err != nil {
		t.Fatal(err)
	}
	sig, _ := alice.Sign([]byte("m"))
	for range 2 { // miss, then hit
		if !c.verify(alice.SS58Address(), []byte("m"), sig) || c.verify(alice.SS58Address(), []byte("n"), sig) {
			t.Fatal("cached verify disagrees")
		}
	}
	if c.verify("not-an-address", []byte("m"), sig) || c.verify(keys.SS58Encode([32]byte{}), []byte("m"), sig) {
		t.Fatal("invalid signer verified")
	}
	if len(c.keys) != 1 {
		t.Fatalf("cache holds %d keys, want only the valid one", len(c.keys))
	}
	// The bound holds under a stream of distinct signers.
	for i := range keyCacheSize + 10 {
		kp, err := keys.FromSeed([32]byte{byte(i), byte(i >> 8), 1})
		if err != nil {
			t.Fatal(err)
		}
		c.get(kp.SS58Address())
	}
	if len(c.keys) > keyCacheSize {
		t.Fatalf("cache grew to %d", len(c.keys))
	}
}
