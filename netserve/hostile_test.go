package netserve_test

import (
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/taonet/taonet/netserve"
	"github.com/taonet/taonet/netserve/netservetest"
)

// TestHostileClientsClosed: a server built with NewServer and Listen, its
// limits taken from TAONET_HTTP, closes silent, idle and slow-body clients.
// (A bare http.Server with only ReadHeaderTimeout keeps the last two open
// forever.)
func TestHostileClientsClosed(t *testing.T) {
	t.Setenv(netserve.EnvVar, netservetest.FastEnv)
	ln, err := netserve.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := netserve.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
	}), netserve.Config{})
	go srv.Serve(ln)
	defer srv.Close()
	netservetest.CheckClosesHostileClients(t, ln.Addr().String(), "/", "/", 5*time.Second)
}

// TestHostileClientsCheckFailsOnBareServer shows the check can fail: a bare
// server with only a header timeout keeps idle and slow clients open.
func TestHostileClientsCheckFailsOnBareServer(t *testing.T) {
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.Copy(io.Discard, r.Body) }),
		ReadHeaderTimeout: time.Second}
	ln, err := netserve.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	defer srv.Close()
	ft := &fakeT{TB: t}
	netservetest.CheckClosesHostileClients(ft, ln.Addr().String(), "/", "/", 3*time.Second)
	if ft.errors != 2 {
		t.Fatalf("bare server: %d failed checks, want 2 (idle keep-alive, slow body)", ft.errors)
	}
}

type fakeT struct {
	testing.TB
	errors int
}

func (f *fakeT) Error(args ...any) { f.errors++ }
func (f *fakeT) Helper()           {}

// TestStartClosesHostileClients covers netserve.Start, the metrics
// servers' one-line ListenAndServe replacement.
func TestStartClosesHostileClients(t *testing.T) {
	t.Setenv(netserve.EnvVar, netservetest.FastEnv)
	srv, addr, err := netserve.Start("127.0.0.1:0", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}), netserve.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	netservetest.CheckClosesHostileClients(t, addr.String(), "/", "/", 5*time.Second)
}
