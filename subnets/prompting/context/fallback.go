package context

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
)

// Named is a source with a name for messages.
type Named struct {
	Name string
	Source
}

// Fallback draws from the first source that works: when one fails (an
// unreachable API, a source with nothing usable) it reports it through
// Warn, once per change, and the next one answers. Safe for concurrent use.
type Fallback struct {
	Sources []Named
	// Warn receives "source X failed: …; using Y" messages (may be nil).
	Warn func(msg string)

	mu   sync.Mutex
	last string
}

// Next implements Source.
func (f *Fallback) Next(ctx context.Context, rng *rand.Rand) (Context, error) {
	var errs []error
	for i, s := range f.Sources {
		c, err := s.Next(ctx, rng)
		if err == nil {
			f.note(s.Name, errs, i)
			return c, nil
		}
		if ctx.Err() != nil {
			return Context{}, ctx.Err()
		}
		errs = append(errs, fmt.Errorf("%s: %w", s.Name, err))
	}
	return Context{}, fmt.Errorf("context: every source failed: %w", errors.Join(errs...))
}

func (f *Fallback) note(using string, errs []error, i int) {
	f.mu.Lock()
	changed := f.last != using
	f.last = using
	f.mu.Unlock()
	if changed && i > 0 && f.Warn != nil {
		f.Warn(fmt.Sprintf("context source %s; using %s", errors.Join(errs...), using))
	} else if changed && f.Warn != nil && len(f.Sources) > 1 {
		f.Warn("context source " + using + " answers again")
	}
}
