package subtensor

import (
	"context"
	"encoding/json"
	"time"

	"github.com/taonet/taonet/keys"
)

// pollInterval is how often the HTTP fallback looks for new blocks (subtensor
// produces one every 12 s).
const pollInterval = 2 * time.Second

func ss58(pub [32]byte) string { return keys.SS58Encode(pub) }

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func jsonString(raw []byte, dst *string) error { return json.Unmarshal(raw, dst) }
