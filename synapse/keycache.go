package synapse

import (
	"sync"

	"github.com/taonet/taonet/keys"
)

// keyCacheSize bounds the decoded hotkeys an axon keeps. A subnet has at most a
// few thousand neurons; past the bound the cache is simply emptied, so an attacker
// cycling addresses costs a decode per request (as without the cache), never memory.
const keyCacheSize = 8192

// keyCache maps an ss58 hotkey to its decoded public key, so the base58 + blake2b
// checksum and the ristretto point decompression are done once per caller instead of
// once per request. Only addresses that decode are cached.
type keyCache struct {
	mu   sync.RWMutex
	keys map[string]*keys.PublicKey
}

func newKeyCache() *keyCache { return &keyCache{keys: map[string]*keys.PublicKey{}} }

// processKeys is the cache every Axon of the process verifies through by default.
// Axons in one process (a localnet, the fan-out benchmark, a miner serving several
// hotkeys) then share one decoded key, and one set of verification tables, per
// caller instead of one per axon: 256 axons hearing one validator keep ~10 KiB of
// tables hot instead of ~2.5 MiB. The bound is per process.
var processKeys = newKeyCache()

// get returns the decoded key of addr, or nil if addr is not a valid ss58 sr25519 key.
func (c *keyCache) get(addr string) *keys.PublicKey {
	c.mu.RLock()
	pk := c.keys[addr]
	c.mu.RUnlock()
	if pk != nil {
		return pk
	}
	raw, err := keys.SS58Decode(addr)
	if err != nil {
		return nil
	}
	pk, err = keys.ParsePublicKey(raw)
	if err != nil {
		return nil
	}
	c.mu.Lock()
	if len(c.keys) >= keyCacheSize {
		clear(c.keys)
	}
	c.keys[addr] = pk
	c.mu.Unlock()
	return pk
}

// verify is keys.VerifyWrapped with the signer given as an ss58 address, through the
// cache (the default AxonConfig.Verify).
func (c *keyCache) verify(addr string, msg, sig []byte) bool {
	pk := c.get(addr)
	return pk != nil && pk.VerifyWrapped(msg, sig)
}
