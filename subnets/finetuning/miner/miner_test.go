package miner

import (
	"context"
	"errors"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/taonet/taonet/chain"
	"github.com/taonet/taonet/hub"
	"github.com/taonet/taonet/keys"
	"github.com/taonet/taonet/lm/model"
	"github.com/taonet/taonet/node"
	"github.com/taonet/taonet/subnets/finetuning/competition"
	"github.com/taonet/taonet/subnets/finetuning/modelid"
)

// fakeChain stores commitments in memory; Submit applies SetCommitment.
type fakeChain struct {
	block   uint64
	coms    []chain.Commitment
	submits int
}

func (f *fakeChain) LatestBlock(context.Context) (node.BlockSummary, error) {
	return node.BlockSummary{Height: f.block}, nil
}
func (f *fakeChain) Metagraph(context.Context, uint16) (*chain.Metagraph, error) {
	return &chain.Metagraph{}, nil
}
func (f *fakeChain) Commitments(context.Context, uint16) ([]chain.Commitment, error) {
	return f.coms, nil
}
func (f *fakeChain) Submit(_ context.Context, s chain.Signer, c chain.Call) (*node.TxOutcome, error) {
	f.submits++
	f.block++
	sc := c.(*chain.SetCommitment)
	for i := range f.coms {
		if f.coms[i].Hotkey == s.SS58Address() {
			f.coms = append(f.coms[:i], f.coms[i+1:]...)
			break
		}
	}
	f.coms = append(f.coms, chain.Commitment{Hotkey: s.SS58Address(), UID: len(f.coms), Block: f.block, Text: string(sc.Fields[0].Data)})
	return &node.TxOutcome{Height: f.block}, nil
}

func TestPublish(t *testing.T) {
	ctx := context.Background()
	store, err := hub.OpenStore(t.TempDir(), hub.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(hub.NewServer(store, hub.ServerOptions{Logger: slog.New(slog.DiscardHandler)}))
	defer hs.Close()
	hc := hub.NewClient(hs.URL, t.TempDir())
	tok, _ := competition.ByteTokenizer()
	dir := filepath.Join(t.TempDir(), "m")
	cfg := model.Config{Arch: model.GPT2, VocabSize: 257, Hidden: 16, Layers: 1, Heads: 2, KVHeads: 2, HeadDim: 8, FFN: 32,
		MaxPos: 32, NormEps: 1e-5, TieEmbeddings: true, BOS: 256, EOS: 256, Pad: -1}
	if err := InitModel(dir, cfg, 1, tok); err != nil {
		t.Fatal(err)
	}
	a, _ := keys.FromURI("//Alice//a")
	b, _ := keys.FromURI("//Alice//b")
	fc := &fakeChain{block: 10}
	o := PublishOptions{Chain: fc, Hub: hc, Signer: a, Netuid: 1, Namespace: "alice", Name: "m", CompetitionID: "g1", Dir: dir}
	id, err := Publish(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	h, _ := hub.DirHash(dir)
	if id.Hash != hub.SecureHash(h, a.SS58Address()) || fc.coms[0].Text != id.String() {
		t.Fatalf("commitment %+v vs chain %+v", id, fc.coms)
	}
	if _, err := modelid.Parse(fc.coms[0].Text); err != nil {
		t.Fatal(err)
	}
	// Publishing the same files again is a no-op.
	if id2, err := Publish(ctx, o); err != nil || id2 != id || fc.submits != 1 {
		t.Fatalf("republish: %v %v submits=%d", id2, err, fc.submits)
	}
	// Another hotkey publishing the same files is refused before uploading.
	ob := o
	ob.Signer, ob.Namespace = b, "bob"
	if _, err := Publish(ctx, ob); !errors.Is(err, ErrAlreadyCommitted) {
		t.Fatalf("copy: %v", err)
	}
	if _, err := hc.Info(ctx, "bob/m", "main"); err == nil {
		t.Fatal("copy was uploaded")
	}
	// Bad identity is refused up front.
	ob.Namespace = strings.Repeat("x", 40)
	if _, err := Publish(ctx, ob); err == nil || !strings.Contains(err.Error(), "want 4..38") {
		t.Fatalf("long repo: %v", err)
	}
	ob.Namespace, ob.CompetitionID = "bob", "TOO"
	if _, err := Publish(ctx, ob); err == nil || !strings.Contains(err.Error(), "competition id") {
		t.Fatalf("bad competition: %v", err)
	}
}
