package validator

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"sort"
	"strings"
	"sync"
	"text/tabwriter"
	"time"
	"unicode/utf8"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/taonet/taonet/chain"
	"github.com/taonet/taonet/client"
	"github.com/taonet/taonet/keys"
	"github.com/taonet/taonet/subnets/prompting/embed"
	"github.com/taonet/taonet/subnets/prompting/feed"
	"github.com/taonet/taonet/subnets/prompting/protocol"
	"github.com/taonet/taonet/subnets/prompting/rewards"
	"github.com/taonet/taonet/subnets/prompting/tasks"
	"github.com/taonet/taonet/synapse"
)

// Chain is what the validator needs from a node (client.Client has it).
type Chain interface {
	Metagraph(ctx context.Context, netuid uint16) (*chain.Metagraph, error)
	Send(ctx context.Context, s chain.Signer, call chain.Call) (string, error)
}

// Defaults (spec §9 constants; timeout 15 s as v2.5.1).
const (
	DefaultSampleSize     = 100
	DefaultTimeout        = 15 * time.Second
	DefaultMaxStepTime    = 120 * time.Second
	DefaultMaxAnswerBytes = 64 << 10
	// VPermitTaoLimit: UIDs with a permit and more stake than this (rao) are
	// validators and are not queried (upstream vpermit_tao_limit = 4096 TAO).
	VPermitTaoLimit = 4096 * 1_000_000_000
	// SpecVersion is the weights version key (upstream 2.5.1 → 20501).
	SpecVersion = 20501
	// DefaultFollowUpProbability is upstream's chance of a second turn.
	DefaultFollowUpProbability = 0.5
)

// Config configures a Validator.
type Config struct {
	// Hotkey signs queries, weights and feed records. Required.
	Hotkey *keys.Keypair
	Netuid uint16
	// Chain is the node client. Required.
	Chain Chain
	// Registry samples tasks (default tasks.Default()).
	Registry *tasks.Registry
	// Backends are offered to the tasks (LLM, articles, code).
	Backends tasks.Backends
	// Embedder computes the relevance reward. Required.
	Embedder embed.Embedder
	// SampleSize is K, the miners queried per step.
	SampleSize int
	// Timeout bounds each miner's stream.
	Timeout time.Duration
	// MaxStepTime bounds building a challenge and scoring (forward_max_time).
	MaxStepTime time.Duration
	// MaxAnswerBytes caps a streamed answer; a longer stream scores 0.
	MaxAnswerBytes int64
	// Alpha and Decay of the moving average (defaults 0.1, 0.001).
	Alpha, Decay float64
	// WeightsInterval is the number of blocks between weight settings
	// (default rewards.DefaultEpochLength).
	WeightsInterval uint64
	// DataDir holds state.json (required).
	DataDir string
	// Feed receives one signed record per step (optional).
	Feed *feed.Store
	// CountTokens counts the tokens of a stream chunk for the streaming
	// penalty (default: GPT-2 BPE, see DefaultTokenCounter).
	CountTokens func(string) int
	// Dendrite overrides the dendrite configuration.
	Dendrite synapse.DendriteConfig
	// Protocol is how miners are queried: ProtocolBittensor (default) or
	// ProtocolEpistula.
	Protocol string
	// FollowUpProbability is the chance that a conversation goes on to a
	// follow-up turn (§3.3; 0: upstream's 0.5, negative: never).
	FollowUpProbability float64
	// Out receives the per-step table (nil: none). Logger gets events.
	Out    io.Writer
	Logger *slog.Logger
	// Metrics, if set, receives taonet_prompting_* series.
	Metrics prometheus.Registerer
}

// Validator runs prompting validation steps. Step is not safe for
// concurrent use with itself; Scores is.
type Validator struct {
	cfg Config
	d   *synapse.Dendrite
	ep  *http.Client // Epistula queries
	log *slog.Logger
	met *metrics

	mu    sync.Mutex
	state State
}

// MinerResult is one queried miner's outcome in a step.
type MinerResult struct {
	UID        int
	Hotkey     string
	Status     int
	Latency    time.Duration
	Completion string
	Reward     float64
	Score      float64 // moving average after the step
	Detail     rewards.Result
}

// StepResult describes one step.
type StepResult struct {
	Step      uint64
	Block     uint64
	Challenge *tasks.Challenge
	Miners    []MinerResult
	// Wall is the whole step; Query is the part spent waiting for miners;
	// Overhead = Wall − Query (challenge, scoring, persistence, feed).
	Wall, Query, Overhead time.Duration
	// WeightsSet reports that a set_weights transaction was sent.
	WeightsSet bool
	// FeedSeq is the feed cursor of the published record (0: none).
	FeedSeq uint64
	// FollowUp is the conversation's second turn, when there was one (its
	// Challenge has Turn 1 and the history; same miners).
	FollowUp *StepResult
}

// New checks cfg, loads the persisted state and builds the dendrite.
func New(cfg Config) (*Validator, error) {
	if cfg.Hotkey == nil || cfg.Chain == nil {
		return nil, errors.New("validator: hotkey and chain are required")
	}
	if cfg.Embedder == nil {
		return nil, errors.New("validator: an embedder is required (relevance reward)")
	}
	if cfg.DataDir == "" {
		return nil, errors.New("validator: no data directory")
	}
	if cfg.Registry == nil {
		cfg.Registry = tasks.Default()
	}
	if cfg.SampleSize <= 0 {
		cfg.SampleSize = DefaultSampleSize
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.MaxStepTime <= 0 {
		cfg.MaxStepTime = DefaultMaxStepTime
	}
	if cfg.MaxAnswerBytes <= 0 {
		cfg.MaxAnswerBytes = DefaultMaxAnswerBytes
	}
	if cfg.Alpha <= 0 {
		cfg.Alpha = rewards.DefaultAlpha
	}
	if cfg.Decay < 0 {
		cfg.Decay = 0
	} else if cfg.Decay == 0 {
		cfg.Decay = rewards.DefaultDecay
	}
	if cfg.WeightsInterval == 0 {
		cfg.WeightsInterval = rewards.DefaultEpochLength
	}
	if cfg.CountTokens == nil {
		cfg.CountTokens = DefaultTokenCounter()
	}
	if cfg.Protocol == "" {
		cfg.Protocol = ProtocolBittensor
	}
	if cfg.FollowUpProbability == 0 {
		cfg.FollowUpProbability = DefaultFollowUpProbability
	}
	if !(cfg.FollowUpProbability <= 1) {
		return nil, fmt.Errorf("validator: follow-up probability %v: want at most 1", cfg.FollowUpProbability)
	}
	if err := checkProtocol(cfg.Protocol); err != nil {
		return nil, err
	}
	if len(cfg.Registry.Available(cfg.Backends)) == 0 {
		return nil, errors.New("validator: no task has its needs met by the backends")
	}
	st, err := LoadState(cfg.DataDir)
	if err != nil {
		return nil, err
	}
	dc := cfg.Dendrite
	dc.MaxResponseBytes = cfg.MaxAnswerBytes
	if dc.Metrics == nil {
		dc.Metrics = cfg.Metrics
	}
	d, err := synapse.NewDendrite(cfg.Hotkey, dc)
	if err != nil {
		return nil, fmt.Errorf("validator: %w", err)
	}
	v := &Validator{cfg: cfg, d: d, ep: newEpistulaClient(cfg.Hotkey), log: cfg.Logger, state: st, met: newMetrics(cfg.Metrics)}
	if v.log == nil {
		v.log = slog.New(slog.DiscardHandler)
	}
	return v, nil
}

// Close releases the dendrite's and the Epistula client's connections.
func (v *Validator) Close() {
	v.d.Close()
	v.ep.CloseIdleConnections()
}

// Scores returns a copy of the moving averages by UID.
func (v *Validator) Scores() []float64 {
	v.mu.Lock()
	defer v.mu.Unlock()
	return append([]float64(nil), v.state.Scores...)
}

// State returns a copy of the persisted state.
func (v *Validator) State() State {
	v.mu.Lock()
	defer v.mu.Unlock()
	s := v.state
	s.Scores = append([]float64(nil), s.Scores...)
	s.Hotkeys = append([]string(nil), s.Hotkeys...)
	return s
}

// Candidates returns the UIDs to query (upstream get_random_uids): every UID
// but self whose axon is serving and that is not a validator (permit and
// stake above VPermitTaoLimit).
func Candidates(mg *chain.Metagraph, self string) []int {
	var out []int
	for uid, hk := range mg.Hotkeys {
		if hk == self || uid >= len(mg.Axons) {
			continue
		}
		if !mg.Axons[uid].Serving() {
			continue
		}
		if uid < len(mg.ValidatorPermit) && mg.ValidatorPermit[uid] && uid < len(mg.Stake) && mg.Stake[uid] > VPermitTaoLimit {
			continue
		}
		out = append(out, uid)
	}
	return out
}

// stepSeed derives the step's randomness from the validator, block and step.
func stepSeed(hotkey string, block, step uint64) uint64 {
	h := sha256.New()
	h.Write([]byte(hotkey))
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], block)
	binary.BigEndian.PutUint64(b[8:], step)
	h.Write(b[:])
	return binary.BigEndian.Uint64(h.Sum(nil)[:8])
}

// Step runs one validation step.
func (v *Validator) Step(ctx context.Context) (*StepResult, error) {
	start := time.Now()
	mg, err := v.cfg.Chain.Metagraph(ctx, v.cfg.Netuid)
	if err != nil {
		return nil, fmt.Errorf("validator: metagraph: %w", err)
	}
	self := v.cfg.Hotkey.SS58Address()
	myUID := -1
	for i, hk := range mg.Hotkeys {
		if hk == self {
			myUID = i
		}
	}
	if myUID < 0 {
		return nil, fmt.Errorf("validator: hotkey %s is not registered on subnet %d", self, v.cfg.Netuid)
	}
	v.mu.Lock()
	stepNo := v.state.Step
	v.state.Scores = rewards.ResyncScores(v.state.Scores, v.state.Hotkeys, mg.Hotkeys)
	v.state.Hotkeys = append([]string(nil), mg.Hotkeys...)
	v.mu.Unlock()

	seed := stepSeed(self, mg.Block, stepNo)
	rng := rand.New(rand.NewPCG(seed, seed^0x5851f42d4c957f2d))
	cands := Candidates(mg, self)
	if len(cands) == 0 {
		return nil, errors.New("validator: no serving miners")
	}
	rng.Shuffle(len(cands), func(i, j int) { cands[i], cands[j] = cands[j], cands[i] })
	if len(cands) > v.cfg.SampleSize {
		cands = cands[:v.cfg.SampleSize]
	}
	sort.Ints(cands)

	bctx, cancel := context.WithTimeout(ctx, v.cfg.MaxStepTime)
	defer cancel()
	ch, err := v.cfg.Registry.Sample(bctx, seed, v.cfg.Backends)
	if err != nil {
		return nil, fmt.Errorf("validator: challenge: %w", err)
	}

	// Query: the reference stays here; only the challenge goes out.
	targets := make([]synapse.AxonInfo, len(cands))
	for i, uid := range cands {
		ax := mg.Axons[uid]
		targets[i] = synapse.AxonInfo{IP: ax.IP, Port: int(ax.Port), Hotkey: mg.Hotkeys[uid]}
	}
	res, query, err := v.round(ctx, bctx, mg, cands, targets, ch)
	if err != nil {
		return nil, err
	}
	out := &StepResult{Step: stepNo, Block: mg.Block, Challenge: ch, Miners: res, Query: query}
	out.FollowUp = v.followUp(ctx, bctx, rng, mg, cands, targets, out)

	v.mu.Lock()
	newScores := v.state.Scores
	v.state.Step++
	v.state.Block = mg.Block
	// Weights every WeightsInterval blocks (never at step 0).
	last := v.state.WeightsBlock
	if myUID < len(mg.LastUpdate) {
		last = max(last, mg.LastUpdate[myUID])
	}
	var weights []float64
	if rewards.ShouldSetWeights(stepNo, mg.Block, last, v.cfg.WeightsInterval) {
		weights = rewards.NormalizeWeights(newScores)
	}
	snapshot := v.state
	snapshot.Scores = append([]float64(nil), newScores...)
	v.mu.Unlock()

	if weights != nil {
		if err := v.setWeights(ctx, mg, weights); err != nil {
			v.log.Warn("set weights failed", "err", err)
		} else {
			out.WeightsSet = true
			v.mu.Lock()
			v.state.WeightsBlock = mg.Block
			snapshot.WeightsBlock = mg.Block
			v.mu.Unlock()
		}
	}
	if err := snapshot.Save(v.cfg.DataDir); err != nil {
		return nil, err
	}
	if v.cfg.Feed != nil {
		for r := out; r != nil; r = r.FollowUp {
			if seq, err := v.publish(mg, r.Challenge, r.Miners); err != nil {
				v.log.Warn("feed publish failed", "err", err)
			} else {
				r.FeedSeq = seq
			}
		}
	}
	out.Wall = time.Since(start)
	out.Overhead = out.Wall - out.Query
	v.met.observe(out)
	if v.cfg.Out != nil {
		WriteTable(v.cfg.Out, out)
		if out.FollowUp != nil {
			WriteTable(v.cfg.Out, out.FollowUp)
		}
	}
	return out, nil
}

// round queries the miners with one turn's conversation, scores their
// answers and folds the rewards into the moving averages.
func (v *Validator) round(ctx, bctx context.Context, mg *chain.Metagraph, cands []int, targets []synapse.AxonInfo, ch *tasks.Challenge) ([]MinerResult, time.Duration, error) {
	chunkTok := make([][]int, len(cands))
	qStart := time.Now()
	resps := v.queryMiners(ctx, targets, conversation(ch), func(i int, c []byte) {
		chunkTok[i] = append(chunkTok[i], v.cfg.CountTokens(string(c)))
	})
	query := time.Since(qStart)

	comps := make([]rewards.Completion, len(cands))
	res := make([]MinerResult, len(cands))
	for i, r := range resps {
		res[i] = MinerResult{UID: cands[i], Hotkey: mg.Hotkeys[cands[i]], Status: r.Status, Latency: r.Latency}
		text := ""
		if r.Status == 200 && utf8.ValidString(r.Completion) {
			text = r.Completion
		}
		res[i].Completion = text
		comps[i] = rewards.Completion{Text: text}
		if text != "" {
			comps[i].ChunkTokens = chunkTok[i]
		}
		v.met.status.WithLabelValues(fmt.Sprint(r.Status)).Inc()
	}
	scored, err := rewards.Score(bctx, v.cfg.Embedder, rewards.Input{Definition: ch.Rewards, Reference: ch.Reference,
		Challenge: ch.Query, Completions: comps})
	if err != nil {
		return nil, 0, fmt.Errorf("validator: score: %w", err)
	}
	stepRewards := make([]float64, len(cands))
	for i := range scored {
		stepRewards[i] = scored[i].Total
		res[i].Reward = scored[i].Total
		res[i].Detail = scored[i]
		v.met.reward.WithLabelValues(ch.Task).Observe(scored[i].Total)
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	newScores, err := rewards.UpdateScores(v.state.Scores, cands, stepRewards, v.cfg.Alpha, v.cfg.Decay)
	if err != nil {
		return nil, 0, fmt.Errorf("validator: scores: %w", err)
	}
	v.state.Scores = newScores
	for i := range res {
		res[i].Score = newScores[res[i].UID]
	}
	return res, query, nil
}

// followUp runs upstream's second turn (§3.3) when the stop rule lets the
// conversation go on: the accepted answer (best completion or reference)
// joins the history and a follow-up question on the same context goes to
// the same miners. A follow-up that cannot be built ends the conversation.
func (v *Validator) followUp(ctx, bctx context.Context, rng *rand.Rand, mg *chain.Metagraph, cands []int, targets []synapse.AxonInfo, first *StepResult) *StepResult {
	ch := first.Challenge
	if v.cfg.FollowUpProbability <= 0 || !tasks.ContinueWith(rng, v.cfg.FollowUpProbability, ch.Task, ch.Turn) {
		return nil
	}
	best := ""
	if i := bestResult(first.Miners); i >= 0 {
		best = first.Miners[i].Completion
	}
	next, err := tasks.FollowUp(bctx, rng, v.cfg.Backends, ch, tasks.AcceptedAnswer(rng, best, ch.Reference))
	if err != nil {
		v.log.Debug("no follow-up", "err", err)
		return nil
	}
	res, query, err := v.round(ctx, bctx, mg, cands, targets, next)
	if err != nil {
		v.log.Warn("follow-up turn failed", "err", err)
		return nil
	}
	return &StepResult{Step: first.Step, Block: first.Block, Challenge: next, Miners: res, Query: query}
}

func bestResult(res []MinerResult) int {
	best := -1
	for i, r := range res {
		if r.Reward > 0 && (best < 0 || r.Reward > res[best].Reward) {
			best = i
		}
	}
	return best
}

func (v *Validator) setWeights(ctx context.Context, mg *chain.Metagraph, w []float64) error {
	if lim := mg.Hyperparams.MaxWeightsLimit; lim > 0 && lim < 65535 {
		w = CapWeights(w, float64(lim)/65535)
	}
	vals, err := client.WeightsToU16(w)
	if err != nil {
		return err
	}
	uids := make([]uint16, len(vals))
	for i := range uids {
		uids[i] = uint16(i)
	}
	_, err = v.cfg.Chain.Send(ctx, v.cfg.Hotkey, &chain.SetWeights{Netuid: v.cfg.Netuid, UIDs: uids, Values: vals, VersionKey: SpecVersion})
	return err
}

// CapWeights limits every normalised weight to at most limit (upstream
// normalize_max_weight): capped entries are fixed at the limit and the rest
// rescaled to fill the remainder, until none exceeds it. The result sums to
// 1 (when the input has positive mass and limit·n ≥ 1).
func CapWeights(w []float64, limit float64) []float64 {
	out := append([]float64(nil), w...)
	sum := 0.0
	for _, x := range out {
		sum += x
	}
	if sum <= 0 || limit <= 0 || limit*float64(len(out)) < 1 {
		return out
	}
	for i := range out {
		out[i] /= sum
	}
	capped := make([]bool, len(out))
	for range out {
		free, rest := 0.0, 1.0
		for i, x := range out {
			if capped[i] {
				rest -= limit
			} else {
				free += x
			}
		}
		changed := false
		for i, x := range out {
			if capped[i] {
				out[i] = limit
				continue
			}
			if free > 0 {
				out[i] = x / free * rest
			}
			if out[i] > limit+1e-12 {
				capped[i], changed = true, true
			}
		}
		if !changed {
			break
		}
	}
	return out
}

// conversation is what miners are sent: the challenge's history (follow-up
// turns) and its query as the last user message.
func conversation(ch *tasks.Challenge) *protocol.StreamPrompting {
	s := &protocol.StreamPrompting{}
	for _, m := range ch.Messages() {
		s.Roles = append(s.Roles, m.Role)
		s.Messages = append(s.Messages, m.Content)
	}
	return s
}

// publish signs the step's exchange (challenge, reference, best completion)
// into the feed.
func (v *Validator) publish(mg *chain.Metagraph, ch *tasks.Challenge, res []MinerResult) (uint64, error) {
	rec := feed.Record{Netuid: v.cfg.Netuid, Block: mg.Block, TimeMs: time.Now().UnixMilli(), Task: ch.Task,
		Challenge: clip(transcript(ch)), Reference: clip(ch.Reference)}
	if c := ch.Context.Cite(); c.URL != "" || c.Path != "" {
		fc := feed.Citation(c)
		rec.Citation = &fc
	}
	if best := bestResult(res); best >= 0 {
		rec.Completion, rec.Miner, rec.Reward = clip(res[best].Completion), res[best].Hotkey, res[best].Reward
	}
	if err := rec.Sign(v.cfg.Hotkey); err != nil {
		return 0, err
	}
	return v.cfg.Feed.Append(rec)
}

// transcript is the record's challenge: the query, or for a follow-up the
// whole conversation as "role: message" lines (upstream's history format).
func transcript(ch *tasks.Challenge) string {
	if len(ch.History) == 0 {
		return ch.Query
	}
	var b strings.Builder
	for _, m := range ch.Messages() {
		fmt.Fprintf(&b, "%s: %s\n", m.Role, m.Content)
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// clip cuts text to the feed's field limit at a rune boundary.
func clip(s string) string { return rewards.Sanitize(s, feed.MaxFieldBytes) }

// Run steps until ctx ends, at most one step per interval; failed steps are
// logged and retried after the interval.
func (v *Validator) Run(ctx context.Context, interval time.Duration) error {
	for {
		t0 := time.Now()
		if _, err := v.Step(ctx); err != nil && ctx.Err() == nil {
			v.log.Warn("step failed", "err", err)
			v.met.failures.Inc()
			interval = max(interval, time.Second)
		}
		wait := interval - time.Since(t0)
		if wait < 0 {
			wait = 0
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
	}
}

// WriteTable renders a step as a readable table.
func WriteTable(w io.Writer, s *StepResult) {
	if s.Challenge.Turn > 0 {
		fmt.Fprintf(w, "step %d  block %d  follow-up turn %d (%s)  miners %d  query %s\n",
			s.Step, s.Block, s.Challenge.Turn, s.Challenge.Task, len(s.Miners), s.Query.Round(time.Millisecond))
	} else {
		fmt.Fprintf(w, "step %d  block %d  task %s  miners %d  wall %s  overhead %s  weights %v\n",
			s.Step, s.Block, s.Challenge.Task, len(s.Miners), s.Wall.Round(time.Millisecond), s.Overhead.Round(time.Microsecond), s.WeightsSet)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "uid\thotkey\tstatus\tlatency\treward\tscore\tanswer\t")
	for _, m := range s.Miners {
		fmt.Fprintf(tw, "%d\t%s\t%d\t%s\t%.4f\t%.4f\t%s\t\n", m.UID, short(m.Hotkey), m.Status,
			m.Latency.Round(time.Millisecond), m.Reward, m.Score, preview(m.Completion))
	}
	tw.Flush()
}

func short(hk string) string {
	if len(hk) > 10 {
		return hk[:5] + "…" + hk[len(hk)-4:]
	}
	return hk
}

func preview(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > 40 {
		return string(r[:39]) + "…"
	}
	return s
}
