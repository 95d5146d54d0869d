package subtensor

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"strings"

	"github.com/taonet/taonet/subtensor/extrinsic"
	"github.com/taonet/taonet/subtensor/metadata"
	"github.com/taonet/taonet/subtensor/rpc"
)

// Signer is an sr25519 key; *keys.Keypair satisfies it.
type Signer = extrinsic.Signer

// SubmitOptions control Submit.
type SubmitOptions struct {
	// DryRun builds and signs but does not send; the Result has the hex and
	// the decoded call.
	DryRun bool
	// WaitFinalized waits for finalization instead of returning at inclusion.
	WaitFinalized bool
	// Tip in rao.
	Tip uint64
	// NoWait submits with author_submitExtrinsic and returns at once (the
	// taonet Send semantics): the Result has no block.
	NoWait bool
	// Progress, when set, receives status lines (ready, in block, finalized).
	Progress func(string)
}

// Result is a submitted (or, with DryRun, built) extrinsic.
type Result struct {
	Extrinsic   string  `json:"extrinsic"` // 0x-hex of the signed extrinsic
	Hash        string  `json:"hash"`      // blake2-256 of the extrinsic
	Call        string  `json:"call"`      // decoded call, e.g. SubtensorModule.set_weights(netuid: 1, ...)
	Nonce       uint64  `json:"nonce"`
	SpecVersion uint32  `json:"spec_version"`
	BlockHash   string  `json:"block_hash,omitempty"`
	BlockNumber uint64  `json:"block_number,omitempty"`
	Index       int     `json:"index,omitempty"`
	Finalized   bool    `json:"finalized,omitempty"`
	Events      []Event `json:"events,omitempty"`
}

// Submit builds pallet.call(args) with the runtime's metadata, signs it with
// signer (nonce from system_accountNextIndex, mortal era from the best block)
// and submits it with author_submitAndWatchExtrinsic, waiting for inclusion
// (or finalization). A failed dispatch returns the Result and a
// *DispatchError named from metadata.
func (c *Client) Submit(ctx context.Context, signer Signer, pallet, call string, args map[string]any, opts SubmitOptions) (*Result, error) {
	progress := opts.Progress
	if progress == nil {
		progress = func(string) {}
	}
	head, rt, err := c.At(ctx, nil)
	if err != nil {
		return nil, err
	}
	built, err := extrinsic.EncodeCall(rt.Meta, pallet, call, args)
	if err != nil {
		return nil, err
	}
	pub := signer.PublicKey()
	var nonce uint64
	if err := c.rpc.Call(ctx, &nonce, "system_accountNextIndex", ss58(pub)); err != nil {
		return nil, err
	}
	era := extrinsic.MortalEra(head.Number, c.period)
	birth := head
	if b := era.Birth(head.Number); b != head.Number {
		if birth, err = c.HeadAt(ctx, b); err != nil {
			return nil, err
		}
	}
	p := extrinsic.Params{Nonce: nonce, Tip: new(big.Int).SetUint64(opts.Tip), Era: era, BlockHash: birth.Hash,
		GenesisHash: c.genesis, SpecVersion: rt.SpecVersion, TxVersion: rt.TxVersion}
	ext, err := extrinsic.Sign(rt.Meta, built.Bytes, p, signer)
	if err != nil {
		return nil, err
	}
	res := &Result{Extrinsic: hexOf(ext), Hash: hexOf(metadata.Blake2(ext, 32)), Nonce: nonce, SpecVersion: rt.SpecVersion}
	res.Call, err = DescribeCall(rt.Meta, built.Bytes)
	if err != nil {
		return nil, err
	}
	if opts.DryRun {
		return res, nil
	}
	if opts.NoWait {
		var h string
		if err := c.rpc.Call(ctx, &h, "author_submitExtrinsic", res.Extrinsic); err != nil {
			return res, fmt.Errorf("subtensor: extrinsic rejected: %w", err)
		}
		return res, nil
	}
	return res, c.watch(ctx, rt, res, head.Number, opts.WaitFinalized, progress)
}

// watch submits res.Extrinsic and follows its status until inclusion or
// finalization, then reads the block's events for its outcome. If the
// status stream breaks after the node took the extrinsic (connection lost),
// the blocks from start on are followed instead: nothing is submitted twice.
func (c *Client) watch(ctx context.Context, rt *Runtime, res *Result, start uint64, waitFinal bool, progress func(string)) error {
	sub, err := c.rpc.Subscribe(ctx, "author_submitAndWatchExtrinsic", "author_unwatchExtrinsic", res.Extrinsic)
	var refused *rpc.Error
	var down *rpc.UnreachableError
	switch {
	case err == nil:
	case errors.As(err, &down): // never sent
		return fmt.Errorf("subtensor: extrinsic not submitted: %w", err)
	case errors.Is(err, rpc.ErrNoSubscriptions) || rpc.MethodNotFound(err):
		return c.submitAndFollow(ctx, rt, res, start, waitFinal, progress)
	case errors.As(err, &refused) || ctx.Err() != nil:
		return fmt.Errorf("subtensor: extrinsic rejected: %w", err)
	default:
		// The answer was lost on the way: the node may have taken the
		// extrinsic. Look for it in the blocks rather than send it again.
		progress(fmt.Sprintf("no answer to the submission (%v); following new blocks for it", err))
		return c.followInclusion(ctx, rt, res, start, waitFinal, progress)
	}
	defer sub.Close()
	for {
		msg, err := sub.Next(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return fmt.Errorf("subtensor: waiting for %s: %w", res.Hash, err)
			}
			progress(fmt.Sprintf("status stream lost (%v); following new blocks", err))
			return c.followInclusion(ctx, rt, res, start, waitFinal, progress)
		}
		status, hash := parseStatus(msg)
		switch status {
		case "ready", "future", "broadcast":
			progress(status)
		case "inBlock", "finalized":
			progress(fmt.Sprintf("%s %s", status, hash))
			if err := c.settle(ctx, rt, res, hash); err != nil || !waitFinal || status == "finalized" {
				res.Finalized = status == "finalized"
				return err
			}
		case "retracted":
			progress("retracted from " + hash + "; waiting")
		default: // usurped, dropped, invalid, finalityTimeout, error
			return fmt.Errorf("subtensor: extrinsic %s %s", res.Hash, strings.TrimSpace(status+" "+hash))
		}
	}
}

// parseStatus reads an author_extrinsicUpdate: "ready" or {"inBlock": "0x.."}.
func parseStatus(msg json.RawMessage) (status, detail string) {
	var s string
	if json.Unmarshal(msg, &s) == nil {
		return s, ""
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(msg, &m) != nil {
		return "error", string(msg)
	}
	for k, v := range m {
		var h string
		if json.Unmarshal(v, &h) == nil {
			return k, h
		}
		return k, string(v)
	}
	return "error", string(msg)
}

// errNotInBlock: settle's block does not contain the extrinsic.
var errNotInBlock = errors.New("not in this block")

// settle finds the extrinsic in block hash and its outcome in the block's events.
func (c *Client) settle(ctx context.Context, rt *Runtime, res *Result, hash string) error {
	var blk struct {
		Block struct {
			Header struct {
				Number string `json:"number"`
			} `json:"header"`
			Extrinsics []string `json:"extrinsics"`
		} `json:"block"`
	}
	if err := c.rpc.Call(ctx, &blk, "chain_getBlock", hash); err != nil {
		return err
	}
	res.BlockHash = hash
	res.BlockNumber, _ = parseHexUint(blk.Block.Header.Number)
	res.Index = -1
	for i, x := range blk.Block.Extrinsics {
		if strings.EqualFold(x, res.Extrinsic) {
			res.Index = i
		}
	}
	if res.Index < 0 {
		return fmt.Errorf("subtensor: block %s does not contain extrinsic %s: %w", hash, res.Hash, errNotInBlock)
	}
	at, err := c.HeadByHash(ctx, hash)
	if err != nil {
		return err
	}
	brt, err := c.RuntimeAt(ctx, at) // the block may already run an upgraded runtime
	if err != nil {
		return err
	}
	key, _, err := brt.Meta.StorageKey("System", "Events")
	if err != nil {
		return err
	}
	var hs *string
	if err := c.rpc.Call(ctx, &hs, "state_getStorage", hexOf(key), hash); err != nil {
		return err
	}
	var raw []byte
	if hs != nil {
		if raw, err = decodeHex(*hs); err != nil {
			return err
		}
	}
	events, err := DecodeEvents(brt.Meta, raw)
	if err != nil {
		return fmt.Errorf("subtensor: events of block %s: %w", hash, err)
	}
	for _, ev := range events {
		if ev.Phase == "ApplyExtrinsic" && ev.Index == res.Index {
			res.Events = append(res.Events, ev)
		}
	}
	found, derr := outcome(brt.Meta, events, res.Index)
	if !found {
		return fmt.Errorf("subtensor: block %s has no success or failure event for extrinsic %d", hash, res.Index)
	}
	return derr
}

// submitAndFollow is the fallback for endpoints without subscriptions
// (HTTP): author_submitExtrinsic, then follow the blocks for it.
func (c *Client) submitAndFollow(ctx context.Context, rt *Runtime, res *Result, start uint64, waitFinal bool, progress func(string)) error {
	var h string
	if err := c.rpc.Call(ctx, &h, "author_submitExtrinsic", res.Extrinsic); err != nil {
		return fmt.Errorf("subtensor: extrinsic rejected: %w", err)
	}
	progress("submitted " + h)
	return c.followInclusion(ctx, rt, res, start, waitFinal, progress)
}

// followInclusion looks for the submitted extrinsic in every best block
// after start until its era expires (a head follower: subscription, else
// polling), then, with waitFinal, waits until that block is finalized; if
// another block was finalized at its height, the finalized blocks are
// searched instead.
func (c *Client) followInclusion(ctx context.Context, rt *Runtime, res *Result, start uint64, waitFinal bool, progress func(string)) error {
	best := c.FollowHeads(false)
	defer best.Close()
	if err := c.scanFor(ctx, best, rt, res, start+1, "inBlock", progress); err != nil || !waitFinal {
		return err
	}
	fin := c.FollowHeads(true)
	defer fin.Close()
	fh, err := fin.Wait(ctx, res.BlockNumber)
	if err != nil {
		return err
	}
	if equalHex(fh.HashHex(), res.BlockHash) {
		res.Finalized = true
		progress("finalized " + res.BlockHash)
		return nil
	}
	progress(fmt.Sprintf("retracted from %s (block %d finalized as %s); waiting", res.BlockHash, res.BlockNumber, fh.HashHex()))
	err = c.scanFor(ctx, fin, rt, res, res.BlockNumber, "finalized", progress)
	res.Finalized = err == nil || errors.As(err, new(*DispatchError))
	return err
}

// scanFor settles res in the first of heads' blocks from block from on that
// contains it (a dispatch failure is returned, as settle does).
func (c *Client) scanFor(ctx context.Context, heads *Heads, rt *Runtime, res *Result, from uint64, status string, progress func(string)) error {
	last := from + c.period
	for n := from; n <= last; n++ {
		b, err := heads.Wait(ctx, n)
		if err != nil {
			return fmt.Errorf("subtensor: waiting for %s: %w", res.Hash, err)
		}
		err = c.settle(ctx, rt, res, b.HashHex())
		if !errors.Is(err, errNotInBlock) {
			progress(fmt.Sprintf("%s %s", status, b.HashHex()))
			return err
		}
	}
	return fmt.Errorf("subtensor: extrinsic %s not included within its %d-block era", res.Hash, c.period)
}

// DescribeCall decodes call bytes with the runtime's call type:
// "Pallet.call(field: value, ...)".
func DescribeCall(m *metadata.Metadata, call []byte) (string, error) {
	v, err := m.DecodeAll(m.CallType, call)
	if err != nil {
		return "", fmt.Errorf("subtensor: cannot decode our own call: %w", err)
	}
	outer, ok := v.(*metadata.VariantValue)
	if !ok || len(outer.Fields) != 1 {
		return "", fmt.Errorf("subtensor: call is not Pallet(call)")
	}
	inner, ok := outer.Fields[0].Value.(*metadata.VariantValue)
	if !ok {
		return "", fmt.Errorf("subtensor: call is not an enum")
	}
	parts := make([]string, len(inner.Fields))
	for i, f := range inner.Fields {
		parts[i] = f.Name + ": " + FormatValue(f.Value)
	}
	return fmt.Sprintf("%s.%s(%s)", outer.Name, inner.Name, strings.Join(parts, ", ")), nil
}

// FormatValue renders a decoded value compactly for people: integers in
// decimal, 32-byte ids as ss58, printable bytes as text, other bytes as hex.
func FormatValue(v metadata.Value) string {
	switch x := v.(type) {
	case []byte:
		if len(x) == 32 {
			return ss58([32]byte(x))
		}
		if printable(x) && len(x) > 0 {
			return fmt.Sprintf("%q", x)
		}
		return hexOf(x)
	case []metadata.Value:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = FormatValue(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case *metadata.Composite:
		if len(x.Fields) == 1 && x.Fields[0].Name == "" {
			return FormatValue(x.Fields[0].Value)
		}
		return "{" + fieldsText(x.Fields) + "}"
	case *metadata.VariantValue:
		if len(x.Fields) == 0 {
			return x.Name
		}
		return x.Name + "(" + fieldsText(x.Fields) + ")"
	case *big.Int:
		return x.String()
	}
	return fmt.Sprint(v)
}

func fieldsText(fs []metadata.NamedValue) string {
	parts := make([]string, len(fs))
	for i, f := range fs {
		if f.Name != "" {
			parts[i] = f.Name + ": " + FormatValue(f.Value)
		} else {
			parts[i] = FormatValue(f.Value)
		}
	}
	return strings.Join(parts, ", ")
}

func printable(b []byte) bool {
	for _, c := range b {
		if c < 0x20 || c > 0x7e {
			return false
		}
	}
	return true
}
