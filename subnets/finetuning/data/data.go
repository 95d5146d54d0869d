package data

import (
	"context"
	"sort"
)

// Sample is one prompt/response pair.
type Sample struct {
	// Prompt is the user turn.
	Prompt string `json:"prompt"`
	// Response is the assistant turn; validators score the loss of its tokens only.
	Response string `json:"response"`
	// Block is the chain height the sample was produced at (0 = undated).
	Block uint64 `json:"block,omitempty"`
	// ID identifies the sample uniquely within its source (stable across
	// machines). Sources without a natural id use ContentID.
	ID string `json:"id,omitempty"`
}

// Source returns the samples produced in a block window.
//
// Contract (validators depend on it to agree with each other):
//   - the result holds every sample with sinceBlock <= Block <= untilBlock
//     that the source knows of (undated samples, Block 0, are included in every
//     window by sources that have no block information);
//   - the same window yields the same samples on every machine once the
//     window is final (untilBlock at or below the chain head); JSONL files
//     meet this while every machine holds the same files, the prompting
//     feed only approximately (see subnets/prompting/feed's doc), and
//     validators disagree where a source does not;
//   - order does not matter (callers sort with SortSamples), IDs are unique.
type Source interface {
	Samples(ctx context.Context, sinceBlock, untilBlock uint64) ([]Sample, error)
}

// SortSamples orders samples by (Block, ID, Prompt, Response): the canonical
// order every validator indexes into.
func SortSamples(s []Sample) {
	sort.SliceStable(s, func(i, j int) bool {
		a, b := s[i], s[j]
		if a.Block != b.Block {
			return a.Block < b.Block
		}
		if a.ID != b.ID {
			return a.ID < b.ID
		}
		if a.Prompt != b.Prompt {
			return a.Prompt < b.Prompt
		}
		return a.Response < b.Response
	})
}
