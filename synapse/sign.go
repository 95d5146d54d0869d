package synapse

import (
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
)

// Signer is a hotkey that signs synapse messages (satisfied by *keys.Keypair).
// Sign must not keep msg after it returns: the axon reuses the buffer.
type Signer interface {
	SS58Address() string
	Sign(msg []byte) ([]byte, error)
}

// VerifyFunc reports whether sig is a valid sr25519 signature of msg by the ss58
// address (keys.VerifySS58 has this signature). It must not keep msg or sig after it
// returns: the axon reuses their buffers.
type VerifyFunc func(ss58 string, msg, sig []byte) bool

// RequestMessage is the message a dendrite signs:
// "{nonce}.{dendrite_hotkey}.{axon_hotkey}.{dendrite_uuid}.{body_hash}".
func RequestMessage(nonce int64, dendriteHotkey, axonHotkey, uuid, bodyHash string) []byte {
	return dotted(nonce, dendriteHotkey, axonHotkey, uuid, bodyHash)
}

// ResponseMessage is the message an axon signs:
// "{axon_nonce}.{dendrite_hotkey}.{axon_hotkey}.{axon_uuid}".
func ResponseMessage(axonNonce int64, dendriteHotkey, axonHotkey, axonUUID string) []byte {
	return dotted(axonNonce, dendriteHotkey, axonHotkey, axonUUID)
}

// dotted renders nonce and parts joined by dots into one right-sized buffer.
func dotted(nonce int64, parts ...string) []byte {
	n := 20 // the longest int64
	for _, p := range parts {
		n += 1 + len(p)
	}
	return appendDotted(make([]byte, 0, n), nonce, parts...)
}

// appendDotted appends nonce and parts joined by dots to b.
func appendDotted(b []byte, nonce int64, parts ...string) []byte {
	b = strconv.AppendInt(b, nonce, 10)
	for _, p := range parts {
		b = append(b, '.')
		b = append(b, p...)
	}
	return b
}

// EncodeSignature renders a signature as upstream does: "0x" + lower-case hex.
func EncodeSignature(sig []byte) string {
	var buf [2 + 2*64]byte
	if len(sig) > 64 {
		return "0x" + hex.EncodeToString(sig)
	}
	buf[0], buf[1] = '0', 'x'
	n := hex.Encode(buf[2:], sig)
	return string(buf[:2+n])
}

// appendSignature appends sig as EncodeSignature renders it.
func appendSignature(b, sig []byte) []byte {
	b = append(b, '0', 'x')
	return hex.AppendEncode(b, sig)
}

// DecodeSignature parses a "0x"-prefixed (or bare) hex signature of 64 bytes.
func DecodeSignature(s string) ([]byte, error) {
	var sig [64]byte
	if err := decodeSignatureInto(&sig, s); err != nil {
		return nil, err
	}
	return sig[:], nil
}

// decodeSignatureInto is DecodeSignature into dst, which it may have partly
// written on an error.
func decodeSignatureInto(dst *[64]byte, s string) error {
	s = strings.TrimPrefix(strings.TrimPrefix(s, "0x"), "0X")
	if len(s) != 2*len(dst) {
		return fmt.Errorf("signature must be 64 bytes of hex, got %d characters", len(s))
	}
	// hex.Decode reads a []byte: decode through a stack copy of s, not a conversion
	// that would allocate.
	var text [2 * 64]byte
	copy(text[:], s)
	if _, err := hex.Decode(dst[:], text[:]); err != nil {
		return fmt.Errorf("signature is not hex: %w", err)
	}
	return nil
}
