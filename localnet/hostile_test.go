package localnet

import (
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/taonet/taonet/netserve"
	"github.com/taonet/taonet/netserve/netservetest"
)

// TestServersCloseHostileClients: localnet's servers (dashboard, metrics
// and feed all go through Net.serve) close silent, idle keep-alive and
// slow-body clients.
func TestServersCloseHostileClients(t *testing.T) {
	t.Setenv(netserve.EnvVar, netservetest.FastEnv)
	n := &Net{}
	defer func() {
		for _, s := range n.servers {
			s.Close()
		}
	}()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	u := n.serve(ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.Copy(io.Discard, r.Body) }))
	netservetest.CheckClosesHostileClients(t, strings.TrimPrefix(u, "http://"), "/", "/", 10*time.Second)
	m, err := n.serveMetrics(prometheus.NewRegistry(), nil)
	if err != nil {
		t.Fatal(err)
	}
	netservetest.CheckClosesHostileClients(t, strings.TrimPrefix(m, "http://"), "/metrics", "/metrics", 10*time.Second)
}
