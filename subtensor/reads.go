package subtensor

import (
	"context"
	"fmt"
	"math/big"
	"sort"

	"github.com/taonet/taonet/chain"
	"github.com/taonet/taonet/keys"
	"github.com/taonet/taonet/node"
	"github.com/taonet/taonet/subtensor/metadata"
)

// At resolves the block to read at: the given number, or the best block.
func (c *Client) At(ctx context.Context, block *uint64) (Head, *Runtime, error) {
	var h Head
	var err error
	if block != nil {
		h, err = c.HeadAt(ctx, *block)
	} else {
		h, err = c.BestHead(ctx)
	}
	if err != nil {
		return Head{}, nil, err
	}
	rt, err := c.RuntimeAt(ctx, h)
	return h, rt, err
}

// Balance is an account's balance in rao (System.Account).
type Balance struct {
	Address  string `json:"address"`
	Free     uint64 `json:"free"`
	Reserved uint64 `json:"reserved"`
	Frozen   uint64 `json:"frozen"`
	Nonce    uint64 `json:"nonce"`
	Block    uint64 `json:"block"`
}

// Balance reads System.Account of an ss58 address.
func (c *Client) Balance(ctx context.Context, address string, block *uint64) (*Balance, error) {
	pub, err := keys.SS58Decode(address)
	if err != nil {
		return nil, fmt.Errorf("subtensor: address %q: %w", address, err)
	}
	at, rt, err := c.At(ctx, block)
	if err != nil {
		return nil, err
	}
	v, err := c.Storage(ctx, at, rt, "System", "Account", pub)
	if err != nil {
		return nil, err
	}
	b := &Balance{Address: address, Block: at.Number}
	data, err := metadata.FieldOf(v, "data")
	if err != nil {
		return nil, err
	}
	for name, dst := range map[string]*uint64{"free": &b.Free, "reserved": &b.Reserved} {
		if err := u64Field(data, name, dst); err != nil {
			return nil, err
		}
	}
	// Older runtimes split frozen into misc_frozen/fee_frozen.
	if u64Field(data, "frozen", &b.Frozen) != nil {
		_ = u64Field(data, "misc_frozen", &b.Frozen)
	}
	if err := u64Field(v, "nonce", &b.Nonce); err != nil {
		return nil, err
	}
	return b, nil
}

func u64Field(v metadata.Value, name string, dst *uint64) error {
	f, err := metadata.FieldOf(v, name)
	if err != nil {
		return err
	}
	*dst, err = metadata.AsUint64(f)
	return err
}

// WeightsRow is one uid's weights (or bonds) row from storage.
type WeightsRow struct {
	UID     uint16      `json:"uid"`
	Entries [][2]uint16 `json:"weights"`
}

// Matrix reads SubtensorModule.Weights or .Bonds rows of a subnet (item is
// "Weights" or "Bonds"), sorted by uid.
func (c *Client) Matrix(ctx context.Context, item string, netuid uint16, block *uint64) ([]WeightsRow, uint64, error) {
	at, rt, err := c.At(ctx, block)
	if err != nil {
		return nil, 0, err
	}
	rows, err := c.matrix(ctx, at, rt, item, netuid)
	return rows, at.Number, err
}

func (c *Client) matrix(ctx context.Context, at Head, rt *Runtime, item string, netuid uint16) ([]WeightsRow, error) {
	entries, err := c.Iterate(ctx, at, rt, "SubtensorModule", item, netuid)
	if err != nil {
		return nil, err
	}
	out := make([]WeightsRow, 0, len(entries))
	for _, e := range entries {
		uid, err := metadata.AsUint64(e.Keys[1])
		if err != nil {
			return nil, fmt.Errorf("subtensor: %s key: %w", item, err)
		}
		pairs, err := u16Pairs(e.Value)
		if err != nil {
			return nil, fmt.Errorf("subtensor: %s row %d: %w", item, uid, err)
		}
		out = append(out, WeightsRow{UID: uint16(uid), Entries: pairs})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].UID < out[j].UID })
	return out, nil
}

func u16Pairs(v metadata.Value) ([][2]uint16, error) {
	items, err := metadata.AsSlice(v)
	if err != nil {
		return nil, err
	}
	out := make([][2]uint16, 0, len(items))
	for _, it := range items {
		pair, err := metadata.AsSlice(it)
		if err != nil || len(pair) != 2 {
			return nil, fmt.Errorf("entry %v is not a (u16, u16) pair", it)
		}
		a, err1 := metadata.AsUint64(pair[0])
		b, err2 := metadata.AsUint64(pair[1])
		if err1 != nil || err2 != nil || a > 65535 || b > 65535 {
			return nil, fmt.Errorf("entry %v is not a (u16, u16) pair", it)
		}
		out = append(out, [2]uint16{uint16(a), uint16(b)})
	}
	return out, nil
}

// Commitment reads Commitments.CommitmentOf for one hotkey (nil when none).
func (c *Client) Commitment(ctx context.Context, netuid uint16, hotkey string, block *uint64) (*chain.Commitment, error) {
	pub, err := keys.SS58Decode(hotkey)
	if err != nil {
		return nil, fmt.Errorf("subtensor: hotkey %q: %w", hotkey, err)
	}
	at, rt, err := c.At(ctx, block)
	if err != nil {
		return nil, err
	}
	v, err := c.Storage(ctx, at, rt, "Commitments", "CommitmentOf", netuid, pub)
	if err != nil || v == nil {
		return nil, err
	}
	cm, err := commitmentOf(v)
	if err != nil {
		return nil, err
	}
	cm.Netuid, cm.Hotkey, cm.UID = netuid, hotkey, -1
	return cm, nil
}

// Commitments reads every commitment on a subnet (Commitments.CommitmentOf
// under netuid) at the best block, sorted by hotkey; UID is filled from
// SubtensorModule.Uids.
func (c *Client) Commitments(ctx context.Context, netuid uint16) ([]chain.Commitment, error) {
	return c.readCommitments(ctx, netuid, nil)
}

// CommitmentsAt is Commitments as of block height.
func (c *Client) CommitmentsAt(ctx context.Context, netuid uint16, height uint64) ([]chain.Commitment, error) {
	return c.readCommitments(ctx, netuid, &height)
}

func (c *Client) readCommitments(ctx context.Context, netuid uint16, block *uint64) ([]chain.Commitment, error) {
	at, rt, err := c.At(ctx, block)
	if err != nil {
		return nil, err
	}
	entries, err := c.Iterate(ctx, at, rt, "Commitments", "CommitmentOf", netuid)
	if err != nil {
		return nil, err
	}
	out := make([]chain.Commitment, 0, len(entries))
	var reads []Read
	for _, e := range entries {
		pk, err := metadata.AsBytes(e.Keys[1])
		if err != nil || len(pk) != 32 {
			return nil, fmt.Errorf("subtensor: CommitmentOf key is not an account id")
		}
		cm, err := commitmentOf(e.Value)
		if err != nil {
			return nil, err
		}
		cm.Netuid, cm.Hotkey, cm.UID = netuid, keys.SS58Encode([32]byte(pk)), -1
		out = append(out, *cm)
		i := len(out) - 1
		reads = append(reads, Read{Pallet: "SubtensorModule", Item: "Uids", Keys: []any{netuid, [32]byte(pk)}, Into: func(v metadata.Value) error {
			if v != nil {
				uid, err := metadata.AsUint64(v)
				out[i].UID = int(uid)
				return err
			}
			return nil
		}})
	}
	if err := c.ReadMany(ctx, at, rt, reads); err != nil {
		return nil, err
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Hotkey < out[j].Hotkey })
	return out, nil
}

// commitmentOf converts a Registration {deposit, block, info: {fields}}.
func commitmentOf(v metadata.Value) (*chain.Commitment, error) {
	cm := &chain.Commitment{}
	var blk uint64
	if err := u64Field(v, "block", &blk); err != nil {
		return nil, err
	}
	cm.Block = blk
	info, err := metadata.FieldOf(v, "info")
	if err != nil {
		return nil, err
	}
	fv, err := metadata.FieldOf(info, "fields")
	if err != nil {
		return nil, err
	}
	fields, err := metadata.AsSlice(fv)
	if err != nil {
		return nil, err
	}
	for _, f := range fields {
		vv, ok := f.(*metadata.VariantValue)
		if !ok {
			return nil, fmt.Errorf("subtensor: commitment field %T is not a Data variant", f)
		}
		cf, err := dataField(vv)
		if err != nil {
			return nil, err
		}
		cm.Fields = append(cm.Fields, cf)
		if cf.Kind == chain.FieldRaw || cf.Kind == chain.FieldBigRaw {
			cm.Text += string(cf.Data)
		}
	}
	return cm, nil
}

// dataField maps the commitments pallet's Data variants (None, Raw0..Raw128,
// BlakeTwo256, Sha256, Keccak256, ShaThree256, ResetBondsFlag, BigRaw) to
// taonet's commitment field kinds.
func dataField(v *metadata.VariantValue) (chain.CommitmentField, error) {
	var data []byte
	if len(v.Fields) == 1 {
		b, err := metadata.AsBytes(v.Fields[0].Value)
		if err != nil {
			return chain.CommitmentField{}, fmt.Errorf("subtensor: commitment %s: %w", v.Name, err)
		}
		data = b
	}
	kinds := map[string]chain.FieldKind{"None": chain.FieldNone, "BlakeTwo256": chain.FieldBlakeTwo256, "Sha256": chain.FieldSha256,
		"Keccak256": chain.FieldKeccak256, "ShaThree256": chain.FieldShaThree256, "ResetBondsFlag": chain.FieldResetBondsFlag, "BigRaw": chain.FieldBigRaw}
	if k, ok := kinds[v.Name]; ok {
		return chain.CommitmentField{Kind: k, Data: data}, nil
	}
	if len(v.Name) > 3 && v.Name[:3] == "Raw" {
		return chain.CommitmentField{Kind: chain.FieldRaw, Data: data}, nil
	}
	return chain.CommitmentField{}, fmt.Errorf("subtensor: unknown commitment data kind %s", v.Name)
}

// Subnets lists the netuids that exist (SubtensorModule.NetworksAdded).
func (c *Client) Subnets(ctx context.Context, block *uint64) ([]uint16, uint64, error) {
	at, rt, err := c.At(ctx, block)
	if err != nil {
		return nil, 0, err
	}
	entries, err := c.Iterate(ctx, at, rt, "SubtensorModule", "NetworksAdded")
	if err != nil {
		return nil, 0, err
	}
	var out []uint16
	for _, e := range entries {
		added, _ := metadata.AsBool(e.Value)
		n, err := metadata.AsUint64(e.Keys[0])
		if err != nil {
			return nil, 0, err
		}
		if added {
			out = append(out, uint16(n))
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out, at.Number, nil
}

// hyperparamItems maps taonet's Hyperparams fields to subtensor storage items
// keyed by netuid. Items a runtime lacks are left zero.
func hyperparamReads(netuid uint16, h *chain.Hyperparams) []Read {
	u16 := func(dst *uint16) func(metadata.Value) error {
		return func(v metadata.Value) error {
			n, err := metadata.AsUint64(v)
			*dst = uint16(n)
			return err
		}
	}
	u64 := func(dst *uint64) func(metadata.Value) error {
		return func(v metadata.Value) error {
			n, err := metadata.AsUint64(v)
			*dst = n
			return err
		}
	}
	boolean := func(dst *bool) func(metadata.Value) error {
		return func(v metadata.Value) error {
			b, err := metadata.AsBool(v)
			*dst = b
			return err
		}
	}
	r := func(item string, into func(metadata.Value) error) Read {
		return Read{Pallet: "SubtensorModule", Item: item, Keys: []any{netuid}, Optional: true, Into: into}
	}
	return []Read{
		r("Rho", u16(&h.Rho)), r("Kappa", u16(&h.Kappa)), r("ImmunityPeriod", u16(&h.ImmunityPeriod)),
		r("MinAllowedWeights", u16(&h.MinAllowedWeights)), r("MaxWeightsLimit", u16(&h.MaxWeightsLimit)),
		r("Tempo", u16(&h.Tempo)), r("WeightsVersionKey", u64(&h.WeightsVersion)),
		r("WeightsSetRateLimit", u64(&h.WeightsRateLimit)), r("AdjustmentInterval", u16(&h.AdjustmentInterval)),
		r("ActivityCutoff", u16(&h.ActivityCutoff)), r("NetworkRegistrationAllowed", boolean(&h.RegistrationAllowed)),
		r("TargetRegistrationsPerInterval", u16(&h.TargetRegsPerInterval)), r("MinBurn", u64(&h.MinBurn)),
		r("MaxBurn", u64(&h.MaxBurn)), r("Burn", u64(&h.Burn)), r("BondsMovingAverage", u64(&h.BondsMovingAvg)),
		r("MaxRegistrationsPerBlock", u16(&h.MaxRegsPerBlock)), r("ServingRateLimit", u64(&h.ServingRateLimit)),
		r("MaxAllowedValidators", u16(&h.MaxValidators)), r("AdjustmentAlpha", u64(&h.AdjustmentAlpha)),
		r("RevealPeriodEpochs", u64(&h.CommitRevealPeriod)),
		r("CommitRevealWeightsEnabled", boolean(&h.CommitRevealWeightsEnabled)),
		r("LiquidAlphaOn", boolean(&h.LiquidAlphaEnabled)), r("Yuma3On", boolean(&h.Yuma3Enabled)),
		r("BondsPenalty", u16(&h.BondsPenalty)), r("BondsResetOn", boolean(&h.BondsResetEnabled)),
		r("MaxAllowedUids", u16(&h.MaxAllowedUids)),
		r("AlphaSigmoidSteepness", func(v metadata.Value) error {
			n, err := metadata.AsBig(v)
			if err == nil && n.IsInt64() && n.Int64() >= -32768 && n.Int64() <= 32767 {
				h.AlphaSigmoidSteepness = int16(n.Int64())
				return nil
			}
			return fmt.Errorf("AlphaSigmoidSteepness %v is not an i16", v)
		}),
		r("AlphaValues", func(v metadata.Value) error {
			pair, err := metadata.AsSlice(v)
			if err != nil || len(pair) != 2 {
				return fmt.Errorf("AlphaValues is not a pair")
			}
			lo, _ := metadata.AsUint64(pair[0])
			hi, _ := metadata.AsUint64(pair[1])
			h.AlphaLow, h.AlphaHigh = uint16(lo), uint16(hi)
			return nil
		}),
		{Pallet: "SubtensorModule", Item: "StakeThreshold", Optional: true, Into: u64(&h.StakeThreshold)},
	}
}

// Hyperparameters reads a subnet's hyperparameters: from
// get_subnet_hyperparams(_v2) where the runtime offers it, the rest from
// storage (readHyperparams).
func (c *Client) Hyperparameters(ctx context.Context, netuid uint16, block *uint64) (*chain.Hyperparams, uint64, error) {
	at, rt, err := c.At(ctx, block)
	if err != nil {
		return nil, 0, err
	}
	if err := c.requireSubnet(ctx, at, rt, netuid); err != nil {
		return nil, 0, err
	}
	var h chain.Hyperparams
	if err := c.readHyperparams(ctx, at, rt, netuid, &h); err != nil {
		return nil, 0, err
	}
	return &h, at.Number, nil
}

func (c *Client) requireSubnet(ctx context.Context, at Head, rt *Runtime, netuid uint16) error {
	v, err := c.Storage(ctx, at, rt, "SubtensorModule", "NetworksAdded", netuid)
	if err != nil {
		return err
	}
	if ok, _ := metadata.AsBool(v); !ok {
		return fmt.Errorf("subtensor: subnet %d does not exist at block %d: %w", netuid, at.Number, node.ErrNotFound)
	}
	return nil
}

func bigToU64(v metadata.Value) uint64 {
	n, err := metadata.AsBig(v)
	if err != nil || n.Sign() < 0 {
		return 0
	}
	if !n.IsUint64() {
		return ^uint64(0)
	}
	return n.Uint64()
}

var _ = big.NewInt

// RowsOf turns a metagraph's per-uid weights (or bonds) into the rows a
// storage read returns: one per uid that has entries.
func RowsOf(m [][][2]uint16) []WeightsRow {
	out := []WeightsRow{}
	for uid, r := range m {
		if len(r) > 0 {
			out = append(out, WeightsRow{UID: uint16(uid), Entries: r})
		}
	}
	return out
}

// SubnetInfos summarizes every subnet as the taonet node's subnet list does.
// NextEpochBlock follows subtensor's blocks_until_next_epoch:
// tempo − (block + netuid + 1) mod (tempo + 1) blocks after the read block.
func (c *Client) SubnetInfos(ctx context.Context) ([]chain.SubnetInfo, error) {
	at, rt, err := c.At(ctx, nil)
	if err != nil {
		return nil, err
	}
	entries, err := c.Iterate(ctx, at, rt, "SubtensorModule", "NetworksAdded")
	if err != nil {
		return nil, err
	}
	var out []chain.SubnetInfo
	for _, e := range entries {
		if ok, _ := metadata.AsBool(e.Value); !ok {
			continue
		}
		n, _ := metadata.AsUint64(e.Keys[0])
		out = append(out, chain.SubnetInfo{Netuid: uint16(n)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Netuid < out[j].Netuid })
	var reads []Read
	for i := range out {
		s := &out[i]
		u16 := func(dst *uint16) func(metadata.Value) error {
			return func(v metadata.Value) error { x, err := metadata.AsUint64(v); *dst = uint16(x); return err }
		}
		u64 := func(dst *uint64) func(metadata.Value) error {
			return func(v metadata.Value) error { *dst = bigToU64(v); return nil }
		}
		acct := func(dst *string) func(metadata.Value) error {
			return func(v metadata.Value) error {
				b, err := metadata.AsBytes(v)
				if err == nil && len(b) == 32 {
					*dst = keys.SS58Encode([32]byte(b))
				}
				return err
			}
		}
		r := func(item string, into func(metadata.Value) error) Read {
			return Read{Pallet: "SubtensorModule", Item: item, Keys: []any{s.Netuid}, Optional: true, Into: into}
		}
		reads = append(reads, r("SubnetworkN", u16(&s.N)), r("MaxAllowedUids", u16(&s.MaxN)), r("Tempo", u16(&s.Tempo)),
			r("Burn", u64(&s.Burn)), r("SubnetLocked", u64(&s.Locked)), r("PendingEmission", u64(&s.PendingEmission)),
			r("NetworkRegisteredAt", u64(&s.RegisteredAt)), r("LastMechansimStepBlock", u64(&s.LastEpochBlock)),
			r("SubnetOwner", acct(&s.OwnerColdkey)), r("SubnetOwnerHotkey", acct(&s.OwnerHotkey)))
	}
	if err := c.ReadMany(ctx, at, rt, reads); err != nil {
		return nil, err
	}
	for i := range out {
		s := &out[i]
		t := uint64(s.Tempo)
		if t > 0 {
			s.NextEpochBlock = at.Number + t - (at.Number+uint64(s.Netuid)+1)%(t+1)
		}
	}
	return out, nil
}
