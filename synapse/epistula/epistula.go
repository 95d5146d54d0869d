package epistula

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/taonet/taonet/keys"
	"github.com/taonet/taonet/synapse"
)

// Version is the Epistula protocol version this package speaks.
const Version = "2"

// AllowedDelta is how old a request may be (upstream ALLOWED_DELTA_MS = 8000).
const AllowedDelta = 8 * time.Second

// Header names.
const (
	HeaderVersion          = "Epistula-Version"
	HeaderTimestamp        = "Epistula-Timestamp"
	HeaderUUID             = "Epistula-Uuid"
	HeaderSignedBy         = "Epistula-Signed-By"
	HeaderSignedFor        = "Epistula-Signed-For"
	HeaderRequestSignature = "Epistula-Request-Signature"
	headerSecretPrefix     = "Epistula-Secret-Signature-"
)

// Signer is the sender's hotkey (satisfied by *keys.Keypair).
type Signer = synapse.Signer

// VerifyFunc checks an sr25519 signature by an ss58 address (keys.VerifySS58).
type VerifyFunc = synapse.VerifyFunc

// Message is the signed request message "{sha256_hex(body)}.{uuid}.{timestamp}.{signed_for}".
func Message(body []byte, uuid string, timestampMs int64, signedFor string) []byte {
	sum := sha256.Sum256(body)
	return []byte(hex.EncodeToString(sum[:]) + "." + uuid + "." + strconv.FormatInt(timestampMs, 10) + "." + signedFor)
}

// SecretMessages are the three interval messages "{interval+k}.{signed_for}" for
// k = -1, 0, 1, with interval = ceil(ms/1e4)·1e4 formatted like the Python float it is.
func SecretMessages(timestampMs int64, signedFor string) [3][]byte {
	interval := math.Ceil(float64(timestampMs)/1e4) * 1e4
	var out [3][]byte
	for i, off := range []float64{-1, 0, 1} {
		out[i] = []byte(synapse.PyFloat(interval+off) + "." + signedFor)
	}
	return out
}

// Sign returns the Epistula headers for body sent to signedFor ("" for no receiver) at
// time now.
func Sign(s Signer, body []byte, signedFor string, now time.Time) (http.Header, error) {
	ts := now.UnixMilli()
	id := newUUID()
	h := http.Header{}
	h.Set(HeaderVersion, Version)
	h.Set(HeaderTimestamp, strconv.FormatInt(ts, 10))
	h.Set(HeaderUUID, id)
	h.Set(HeaderSignedBy, s.SS58Address())
	sig, err := s.Sign(Message(body, id, ts, signedFor))
	if err != nil {
		return nil, fmt.Errorf("epistula: sign: %w", err)
	}
	h.Set(HeaderRequestSignature, synapse.EncodeSignature(sig))
	if signedFor != "" {
		h.Set(HeaderSignedFor, signedFor)
		for i, m := range SecretMessages(ts, signedFor) {
			sig, err := s.Sign(m)
			if err != nil {
				return nil, fmt.Errorf("epistula: sign: %w", err)
			}
			h.Set(headerSecretPrefix+strconv.Itoa(i), synapse.EncodeSignature(sig))
		}
	}
	return h, nil
}

// Verifier checks Epistula requests addressed to one hotkey.
type Verifier struct {
	// Hotkey is the receiver's ss58 address; Signed-For must equal it.
	Hotkey string
	// Verify checks signatures (default keys.VerifySS58).
	Verify VerifyFunc
	// AllowedDelta is the maximum request age (default 8 s); timestamps more than this
	// far in the future are refused too.
	AllowedDelta time.Duration
	// Now is the clock (default time.Now).
	Now func() time.Time

	mu      sync.Mutex
	seen    map[string]int64 // "sender:uuid" -> timestamp ms, for replay refusal
	pruneAt int
}

// Error is a refused request; Status is the HTTP status a server should answer.
type Error struct {
	Status int
	Msg    string
}

// Error returns the refusal message.
func (e *Error) Error() string { return e.Msg }

func refuse(msg string) error { return &Error{Status: http.StatusUnauthorized, Msg: msg} }

// Check verifies headers h for body and returns the authenticated sender.
func (v *Verifier) Check(h http.Header, body []byte) (string, error) {
	if v.Hotkey == "" {
		return "", errors.New("epistula: verifier has no hotkey")
	}
	verify := v.Verify
	if verify == nil {
		verify = keys.VerifySS58
	}
	delta := v.AllowedDelta
	if delta <= 0 {
		delta = AllowedDelta
	}
	now := time.Now
	if v.Now != nil {
		now = v.Now
	}
	if got := h.Get(HeaderVersion); got != Version {
		return "", &Error{Status: http.StatusBadRequest, Msg: fmt.Sprintf("Unsupported Epistula version %q", got)}
	}
	ts, err := strconv.ParseInt(strings.TrimSpace(h.Get(HeaderTimestamp)), 10, 64)
	if err != nil {
		return "", refuse("Invalid Timestamp")
	}
	id, by, forKey := h.Get(HeaderUUID), h.Get(HeaderSignedBy), h.Get(HeaderSignedFor)
	if id == "" || len(id) > 64 {
		return "", refuse("Invalid UUID")
	}
	if by == "" {
		return "", refuse("Invalid sender key")
	}
	if forKey != v.Hotkey {
		return "", refuse("Request is not signed for this hotkey")
	}
	nowMs := now().UnixMilli()
	if ts+delta.Milliseconds() < nowMs {
		return "", refuse("Request is too stale")
	}
	if ts > nowMs+delta.Milliseconds() {
		return "", refuse("Request is from the future")
	}
	sig, err := synapse.DecodeSignature(h.Get(HeaderRequestSignature))
	if err != nil || !verify(by, Message(body, id, ts, forKey), sig) {
		return "", refuse("Signature Mismatch")
	}
	if err := v.remember(by+":"+id, ts, nowMs-delta.Milliseconds()); err != nil {
		return "", err
	}
	return by, nil
}

// remember refuses a (sender, uuid) seen inside the window and prunes expired ones.
func (v *Verifier) remember(key string, ts, cutoff int64) error {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.seen == nil {
		v.seen = map[string]int64{}
		v.pruneAt = 4096
	}
	if _, dup := v.seen[key]; dup {
		return refuse("Replayed request")
	}
	v.seen[key] = ts
	if len(v.seen) > v.pruneAt {
		for k, t := range v.seen {
			if t < cutoff {
				delete(v.seen, k)
			}
		}
		v.pruneAt = max(4096, 2*len(v.seen))
	}
	return nil
}

type ctxKey struct{}

// SignedBy returns the authenticated sender stored by Middleware.
func SignedBy(ctx context.Context) (string, bool) {
	s, ok := ctx.Value(ctxKey{}).(string)
	return s, ok
}

// Middleware authenticates every request before next sees it: it reads the body (at
// most maxBody bytes, else 413), verifies the headers, optionally asks allow (e.g. a
// metagraph check; false gives 403), restores the body and records the sender in the
// request context (SignedBy).
func (v *Verifier) Middleware(next http.Handler, maxBody int64, allow func(signedBy string) bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
		if err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				http.Error(w, "request body too large", http.StatusRequestEntityTooLarge)
			} else {
				http.Error(w, "could not read request body", http.StatusBadRequest)
			}
			return
		}
		by, err := v.Check(r.Header, body)
		if err != nil {
			status := http.StatusUnauthorized
			var e *Error
			if errors.As(err, &e) {
				status = e.Status
			}
			http.Error(w, err.Error(), status)
			return
		}
		if allow != nil && !allow(by) {
			http.Error(w, "Forbidden", http.StatusForbidden)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		r.ContentLength = int64(len(body))
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), ctxKey{}, by)))
	})
}

// Transport signs outgoing requests with Epistula headers. SignedFor picks the
// receiver's hotkey per request (e.g. from a map of miner URLs); requests with no
// receiver are signed without one.
type Transport struct {
	Base      http.RoundTripper // default http.DefaultTransport
	Signer    Signer
	SignedFor func(*http.Request) string
	// MaxBody bounds the request body read for hashing (default 16 MiB).
	MaxBody int64
}

// RoundTrip implements http.RoundTripper.
func (t *Transport) RoundTrip(r *http.Request) (*http.Response, error) {
	maxBody := t.MaxBody
	if maxBody <= 0 {
		maxBody = 16 << 20
	}
	var body []byte
	if r.Body != nil && r.Body != http.NoBody {
		b, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
		r.Body.Close()
		if err != nil {
			return nil, err
		}
		if int64(len(b)) > maxBody {
			return nil, fmt.Errorf("epistula: request body over %d bytes", maxBody)
		}
		body = b
	}
	signedFor := ""
	if t.SignedFor != nil {
		signedFor = t.SignedFor(r)
	}
	h, err := Sign(t.Signer, body, signedFor, time.Now())
	if err != nil {
		return nil, err
	}
	r2 := r.Clone(r.Context())
	for k, v := range h {
		r2.Header[k] = v
	}
	r2.Body = io.NopCloser(bytes.NewReader(body))
	r2.ContentLength = int64(len(body))
	r2.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	base := t.Base
	if base == nil {
		base = http.DefaultTransport
	}
	return base.RoundTrip(r2)
}

func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
