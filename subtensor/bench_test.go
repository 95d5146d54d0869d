package subtensor

import (
	"context"
	"testing"

	fixture "github.com/taonet/taonet/subtensor/polkadottest"
	"github.com/taonet/taonet/subtensor/substratetest"
)

// BenchmarkMetagraphRead: one metagraph read (4 neurons, dTAO runtime) over
// WebSocket JSON-RPC from the scripted node on loopback: the client-side cost
// and round trips without network latency.
func BenchmarkMetagraphRead(b *testing.B) {
	r := substratetest.NewReplay(b, fixture.Testnet)
	c := dial(b, r.Srv.URL, r.Mat.GenesisHash)
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := c.Metagraph(ctx, 3); err != nil {
			b.Fatal(err)
		}
	}
}
