package localnet

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/taonet/taonet/dashboard"
	"github.com/taonet/taonet/subnets/finetuning/validator"
	"github.com/taonet/taonet/subnets/prompting/feed"
	pval "github.com/taonet/taonet/subnets/prompting/validator"
)

// keepSteps bounds the step history kept per validator.
const keepSteps = 30

// PromptStep is one prompting validator step, as the dashboard shows it.
type PromptStep struct {
	Validator  string        `json:"validator"`
	Step       uint64        `json:"step"`
	Block      uint64        `json:"block"`
	Task       string        `json:"task"`
	Query      string        `json:"query"`
	Reference  string        `json:"reference"`
	Citation   string        `json:"citation,omitempty"` // where the material came from
	Turn       int           `json:"turn,omitempty"`     // follow-up turn (0: fresh challenge)
	WeightsSet bool          `json:"weights_set"`
	WallMs     int64         `json:"wall_ms"`
	Miners     []PromptMiner `json:"miners"`
}

// PromptMiner is one miner's outcome in a PromptStep.
type PromptMiner struct {
	UID        int     `json:"uid"`
	Hotkey     string  `json:"hotkey"`
	Status     int     `json:"status"`
	LatencyMs  int64   `json:"latency_ms"`
	Reward     float64 `json:"reward"`
	Score      float64 `json:"score"`
	Completion string  `json:"completion"`
}

// FinetuneStep is one finetuning validator step (the leaderboard).
type FinetuneStep struct {
	Validator   string             `json:"validator"`
	SeedBlock   uint64             `json:"seed_block"`
	Competition string             `json:"competition"`
	Samples     int                `json:"samples"`
	Models      []FinetuneModel    `json:"models"`
	Rejected    []string           `json:"rejected"`
	Weights     map[uint16]float64 `json:"weights"`
	WeightsSet  bool               `json:"weights_set"`
	TotalMs     int64              `json:"total_ms"`
	// WindowSeeds is how many seed blocks the validator's weights aggregate
	// (aggregate_seeds once its window is full).
	WindowSeeds int `json:"window_seeds"`
}

// FinetuneModel is one evaluated model in a FinetuneStep.
type FinetuneModel struct {
	UID        uint16   `json:"uid"`
	Hotkey     string   `json:"hotkey"`
	Commitment string   `json:"commitment"`
	Block      uint64   `json:"block"`
	MeanLoss   *float64 `json:"mean_loss"` // null when no finite loss
	WinRate    float64  `json:"win_rate"`
	Weight     float64  `json:"weight"`
}

type liveData struct {
	mu       sync.Mutex
	prompts  []PromptStep
	finetune map[string][]FinetuneStep
	feeds    map[string]*feed.Store
}

func (l *liveData) init() {
	l.finetune = map[string][]FinetuneStep{}
	l.feeds = map[string]*feed.Store{}
}

func clipText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8Start(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

func utf8Start(b byte) bool { return b&0xC0 != 0x80 }

func (l *liveData) addPrompt(name string, r *pval.StepResult) {
	s := PromptStep{Validator: name, Step: r.Step, Block: r.Block, WeightsSet: r.WeightsSet, WallMs: r.Wall.Milliseconds()}
	if r.Challenge != nil {
		s.Task, s.Query, s.Reference = r.Challenge.Task, clipText(r.Challenge.Query, 600), clipText(r.Challenge.Reference, 400)
		if c := r.Challenge.Context.Cite(); c.URL != "" || c.Path != "" {
			s.Citation = clipText(c.String(), 400)
		}
		s.Turn = r.Challenge.Turn
	}
	for _, m := range r.Miners {
		s.Miners = append(s.Miners, PromptMiner{UID: m.UID, Hotkey: m.Hotkey, Status: m.Status, LatencyMs: m.Latency.Milliseconds(),
			Reward: finite(m.Reward), Score: finite(m.Score), Completion: clipText(m.Completion, 300)})
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.prompts = append(l.prompts, s)
	if len(l.prompts) > keepSteps {
		l.prompts = l.prompts[len(l.prompts)-keepSteps:]
	}
}

func finite(x float64) float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return 0
	}
	return x
}

func (l *liveData) addFinetune(name string, r *validator.StepReport) {
	s := FinetuneStep{Validator: name, SeedBlock: r.SeedBlock, Competition: r.Competition, Samples: r.Samples,
		Weights: r.Weights, WeightsSet: r.WeightsSet, TotalMs: r.Total.Milliseconds(), WindowSeeds: r.WindowSeeds}
	for _, m := range r.Models {
		fm := FinetuneModel{UID: m.UID, Hotkey: m.Hotkey, Commitment: m.Commitment, Block: m.Block, WinRate: finite(m.WinRate),
			Weight: finite(m.Weight)}
		if !math.IsNaN(m.MeanLoss) && !math.IsInf(m.MeanLoss, 0) {
			x := m.MeanLoss
			fm.MeanLoss = &x
		}
		s.Models = append(s.Models, fm)
	}
	for _, x := range r.Rejected {
		s.Rejected = append(s.Rejected, fmt.Sprintf("uid %d: %s", x.UID, x.Reason))
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	h := append(l.finetune[name], s)
	if len(h) > keepSteps {
		h = h[len(h)-keepSteps:]
	}
	l.finetune[name] = h
}

func (l *liveData) addFeed(name string, s *feed.Store) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.feeds[name] = s
}

// PromptingSteps returns the recent prompting validator steps, oldest first.
func (n *Net) PromptingSteps() []PromptStep {
	n.live.mu.Lock()
	defer n.live.mu.Unlock()
	return append([]PromptStep(nil), n.live.prompts...)
}

// FinetuneSteps returns the recent finetuning validator steps by validator
// name, oldest first.
func (n *Net) FinetuneSteps() map[string][]FinetuneStep {
	n.live.mu.Lock()
	defer n.live.mu.Unlock()
	out := map[string][]FinetuneStep{}
	for k, v := range n.live.finetune {
		out[k] = append([]FinetuneStep(nil), v...)
	}
	return out
}

// feedRecords returns up to limit of the newest records of every feed.
func (n *Net) feedRecords(limit int) []feed.Record {
	n.live.mu.Lock()
	stores := make([]*feed.Store, 0, len(n.live.feeds))
	for _, s := range n.live.feeds {
		stores = append(stores, s)
	}
	n.live.mu.Unlock()
	var out []feed.Record
	for _, s := range stores {
		var all []feed.Record
		var since uint64
		for {
			page, next := s.Page(since, 0)
			if len(page) == 0 {
				break
			}
			all = append(all, page...)
			since = next
		}
		if len(all) > limit {
			all = all[len(all)-limit:]
		}
		out = append(out, all...)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Block > out[j].Block })
	if len(out) > limit {
		out = out[:limit]
	}
	for i := range out {
		out[i].Challenge = clipText(out[i].Challenge, 400)
		out[i].Reference = clipText(out[i].Reference, 300)
		out[i].Completion = clipText(out[i].Completion, 300)
	}
	return out
}

// localAPI serves the localnet's own data under /api/localnet/ for the
// dashboard: info (processes, subnets), prompting steps, finetuning
// leaderboard, dataset feed.
func (n *Net) localAPI() http.Handler {
	mux := http.NewServeMux()
	js := func(w http.ResponseWriter, v any) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		json.NewEncoder(w).Encode(v)
	}
	owners := map[string]string{}
	for _, name := range []string{"prompting", "finetuning"} {
		if k, err := Key(name); err == nil {
			owners[k.SS58Address()] = name + " subnet owner"
		}
	}
	mux.HandleFunc("GET /api/localnet/history", func(w http.ResponseWriter, _ *http.Request) {
		js(w, map[uint16][]Sample{n.PromptingNetuid: n.hist.get(n.PromptingNetuid), n.FinetuningNetuid: n.hist.get(n.FinetuningNetuid)})
	})
	mux.HandleFunc("GET /api/localnet/info", func(w http.ResponseWriter, _ *http.Request) {
		js(w, map[string]any{"chain_id": ChainID, "node_urls": n.NodeURLs, "hub": n.HubURL, "owners": owners,
			"subnets":   map[string]uint16{"prompting": n.PromptingNetuid, "finetuning": n.FinetuningNetuid},
			"processes": n.Processes(), "not_started": n.NotStarted()})
	})
	mux.HandleFunc("GET /api/localnet/prompting", func(w http.ResponseWriter, _ *http.Request) {
		s := n.PromptingSteps()
		for i, j := 0, len(s)-1; i < j; i, j = i+1, j-1 {
			s[i], s[j] = s[j], s[i]
		}
		js(w, map[string]any{"netuid": n.PromptingNetuid, "steps": s})
	})
	mux.HandleFunc("GET /api/localnet/finetuning", func(w http.ResponseWriter, _ *http.Request) {
		all := n.FinetuneSteps()
		latest := map[string]FinetuneStep{}
		for k, v := range all {
			if len(v) > 0 {
				latest[k] = v[len(v)-1]
			}
		}
		js(w, map[string]any{"netuid": n.FinetuningNetuid, "latest": latest, "agreement": FinetuneAgreementOf(all, n.finetuneK())})
	})
	mux.HandleFunc("GET /api/localnet/feed", func(w http.ResponseWriter, _ *http.Request) {
		js(w, map[string]any{"records": n.feedRecords(20)})
	})
	return mux
}

func (n *Net) startDashboard(ctx context.Context) (string, error) {
	if n.o.DashboardAddr == "-" {
		return "disabled", nil
	}
	h, err := dashboard.Handler(dashboard.Options{NodeURL: n.NodeURLs[0], Local: n.localAPI()})
	if err != nil {
		return "", err
	}
	ln, err := listen(n.o.DashboardAddr)
	if err != nil {
		return "", err
	}
	n.DashboardURL = n.serve(ln, h)
	return n.DashboardURL, nil
}

// ---- live summary ----

func (n *Net) summaryLoop(ctx context.Context) {
	t := time.NewTicker(n.o.SummaryEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if s, err := n.Summary(ctx); err == nil && ctx.Err() == nil {
			fmt.Fprint(n.o.Out, s)
			n.lastSummary.Store(time.Now().UnixNano())
		}
	}
}

// Summary renders the network's state in a few lines: height, per subnet the
// neuron count, last epoch and the top incentives, and the validators'
// latest steps.
func (n *Net) Summary(ctx context.Context) (string, error) {
	b, err := n.Client.LatestBlock(ctx)
	if err != nil {
		return "", err
	}
	sns, err := n.Client.Subnets(ctx)
	if err != nil {
		return "", err
	}
	iss, err := n.Client.Issuance(ctx)
	if err != nil {
		return "", err
	}
	names := map[string]string{}
	for _, p := range n.Processes() {
		if p.Hotkey != "" {
			names[p.Hotkey] = p.Name
		}
	}
	name := func(hk string, uid int) string {
		if s, ok := names[hk]; ok {
			return s
		}
		return fmt.Sprintf("uid %d", uid)
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "── block %d · %s · issuance %s TAO ──\n", b.Height, b.Time.Local().Format("15:04:05"),
		trimTAO(iss.TotalIssuance))
	for _, s := range sns {
		label := map[uint16]string{n.PromptingNetuid: "prompting", n.FinetuningNetuid: "finetuning"}[s.Netuid]
		mg, err := n.Client.Metagraph(ctx, s.Netuid)
		if err != nil {
			return "", err
		}
		type ui struct {
			uid int
			inc uint16
		}
		var top []ui
		for i, x := range mg.Incentive {
			if x > 0 {
				top = append(top, ui{i, x})
			}
		}
		sort.Slice(top, func(i, j int) bool { return top[i].inc > top[j].inc })
		var parts []string
		for _, t := range top[:min(len(top), 4)] {
			parts = append(parts, fmt.Sprintf("%s %.3f", name(mg.Hotkeys[t.uid], t.uid), float64(t.inc)/65535))
		}
		inc := "none yet"
		if len(parts) > 0 {
			inc = strings.Join(parts, ", ")
		}
		fmt.Fprintf(&sb, "  %-10s netuid %d  %2d neurons  last epoch %-5d incentive: %s\n", label, s.Netuid, s.N, s.LastEpochBlock, inc)
	}
	if ps := n.PromptingSteps(); len(ps) > 0 {
		p := ps[len(ps)-1]
		var best PromptMiner
		for i, m := range p.Miners {
			if i == 0 || m.Reward > best.Reward {
				best = m
			}
		}
		fmt.Fprintf(&sb, "  prompting  %s step %d: task %s, best answer %s (reward %.2f) of %d miners\n", p.Validator, p.Step,
			p.Task, name(best.Hotkey, best.UID), best.Reward, len(p.Miners))
	}
	ft := n.FinetuneSteps()
	if vals := sortedKeys(ft); len(vals) > 0 {
		f := ft[vals[0]][len(ft[vals[0]])-1]
		leader := "none"
		bw := -1.0
		for _, m := range f.Models {
			if m.Weight > bw {
				loss := "n/a"
				if m.MeanLoss != nil {
					loss = fmt.Sprintf("%.3f", *m.MeanLoss)
				}
				bw, leader = m.Weight, fmt.Sprintf("%s (mean loss %s, win rate %.2f)", name(m.Hotkey, int(m.UID)), loss, m.WinRate)
			}
		}
		fmt.Fprintf(&sb, "  finetuning seed block %d: %d models, leader %s\n", f.SeedBlock, len(f.Models), leader)
		fmt.Fprintf(&sb, "  finetuning agreement %s\n", FinetuneAgreementOf(ft, n.finetuneK()))
	}
	return sb.String(), nil
}

func trimTAO(rao uint64) string { return fmt.Sprintf("%.3f", float64(rao)/tao) }

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// LastSummary is when the live summary was last printed (zero: never).
func (n *Net) LastSummary() time.Time {
	if t := n.lastSummary.Load(); t != 0 {
		return time.Unix(0, t)
	}
	return time.Time{}
}
