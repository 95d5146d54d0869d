package netserve

import (
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"time"
)

// Config holds a server's limits. The zero value of a field means the
// process default (DefaultConfig).
type Config struct {
	// ReadHeaderTimeout bounds reading a request's header.
	ReadHeaderTimeout time.Duration
	// IdleTimeout closes a keep-alive connection with no request in flight.
	IdleTimeout time.Duration
	// WriteTimeout bounds each write's progress (renewed on every write).
	WriteTimeout time.Duration
	// BodyGrace is the start-up allowance of a request body and the longest
	// single stall while it arrives.
	BodyGrace time.Duration
	// MinBodyRate is the average throughput (bytes/s) a body must keep after
	// BodyGrace.
	MinBodyRate int64
	// MaxConns caps the listener's open connections (0: a quarter of the
	// file-descriptor limit).
	MaxConns int
	// Logger receives handler panics and rejected connections (nil: slog.Default).
	Logger *slog.Logger
}

// Production defaults.
const (
	DefaultReadHeaderTimeout = 10 * time.Second
	DefaultIdleTimeout       = 60 * time.Second
	DefaultWriteTimeout      = 30 * time.Second
	DefaultBodyGrace         = 10 * time.Second
	DefaultMinBodyRate       = 1024
)

// EnvVar names the environment variable that overrides the defaults.
const EnvVar = "TAONET_HTTP"

// DefaultConfig returns the production defaults with TAONET_HTTP's overrides
// applied. A malformed TAONET_HTTP is reported once on the logger and ignored
// field by field, so a typo never leaves a server without limits.
func DefaultConfig() Config {
	c := Config{
		ReadHeaderTimeout: DefaultReadHeaderTimeout,
		IdleTimeout:       DefaultIdleTimeout,
		WriteTimeout:      DefaultWriteTimeout,
		BodyGrace:         DefaultBodyGrace,
		MinBodyRate:       DefaultMinBodyRate,
	}
	if err := c.apply(os.Getenv(EnvVar)); err != nil {
		slog.Default().Warn("ignoring part of "+EnvVar, "err", err)
	}
	return c
}

// withDefaults fills zero fields from DefaultConfig.
func (c Config) withDefaults() Config {
	d := DefaultConfig()
	if c.ReadHeaderTimeout <= 0 {
		c.ReadHeaderTimeout = d.ReadHeaderTimeout
	}
	if c.IdleTimeout <= 0 {
		c.IdleTimeout = d.IdleTimeout
	}
	if c.WriteTimeout <= 0 {
		c.WriteTimeout = d.WriteTimeout
	}
	if c.BodyGrace <= 0 {
		c.BodyGrace = d.BodyGrace
	}
	if c.MinBodyRate <= 0 {
		c.MinBodyRate = d.MinBodyRate
	}
	if c.MaxConns <= 0 {
		c.MaxConns = d.MaxConns
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	return c
}

// apply parses a TAONET_HTTP value ("key=value,...") into c. Keys:
// header, idle, write, grace (Go durations), rate (bytes/s), conns.
func (c *Config) apply(s string) error {
	var errs []string
	for _, kv := range strings.Split(s, ",") {
		kv = strings.TrimSpace(kv)
		if kv == "" {
			continue
		}
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			errs = append(errs, fmt.Sprintf("%q is not key=value", kv))
			continue
		}
		if err := c.set(strings.TrimSpace(k), strings.TrimSpace(v)); err != nil {
			errs = append(errs, err.Error())
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("%s", strings.Join(errs, "; "))
	}
	return nil
}

func (c *Config) set(k, v string) error {
	dur := map[string]*time.Duration{"header": &c.ReadHeaderTimeout, "idle": &c.IdleTimeout,
		"write": &c.WriteTimeout, "grace": &c.BodyGrace}
	if p, ok := dur[k]; ok {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return fmt.Errorf("%s=%q is not a positive duration", k, v)
		}
		*p = d
		return nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n <= 0 {
		return fmt.Errorf("%s=%q is not a positive integer", k, v)
	}
	switch k {
	case "rate":
		c.MinBodyRate = n
	case "conns":
		c.MaxConns = int(n)
	default:
		return fmt.Errorf("unknown key %q (header, idle, write, grace, rate, conns)", k)
	}
	return nil
}
