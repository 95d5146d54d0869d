package synapse

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestAxonHandlerCancelledOnHangUp: a raw TCP client sends a signed request whose
// handler runs past AxonConfig.DisconnectWatchAfter, then closes its connection;
// the handler's context is cancelled (context.Canceled, long before the request's
// 30 s timeout), as net/http's server and upstream's Starlette axon cancel on a
// disconnect. The axon then serves the next caller a verified answer.
func TestAxonHandlerCancelledOnHangUp(t *testing.T) {
	const delay = 50 * time.Millisecond
	a, err := NewAxon(AxonConfig{Hotkey: key(t, "Bob"), DisconnectWatchAfter: delay})
	if err != nil {
		t.Fatal(err)
	}
	entered := make(chan struct{}, 1)
	ended := make(chan error, 1)
	if err := Register(a, func(ctx context.Context, r *Request, p *Prompt) error {
		if p.Messages[0] == "generate forever" {
			entered <- struct{}{}
			select {
			case <-ctx.Done():
			case <-time.After(10 * time.Second):
			}
			ended <- ctx.Err()
			return ctx.Err()
		}
		p.Completion = "echo: " + strings.Join(p.Messages, "|")
		return nil
	}, Options{}); err != nil {
		t.Fatal(err)
	}
	target := startAxon(t, a)
	addr := net.JoinHostPort(target.IP, strconv.Itoa(target.Port))

	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	hr := rawRequest{signer: key(t, "Alice"), timeout: 30, messages: []string{"generate forever"}}.build(t, target)
	if err := hr.Write(c); err != nil {
		t.Fatal(err)
	}
	select {
	case <-entered:
	case <-time.After(10 * time.Second):
		t.Fatal("the handler never ran")
	}
	closedAt := time.Now()
	c.Close()
	select {
	case err := <-ended:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("handler context ended with %v, want context.Canceled", err)
		}
		if d := time.Since(closedAt); d > delay+2*time.Second {
			t.Fatalf("cancelled %v after the hang-up", d)
		}
	case <-time.After(8 * time.Second):
		t.Fatal("the handler's context was not cancelled after the client hung up")
	}

	c2, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	_ = c2.SetDeadline(time.Now().Add(10 * time.Second))
	hr = rawRequest{signer: key(t, "Alice"), messages: []string{"hi"}}.build(t, target)
	if err := hr.Write(c2); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(c2), hr)
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	checkResponse(t, resp.StatusCode, resp.Header.Get, body, "hi")
}
