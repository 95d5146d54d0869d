package main

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/taonet/taonet/netserve"
	"github.com/taonet/taonet/netserve/netservetest"
)

// TestMain lets a test run this binary's main as a child process
// (TAONET_TEST_MAIN=1), for commands that serve until a signal.
func TestMain(m *testing.M) {
	if os.Getenv("TAONET_TEST_MAIN") == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

var servingRE = regexp.MustCompile(`(?:on|at) http://([0-9.:]+)`)

// startServing runs `taonet args...` as a child process with short HTTP
// limits and returns the address it reports serving on.
func startServing(t *testing.T, args ...string) string {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "TAONET_TEST_MAIN=1", netserve.EnvVar+"="+netservetest.FastEnv)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	lines := make(chan string, 16)
	go func() {
		s := bufio.NewScanner(out)
		for s.Scan() {
			lines <- s.Text()
		}
		close(lines)
	}()
	timeout := time.After(60 * time.Second)
	for {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatalf("taonet %s exited before serving", strings.Join(args, " "))
			}
			if m := servingRE.FindStringSubmatch(l); m != nil {
				go func() {
					for range lines {
					}
				}()
				return m[1]
			}
		case <-timeout:
			t.Fatalf("taonet %s: no serving line", strings.Join(args, " "))
		}
	}
}

// TestServersCloseHostileClients: `taonet dashboard` and `taonet model
// serve` close silent, idle keep-alive and slow-body clients.
func TestServersCloseHostileClients(t *testing.T) {
	if testing.Short() {
		t.Skip("child processes")
	}
	dash := startServing(t, "dashboard", "--addr", "127.0.0.1:0", "--node", "http://127.0.0.1:1")
	netservetest.CheckClosesHostileClients(t, dash, "/", "/", 10*time.Second)

	model := filepath.Join(t.TempDir(), "m")
	if out, err := runTaonet(t, "model", "init", "--arch", "gpt2", "--size", "tiny", "--out", model, "--seed", "1"); err != nil {
		t.Fatalf("model init: %v\n%s", err, out)
	}
	srv := startServing(t, "model", "serve", "--model", model, "--addr", "127.0.0.1:0")
	netservetest.CheckClosesHostileClients(t, srv, "/v1/models", "/v1/chat/completions", 10*time.Second)
}
