package subtensor

import (
	"context"
	"encoding/hex"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/taonet/taonet/node"
	"github.com/taonet/taonet/subtensor/metadata"
	"github.com/taonet/taonet/subtensor/rpc"
	"github.com/taonet/taonet/subtensor/scale"
)

// Config configures a Client.
type Config struct {
	// Endpoints are ws(s):// or http(s):// node URLs tried in order (failover).
	Endpoints []string
	// Genesis, when set, is the genesis hash the node must report (0x-hex):
	// connecting to the wrong network is an error before anything is read or signed.
	Genesis string
	// RPC tunes timeouts, retries and backoff.
	RPC rpc.Options
	// EraPeriod is the mortality of signed extrinsics in blocks (default 64).
	EraPeriod uint64
	// PollInterval is how often head followers poll where the endpoint
	// cannot carry subscriptions (default 2 s; subtensor makes a block every 12 s).
	PollInterval time.Duration
	// Logger receives the head followers' reconnects and gap fills (default: none).
	Logger *slog.Logger
}

// Runtime is one runtime version with its decoded metadata.
type Runtime struct {
	SpecName    string
	SpecVersion uint32
	TxVersion   uint32
	Meta        *metadata.Metadata
}

// Client is a subtensor chain client. It is safe for concurrent use.
type Client struct {
	rpc     *rpc.Client
	genesis [32]byte
	period  uint64
	poll    time.Duration // head polling interval (HTTP endpoints)
	backoff time.Duration // first resubscription delay
	log     *slog.Logger

	mu        sync.Mutex
	runtimes  map[uint32]*Runtime // by spec version: a runtime upgrade adds one
	followers []*Heads
}

// Dial connects to the first reachable endpoint, reads the genesis hash and
// checks it against cfg.Genesis.
func Dial(ctx context.Context, cfg Config) (*Client, error) {
	rc, err := rpc.New(cfg.Endpoints, cfg.RPC)
	if err != nil {
		return nil, err
	}
	c := &Client{rpc: rc, period: cfg.EraPeriod, poll: cfg.PollInterval, backoff: cfg.RPC.Backoff, log: cfg.Logger, runtimes: map[uint32]*Runtime{}}
	if c.period == 0 {
		c.period = 64
	}
	if c.poll <= 0 {
		c.poll = pollInterval
	}
	if c.backoff <= 0 {
		c.backoff = 250 * time.Millisecond
	}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	var g string
	if err := rc.Call(ctx, &g, "chain_getBlockHash", 0); err != nil {
		rc.Close()
		return nil, fmt.Errorf("subtensor: cannot reach the chain: %w", err)
	}
	gb, err := hash32(g)
	if err != nil {
		rc.Close()
		return nil, fmt.Errorf("subtensor: genesis hash: %w", err)
	}
	if cfg.Genesis != "" && !strings.EqualFold(g, cfg.Genesis) {
		rc.Close()
		return nil, fmt.Errorf("subtensor: wrong network: %s has genesis %s (%s), expected %s (%s)", rc.Endpoint(), g, networkName(g), cfg.Genesis, networkName(cfg.Genesis))
	}
	c.genesis = gb
	return c, nil
}

func networkName(genesis string) string {
	for _, n := range []string{"finney", "test"} {
		if strings.EqualFold(Networks[n].Genesis, genesis) {
			return n
		}
	}
	return "unknown network"
}

// Close stops the head followers and closes the connection.
func (c *Client) Close() error {
	c.mu.Lock()
	fs := c.followers
	c.followers = nil
	c.mu.Unlock()
	for _, f := range fs {
		f.stop()
	}
	err := c.rpc.Close()
	for _, f := range fs {
		<-f.done
	}
	return err
}

// RPC is the underlying JSON-RPC client.
func (c *Client) RPC() *rpc.Client { return c.rpc }

// Genesis is the chain's genesis hash.
func (c *Client) Genesis() [32]byte { return c.genesis }

func hash32(s string) ([32]byte, error) {
	var h [32]byte
	b, err := decodeHex(s)
	if err != nil {
		return h, err
	}
	if len(b) != 32 {
		return h, fmt.Errorf("hash %q is %d bytes, want 32", s, len(b))
	}
	copy(h[:], b)
	return h, nil
}

func decodeHex(s string) ([]byte, error) {
	if !strings.HasPrefix(s, "0x") {
		return nil, fmt.Errorf("%.40q is not 0x-prefixed hex", s)
	}
	return hex.DecodeString(s[2:])
}

func hexOf(b []byte) string { return "0x" + hex.EncodeToString(b) }

// Head is a block the client reads at.
type Head struct {
	Number uint64
	Hash   [32]byte
}

// HashHex is the block hash as 0x-hex.
func (h Head) HashHex() string { return hexOf(h.Hash[:]) }

// BestHead returns the best block.
func (c *Client) BestHead(ctx context.Context) (Head, error) {
	var hs string
	if err := c.rpc.Call(ctx, &hs, "chain_getBlockHash"); err != nil {
		return Head{}, err
	}
	return c.HeadByHash(ctx, hs)
}

// FinalizedHead returns the last finalized block.
func (c *Client) FinalizedHead(ctx context.Context) (Head, error) {
	var hs string
	if err := c.rpc.Call(ctx, &hs, "chain_getFinalizedHead"); err != nil {
		return Head{}, err
	}
	return c.HeadByHash(ctx, hs)
}

// HeadAt returns block number n.
func (c *Client) HeadAt(ctx context.Context, n uint64) (Head, error) {
	var hs *string
	if err := c.rpc.Call(ctx, &hs, "chain_getBlockHash", n); err != nil {
		return Head{}, err
	}
	if hs == nil {
		if best, err := c.BestHead(ctx); err == nil && n > best.Number {
			return Head{}, fmt.Errorf("subtensor: block %d: %w (best block %d)", n, node.ErrHeightFuture, best.Number)
		}
		return Head{}, fmt.Errorf("subtensor: block %d: %w (the node does not keep it: use an archive node)", n, node.ErrHeightPruned)
	}
	h, err := hash32(*hs)
	return Head{Number: n, Hash: h}, err
}

// HeadByHash returns the header number of block hash hs.
func (c *Client) HeadByHash(ctx context.Context, hs string) (Head, error) {
	var hdr struct {
		Number string `json:"number"`
	}
	if err := c.rpc.Call(ctx, &hdr, "chain_getHeader", hs); err != nil {
		return Head{}, err
	}
	n, err := parseHexUint(hdr.Number)
	if err != nil {
		return Head{}, fmt.Errorf("subtensor: header number %q: %w", hdr.Number, err)
	}
	h, err := hash32(hs)
	return Head{Number: n, Hash: h}, err
}

// parseHexUint parses a node's 0x-hex number (block numbers), strictly.
func parseHexUint(s string) (uint64, error) {
	if !strings.HasPrefix(s, "0x") || len(s) == 2 {
		return 0, fmt.Errorf("%.40q is not a 0x-hex number", s)
	}
	return strconv.ParseUint(s[2:], 16, 64)
}

// RuntimeAt returns the runtime of block at, fetching and decoding its
// metadata the first time a spec version is seen. A runtime upgrade between
// two calls therefore yields the new metadata, never stale indices.
func (c *Client) RuntimeAt(ctx context.Context, at Head) (*Runtime, error) {
	var v struct {
		SpecName           string `json:"specName"`
		SpecVersion        uint32 `json:"specVersion"`
		TransactionVersion uint32 `json:"transactionVersion"`
	}
	if err := c.rpc.Call(ctx, &v, "state_getRuntimeVersion", at.HashHex()); err != nil {
		return nil, err
	}
	c.mu.Lock()
	rt, ok := c.runtimes[v.SpecVersion]
	c.mu.Unlock()
	if ok {
		return rt, nil
	}
	meta, err := c.fetchMetadata(ctx, at)
	if err != nil {
		return nil, err
	}
	rt = &Runtime{SpecName: v.SpecName, SpecVersion: v.SpecVersion, TxVersion: v.TransactionVersion, Meta: meta}
	c.mu.Lock()
	c.runtimes[v.SpecVersion] = rt
	c.mu.Unlock()
	return rt, nil
}

// fetchMetadata asks for v15 metadata (runtime API Metadata_metadata_at_version,
// which carries the runtime API types) and falls back to state_getMetadata (v14).
func (c *Client) fetchMetadata(ctx context.Context, at Head) (*metadata.Metadata, error) {
	var e scale.Encoder
	e.U32(15)
	if raw, err := c.StateCall(ctx, at, "Metadata_metadata_at_version", e.Bytes()); err == nil {
		// Option<OpaqueMetadata>: 0x01 ++ Vec<u8>.
		d := scale.NewDecoder(raw)
		if some, _ := d.U8(); some == 1 {
			if blob, err := d.ByteVec(); err == nil {
				if m, err := metadata.Decode(blob); err == nil {
					return m, nil
				}
			}
		}
	}
	var hs string
	if err := c.rpc.Call(ctx, &hs, "state_getMetadata", at.HashHex()); err != nil {
		return nil, err
	}
	m, err := metadata.Decode([]byte(hs))
	if err != nil {
		return nil, fmt.Errorf("subtensor: the node's runtime metadata cannot be decoded by this client: %w", err)
	}
	return m, nil
}

// StateCall calls runtime API method (e.g. "NeuronInfoRuntimeApi_get_neurons_lite")
// with SCALE-encoded args at block at.
func (c *Client) StateCall(ctx context.Context, at Head, method string, args []byte) ([]byte, error) {
	var hs string
	if err := c.rpc.Call(ctx, &hs, "state_call", method, hexOf(args), at.HashHex()); err != nil {
		return nil, err
	}
	return decodeHex(hs)
}

// Storage reads pallet.item[keys...] at block at and decodes it with the
// runtime's metadata; an absent value yields the item's default (nil for an
// optional item).
func (c *Client) Storage(ctx context.Context, at Head, rt *Runtime, pallet, item string, keys ...any) (metadata.Value, error) {
	key, e, err := rt.Meta.StorageKey(pallet, item, keys...)
	if err != nil {
		return nil, err
	}
	var hs *string
	if err := c.rpc.Call(ctx, &hs, "state_getStorage", hexOf(key), at.HashHex()); err != nil {
		return nil, err
	}
	var raw []byte
	if hs != nil {
		if raw, err = decodeHex(*hs); err != nil {
			return nil, fmt.Errorf("subtensor: %s.%s: %w", pallet, item, err)
		}
	}
	return rt.Meta.DecodeStorage(e, raw)
}

// queryChunk bounds the keys per state_queryStorageAt (nodes cap response sizes).
const queryChunk = 256

// StorageMany reads many raw keys at block at with state_queryStorageAt; the
// result maps each key's hex to its value bytes (nil when absent).
func (c *Client) StorageMany(ctx context.Context, at Head, keys [][]byte) (map[string][]byte, error) {
	out := make(map[string][]byte, len(keys))
	for start := 0; start < len(keys); start += queryChunk {
		chunk := keys[start:min(start+queryChunk, len(keys))]
		hexKeys := make([]string, len(chunk))
		for i, k := range chunk {
			hexKeys[i] = hexOf(k)
		}
		var sets []struct {
			Changes [][2]*string `json:"changes"`
		}
		if err := c.rpc.Call(ctx, &sets, "state_queryStorageAt", hexKeys, at.HashHex()); err != nil {
			return nil, err
		}
		for _, s := range sets {
			for _, ch := range s.Changes {
				if ch[0] == nil {
					continue
				}
				var v []byte
				if ch[1] != nil {
					b, err := decodeHex(*ch[1])
					if err != nil {
						return nil, fmt.Errorf("subtensor: storage value: %w", err)
					}
					v = b
				}
				out[strings.ToLower(*ch[0])] = v
			}
		}
	}
	return out, nil
}

// Keys lists every key under prefix at block at (state_getKeysPaged, 1000 a page).
func (c *Client) Keys(ctx context.Context, at Head, prefix []byte) ([][]byte, error) {
	var out [][]byte
	start := hexOf(prefix)
	for {
		var page []string
		if err := c.rpc.Call(ctx, &page, "state_getKeysPaged", hexOf(prefix), 1000, start, at.HashHex()); err != nil {
			return nil, err
		}
		for _, k := range page {
			b, err := decodeHex(k)
			if err != nil {
				return nil, err
			}
			out = append(out, b)
		}
		if len(page) < 1000 {
			return out, nil
		}
		start = page[len(page)-1]
	}
}

// MapEntry is one entry of a storage map: its decoded key parts and value.
type MapEntry struct {
	Keys  []metadata.Value
	Value metadata.Value
}

// Iterate reads every entry of pallet.item under the given leading keys.
func (c *Client) Iterate(ctx context.Context, at Head, rt *Runtime, pallet, item string, keys ...any) ([]MapEntry, error) {
	prefix, e, err := rt.Meta.StorageKey(pallet, item, keys...)
	if err != nil {
		return nil, err
	}
	ks, err := c.Keys(ctx, at, prefix)
	if err != nil {
		return nil, err
	}
	vals, err := c.StorageMany(ctx, at, ks)
	if err != nil {
		return nil, err
	}
	out := make([]MapEntry, 0, len(ks))
	for _, k := range ks {
		parts, err := rt.Meta.KeyParts(e, k)
		if err != nil {
			return nil, err
		}
		v, err := rt.Meta.DecodeStorage(e, vals[strings.ToLower(hexOf(k))])
		if err != nil {
			return nil, err
		}
		out = append(out, MapEntry{Keys: parts, Value: v})
	}
	return out, nil
}

// Read is one storage read of a batch: Into receives the decoded value
// (the default when absent). Optional reads of items the runtime lacks are
// skipped instead of failing the batch.
type Read struct {
	Pallet, Item string
	Keys         []any
	Optional     bool
	Into         func(metadata.Value) error
}

// ReadMany performs reads in batched state_queryStorageAt calls.
func (c *Client) ReadMany(ctx context.Context, at Head, rt *Runtime, reads []Read) error {
	type prepared struct {
		key []byte
		e   *metadata.StorageEntry
		r   *Read
	}
	var ps []prepared
	var keys [][]byte
	for i := range reads {
		r := &reads[i]
		if r.Optional && !rt.Meta.HasStorage(r.Pallet, r.Item) {
			continue
		}
		key, e, err := rt.Meta.StorageKey(r.Pallet, r.Item, r.Keys...)
		if err != nil {
			return err
		}
		ps = append(ps, prepared{key, e, r})
		keys = append(keys, key)
	}
	vals, err := c.StorageMany(ctx, at, keys)
	if err != nil {
		return err
	}
	for _, p := range ps {
		v, err := rt.Meta.DecodeStorage(p.e, vals[strings.ToLower(hexOf(p.key))])
		if err != nil {
			return err
		}
		if err := p.r.Into(v); err != nil {
			return fmt.Errorf("subtensor: %s.%s: %w", p.r.Pallet, p.r.Item, err)
		}
	}
	return nil
}
