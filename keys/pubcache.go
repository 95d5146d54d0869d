package keys

import "sync"

// publicKeyCacheSize bounds the keys the package-level Verify functions keep
// decoded. A chain node sees its validators' and miners' keys over and over
// (CheckTx, then FinalizeBlock, block after block); 1024 keys with their
// tables are about 10 MiB. Past the bound the cache is emptied, so callers
// cycling through fresh keys cost a decode per verification (as without
// the cache), never unbounded memory.
const publicKeyCacheSize = 1024

var publicKeyCache = struct {
	mu   sync.RWMutex
	keys map[[32]byte]*PublicKey
}{keys: map[[32]byte]*PublicKey{}}

// cachedPublicKey is ParsePublicKey through the cache. Only valid keys are
// kept; a PublicKey is safe for concurrent use, so callers share it.
func cachedPublicKey(pub [32]byte) (*PublicKey, error) {
	c := &publicKeyCache
	c.mu.RLock()
	pk := c.keys[pub]
	c.mu.RUnlock()
	if pk != nil {
		return pk, nil
	}
	pk, err := ParsePublicKey(pub)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if len(c.keys) >= publicKeyCacheSize {
		clear(c.keys)
	}
	c.keys[pub] = pk
	c.mu.Unlock()
	return pk, nil
}
