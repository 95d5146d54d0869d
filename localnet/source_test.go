package localnet

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/taonet/taonet/chain"
	"github.com/taonet/taonet/subnets/finetuning/data"
	"github.com/taonet/taonet/subnets/prompting/feed"
)

// feedChain is a one-validator prompting subnet announcing a feed URL.
type feedChain struct {
	hotkey, url string
}

func (f feedChain) Metagraph(context.Context, uint16) (*chain.Metagraph, error) {
	return &chain.Metagraph{N: 1, Hotkeys: []string{f.hotkey}, Stake: []uint64{validatorStake},
		ValidatorPermit: []bool{true}}, nil
}

func (f feedChain) Commitments(context.Context, uint16) ([]chain.Commitment, error) {
	return []chain.Commitment{{Hotkey: f.hotkey, UID: 0, Text: feed.CommitmentText(f.url)}}, nil
}

// The finetuning source merges the seed set (every window) with the feed's
// signed records, leaving out records younger than the lag.
func TestFinetuneSourceMergesSeedAndFeedWithLag(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	seed := filepath.Join(dir, "seed.jsonl")
	if err := os.WriteFile(seed, data.WriteJSONL([]data.Sample{{Prompt: "p", Response: "r", ID: "seed-1"}}), 0o644); err != nil {
		t.Fatal(err)
	}
	store, err := feed.OpenStore(filepath.Join(dir, "feed"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	pv, _ := Key("pv0")
	for _, b := range []uint64{10, 20, 30, 40} {
		r := feed.Record{Netuid: 1, Block: b, Task: "math", Challenge: fmt.Sprint("q", b), Reference: fmt.Sprint("a", b)}
		if err := r.Sign(pv); err != nil {
			t.Fatal(err)
		}
		if _, err := store.Append(r); err != nil {
			t.Fatal(err)
		}
	}
	srv := httptest.NewServer(feed.Handler(store))
	defer srv.Close()
	src := &ftSource{seed: data.NewJSONL(seed), lag: 12,
		feed: &feed.Client{Chain: feedChain{pv.SS58Address(), srv.URL}, Netuid: 1, MinStake: tao}}
	got, err := src.Samples(ctx, 0, 42) // feed records up to block 30 are final
	if err != nil {
		t.Fatal(err)
	}
	var prompts []string
	for _, s := range got {
		prompts = append(prompts, s.Prompt)
	}
	sort.Strings(prompts)
	if fmt.Sprint(prompts) != "[p q10 q20 q30]" {
		t.Fatalf("window 0..42 (lag 12): %v", prompts)
	}
	if got, _ := src.Samples(ctx, 0, 5); len(got) != 1 || got[0].ID != "seed-1" {
		t.Fatalf("window below the lag: %+v", got)
	}
}
