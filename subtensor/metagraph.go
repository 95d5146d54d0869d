package subtensor

import (
	"context"
	"fmt"
	"math/big"
	"net/netip"

	"github.com/taonet/taonet/chain"
	"github.com/taonet/taonet/keys"
	"github.com/taonet/taonet/subtensor/metadata"
)

// Metagraph reads a subnet's metagraph at the best block.
func (c *Client) Metagraph(ctx context.Context, netuid uint16) (*chain.Metagraph, error) {
	return c.ReadMetagraph(ctx, netuid, nil)
}

// MetagraphAt reads a subnet's metagraph as of block height (the
// finetuning validator's seed-block view; old blocks need an archive node).
func (c *Client) MetagraphAt(ctx context.Context, netuid uint16, height uint64) (*chain.Metagraph, error) {
	return c.ReadMetagraph(ctx, netuid, &height)
}

// ReadMetagraph reads a subnet's metagraph at block (nil: best).
//
// The neurons come from the runtime APIs get_neurons_lite and
// get_subnet_state where the runtime offers them (two state_calls, as the
// Bittensor SDK reads; see neuronsFromAPI), else from the storage items every
// subtensor runtime has (Keys, Owner, the per-subnet vectors, Axons, ...)
// through the runtime's own metadata; the JSON shape is the same either way.
// On the storage path stake is the hotkey's alpha stake on the subnet
// (TotalHotkeyAlpha) on dynamic-TAO runtimes and its TAO stake
// (TotalHotkeyStake) on older ones; on the API path it is what the runtime
// reports (its stake weights, child-key inheritance included); rao either
// way. Hyperparameters come from get_subnet_hyperparams(_v2) where offered
// (readHyperparams); weights and bonds from storage. Pool is the subnet's
// dTAO pool on runtimes that store one (see readPool), else nil.
func (c *Client) ReadMetagraph(ctx context.Context, netuid uint16, block *uint64) (*chain.Metagraph, error) {
	at, rt, err := c.At(ctx, block)
	if err != nil {
		return nil, err
	}
	if err := c.requireSubnet(ctx, at, rt, netuid); err != nil {
		return nil, err
	}
	mg := &chain.Metagraph{Netuid: netuid, Block: at.Number}
	viaAPI, err := c.neuronsFromAPI(ctx, at, netuid, mg)
	if err != nil {
		return nil, err
	}
	if viaAPI {
		err = c.ReadMany(ctx, at, rt, c.ownerReads(netuid, mg))
	} else {
		err = c.neuronsFromStorage(ctx, at, rt, netuid, mg)
	}
	if err != nil {
		return nil, err
	}
	if err := c.readHyperparams(ctx, at, rt, netuid, &mg.Hyperparams); err != nil {
		return nil, err
	}
	if err := c.readMatrices(ctx, at, rt, mg); err != nil {
		return nil, err
	}
	if mg.Pool, err = c.readPool(ctx, at, rt, netuid); err != nil {
		return nil, err
	}
	for i := range mg.Axons {
		mg.Axons[i].Hotkey, mg.Axons[i].Coldkey = mg.Hotkeys[i], mg.Coldkeys[i]
	}
	return mg, nil
}

// neuronsFromStorage fills the per-uid fields and the owner from storage.
func (c *Client) neuronsFromStorage(ctx context.Context, at Head, rt *Runtime, netuid uint16, mg *chain.Metagraph) error {
	if err := c.readN(ctx, at, rt, mg); err != nil {
		return err
	}
	if err := c.ReadMany(ctx, at, rt, append(c.vectorReads(netuid, mg), c.ownerReads(netuid, mg)...)); err != nil {
		return err
	}
	if err := c.ReadMany(ctx, at, rt, c.perHotkeyReads(rt, netuid, mg)); err != nil {
		return err
	}
	return c.stakeWeights(ctx, at, rt, mg)
}

// readN reads the neuron count and every uid's hotkey (Keys).
func (c *Client) readN(ctx context.Context, at Head, rt *Runtime, mg *chain.Metagraph) error {
	v, err := c.Storage(ctx, at, rt, "SubtensorModule", "SubnetworkN", mg.Netuid)
	if err != nil {
		return err
	}
	n, err := metadata.AsUint64(v)
	if err != nil {
		return err
	}
	mg.N = uint16(n)
	mg.UIDs = make([]uint16, n)
	mg.Hotkeys = make([]string, n)
	mg.BlockAtRegistration = make([]uint64, n)
	var reads []Read
	for uid := range mg.UIDs {
		mg.UIDs[uid] = uint16(uid)
		reads = append(reads,
			Read{Pallet: "SubtensorModule", Item: "Keys", Keys: []any{mg.Netuid, uint16(uid)}, Into: func(v metadata.Value) error {
				b, err := metadata.AsBytes(v)
				if err != nil || len(b) != 32 {
					return fmt.Errorf("uid %d hotkey is not an account id", uid)
				}
				mg.Hotkeys[uid] = keys.SS58Encode([32]byte(b))
				return nil
			}},
			Read{Pallet: "SubtensorModule", Item: "BlockAtRegistration", Keys: []any{mg.Netuid, uint16(uid)}, Into: func(v metadata.Value) error {
				mg.BlockAtRegistration[uid], err = metadata.AsUint64(v)
				return err
			}})
	}
	return c.ReadMany(ctx, at, rt, reads)
}

// vectorReads reads the per-subnet vectors (one value per uid each).
func (c *Client) vectorReads(netuid uint16, mg *chain.Metagraph) []Read {
	n := int(mg.N)
	u16s := func(dst *[]uint16) func(metadata.Value) error {
		return func(v metadata.Value) error {
			items, err := metadata.AsSlice(v)
			if err != nil {
				return err
			}
			*dst = make([]uint16, n)
			for i := 0; i < n && i < len(items); i++ {
				x, err := metadata.AsUint64(items[i])
				if err != nil {
					return err
				}
				(*dst)[i] = uint16(x)
			}
			return nil
		}
	}
	u64s := func(dst *[]uint64) func(metadata.Value) error {
		return func(v metadata.Value) error {
			items, err := metadata.AsSlice(v)
			if err != nil {
				return err
			}
			*dst = make([]uint64, n)
			for i := 0; i < n && i < len(items); i++ {
				(*dst)[i] = bigToU64(items[i])
			}
			return nil
		}
	}
	bools := func(dst *[]bool) func(metadata.Value) error {
		return func(v metadata.Value) error {
			items, err := metadata.AsSlice(v)
			if err != nil {
				return err
			}
			*dst = make([]bool, n)
			for i := 0; i < n && i < len(items); i++ {
				if (*dst)[i], err = metadata.AsBool(items[i]); err != nil {
					return err
				}
			}
			return nil
		}
	}
	r := func(item string, into func(metadata.Value) error) Read {
		return Read{Pallet: "SubtensorModule", Item: item, Keys: []any{netuid}, Optional: true, Into: into}
	}
	return []Read{
		r("Consensus", u16s(&mg.Consensus)), r("Incentive", u16s(&mg.Incentive)), r("Dividends", u16s(&mg.Dividends)),
		r("Emission", u64s(&mg.Emission)), r("ValidatorTrust", u16s(&mg.ValidatorTrust)),
		r("ValidatorPermit", bools(&mg.ValidatorPermit)), r("Active", bools(&mg.Active)),
		r("LastUpdate", u64s(&mg.LastUpdate)), r("PruningScores", u16s(&mg.PruningScore)),
	}
}

// ownerReads reads the subnet owner's coldkey and hotkey.
func (c *Client) ownerReads(netuid uint16, mg *chain.Metagraph) []Read {
	ownerKey := func(dst *string) func(metadata.Value) error {
		return func(v metadata.Value) error {
			b, err := metadata.AsBytes(v)
			if err == nil && len(b) == 32 {
				*dst = keys.SS58Encode([32]byte(b))
			}
			return err
		}
	}
	r := func(item string, into func(metadata.Value) error) Read {
		return Read{Pallet: "SubtensorModule", Item: item, Keys: []any{netuid}, Optional: true, Into: into}
	}
	return []Read{r("SubnetOwner", ownerKey(&mg.OwnerColdkey)), r("SubnetOwnerHotkey", ownerKey(&mg.OwnerHotkey))}
}

// perHotkeyReads reads each hotkey's coldkey, stake and axon. Stake follows
// the taonet backend's meaning: on dynamic-TAO runtimes AlphaStake is the
// hotkey's alpha on the subnet (TotalHotkeyAlpha[hotkey, netuid]), TaoStake
// its root stake (TotalHotkeyAlpha[hotkey, 0]) and Stake = TotalStake the
// stake weight alpha + tao_weight × root (see stakeWeight); on older
// runtimes TaoStake = Stake = TotalStake = TotalHotkeyStake[hotkey].
func (c *Client) perHotkeyReads(rt *Runtime, netuid uint16, mg *chain.Metagraph) []Read {
	n := int(mg.N)
	mg.Coldkeys = make([]string, n)
	mg.Stake, mg.AlphaStake, mg.TaoStake, mg.TotalStake = make([]uint64, n), make([]uint64, n), make([]uint64, n), make([]uint64, n)
	mg.Axons = make([]chain.AxonInfo, n)
	dtao := rt.Meta.HasStorage("SubtensorModule", "TotalHotkeyAlpha")
	var reads []Read
	for uid := 0; uid < n; uid++ {
		pk, err := keys.SS58Decode(mg.Hotkeys[uid])
		if err != nil {
			continue
		}
		if dtao {
			reads = append(reads,
				Read{Pallet: "SubtensorModule", Item: "TotalHotkeyAlpha", Keys: []any{pk, netuid}, Into: func(v metadata.Value) error { mg.AlphaStake[uid] = bigToU64(v); return nil }},
				Read{Pallet: "SubtensorModule", Item: "TotalHotkeyAlpha", Keys: []any{pk, uint16(0)}, Into: func(v metadata.Value) error { mg.TaoStake[uid] = bigToU64(v); return nil }})
		} else {
			reads = append(reads, Read{Pallet: "SubtensorModule", Item: "TotalHotkeyStake", Keys: []any{pk}, Into: func(v metadata.Value) error { mg.TaoStake[uid] = bigToU64(v); return nil }})
		}
		reads = append(reads,
			Read{Pallet: "SubtensorModule", Item: "Owner", Keys: []any{pk}, Into: func(v metadata.Value) error {
				b, err := metadata.AsBytes(v)
				if err != nil || len(b) != 32 {
					return fmt.Errorf("uid %d coldkey is not an account id", uid)
				}
				mg.Coldkeys[uid] = keys.SS58Encode([32]byte(b))
				return nil
			}},
			Read{Pallet: "SubtensorModule", Item: "Axons", Keys: []any{netuid, pk}, Into: func(v metadata.Value) error {
				if v == nil {
					mg.Axons[uid].IP = "0.0.0.0" // never served, as the SDK shows it
					return nil
				}
				ax, err := axonOf(v)
				mg.Axons[uid] = ax
				return err
			}})
	}
	return reads
}

// stakeWeights fills Stake and TotalStake from the alpha and root parts.
func (c *Client) stakeWeights(ctx context.Context, at Head, rt *Runtime, mg *chain.Metagraph) error {
	var w *big.Int
	if rt.Meta.HasStorage("SubtensorModule", "TotalHotkeyAlpha") && rt.Meta.HasStorage("SubtensorModule", "TaoWeight") {
		v, err := c.Storage(ctx, at, rt, "SubtensorModule", "TaoWeight")
		if err != nil {
			return err
		}
		if w, err = metadata.AsBig(v); err != nil {
			return err
		}
	}
	for i := range mg.Stake {
		mg.Stake[i] = StakeWeight(mg.AlphaStake[i], mg.TaoStake[i], w)
		mg.TotalStake[i] = mg.Stake[i]
	}
	return nil
}

// StakeWeight is subtensor's stake weight alpha + tao_weight × root in its
// U96F32 arithmetic: tao_weight = TaoWeight / u64::MAX truncated to 32
// fractional bits, the product truncated, the sum floored to u64. A nil
// weight (pre-dTAO runtimes, alpha 0) gives the TAO stake itself.
func StakeWeight(alpha, root uint64, taoWeight *big.Int) uint64 {
	if taoWeight == nil {
		return alpha + root
	}
	q := new(big.Int).Lsh(taoWeight, 32)
	q.Quo(q, new(big.Int).SetUint64(^uint64(0)))
	p := new(big.Int).Mul(new(big.Int).SetUint64(root), q)
	p.Rsh(p, 32)
	p.Add(p, new(big.Int).SetUint64(alpha))
	if !p.IsUint64() {
		return ^uint64(0)
	}
	return p.Uint64()
}

// axonOf converts an AxonInfo {block, version, ip: u128, port, ip_type, protocol, ...}.
func axonOf(v metadata.Value) (chain.AxonInfo, error) {
	var ax chain.AxonInfo
	var blk, ver, port, ipType, proto uint64
	for name, dst := range map[string]*uint64{"block": &blk, "version": &ver, "port": &port, "ip_type": &ipType, "protocol": &proto} {
		if err := u64Field(v, name, dst); err != nil {
			return ax, err
		}
	}
	ipv, err := metadata.FieldOf(v, "ip")
	if err != nil {
		return ax, err
	}
	ip, err := metadata.AsBig(ipv)
	if err != nil {
		return ax, err
	}
	ax.Block, ax.Version, ax.Port, ax.IPType, ax.Protocol = blk, uint32(ver), uint16(port), uint8(ipType), uint8(proto)
	ax.IP = ipText(ip, uint8(ipType))
	return ax, nil
}

// ipText renders the u128 address as the SDK does: dotted quad for ip_type
// 4, RFC 5952 text for 6, "0.0.0.0" for unset.
func ipText(ip *big.Int, ipType uint8) string {
	var b [16]byte
	ip.FillBytes(b[:])
	if ipType == 6 {
		return netip.AddrFrom16(b).String()
	}
	if ip.Sign() == 0 {
		return "0.0.0.0"
	}
	return netip.AddrFrom4([4]byte(b[12:])).String()
}

func (c *Client) readMatrices(ctx context.Context, at Head, rt *Runtime, mg *chain.Metagraph) error {
	for _, item := range []string{"Weights", "Bonds"} {
		rows, err := c.matrix(ctx, at, rt, item, mg.Netuid)
		if err != nil {
			return err
		}
		m := make([][][2]uint16, mg.N)
		for _, r := range rows {
			if int(r.UID) < len(m) {
				m[r.UID] = r.Entries
			}
		}
		for i := range m {
			if m[i] == nil {
				m[i] = [][2]uint16{}
			}
		}
		if item == "Weights" {
			mg.Weights = m
		} else {
			mg.Bonds = m
		}
	}
	return nil
}
