package hub

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/taonet/taonet/keys"
)

// Signer signs upload requests; *keys.Keypair satisfies it.
type Signer interface {
	SS58Address() string
	Sign(msg []byte) ([]byte, error)
}

// Authentication headers of write requests.
const (
	HeaderHotkey    = "X-Taonet-Hotkey"
	HeaderTimestamp = "X-Taonet-Timestamp"
	HeaderNonce     = "X-Taonet-Nonce"
	HeaderBodyHash  = "X-Taonet-Content-SHA256"
	HeaderSignature = "X-Taonet-Signature"
)

// AuthWindow is the default freshness window: a request's timestamp must be
// within this much of the server clock (either direction).
const AuthWindow = 2 * time.Minute

// ErrUnauthorized is wrapped by authentication failures.
var ErrUnauthorized = errors.New("unauthorized")

// ErrBusy is wrapped by refusals of a server at its replay-memory bound
// (HTTP 429; clients retry).
var ErrBusy = errors.New("busy")

// SigningMessage is the byte string a write request's signature covers:
//
//	"taonet-hub-v1\n" + METHOD + "\n" + escaped path[?query] + "\n" +
//	hex sha256(body) + "\n" + unix seconds + "\n" + nonce
func SigningMessage(method, pathQuery, bodySHA256 string, ts int64, nonce string) []byte {
	return []byte("taonet-hub-v1\n" + method + "\n" + pathQuery + "\n" + bodySHA256 + "\n" +
		strconv.FormatInt(ts, 10) + "\n" + nonce)
}

func requestPath(r *http.Request) string {
	p := r.URL.EscapedPath()
	if r.URL.RawQuery != "" {
		p += "?" + r.URL.RawQuery
	}
	return p
}

// SignRequest sets the authentication headers on req for a body whose sha256
// (hex) is bodySHA256, signed by s at time now with a fresh random nonce.
func SignRequest(req *http.Request, s Signer, bodySHA256 string, now time.Time) error {
	var nb [16]byte
	if _, err := rand.Read(nb[:]); err != nil {
		return err
	}
	nonce := hex.EncodeToString(nb[:])
	ts := now.Unix()
	sig, err := s.Sign(SigningMessage(req.Method, requestPath(req), bodySHA256, ts, nonce))
	if err != nil {
		return fmt.Errorf("hub: sign request: %w", err)
	}
	req.Header.Set(HeaderHotkey, s.SS58Address())
	req.Header.Set(HeaderTimestamp, strconv.FormatInt(ts, 10))
	req.Header.Set(HeaderNonce, nonce)
	req.Header.Set(HeaderBodyHash, bodySHA256)
	req.Header.Set(HeaderSignature, hex.EncodeToString(sig))
	return nil
}

// Verifier checks signed requests: signature, freshness and replay. It is
// safe for concurrent use.
type Verifier struct {
	Window    time.Duration    // freshness window; 0 means AuthWindow
	Now       func() time.Time // clock; nil means time.Now
	MaxNonces int              // remembered requests per window (memory bound); 0 means 1<<20

	mu   sync.Mutex
	seen map[string]int64 // hotkey+nonce -> timestamp, kept while fresh
}

func (v *Verifier) now() time.Time {
	if v.Now != nil {
		return v.Now()
	}
	return time.Now()
}

func (v *Verifier) window() time.Duration {
	if v.Window > 0 {
		return v.Window
	}
	return AuthWindow
}

// Verify checks r's authentication headers and returns the signing hotkey and
// the declared body sha256 (the caller must check the body against it).
// Errors wrap ErrUnauthorized. A request is accepted once: its nonce is
// remembered for the freshness window, after which its timestamp is stale.
func (v *Verifier) Verify(r *http.Request) (hotkey, bodySHA256 string, err error) {
	h := r.Header
	hotkey = h.Get(HeaderHotkey)
	tsStr, nonce, bodySHA256, sigHex := h.Get(HeaderTimestamp), h.Get(HeaderNonce), h.Get(HeaderBodyHash), h.Get(HeaderSignature)
	if hotkey == "" || tsStr == "" || nonce == "" || bodySHA256 == "" || sigHex == "" {
		return "", "", fmt.Errorf("%w: missing signature headers", ErrUnauthorized)
	}
	if !keys.ValidSS58(hotkey) {
		return "", "", fmt.Errorf("%w: hotkey %q is not an ss58 address", ErrUnauthorized, hotkey)
	}
	if !isLowerHex(nonce, 32) {
		return "", "", fmt.Errorf("%w: nonce must be 32 lowercase hex", ErrUnauthorized)
	}
	if !ValidSHA256(bodySHA256) {
		return "", "", fmt.Errorf("%w: body sha256 must be 64 lowercase hex", ErrUnauthorized)
	}
	ts, perr := strconv.ParseInt(tsStr, 10, 64)
	if perr != nil {
		return "", "", fmt.Errorf("%w: bad timestamp", ErrUnauthorized)
	}
	now := v.now().Unix()
	win := int64(v.window() / time.Second)
	if ts < now-win || ts > now+win {
		return "", "", fmt.Errorf("%w: stale timestamp (%d s from server time, window %d s)", ErrUnauthorized, ts-now, win)
	}
	sig, herr := hex.DecodeString(sigHex)
	if herr != nil || len(sig) != 64 {
		return "", "", fmt.Errorf("%w: signature must be 64 bytes hex", ErrUnauthorized)
	}
	if !keys.VerifySS58(hotkey, SigningMessage(r.Method, requestPath(r), bodySHA256, ts, nonce), sig) {
		return "", "", fmt.Errorf("%w: bad signature", ErrUnauthorized)
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.seen == nil {
		v.seen = map[string]int64{}
	}
	for k, t := range v.seen { // prune: entries older than the window can never match a fresh request
		if t < now-win {
			delete(v.seen, k)
		}
	}
	key := hotkey + "/" + nonce
	if _, dup := v.seen[key]; dup {
		return "", "", fmt.Errorf("%w: replayed request", ErrUnauthorized)
	}
	limit := v.MaxNonces
	if limit <= 0 {
		limit = 1 << 20
	}
	if len(v.seen) >= limit {
		return "", "", fmt.Errorf("%w: %d signed requests in the last %d s; retry later", ErrBusy, len(v.seen), win)
	}
	v.seen[key] = ts
	return hotkey, bodySHA256, nil
}

// sha256Hex is the lowercase hex sha256 of b.
func sha256Hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}
