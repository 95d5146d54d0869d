package hub

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// HotkeySet returns the hotkeys currently allowed to write, e.g. the hotkeys
// registered on a subnet (read from the chain's metagraph).
type HotkeySet func(ctx context.Context) ([]string, error)

// AllowListed returns a ServerOptions.AllowWriter that accepts hotkeys in
// set. The set is fetched at most once per ttl; an unknown hotkey forces one
// early refresh (a miner that registered a moment ago), rate-limited to one
// per ttl/10. If fetching fails and no earlier set exists, writes are refused
// with the fetch error. Safe for concurrent use.
func AllowListed(set HotkeySet, ttl time.Duration) func(ctx context.Context, hotkey string) error {
	var (
		mu      sync.Mutex
		allowed map[string]bool
		fetched time.Time
	)
	refresh := func(ctx context.Context) error {
		list, err := set(ctx)
		if err != nil {
			return err
		}
		m := make(map[string]bool, len(list))
		for _, h := range list {
			m[h] = true
		}
		allowed, fetched = m, time.Now()
		return nil
	}
	return func(ctx context.Context, hotkey string) error {
		mu.Lock()
		defer mu.Unlock()
		age := time.Since(fetched)
		if allowed == nil || age > ttl || (!allowed[hotkey] && age > ttl/10) {
			if err := refresh(ctx); err != nil && allowed == nil {
				return fmt.Errorf("cannot read the allowed hotkeys: %w", err)
			}
		}
		if !allowed[hotkey] {
			return fmt.Errorf("hotkey %s is not in the allowed set (%d hotkeys)", hotkey, len(allowed))
		}
		return nil
	}
}
