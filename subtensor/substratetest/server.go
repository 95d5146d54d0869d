package substratetest

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/coder/websocket"

	"github.com/taonet/taonet/keys"
	"github.com/taonet/taonet/subtensor/metadata"
	"github.com/taonet/taonet/subtensor/scale"
)

// Runtime is a runtime the server runs.
type Runtime struct {
	SpecName    string
	SpecVersion uint32
	TxVersion   uint32
	Metadata    []byte
	meta        *metadata.Metadata
}

// Call is a submitted call as the server decoded it.
type Call struct {
	Signer string // ss58
	Pallet string
	Name   string
	Args   *metadata.VariantValue
	Nonce  uint64
}

// Failure is a module error to dispatch a call with (pallet and error name).
type Failure struct{ Pallet, Error string }

type block struct {
	number     uint64
	hash       [32]byte
	extrinsics []string
	events     []byte // System.Events value
	rt         *Runtime
	header
}

// Server is the scripted node.
type Server struct {
	URL     string // ws://127.0.0.1:port
	HTTPURL string // http://127.0.0.1:port

	// Dispatch decides a call's outcome (nil: success). Set before use.
	Dispatch func(Call) *Failure

	mu       sync.Mutex
	genesis  [32]byte
	rt       *Runtime
	storage  map[string][]byte // hex key (lowercase, 0x) → value
	blocks   []*block
	nonces   map[[32]byte]uint64
	calls    []Call
	rejected []string
	srv      *http.Server
	ln       net.Listener
	delay    time.Duration
	apis     map[string][]byte // runtime API answers by "Api_method"
	tl       *tlState          // timelocked commit-reveal (EnableTimelock)
	apiCalls []StateCall

	headSubs   map[string]*headSub // head subscriptions by id (heads.go)
	subSeq     int
	dropHeads  int
	refuseSubs bool
	rejectNext string // the next valid submission's pool rejection (RejectNext)
	pruneBelow uint64 // state below this block is discarded (PruneBelow)
	dropWatch  bool   // author_submitAndWatchExtrinsic connections break (DropWatchConnections)
	requests   int    // non-subscription requests answered (Requests)
	conns      map[*websocket.Conn]struct{}
}

// StateCall is one state_call the server answered from SetRuntimeCall.
type StateCall struct {
	Method string
	Args   []byte
}

// New starts a server on loopback with the given genesis hash and runtime.
func New(genesis [32]byte, rt Runtime) (*Server, error) {
	m, err := metadata.Decode(rt.Metadata)
	if err != nil {
		return nil, err
	}
	rt.meta = m
	s := &Server{genesis: genesis, rt: &rt, storage: map[string][]byte{}, nonces: map[[32]byte]uint64{}}
	s.blocks = append(s.blocks, &block{number: 0, hash: genesis, rt: s.rt})
	s.addBlockLocked(nil, nil, false) // block 1, so eras have a parent
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s.ln = ln
	s.URL = "ws://" + ln.Addr().String()
	s.HTTPURL = "http://" + ln.Addr().String()
	s.srv = &http.Server{Handler: http.HandlerFunc(s.serveHTTP), ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = s.srv.Serve(ln) }()
	return s, nil
}

// Close stops the server.
func (s *Server) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_ = s.srv.Shutdown(ctx)
	return s.srv.Close()
}

// Meta is the current runtime's decoded metadata.
func (s *Server) Meta() *metadata.Metadata {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rt.meta
}

// SetRuntimeCall makes state_call of method ("Api_method") answer with
// result, whatever the arguments; StateCalls records what was asked.
func (s *Server) SetRuntimeCall(method string, result []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.apis == nil {
		s.apis = map[string][]byte{}
	}
	s.apis[method] = append([]byte(nil), result...)
}

// StateCalls returns the state_calls answered from SetRuntimeCall, in order.
func (s *Server) StateCalls() []StateCall {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]StateCall(nil), s.apiCalls...)
}

// SetStorage sets a raw storage value (nil deletes it).
func (s *Server) SetStorage(key, value []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := "0x" + hex.EncodeToString(key)
	if value == nil {
		delete(s.storage, k)
		return
	}
	s.storage[k] = value
}

// Put encodes value as pallet.item's type (current metadata) under keys.
func (s *Server) Put(pallet, item string, value any, keys ...any) error {
	m := s.Meta()
	key, e, err := m.StorageKey(pallet, item, keys...)
	if err != nil {
		return err
	}
	enc, err := m.Encode(e.Value, value)
	if err != nil {
		return fmt.Errorf("substratetest: %s.%s: %w", pallet, item, err)
	}
	s.SetStorage(key, enc)
	return nil
}

// SetNonce sets an account's next nonce.
func (s *Server) SetNonce(pub [32]byte, n uint64) {
	s.mu.Lock()
	s.nonces[pub] = n
	s.mu.Unlock()
}

// Upgrade switches to a new runtime from the next block on.
func (s *Server) Upgrade(rt Runtime) error {
	m, err := metadata.Decode(rt.Metadata)
	if err != nil {
		return err
	}
	rt.meta = m
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rt = &rt
	s.addBlockLocked(nil, nil, true)
	return nil
}

// Calls returns the calls included so far.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Call(nil), s.calls...)
}

// Rejected returns the reasons of rejected submissions.
func (s *Server) Rejected() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.rejected...)
}

// AddBlock appends an empty block.
func (s *Server) AddBlock() {
	s.mu.Lock()
	s.addBlockLocked(nil, nil, false)
	s.mu.Unlock()
}

// Head is the best block number.
func (s *Server) Head() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.blocks[len(s.blocks)-1].number
}

// addBlockLocked appends a block (upgraded: it enacts a new runtime) and
// announces it to head subscribers.
func (s *Server) addBlockLocked(exts []string, events []byte, upgraded bool) *block {
	n := uint64(len(s.blocks))
	s.revealLocked(n) // on-initialize work of the new block, before its extrinsics' effects are visible
	b := &block{number: n, extrinsics: exts, events: events, rt: s.rt}
	s.sealLocked(b, s.blocks[n-1], upgraded)
	s.blocks = append(s.blocks, b)
	s.notifyHeadsLocked(b)
	return b
}

func (s *Server) blockByHash(hs string) (*block, error) {
	for _, b := range s.blocks {
		if strings.EqualFold("0x"+hex.EncodeToString(b.hash[:]), hs) {
			return b, nil
		}
	}
	return nil, fmt.Errorf("unknown block %s", hs)
}

// at resolves an optional block-hash parameter.
func (s *Server) at(params []json.RawMessage, i int) (*block, error) {
	if len(params) > i {
		var hs *string
		if err := json.Unmarshal(params[i], &hs); err == nil && hs != nil {
			return s.blockByHash(*hs)
		}
	}
	return s.blocks[len(s.blocks)-1], nil
}

type rpcReq struct {
	ID     json.RawMessage   `json:"id"`
	Method string            `json:"method"`
	Params []json.RawMessage `json:"params"`
}

type rpcErr struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
	Data    string `json:"data,omitempty"`
}

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.EqualFold(r.Header.Get("Upgrade"), "websocket") {
		s.serveWS(w, r)
		return
	}
	var req rpcReq
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 16<<20)).Decode(&req); err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	res, rerr := s.handle(req, nil)
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(reply(req.ID, res, rerr))
}

func reply(id json.RawMessage, res any, e *rpcErr) map[string]any {
	out := map[string]any{"jsonrpc": "2.0", "id": id}
	if e != nil {
		out["error"] = e
	} else {
		out["result"] = res
	}
	return out
}

type wsOut struct {
	mu      sync.Mutex
	c       *websocket.Conn
	closers []func()
}

// onClose runs f when the connection ends (subscriptions end with it).
func (o *wsOut) onClose(f func()) {
	o.mu.Lock()
	o.closers = append(o.closers, f)
	o.mu.Unlock()
}

func (o *wsOut) closed() {
	o.mu.Lock()
	fs := o.closers
	o.closers = nil
	o.mu.Unlock()
	for _, f := range fs {
		f()
	}
}

func (o *wsOut) send(v any) {
	b, _ := json.Marshal(v)
	o.mu.Lock()
	defer o.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = o.c.Write(ctx, websocket.MessageText, b)
}

func (s *Server) serveWS(w http.ResponseWriter, r *http.Request) {
	c, err := websocket.Accept(w, r, nil)
	if err != nil {
		return
	}
	c.SetReadLimit(16 << 20)
	out := &wsOut{c: c}
	s.trackConn(c, true)
	defer func() {
		s.trackConn(c, false)
		out.closed()
		_ = c.CloseNow()
	}()
	for {
		_, data, err := c.Read(r.Context())
		if err != nil {
			return
		}
		var req rpcReq
		if json.Unmarshal(data, &req) != nil {
			continue
		}
		res, rerr := s.handle(req, out)
		out.send(reply(req.ID, res, rerr))
	}
}

func str(params []json.RawMessage, i int) string {
	var v string
	if len(params) > i {
		_ = json.Unmarshal(params[i], &v)
	}
	return v
}

func hexs(b []byte) string { return "0x" + hex.EncodeToString(b) }

func (s *Server) handle(req rpcReq, ws *wsOut) (any, *rpcErr) {
	if res, e, ok := s.handleHeads(req, ws); ok {
		return res, e
	}
	if req.Method == "author_submitAndWatchExtrinsic" {
		if ws == nil {
			return nil, &rpcErr{Code: -32601, Message: "Method not found"}
		}
		return s.submitWatch(str(req.Params, 0), ws)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests++
	if e, pruned := s.prunedLocked(req); pruned {
		return nil, e
	}
	switch req.Method {
	case "chain_getBlockHash":
		if len(req.Params) == 0 || string(req.Params[0]) == "null" {
			b := s.blocks[len(s.blocks)-1]
			return hexs(b.hash[:]), nil
		}
		var n uint64
		if err := json.Unmarshal(req.Params[0], &n); err != nil {
			return nil, &rpcErr{Code: -32602, Message: "Invalid params"}
		}
		if n >= uint64(len(s.blocks)) {
			return nil, nil
		}
		return hexs(s.blocks[n].hash[:]), nil
	case "chain_getFinalizedHead":
		b := s.blocks[len(s.blocks)-1]
		return hexs(b.hash[:]), nil
	case "chain_getHeader":
		b, err := s.at(req.Params, 0)
		if err != nil {
			return nil, &rpcErr{Code: 4003, Message: err.Error()}
		}
		return headerJSON(b), nil
	case "chain_getBlock":
		b, err := s.at(req.Params, 0)
		if err != nil {
			return nil, &rpcErr{Code: 4003, Message: err.Error()}
		}
		exts := b.extrinsics
		if exts == nil {
			exts = []string{}
		}
		return map[string]any{"block": map[string]any{"header": headerJSON(b), "extrinsics": exts}}, nil
	case "state_getRuntimeVersion":
		b, err := s.at(req.Params, 0)
		if err != nil {
			return nil, &rpcErr{Code: 4003, Message: err.Error()}
		}
		return map[string]any{"specName": b.rt.SpecName, "specVersion": b.rt.SpecVersion, "transactionVersion": b.rt.TxVersion}, nil
	case "state_getMetadata":
		b, err := s.at(req.Params, 0)
		if err != nil {
			return nil, &rpcErr{Code: 4003, Message: err.Error()}
		}
		return hexs(b.rt.Metadata), nil
	case "state_call":
		if ans, ok := s.apis[str(req.Params, 0)]; ok {
			args, err := hex.DecodeString(strings.TrimPrefix(str(req.Params, 1), "0x"))
			if err != nil {
				return nil, &rpcErr{Code: -32602, Message: "Invalid params: " + err.Error()}
			}
			s.apiCalls = append(s.apiCalls, StateCall{Method: str(req.Params, 0), Args: args})
			return hexs(ans), nil
		}
		// A method without a scripted answer: answer as a node whose runtime
		// lacks it does, so clients fall back.
		return nil, &rpcErr{Code: 4003, Message: "Client error: Execution failed: Other: Exported method " + str(req.Params, 0) + " is not found"}
	case "state_getStorage":
		b, err := s.at(req.Params, 1)
		if err != nil {
			return nil, &rpcErr{Code: 4003, Message: err.Error()}
		}
		v, ok := s.valueLocked(strings.ToLower(str(req.Params, 0)), b)
		if !ok {
			return nil, nil
		}
		return hexs(v), nil
	case "state_queryStorageAt":
		var ks []string
		if len(req.Params) > 0 {
			_ = json.Unmarshal(req.Params[0], &ks)
		}
		b, err := s.at(req.Params, 1)
		if err != nil {
			return nil, &rpcErr{Code: 4003, Message: err.Error()}
		}
		changes := make([][2]any, 0, len(ks))
		for _, k := range ks {
			if v, ok := s.valueLocked(strings.ToLower(k), b); ok {
				changes = append(changes, [2]any{k, hexs(v)})
			} else {
				changes = append(changes, [2]any{k, nil})
			}
		}
		return []any{map[string]any{"block": hexs(b.hash[:]), "changes": changes}}, nil
	case "state_getKeysPaged":
		prefix := strings.ToLower(str(req.Params, 0))
		var count int
		if len(req.Params) > 1 {
			_ = json.Unmarshal(req.Params[1], &count)
		}
		start := strings.ToLower(str(req.Params, 2))
		var keys []string
		for k := range s.storage {
			if strings.HasPrefix(k, prefix) && k > start {
				keys = append(keys, k)
			}
		}
		sort.Strings(keys)
		if len(keys) > count {
			keys = keys[:count]
		}
		if keys == nil {
			keys = []string{}
		}
		return keys, nil
	case "system_accountNextIndex":
		pub, err := keys.SS58Decode(str(req.Params, 0))
		if err != nil {
			return nil, &rpcErr{Code: -32602, Message: "Invalid params: " + err.Error()}
		}
		return s.nonces[pub], nil
	case "author_submitExtrinsic":
		hash, err := s.includeLocked(str(req.Params, 0))
		if err != nil {
			return nil, err
		}
		return hash, nil
	}
	return nil, &rpcErr{Code: -32601, Message: "Method not found"}
}

// valueLocked reads a key at block b: System.Events is per block, the rest global.
func (s *Server) valueLocked(key string, b *block) ([]byte, bool) {
	ek := hexs(metadata.StoragePrefix("System", "Events"))
	if key == ek {
		if b.events == nil {
			return []byte{0}, true // an empty Vec
		}
		return b.events, true
	}
	v, ok := s.storage[key]
	return v, ok
}

func (s *Server) submitWatch(ext string, ws *wsOut) (any, *rpcErr) {
	s.mu.Lock()
	hash, err := s.includeLocked(ext)
	var b *block
	if err == nil {
		b = s.blocks[len(s.blocks)-1]
	}
	drop := s.dropWatch
	s.mu.Unlock()
	if err != nil {
		return nil, err
	}
	subID := "sub-" + hash[2:18]
	bh := hexs(b.hash[:])
	go func() {
		// Notifications follow the subscription id, as a node sends them.
		time.Sleep(20 * time.Millisecond)
		if drop { // the connection breaks before any status (DropWatchConnections)
			_ = ws.c.CloseNow()
			return
		}
		for _, st := range []any{"ready", map[string]any{"inBlock": bh}, map[string]any{"finalized": bh}} {
			ws.send(map[string]any{"jsonrpc": "2.0", "method": "author_extrinsicUpdate",
				"params": map[string]any{"subscription": subID, "result": st}})
		}
	}()
	return subID, nil
}

// includeLocked verifies and includes an extrinsic in a new block.
func (s *Server) includeLocked(extHex string) (string, *rpcErr) {
	raw, err := hex.DecodeString(strings.TrimPrefix(extHex, "0x"))
	if err != nil {
		return "", s.reject("Invalid params: extrinsic is not hex")
	}
	call, callBytes, verr := s.verifyLocked(raw)
	if verr != "" {
		return "", s.reject(verr)
	}
	if r := s.rejectNext; r != "" {
		s.rejectNext = ""
		return "", s.reject(r)
	}
	m := s.rt.meta
	idx := 0
	var events []byte
	var fail *Failure
	if s.Dispatch != nil {
		s.mu.Unlock()
		fail = s.Dispatch(*call)
		s.mu.Lock()
	}
	events, err = s.eventsLocked(m, idx, fail)
	if err != nil {
		return "", s.reject("server: " + err.Error())
	}
	_ = callBytes
	pub, _ := keys.SS58Decode(call.Signer)
	s.nonces[pub] = call.Nonce + 1
	s.calls = append(s.calls, *call)
	s.addBlockLocked([]string{extHex}, events, false)
	return hexs(metadata.Blake2(raw, 32)), nil
}

func (s *Server) reject(msg string) *rpcErr {
	s.rejected = append(s.rejected, msg)
	return &rpcErr{Code: 1010, Message: "Invalid Transaction", Data: msg}
}

// eventsLocked encodes System.Events for extrinsic idx: ExtrinsicSuccess, or
// ExtrinsicFailed with fail's module error.
func (s *Server) eventsLocked(m *metadata.Metadata, idx int, fail *Failure) ([]byte, error) {
	_, e, err := m.Storage("System", "Events")
	if err != nil {
		return nil, err
	}
	vecT, err := m.Types.Type(e.Value)
	if err != nil {
		return nil, err
	}
	recT := vecT.Elem
	rec, err := m.Zero(recT)
	if err != nil {
		return nil, err
	}
	phaseV, _ := metadata.FieldOf(rec, "phase")
	if err := metadata.Set(phaseV, "", uint64(idx)); err != nil {
		// phase's first variant is ApplyExtrinsic(u32) with an unnamed field
		pv := phaseV.(*metadata.VariantValue)
		pv.Fields[0].Value = uint64(idx)
	}
	evT := fieldType(m, recT, "event")
	sys, err := m.Variant(evT, "System")
	if err != nil {
		return nil, err
	}
	sysEvT := variantFieldType(m, evT, "System")
	name := "ExtrinsicSuccess"
	if fail != nil {
		name = "ExtrinsicFailed"
	}
	inner, err := m.Variant(sysEvT, name)
	if err != nil {
		return nil, err
	}
	if fail != nil {
		de, err := s.moduleError(m, inner, fail)
		if err != nil {
			return nil, err
		}
		if err := metadata.Set(inner, "dispatch_error", de); err != nil {
			return nil, err
		}
	}
	sys.Fields[0].Value = inner
	if err := metadata.Set(rec, "event", sys); err != nil {
		return nil, err
	}
	var enc scale.Encoder
	enc.CompactU64(1)
	if err := m.EncodeValue(&enc, recT, rec); err != nil {
		return nil, err
	}
	return enc.Bytes(), nil
}

func (s *Server) moduleError(m *metadata.Metadata, failed *metadata.VariantValue, f *Failure) (metadata.Value, error) {
	p, err := m.Pallet(f.Pallet)
	if err != nil || p.Errors == nil {
		return nil, fmt.Errorf("no errors in pallet %s", f.Pallet)
	}
	et, _ := m.Types.Type(*p.Errors)
	v, ok := et.VariantByName(f.Error)
	if !ok {
		return nil, fmt.Errorf("no error %s.%s", f.Pallet, f.Error)
	}
	deT := fieldTypeOfVariant(m, failed, "dispatch_error")
	de, err := m.Variant(deT, "Module")
	if err != nil {
		return nil, err
	}
	me := de.Fields[0].Value
	if err := metadata.Set(me, "index", uint64(p.Index)); err != nil {
		return nil, err
	}
	if err := metadata.Set(me, "error", []byte{v.Index, 0, 0, 0}); err != nil {
		return nil, err
	}
	return de, nil
}

var eventFieldTypes = map[string]uint32{}

func fieldType(m *metadata.Metadata, id uint32, name string) uint32 {
	t, _ := m.Types.Type(id)
	for _, f := range t.Fields {
		if f.Name == name {
			return f.Type
		}
	}
	return 0
}

func variantFieldType(m *metadata.Metadata, id uint32, variant string) uint32 {
	t, _ := m.Types.Type(id)
	v, _ := t.VariantByName(variant)
	return v.Fields[0].Type
}

// fieldTypeOfVariant finds the type of a System event variant's field by
// looking the System event type up again (VariantValue carries no type ids).
func fieldTypeOfVariant(m *metadata.Metadata, vv *metadata.VariantValue, name string) uint32 {
	p, _ := m.Pallet("System")
	t, _ := m.Types.Type(*p.Events)
	v, _ := t.VariantByName(vv.Name)
	for _, f := range v.Fields {
		if f.Name == name {
			return f.Type
		}
	}
	return 0
}

// UpgradeRaw switches to a runtime whose metadata the server does not decode
// itself (for tests of clients facing metadata they cannot read); the
// submit path is unavailable under it.
func (s *Server) UpgradeRaw(rt Runtime, raw []byte) error {
	rt.Metadata = raw
	s.mu.Lock()
	defer s.mu.Unlock()
	rt.meta = s.rt.meta // keep the old decoded one for the server's own needs
	s.rt = &rt
	s.addBlockLocked(nil, nil, true)
	return nil
}
