package subtensor

import (
	"context"
	"fmt"
	"time"

	"github.com/taonet/taonet/chain"
	"github.com/taonet/taonet/subtensor/metadata"
	"github.com/taonet/taonet/subtensor/timelock"
)

// TimelockOptions control timelocked commits (commit-reveal v3/v4).
type TimelockOptions struct {
	// Beacon is the drand chain to encrypt to; zero means drand quicknet.
	// It must be the chain's own Drand.BeaconConfig, or the chain could
	// never reveal the commit.
	Beacon timelock.Beacon
	// Force commits timelocked even where the subnet's commit-reveal flag
	// reads off (the chain then refuses with CommitRevealDisabled).
	Force bool
	// RevealRound overrides the reveal round bittensor-drand would choose;
	// it must not be published yet.
	RevealRound uint64
	// BlockTime in seconds for the reveal-round estimate (default 12).
	BlockTime float64
	// Now is the clock (default time.Now).
	Now func() time.Time
}

func (o TimelockOptions) beacon() timelock.Beacon {
	if len(o.Beacon.PublicKey) == 0 {
		return timelock.Quicknet
	}
	return o.Beacon
}

// TimelockCommit describes a timelocked weight commit.
type TimelockCommit struct {
	Call         string    `json:"call"` // commit_timelocked_weights or commit_crv3_weights
	Netuid       uint16    `json:"netuid"`
	RevealRound  uint64    `json:"reveal_round"`
	RevealTime   time.Time `json:"reveal_time"` // when drand publishes the round
	Version      uint16    `json:"commit_reveal_version,omitempty"`
	CommitBytes  int       `json:"commit_bytes"`
	Block        uint64    `json:"block"`
	Tempo        uint64    `json:"tempo"`
	RevealPeriod uint64    `json:"reveal_period_epochs"`
	// LegacyPayload: commit_crv3_weights runtimes get the payload without
	// the hotkey, the only layout the older ones decode.
	LegacyPayload bool `json:"legacy_payload"`
}

// CommitRevealEnabled reads SubtensorModule.CommitRevealWeightsEnabled.
func (c *Client) CommitRevealEnabled(ctx context.Context, netuid uint16) (bool, error) {
	head, rt, err := c.At(ctx, nil)
	if err != nil {
		return false, err
	}
	if !rt.Meta.HasStorage("SubtensorModule", "CommitRevealWeightsEnabled") {
		return false, nil
	}
	v, err := c.Storage(ctx, head, rt, "SubtensorModule", "CommitRevealWeightsEnabled", netuid)
	if err != nil {
		return false, err
	}
	return metadata.AsBool(v)
}

// PrepareTimelockedCommit builds the timelocked commit of weights (uids,
// values as u16, version key) by hotkey on netuid, as the Bittensor SDK
// does: payload WeightsTlockPayload, encrypted with the tle scheme to the
// drand round bittensor-drand's generate_commit picks from the current
// block, the subnet's Tempo and RevealPeriodEpochs, checked against the
// chain's drand beacon and the 5,000-byte commit bound. It returns the call
// to submit: commit_timelocked_weights(netuid, commit, reveal_round,
// commit_reveal_version) where the runtime has it, else
// commit_crv3_weights(netuid, commit, reveal_round).
func (c *Client) PrepareTimelockedCommit(ctx context.Context, hotkey [32]byte, netuid uint16, uids, values []uint16, versionKey uint64, o TimelockOptions) (pallet, call string, args map[string]any, info *TimelockCommit, err error) {
	head, rt, err := c.At(ctx, nil)
	if err != nil {
		return "", "", nil, nil, err
	}
	const st = "SubtensorModule"
	info = &TimelockCommit{Netuid: netuid, Block: head.Number}
	switch {
	case hasCall(rt.Meta, st, "commit_timelocked_weights"):
		info.Call = "commit_timelocked_weights"
	case hasCall(rt.Meta, st, "commit_crv3_weights"):
		info.Call, info.LegacyPayload = "commit_crv3_weights", true
	default:
		return "", "", nil, nil, fmt.Errorf("subtensor: commit-reveal is on for subnet %d but runtime %s spec %d has neither SubtensorModule.commit_timelocked_weights nor commit_crv3_weights; it cannot take timelocked weights",
			netuid, rt.SpecName, rt.SpecVersion)
	}
	beacon := o.beacon()
	if err := c.checkBeacon(ctx, head, rt, beacon); err != nil {
		return "", "", nil, nil, err
	}
	if err := c.readU64s(ctx, head, rt, netuid, map[string]*uint64{"Tempo": &info.Tempo, "RevealPeriodEpochs": &info.RevealPeriod}); err != nil {
		return "", "", nil, nil, err
	}
	if info.Call == "commit_timelocked_weights" {
		if info.Version, err = c.commitRevealVersion(ctx, head, rt); err != nil {
			return "", "", nil, nil, err
		}
	}
	now := time.Now
	if o.Now != nil {
		now = o.Now
	}
	bt := o.BlockTime
	if bt <= 0 {
		bt = timelock.BlockTime
	}
	t := now()
	info.RevealRound = o.RevealRound
	if info.RevealRound == 0 {
		info.RevealRound = beacon.RevealRound(timelock.RevealParams{CurrentBlock: head.Number, Tempo: info.Tempo, Netuid: netuid,
			RevealPeriod: info.RevealPeriod, BlockTime: bt}, t)
	}
	if err := beacon.CheckFuture(info.RevealRound, t); err != nil {
		return "", "", nil, nil, err
	}
	info.RevealTime = beacon.RoundTime(info.RevealRound).UTC()
	payload := timelock.Payload{Hotkey: hotkey[:], UIDs: uids, Values: values, VersionKey: versionKey, Legacy: info.LegacyPayload}
	if info.LegacyPayload {
		payload.Hotkey = nil
	}
	commit, err := timelock.Encrypt(beacon.PublicKey, info.RevealRound, payload.Encode(), nil)
	if err != nil {
		return "", "", nil, nil, err
	}
	info.CommitBytes = len(commit)
	if len(commit) > timelock.MaxCommitBytes {
		return "", "", nil, nil, fmt.Errorf("subtensor: the encrypted commit of %d weights is %d bytes, over the chain's %d-byte bound for %s; set fewer weights",
			len(uids), len(commit), timelock.MaxCommitBytes, info.Call)
	}
	args = map[string]any{"netuid": netuid, "commit": commit, "reveal_round": info.RevealRound}
	if info.Call == "commit_timelocked_weights" {
		args["commit_reveal_version"] = info.Version
	}
	return st, info.Call, args, info, nil
}

// CommitTimelockedWeights prepares a timelocked commit and submits it.
func (c *Client) CommitTimelockedWeights(ctx context.Context, signer Signer, netuid uint16, uids, values []uint16, versionKey uint64, o TimelockOptions, opts SubmitOptions) (*Result, *TimelockCommit, error) {
	pallet, call, args, info, err := c.PrepareTimelockedCommit(ctx, signer.PublicKey(), netuid, uids, values, versionKey, o)
	if err != nil {
		return nil, nil, err
	}
	res, err := c.Submit(ctx, signer, pallet, call, args, opts)
	return res, info, err
}

func hasCall(m *metadata.Metadata, pallet, call string) bool {
	_, _, err := m.Call(pallet, call)
	return err == nil
}

// checkBeacon refuses to encrypt to a beacon the chain does not ingest: the
// Drand pallet's BeaconConfig (its default is quicknet) must have our key
// and schedule.
func (c *Client) checkBeacon(ctx context.Context, head Head, rt *Runtime, b timelock.Beacon) error {
	if !rt.Meta.HasStorage("Drand", "BeaconConfig") {
		return nil // runtimes before the Drand pallet: nothing to compare with
	}
	v, err := c.Storage(ctx, head, rt, "Drand", "BeaconConfig")
	if err != nil {
		return err
	}
	var chainB timelock.Beacon
	pk, err := metadata.FieldOf(v, "public_key")
	if err == nil {
		chainB.PublicKey, err = metadata.AsBytes(pk)
	}
	for name, dst := range map[string]*int64{"period": &chainB.Period, "genesis_time": &chainB.GenesisTime} {
		if err != nil {
			break
		}
		var f metadata.Value
		if f, err = metadata.FieldOf(v, name); err == nil {
			var n uint64
			n, err = metadata.AsUint64(f)
			*dst = int64(n)
		}
	}
	if err != nil {
		return fmt.Errorf("subtensor: Drand.BeaconConfig: %w", err)
	}
	if !chainB.Equal(b) {
		return fmt.Errorf("subtensor: the chain's drand beacon (public key %x…, genesis %d, period %d s) is not the one commits are encrypted to (%x…, genesis %d, period %d s); the chain could never reveal them",
			head8(chainB.PublicKey), chainB.GenesisTime, chainB.Period, head8(b.PublicKey), b.GenesisTime, b.Period)
	}
	return nil
}

func head8(b []byte) []byte { return b[:min(8, len(b))] }

// readU64s reads per-subnet SubtensorModule items as integers.
func (c *Client) readU64s(ctx context.Context, head Head, rt *Runtime, netuid uint16, items map[string]*uint64) error {
	for item, dst := range items {
		v, err := c.Storage(ctx, head, rt, "SubtensorModule", item, netuid)
		if err != nil {
			return err
		}
		if *dst, err = metadata.AsUint64(v); err != nil {
			return fmt.Errorf("subtensor: SubtensorModule.%s: %w", item, err)
		}
	}
	return nil
}

// commitRevealVersion is SubtensorModule.CommitRevealWeightsVersion, the
// version commit_timelocked_weights must carry (4 today; the storage
// default where the item is unset).
func (c *Client) commitRevealVersion(ctx context.Context, head Head, rt *Runtime) (uint16, error) {
	if !rt.Meta.HasStorage("SubtensorModule", "CommitRevealWeightsVersion") {
		return 0, fmt.Errorf("subtensor: runtime %s spec %d has commit_timelocked_weights but no CommitRevealWeightsVersion to take its version from", rt.SpecName, rt.SpecVersion)
	}
	v, err := c.Storage(ctx, head, rt, "SubtensorModule", "CommitRevealWeightsVersion")
	if err != nil {
		return 0, err
	}
	n, err := metadata.AsUint64(v)
	if err != nil || n > 0xffff {
		return 0, fmt.Errorf("subtensor: CommitRevealWeightsVersion %v: %v", v, err)
	}
	return uint16(n), nil
}

// commitIfCR sends a set_weights as a timelocked commit when the subnet has
// commit-reveal on (or Timelock.Force), as the Bittensor SDK's set_weights
// does; the chain then reveals the weights itself in the reveal epoch. done
// reports whether it handled the call.
func (b *Backend) commitIfCR(ctx context.Context, signer Signer, sw *chain.SetWeights, opts SubmitOptions) (*Result, bool, error) {
	on := b.Timelock.Force
	if !on {
		var err error
		if on, err = b.CommitRevealEnabled(ctx, sw.Netuid); err != nil {
			return nil, true, err
		}
	}
	if !on {
		return nil, false, nil
	}
	res, info, err := b.CommitTimelockedWeights(ctx, signer, sw.Netuid, sw.UIDs, sw.Values, sw.VersionKey, b.Timelock, opts)
	b.LastCommit = info
	if res != nil {
		b.LastResult = res
	}
	if err == nil && opts.Progress != nil {
		opts.Progress(fmt.Sprintf("committed timelocked weights (%s): drand reveal round %d, published about %s; the chain reveals them itself",
			info.Call, info.RevealRound, info.RevealTime.Format(time.RFC3339)))
	}
	return res, true, err
}
