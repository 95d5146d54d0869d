package evaluate

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// engine is an inference server started for one model directory.
type engine struct {
	cmd   *exec.Cmd
	out   *tailBuffer
	done  chan struct{} // closed when the process has exited
	base  string        // http://127.0.0.1:port
	model string        // the id the server reports in /v1/models
	log   *slog.Logger
}

// startEngine runs the server command for dir on a free loopback port and
// waits until /v1/models answers, the process exits, or timeout passes.
func startEngine(ctx context.Context, tmpl, dir string, timeout time.Duration, log *slog.Logger) (*engine, error) {
	port, err := freePort()
	if err != nil {
		return nil, fmt.Errorf("eval engine: %w", err)
	}
	line := strings.NewReplacer("{model}", shellQuote(dir), "{port}", strconv.Itoa(port)).Replace(tmpl)
	e := &engine{out: &tailBuffer{max: 4096}, done: make(chan struct{}), base: "http://127.0.0.1:" + strconv.Itoa(port), log: log}
	e.cmd = exec.Command("/bin/sh", "-c", line)
	e.cmd.Stdout, e.cmd.Stderr = e.out, e.out
	// A child that keeps the output pipe open must not hide the exit.
	e.cmd.WaitDelay = time.Second
	// Own process group: vLLM and shells spawn children that must die too.
	e.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := e.cmd.Start(); err != nil {
		return nil, fmt.Errorf("eval engine: starting %q: %w", line, err)
	}
	go func() { e.cmd.Wait(); close(e.done) }()
	log.Info("eval engine starting", "cmd", line, "pid", e.cmd.Process.Pid)
	if err := e.waitReady(ctx, timeout); err != nil {
		e.stop()
		return nil, fmt.Errorf("eval engine %q: %w; output: %s", line, err, e.out.String())
	}
	return e, nil
}

// waitReady polls /v1/models until it lists a model.
func (e *engine) waitReady(ctx context.Context, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	client := &http.Client{Timeout: 5 * time.Second}
	for {
		if id, err := e.modelID(ctx, client); err == nil {
			e.model = id
			return nil
		}
		select {
		case <-e.done:
			return fmt.Errorf("exited before serving (%v)", e.cmd.ProcessState)
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("not serving /v1/models after %v", timeout)
		}
	}
}

func (e *engine) modelID(ctx context.Context, client *http.Client) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, e.base+"/v1/models", nil)
	if err != nil {
		return "", err
	}
	resp, err := client.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var list struct {
		Data []struct {
			ID string `json:"id"`
		} `json:"data"`
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("HTTP %d", resp.StatusCode)
	}
	if err := json.NewDecoder(resp.Body).Decode(&list); err != nil || len(list.Data) == 0 {
		return "", errors.New("no model listed")
	}
	return list.Data[0].ID, nil
}

// stop ends the engine's process group: SIGTERM, then SIGKILL after 10 s.
func (e *engine) stop() {
	pgid := e.cmd.Process.Pid
	syscall.Kill(-pgid, syscall.SIGTERM)
	select {
	case <-e.done:
	case <-time.After(10 * time.Second):
		syscall.Kill(-pgid, syscall.SIGKILL)
		<-e.done
	}
	e.log.Info("eval engine stopped", "pid", pgid)
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// shellQuote quotes s for /bin/sh.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// tailBuffer keeps the last max bytes written (an engine's output for
// error messages).
type tailBuffer struct {
	mu  sync.Mutex
	buf []byte
	max int
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if over := len(t.buf) - t.max; over > 0 {
		t.buf = append(t.buf[:0], t.buf[over:]...)
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return strings.TrimSpace(string(t.buf))
}
