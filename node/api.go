package node

import (
	"bufio"
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/coder/websocket"
	"github.com/cometbft/cometbft/mempool"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/taonet/taonet/netserve"
)

// API limits.
const (
	// MaxTxBytes bounds a submitted transaction (and the request body).
	MaxTxBytes = 512 << 10
	// DefaultWaitTimeout is how long ?wait=true waits for inclusion by default.
	DefaultWaitTimeout = 30 * time.Second
	// MaxWaitTimeout caps the wait_timeout parameter.
	MaxWaitTimeout = 5 * time.Minute
)

// Sentinel errors a Querier wraps so the API can pick the HTTP status.
var (
	// ErrNotFound: the queried object does not exist (404).
	ErrNotFound = errors.New("not found")
	// ErrInvalid: the query itself is malformed (400).
	ErrInvalid = errors.New("invalid query")
)

// Querier answers the JSON API's state queries from a committed machine.
// Results are JSON-encoded as they are. The chain's machine implements it.
type Querier interface {
	QueryAccount(addr string) (any, error)
	QueryNonce(addr string) (uint64, error)
	QuerySubnets() (any, error)
	QueryHyperparameters(netuid uint16) (any, error)
	QueryMetagraph(netuid uint16) (any, error)
	QueryNeuron(netuid, uid uint16) (any, error)
	QueryCommitments(netuid uint16) (any, error)
	QueryIssuance() (any, error)
}

// APIError is the JSON body of every API error.
type APIError struct {
	// Code is the chain's rejection code when Codespace is "taonet",
	// otherwise the HTTP status.
	Code      uint32 `json:"code"`
	Codespace string `json:"codespace"`
	Message   string `json:"message"`
	// Hash is the transaction hash, for errors about a submitted transaction.
	Hash string `json:"hash,omitempty"`
}

// SubmitRequest is the JSON form of POST /api/v1/tx (raw bytes are accepted
// too, with any other content type).
type SubmitRequest struct {
	Tx          string `json:"tx"` // base64 (std) of the encoded signed tx
	Wait        bool   `json:"wait,omitempty"`
	WaitTimeout string `json:"wait_timeout,omitempty"` // Go duration, e.g. "30s"
}

// SubmitResponse answers POST /api/v1/tx. Included is false when the tx was
// only accepted into the mempool (no wait requested).
type SubmitResponse struct {
	Hash     string     `json:"hash"`
	Included bool       `json:"included"`
	Result   *TxOutcome `json:"result,omitempty"`
}

// Status answers GET /api/v1/status.
type Status struct {
	ChainID    string    `json:"chain_id"`
	NodeID     string    `json:"node_id"`
	Height     uint64    `json:"height"`
	AppHash    string    `json:"app_hash"`
	BlockHash  string    `json:"block_hash"`
	BlockTime  time.Time `json:"block_time"`
	CatchingUp bool      `json:"catching_up"`
	Peers      int       `json:"peers"`
}

func (n *Node) serveAPI(addr string) error {
	// The connection cap keeps API clients from taking the descriptors
	// CometBFT needs to persist consensus state.
	ln, err := netserve.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("api listen %s: %w", addr, err)
	}
	n.apiLn = ln
	base, cancel := context.WithCancel(context.Background())
	n.apiCancel = cancel
	// Stop cancels base: block streams and inclusion waits end promptly.
	n.api = netserve.NewServer(n.Handler(), netserve.Config{})
	n.api.BaseContext = func(net.Listener) context.Context { return base }
	n.apiDone = make(chan struct{})
	go func() {
		defer close(n.apiDone)
		_ = n.api.Serve(ln)
	}()
	return nil
}

// Handler returns the node's HTTP handler: the JSON API under /api/v1,
// Prometheus metrics on /metrics and /healthz.
func (n *Node) Handler() http.Handler {
	mux := http.NewServeMux()
	h := func(pattern string, f func(http.ResponseWriter, *http.Request)) {
		mux.HandleFunc(pattern, f)
	}
	h("POST /api/v1/tx", n.handleSubmit)
	h("GET /api/v1/tx/{hash}", n.handleGetTx)
	h("GET /api/v1/status", n.handleStatus)
	h("GET /api/v1/block", n.handleLatestBlock)
	h("GET /api/v1/block/{height}", n.handleBlock)
	h("GET /api/v1/blocks/stream", n.handleStream)
	h("GET /api/v1/blocks/ws", n.handleWebSocket)
	h("GET /api/v1/accounts/{addr}", n.query(func(q Querier, r *http.Request) (any, error) {
		return q.QueryAccount(r.PathValue("addr"))
	}))
	h("GET /api/v1/accounts/{addr}/nonce", n.handleNonce)
	h("GET /api/v1/subnets", n.query(func(q Querier, _ *http.Request) (any, error) { return q.QuerySubnets() }))
	h("GET /api/v1/subnets/{netuid}/hyperparameters", n.query(withNetuid(func(q Querier, id uint16, _ *http.Request) (any, error) {
		return q.QueryHyperparameters(id)
	})))
	h("GET /api/v1/subnets/{netuid}/metagraph", n.query(withNetuid(func(q Querier, id uint16, _ *http.Request) (any, error) {
		return q.QueryMetagraph(id)
	})))
	h("GET /api/v1/subnets/{netuid}/neurons/{uid}", n.query(withNetuid(func(q Querier, id uint16, r *http.Request) (any, error) {
		uid, err := parseU16(r.PathValue("uid"), "uid")
		if err != nil {
			return nil, err
		}
		return q.QueryNeuron(id, uid)
	})))
	h("GET /api/v1/subnets/{netuid}/commitments", n.commitmentsQuery())
	h("GET /api/v1/issuance", n.query(func(q Querier, _ *http.Request) (any, error) { return q.QueryIssuance() }))
	h("GET /healthz", n.handleHealth)
	mux.Handle("GET /metrics", promhttp.HandlerFor(n.metrics.Registry, promhttp.HandlerOpts{}))
	h("/", func(w http.ResponseWriter, r *http.Request) {
		writeErr(w, http.StatusNotFound, "no such endpoint: "+r.Method+" "+r.URL.Path)
	})
	return n.count(cors(mux))
}

// cors lets browser pages on other origins (the localnet dashboard) read the
// API and submit signed transactions; nothing here relies on cookies.
func cors(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Access-Control-Allow-Origin", "*")
		if r.Method == http.MethodOptions {
			h.Set("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
			h.Set("Access-Control-Allow-Headers", "Content-Type")
			h.Set("Access-Control-Max-Age", "600")
			w.WriteHeader(http.StatusNoContent)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// count records API requests by route pattern and status.
func (n *Node) count(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sw := &statusWriter{ResponseWriter: w, status: 200}
		next.ServeHTTP(sw, r)
		pattern := r.Pattern
		if pattern == "" {
			pattern = "other"
		}
		n.metrics.api.WithLabelValues(pattern, strconv.Itoa(sw.status)).Inc()
	})
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

// WriteHeader records the status for metrics.
func (s *statusWriter) WriteHeader(code int) { s.status = code; s.ResponseWriter.WriteHeader(code) }

// Hijack lets the WebSocket upgrade through the wrapper.
func (s *statusWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	h, ok := s.ResponseWriter.(http.Hijacker)
	if !ok {
		return nil, nil, errors.New("connection cannot be hijacked")
	}
	s.status = http.StatusSwitchingProtocols
	return h.Hijack()
}

// Unwrap exposes the underlying writer to http.ResponseController.
func (s *statusWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// Flush lets the block stream flush through the wrapper.
func (s *statusWriter) Flush() {
	if f, ok := s.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	_ = enc.Encode(v)
}

func writeErr(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, APIError{Code: uint32(status), Codespace: "api", Message: msg})
}

func parseU16(s, what string) (uint16, error) {
	v, err := strconv.ParseUint(s, 10, 16)
	if err != nil {
		return 0, fmt.Errorf("%w: %s %q is not a number in 0..65535", ErrInvalid, what, s)
	}
	return uint16(v), nil
}

func withNetuid(f func(Querier, uint16, *http.Request) (any, error)) func(Querier, *http.Request) (any, error) {
	return func(q Querier, r *http.Request) (any, error) {
		id, err := parseU16(r.PathValue("netuid"), "netuid")
		if err != nil {
			return nil, err
		}
		return f(q, id, r)
	}
}

func (n *Node) query(f func(Querier, *http.Request) (any, error)) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, r *http.Request) {
		m, height, err := n.machineFor(r)
		if err != nil {
			writeHeightErr(w, err)
			return
		}
		if m == nil {
			writeErr(w, http.StatusServiceUnavailable, "node has no committed state yet")
			return
		}
		q, ok := m.(Querier)
		if !ok {
			writeErr(w, http.StatusNotImplemented, "this state machine answers no queries")
			return
		}
		v, err := f(q, r)
		switch {
		case errors.Is(err, ErrInvalid):
			writeErr(w, http.StatusBadRequest, err.Error())
		case errors.Is(err, ErrNotFound):
			writeErr(w, http.StatusNotFound, err.Error())
		case err != nil:
			writeErr(w, http.StatusBadRequest, err.Error())
		default:
			w.Header().Set("X-Taonet-Height", strconv.FormatUint(height, 10))
			writeJSON(w, http.StatusOK, v)
		}
	}
}

// NonceInfo answers GET /api/v1/accounts/{addr}/nonce.
type NonceInfo struct {
	Address string `json:"address"`
	// Nonce is the next nonce to sign with, counting this node's mempool.
	Nonce uint64 `json:"nonce"`
	// CommittedNonce is the account nonce in the last committed state.
	CommittedNonce uint64 `json:"committed_nonce"`
}

func (n *Node) handleNonce(w http.ResponseWriter, r *http.Request) {
	m, _ := n.app.CommittedAt()
	if m == nil {
		writeErr(w, http.StatusServiceUnavailable, "node has no committed state yet")
		return
	}
	q, ok := m.(Querier)
	if !ok {
		writeErr(w, http.StatusNotImplemented, "this state machine answers no queries")
		return
	}
	addr := r.PathValue("addr")
	nonce, err := q.QueryNonce(addr)
	if err != nil {
		writeErr(w, http.StatusBadRequest, err.Error())
		return
	}
	info := NonceInfo{Address: addr, Nonce: nonce, CommittedNonce: nonce}
	if p, ok := n.app.PendingNonce(addr); ok && p > info.Nonce {
		info.Nonce = p
	}
	writeJSON(w, http.StatusOK, info)
}

// readTx extracts the transaction and wait options from a submit request.
func readTx(w http.ResponseWriter, r *http.Request) (tx []byte, wait bool, timeout time.Duration, status int, err error) {
	r.Body = http.MaxBytesReader(w, r.Body, 2*MaxTxBytes)
	body, err := io.ReadAll(r.Body)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, false, 0, http.StatusRequestEntityTooLarge, fmt.Errorf("request body over %d bytes", mbe.Limit)
		}
		return nil, false, 0, http.StatusBadRequest, fmt.Errorf("read body: %w", err)
	}
	timeout = DefaultWaitTimeout
	wt := r.URL.Query().Get("wait_timeout")
	wait = r.URL.Query().Get("wait") == "true" || r.URL.Query().Get("wait") == "1"
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		var req SubmitRequest
		dec := json.NewDecoder(strings.NewReader(string(body)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&req); err != nil {
			return nil, false, 0, http.StatusBadRequest, fmt.Errorf("bad JSON body: %w", err)
		}
		// One JSON value and nothing after it: trailing data would let two
		// readers of the same bytes disagree about what was submitted.
		if _, err := dec.Token(); err != io.EOF {
			return nil, false, 0, http.StatusBadRequest, errors.New("bad JSON body: trailing data after the JSON object")
		}
		tx, err = base64.StdEncoding.DecodeString(req.Tx)
		if err != nil {
			return nil, false, 0, http.StatusBadRequest, fmt.Errorf("tx is not base64: %w", err)
		}
		wait = wait || req.Wait
		if req.WaitTimeout != "" {
			wt = req.WaitTimeout
		}
	} else {
		tx = body
	}
	if wt != "" {
		d, err := time.ParseDuration(wt)
		if err != nil || d <= 0 {
			return nil, false, 0, http.StatusBadRequest, fmt.Errorf("bad wait_timeout %q", wt)
		}
		timeout = min(d, MaxWaitTimeout)
	}
	if len(tx) == 0 {
		return nil, false, 0, http.StatusBadRequest, errors.New("empty transaction")
	}
	if len(tx) > MaxTxBytes {
		return nil, false, 0, http.StatusRequestEntityTooLarge, fmt.Errorf("transaction of %d bytes over the %d-byte limit", len(tx), MaxTxBytes)
	}
	return tx, wait, timeout, 0, nil
}

func (n *Node) handleSubmit(w http.ResponseWriter, r *http.Request) {
	tx, wait, timeout, status, err := readTx(w, r)
	if err != nil {
		writeErr(w, status, err.Error())
		return
	}
	hash := TxHash(tx)
	var ch chan TxOutcome
	if wait {
		var cancel func()
		ch, cancel = n.app.watchTx(hash)
		defer cancel()
	}
	n.app.PreVerifyTx(tx) // in parallel across requests; CheckTx is serialized
	res, err := n.rpc.BroadcastTxSync(r.Context(), tx)
	if err != nil {
		st := http.StatusServiceUnavailable
		switch {
		case errors.Is(err, mempool.ErrTxInCache):
			st = http.StatusConflict
		case isTooLarge(err):
			st = http.StatusRequestEntityTooLarge
		}
		writeJSON(w, st, APIError{Code: uint32(st), Codespace: "api", Message: "mempool: " + err.Error(), Hash: hash})
		return
	}
	if res.Code != 0 {
		writeJSON(w, http.StatusUnprocessableEntity, APIError{Code: res.Code, Codespace: res.Codespace, Message: res.Log, Hash: hash})
		return
	}
	if !wait {
		writeJSON(w, http.StatusAccepted, SubmitResponse{Hash: hash})
		return
	}
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case o := <-ch:
		writeJSON(w, http.StatusOK, SubmitResponse{Hash: hash, Included: true, Result: &o})
	case <-t.C:
		writeJSON(w, http.StatusGatewayTimeout, APIError{Code: http.StatusGatewayTimeout, Codespace: "api",
			Message: fmt.Sprintf("accepted but not included within %s", timeout), Hash: hash})
	case <-r.Context().Done():
	}
}

func isTooLarge(err error) bool {
	var e mempool.ErrTxTooLarge
	return errors.As(err, &e)
}

// handleGetTx answers a committed transaction by hash; with ?wait=true it
// waits (up to wait_timeout) for the transaction to be committed.
func (n *Node) handleGetTx(w http.ResponseWriter, r *http.Request) {
	hs := strings.ToUpper(r.PathValue("hash"))
	hb, err := hex.DecodeString(hs)
	if err != nil || len(hb) != 32 {
		writeErr(w, http.StatusBadRequest, "tx hash must be 64 hex digits")
		return
	}
	wait := r.URL.Query().Get("wait") == "true" || r.URL.Query().Get("wait") == "1"
	timeout := DefaultWaitTimeout
	if wt := r.URL.Query().Get("wait_timeout"); wt != "" {
		d, err := time.ParseDuration(wt)
		if err != nil || d <= 0 {
			writeErr(w, http.StatusBadRequest, fmt.Sprintf("bad wait_timeout %q", wt))
			return
		}
		timeout = min(d, MaxWaitTimeout)
	}
	var ch chan TxOutcome
	if wait {
		// Watch before looking up, so a commit in between is not missed.
		var cancel func()
		ch, cancel = n.app.watchTx(hs)
		defer cancel()
	}
	if o, ok, err := n.verifiedTx(r.Context(), hb); err != nil {
		writeErr(w, http.StatusInternalServerError, err.Error())
		return
	} else if ok {
		writeJSON(w, http.StatusOK, o)
		return
	}
	if !wait {
		writeErr(w, http.StatusNotFound, "tx "+hs+" not found")
		return
	}
	t := time.NewTimer(timeout)
	defer t.Stop()
	// The index is written just after commit; re-check it now and then.
	tick := time.NewTicker(500 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case o := <-ch:
			writeJSON(w, http.StatusOK, o)
			return
		case <-tick.C:
			if o, ok, err := n.verifiedTx(r.Context(), hb); err != nil {
				writeErr(w, http.StatusInternalServerError, err.Error())
				return
			} else if ok {
				writeJSON(w, http.StatusOK, o)
				return
			}
		case <-t.C:
			writeJSON(w, http.StatusGatewayTimeout, APIError{Code: http.StatusGatewayTimeout, Codespace: "api",
				Message: fmt.Sprintf("tx not committed within %s", timeout), Hash: hs})
			return
		case <-r.Context().Done():
			return
		}
	}
}

func (n *Node) handleStatus(w http.ResponseWriter, r *http.Request) {
	lb := n.app.LastBlock()
	st := Status{ChainID: n.chainID, NodeID: n.NodeID(), Height: lb.Height, AppHash: lb.AppHash,
		BlockHash: lb.Hash, BlockTime: lb.Time}
	if s, err := n.rpc.Status(r.Context()); err == nil {
		st.CatchingUp = s.SyncInfo.CatchingUp
	}
	st.Peers = n.cmt.Switch().Peers().Size()
	writeJSON(w, http.StatusOK, st)
}

func (n *Node) handleLatestBlock(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, n.app.LastBlock())
}

func (n *Node) handleBlock(w http.ResponseWriter, r *http.Request) {
	h, err := strconv.ParseInt(r.PathValue("height"), 10, 64)
	if err != nil || h <= 0 {
		writeErr(w, http.StatusBadRequest, "height must be a positive integer")
		return
	}
	lb := n.app.LastBlock()
	if uint64(h) == lb.Height {
		writeJSON(w, http.StatusOK, lb)
		return
	}
	if uint64(h) > lb.Height {
		writeErr(w, http.StatusNotFound, fmt.Sprintf("block %d not committed yet (height %d)", h, lb.Height))
		return
	}
	b, err := n.readBlock(r.Context(), h)
	if err != nil {
		// Below the committed height a block must be readable: anything
		// else is the store's failure, not an absent block.
		writeErr(w, http.StatusInternalServerError, fmt.Sprintf("block %d unreadable: %v", h, err))
		return
	}
	s := BlockSummary{Height: uint64(h), Hash: b.BlockID.Hash.String(), Time: b.Block.Time.UTC(), NumTxs: len(b.Block.Txs)}
	h1 := h + 1
	if next, err := n.readBlock(r.Context(), h1); err == nil {
		// A header carries the app hash after the previous block.
		s.AppHash = next.Block.AppHash.String()
	}
	writeJSON(w, http.StatusOK, s)
}

// handleStream sends every committed block as a server-sent event
// ("event: block", data = BlockSummary JSON), with a comment heartbeat.
func (n *Node) handleStream(w http.ResponseWriter, r *http.Request) {
	fl, ok := w.(http.Flusher)
	if !ok {
		writeErr(w, http.StatusInternalServerError, "streaming unsupported")
		return
	}
	ch, cancel := n.app.SubscribeBlocks(64)
	defer cancel()
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	send := func(b BlockSummary) bool {
		data, _ := json.Marshal(b)
		_, err := fmt.Fprintf(w, "id: %d\nevent: block\ndata: %s\n\n", b.Height, data)
		fl.Flush()
		return err == nil
	}
	if lb := n.app.LastBlock(); lb.Height > 0 && !send(lb) {
		return
	}
	ping := time.NewTicker(15 * time.Second)
	defer ping.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case b := <-ch:
			if !send(b) {
				return
			}
		case <-ping.C:
			if _, err := io.WriteString(w, ": ping\n\n"); err != nil {
				return
			}
			fl.Flush()
		}
	}
}

// handleWebSocket sends every committed block summary as one JSON text
// message over a WebSocket (for clients that prefer it to server-sent events).
func (n *Node) handleWebSocket(w http.ResponseWriter, r *http.Request) {
	c, err := websocket.Accept(w, r, &websocket.AcceptOptions{InsecureSkipVerify: true}) // read-only public data: any origin
	if err != nil {
		return // Accept already answered
	}
	defer c.CloseNow()
	ch, cancel := n.app.SubscribeBlocks(64)
	defer cancel()
	ctx := c.CloseRead(r.Context())
	send := func(b BlockSummary) error {
		data, _ := json.Marshal(b)
		wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		return c.Write(wctx, websocket.MessageText, data)
	}
	if lb := n.app.LastBlock(); lb.Height > 0 {
		if send(lb) != nil {
			return
		}
	}
	for {
		select {
		case <-ctx.Done():
			c.Close(websocket.StatusGoingAway, "node stopping")
			return
		case b := <-ch:
			if send(b) != nil {
				return
			}
		}
	}
}
