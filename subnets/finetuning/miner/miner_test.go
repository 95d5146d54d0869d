package miner

import (
	"context"
	"errors"
	"fmt"
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
	// beforeInclude, if set, runs in Submit before the commitment is
	// included; a non-nil error fails the submission.
	beforeInclude func(text string) error
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
	sc := c.(*chain.SetCommitment)
	if f.beforeInclude != nil {
		if err := f.beforeInclude(string(sc.Fields[0].Data)); err != nil {
			return nil, err
		}
	}
	f.submits++
	f.block++
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

// TestPublishPrivateUntilCommitted runs Publish against a real hub server
// on loopback: until the commitment is included, neither an anonymous
// reader nor another hotkey's signed reads can see the revision (a watcher
// cannot hash it and commit it first); after Publish returns, a validator
// can download it and the salted hash verifies. A failed commit leaves the
// repo private, and publishing again completes it.
func TestPublishPrivateUntilCommitted(t *testing.T) {
	ctx := context.Background()
	store, err := hub.OpenStore(t.TempDir(), hub.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(hub.NewServer(store, hub.ServerOptions{Logger: slog.New(slog.DiscardHandler)}))
	defer hs.Close()
	a, _ := keys.FromURI("//Alice//a")
	b, _ := keys.FromURI("//Alice//b")
	client := func(s hub.Signer) *hub.Client {
		c := hub.NewClient(hs.URL, t.TempDir())
		c.Retries, c.Signer = 0, s
		return c
	}
	hc := client(nil) // the miner's client: unsigned reads, as localnet and the CLI build it
	tok, _ := competition.ByteTokenizer()
	model1, model2 := filepath.Join(t.TempDir(), "m1"), filepath.Join(t.TempDir(), "m2")
	cfg := model.Config{Arch: model.GPT2, VocabSize: 257, Hidden: 16, Layers: 1, Heads: 2, KVHeads: 2, HeadDim: 8, FFN: 32,
		MaxPos: 32, NormEps: 1e-5, TieEmbeddings: true, BOS: 256, EOS: 256, Pad: -1}
	if err := InitModel(model1, cfg, 1, tok); err != nil {
		t.Fatal(err)
	}
	if err := InitModel(model2, cfg, 2, tok); err != nil {
		t.Fatal(err)
	}
	// hidden checks that only the owner can read repo@rev.
	hidden := func(repo, rev string) error {
		for name, c := range map[string]*hub.Client{"anonymous": client(nil), "another hotkey": client(b)} {
			if _, err := c.Info(ctx, repo, rev); !errors.Is(err, hub.ErrNotFound) {
				return fmt.Errorf("%s reads the info of %s@%s before inclusion: %v", name, repo, rev, err)
			}
			if _, err := c.Download(ctx, repo, rev, "", nil); !errors.Is(err, hub.ErrNotFound) {
				return fmt.Errorf("%s downloads %s@%s before inclusion: %v", name, repo, rev, err)
			}
		}
		if _, err := client(a).Info(ctx, repo, rev); err != nil {
			return fmt.Errorf("the owner cannot read its private %s@%s: %v", repo, rev, err)
		}
		return nil
	}
	// visible checks that a validator downloads repo@rev and the hash verifies.
	visible := func(id modelid.Commitment, dir string) {
		t.Helper()
		snap, err := client(nil).Download(ctx, id.RepoID(), id.Revision, "", nil)
		if err != nil {
			t.Fatalf("validator download of %s after inclusion: %v", id, err)
		}
		h, _ := hub.DirHash(snap.Dir)
		want, _ := hub.DirHash(dir)
		if h != want || hub.SecureHash(h, a.SS58Address()) != id.Hash {
			t.Fatalf("downloaded hash %s, local %s, commitment %s", h, want, id.Hash)
		}
	}

	fc := &fakeChain{block: 10}
	checked := 0
	fc.beforeInclude = func(text string) error {
		id, err := modelid.Parse(text)
		if err != nil {
			return err
		}
		checked++
		return hidden(id.RepoID(), id.Revision)
	}
	o := PublishOptions{Chain: fc, Hub: hc, Signer: a, Netuid: 1, Namespace: "alice", Name: "m", CompetitionID: "g1", Dir: model1}
	id1, err := Publish(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	if checked != 1 || fc.submits != 1 {
		t.Fatalf("checked %d times, %d submits", checked, fc.submits)
	}
	visible(id1, model1)

	// A failed commit leaves the new upload private and returns the error.
	o.Dir = model2
	var failedRev string
	fc.beforeInclude = func(text string) error {
		id, _ := modelid.Parse(text)
		failedRev = id.Revision
		return errors.New("node unreachable")
	}
	if _, err := Publish(ctx, o); err == nil || !strings.Contains(err.Error(), "node unreachable") || !strings.Contains(err.Error(), "stays private") {
		t.Fatalf("failed commit: %v", err)
	}
	if err := hidden("alice/m", failedRev); err != nil {
		t.Fatal("after a failed commit: ", err)
	}
	if fc.submits != 1 || fc.coms[0].Text != id1.String() {
		t.Fatalf("chain changed by a failed commit: %+v", fc.coms)
	}
	// Publishing again retries: the same revision, committed, then public.
	checked = 0
	fc.beforeInclude = func(text string) error {
		id, _ := modelid.Parse(text)
		checked++
		if id.Revision != failedRev {
			return fmt.Errorf("retry uploaded revision %s, first attempt %s", id.Revision, failedRev)
		}
		return hidden(id.RepoID(), id.Revision)
	}
	id2, err := Publish(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	if checked != 1 || id2.Revision != failedRev {
		t.Fatalf("retry: checked %d, revision %s want %s", checked, id2.Revision, failedRev)
	}
	visible(id2, model2)

	// Committed but left private (e.g. the last step failed): publishing the
	// same files again makes the committed repo public without a new commit.
	if err := hc.SetPrivate(ctx, a, "alice/m", true); err != nil {
		t.Fatal(err)
	}
	if err := hidden("alice/m", id2.Revision); err != nil {
		t.Fatal(err)
	}
	if id3, err := Publish(ctx, o); err != nil || id3 != id2 || fc.submits != 2 {
		t.Fatalf("republish: %v %v submits=%d", id3, err, fc.submits)
	}
	visible(id2, model2)

	// A hub that cannot keep a repo private is refused before any upload.
	o.Hub, o.Namespace, o.Dir = struct{ Hub }{hc}, "alice2", model1
	if _, err := Publish(ctx, o); err == nil || !strings.Contains(err.Error(), "cannot set repo visibility") {
		t.Fatalf("hub without visibility: %v", err)
	}
	if _, err := client(a).Info(ctx, "alice2/m", "main"); !errors.Is(err, hub.ErrNotFound) {
		t.Fatalf("uploaded through a hub without visibility: %v", err)
	}
}

// TestPublishThroughHubProtocol: Publish with a token client speaks the
// Hugging Face upload protocol (create private, preupload, LFS batch,
// NDJSON commit, settings) — the one it uses against huggingface.co —
// against a real hub server. Until the commitment is included the repo is
// invisible to anonymous readers and to another hotkey's token; afterwards
// a validator downloads it and the salted hash verifies.
func TestPublishThroughHubProtocol(t *testing.T) {
	ctx := context.Background()
	store, err := hub.OpenStore(t.TempDir(), hub.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(hub.NewServer(store, hub.ServerOptions{Logger: slog.New(slog.DiscardHandler)}))
	defer hs.Close()
	a, _ := keys.FromURI("//Alice//a")
	b, _ := keys.FromURI("//Alice//b")
	tokenClient := func(s hub.Signer) *hub.Client {
		c := hub.NewClient(hs.URL, t.TempDir())
		c.Retries = 0
		if s != nil {
			tr, err := c.Login(ctx, s, 0)
			if err != nil {
				t.Fatal(err)
			}
			c.Token = tr.Token
		}
		return c
	}
	hc, other, anon := tokenClient(a), tokenClient(b), tokenClient(nil)
	tok, _ := competition.ByteTokenizer()
	dir := filepath.Join(t.TempDir(), "m")
	cfg := model.Config{Arch: model.GPT2, VocabSize: 257, Hidden: 16, Layers: 1, Heads: 2, KVHeads: 2, HeadDim: 8, FFN: 32,
		MaxPos: 32, NormEps: 1e-5, TieEmbeddings: true, BOS: 256, EOS: 256, Pad: -1}
	if err := InitModel(dir, cfg, 1, tok); err != nil {
		t.Fatal(err)
	}
	fc := &fakeChain{block: 10}
	fc.beforeInclude = func(text string) error {
		id, err := modelid.Parse(text)
		if err != nil {
			return err
		}
		for name, c := range map[string]*hub.Client{"anonymous": anon, "another hotkey's token": other} {
			if _, err := c.Info(ctx, id.RepoID(), id.Revision); !errors.Is(err, hub.ErrNotFound) {
				t.Errorf("%s sees %s before inclusion: %v", name, id, err)
			}
		}
		if ri, err := hc.Info(ctx, id.RepoID(), id.Revision); err != nil || !ri.Private {
			t.Errorf("the owner's token reads %+v %v, want the private revision", ri, err)
		}
		return nil
	}
	id, err := Publish(ctx, PublishOptions{Chain: fc, Hub: hc, Signer: a, Netuid: 1, Namespace: "alice", Name: "m", CompetitionID: "g1", Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	head, err := store.Revision("alice/m", "main")
	if err != nil || head.ID != id.Revision || head.Title == "" {
		t.Fatalf("store head %+v %v, commitment %s: want a commit made through the Hub protocol", head, err, id)
	}
	snap, err := anon.Download(ctx, id.RepoID(), id.Revision, "", nil)
	if err != nil {
		t.Fatalf("validator download after inclusion: %v", err)
	}
	h, _ := hub.DirHash(snap.Dir)
	if hub.SecureHash(h, a.SS58Address()) != id.Hash {
		t.Fatalf("downloaded hash does not verify against %s", id)
	}
}
