package dashboard

import (
	"embed"
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
	"time"
)

//go:embed static
var static embed.FS

// Static returns the embedded static files (index.html at the root).
func Static() fs.FS {
	sub, err := fs.Sub(static, "static")
	if err != nil {
		panic(err) // the embed directive guarantees the directory
	}
	return sub
}

// Options configure Handler.
type Options struct {
	// NodeURL is the node API base URL (e.g. http://127.0.0.1:26680).
	NodeURL string
	// Local, if set, serves /api/localnet/ (localnet's own data).
	Local http.Handler
}

// Handler serves the dashboard: the static page at /, the node API proxied
// under /api/v1/ (block stream included, flushed per event), and
// opts.Local under /api/localnet/.
func Handler(opts Options) (http.Handler, error) {
	u, err := url.Parse(strings.TrimRight(opts.NodeURL, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("dashboard: node URL %q: want http(s)://host:port", opts.NodeURL)
	}
	proxy := &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			r.SetURL(u)
			r.Out.Host = u.Host
		},
		FlushInterval: 100 * time.Millisecond,
		ErrorHandler: func(w http.ResponseWriter, _ *http.Request, err error) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusBadGateway)
			fmt.Fprintf(w, `{"code":502,"message":%q}`, "node unreachable: "+err.Error())
		},
	}
	mux := http.NewServeMux()
	mux.Handle("/api/v1/", proxy)
	mux.Handle("GET /node/metrics", http.StripPrefix("/node", proxy))
	if opts.Local != nil {
		mux.Handle("/api/localnet/", opts.Local)
	} else {
		mux.HandleFunc("/api/localnet/", func(w http.ResponseWriter, _ *http.Request) {
			http.Error(w, `{"code":404,"message":"not a localnet"}`, http.StatusNotFound)
		})
	}
	files := http.FileServerFS(Static())
	mux.Handle("/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-cache")
		files.ServeHTTP(w, r)
	}))
	return mux, nil
}
