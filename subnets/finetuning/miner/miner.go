package miner

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/taonet/taonet/chain"
	"github.com/taonet/taonet/hub"
	"github.com/taonet/taonet/lm/model"
	"github.com/taonet/taonet/lm/tokenizer"
	"github.com/taonet/taonet/lm/train"
	"github.com/taonet/taonet/node"
	"github.com/taonet/taonet/subnets/finetuning/competition"
	"github.com/taonet/taonet/subnets/finetuning/data"
	"github.com/taonet/taonet/subnets/finetuning/evaluate"
	"github.com/taonet/taonet/subnets/finetuning/modelid"
)

// Chain is the node API the miner uses; *client.Client satisfies it.
type Chain interface {
	LatestBlock(ctx context.Context) (node.BlockSummary, error)
	Metagraph(ctx context.Context, netuid uint16) (*chain.Metagraph, error)
	Commitments(ctx context.Context, netuid uint16) ([]chain.Commitment, error)
	Submit(ctx context.Context, s chain.Signer, call chain.Call) (*node.TxOutcome, error)
}

// Hub is the hub API the miner uses; *hub.Client satisfies it.
type Hub interface {
	Download(ctx context.Context, repo, revision, destDir string, progress func(done, total int64)) (*hub.Snapshot, error)
	Upload(ctx context.Context, signer hub.Signer, repo string, dir string) (string, error)
}

// Signer is the miner's hotkey; *keys.Keypair satisfies it.
type Signer interface {
	SS58Address() string
	Sign(msg []byte) ([]byte, error)
}

// TrainOptions configure Train.
type TrainOptions struct {
	Competition *competition.Competition
	Tokenizer   *tokenizer.Tokenizer
	BaseDir     string // starting model (HF layout)
	OutDir      string // checkpoints and the final model
	Samples     []data.Sample
	Steps       int
	Batch       int
	Accum       int
	LR          float64 // 0 → 1e-3
	Warmup      int
	Seed        uint64
	// CheckpointEvery writes OutDir every this many steps (0: at the end).
	CheckpointEvery int
	Progress        func(train.Progress)
}

// Train fine-tunes the model in BaseDir on the samples (loss on response
// tokens, the competition's chat template and sequence length) and writes
// the result, with the competition tokenizer's tokenizer.json, to OutDir.
// The starting model must satisfy the competition (evaluate.CheckConfig).
func Train(ctx context.Context, o TrainOptions) error {
	k, tok := o.Competition, o.Tokenizer
	if _, err := evaluate.CheckConfig(o.BaseDir, k, tok); err != nil {
		return fmt.Errorf("base model %s: %w", o.BaseDir, err)
	}
	m, err := model.Load(o.BaseDir)
	if err != nil {
		return err
	}
	b := evaluate.Encode(o.Samples, k, tok)
	if len(b.Encoded) == 0 {
		return errors.New("train: no usable samples")
	}
	if o.LR == 0 {
		o.LR = 1e-3
	}
	topt := train.Options{Steps: o.Steps, Batch: o.Batch, Accum: o.Accum, LR: o.LR, MinLR: o.LR / 10, Warmup: o.Warmup,
		WeightDecay: 0.01, ClipNorm: 1, Seed: o.Seed, OutDir: o.OutDir, CheckpointEvery: o.CheckpointEvery,
		OnCheckpoint: func(dir string) error { return tok.Save(filepath.Join(dir, "tokenizer.json")) }}
	if o.Steps == 0 {
		// Zero steps: the base model is published as is.
		if err := m.Save(o.OutDir); err != nil {
			return err
		}
		return tok.Save(filepath.Join(o.OutDir, "tokenizer.json"))
	}
	return train.Train(ctx, m, b.Encoded, topt, o.Progress)
}

// InitModel writes a freshly initialized model (seeded) and the tokenizer to
// dir: a base model for a first round of mining.
func InitModel(dir string, cfg model.Config, seed uint64, tok *tokenizer.Tokenizer) error {
	m, err := model.New(cfg)
	if err != nil {
		return err
	}
	m.InitRandom(seed)
	if err := m.Save(dir); err != nil {
		return err
	}
	return tok.Save(filepath.Join(dir, "tokenizer.json"))
}

// Best is the commitment of the uid with the highest incentive among
// parseable commitments of a competition (upstream --load_best).
type Best struct {
	UID        uint16
	Hotkey     string
	Block      uint64
	Commitment modelid.Commitment
	Incentive  uint16
}

// FindBest returns the best committed model of competition compID, by
// incentive, then earlier commitment block.
func FindBest(ctx context.Context, c Chain, netuid uint16, compID string) (*Best, error) {
	mg, err := c.Metagraph(ctx, netuid)
	if err != nil {
		return nil, err
	}
	coms, err := c.Commitments(ctx, netuid)
	if err != nil {
		return nil, err
	}
	var best *Best
	for _, cm := range coms {
		if cm.UID < 0 || cm.UID >= len(mg.Hotkeys) || mg.Hotkeys[cm.UID] != cm.Hotkey {
			continue
		}
		id, err := modelid.Parse(cm.Text)
		if err != nil || id.CompetitionID != compID {
			continue
		}
		inc := uint16(0)
		if cm.UID < len(mg.Incentive) {
			inc = mg.Incentive[cm.UID]
		}
		b := &Best{UID: uint16(cm.UID), Hotkey: cm.Hotkey, Block: cm.Block, Commitment: id, Incentive: inc}
		if best == nil || b.Incentive > best.Incentive || (b.Incentive == best.Incentive && b.Block < best.Block) {
			best = b
		}
	}
	if best == nil {
		return nil, fmt.Errorf("no committed model in competition %s on subnet %d", compID, netuid)
	}
	return best, nil
}

// DownloadBest downloads a committed model and verifies its salted hash.
func DownloadBest(ctx context.Context, h Hub, b *Best) (string, error) {
	snap, err := h.Download(ctx, b.Commitment.RepoID(), b.Commitment.Revision, "", nil)
	if err != nil {
		return "", err
	}
	dh, err := hub.DirHash(snap.Dir)
	if err != nil {
		return "", err
	}
	if hub.SecureHash(dh, b.Hotkey) != b.Commitment.Hash {
		return "", fmt.Errorf("model of uid %d does not match its commitment hash", b.UID)
	}
	return snap.Dir, nil
}

// PublishOptions configure Publish.
type PublishOptions struct {
	Chain         Chain
	Hub           Hub    // must also implement Visibility (*hub.Client does)
	Signer        Signer // hotkey: signs the hub upload and the commitment
	Netuid        uint16
	Namespace     string
	Name          string
	CompetitionID string
	Dir           string
}

// Visibility is the hub API Publish uses to keep a fresh upload private
// until its chain commitment is included; *hub.Client satisfies it.
type Visibility interface {
	SetPrivate(ctx context.Context, signer hub.Signer, repo string, private bool) error
}

// ErrAlreadyCommitted means another hotkey already committed the same model files.
var ErrAlreadyCommitted = errors.New("model already committed by another hotkey")

// Publish uploads Dir and commits it on chain, keeping the upload private
// until the commitment is included (finetuning spec §1.2, §4.2), so nobody
// can hash the fresh files and commit them first from another hotkey.
//
// It refuses (before uploading) a model whose files are already committed
// by another hotkey on the subnet; then it sets the repo private, uploads,
// re-downloads the revision with the miner's own signature (a private repo
// answers only its owner) to hash it exactly as a validator will, commits,
// waits for inclusion and reads the commitment back, and only then makes
// the repo public. If the commit fails the repo stays private and the error
// is returned; calling Publish again retries (an unchanged upload is the
// same revision). If the hotkey's current commitment already names the same
// files, it makes that commitment's repo public (a previous call may have
// committed but failed to publish) and returns the commitment unchanged.
//
// Visibility is per repo: while a new model is private, an older revision
// of the same repo is hidden too, as upstream.
func Publish(ctx context.Context, o PublishOptions) (modelid.Commitment, error) {
	hotkey := o.Signer.SS58Address()
	if err := modelid.ValidateRepoID(o.Namespace, o.Name); err != nil {
		return modelid.Commitment{}, err
	}
	if err := modelid.ValidateCompetitionID(o.CompetitionID); err != nil {
		return modelid.Commitment{}, err
	}
	vis, ok := o.Hub.(Visibility)
	if !ok {
		return modelid.Commitment{}, fmt.Errorf("hub %T cannot set repo visibility: refusing to upload publicly before the commitment is included", o.Hub)
	}
	h, err := hub.DirHash(o.Dir)
	if err != nil {
		return modelid.Commitment{}, err
	}
	mine := hub.SecureHash(h, hotkey)
	coms, err := o.Chain.Commitments(ctx, o.Netuid)
	if err != nil {
		return modelid.Commitment{}, err
	}
	for _, cm := range coms {
		id, err := modelid.Parse(cm.Text)
		if err != nil {
			continue
		}
		if cm.Hotkey == hotkey {
			if id.Hash == mine && id.CompetitionID == o.CompetitionID {
				// Already committed; make sure validators can read it.
				if err := vis.SetPrivate(ctx, o.Signer, id.RepoID(), false); err != nil {
					return id, fmt.Errorf("committed, but making %s public failed (publish again to retry): %w", id.RepoID(), err)
				}
				return id, nil
			}
			continue
		}
		// Another hotkey's hash is salted with its own key: same files iff
		// SecureHash(h, their hotkey) matches.
		if id.Hash == mine || id.Hash == hub.SecureHash(h, cm.Hotkey) {
			return modelid.Commitment{}, fmt.Errorf("%w: %s (uid %d) at block %d", ErrAlreadyCommitted, cm.Hotkey, cm.UID, cm.Block)
		}
	}
	repo := o.Namespace + "/" + o.Name
	if err := vis.SetPrivate(ctx, o.Signer, repo, true); err != nil {
		return modelid.Commitment{}, fmt.Errorf("make %s private before upload: %w", repo, err)
	}
	rev, err := o.Hub.Upload(ctx, o.Signer, repo, o.Dir)
	if err != nil {
		return modelid.Commitment{}, fmt.Errorf("upload: %w", err)
	}
	h2, err := ownHash(ctx, o.Hub, o.Signer, repo, rev)
	if err != nil {
		return modelid.Commitment{}, err
	}
	if h2 != h {
		return modelid.Commitment{}, fmt.Errorf("uploaded revision hashes to %s, local files to %s", h2, h)
	}
	id, err := modelid.New(o.Namespace, o.Name, rev, h, hotkey, o.CompetitionID)
	if err != nil {
		return modelid.Commitment{}, err
	}
	out, err := o.Chain.Submit(ctx, o.Signer, &chain.SetCommitment{Netuid: o.Netuid,
		Fields: []chain.CommitmentField{{Kind: chain.FieldRaw, Data: []byte(id.String())}}})
	if err == nil && out.Code != 0 {
		err = fmt.Errorf("code %d: %s", out.Code, out.Log)
	}
	if err != nil {
		return modelid.Commitment{}, fmt.Errorf("commit (%s stays private; publish again to retry): %w", repo, err)
	}
	if err := readBack(ctx, o.Chain, o.Netuid, hotkey, id); err != nil {
		return modelid.Commitment{}, err
	}
	if err := vis.SetPrivate(ctx, o.Signer, repo, false); err != nil {
		return id, fmt.Errorf("committed, but making %s public failed (publish again to retry): %w", repo, err)
	}
	return id, nil
}

// readBack checks that the hotkey's included commitment is id.
func readBack(ctx context.Context, c Chain, netuid uint16, hotkey string, id modelid.Commitment) error {
	coms, err := c.Commitments(ctx, netuid)
	if err != nil {
		return err
	}
	for _, cm := range coms {
		if cm.Hotkey == hotkey {
			if cm.Text != id.String() {
				return fmt.Errorf("commitment read back as %q, want %q", cm.Text, id.String())
			}
			return nil
		}
	}
	return errors.New("commitment not found after inclusion")
}

// ownHash downloads repo@rev as its owner (signed reads see a private repo)
// into a temporary cache and returns its hub.DirHash, as a validator will
// compute it once the repo is public. A Hub other than *hub.Client must
// itself read as the miner.
func ownHash(ctx context.Context, h Hub, s Signer, repo, rev string) (string, error) {
	tmp, err := os.MkdirTemp("", "taonet-publish-*")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)
	if c, ok := h.(*hub.Client); ok {
		h = &hub.Client{BaseURL: c.BaseURL, CacheDir: tmp, HTTP: c.HTTP, Token: c.Token, MaxTotalBytes: c.MaxTotalBytes,
			MaxFileBytes: c.MaxFileBytes, Retries: c.Retries, RetryDelay: c.RetryDelay, Filter: c.Filter, Now: c.Now,
			Signer: s, IdleTimeout: c.IdleTimeout, Concurrency: c.Concurrency}
	}
	snap, err := h.Download(ctx, repo, rev, "", nil)
	if err != nil {
		return "", fmt.Errorf("re-download %s@%s: %w", repo, rev, err)
	}
	return hub.DirHash(snap.Dir)
}

// RunOptions configure Run.
type RunOptions struct {
	Publish     PublishOptions
	Config      competition.Config
	Competition *competition.Competition
	Tokenizer   *tokenizer.Tokenizer
	Source      data.Source
	BaseDir     string // used when no model is committed yet
	WorkDir     string
	StepsPerRun int
	Batch       int
	LR          float64
	Interval    time.Duration // pause between rounds
	Rounds      int           // stop after this many rounds, returning the last round's error (0: until ctx ends)
	Logger      *slog.Logger
}

// Run loops: fetch the data window, start from the best committed model (or
// BaseDir), train, evaluate candidate and start model on held-out samples of
// the window, and publish when the candidate's mean loss beats the start's
// by more than the competition epsilon. It returns when ctx ends or after
// Rounds rounds.
func Run(ctx context.Context, o RunOptions) error {
	log := o.Logger
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	for round := uint64(1); ; round++ {
		err := runRound(ctx, o, round, log)
		if o.Rounds > 0 && round >= uint64(o.Rounds) {
			return err
		}
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			log.Warn("mining round failed", "round", round, "error", err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(o.Interval):
		}
	}
}

func runRound(ctx context.Context, o RunOptions, round uint64, log *slog.Logger) error {
	head, err := o.Publish.Chain.LatestBlock(ctx)
	if err != nil {
		return err
	}
	since := uint64(0)
	if head.Height > o.Config.DataWindow {
		since = head.Height - o.Config.DataWindow
	}
	samples, err := o.Source.Samples(ctx, since, head.Height)
	if err != nil {
		return err
	}
	// Hold out a seeded tenth of the window for the publish decision.
	ranked := data.Select(data.Dedup(samples), []byte(fmt.Sprint("miner-holdout-", round)), 0)
	nHold := max(1, len(ranked)/10)
	if len(ranked) < 2 {
		return fmt.Errorf("only %d samples in the data window", len(ranked))
	}
	hold, trainSet := ranked[:nHold], ranked[nHold:]
	start := o.BaseDir
	var bestBlock uint64
	if b, err := FindBest(ctx, o.Publish.Chain, o.Publish.Netuid, o.Competition.ID); err == nil {
		dir, err := DownloadBest(ctx, o.Publish.Hub, b)
		if err != nil {
			return err
		}
		start, bestBlock = dir, b.Block
		log.Info("starting from the best model", "uid", b.UID, "commitment", b.Commitment.String())
	}
	out := filepath.Join(o.WorkDir, fmt.Sprintf("round-%d", round))
	err = Train(ctx, TrainOptions{Competition: o.Competition, Tokenizer: o.Tokenizer, BaseDir: start, OutDir: out,
		Samples: trainSet, Steps: o.StepsPerRun, Batch: o.Batch, LR: o.LR, Seed: round,
		Progress: func(p train.Progress) {
			if p.Step%10 == 0 || p.Step == p.Steps {
				log.Info("training", "step", p.Step, "of", p.Steps, "loss", p.Loss)
			}
		}})
	if err != nil {
		return err
	}
	hb := evaluate.Encode(hold, o.Competition, o.Tokenizer)
	lossOf := func(dir string) (float64, error) {
		m, err := evaluate.Load(dir, o.Competition, o.Tokenizer)
		if err != nil {
			return 0, err
		}
		l, err := evaluate.Losses(m, hb, 4)
		if err != nil {
			return 0, err
		}
		return evaluate.Mean(l), nil
	}
	newLoss, err := lossOf(out)
	if err != nil {
		return err
	}
	oldLoss, err := lossOf(start)
	if err != nil {
		return err
	}
	eps := o.Competition.Epsilon.At(head.Height, bestBlock)
	log.Info("round trained", "round", round, "held_out_loss", newLoss, "start_loss", oldLoss, "epsilon", eps)
	if !(newLoss < oldLoss*(1-eps)) && start != o.BaseDir {
		log.Info("not publishing: no improvement beyond epsilon")
		return os.RemoveAll(out)
	}
	p := o.Publish
	p.Dir = out
	id, err := Publish(ctx, p)
	if err != nil {
		return err
	}
	log.Info("published", "commitment", id.String())
	return nil
}
