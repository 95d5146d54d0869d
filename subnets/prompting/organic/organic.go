package organic

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/taonet/taonet/chain"
	"github.com/taonet/taonet/lm/serve/openai"
	"github.com/taonet/taonet/subnets/prompting/protocol"
	"github.com/taonet/taonet/synapse"
	"github.com/taonet/taonet/synapse/epistula"
)

// MetagraphSource reads the subnet's metagraph (client.Client has it).
type MetagraphSource interface {
	Metagraph(ctx context.Context, netuid uint16) (*chain.Metagraph, error)
}

// Scorer scores an organic answer (e.g. against an LLM reference with the
// validator's reward models); it runs after the answer was sent.
type Scorer func(ctx context.Context, conv *protocol.StreamPrompting, answer string) (float64, error)

// Config configures a Gateway.
type Config struct {
	// Hotkey signs the requests to miners (the validator's hotkey, which
	// miners accept). Required.
	Hotkey synapse.Signer
	Netuid uint16
	Chain  MetagraphSource // required
	// Keys are the accepted API keys (at least one).
	Keys []string
	// TopK is how many miners each request goes to (default 3).
	TopK int
	// Timeout bounds a miner's whole answer (default 30 s).
	Timeout time.Duration
	// Epistula selects Epistula-signed chat requests instead of synapses.
	Epistula bool
	// Refresh is how long a metagraph is reused (default 12 s).
	Refresh time.Duration
	// Score, if set, scores every answer in the background.
	Score Scorer
	// Model is the name reported in responses (default "taonet-sn<netuid>").
	Model   string
	Logger  *slog.Logger
	Metrics prometheus.Registerer
}

// Gateway is the http.Handler of the organic API.
type Gateway struct {
	cfg Config
	d   *synapse.Dendrite
	ep  *http.Client
	log *slog.Logger
	met *metrics

	mu      sync.Mutex
	mg      *chain.Metagraph
	mgAt    time.Time
	handler http.Handler
}

// New checks cfg and builds the gateway.
func New(cfg Config) (*Gateway, error) {
	if cfg.Hotkey == nil || cfg.Chain == nil {
		return nil, errors.New("organic: hotkey and chain are required")
	}
	var keys []string
	for _, k := range cfg.Keys {
		if k = strings.TrimSpace(k); k != "" {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return nil, errors.New("organic: at least one API key is required")
	}
	cfg.Keys = keys
	if cfg.TopK <= 0 {
		cfg.TopK = 3
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 30 * time.Second
	}
	if cfg.Refresh <= 0 {
		cfg.Refresh = 12 * time.Second
	}
	if cfg.Model == "" {
		cfg.Model = "taonet-sn" + strconv.Itoa(int(cfg.Netuid))
	}
	d, err := synapse.NewDendrite(cfg.Hotkey, synapse.DendriteConfig{})
	if err != nil {
		return nil, fmt.Errorf("organic: %w", err)
	}
	g := &Gateway{cfg: cfg, d: d, log: cfg.Logger, met: newMetrics(cfg.Metrics)}
	if g.log == nil {
		g.log = slog.New(slog.DiscardHandler)
	}
	base := http.DefaultTransport.(*http.Transport).Clone()
	g.ep = &http.Client{Transport: &epistula.Transport{Base: base, Signer: cfg.Hotkey, SignedFor: func(r *http.Request) string {
		hk, _ := r.Context().Value(signedForKey{}).(string)
		return hk
	}}}
	mux := http.NewServeMux()
	mux.Handle("POST /v1/chat/completions", g.route("/v1/chat/completions", g.chat))
	mux.Handle("GET /v1/models", g.route("/v1/models", g.models))
	g.handler = mux
	return g, nil
}

// Close releases connections.
func (g *Gateway) Close() {
	g.d.Close()
	g.ep.CloseIdleConnections()
}

// ServeHTTP implements http.Handler.
func (g *Gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) { g.handler.ServeHTTP(w, r) }

type statusWriter struct {
	http.ResponseWriter
	code int
}

func (s *statusWriter) WriteHeader(c int) {
	if s.code == 0 {
		s.code = c
	}
	s.ResponseWriter.WriteHeader(c)
}

func (s *statusWriter) Write(p []byte) (int, error) {
	if s.code == 0 {
		s.code = 200
	}
	return s.ResponseWriter.Write(p)
}

func (s *statusWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// route authenticates and counts one route's requests.
func (g *Gateway) route(name string, h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		if !g.authorized(r) {
			apiError(sw, http.StatusUnauthorized, "invalid_api_key", "Incorrect API key provided.")
		} else {
			h(sw, r)
		}
		code := sw.code
		if code == 0 {
			code = 200
		}
		g.met.requests.WithLabelValues(name, strconv.Itoa(code)).Inc()
		g.met.latency.WithLabelValues(name).Observe(time.Since(start).Seconds())
	})
}

func (g *Gateway) authorized(r *http.Request) bool {
	key, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || key == "" {
		return false
	}
	good := 0
	for _, k := range g.cfg.Keys {
		good |= subtle.ConstantTimeCompare([]byte(k), []byte(key))
	}
	return good == 1
}

func apiError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{"message": msg, "type": "invalid_request_error", "code": code}})
}

func (g *Gateway) models(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"object": "list", "data": []map[string]any{{"id": g.cfg.Model, "object": "model", "owned_by": "taonet"}}})
}

// metagraph returns a metagraph no older than Config.Refresh.
func (g *Gateway) metagraph(ctx context.Context) (*chain.Metagraph, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.mg != nil && time.Since(g.mgAt) < g.cfg.Refresh {
		return g.mg, nil
	}
	mg, err := g.cfg.Chain.Metagraph(ctx, g.cfg.Netuid)
	if err != nil {
		if g.mg != nil {
			g.log.Warn("metagraph refresh failed; using the last one", "err", err)
			return g.mg, nil
		}
		return nil, err
	}
	g.mg, g.mgAt = mg, time.Now()
	return mg, nil
}

// Miner is one routing target.
type Miner struct {
	UID       int
	Hotkey    string
	Incentive uint16
	Axon      synapse.AxonInfo
}

// TopMiners returns the k serving miners (not the caller, not validators
// with a permit) with the highest incentive, best first (ties: lower UID).
func TopMiners(mg *chain.Metagraph, self string, k int) []Miner {
	var out []Miner
	for uid, hk := range mg.Hotkeys {
		if hk == self || uid >= len(mg.Axons) {
			continue
		}
		ax := mg.Axons[uid]
		if !ax.Serving() {
			continue
		}
		if uid < len(mg.ValidatorPermit) && mg.ValidatorPermit[uid] {
			continue
		}
		m := Miner{UID: uid, Hotkey: hk, Axon: synapse.AxonInfo{IP: ax.IP, Port: int(ax.Port), Hotkey: hk}}
		if uid < len(mg.Incentive) {
			m.Incentive = mg.Incentive[uid]
		}
		out = append(out, m)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Incentive > out[j].Incentive })
	if len(out) > k {
		out = out[:k]
	}
	return out
}

type signedForKey struct{}

// streamFrom streams one miner's answer through emit.
func (g *Gateway) streamFrom(ctx context.Context, m Miner, conv *protocol.StreamPrompting, emit func(string) error) error {
	if !g.cfg.Epistula {
		st := synapse.OpenStream(ctx, g.d, m.Axon, conv, g.cfg.Timeout)
		defer st.Close()
		for c := range st.Chunks() {
			if err := emit(string(c)); err != nil {
				return err
			}
		}
		if res := st.Result(); !res.OK() {
			return fmt.Errorf("miner %d: %d %s", m.UID, res.StatusCode, res.StatusMessage)
		}
		return nil
	}
	ctx, cancel := context.WithTimeout(context.WithValue(ctx, signedForKey{}, m.Hotkey), g.cfg.Timeout)
	defer cancel()
	c := &openai.Client{BaseURL: "http://" + net.JoinHostPort(m.Axon.IP, strconv.Itoa(m.Axon.Port)) + "/v1", HTTP: g.ep}
	req := openai.ChatCompletionRequest{Model: "default"}
	for i, msg := range conv.Messages {
		req.Messages = append(req.Messages, openai.Message{Role: conv.Roles[i], Content: openai.Content(msg)})
	}
	_, err := c.ChatCompletionStream(ctx, req, func(ch openai.ChatCompletionChunk) error {
		for _, cc := range ch.Choices {
			if cc.Index == 0 && cc.Delta.Content != nil && *cc.Delta.Content != "" {
				if err := emit(*cc.Delta.Content); err != nil {
					return err
				}
			}
		}
		return nil
	})
	return err
}
