package hub

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/taonet/taonet/keys"
)

// Access tokens let Hugging Face clients (huggingface_hub, @huggingface/hub,
// taonet's own client) write with "Authorization: Bearer hf_…" instead of
// signing each request. A hotkey owner obtains one by signing a challenge:
//
//	POST /api/auth/challenge {"hotkey": ss58}          → {"challenge": "…", "expiresAt": …}
//	POST /api/auth/token     {"hotkey", "challenge",
//	                          "signature": hex sr25519 over the challenge bytes,
//	                          "expiresIn": seconds}   → {"token": "hf_…", "hotkey", "expiresAt"}
//
// Challenges and tokens are stateless: both carry an HMAC under the store's
// secret (DIR/secret), so a token is "hf_" + base64url(hotkey "." expiry "."
// random) + "." + hex HMAC. A token acts for its hotkey only; it expires
// and cannot be widened. Used challenges are remembered until they expire,
// so a signed challenge yields one token.

// Token lifetimes.
const (
	ChallengeTTL    = 5 * time.Minute
	DefaultTokenTTL = 30 * 24 * time.Hour
	MaxTokenTTL     = 365 * 24 * time.Hour
)

// tokenAuth issues and checks challenges and tokens.
type tokenAuth struct {
	secret []byte
	now    func() time.Time

	mu   sync.Mutex
	used map[string]int64 // challenge mac -> expiry
}

// loadSecret reads DIR/secret, creating 32 random bytes on first use.
func loadSecret(dir string) ([]byte, error) {
	p := filepath.Join(dir, "secret")
	b, err := os.ReadFile(p)
	if err == nil && len(b) == 64 {
		return hex.DecodeString(string(b))
	}
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	if err == nil {
		return nil, fmt.Errorf("hub store: %s is not 64 hex characters; remove it to make a new one (invalidates issued tokens)", p)
	}
	var sec [32]byte
	if _, err := rand.Read(sec[:]); err != nil {
		return nil, err
	}
	if err := os.WriteFile(p, []byte(hex.EncodeToString(sec[:])), 0o600); err != nil {
		return nil, err
	}
	return sec[:], nil
}

func (t *tokenAuth) mac(parts ...string) string {
	h := hmac.New(sha256.New, t.secret)
	h.Write([]byte(strings.Join(parts, "\n")))
	return hex.EncodeToString(h.Sum(nil))
}

const challengePrefix = "taonet-hub-login-v1"

// Challenge returns a challenge for hotkey, valid for ChallengeTTL.
func (t *tokenAuth) Challenge(hotkey string) (string, time.Time, error) {
	if !keys.ValidSS58(hotkey) {
		return "", time.Time{}, fmt.Errorf("%w hotkey %q: not an ss58 address", ErrInvalid, hotkey)
	}
	var nb [16]byte
	if _, err := rand.Read(nb[:]); err != nil {
		return "", time.Time{}, err
	}
	exp := t.now().Add(ChallengeTTL).Unix()
	body := []string{challengePrefix, hotkey, strconv.FormatInt(exp, 10), hex.EncodeToString(nb[:])}
	return strings.Join(append(body, t.mac(body...)), "\n"), time.Unix(exp, 0), nil
}

// Issue checks a signed challenge and returns a token for hotkey.
func (t *tokenAuth) Issue(hotkey, challenge string, sig []byte, ttl time.Duration) (string, time.Time, error) {
	parts := strings.Split(challenge, "\n")
	if len(parts) != 5 || parts[0] != challengePrefix || !hmac.Equal([]byte(parts[4]), []byte(t.mac(parts[:4]...))) {
		return "", time.Time{}, fmt.Errorf("%w: not a challenge of this hub", ErrUnauthorized)
	}
	exp, err := strconv.ParseInt(parts[2], 10, 64)
	now := t.now().Unix()
	if err != nil || now > exp {
		return "", time.Time{}, fmt.Errorf("%w: challenge expired; ask for a new one", ErrUnauthorized)
	}
	if parts[1] != hotkey {
		return "", time.Time{}, fmt.Errorf("%w: challenge was issued to %s, not %s", ErrUnauthorized, parts[1], hotkey)
	}
	if !keys.VerifySS58(hotkey, []byte(challenge), sig) {
		return "", time.Time{}, fmt.Errorf("%w: bad signature over the challenge", ErrUnauthorized)
	}
	if ttl <= 0 {
		ttl = DefaultTokenTTL
	}
	if ttl > MaxTokenTTL {
		return "", time.Time{}, fmt.Errorf("%w: token lifetime %s over %s", ErrInvalid, ttl, MaxTokenTTL)
	}
	t.mu.Lock()
	for k, e := range t.used {
		if e < now {
			delete(t.used, k)
		}
	}
	if _, dup := t.used[parts[4]]; dup {
		t.mu.Unlock()
		return "", time.Time{}, fmt.Errorf("%w: challenge already used", ErrUnauthorized)
	}
	if t.used == nil {
		t.used = map[string]int64{}
	}
	t.used[parts[4]] = exp // bounded: challenges expire in ChallengeTTL and each needs a valid signature
	t.mu.Unlock()
	var nb [8]byte
	if _, err := rand.Read(nb[:]); err != nil {
		return "", time.Time{}, err
	}
	texp := t.now().Add(ttl).Unix()
	payload := hotkey + "." + strconv.FormatInt(texp, 10) + "." + hex.EncodeToString(nb[:])
	tok := "hf_" + base64.RawURLEncoding.EncodeToString([]byte(payload)) + "." + t.mac("token", payload)
	return tok, time.Unix(texp, 0), nil
}

// errBadToken is HF's answer to an unusable Authorization header.
var errBadToken = fmt.Errorf("%w: invalid credentials in Authorization header", ErrUnauthorized)

// Check returns the hotkey a token acts for; errors wrap ErrUnauthorized.
func (t *tokenAuth) Check(tok string) (string, error) {
	rest, ok := strings.CutPrefix(tok, "hf_")
	if !ok {
		return "", errBadToken
	}
	enc, mac, ok := strings.Cut(rest, ".")
	if !ok {
		return "", errBadToken
	}
	pb, err := base64.RawURLEncoding.DecodeString(enc)
	if err != nil {
		return "", errBadToken
	}
	payload := string(pb)
	if !hmac.Equal([]byte(mac), []byte(t.mac("token", payload))) {
		return "", errBadToken
	}
	f := strings.Split(payload, ".")
	if len(f) != 3 {
		return "", errBadToken
	}
	exp, err := strconv.ParseInt(f[1], 10, 64)
	if err != nil || t.now().Unix() > exp {
		return "", fmt.Errorf("%w: token expired; run taonet hub login again", ErrUnauthorized)
	}
	return f[0], nil
}

// lfsSig authorizes one LFS upload (repo, oid, size) until exp: the batch
// answer puts it in the upload and verify hrefs, because clients send those
// requests without the Authorization header (as to S3).
func (t *tokenAuth) lfsSig(repo, oid string, size, exp int64) string {
	return t.mac("lfs", repo, oid, strconv.FormatInt(size, 10), strconv.FormatInt(exp, 10))
}
