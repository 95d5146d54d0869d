package wallet

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/nacl/secretbox"
	"golang.org/x/crypto/pbkdf2"
)

// Encryption method names, as upstream's keyfile_data_encryption_method
// reports them.
const (
	MethodNone    = "none"
	MethodNaCl    = "NaCl"
	MethodAnsible = "Ansible Vault"
	MethodLegacy  = "legacy"
)

var (
	naclPrefix    = []byte("$NACL")
	ansiblePrefix = []byte("$ANSIBLE_VAULT")
	legacyPrefix  = []byte("gAAAAA")
)

// naclSalt is the fixed salt bittensor uses for every $NACL keyfile.
var naclSalt = []byte("\x13q\x83\xdf\xf1Z\t\xbc\x9c\x90\xb5Q\x879\xe9\xb1")

// legacySalt is the fixed PBKDF2 salt of the legacy Fernet keyfiles.
var legacySalt = []byte("Iguesscyborgslikemyselfhaveatendencytobeparanoidaboutourorigins")

// kdfParams are Argon2i parameters. Upstream uses libsodium's
// OPSLIMIT_SENSITIVE (8 passes) and MEMLIMIT_SENSITIVE (512 MiB), 1 lane.
type kdfParams struct {
	time, memKiB uint32
	threads      uint8
}

// naclKDF is a variable only so unit tests of the surrounding logic can run
// with cheap parameters; the golden-vector test pins the real ones.
var naclKDF = kdfParams{time: 8, memKiB: 512 * 1024, threads: 1}

// legacyIterations is the PBKDF2-SHA256 round count of legacy keyfiles.
var legacyIterations = 10_000_000

// Errors from Encrypt/Decrypt; wrapped with detail, test with errors.Is.
var (
	ErrWrongPassword = errors.New("wallet: wrong password (or the keyfile ciphertext is corrupted)")
	ErrCorrupt       = errors.New("wallet: keyfile is corrupted")
	ErrUnsupported   = errors.New("wallet: unsupported keyfile encryption")
	ErrNotEncrypted  = errors.New("wallet: keyfile is not encrypted")
)

// EncryptionMethod reports how keyfile data is encrypted: MethodNaCl,
// MethodAnsible, MethodLegacy or MethodNone (plaintext).
func EncryptionMethod(data []byte) string {
	switch {
	case bytes.HasPrefix(data, naclPrefix):
		return MethodNaCl
	case bytes.HasPrefix(data, ansiblePrefix):
		return MethodAnsible
	case bytes.HasPrefix(data, legacyPrefix):
		return MethodLegacy
	default:
		return MethodNone
	}
}

// IsEncrypted reports whether keyfile data carries one of the known
// encryption prefixes.
func IsEncrypted(data []byte) bool { return EncryptionMethod(data) != MethodNone }

func naclKey(password string) *[32]byte {
	k := argon2.Key([]byte(password), naclSalt, naclKDF.time, naclKDF.memKiB, naclKDF.threads, 32)
	var key [32]byte
	copy(key[:], k)
	return &key
}

// Encrypt returns `$NACL` ‖ nonce(24) ‖ secretbox(plain), the format current
// bittensor writes, with a random nonce.
func Encrypt(plain []byte, password string) ([]byte, error) {
	var nonce [24]byte
	if _, err := rand.Read(nonce[:]); err != nil {
		return nil, fmt.Errorf("wallet: nonce: %w", err)
	}
	return encryptWithNonce(plain, password, nonce), nil
}

func encryptWithNonce(plain []byte, password string, nonce [24]byte) []byte {
	return sealNaCl(plain, naclKey(password), nonce)
}

// sealNaCl is PyNaCl's SecretBox.encrypt output behind the $NACL prefix.
func sealNaCl(plain []byte, key *[32]byte, nonce [24]byte) []byte {
	out := append([]byte{}, naclPrefix...)
	out = append(out, nonce[:]...)
	return secretbox.Seal(out, plain, &nonce, key)
}

// naclBody checks the framing of $NACL data and returns nonce and box.
func naclBody(data []byte) (*[24]byte, []byte, error) {
	body := data[len(naclPrefix):]
	if len(body) < 24+secretbox.Overhead {
		return nil, nil, fmt.Errorf("%w: $NACL data has %d bytes after the prefix, need at least %d", ErrCorrupt, len(body), 24+secretbox.Overhead)
	}
	var nonce [24]byte
	copy(nonce[:], body[:24])
	return &nonce, body[24:], nil
}

func openNaCl(data []byte, key *[32]byte) ([]byte, error) {
	nonce, box, err := naclBody(data)
	if err != nil {
		return nil, err
	}
	plain, ok := secretbox.Open(nil, box, nonce, key)
	if !ok {
		return nil, ErrWrongPassword
	}
	return plain, nil
}

// Decrypt opens encrypted keyfile data: $NACL, or the older formats that are
// only read (Ansible Vault, legacy Fernet). Plaintext gives ErrNotEncrypted.
func Decrypt(data []byte, password string) ([]byte, error) {
	switch EncryptionMethod(data) {
	case MethodNaCl:
		// Check the framing before spending seconds on the KDF.
		if _, _, err := naclBody(data); err != nil {
			return nil, err
		}
		return openNaCl(data, naclKey(password))
	case MethodLegacy:
		return decryptLegacy(data, password)
	case MethodAnsible:
		return decryptAnsible(data, password)
	default:
		return nil, ErrNotEncrypted
	}
}

// decryptLegacy opens a Fernet token whose key is PBKDF2-HMAC-SHA256
// (10⁷ rounds, fixed salt) of the password, as bittensor 3.x-5.x wrote.
func decryptLegacy(data []byte, password string) ([]byte, error) {
	tok, err := base64.URLEncoding.DecodeString(string(bytes.TrimSpace(data)))
	if err != nil {
		return nil, fmt.Errorf("%w: legacy keyfile is not base64url: %v", ErrCorrupt, err)
	}
	// version(1) ‖ timestamp(8) ‖ iv(16) ‖ ciphertext(n·16) ‖ hmac(32)
	if len(tok) < 1+8+16+16+32 || tok[0] != 0x80 || (len(tok)-57)%aes.BlockSize != 0 {
		return nil, fmt.Errorf("%w: malformed legacy (Fernet) token of %d bytes", ErrCorrupt, len(tok))
	}
	key := pbkdf2.Key([]byte(password), legacySalt, legacyIterations, 32, sha256.New)
	signKey, encKey := key[:16], key[16:]
	mac := hmac.New(sha256.New, signKey)
	mac.Write(tok[:len(tok)-32])
	if !hmac.Equal(mac.Sum(nil), tok[len(tok)-32:]) {
		return nil, ErrWrongPassword
	}
	_ = binary.BigEndian.Uint64(tok[1:9]) // timestamp: Fernet TTL is not applied to keyfiles
	block, _ := aes.NewCipher(encKey)
	ct := append([]byte{}, tok[25:len(tok)-32]...)
	cipher.NewCBCDecrypter(block, tok[9:25]).CryptBlocks(ct, ct)
	return unpadPKCS7(ct)
}

// ansibleIterations is Ansible Vault's PBKDF2-SHA256 round count.
const ansibleIterations = 10000

// decryptAnsible opens Ansible Vault 1.1/1.2 AES256 data, the format
// bittensor < 5 wrote through the ansible_vault package: a header line, then
// hex text whose decoding is "hex(salt)\nhex(hmac)\nhex(ciphertext)";
// PBKDF2-SHA256(password, salt, 10000) gives AES-256 key ‖ HMAC key ‖ CTR IV;
// the HMAC-SHA256 covers the ciphertext; the plaintext is PKCS#7 padded.
func decryptAnsible(data []byte, password string) ([]byte, error) {
	header, body, ok := bytes.Cut(data, []byte("\n"))
	if !ok {
		return nil, fmt.Errorf("%w: Ansible Vault data has no body", ErrCorrupt)
	}
	parts := strings.Split(strings.TrimSpace(string(header)), ";")
	if len(parts) < 3 || (parts[1] != "1.1" && parts[1] != "1.2") {
		return nil, fmt.Errorf("%w: Ansible Vault header %q", ErrUnsupported, header)
	}
	if strings.TrimSpace(parts[2]) != "AES256" {
		return nil, fmt.Errorf("%w: Ansible Vault cipher %q", ErrUnsupported, parts[2])
	}
	inner, err := hex.DecodeString(strings.Join(strings.Fields(string(body)), ""))
	if err != nil {
		return nil, fmt.Errorf("%w: Ansible Vault body is not hex", ErrCorrupt)
	}
	fields := strings.Split(string(inner), "\n")
	if len(fields) != 3 {
		return nil, fmt.Errorf("%w: Ansible Vault payload has %d parts, want 3", ErrCorrupt, len(fields))
	}
	var raw [3][]byte
	for i, f := range fields {
		if raw[i], err = hex.DecodeString(f); err != nil {
			return nil, fmt.Errorf("%w: Ansible Vault payload part %d is not hex", ErrCorrupt, i)
		}
	}
	salt, tag, ct := raw[0], raw[1], raw[2]
	if len(tag) != sha256.Size || len(ct) == 0 || len(ct)%aes.BlockSize != 0 {
		return nil, fmt.Errorf("%w: Ansible Vault payload sizes (hmac %d, ciphertext %d)", ErrCorrupt, len(tag), len(ct))
	}
	km := pbkdf2.Key([]byte(password), salt, ansibleIterations, 80, sha256.New)
	mac := hmac.New(sha256.New, km[32:64])
	mac.Write(ct)
	if !hmac.Equal(mac.Sum(nil), tag) {
		return nil, ErrWrongPassword
	}
	block, _ := aes.NewCipher(km[:32])
	plain := make([]byte, len(ct))
	cipher.NewCTR(block, km[64:80]).XORKeyStream(plain, ct)
	return unpadPKCS7(plain)
}

func unpadPKCS7(b []byte) ([]byte, error) {
	if len(b) == 0 {
		return nil, fmt.Errorf("%w: empty plaintext", ErrCorrupt)
	}
	pad := int(b[len(b)-1])
	if pad < 1 || pad > aes.BlockSize || pad > len(b) {
		return nil, fmt.Errorf("%w: bad padding", ErrCorrupt)
	}
	for _, x := range b[len(b)-pad:] {
		if int(x) != pad {
			return nil, fmt.Errorf("%w: bad padding", ErrCorrupt)
		}
	}
	return b[:len(b)-pad], nil
}
