package subtensor

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"sync"
	"time"

	"github.com/taonet/taonet/chain"
	"github.com/taonet/taonet/keys"
	"github.com/taonet/taonet/node"
	"github.com/taonet/taonet/subtensor/extrinsic"
	"github.com/taonet/taonet/subtensor/metadata"
	"github.com/taonet/taonet/subtensor/rpc"
)

// Backend adapts a Client to the chain interfaces taonet's subnets and CLI
// consume (LatestBlock, Block, Metagraph, Commitments, Submit, Send), so
// miners and validators run unchanged on subtensor. taonet calls are
// translated to the subtensor calls of the same name; see CallFor.
type Backend struct {
	*Client
	// StakeNetuid is the subnet add_stake/remove_stake act on where the
	// runtime takes one (dynamic TAO); nil makes such calls an error.
	StakeNetuid *uint16
	// Options apply to every Submit (DryRun, WaitFinalized, Progress).
	Options SubmitOptions
	// LastResult is the most recent submission's result (for --dry-run output).
	LastResult *Result
	// Timelock controls how set_weights is sent on commit-reveal subnets.
	Timelock TimelockOptions
	// LastCommit describes the most recent timelocked commit (nil when the
	// last submission was not one).
	LastCommit *TimelockCommit

	heads   *Heads // set by Follow
	sumMu   sync.Mutex
	sumFor  Head // the block lastSum describes
	lastSum node.BlockSummary
}

// NewBackend wraps c.
func NewBackend(c *Client) *Backend { return &Backend{Client: c} }

// Follow makes the backend follow new heads (a subscription, else polling;
// see Heads) for long-running miners and validators: LatestBlock is then
// answered from the stream without asking the node each time, and
// WaitHeight wakes on notifications. Call it once, before concurrent use;
// Close stops it.
func (b *Backend) Follow() *Heads {
	if b.heads == nil {
		b.heads = b.FollowHeads(false)
	}
	return b.heads
}

// LatestBlock is the best block as a taonet block summary (hash without 0x,
// time from Timestamp.Now). With Follow it is the followed head while the
// subscription is live, else the node is asked.
func (b *Backend) LatestBlock(ctx context.Context) (node.BlockSummary, error) {
	if b.heads != nil {
		if h, live, ok := b.heads.Current(); ok && live {
			return b.cachedSummary(ctx, h)
		}
	}
	h, err := b.BestHead(ctx)
	if err != nil {
		return node.BlockSummary{}, err
	}
	return b.summary(ctx, h)
}

// cachedSummary reads a block's summary once per block.
func (b *Backend) cachedSummary(ctx context.Context, h Head) (node.BlockSummary, error) {
	b.sumMu.Lock()
	if b.sumFor == h && b.lastSum.Hash != "" {
		s := b.lastSum
		b.sumMu.Unlock()
		return s, nil
	}
	b.sumMu.Unlock()
	s, err := b.summary(ctx, h)
	if err != nil {
		return s, err
	}
	b.sumMu.Lock()
	b.sumFor, b.lastSum = h, s
	b.sumMu.Unlock()
	return s, nil
}

// WaitHeight blocks until the chain reaches height h (as the taonet client's
// WaitHeight); progress (may be nil) gets each new height. It follows heads
// (Follow's stream, or one of its own for the call).
func (b *Backend) WaitHeight(ctx context.Context, h uint64, progress func(uint64)) error {
	heads := b.heads
	if heads == nil {
		heads = b.FollowHeads(false)
		defer heads.Close()
	}
	cur, err := heads.Latest(ctx)
	for err == nil && cur.Number < h {
		if cur, err = heads.Wait(ctx, cur.Number+1); err == nil && progress != nil {
			progress(cur.Number)
		}
	}
	return err
}

// Block is block number n as a taonet block summary.
func (b *Backend) Block(ctx context.Context, n uint64) (node.BlockSummary, error) {
	h, err := b.HeadAt(ctx, n)
	if err != nil {
		return node.BlockSummary{}, classify(err)
	}
	s, err := b.summary(ctx, h)
	return s, classify(err)
}

// MetagraphAt is the client's, with errors classified as the taonet client
// classifies them (see classify), so the finetuning validator's catch-up
// tells a block the node no longer keeps from a failure.
func (b *Backend) MetagraphAt(ctx context.Context, netuid uint16, height uint64) (*chain.Metagraph, error) {
	m, err := b.Client.MetagraphAt(ctx, netuid, height)
	return m, classify(err)
}

// CommitmentsAt is the client's, with errors classified (see classify).
func (b *Backend) CommitmentsAt(ctx context.Context, netuid uint16, height uint64) ([]chain.Commitment, error) {
	cs, err := b.Client.CommitmentsAt(ctx, netuid, height)
	return cs, classify(err)
}

// classify marks a read at a block whose state the node has discarded (a
// pruning, non-archive node answers "State already discarded") with
// node.ErrHeightPruned, as the taonet client marks HTTP 410.
func classify(err error) error {
	var re *rpc.Error
	if err != nil && !errors.Is(err, node.ErrHeightPruned) && errors.As(err, &re) && strings.Contains(re.Message, "State already discarded") {
		return fmt.Errorf("%w: %v (use an archive node for old blocks)", node.ErrHeightPruned, err)
	}
	return err
}

func (b *Backend) summary(ctx context.Context, h Head) (node.BlockSummary, error) {
	s := node.BlockSummary{Height: h.Number, Hash: hex.EncodeToString(h.Hash[:])}
	rt, err := b.RuntimeAt(ctx, h)
	if err != nil {
		return s, err
	}
	if rt.Meta.HasStorage("Timestamp", "Now") {
		v, err := b.Storage(ctx, h, rt, "Timestamp", "Now")
		if err != nil {
			return s, err
		}
		ms, _ := metadata.AsUint64(v)
		s.Time = time.UnixMilli(int64(ms)).UTC()
	}
	return s, nil
}

// chainSigner gives a taonet chain.Signer the public key extrinsics need.
type chainSigner struct{ chain.Signer }

func (s chainSigner) PublicKey() [32]byte {
	pk, _ := keys.SS58Decode(s.SS58Address())
	return pk
}

func signerOf(s chain.Signer) (Signer, error) {
	if k, ok := s.(Signer); ok {
		return k, nil
	}
	if _, err := keys.SS58Decode(s.SS58Address()); err != nil {
		return nil, fmt.Errorf("subtensor: signer address: %w", err)
	}
	return chainSigner{s}, nil
}

// Submit translates call, signs it with s and waits for inclusion (or
// finalization with Options.WaitFinalized). A dispatch failure returns the
// outcome with Code 1 and the named error, as the taonet client returns a
// failed transaction.
func (b *Backend) Submit(ctx context.Context, s chain.Signer, call chain.Call) (*node.TxOutcome, error) {
	res, err := b.submit(ctx, s, call, b.Options)
	if res == nil {
		return nil, err
	}
	out := &node.TxOutcome{Hash: res.Hash, Height: res.BlockNumber, Index: res.Index}
	var de *DispatchError
	if errors.As(err, &de) {
		out.Code, out.Log = 1, de.Error()
		return out, err
	}
	return out, err
}

// Send submits call without waiting for inclusion and returns its hash.
func (b *Backend) Send(ctx context.Context, s chain.Signer, call chain.Call) (string, error) {
	opts := b.Options
	opts.NoWait = true
	res, err := b.submit(ctx, s, call, opts)
	if err != nil {
		return "", err
	}
	return res.Hash, nil
}

func (b *Backend) submit(ctx context.Context, s chain.Signer, call chain.Call, opts SubmitOptions) (*Result, error) {
	signer, err := signerOf(s)
	if err != nil {
		return nil, err
	}
	b.LastCommit = nil
	if sw, ok := call.(*chain.SetWeights); ok {
		if res, done, err := b.commitIfCR(ctx, signer, sw, opts); done {
			return res, err
		}
	}
	_, rt, err := b.At(ctx, nil)
	if err != nil {
		return nil, err
	}
	pallet, name, args, err := CallFor(rt.Meta, call, b.StakeNetuid)
	if err != nil {
		return nil, err
	}
	res, err := b.Client.Submit(ctx, signer, pallet, name, args, opts)
	if res != nil {
		b.LastResult = res
	}
	return res, err
}

// CallFor translates a taonet call into the subtensor pallet, call and
// arguments (by the metadata's field names). Calls subtensor lacks or that
// need a subnet the taonet call does not carry are errors.
func CallFor(m *metadata.Metadata, call chain.Call, stakeNetuid *uint16) (pallet, name string, args map[string]any, err error) {
	const st = "SubtensorModule"
	switch c := call.(type) {
	case *chain.SetWeights:
		return st, "set_weights", map[string]any{"netuid": c.Netuid, "dests": c.UIDs, "weights": c.Values, "version_key": c.VersionKey}, nil
	case *chain.CommitWeights:
		return st, "commit_weights", map[string]any{"netuid": c.Netuid, "commit_hash": c.Hash}, nil
	case *chain.RevealWeights:
		return st, "reveal_weights", map[string]any{"netuid": c.Netuid, "uids": c.UIDs, "values": c.Values, "salt": c.Salt, "version_key": c.VersionKey}, nil
	case *chain.SetCommitment:
		fields, err := dataFields(c.Fields)
		if err != nil {
			return "", "", nil, err
		}
		return "Commitments", "set_commitment", map[string]any{"netuid": c.Netuid, "info": map[string]any{"fields": fields}}, nil
	case *chain.ServeAxon:
		return st, "serve_axon", map[string]any{"netuid": c.Netuid, "version": c.Version, "ip": new(big.Int).SetBytes(c.IP[:]),
			"port": c.Port, "ip_type": c.IPType, "protocol": c.Protocol, "placeholder1": c.Placeholder1, "placeholder2": c.Placeholder2}, nil
	case *chain.BurnedRegister:
		pk, err := keys.SS58Decode(c.Hotkey)
		if err != nil {
			return "", "", nil, fmt.Errorf("subtensor: hotkey: %w", err)
		}
		return st, "burned_register", map[string]any{"netuid": c.Netuid, "hotkey": pk}, nil
	case *chain.AddStake:
		return stakeCall(m, "add_stake", "amount_staked", c.Hotkey, c.Amount, stakeNetuid)
	case *chain.RemoveStake:
		return stakeCall(m, "remove_stake", "amount_unstaked", c.Hotkey, c.Amount, stakeNetuid)
	case *chain.Transfer:
		pk, err := keys.SS58Decode(c.Dest)
		if err != nil {
			return "", "", nil, fmt.Errorf("subtensor: destination: %w", err)
		}
		return "Balances", "transfer_keep_alive", map[string]any{"dest": &metadata.VariantValue{Name: "Id", Fields: []metadata.NamedValue{{Value: pk}}}, "value": c.Amount}, nil
	}
	return "", "", nil, fmt.Errorf("subtensor: %s is not supported on the subtensor backend", call.CallName())
}

func stakeCall(m *metadata.Metadata, name, amountField, hotkey string, amount uint64, netuid *uint16) (string, string, map[string]any, error) {
	pk, err := keys.SS58Decode(hotkey)
	if err != nil {
		return "", "", nil, fmt.Errorf("subtensor: hotkey: %w", err)
	}
	args := map[string]any{"hotkey": pk, amountField: amount}
	if extrinsic.HasArg(m, "SubtensorModule", name, "netuid") {
		if netuid == nil {
			return "", "", nil, fmt.Errorf("subtensor: this runtime stakes per subnet (dynamic TAO): give --netuid")
		}
		args["netuid"] = *netuid
	}
	return "SubtensorModule", name, args, nil
}

// dataFields maps taonet commitment fields to the commitments pallet's Data.
func dataFields(fs []chain.CommitmentField) ([]any, error) {
	names := map[chain.FieldKind]string{chain.FieldNone: "None", chain.FieldBlakeTwo256: "BlakeTwo256", chain.FieldSha256: "Sha256",
		chain.FieldKeccak256: "Keccak256", chain.FieldShaThree256: "ShaThree256", chain.FieldResetBondsFlag: "ResetBondsFlag", chain.FieldBigRaw: "BigRaw"}
	out := make([]any, 0, len(fs))
	for _, f := range fs {
		if f.Kind == chain.FieldRaw {
			if len(f.Data) > 128 {
				return nil, fmt.Errorf("subtensor: a Raw commitment field holds at most 128 bytes, got %d", len(f.Data))
			}
			out = append(out, extrinsic.RawData(f.Data))
			continue
		}
		name, ok := names[f.Kind]
		if !ok {
			return nil, fmt.Errorf("subtensor: unknown commitment field kind %d", f.Kind)
		}
		v := &metadata.VariantValue{Name: name}
		if len(f.Data) > 0 {
			v.Fields = []metadata.NamedValue{{Value: f.Data}}
		}
		out = append(out, v)
	}
	return out, nil
}
