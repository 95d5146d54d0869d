package substratetest

import (
	"context"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/coder/websocket"

	"github.com/taonet/taonet/subtensor/metadata"
	"github.com/taonet/taonet/subtensor/scale"
)

// Block headers as a Substrate node has them: the hash of a block is the
// blake2-256 of its SCALE-encoded header, so a client can hash the headers
// that subscriptions deliver (they carry no hash) and walk parent hashes.

// runtimeUpdated is DigestItem::RuntimeEnvironmentUpdated (variant 8, no
// data): a node puts it in the block that enacts a runtime upgrade.
const runtimeUpdated = "0x08"

type header struct {
	parent, stateRoot, extrinsicsRoot [32]byte
	logs                              []string
}

// sealLocked fills b's header fields from its parent and hashes the header.
func (s *Server) sealLocked(b *block, parent *block, upgraded bool) {
	b.parent = parent.hash
	copy(b.stateRoot[:], metadata.Blake2([]byte(fmt.Sprintf("state %d %x", b.number, parent.hash)), 32))
	copy(b.extrinsicsRoot[:], metadata.Blake2([]byte(fmt.Sprint(b.extrinsics)), 32))
	if upgraded {
		b.logs = []string{runtimeUpdated}
	}
	var e scale.Encoder
	e.Raw(b.parent[:])
	e.CompactU64(b.number)
	e.Raw(b.stateRoot[:])
	e.Raw(b.extrinsicsRoot[:])
	e.CompactU64(uint64(len(b.logs)))
	for _, l := range b.logs {
		raw, _ := decodeHexString(l)
		e.Raw(raw)
	}
	copy(b.hash[:], metadata.Blake2(e.Bytes(), 32))
}

// headerJSON is the header as chain_getHeader and head notifications carry it.
func headerJSON(b *block) map[string]any {
	logs := b.logs
	if logs == nil {
		logs = []string{}
	}
	return map[string]any{"parentHash": hexs(b.parent[:]), "number": fmt.Sprintf("0x%x", b.number),
		"stateRoot": hexs(b.stateRoot[:]), "extrinsicsRoot": hexs(b.extrinsicsRoot[:]), "digest": map[string]any{"logs": logs}}
}

// headSub is one chain_subscribeNewHeads/FinalizedHeads subscription: a
// goroutine sends its queue in order so that block production never waits
// on a client.
type headSub struct {
	id   string
	ws   *wsOut
	ch   chan *block
	done chan struct{}
}

func (h *headSub) run() {
	for {
		select {
		case b := <-h.ch:
			h.ws.send(map[string]any{"jsonrpc": "2.0", "method": "chain_newHead",
				"params": map[string]any{"subscription": h.id, "result": headerJSON(b)}})
		case <-h.done:
			return
		}
	}
}

// handleHeads answers the head-subscription methods (ok false: not one).
func (s *Server) handleHeads(req rpcReq, ws *wsOut) (res any, e *rpcErr, ok bool) {
	switch req.Method {
	case "chain_subscribeNewHeads", "chain_subscribeFinalizedHeads", "chain_subscribeAllHeads":
	case "chain_unsubscribeNewHeads", "chain_unsubscribeFinalizedHeads", "chain_unsubscribeAllHeads":
		id := str(req.Params, 0)
		s.mu.Lock()
		defer s.mu.Unlock()
		if sub, found := s.headSubs[id]; found {
			delete(s.headSubs, id)
			close(sub.done)
			return true, nil, true
		}
		return false, nil, true
	default:
		return nil, nil, false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if ws == nil || s.refuseSubs {
		return nil, &rpcErr{Code: -32601, Message: "Method not found"}, true
	}
	s.subSeq++
	sub := &headSub{id: fmt.Sprintf("heads-%d", s.subSeq), ws: ws, ch: make(chan *block, 256), done: make(chan struct{})}
	if s.headSubs == nil {
		s.headSubs = map[string]*headSub{}
	}
	s.headSubs[sub.id] = sub
	ws.onClose(func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.headSubs[sub.id] == sub {
			delete(s.headSubs, sub.id)
			close(sub.done)
		}
	})
	// A node announces the current head right after subscribing; the reply
	// with the id goes out first (run starts after the reply is queued).
	head := s.blocks[len(s.blocks)-1]
	go func() {
		time.Sleep(10 * time.Millisecond)
		sub.ch <- head
		sub.run()
	}()
	return sub.id, nil, true
}

// notifyHeadsLocked queues block b for every head subscriber, unless the
// test asked to swallow notifications (DropHeadNotifications).
func (s *Server) notifyHeadsLocked(b *block) {
	if s.dropHeads > 0 {
		s.dropHeads--
		return
	}
	for _, sub := range s.headSubs {
		select {
		case sub.ch <- b:
		default: // a stalled client misses this one, as with a real node
		}
	}
}

// DropHeadNotifications makes the next n blocks produce no head
// notifications: clients see a gap they must fill by reading headers.
func (s *Server) DropHeadNotifications(n int) {
	s.mu.Lock()
	s.dropHeads = n
	s.mu.Unlock()
}

// RefuseSubscriptions makes head subscriptions fail with "Method not found",
// as RPC proxies that do not carry subscriptions answer.
func (s *Server) RefuseSubscriptions(refuse bool) {
	s.mu.Lock()
	s.refuseSubs = refuse
	s.mu.Unlock()
}

// HeadSubscriptions is the number of live head subscriptions.
func (s *Server) HeadSubscriptions() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.headSubs)
}

// Kill stops serving as a crashed node would: the listener and every open
// WebSocket connection close. State (blocks, storage) is kept for Restart.
func (s *Server) Kill() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_ = s.srv.Shutdown(ctx)
	s.mu.Lock()
	conns := make([]*websocket.Conn, 0, len(s.conns))
	for c := range s.conns {
		conns = append(conns, c)
	}
	s.mu.Unlock()
	for _, c := range conns {
		_ = c.CloseNow()
	}
}

// Restart serves again on the same address after Kill.
func (s *Server) Restart() error {
	var ln net.Listener
	var err error
	for i := 0; i < 50; i++ { // the port may linger briefly after Kill
		if ln, err = net.Listen("tcp", s.ln.Addr().String()); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		return err
	}
	s.ln = ln
	s.srv = &http.Server{Handler: http.HandlerFunc(s.serveHTTP), ReadHeaderTimeout: 5 * time.Second}
	srv := s.srv
	go func() { _ = srv.Serve(ln) }()
	return nil
}

func (s *Server) trackConn(c *websocket.Conn, add bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.conns == nil {
		s.conns = map[*websocket.Conn]struct{}{}
	}
	if add {
		s.conns[c] = struct{}{}
	} else {
		delete(s.conns, c)
	}
}

func decodeHexString(h string) ([]byte, error) { return hex.DecodeString(strings.TrimPrefix(h, "0x")) }

// BlockHash is block n's hash (zero when there is no such block).
func (s *Server) BlockHash(n uint64) [32]byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	if n >= uint64(len(s.blocks)) {
		return [32]byte{}
	}
	return s.blocks[n].hash
}

// RejectNext makes the node's pool refuse the next valid submission with
// Invalid Transaction (1010) and reason, as a node refuses a stale nonce
// ("Transaction is outdated") or a full pool.
func (s *Server) RejectNext(reason string) {
	s.mu.Lock()
	s.rejectNext = reason
	s.mu.Unlock()
}

// PruneBelow makes state reads at blocks below n fail as a pruning
// (non-archive) node answers them; headers and block hashes stay readable.
func (s *Server) PruneBelow(n uint64) {
	s.mu.Lock()
	s.pruneBelow = n
	s.mu.Unlock()
}

// statePosition is where each state method takes its block hash.
var statePosition = map[string]int{"state_getStorage": 1, "state_queryStorageAt": 1, "state_getKeysPaged": 3,
	"state_call": 2, "state_getRuntimeVersion": 0, "state_getMetadata": 0}

// prunedLocked answers a state read at a pruned block (ok false: not one).
func (s *Server) prunedLocked(req rpcReq) (*rpcErr, bool) {
	i, isState := statePosition[req.Method]
	if !isState || s.pruneBelow == 0 {
		return nil, false
	}
	b, err := s.at(req.Params, i)
	if err != nil || b.number >= s.pruneBelow {
		return nil, false
	}
	return &rpcErr{Code: 4003, Message: fmt.Sprintf("Client error: UnknownBlock: State already discarded for BlockId::Hash(%s)", hexs(b.hash[:]))}, true
}

// DropWatchConnections makes author_submitAndWatchExtrinsic include the
// extrinsic and then close the connection before sending any status, as a
// node that restarts or a proxy that times out does.
func (s *Server) DropWatchConnections(drop bool) {
	s.mu.Lock()
	s.dropWatch = drop
	s.mu.Unlock()
}

// Requests is how many requests (other than head subscriptions and
// submissions) the node has answered.
func (s *Server) Requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests
}
