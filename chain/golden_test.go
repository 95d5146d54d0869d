package chain

import (
	"encoding/hex"
	"testing"
)

// goldenAppHash pins the app hash of script(): the same block sequence must give
// the same hash in every process, on every machine. Change it only together with a
// deliberate change of the state encoding, of a chain rule or of yuma.Epoch
// (which is consensus too), and say so in the commit.
const goldenAppHash = "fcc50d603ca6350004c0654166b60a55a1d72953e0398fd9164c4ec2aefabac6"

func TestGoldenAppHash(t *testing.T) {
	got := hex.EncodeToString(script(t).AppHash())
	if got != goldenAppHash {
		t.Fatalf("app hash %s, golden %s", got, goldenAppHash)
	}
}
