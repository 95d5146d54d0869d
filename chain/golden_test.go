package chain

import (
	"encoding/hex"
	"testing"
)

// goldenAppHash pins the app hash of script(): the same block sequence must give
// the same hash in every process, on every machine. Change it only together with a
// deliberate change of the state encoding, of a chain rule or of yuma.Epoch
// (which is consensus too), and say so in the commit.
const goldenAppHash = "1662ab436a3155c1b40148d6d1f418bfe4dde9c770ef79b4d373cdb2f34054e1"

func TestGoldenAppHash(t *testing.T) {
	got := hex.EncodeToString(script(t).AppHash())
	if got != goldenAppHash {
		t.Fatalf("app hash %s, golden %s", got, goldenAppHash)
	}
}
