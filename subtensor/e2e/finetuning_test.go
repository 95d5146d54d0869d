package e2e

import (
	"context"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/taonet/taonet/hub"
	"github.com/taonet/taonet/lm/model"
	"github.com/taonet/taonet/subnets/finetuning/competition"
	"github.com/taonet/taonet/subnets/finetuning/data"
	"github.com/taonet/taonet/subnets/finetuning/miner"
	"github.com/taonet/taonet/subnets/finetuning/validator"
	fixture "github.com/taonet/taonet/subtensor/polkadottest"
	"github.com/taonet/taonet/subtensor/substratetest"
)

// logBuf is a goroutine-safe log sink.
type logBuf struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *logBuf) Write(p []byte) (int, error) { l.mu.Lock(); defer l.mu.Unlock(); return l.b.Write(p) }
func (l *logBuf) String() string              { l.mu.Lock(); defer l.mu.Unlock(); return l.b.String() }

// TestFinetuningOnSubtensor: a finetuning miner (//Bob, uid 1) publishes a
// tiny model to a hub and commits it with Commitments.set_commitment on the
// scripted subtensor node; the finetuning validator (//Alice) reads the
// commitments and metagraph from subtensor storage, the seed block's hash
// from chain_getBlockHash, evaluates the model and commits (commit-reveal is
// on in the replayed hyperparameters) or sets its weights with an extrinsic
// the node verifies.
func TestFinetuningOnSubtensor(t *testing.T) {
	r := substratetest.NewReplay(t, fixture.Testnet)
	r.Srv.Dispatch = func(c substratetest.Call) *substratetest.Failure {
		if err := r.Srv.Apply(c); err != nil {
			t.Errorf("apply %s: %v", c.Name, err)
		}
		return nil
	}
	b := backend(t, r)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	alice, bob := substratetest.KP(t, "//Alice"), substratetest.KP(t, "//Bob")

	cfg := competition.Default()
	k := &cfg.Competitions[0]
	k.Tokenizer = competition.ByteTokenizerName
	k.MaxParams, k.MaxBytes, k.SequenceLength, k.EvalSamples = 200_000, 400_000, 96, 8
	cfg.StepInterval, cfg.WeightsInterval = 10, 1
	tok, err := cfg.LoadTokenizer(k)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "model")
	mc := model.Config{Arch: model.GPT2, VocabSize: 257, Hidden: 32, Layers: 2, Heads: 2, KVHeads: 2,
		HeadDim: 16, FFN: 128, MaxPos: 128, NormEps: 1e-5, TieEmbeddings: true, BOS: 256, EOS: 256, Pad: -1}
	if err := miner.InitModel(dir, mc, 1, tok); err != nil {
		t.Fatal(err)
	}
	store, err := hub.OpenStore(t.TempDir(), hub.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(hub.NewServer(store, hub.ServerOptions{Logger: slog.New(slog.NewTextHandler(&logBuf{}, nil))}))
	defer hs.Close()
	hubClient := func() *hub.Client { return hub.NewClient(hs.URL, t.TempDir()) }

	id, err := miner.Publish(ctx, miner.PublishOptions{Chain: b, Hub: hubClient(), Signer: bob, Netuid: substratetest.Netuid,
		Namespace: "bob", Name: "tiny", CompetitionID: k.ID, Dir: dir})
	if err != nil {
		t.Fatalf("publish: %v (rejected %v)", err, r.Srv.Rejected())
	}
	cm, err := b.Commitment(ctx, substratetest.Netuid, bob.SS58Address(), nil)
	if err != nil || cm == nil || cm.Text != id.String() {
		t.Fatalf("commitment on chain %+v (%v), published %s", cm, err, id)
	}

	var lines []string
	for i := 0; i < 80; i++ {
		lines = append(lines, fmt.Sprintf(`{"prompt":"Color %d?","response":"The color is red."}`, i))
	}
	dataPath := filepath.Join(t.TempDir(), "data.jsonl")
	if err := os.WriteFile(dataPath, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for r.Srv.Head() < cfg.StepInterval+1 { // past the first seed block
		r.Srv.AddBlock()
	}
	// The backend learns of blocks from its head subscription.
	if err := b.WaitHeight(ctx, r.Srv.Head(), nil); err != nil {
		t.Fatal(err)
	}
	var log logBuf
	v, err := validator.New(validator.Options{Config: cfg, Chain: b, Hub: hubClient(), Source: data.NewJSONL(dataPath),
		Signer: alice, Netuid: substratetest.Netuid, DataDir: t.TempDir(), SetWeights: true, EvalBatch: 4,
		Logger: slog.New(slog.NewTextHandler(&log, nil)), Table: &log})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := v.Step(ctx)
	if err != nil {
		t.Fatalf("step: %v\n%s", err, log.String())
	}
	if len(rep.Models) != 1 || rep.Models[0].UID != 1 {
		t.Fatalf("evaluated %+v (rejected %+v)\n%s", rep.Models, rep.Rejected, log.String())
	}
	if !rep.WeightsSet {
		t.Fatalf("no weights\n%s", log.String())
	}
	for _, c := range r.Srv.Calls() {
		if c.Signer == alice.SS58Address() && (c.Name == "commit_weights" || c.Name == "set_weights") {
			return
		}
	}
	t.Fatalf("the node saw no weights extrinsic from the validator: %+v (rejected %v)", r.Srv.Calls(), r.Srv.Rejected())
}
