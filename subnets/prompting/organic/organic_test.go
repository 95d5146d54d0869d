package organic

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/taonet/taonet/chain"
	"github.com/taonet/taonet/keys"
	"github.com/taonet/taonet/lm/serve/openai"
	"github.com/taonet/taonet/subnets/prompting/embed"
	"github.com/taonet/taonet/subnets/prompting/miner"
	"github.com/taonet/taonet/subnets/prompting/tasks"
)

// fakeChain serves a fixed metagraph (the chain is not under test here).
type fakeChain struct{ mg *chain.Metagraph }

func (f fakeChain) Metagraph(context.Context, uint16) (*chain.Metagraph, error) { return f.mg, nil }

func key(t *testing.T, uri string) *keys.Keypair {
	k, err := keys.FromURI(uri)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// subnet starts real miners (their own axons or Epistula servers on
// loopback) and a metagraph listing them with the given incentives; a
// responder nil stands for a registered miner whose port is closed.
func subnet(t *testing.T, epistula bool, rs []miner.Responder, inc []uint16) *chain.Metagraph {
	t.Helper()
	mg := &chain.Metagraph{}
	for i, r := range rs {
		k := key(t, "//Alice//organic-miner-"+string(rune('a'+i)))
		port := 0
		if r == nil {
			l, _ := net.Listen("tcp", "127.0.0.1:0")
			port = l.Addr().(*net.TCPAddr).Port
			l.Close()
		} else {
			m, err := miner.New(miner.Config{Hotkey: k, Responder: r, ChunkWords: 1})
			if err != nil {
				t.Fatal(err)
			}
			var addr *net.TCPAddr
			if epistula {
				addr, err = m.StartEpistula("127.0.0.1:0")
			} else {
				addr, err = m.Start("127.0.0.1:0")
			}
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { m.Shutdown(context.Background()) })
			port = addr.Port
		}
		mg.Hotkeys = append(mg.Hotkeys, k.SS58Address())
		mg.Axons = append(mg.Axons, chain.AxonInfo{IP: "127.0.0.1", Port: uint16(port)})
		mg.Incentive = append(mg.Incentive, inc[i])
		mg.ValidatorPermit = append(mg.ValidatorPermit, false)
	}
	return mg
}

func gateway(t *testing.T, mg *chain.Metagraph, topK int, epistula bool, reg prometheus.Registerer) string {
	t.Helper()
	g, err := New(Config{Hotkey: key(t, "//Alice//organic-validator"), Chain: fakeChain{mg}, Keys: []string{"sk-good"},
		TopK: topK, Timeout: 10 * time.Second, Epistula: epistula, Metrics: reg})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(g)
	t.Cleanup(func() { srv.Close(); g.Close() })
	return srv.URL
}

// interopDir finds interop/<name> with its npm dependencies installed
// (scripts/setup.sh test; required under CI=true).
func interopDir(t *testing.T, name string) string {
	t.Helper()
	need := func(msg string) {
		if os.Getenv("CI") == "true" {
			t.Fatal(msg + " (run scripts/setup.sh test)")
		}
		t.Skip(msg)
	}
	if _, err := exec.LookPath("node"); err != nil {
		need("node is not installed")
	}
	dir, _ := filepath.Abs("../../../interop/" + name)
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "openai")); err != nil {
		need("interop/" + name + " npm dependencies are not installed")
	}
	return dir
}

// TestOpenAISDKAgainstGateway: the official openai npm SDK streams a chat
// completion through the gateway from the miner with the highest incentive
// (a tool miner: the echo miner ranks lower and is not asked with k=1), gets
// the same answer unstreamed, lists the model, and a wrong key is refused
// with 401 (the SDK's AuthenticationError).
func TestOpenAISDKAgainstGateway(t *testing.T) {
	dir := interopDir(t, "openai")
	reg := prometheus.NewRegistry()
	mg := subnet(t, false, []miner.Responder{miner.Echo{}, miner.NewTool(nil, nil)}, []uint16{100, 60000})
	url := gateway(t, mg, 1, false, reg)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", "organic.mjs", url, "sk-good", "What is 17 + 25?")
	cmd.Dir = dir
	raw, err := cmd.Output()
	if err != nil {
		stderr := ""
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		t.Fatalf("node: %v\n%s", err, stderr)
	}
	var out struct {
		Chunks []string `json:"chunks"`
		Finish string   `json:"finish"`
		Whole  string   `json:"whole"`
		Models []string `json:"models"`
		Bad    *struct {
			Status int    `json:"status"`
			Name   string `json:"name"`
		} `json:"bad"`
	}
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("%v: %s", err, raw)
	}
	if strings.Join(out.Chunks, "") != "The answer is 42." || len(out.Chunks) == 0 || out.Finish != "stop" {
		t.Fatalf("stream %q finish %q", out.Chunks, out.Finish)
	}
	if out.Whole != "The answer is 42." || len(out.Models) != 1 || out.Models[0] != "taonet-sn0" {
		t.Fatalf("whole %q models %v", out.Whole, out.Models)
	}
	if out.Bad == nil || out.Bad.Status != 401 || out.Bad.Name != "AuthenticationError" {
		t.Fatalf("bad key: %+v", out.Bad)
	}
	if n := counter(t, reg, "/v1/chat/completions", "401"); n != 1 {
		t.Fatalf("401 counted %v times", n)
	}
	if n := counter(t, reg, "/v1/chat/completions", "200"); n != 2 {
		t.Fatalf("200 counted %v times", n)
	}
}

// counter reads taonet_prompting_api_requests_total{route, code}.
func counter(t *testing.T, reg *prometheus.Registry, route, code string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != "taonet_prompting_api_requests_total" {
			continue
		}
		for _, m := range mf.GetMetric() {
			l := map[string]string{}
			for _, p := range m.GetLabel() {
				l[p.GetName()] = p.GetValue()
			}
			if l["route"] == route && l["code"] == code {
				return m.GetCounter().GetValue()
			}
		}
	}
	return 0
}

// With the best miner down, the first good stream among the top k wins;
// over Epistula too; nobody answering is a 502 naming the failures.
func TestFailoverAndEpistula(t *testing.T) {
	for _, ep := range []bool{false, true} {
		mg := subnet(t, ep, []miner.Responder{nil, miner.NewTool(nil, nil), miner.Echo{}}, []uint16{65535, 30000, 10})
		url := gateway(t, mg, 2, ep, nil)
		c := openai.NewClient(url + "/v1")
		c.APIKey, c.MaxRetries = "sk-good", 0
		var chunks []string
		resp, err := c.ChatCompletionStream(context.Background(), openai.ChatCompletionRequest{Model: "m",
			Messages: []openai.Message{{Role: "user", Content: "What is 6 * 7?"}}}, func(ch openai.ChatCompletionChunk) error {
			if d := ch.Choices[0].Delta.Content; d != nil {
				chunks = append(chunks, *d)
			}
			return nil
		})
		if err != nil || string(resp.Choices[0].Message.Content) != "The answer is 42." {
			t.Fatalf("epistula %v: %v %+v %q", ep, err, resp, chunks)
		}
		dead := subnet(t, ep, []miner.Responder{nil}, []uint16{1})
		r, err := http.NewRequest("POST", gateway(t, dead, 3, ep, nil)+"/v1/chat/completions",
			strings.NewReader(`{"model":"m","messages":[{"role":"user","content":"hi"}]}`))
		if err != nil {
			t.Fatal(err)
		}
		r.Header.Set("Authorization", "Bearer sk-good")
		hr, err := http.DefaultClient.Do(r)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(hr.Body)
		hr.Body.Close()
		if hr.StatusCode != 502 || !strings.Contains(string(b), "none of the top 1 miners answered") {
			t.Fatalf("dead subnet: %d %s", hr.StatusCode, b)
		}
	}
}

func TestBadRequests(t *testing.T) {
	mg := subnet(t, false, []miner.Responder{miner.Echo{}}, []uint16{1})
	url := gateway(t, mg, 1, false, nil)
	for _, c := range []struct {
		auth, body string
		code       int
		want       string
	}{
		{"", `{}`, 401, "Incorrect API key"},
		{"Bearer sk-bad", `{}`, 401, "Incorrect API key"},
		{"Bearer sk-good", `{"messages":`, 400, "bad chat request"},
		{"Bearer sk-good", `{"messages":[{"role":"assistant","content":"x"}]}`, 400, "last message must be the user's"},
		{"Bearer sk-good", `{"messages":[{"role":"wizard","content":"x"}]}`, 400, "unknown role"},
	} {
		r, _ := http.NewRequest("POST", url+"/v1/chat/completions", strings.NewReader(c.body))
		if c.auth != "" {
			r.Header.Set("Authorization", c.auth)
		}
		hr, err := http.DefaultClient.Do(r)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(hr.Body)
		hr.Body.Close()
		if hr.StatusCode != c.code || !strings.Contains(string(b), c.want) {
			t.Errorf("%q %s: %d %s", c.auth, c.body, hr.StatusCode, b)
		}
	}
	if _, err := New(Config{Hotkey: key(t, "//Alice"), Chain: fakeChain{mg}, Keys: []string{" "}}); err == nil {
		t.Fatal("no API key accepted")
	}
}

func TestTopMiners(t *testing.T) {
	mg := &chain.Metagraph{Hotkeys: []string{"self", "a", "b", "c", "v", "off"},
		Axons:           []chain.AxonInfo{{IP: "1.1.1.1", Port: 1}, {IP: "1.1.1.1", Port: 2}, {IP: "1.1.1.1", Port: 3}, {IP: "1.1.1.1", Port: 4}, {IP: "1.1.1.1", Port: 5}, {IP: "0.0.0.0", Port: 6}},
		Incentive:       []uint16{9, 5, 7, 5, 9, 9},
		ValidatorPermit: []bool{false, false, false, false, true, false}}
	var got []string
	for _, m := range TopMiners(mg, "self", 3) {
		got = append(got, m.Hotkey)
	}
	if strings.Join(got, ",") != "b,a,c" {
		t.Fatalf("top miners %v", got)
	}
}

// scriptLLM answers every conversation with a fixed reference.
type scriptLLM struct{ answer string }

func (s scriptLLM) Chat(context.Context, []tasks.Message, tasks.ChatOptions) (string, error) {
	return s.answer, nil
}

// With scoring on, each organic answer is scored in the background against
// the LLM's reference and the score is exported.
func TestScoring(t *testing.T) {
	mg := subnet(t, false, []miner.Responder{miner.NewTool(nil, nil)}, []uint16{1})
	reg := prometheus.NewRegistry()
	g, err := New(Config{Hotkey: key(t, "//Alice//organic-validator"), Chain: fakeChain{mg}, Keys: []string{"k"}, Metrics: reg,
		Score: ReferenceScorer(scriptLLM{"The answer is 42."}, embed.Hashed{Dim: 64})})
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	srv := httptest.NewServer(g)
	defer srv.Close()
	c := openai.NewClient(srv.URL + "/v1")
	c.APIKey = "k"
	if _, err := c.ChatCompletion(context.Background(), openai.ChatCompletionRequest{Messages: []openai.Message{{Role: "user", Content: "What is 40 + 2?"}}}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		mfs, _ := reg.Gather()
		for _, mf := range mfs {
			if mf.GetName() == "taonet_prompting_api_answer_score" {
				h := mf.GetMetric()[0].GetHistogram()
				if h.GetSampleCount() == 1 {
					if s := h.GetSampleSum(); !(s > 0.5) {
						t.Fatalf("identical answer scored %v", s)
					}
					return
				}
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("no score recorded")
}
