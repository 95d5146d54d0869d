package keys

import (
	"crypto/rand"
	"errors"
	"fmt"
	"math"

	"filippo.io/edwards25519"

	"github.com/taonet/taonet/keys/internal/ristretto"
)

// signChunk is how many signatures SignManyInto prepares together: its
// scratch (nonces, points, encodings, ~9 KiB) stays on the stack, and the one
// inversion the R encodings share is already a small part of the cost at 32.
const signChunk = 32

// SignManyInto signs msgs[i] into sigs[i] for every i, each an ordinary
// sr25519 signature under the "substrate" context exactly like Sign's (same
// transcript, verifiable by Verify and any schnorrkel), with its own fresh
// uniformly random secret nonce, at a lower cost per signature than Sign and
// without allocating.
//
// The saving: Sign encodes R = r·B with an inverse square root per
// signature. Here the nonce is r = 2r' for a uniform r' (doubling is a
// bijection modulo the odd group order, so r is uniform too), and
// R = [2](r'·B) is encoded with ristretto.DoubleAndEncodeBatch, which needs
// only a field inversion per point, and those are batched into one per 32
// signatures. The random bytes of a chunk come from one crypto/rand read.
// Nothing is shared between the nonces: each is 64 bytes of its own.
//
// Errors: the empty-keypair error of Sign; a length mismatch between sigs
// and msgs; a message longer than 2^32−1 bytes (named by index). All three
// are detected before anything is written. A zero nonce (probability
// 2^−252) fails the call like it fails Sign, with sigs partly written.
func (k *Keypair) SignManyInto(sigs [][SignatureSize]byte, msgs [][]byte) error {
	if k == nil || k.x == nil {
		return errEmptyKeypair
	}
	if len(sigs) != len(msgs) {
		return fmt.Errorf("keys: sign: %d signature slots for %d messages", len(sigs), len(msgs))
	}
	for i, m := range msgs {
		if uint64(len(m)) > math.MaxUint32 {
			return fmt.Errorf("keys: sign: message %d: %w", i, errMessageTooLong)
		}
	}
	for len(msgs) > 0 {
		n := min(len(msgs), signChunk)
		if err := k.signChunk(sigs[:n], msgs[:n]); err != nil {
			return fmt.Errorf("keys: sign: %w", err)
		}
		sigs, msgs = sigs[n:], msgs[n:]
	}
	return nil
}

// SignMany is SignManyInto into freshly allocated signatures (one backing
// array for all of them): sigs[i] is the 64-byte signature of msgs[i].
func (k *Keypair) SignMany(msgs [][]byte) ([][]byte, error) {
	flat := make([][SignatureSize]byte, len(msgs))
	if err := k.SignManyInto(flat, msgs); err != nil {
		return nil, err
	}
	sigs := make([][]byte, len(msgs))
	for i := range flat {
		sigs[i] = flat[i][:]
	}
	return sigs, nil
}

var errZeroNonce = errors.New("random scalar was zero")

// signChunk signs at most signChunk messages whose lengths are checked.
func (k *Keypair) signChunk(sigs [][SignatureSize]byte, msgs [][]byte) error {
	n := len(msgs)
	var (
		wide    [signChunk * 64]byte
		nonces  [signChunk]edwards25519.Scalar
		points  [signChunk]ristretto.Element
		pointsP [signChunk]*ristretto.Element
		encR    [signChunk][32]byte
		zero    edwards25519.Scalar
	)
	// The nonces are secrets: wipe them (and their source bytes) when done.
	defer clear(nonces[:])
	defer clear(wide[:])

	rand.Read(wide[:64*n]) // never fails (it crashes the process instead)
	for i := range n {
		r := &nonces[i]
		if _, err := r.SetUniformBytes(wide[64*i : 64*i+64]); err != nil {
			return err // unreachable: the slice is 64 bytes
		}
		if r.Equal(&zero) == 1 {
			return errZeroNonce
		}
		pointsP[i] = points[i].ScalarBaseMult(r) // r'·B, constant time
		r.Add(r, r)                              // r = 2r': R = [2](r'·B)
	}
	ristretto.DoubleAndEncodeBatch(pointsP[:n], encR[:n])

	var c, s edwards25519.Scalar
	for i, msg := range msgs {
		if err := challenge(&c, msg, k.pub[:], encR[i][:]); err != nil {
			return err // unreachable: lengths are checked by the caller
		}
		s.MultiplyAdd(&c, k.x, &nonces[i]) // k.x is shared: never a receiver
		sig := &sigs[i]
		copy(sig[:32], encR[i][:])
		copy(sig[32:], s.Bytes())
		sig[63] |= 0x80 // schnorrkel's marker, as in Sign
	}
	return nil
}
