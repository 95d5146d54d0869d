package dashboard

import (
	"bufio"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// fakeNode answers like a node: JSON status and an SSE block stream.
func fakeNode(t *testing.T) *httptest.Server {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v1/status", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"chain_id":"c","height":7}`)
	})
	mux.HandleFunc("GET /api/v1/blocks/stream", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		for h := 1; h <= 2; h++ {
			io.WriteString(w, "event: block\ndata: {\"height\":"+string(rune('0'+h))+"}\n\n")
			w.(http.Flusher).Flush()
		}
		<-r.Context().Done() // a stream stays open
	})
	mux.HandleFunc("GET /metrics", func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "# TYPE x counter\nx 1\n") })
	s := httptest.NewServer(mux)
	t.Cleanup(s.Close)
	return s
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestHandlerServesStaticAndProxies(t *testing.T) {
	node := fakeNode(t)
	h, err := Handler(Options{NodeURL: node.URL + "/"})
	if err != nil {
		t.Fatal(err)
	}
	s := httptest.NewServer(h)
	defer s.Close()
	for path, want := range map[string]string{
		"/":                         "taonet dashboard",
		"/app.js":                   "EventSource",
		"/style.css":                "--accent",
		"/vendor/uPlot.iife.min.js": "uPlot",
		"/vendor/LICENSE":           "MIT",
		"/api/v1/status":            `"height":7`,
		"/node/metrics":             "# TYPE x counter",
	} {
		code, body := get(t, s.URL+path)
		if code != 200 || !strings.Contains(body, want) {
			t.Errorf("GET %s: %d, body lacks %q: %.120s", path, code, want, body)
		}
	}
	if code, body := get(t, s.URL+"/api/localnet/info"); code != 404 || !strings.Contains(body, "not a localnet") {
		t.Errorf("localnet api without a localnet: %d %s", code, body)
	}
}

// The block stream reaches the browser event by event through the proxy.
func TestProxyStreamsEvents(t *testing.T) {
	node := fakeNode(t)
	h, _ := Handler(Options{NodeURL: node.URL})
	s := httptest.NewServer(h)
	defer s.Close()
	c := &http.Client{Timeout: 10 * time.Second}
	resp, err := c.Get(s.URL + "/api/v1/blocks/stream")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	var data []string
	for len(data) < 2 && sc.Scan() {
		if strings.HasPrefix(sc.Text(), "data: ") {
			data = append(data, sc.Text())
		}
	}
	if len(data) != 2 || data[1] != `data: {"height":2}` {
		t.Fatalf("events %q (%v)", data, sc.Err())
	}
}

func TestLocalHandlerMounted(t *testing.T) {
	node := fakeNode(t)
	local := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "local "+r.URL.Path) })
	h, _ := Handler(Options{NodeURL: node.URL, Local: local})
	s := httptest.NewServer(h)
	defer s.Close()
	if code, body := get(t, s.URL+"/api/localnet/feed"); code != 200 || body != "local /api/localnet/feed" {
		t.Fatalf("%d %q", code, body)
	}
}

func TestNodeDownIsJSON502(t *testing.T) {
	h, _ := Handler(Options{NodeURL: "http://127.0.0.1:1"})
	s := httptest.NewServer(h)
	defer s.Close()
	code, body := get(t, s.URL+"/api/v1/status")
	if code != http.StatusBadGateway || !strings.Contains(body, `"code":502`) {
		t.Fatalf("%d %s", code, body)
	}
}

func TestBadNodeURL(t *testing.T) {
	for _, u := range []string{"", "127.0.0.1:26680", "ftp://x", "http://", "://"} {
		if _, err := Handler(Options{NodeURL: u}); err == nil {
			t.Errorf("node URL %q accepted", u)
		}
	}
}
