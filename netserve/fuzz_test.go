package netserve

import (
	"strings"
	"testing"
	"time"
)

// FuzzConfigOverrides: any TAONET_HTTP value is parsed without panicking,
// never sets a non-positive limit, and leaves fields it did not name alone.
func FuzzConfigOverrides(f *testing.F) {
	for _, s := range []string{"", "header=2s,idle=5s,write=10s,grace=3s,rate=1024,conns=128", "header=-1s", "rate=0,conns=x", ",,=,", "idle=1h1m"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		base := Config{ReadHeaderTimeout: time.Second, IdleTimeout: time.Second, WriteTimeout: time.Second,
			BodyGrace: time.Second, MinBodyRate: 1, MaxConns: 1}
		c := base
		_ = c.apply(s)
		if c.ReadHeaderTimeout <= 0 || c.IdleTimeout <= 0 || c.WriteTimeout <= 0 || c.BodyGrace <= 0 || c.MinBodyRate <= 0 || c.MaxConns <= 0 {
			t.Fatalf("%q gave a non-positive limit: %+v", s, c)
		}
		if !strings.Contains(s, "header") && c.ReadHeaderTimeout != base.ReadHeaderTimeout {
			t.Fatalf("%q changed the header timeout", s)
		}
	})
}
