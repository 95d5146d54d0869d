package hub

import (
	"context"
	"net"

	"github.com/taonet/taonet/netserve"
)

// ListenAndServe serves s on addr until ctx ends, then shuts down gracefully.
// ready, if not nil, is called with the bound address (useful with port 0).
// The server is netserve's hardened one: a connection cap below the fd limit,
// header/idle/write-progress timeouts, and a minimum-throughput rule for
// bodies instead of a fixed deadline, so multi-gigabyte model uploads on a
// good link are never cut while a client dribbling bytes is.
func (s *Server) ListenAndServe(ctx context.Context, addr string, ready func(addr string)) error {
	return netserve.Serve(ctx, addr, s, netserve.Config{Logger: s.log}, func(a net.Addr) {
		if ready != nil {
			ready(a.String())
		}
	})
}
