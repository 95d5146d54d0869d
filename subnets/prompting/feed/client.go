package feed

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/taonet/taonet/chain"
	"github.com/taonet/taonet/subnets/finetuning/data"
)

// CommitmentPrefix starts the commitment text announcing a feed URL.
const CommitmentPrefix = "prompting-feed="

// CommitmentText is the commitment a validator sets to announce its feed.
func CommitmentText(baseURL string) string { return CommitmentPrefix + baseURL }

// ParseCommitment extracts a feed URL from a commitment text (http or https
// with a host), or ok=false.
func ParseCommitment(text string) (string, bool) {
	if !strings.HasPrefix(text, CommitmentPrefix) {
		return "", false
	}
	raw := strings.TrimSpace(strings.TrimPrefix(text, CommitmentPrefix))
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return "", false
	}
	return strings.TrimRight(raw, "/"), true
}

// Chain is what the client reads from the chain (client.Client has it).
type Chain interface {
	Metagraph(ctx context.Context, netuid uint16) (*chain.Metagraph, error)
	Commitments(ctx context.Context, netuid uint16) ([]chain.Commitment, error)
}

// Response selects which text of a record becomes a Sample's response.
const (
	ResponseReference  = "reference"  // the validator's hidden reference answer
	ResponseCompletion = "completion" // the best miner completion
)

// Endpoint is a discovered feed.
type Endpoint struct {
	Hotkey string
	URL    string
}

// Client reads the feeds of a subnet's prompting validators and is a
// finetuning data.Source. Safe for concurrent use.
type Client struct {
	Chain  Chain
	Netuid uint16
	// MinStake (rao) a publishing validator needs besides its permit.
	MinStake uint64
	// Response chooses the sample response (default ResponseReference; a
	// record without a reference falls back to its completion).
	Response string
	// HTTP is the transport (default: 15 s timeout).
	HTTP *http.Client
	// PageLimit is the page size requested (default MaxPage).
	PageLimit int
	// MaxPagesPerSync bounds one sync per feed (default 100).
	MaxPagesPerSync int
	// Retention keeps the records within this many blocks of the chain head
	// (default DefaultRetention); older ones are pruned at every sync and
	// never accepted. It must cover the finetuning data window plus how far
	// behind the head a step's seed block can be.
	Retention uint64
	// MaxPerBlock bounds one validator's records per block (default
	// DefaultMaxPerBlock); records beyond it are dropped with a warning.
	// Together with Retention it bounds memory without ever refusing a new
	// validator's fresh records for old ones.
	MaxPerBlock int
	// Logger receives rejected records and unreachable feeds.
	Logger *slog.Logger

	mu       sync.Mutex
	cursors  map[string]uint64            // feed URL -> cursor
	records  map[string]map[string]Record // validator -> id -> record
	perBlock map[string]map[uint64]int    // validator -> block -> records kept
	head     uint64                       // chain head at the last sync
	rejected int
	overRate int
}

// Client defaults.
const (
	// DefaultMaxPerBlock bounds a validator's records per block; a prompting
	// validator publishes one record per step, a step takes several blocks.
	DefaultMaxPerBlock = 64
)

// Rejected returns the number of records rejected so far.
func (c *Client) Rejected() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.rejected
}

func (c *Client) log() *slog.Logger {
	if c.Logger != nil {
		return c.Logger
	}
	return slog.New(slog.DiscardHandler)
}

// eligible returns the hotkeys allowed to publish: validator permit and
// stake >= MinStake.
func (c *Client) eligible(mg *chain.Metagraph) map[string]bool {
	ok := map[string]bool{}
	for i, hk := range mg.Hotkeys {
		if i < len(mg.ValidatorPermit) && mg.ValidatorPermit[i] && i < len(mg.Stake) && mg.Stake[i] >= c.MinStake {
			ok[hk] = true
		}
	}
	return ok
}

// Discover returns the feeds of eligible validators, sorted by hotkey.
func (c *Client) Discover(ctx context.Context) ([]Endpoint, map[string]bool, error) {
	mg, err := c.Chain.Metagraph(ctx, c.Netuid)
	if err != nil {
		return nil, nil, fmt.Errorf("feed: metagraph: %w", err)
	}
	c.mu.Lock()
	c.head = max(c.head, mg.Block)
	c.mu.Unlock()
	ok := c.eligible(mg)
	cs, err := c.Chain.Commitments(ctx, c.Netuid)
	if err != nil {
		return nil, nil, fmt.Errorf("feed: commitments: %w", err)
	}
	var eps []Endpoint
	for _, cm := range cs {
		if !ok[cm.Hotkey] {
			continue
		}
		if u, good := ParseCommitment(cm.Text); good {
			eps = append(eps, Endpoint{Hotkey: cm.Hotkey, URL: u})
		}
	}
	sort.Slice(eps, func(i, j int) bool { return eps[i].Hotkey < eps[j].Hotkey })
	return eps, ok, nil
}

// Sync discovers the feeds and pulls new records from each. A feed that
// fails is logged and skipped (the others still count); the error is
// returned only when discovery fails.
func (c *Client) Sync(ctx context.Context) error {
	eps, ok, err := c.Discover(ctx)
	if err != nil {
		return err
	}
	for _, ep := range eps {
		if err := c.pull(ctx, ep, ok); err != nil {
			c.log().Warn("feed: pull failed", "validator", ep.Hotkey, "url", ep.URL, "err", err)
		}
	}
	// Records of validators that lost their permit are dropped, and those
	// that left the retention window.
	c.mu.Lock()
	for v := range c.records {
		if !ok[v] {
			delete(c.records, v)
			delete(c.perBlock, v)
		}
	}
	c.pruneLocked()
	c.mu.Unlock()
	return nil
}

func (c *Client) retention() uint64 {
	if c.Retention == 0 {
		return DefaultRetention
	}
	return c.Retention
}

// oldest is the first block inside the retention window.
func (c *Client) oldest() uint64 {
	if c.head <= c.retention() {
		return 0
	}
	return c.head - c.retention()
}

// pruneLocked drops the records older than the retention window.
func (c *Client) pruneLocked() {
	lo := c.oldest()
	for v, m := range c.records {
		for id, r := range m {
			if r.Block < lo {
				delete(m, id)
			}
		}
		for b := range c.perBlock[v] {
			if b < lo {
				delete(c.perBlock[v], b)
			}
		}
	}
}

// Len returns the number of records held (all validators).
func (c *Client) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, m := range c.records {
		n += len(m)
	}
	return n
}

func (c *Client) pull(ctx context.Context, ep Endpoint, ok map[string]bool) error {
	hc := c.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: 15 * time.Second}
	}
	limit := c.PageLimit
	if limit <= 0 || limit > MaxPage {
		limit = MaxPage
	}
	pages := c.MaxPagesPerSync
	if pages <= 0 {
		pages = 100
	}
	for p := 0; p < pages; p++ {
		c.mu.Lock()
		since := c.cursors[ep.URL]
		c.mu.Unlock()
		req, err := http.NewRequestWithContext(ctx, http.MethodGet,
			ep.URL+"/feed?since="+strconv.FormatUint(since, 10)+"&limit="+strconv.Itoa(limit), nil)
		if err != nil {
			return err
		}
		resp, err := hc.Do(req)
		if err != nil {
			return err
		}
		body, err := io.ReadAll(io.LimitReader(resp.Body, int64(limit)*(4*MaxFieldBytes+4096)+1))
		resp.Body.Close()
		if err != nil {
			return err
		}
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("status %d", resp.StatusCode)
		}
		var pg Page
		if err := json.Unmarshal(body, &pg); err != nil {
			return fmt.Errorf("bad page: %w", err)
		}
		if len(pg.Records) == 0 {
			return nil
		}
		if pg.Next <= since {
			return errors.New("cursor did not advance")
		}
		c.accept(ep, ok, pg.Records)
		c.mu.Lock()
		if c.cursors == nil {
			c.cursors = map[string]uint64{}
		}
		c.cursors[ep.URL] = pg.Next
		c.mu.Unlock()
		if len(pg.Records) < limit {
			return nil
		}
	}
	return nil
}

// accept verifies and stores records served by ep: every verified record
// inside the retention window, up to MaxPerBlock per validator and block.
func (c *Client) accept(ep Endpoint, ok map[string]bool, recs []Record) {
	perBlock := c.MaxPerBlock
	if perBlock <= 0 {
		perBlock = DefaultMaxPerBlock
	}
	bad := verifyAll(recs)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.records == nil {
		c.records = map[string]map[string]Record{}
		c.perBlock = map[string]map[uint64]int{}
	}
	lo := c.oldest()
	for i, r := range recs {
		reason := ""
		switch {
		case r.Validator != ep.Hotkey:
			reason = "signer is not the feed's validator"
		case !ok[r.Validator]:
			reason = "signer has no validator permit or too little stake"
		case r.Netuid != c.Netuid:
			reason = "wrong netuid"
		case r.Block > c.head+c.retention():
			// A record slightly ahead (its validator's node is ahead of
			// ours) is kept; one a whole window ahead would never be pruned.
			reason = fmt.Sprintf("block %d is more than the retention window ahead of the chain head %d", r.Block, c.head)
		case bad[i] != nil:
			reason = bad[i].Error()
		}
		if reason != "" {
			c.rejected++
			c.log().Warn("feed: rejected record", "feed", ep.URL, "validator", ep.Hotkey, "seq", r.Seq, "reason", reason)
			continue
		}
		if r.Block < lo {
			continue // already outside the window: pruned, not an offence
		}
		m := c.records[r.Validator]
		if m == nil {
			m = map[string]Record{}
			c.records[r.Validator] = m
			c.perBlock[r.Validator] = map[uint64]int{}
		}
		id := r.ID()
		if _, dup := m[id]; dup {
			continue
		}
		if c.perBlock[r.Validator][r.Block] >= perBlock {
			c.overRate++
			c.log().Warn("feed: record over the per-block rate limit dropped", "feed", ep.URL, "validator", ep.Hotkey,
				"block", r.Block, "limit", perBlock)
			continue
		}
		c.perBlock[r.Validator][r.Block]++
		m[id] = r
	}
}

// OverRate returns the number of records dropped by the per-block limit.
func (c *Client) OverRate() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.overRate
}

// Records returns every accepted record (deduplicated by content ID) with
// sinceBlock <= Block <= untilBlock, ordered by (Block, ID).
func (c *Client) Records(sinceBlock, untilBlock uint64) []Record {
	type idRec struct {
		id string
		r  Record
	}
	c.mu.Lock()
	seen := map[string]bool{}
	var all []idRec
	for _, m := range c.records {
		for id, r := range m {
			if r.Block >= sinceBlock && r.Block <= untilBlock && !seen[id] {
				seen[id] = true
				all = append(all, idRec{id, r})
			}
		}
	}
	c.mu.Unlock()
	sort.Slice(all, func(i, j int) bool {
		if all[i].r.Block != all[j].r.Block {
			return all[i].r.Block < all[j].r.Block
		}
		return all[i].id < all[j].id
	})
	out := make([]Record, len(all))
	for i := range all {
		out[i] = all[i].r
	}
	return out
}

// Samples implements data.Source: it syncs every feed, then returns the
// verified records of the window as samples (prompt = the challenge,
// response = the reference or the best completion, ID = the content ID).
// Records without a usable response are skipped. Two validators asking the
// same challenge with the same answer at the same block dedupe to one
// sample (data.Dedup by ContentID of prompt/response/block).
func (c *Client) Samples(ctx context.Context, sinceBlock, untilBlock uint64) ([]data.Sample, error) {
	if err := c.Sync(ctx); err != nil {
		return nil, err
	}
	var out []data.Sample
	for _, r := range c.Records(sinceBlock, untilBlock) {
		resp := r.Reference
		if c.Response == ResponseCompletion || resp == "" {
			resp = r.Completion
		}
		if strings.TrimSpace(resp) == "" {
			continue
		}
		s := data.Sample{Prompt: r.Challenge, Response: resp, Block: r.Block}
		s.ID = data.ContentID(s)
		out = append(out, s)
	}
	return data.Dedup(out), nil
}

var _ data.Source = (*Client)(nil)

// verifyAll checks the records' signatures on every core (a page holds up
// to MaxPage records and sr25519 verification dominates a sync).
func verifyAll(recs []Record) []error {
	errs := make([]error, len(recs))
	workers := min(runtime.GOMAXPROCS(0), len(recs))
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := w; i < len(recs); i += workers {
				errs[i] = recs[i].Verify()
			}
		}(w)
	}
	wg.Wait()
	return errs
}
