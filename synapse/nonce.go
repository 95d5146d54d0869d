package synapse

import (
	"fmt"
	"sync"
	"time"
)

// V720 is bittensor 7.2.0 as version_as_int: dendrites at or above it use wall-clock
// nonces, and axons check a freshness window for keys they have not seen.
const V720 = 7_002_000

// allowedNonceDelta is upstream ALLOWED_DELTA: 4 s of clock skew/transit.
const allowedNonceDelta = 4 * time.Second

// nonceKey identifies a dendrite instance: upstream keys axon.nonces by
// "{hotkey}:{uuid}"; a struct key says the same without building that string per
// request (and cannot confuse a colon in one part with the separator).
type nonceKey struct {
	hotkey, uuid string
}

// nonceStore keeps the last accepted nonce per dendrite hotkey and uuid (upstream
// axon.nonces), and prunes entries old enough that the freshness window rejects them
// anyway.
type nonceStore struct {
	mu        sync.Mutex
	last      map[nonceKey]int64
	pruneAt   int           // prune when the map grows past this size
	retention time.Duration // window beyond which an entry can never matter
}

func newNonceStore(maxTimeout time.Duration) *nonceStore {
	return &nonceStore{last: map[nonceKey]int64{}, pruneAt: 4096, retention: allowedNonceDelta + maxTimeout + time.Second}
}

// check applies the upstream nonce rules before signature verification. strict applies
// the freshness window to first-seen keys (upstream: dendrite version >= 7.2.0).
func (s *nonceStore) check(key nonceKey, nonce int64, now time.Time, timeout float64, strict bool) error {
	s.mu.Lock()
	last, seen := s.last[key]
	s.mu.Unlock()
	if strict && !seen {
		allowedDelta := allowedNonceDelta + secondsToDuration(timeout)
		if nonce <= now.UnixNano()-int64(allowedDelta) {
			diff := float64(now.UnixNano()-nonce) / 1e9
			return fmt.Errorf("Nonce is too old: acceptable delta is %.2f seconds but request was %.2f seconds old", allowedDelta.Seconds(), diff)
		}
	}
	if seen && nonce <= last {
		return fmt.Errorf("Nonce is too old, a newer one was last processed")
	}
	return nil
}

// commit records nonce for key after the signature verified. It re-checks
// monotonicity under the lock so two concurrent requests with the same nonce cannot
// both pass.
func (s *nonceStore) commit(key nonceKey, nonce int64, now time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if last, seen := s.last[key]; seen && nonce <= last {
		return fmt.Errorf("Nonce is too old, a newer one was last processed")
	}
	s.last[key] = nonce
	if len(s.last) > s.pruneAt {
		cutoff := now.UnixNano() - int64(s.retention)
		for k, n := range s.last {
			if n < cutoff {
				delete(s.last, k)
			}
		}
		s.pruneAt = max(4096, 2*len(s.last))
	}
	return nil
}

func (s *nonceStore) size() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.last)
}
