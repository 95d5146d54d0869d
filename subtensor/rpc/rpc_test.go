package rpc

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// node is a tiny JSON-RPC peer: "echo" answers its params, "silent" never
// answers, "drop" closes the connection, "sub" answers a subscription id and
// then two notifications.
func node(t *testing.T) (*httptest.Server, *atomic.Int32) {
	var conns atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Upgrade") == "" {
			var req request
			_ = json.NewDecoder(r.Body).Decode(&req)
			_ = json.NewEncoder(w).Encode(map[string]any{"jsonrpc": "2.0", "id": req.ID, "result": req.Params})
			return
		}
		c, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		conns.Add(1)
		defer c.CloseNow()
		for {
			_, data, err := c.Read(r.Context())
			if err != nil {
				return
			}
			var req request
			_ = json.Unmarshal(data, &req)
			send := func(v any) {
				b, _ := json.Marshal(v)
				_ = c.Write(r.Context(), websocket.MessageText, b)
			}
			switch req.Method {
			case "echo":
				send(map[string]any{"jsonrpc": "2.0", "id": req.ID, "result": req.Params})
			case "fail":
				send(map[string]any{"jsonrpc": "2.0", "id": req.ID, "error": map[string]any{"code": 1010, "message": "Invalid Transaction", "data": "Transaction is outdated"}})
			case "drop":
				c.CloseNow()
				return
			case "sub":
				// The notification is sent before the id, as nodes may do.
				send(map[string]any{"jsonrpc": "2.0", "method": "upd", "params": map[string]any{"subscription": "s1", "result": "ready"}})
				send(map[string]any{"jsonrpc": "2.0", "id": req.ID, "result": "s1"})
				send(map[string]any{"jsonrpc": "2.0", "method": "upd", "params": map[string]any{"subscription": "s1", "result": map[string]any{"inBlock": "0x01"}}})
			}
		}
	}))
	t.Cleanup(srv.Close)
	return srv, &conns
}

func wsURL(s *httptest.Server) string { return "ws" + strings.TrimPrefix(s.URL, "http") }

func closedPort(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return "ws://" + addr
}

func TestFailoverTimeoutReconnect(t *testing.T) {
	srv, conns := node(t)
	dead := closedPort(t)
	c, err := New([]string{dead, wsURL(srv)}, Options{Timeout: 300 * time.Millisecond, Backoff: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	var out []int
	if err := c.Call(ctx, &out, "echo", 1, 2); err != nil || len(out) != 2 || out[1] != 2 {
		t.Fatalf("failover call: %v %v", out, err)
	}
	if c.Endpoint() != wsURL(srv) {
		t.Errorf("endpoint in use %s", c.Endpoint())
	}
	err = c.Call(ctx, nil, "silent")
	if err == nil || !strings.Contains(err.Error(), "no answer within 300ms") || !strings.Contains(err.Error(), "silent") {
		t.Errorf("timeout: %v", err)
	}
	var rpcErr *Error
	if err := c.Call(ctx, nil, "fail"); !errors.As(err, &rpcErr) || rpcErr.Code != 1010 || !strings.Contains(err.Error(), "Transaction is outdated") {
		t.Errorf("rpc error: %v", err)
	}
	// The node drops the connection: the next read redials and succeeds.
	_ = c.Call(ctx, nil, "drop")
	if err := c.Call(ctx, &out, "echo", 7); err != nil || out[0] != 7 {
		t.Fatalf("after drop: %v %v", out, err)
	}
	if conns.Load() < 2 {
		t.Errorf("no redial: %d connections", conns.Load())
	}
}

func TestUnreachable(t *testing.T) {
	c, _ := New([]string{closedPort(t), closedPort(t)}, Options{Retries: 2, Backoff: 5 * time.Millisecond, DialTimeout: time.Second})
	err := c.Call(context.Background(), nil, "echo")
	if err == nil || !strings.Contains(err.Error(), "connection refused (2 attempts)") {
		t.Fatalf("unreachable: %v", err)
	}
	if _, err := New([]string{"ftp://x"}, Options{}); err == nil {
		t.Error("bad scheme accepted")
	}
}

func TestSubscriptionAndHTTP(t *testing.T) {
	srv, _ := node(t)
	c, _ := New([]string{wsURL(srv)}, Options{Timeout: 2 * time.Second})
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	sub, err := c.Subscribe(ctx, "sub", "")
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	first, err := sub.Next(ctx)
	if err != nil || string(first) != `"ready"` {
		t.Fatalf("early notification: %s %v", first, err)
	}
	second, err := sub.Next(ctx)
	if err != nil || !strings.Contains(string(second), "inBlock") {
		t.Fatalf("notification: %s %v", second, err)
	}
	h, _ := New([]string{srv.URL}, Options{})
	var out []string
	if err := h.Call(ctx, &out, "anything", "x"); err != nil || out[0] != "x" {
		t.Fatalf("http: %v %v", out, err)
	}
	if _, err := h.Subscribe(ctx, "sub", ""); !errors.Is(err, ErrNoSubscriptions) {
		t.Errorf("http subscribe: %v", err)
	}
}
