package netserve

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
)

// NewServer returns an http.Server for h with c's timeouts (zero fields: the
// process defaults) and h wrapped by Handler. Serve it on a listener from
// Listen or LimitListener so the connection cap applies too.
func NewServer(h http.Handler, c Config) *http.Server {
	c = c.withDefaults()
	return &http.Server{
		Handler:           Handler(h, c),
		ReadHeaderTimeout: c.ReadHeaderTimeout,
		IdleTimeout:       c.IdleTimeout,
		// No ReadTimeout/WriteTimeout: they are fixed deadlines for the
		// whole request, which would cut long uploads and healthy streams.
		// Handler enforces throughput and write progress instead.
		ErrorLog: slog.NewLogLogger(c.Logger.Handler(), slog.LevelDebug),
	}
}

// Serve listens on addr with the connection cap and serves h until ctx ends,
// then shuts down gracefully (in-flight requests get WriteTimeout to finish).
// ready, if not nil, gets the bound address once listening.
func Serve(ctx context.Context, addr string, h http.Handler, c Config, ready func(net.Addr)) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	c = c.withDefaults()
	srv := NewServer(h, c)
	if ready != nil {
		ready(ln.Addr())
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(LimitListener(ln, c.MaxConns)) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), c.WriteTimeout)
	defer cancel()
	err = srv.Shutdown(sctx)
	if serr := <-errc; !errors.Is(serr, http.ErrServerClosed) && err == nil {
		err = serr
	}
	return err
}

// Start listens on addr with the connection cap and serves h in the
// background; the caller stops it with the returned server's Shutdown or
// Close. It is the one-line replacement for http.Server.ListenAndServe.
func Start(addr string, h http.Handler, c Config) (*http.Server, net.Addr, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, nil, err
	}
	c = c.withDefaults()
	srv := NewServer(h, c)
	go srv.Serve(LimitListener(ln, c.MaxConns))
	return srv, ln.Addr(), nil
}
