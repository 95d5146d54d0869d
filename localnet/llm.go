package localnet

import (
	"context"
	"fmt"
	"net/http"
	"strconv"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/taonet/taonet/lm/serve"
	"github.com/taonet/taonet/lm/serve/modelengine"
)

// startLLM serves Options.LLMModelDir with the taonet LM engine over the
// OpenAI-compatible API (as `taonet model serve`) and points LLMURL at it.
func (n *Net) startLLM(context.Context) (string, error) {
	if n.o.LLMModelDir == "" {
		if n.o.LLMURL != "" {
			return "using " + n.o.LLMURL, nil
		}
		return "none (offline tasks and tool miners; --llm-url or --llm-model-dir adds one)", nil
	}
	eng, err := modelengine.Load(n.o.LLMModelDir, modelengine.Options{})
	if err != nil {
		return "", err
	}
	log, _, logPath := n.logger("llm")
	reg := prometheus.NewRegistry()
	reqs := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "taonet_llm_requests_total",
		Help: "OpenAI-compatible API requests by path and status."}, []string{"path", "code"})
	reg.MustRegister(reqs)
	api := serve.New(eng, serve.Options{Logger: log})
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	mux.Handle("/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sw := &codeWriter{ResponseWriter: w, code: 200}
		api.ServeHTTP(sw, r)
		reqs.WithLabelValues(r.URL.Path, strconv.Itoa(sw.code)).Inc()
	}))
	ln, err := listen("127.0.0.1:0")
	if err != nil {
		return "", err
	}
	base := n.serve(ln, mux)
	n.o.LLMURL, n.o.LLMModel = base+"/v1", eng.ModelID()
	n.addProc(Process{Name: "llm", Role: "LLM server (" + eng.ModelID() + ")", URL: n.o.LLMURL, Metrics: base + "/metrics", Log: logPath})
	return fmt.Sprintf("serving %s at %s", eng.ModelID(), n.o.LLMURL), nil
}

// codeWriter records the status code; Flush passes through for streaming.
type codeWriter struct {
	http.ResponseWriter
	code int
}

// WriteHeader records the code.
func (c *codeWriter) WriteHeader(code int) { c.code = code; c.ResponseWriter.WriteHeader(code) }

// Flush streams server-sent events through the wrapper.
func (c *codeWriter) Flush() {
	if f, ok := c.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}
