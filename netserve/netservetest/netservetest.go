package netservetest

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"
)

// FastEnv is a TAONET_HTTP value with limits of about a second, for tests.
const FastEnv = "header=1s,idle=1s,grace=1s,write=2s"

// CheckClosesHostileClients fails t unless the server at addr (host:port)
// closes each hostile client within `within`: one that connects and sends
// nothing, one that stays idle after a request to getPath on a keep-alive
// connection, and one that dribbles a declared 100 kB body to postPath at
// 10 bytes/s.
func CheckClosesHostileClients(t testing.TB, addr, getPath, postPath string, within time.Duration) {
	t.Helper()
	checks := map[string]func(net.Conn) error{
		"silent connection": func(net.Conn) error { return nil },
		"idle keep-alive": func(c net.Conn) error {
			fmt.Fprintf(c, "GET %s HTTP/1.1\r\nHost: %s\r\n\r\n", getPath, addr)
			resp, err := http.ReadResponse(bufio.NewReader(c), nil)
			if err != nil {
				return fmt.Errorf("first request: %w", err)
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.Close {
				return errors.New("server closed the connection after the first request; no keep-alive to test")
			}
			return nil
		},
		"slow body": func(c net.Conn) error {
			fmt.Fprintf(c, "POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n", postPath, addr)
			go func() {
				for {
					time.Sleep(100 * time.Millisecond)
					if _, err := c.Write([]byte(" ")); err != nil {
						return
					}
				}
			}()
			return nil
		},
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var fails []string
	for name, start := range checks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := closedWithin(addr, start, within); err != nil {
				mu.Lock()
				fails = append(fails, name+": "+err.Error())
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	for _, f := range fails {
		t.Error(f)
	}
}

// closedWithin dials addr, runs start, then drains the connection until the
// server closes it or `within` (from dialing) passes.
func closedWithin(addr string, start func(net.Conn) error, within time.Duration) error {
	t0 := time.Now()
	c, err := net.DialTimeout("tcp", addr, within)
	if err != nil {
		return err
	}
	defer c.Close()
	c.SetDeadline(t0.Add(within))
	if err := start(c); err != nil {
		return err
	}
	_, err = io.Copy(io.Discard, c)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return fmt.Errorf("still open after %s", within)
	}
	return nil // EOF or reset: closed by the server
}
