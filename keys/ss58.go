package keys

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	"github.com/decred/base58"
	"golang.org/x/crypto/blake2b"
)

// SS58Prefix is the generic Substrate address format used by Bittensor.
const SS58Prefix uint16 = 42

// base58Alphabet is the Bitcoin alphabet that SS58 uses.
const base58Alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"

// Errors returned by SS58Decode; wrapped with details, test with errors.Is.
var (
	ErrSS58Empty     = errors.New("ss58: empty address")
	ErrSS58Base58    = errors.New("ss58: invalid base58 character")
	ErrSS58Length    = errors.New("ss58: wrong length")
	ErrSS58Prefix    = errors.New("ss58: wrong network prefix")
	ErrSS58Checksum  = errors.New("ss58: checksum mismatch")
	ErrSS58BadFormat = errors.New("ss58: reserved or invalid address type")
)

// maxSS58Len bounds the input before decoding: a 2-byte prefix, 32-byte key
// and 2-byte checksum never need more than 50 base58 characters.
const maxSS58Len = 64

func ss58Checksum(payload []byte) [2]byte {
	h, _ := blake2b.New512(nil)
	h.Write([]byte("SS58PRE"))
	h.Write(payload)
	sum := h.Sum(nil)
	return [2]byte{sum[0], sum[1]}
}

// ss58PrefixBytes encodes a network identifier the way Substrate does (one
// byte below 64, two bytes up to 16383).
func ss58PrefixBytes(prefix uint16) ([]byte, error) {
	switch {
	case prefix <= 63:
		return []byte{byte(prefix)}, nil
	case prefix <= 16383:
		first := byte((prefix&0b1111_1100)>>2) | 0b0100_0000
		second := byte(prefix>>8) | byte(prefix&0b11)<<6
		return []byte{first, second}, nil
	default:
		return nil, fmt.Errorf("%w: network prefix %d out of range", ErrSS58BadFormat, prefix)
	}
}

// SS58Encode returns the SS58 address (prefix 42) of a 32-byte public key.
func SS58Encode(pub [32]byte) string {
	s, _ := SS58EncodePrefix(pub, SS58Prefix)
	return s
}

// SS58EncodePrefix returns the SS58 address of pub under another network
// prefix (0..16383).
func SS58EncodePrefix(pub [32]byte, prefix uint16) (string, error) {
	p, err := ss58PrefixBytes(prefix)
	if err != nil {
		return "", err
	}
	payload := append(p, pub[:]...)
	cs := ss58Checksum(payload)
	return base58.Encode(append(payload, cs[:]...)), nil
}

// SS58Decode parses a prefix-42 SS58 address into its 32-byte public key. It
// rejects bad characters, wrong lengths, other network prefixes and bad
// checksums with distinct wrapped errors (ErrSS58*).
func SS58Decode(addr string) ([32]byte, error) {
	prefix, pub, err := SS58DecodePrefix(addr)
	if err != nil {
		return [32]byte{}, err
	}
	if prefix != SS58Prefix {
		return [32]byte{}, fmt.Errorf("%w: address has prefix %d, want %d", ErrSS58Prefix, prefix, SS58Prefix)
	}
	return pub, nil
}

// SS58DecodePrefix parses an SS58 address of a 32-byte account under any
// network prefix and returns the prefix and the public key.
func SS58DecodePrefix(addr string) (uint16, [32]byte, error) {
	var pub [32]byte
	if addr == "" {
		return 0, pub, ErrSS58Empty
	}
	if len(addr) > maxSS58Len {
		return 0, pub, fmt.Errorf("%w: %d characters", ErrSS58Length, len(addr))
	}
	if i := strings.IndexFunc(addr, func(r rune) bool { return !strings.ContainsRune(base58Alphabet, r) }); i >= 0 {
		return 0, pub, fmt.Errorf("%w at offset %d", ErrSS58Base58, i)
	}
	data := base58.Decode(addr)
	if len(data) < 1 {
		return 0, pub, fmt.Errorf("%w: decodes to no bytes", ErrSS58Length)
	}
	var prefix uint16
	var plen int
	switch {
	case data[0] <= 63:
		prefix, plen = uint16(data[0]), 1
	case data[0] < 128:
		if len(data) < 2 {
			return 0, pub, fmt.Errorf("%w: decodes to %d bytes", ErrSS58Length, len(data))
		}
		lower := data[0]<<2 | data[1]>>6
		upper := data[1] & 0b0011_1111
		prefix, plen = uint16(lower)|uint16(upper)<<8, 2
	default:
		return 0, pub, fmt.Errorf("%w: first byte 0x%02x", ErrSS58BadFormat, data[0])
	}
	if want := plen + 32 + 2; len(data) != want {
		return 0, pub, fmt.Errorf("%w: decodes to %d bytes, want %d for a 32-byte account", ErrSS58Length, len(data), want)
	}
	body := data[:plen+32]
	cs := ss58Checksum(body)
	if !bytes.Equal(cs[:], data[plen+32:]) {
		return 0, pub, fmt.Errorf("%w: got %x, want %x", ErrSS58Checksum, data[plen+32:], cs)
	}
	copy(pub[:], data[plen:plen+32])
	return prefix, pub, nil
}

// PublicFromSS58 is SS58Decode under the name callers looking for a public
// key tend to search for.
func PublicFromSS58(addr string) ([32]byte, error) { return SS58Decode(addr) }

// ValidSS58 reports whether addr is a well-formed prefix-42 address.
func ValidSS58(addr string) bool {
	_, err := SS58Decode(addr)
	return err == nil
}
