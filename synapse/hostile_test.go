package synapse

import (
	"context"
	"net"
	"strconv"
	"testing"
	"time"

	"github.com/taonet/taonet/netserve/netservetest"
)

// TestAxonClosesHostileClients: an axon closes silent, idle keep-alive and
// slow-body clients within its header and idle timeouts.
func TestAxonClosesHostileClients(t *testing.T) {
	a, err := NewAxon(AxonConfig{Hotkey: key(t, "Bob"), ReadHeaderTimeout: time.Second, IdleTimeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if err := Register(a, func(ctx context.Context, _ *Request, p *Prompt) error { return nil }, Options{}); err != nil {
		t.Fatal(err)
	}
	target := startAxon(t, a)
	netservetest.CheckClosesHostileClients(t, net.JoinHostPort(target.IP, strconv.Itoa(target.Port)), "/Prompt", "/Prompt", 10*time.Second)
}
