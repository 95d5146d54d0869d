package wallet

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/taonet/taonet/keys"
)

// ErrBadKeyfile is returned for keyfile contents that are not a keyfile.
var ErrBadKeyfile = errors.New("wallet: invalid keyfile")

// maxKeyfileSize bounds what is read and parsed; real keyfiles are < 1 KiB.
const maxKeyfileSize = 64 << 10

// Key is the content of one keyfile: always the public key, plus the keypair
// when the file holds a secret (coldkeypub.txt holds none).
type Key struct {
	Public [32]byte
	Pair   *keys.Keypair // nil for public-only keyfiles
}

// SS58Address returns the key's prefix-42 address.
func (k *Key) SS58Address() string { return keys.SS58Encode(k.Public) }

// keyfileJSON mirrors bittensor's keyfile dict; pointers render as null.
type keyfileJSON struct {
	AccountID    *string `json:"accountId"`
	PublicKey    *string `json:"publicKey"`
	PrivateKey   *string `json:"privateKey"`
	SecretPhrase *string `json:"secretPhrase"`
	SecretSeed   *string `json:"secretSeed"`
	SS58Address  *string `json:"ss58Address"`
}

func hex0x(b []byte) *string {
	s := "0x" + hex.EncodeToString(b)
	return &s
}

func strp(s string) *string { return &s }

// MarshalKeypair serializes a keypair the way bittensor's
// serialized_keypair_to_keyfile_data does: Python json.dumps of the six
// fields in this order, 0x-hex for binary fields, null where unknown.
func MarshalKeypair(kp *keys.Keypair) []byte {
	pub := kp.PublicKey()
	priv := kp.PrivateKey()
	f := keyfileJSON{AccountID: hex0x(pub[:]), PublicKey: hex0x(pub[:]), PrivateKey: hex0x(priv[:]), SS58Address: strp(kp.SS58Address())}
	if m := kp.Mnemonic(); m != "" {
		f.SecretPhrase = strp(m)
	}
	if s, ok := kp.Seed(); ok {
		f.SecretSeed = hex0x(s[:])
	}
	return pythonJSON(f)
}

// MarshalPublic serializes a public-only keyfile (coldkeypub.txt).
func MarshalPublic(pub [32]byte) []byte {
	return pythonJSON(keyfileJSON{AccountID: hex0x(pub[:]), PublicKey: hex0x(pub[:]), SS58Address: strp(keys.SS58Encode(pub))})
}

// pythonJSON renders like Python's json.dumps with default separators
// (", " and ": ") and ensure_ascii, so files are byte-identical to upstream's.
func pythonJSON(f keyfileJSON) []byte {
	var b bytes.Buffer
	b.WriteByte('{')
	fields := []struct {
		name string
		v    *string
	}{{"accountId", f.AccountID}, {"publicKey", f.PublicKey}, {"privateKey", f.PrivateKey}, {"secretPhrase", f.SecretPhrase}, {"secretSeed", f.SecretSeed}, {"ss58Address", f.SS58Address}}
	for i, fl := range fields {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(`"` + fl.name + `": `)
		if fl.v == nil {
			b.WriteString("null")
		} else {
			writePyString(&b, *fl.v)
		}
	}
	b.WriteByte('}')
	return b.Bytes()
}

func writePyString(b *bytes.Buffer, s string) {
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"':
			b.WriteString(`\"`)
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\b':
			b.WriteString(`\b`)
		case r == '\f':
			b.WriteString(`\f`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(b, `\u%04x`, r)
		case r < 0x7f:
			b.WriteRune(r)
		case r <= 0xffff:
			fmt.Fprintf(b, `\u%04x`, r)
		default:
			r -= 0x10000
			fmt.Fprintf(b, `\u%04x\u%04x`, 0xd800+(r>>10), 0xdc00+(r&0x3ff))
		}
	}
	b.WriteByte('"')
}

func decodeHex0x(field, s string, n int) ([]byte, error) {
	h := strings.TrimPrefix(s, "0x")
	b, err := hex.DecodeString(h)
	if err != nil {
		return nil, fmt.Errorf("%w: %s is not hex", ErrBadKeyfile, field)
	}
	if len(b) != n {
		return nil, fmt.Errorf("%w: %s has %d bytes, want %d", ErrBadKeyfile, field, len(b), n)
	}
	return b, nil
}

// ParseKeyfile decodes plaintext keyfile data. Like upstream it takes the
// key from secretSeed, else secretPhrase, else privateKey, else ss58Address
// (else publicKey/accountId); a bare "0x<64 hex>" public key is accepted
// too. Unlike upstream, fields that disagree with the key they accompany are
// rejected instead of silently ignored.
func ParseKeyfile(data []byte) (*Key, error) {
	if len(data) > maxKeyfileSize {
		return nil, fmt.Errorf("%w: %d bytes is larger than any keyfile", ErrBadKeyfile, len(data))
	}
	if IsEncrypted(data) {
		return nil, fmt.Errorf("%w: data is encrypted (%s); decrypt it first", ErrBadKeyfile, EncryptionMethod(data))
	}
	if !utf8.Valid(data) {
		return nil, fmt.Errorf("%w: not UTF-8 text", ErrBadKeyfile)
	}
	trimmed := bytes.TrimSpace(data)
	if bytes.HasPrefix(trimmed, []byte("0x")) {
		b, err := decodeHex0x("public key", string(trimmed), 32)
		if err != nil {
			return nil, err
		}
		return &Key{Public: [32]byte(b)}, nil
	}
	var f keyfileJSON
	dec := json.NewDecoder(bytes.NewReader(trimmed))
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadKeyfile, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("%w: trailing data after the JSON object", ErrBadKeyfile)
	}
	var key *Key
	switch {
	case f.SecretSeed != nil:
		b, err := decodeHex0x("secretSeed", *f.SecretSeed, 32)
		if err != nil {
			return nil, err
		}
		kp, err := keys.FromSeed([32]byte(b))
		if err != nil {
			return nil, fmt.Errorf("%w: secretSeed: %v", ErrBadKeyfile, err)
		}
		if f.SecretPhrase != nil {
			// Keep the phrase for re-serialization, but only if it is this key's.
			pk, err := keys.FromMnemonic(*f.SecretPhrase, "")
			if err != nil || pk.PublicKey() != kp.PublicKey() {
				return nil, fmt.Errorf("%w: secretPhrase does not match secretSeed", ErrBadKeyfile)
			}
			kp = pk
		}
		key = &Key{Public: kp.PublicKey(), Pair: kp}
	case f.SecretPhrase != nil:
		kp, err := keys.FromMnemonic(*f.SecretPhrase, "")
		if err != nil {
			return nil, fmt.Errorf("%w: secretPhrase: %v", ErrBadKeyfile, err)
		}
		key = &Key{Public: kp.PublicKey(), Pair: kp}
	case f.PrivateKey != nil:
		b, err := decodeHex0x("privateKey", *f.PrivateKey, 64)
		if err != nil {
			return nil, err
		}
		kp, err := keys.FromPrivateKey([64]byte(b))
		if err != nil {
			return nil, fmt.Errorf("%w: privateKey: %v", ErrBadKeyfile, err)
		}
		key = &Key{Public: kp.PublicKey(), Pair: kp}
	case f.SS58Address != nil:
		pub, err := keys.SS58Decode(*f.SS58Address)
		if err != nil {
			return nil, fmt.Errorf("%w: ss58Address: %v", ErrBadKeyfile, err)
		}
		key = &Key{Public: pub}
	case f.PublicKey != nil || f.AccountID != nil:
		s := f.PublicKey
		if s == nil {
			s = f.AccountID
		}
		b, err := decodeHex0x("publicKey", *s, 32)
		if err != nil {
			return nil, err
		}
		key = &Key{Public: [32]byte(b)}
	default:
		return nil, fmt.Errorf("%w: no secretSeed, secretPhrase, privateKey, ss58Address or publicKey", ErrBadKeyfile)
	}
	// Cross-check the redundant public fields against the key.
	if key.Pair != nil && f.PrivateKey != nil && (f.SecretSeed != nil || f.SecretPhrase != nil) {
		b, err := decodeHex0x("privateKey", *f.PrivateKey, 64)
		if err != nil {
			return nil, err
		}
		if pk, err := keys.FromPrivateKey([64]byte(b)); err != nil || pk.PublicKey() != key.Public {
			return nil, fmt.Errorf("%w: privateKey does not match the key's seed", ErrBadKeyfile)
		}
	}
	for _, c := range []struct {
		name string
		v    *string
	}{{"publicKey", f.PublicKey}, {"accountId", f.AccountID}} {
		if c.v == nil {
			continue
		}
		b, err := decodeHex0x(c.name, *c.v, 32)
		if err != nil {
			return nil, err
		}
		if [32]byte(b) != key.Public {
			return nil, fmt.Errorf("%w: %s does not match the key", ErrBadKeyfile, c.name)
		}
	}
	if f.SS58Address != nil && *f.SS58Address != keys.SS58Encode(key.Public) {
		return nil, fmt.Errorf("%w: ss58Address does not match the key", ErrBadKeyfile)
	}
	return key, nil
}
