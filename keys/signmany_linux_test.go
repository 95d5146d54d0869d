package keys

import (
	"errors"
	"math"
	"syscall"
	"testing"
)

// testTooLongMessage hands Sign and SignMany a message of 2^32 bytes: address
// space reserved with PROT_NONE, so the test costs no memory and any read of
// it would crash (both must refuse it by its length alone).
func testTooLongMessage(t *testing.T, kp *Keypair) {
	size := uint64(math.MaxUint32) + 1
	if uint64(int(size)) != size {
		return // a 32-bit address space cannot hold such a message at all
	}
	huge, err := syscall.Mmap(-1, 0, int(size), syscall.PROT_NONE, syscall.MAP_PRIVATE|syscall.MAP_ANON|syscall.MAP_NORESERVE)
	if err != nil {
		t.Fatalf("reserving 4 GiB of address space: %v", err)
	}
	defer syscall.Munmap(huge)

	_, signErr := kp.Sign(huge)
	if !errors.Is(signErr, errMessageTooLong) {
		t.Fatalf("Sign of 2^32 bytes: %v", signErr)
	}
	msgs := [][]byte{[]byte("ok"), huge, []byte("ok")}
	sigs := make([][SignatureSize]byte, len(msgs))
	err = kp.SignManyInto(sigs, msgs)
	if !errors.Is(err, errMessageTooLong) || err.Error() != "keys: sign: message 1: "+errMessageTooLong.Error() {
		t.Fatalf("SignManyInto with a 2^32-byte message: %v (Sign: %v)", err, signErr)
	}
	for i := range sigs {
		if sigs[i] != [SignatureSize]byte{} {
			t.Fatalf("refused call wrote signature %d", i)
		}
	}
}
