package metadata

import (
	"testing"

	fixture "github.com/taonet/taonet/subtensor/polkadottest"
)

// BenchmarkDecodeFinneyMetadata: decoding the finney runtime's metadata (done
// once per spec version by the client).
func BenchmarkDecodeFinneyMetadata(b *testing.B) {
	raw := fixture.Load(b, fixture.Finney).Metadata
	b.SetBytes(int64(len(raw)))
	for i := 0; i < b.N; i++ {
		if _, err := Decode(raw); err != nil {
			b.Fatal(err)
		}
	}
}
