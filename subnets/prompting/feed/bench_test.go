package feed

import (
	"context"
	"fmt"
	"net/http/httptest"
	"testing"

	"github.com/taonet/taonet/chain"
)

// BenchmarkClientSamples1000 measures a cold read of one feed of 1000
// records over loopback HTTP: pages, JSON, signature verification, dedup.
func BenchmarkClientSamples1000(b *testing.B) {
	alice := kp(b, "//Alice")
	s, err := OpenStore(b.TempDir(), nil)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	for i := 0; i < 1000; i++ {
		r := Record{Netuid: 1, Block: uint64(100 + i), Task: "qa", Challenge: fmt.Sprintf("question %d about something long enough", i),
			Reference:  "an answer of a typical length, about twenty words, as the validators' references are in practice.",
			Completion: "a completion of similar length, written by the best miner of the step, streamed in chunks."}
		if err := r.Sign(alice); err != nil {
			b.Fatal(err)
		}
		if _, err := s.Append(r); err != nil {
			b.Fatal(err)
		}
	}
	srv := httptest.NewServer(Handler(s))
	defer srv.Close()
	fc := &fakeChain{mg: &chain.Metagraph{Hotkeys: []string{alice.SS58Address()}, Stake: []uint64{1}, ValidatorPermit: []bool{true}},
		cs: []chain.Commitment{{Hotkey: alice.SS58Address(), Text: CommitmentText(srv.URL)}}}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		c := &Client{Chain: fc, Netuid: 1}
		got, err := c.Samples(context.Background(), 0, 1<<40)
		if err != nil || len(got) != 1000 {
			b.Fatal(len(got), err)
		}
	}
}
