package keys

import (
	"errors"
	"math"

	"filippo.io/edwards25519"

	"github.com/taonet/taonet/keys/internal/merlin"
)

// contextTranscript is the Merlin transcript every "substrate" signature
// starts from (schnorrkel's signing_context(b"substrate"): "SigningContext"
// with the context appended under the empty label). It is built once; each
// signature or verification continues a copy of it.
var contextTranscript = func() merlin.Transcript {
	t := merlin.NewTranscript("SigningContext")
	t.AppendMessage(nil, []byte(SigningContext))
	return t
}()

// errMessageTooLong: Merlin frames a message length as 32 bits.
var errMessageTooLong = errors.New("keys: message longer than 2^32-1 bytes")

// challenge sets c to the Schnorr challenge of schnorrkel's sign and verify
// (sign.rs): the context transcript continued with sign-bytes msg,
// proto-name "Schnorr-sig", sign:pk, sign:R, then 64 bytes under sign:c
// reduced modulo ℓ. Everything it reads is public; it allocates nothing.
func challenge(c *edwards25519.Scalar, msg, pub, r []byte) error {
	if uint64(len(msg)) > math.MaxUint32 {
		return errMessageTooLong
	}
	t := contextTranscript
	t.AppendMessage([]byte("sign-bytes"), msg)
	t.AppendMessage([]byte("proto-name"), []byte("Schnorr-sig"))
	t.AppendMessage([]byte("sign:pk"), pub)
	t.AppendMessage([]byte("sign:R"), r)
	var wide [64]byte
	t.ExtractBytes([]byte("sign:c"), wide[:])
	_, err := c.SetUniformBytes(wide[:])
	return err
}
