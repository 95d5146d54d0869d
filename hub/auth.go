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
//
// Replay memory is written only for requests that passed every check (the
// caller's permission checks included, see check and consume), kept per
// hotkey and bounded, so a flood of signed requests from keys that may not
// write cannot grow it or slow everyone else down.
type Verifier struct {
	Window    time.Duration    // freshness window; 0 means AuthWindow
	Now       func() time.Time // clock; nil means time.Now
	MaxNonces int              // remembered requests per window, all keys (memory bound); 0 means 1<<20
	MaxPerKey int              // remembered requests per window and hotkey; 0 means 1<<14

	mu        sync.Mutex
	seen      map[string]map[string]int64 // hotkey -> nonce -> timestamp, kept while fresh
	total     int
	lastSweep int64
}

// signedReq is a request whose signature verified but whose nonce is not yet
// remembered.
type signedReq struct {
	hotkey, bodySHA, nonce string
	ts                     int64
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
	sr, err := v.check(r)
	if err != nil {
		return "", "", err
	}
	if err := v.consume(sr); err != nil {
		return "", "", err
	}
	return sr.hotkey, sr.bodySHA, nil
}

// check verifies r's headers and signature without remembering anything.
func (v *Verifier) check(r *http.Request) (signedReq, error) {
	h := r.Header
	sr := signedReq{hotkey: h.Get(HeaderHotkey), nonce: h.Get(HeaderNonce), bodySHA: h.Get(HeaderBodyHash)}
	tsStr, sigHex := h.Get(HeaderTimestamp), h.Get(HeaderSignature)
	if sr.hotkey == "" || tsStr == "" || sr.nonce == "" || sr.bodySHA == "" || sigHex == "" {
		return sr, fmt.Errorf("%w: missing signature headers", ErrUnauthorized)
	}
	if !keys.ValidSS58(sr.hotkey) {
		return sr, fmt.Errorf("%w: hotkey %q is not an ss58 address", ErrUnauthorized, sr.hotkey)
	}
	if !isLowerHex(sr.nonce, 32) {
		return sr, fmt.Errorf("%w: nonce must be 32 lowercase hex", ErrUnauthorized)
	}
	if !ValidSHA256(sr.bodySHA) {
		return sr, fmt.Errorf("%w: body sha256 must be 64 lowercase hex", ErrUnauthorized)
	}
	ts, perr := strconv.ParseInt(tsStr, 10, 64)
	if perr != nil {
		return sr, fmt.Errorf("%w: bad timestamp", ErrUnauthorized)
	}
	sr.ts = ts
	now := v.now().Unix()
	win := int64(v.window() / time.Second)
	if ts < now-win || ts > now+win {
		return sr, fmt.Errorf("%w: stale timestamp (%d s from server time, window %d s)", ErrUnauthorized, ts-now, win)
	}
	sig, herr := hex.DecodeString(sigHex)
	if herr != nil || len(sig) != 64 {
		return sr, fmt.Errorf("%w: signature must be 64 bytes hex", ErrUnauthorized)
	}
	if !keys.VerifySS58(sr.hotkey, SigningMessage(r.Method, requestPath(r), sr.bodySHA, ts, sr.nonce), sig) {
		return sr, fmt.Errorf("%w: bad signature", ErrUnauthorized)
	}
	return sr, nil
}

// consume remembers sr's nonce, refusing a replay; call it only after every
// permission check passed.
func (v *Verifier) consume(sr signedReq) error {
	now := v.now().Unix()
	win := int64(v.window() / time.Second)
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.seen == nil {
		v.seen = map[string]map[string]int64{}
	}
	if now-v.lastSweep >= max(win/4, 1) { // entries older than the window can never match a fresh request
		v.lastSweep = now
		for hk, m := range v.seen {
			v.prune(hk, m, now-win)
		}
	}
	m := v.seen[sr.hotkey]
	if _, dup := m[sr.nonce]; dup {
		return fmt.Errorf("%w: replayed request", ErrUnauthorized)
	}
	perKey, limit := v.MaxPerKey, v.MaxNonces
	if perKey <= 0 {
		perKey = 1 << 14
	}
	if limit <= 0 {
		limit = 1 << 20
	}
	if len(m) >= perKey {
		v.prune(sr.hotkey, m, now-win)
		if len(m) >= perKey {
			return fmt.Errorf("%w: %d signed requests by %s in the last %d s; retry later", ErrBusy, len(m), sr.hotkey, win)
		}
	}
	if v.total >= limit {
		return fmt.Errorf("%w: %d signed requests in the last %d s; retry later", ErrBusy, v.total, win)
	}
	if m == nil {
		m = map[string]int64{}
		v.seen[sr.hotkey] = m
	}
	m[sr.nonce] = sr.ts
	v.total++
	return nil
}

// prune drops hotkey's entries older than cutoff (v.mu held).
func (v *Verifier) prune(hotkey string, m map[string]int64, cutoff int64) {
	for n, t := range m {
		if t < cutoff {
			delete(m, n)
			v.total--
		}
	}
	if len(m) == 0 {
		delete(v.seen, hotkey)
	}
}

// sha256Hex is the lowercase hex sha256 of b.
func sha256Hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}
