package hub

import (
	"context"
	"testing"
	"time"

	"github.com/taonet/taonet/netserve"
	"github.com/taonet/taonet/netserve/netservetest"
)

// TestServeClosesHostileClients: the hub server closes silent, idle
// keep-alive and slow-body clients (limits shortened through TAONET_HTTP),
// and does not read on a body it answered without reading.
func TestServeClosesHostileClients(t *testing.T) {
	t.Setenv(netserve.EnvVar, netservetest.FastEnv)
	st, err := OpenStore(t.TempDir(), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	addrc := make(chan string, 1)
	go NewServer(st, ServerOptions{}).ListenAndServe(ctx, "127.0.0.1:0", func(a string) { addrc <- a })
	netservetest.CheckClosesHostileClients(t, <-addrc, "/healthz", "/api/repos/create", 10*time.Second)
}
