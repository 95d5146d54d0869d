package wallet

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"golang.org/x/crypto/nacl/secretbox"
	"golang.org/x/crypto/scrypt"

	"github.com/taonet/taonet/keys"
)

// ErrBadBackup is returned for polkadot-js JSON backups that cannot be read.
var ErrBadBackup = errors.New("wallet: invalid polkadot-js JSON backup")

// PKCS#8 framing polkadot-js wraps around the 64-byte secret and the public key.
var (
	pkcs8Header  = []byte{48, 83, 2, 1, 1, 48, 5, 6, 3, 43, 101, 112, 4, 34, 4, 32}
	pkcs8Divider = []byte{161, 35, 3, 33, 0}
)

// Bounds on the scrypt parameters a backup may ask for (polkadot-js uses
// N=2^15, r=8, p=1); larger values would let a hostile file burn CPU/RAM.
const (
	maxScryptN = 1 << 20
	maxScryptR = 16
	maxScryptP = 16
)

type polkadotBackup struct {
	Encoded  string `json:"encoded"`
	Encoding struct {
		Content []string `json:"content"`
		Type    []string `json:"type"`
		Version string   `json:"version"`
	} `json:"encoding"`
	Address string `json:"address"`
}

// FromPolkadotJSON decrypts a polkadot-js (version 3) JSON account backup,
// what `btcli wallet regen-coldkey --json FILE` imports: base64 of
// [scrypt salt(32) ‖ N ‖ p ‖ r (u32 LE)] ‖ nonce(24) ‖ secretbox(PKCS#8 of
// the sr25519 secret in Ed25519 form and the public key). The result is
// checked against the embedded public key and the backup's address.
func FromPolkadotJSON(data []byte, password string) (*keys.Keypair, error) {
	if len(data) > maxKeyfileSize {
		return nil, fmt.Errorf("%w: %d bytes", ErrBadBackup, len(data))
	}
	var b polkadotBackup
	if err := json.Unmarshal(data, &b); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadBackup, err)
	}
	if b.Encoding.Version != "3" {
		return nil, fmt.Errorf("%w: encoding version %q, only \"3\" is supported", ErrBadBackup, b.Encoding.Version)
	}
	if !slices.Contains(b.Encoding.Content, "sr25519") {
		return nil, fmt.Errorf("%w: key type %v is not sr25519", ErrBadBackup, b.Encoding.Content)
	}
	if !slices.Contains(b.Encoding.Type, "xsalsa20-poly1305") {
		return nil, fmt.Errorf("%w: cipher %v is not xsalsa20-poly1305", ErrBadBackup, b.Encoding.Type)
	}
	enc, err := base64.StdEncoding.DecodeString(b.Encoded)
	if err != nil {
		return nil, fmt.Errorf("%w: encoded is not base64", ErrBadBackup)
	}
	var key [32]byte
	if slices.Contains(b.Encoding.Type, "scrypt") {
		if len(enc) < 44 {
			return nil, fmt.Errorf("%w: truncated scrypt parameters", ErrBadBackup)
		}
		n := binary.LittleEndian.Uint32(enc[32:36])
		p := binary.LittleEndian.Uint32(enc[36:40])
		r := binary.LittleEndian.Uint32(enc[40:44])
		if n < 2 || n > maxScryptN || n&(n-1) != 0 || r < 1 || r > maxScryptR || p < 1 || p > maxScryptP {
			return nil, fmt.Errorf("%w: scrypt parameters N=%d r=%d p=%d out of range", ErrBadBackup, n, r, p)
		}
		k, err := scrypt.Key([]byte(password), enc[:32], int(n), int(r), int(p), 32)
		if err != nil {
			return nil, fmt.Errorf("%w: scrypt: %v", ErrBadBackup, err)
		}
		copy(key[:], k)
		enc = enc[44:]
	} else {
		// Unhardened backups use the password itself, zero-padded to 32 bytes.
		if len(password) > 32 {
			return nil, fmt.Errorf("%w: password longer than 32 bytes for an unhardened backup", ErrWrongPassword)
		}
		copy(key[:], password)
	}
	if len(enc) < 24+secretbox.Overhead {
		return nil, fmt.Errorf("%w: truncated ciphertext", ErrBadBackup)
	}
	var nonce [24]byte
	copy(nonce[:], enc[:24])
	plain, ok := secretbox.Open(nil, enc[24:], &nonce, &key)
	if !ok {
		return nil, ErrWrongPassword
	}
	want := len(pkcs8Header) + 64 + len(pkcs8Divider) + 32
	if len(plain) < want || !bytes.HasPrefix(plain, pkcs8Header) || !bytes.Equal(plain[len(pkcs8Header)+64:len(pkcs8Header)+64+len(pkcs8Divider)], pkcs8Divider) {
		return nil, fmt.Errorf("%w: decrypted payload is not PKCS#8 sr25519", ErrBadBackup)
	}
	var secret [64]byte
	copy(secret[:], plain[len(pkcs8Header):])
	var pub [32]byte
	copy(pub[:], plain[want-32:want])
	kp, err := keys.FromEd25519Bytes(secret)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadBackup, err)
	}
	if kp.PublicKey() != pub {
		return nil, fmt.Errorf("%w: secret does not match the embedded public key", ErrBadBackup)
	}
	if b.Address != "" {
		if _, apub, err := keys.SS58DecodePrefix(b.Address); err != nil || apub != pub {
			return nil, fmt.Errorf("%w: address %q does not match the key", ErrBadBackup, b.Address)
		}
	}
	return kp, nil
}
