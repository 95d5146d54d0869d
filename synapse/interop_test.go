package synapse

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/taonet/taonet/keys"
)

// requireTool skips a test whose outside client is missing, except under CI=true,
// where scripts/setup.sh test has installed it and its absence is a failure.
func requireTool(t *testing.T, what string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s missing in CI (scripts/setup.sh test installs it)", what)
	}
	t.Skipf("%s not installed", what)
}

// pythonWith returns a python3 that imports module: Debian's /usr/bin/python3 first
// (where scripts/setup.sh test installs the python3-* package), then python3 on PATH.
func pythonWith(t *testing.T, module, pkg string) string {
	t.Helper()
	for _, name := range []string{"/usr/bin/python3", "python3"} {
		py, err := exec.LookPath(name)
		if err == nil && exec.Command(py, "-c", "import "+module).Run() == nil {
			return py
		}
	}
	requireTool(t, "Debian "+pkg)
	return ""
}

// signedRequest is a request the test signed: its header fields and JSON body.
type signedRequest struct {
	Headers map[string]string `json:"headers"`
	Body    json.RawMessage   `json:"body"`
}

func signRequest(t *testing.T, target AxonInfo, nonce int64, messages ...string) signedRequest {
	t.Helper()
	hr := rawRequest{signer: key(t, "Alice"), nonce: nonce, messages: messages}.build(t, target)
	body, err := io.ReadAll(hr.Body)
	if err != nil {
		t.Fatal(err)
	}
	h := map[string]string{}
	for k, v := range hr.Header {
		h[k] = v[0]
	}
	return signedRequest{Headers: h, Body: body}
}

// checkResponse checks a response to signRequest's request (by //Alice to an echo
// axon of //Bob): status, the axon's headers and response signature, the body.
func checkResponse(t *testing.T, status int, header func(string) string, body []byte, messages ...string) {
	t.Helper()
	alice, bob := key(t, "Alice").SS58Address(), key(t, "Bob").SS58Address()
	if status != 200 || header("bt_header_axon_status_code") != "200" || header("bt_header_axon_status_message") != "Success" ||
		header("bt_header_dendrite_hotkey") != alice || header("bt_header_axon_hotkey") != bob || header("name") != "StreamPromptingSynapse" {
		t.Fatalf("status %d, axon %s %q, dendrite %s, axon %s, name %s", status, header("bt_header_axon_status_code"),
			header("bt_header_axon_status_message"), header("bt_header_dendrite_hotkey"), header("bt_header_axon_hotkey"), header("name"))
	}
	nonce, err := strconv.ParseInt(header("bt_header_axon_nonce"), 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	sig, err := DecodeSignature(header("bt_header_axon_signature"))
	if err != nil || !keys.VerifySS58(bob, ResponseMessage(nonce, alice, bob, header("bt_header_axon_uuid")), sig) {
		t.Fatalf("response signature %q does not verify (%v)", header("bt_header_axon_signature"), err)
	}
	if n, err := strconv.Atoi(header("content-length")); err != nil || n != len(body) {
		t.Fatalf("Content-Length %q for a %d-byte body", header("content-length"), len(body))
	}
	var p Prompt
	if err := json.Unmarshal(body, &p); err != nil {
		t.Fatalf("body %q: %v", body, err)
	}
	if want := "echo: " + strings.Join(messages, "|"); p.Completion != want || !slices.Equal(p.Messages, messages) {
		t.Fatalf("completion %q messages %q, want %q", p.Completion, p.Messages, want)
	}
}

// TestAxonServesAiohttp: Python aiohttp, the client bittensor's dendrite sends
// with, posts two requests the test signed (session.post(url, headers=...,
// json=body), as Dendrite.call does) to a real axon on loopback over one reused
// connection; each answer is a verified 200 with the axon's signed headers.
func TestAxonServesAiohttp(t *testing.T) {
	py := pythonWith(t, "aiohttp", "python3-aiohttp")
	a, err := NewAxon(AxonConfig{Hotkey: key(t, "Bob")})
	if err != nil {
		t.Fatal(err)
	}
	if err := Register(a, func(ctx context.Context, r *Request, p *Prompt) error {
		p.Completion = "echo: " + strings.Join(p.Messages, "|")
		return nil
	}, Options{}); err != nil {
		t.Fatal(err)
	}
	target, cl := serveCounting(t, a)

	nonce := time.Now().UnixNano()
	msgs := [][]string{{"What is the capital of France?"}, {"second", "caf\u00e9 \u2603"}}
	spec := map[string]any{"url": "http://" + cl.Addr().String() + "/StreamPromptingSynapse",
		"requests": []signedRequest{signRequest(t, target, nonce, msgs[0]...), signRequest(t, target, nonce+1, msgs[1]...)}}
	in, err := json.Marshal(spec)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, py, filepath.Join("testdata", "aiohttp_post.py"))
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("aiohttp script: %v\n%s", err, stderr.Bytes())
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) != 2 {
		t.Fatalf("%d responses: %s", len(lines), out)
	}
	for i, line := range lines {
		var resp struct {
			Status  int               `json:"status"`
			Headers map[string]string `json:"headers"`
			Body    string            `json:"body"`
		}
		if err := json.Unmarshal([]byte(line), &resp); err != nil {
			t.Fatalf("%q: %v", line, err)
		}
		header := func(k string) string {
			for hk, v := range resp.Headers {
				if strings.EqualFold(hk, k) {
					return v
				}
			}
			return ""
		}
		checkResponse(t, resp.Status, header, []byte(resp.Body), msgs[i]...)
	}
	if n := cl.n.Load(); n != 1 {
		t.Fatalf("aiohttp opened %d connections for two requests on one session", n)
	}
}

// TestAxonServesCurlExpectContinue: curl posts a signed request with a 2 KiB body
// and "Expect: 100-continue" (what curl sends for large bodies); the axon answers
// 100 Continue before the body comes, then the verified 200.
func TestAxonServesCurlExpectContinue(t *testing.T) {
	curl, err := exec.LookPath("curl")
	if err != nil {
		requireTool(t, "curl")
	}
	_, target := echoAxon(t, AxonConfig{}, Options{})
	msg := strings.Repeat("long prompt ", 200)
	req := signRequest(t, target, time.Now().UnixNano(), msg)
	bodyFile := filepath.Join(t.TempDir(), "body.json")
	if err := os.WriteFile(bodyFile, req.Body, 0o644); err != nil {
		t.Fatal(err)
	}
	args := []string{"-sS", "-v", "--max-time", "20", "--expect100-timeout", "15", "-D", "-", "-o", filepath.Join(t.TempDir(), "out"),
		"-H", "Expect: 100-continue", "--data-binary", "@" + bodyFile}
	for k, v := range req.Headers {
		args = append(args, "-H", k+": "+v)
	}
	outFile := args[9]
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, curl, append(args, "http://"+net.JoinHostPort(target.IP, strconv.Itoa(target.Port))+"/StreamPromptingSynapse")...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	t0 := time.Now()
	head, err := cmd.Output()
	if err != nil {
		t.Fatalf("curl: %v\n%s", err, stderr.Bytes())
	}
	if !strings.Contains(stderr.String(), "< HTTP/1.1 100 Continue") || time.Since(t0) > 10*time.Second {
		t.Fatalf("no 100 Continue before the body (%v):\n%s", time.Since(t0), stderr.Bytes())
	}
	// -D - prints every head, the interim one first.
	heads := strings.Split(strings.TrimSpace(string(head)), "\r\n\r\n")
	final := heads[len(heads)-1]
	status, fields, _ := strings.Cut(final, "\r\n")
	header := func(k string) string {
		for line := range strings.SplitSeq(fields, "\r\n") {
			if name, v, ok := strings.Cut(line, ":"); ok && strings.EqualFold(name, k) {
				return strings.TrimSpace(v)
			}
		}
		return ""
	}
	code := 0
	if f := strings.Fields(status); len(f) >= 2 {
		code, _ = strconv.Atoi(f[1])
	}
	body, err := os.ReadFile(outFile)
	if err != nil {
		t.Fatal(err)
	}
	checkResponse(t, code, header, body, msg)
}
