package validator

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/taonet/taonet/chain"
	"github.com/taonet/taonet/hub"
	"github.com/taonet/taonet/node"
	"github.com/taonet/taonet/subnets/finetuning/data"
)

// fakeChain is a fixed chain view for unit tests of the step's edges.
type fakeChain struct {
	head uint64
	coms []chain.Commitment
}

func (f *fakeChain) LatestBlock(context.Context) (node.BlockSummary, error) {
	return node.BlockSummary{Height: f.head, Hash: "ab"}, nil
}
func (f *fakeChain) Block(_ context.Context, h uint64) (node.BlockSummary, error) {
	return node.BlockSummary{Height: h, Hash: "0102"}, nil
}
func (f *fakeChain) Metagraph(context.Context, uint16) (*chain.Metagraph, error) {
	return &chain.Metagraph{Hotkeys: []string{"hk0", "hk1"}}, nil
}
func (f *fakeChain) Commitments(context.Context, uint16) ([]chain.Commitment, error) {
	return f.coms, nil
}
func (f *fakeChain) MetagraphAt(ctx context.Context, n uint16, _ uint64) (*chain.Metagraph, error) {
	return f.Metagraph(ctx, n)
}
func (f *fakeChain) CommitmentsAt(ctx context.Context, n uint16, _ uint64) ([]chain.Commitment, error) {
	return f.Commitments(ctx, n)
}
func (f *fakeChain) Submit(context.Context, chain.Signer, chain.Call) (*node.TxOutcome, error) {
	return nil, errors.New("no submissions in this test")
}

// fakeHub fails every request with err (default: an unreachable hub).
type fakeHub struct {
	calls int
	err   error
}

func (h *fakeHub) fail() error {
	h.calls++
	if h.err != nil {
		return h.err
	}
	return errors.New("unreachable hub")
}
func (h *fakeHub) Info(context.Context, string, string) (*hub.RepoInfo, error) {
	return nil, h.fail()
}
func (h *fakeHub) Download(context.Context, string, string, string, func(int64, int64)) (*hub.Snapshot, error) {
	return nil, h.fail()
}

func TestStepEdges(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty.jsonl")
	os.WriteFile(empty, nil, 0o644)
	fc := &fakeChain{head: 25, coms: []chain.Commitment{
		{UID: 0, Hotkey: "hk0", Block: 3, Text: "garbage"},
		{UID: 1, Hotkey: "hk1", Block: 4, Text: "ns:name:0123456789abcdef0123456789abcdef01234567:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=:b2"},
	}}
	fh := &fakeHub{}
	v, err := New(Options{Config: testConfig(t), Chain: fc, Hub: fh, Source: data.NewJSONL(empty), DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for seed, want := range map[uint64]string{0: "not a positive multiple", 15: "not a positive multiple", 30: "above the head"} {
		if _, err := v.StepAt(ctx, seed); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("seed %d: %v, want %q", seed, err, want)
		}
	}
	// Seed 10 → competition b2: the hub is unreachable (a transient skip, not
	// a rejection) and the window is empty: the step fails, state untouched.
	if _, err := v.StepAt(ctx, 10); err == nil || !strings.Contains(err.Error(), "no usable samples") {
		t.Fatalf("empty window: %v", err)
	}
	if fh.calls == 0 {
		t.Fatal("hub not asked for the b2 model")
	}
	if st := v.State(); st.LastSeed != 0 || len(st.Models) != 0 {
		t.Fatalf("failed step changed state: %+v", st)
	}
	if _, err := os.Stat(filepath.Join(dir, StateFile)); !os.IsNotExist(err) {
		t.Fatal("failed step wrote state")
	}
	// Setting weights needs a hotkey.
	if _, err := New(Options{Config: testConfig(t), Chain: fc, Hub: fh, Source: data.NewJSONL(empty), DataDir: dir, SetWeights: true}); err == nil {
		t.Fatal("weights without signer accepted")
	}
}

// A revision the hub does not show (private while its miner republishes, or
// not uploaded yet) is skipped for the step and asked for again next step,
// for the new seed block and for the earlier one still in the window; it is
// never remembered as a rejection, which would make validators that asked at
// different moments disagree for good.
func TestNotFoundIsRetried(t *testing.T) {
	dir := t.TempDir()
	samples := filepath.Join(dir, "data.jsonl")
	if err := os.WriteFile(samples, []byte(`{"prompt":"2+2?","response":"4"}`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	fc := &fakeChain{head: 35, coms: []chain.Commitment{
		{UID: 1, Hotkey: "hk1", Block: 4, Text: "ns:name:0123456789abcdef0123456789abcdef01234567:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=:b2"},
	}}
	fh := &fakeHub{err: fmt.Errorf("revision info: %w", hub.ErrNotFound)}
	v, err := New(Options{Config: testConfig(t), Chain: fc, Hub: fh, Source: data.NewJSONL(samples), DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	for step, seed := range []uint64{10, 30} { // both seeds pick competition b2
		want := 2*step + 1 // step 2 retries seed 10 as well
		step++
		rep, err := v.StepAt(context.Background(), seed)
		t.Logf("step %d (seed %d): %v", step, seed, err)
		if fh.calls != want {
			t.Fatalf("step %d: hub asked %d times, want %d (not-found must be retried)", step, fh.calls, want)
		}
		if r, _ := LoadSeedResults(dir, seed); r == nil || len(r.Skipped) != 1 || r.Skipped[0].UID != 1 {
			t.Fatalf("step %d: the skip is not noted in the seed block's results: %+v", step, r)
		}
		if rep != nil && len(rep.Rejected) != 0 {
			t.Fatalf("step %d: not-found reported as a rejection: %+v", step, rep.Rejected)
		}
		if r := v.State().Models["hk1"]; r != nil && r.Rejected != "" {
			t.Fatalf("step %d: not-found remembered as a rejection: %q", step, r.Rejected)
		}
	}
}
