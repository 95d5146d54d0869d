package hub

import (
	"fmt"
	"strings"
)

// routeKind names the endpoints of the hub's HTTP API.
type routeKind int

const (
	routeResolve   routeKind = iota + 1 // GET|HEAD /{ns}/{name}/resolve/{rev}/{file...}
	routeInfo                           // GET /api/models/{ns}/{name}[/revision/{rev}]
	routePreupload                      // POST /api/models/{ns}/{name}/preupload
	routeBlob                           // PUT /api/models/{ns}/{name}/blobs/{sha256}
	routeCommit                         // POST /api/models/{ns}/{name}/commit
	routeSettings                       // PUT /api/models/{ns}/{name}/settings
	routeMetrics                        // GET /metrics
	routeHealth                         // GET /healthz
)

func (k routeKind) String() string {
	switch k {
	case routeResolve:
		return "resolve"
	case routeInfo:
		return "info"
	case routePreupload:
		return "preupload"
	case routeBlob:
		return "blob"
	case routeCommit:
		return "commit"
	case routeSettings:
		return "settings"
	case routeMetrics:
		return "metrics"
	case routeHealth:
		return "healthz"
	}
	return "unknown"
}

// route is a parsed request path.
type route struct {
	kind     routeKind
	repo     string // namespace/name
	ns       string
	revision string // "main" or 40 hex (resolve, info)
	file     string // validated (resolve)
	sha      string // blob sha256 (blob)
}

// errMethod marks a known path used with the wrong method.
type errMethod struct{ allow string }

func (e errMethod) Error() string { return "method not allowed; use " + e.allow }

// parseRoute maps a method and a decoded URL path to a route. It validates
// every component (repo id, revision, file path, blob id), so handlers get
// clean values; unknown paths wrap ErrNotFound, malformed ones ErrInvalid.
func parseRoute(method, path string) (route, error) {
	if !strings.HasPrefix(path, "/") {
		return route{}, fmt.Errorf("%w path %q", ErrInvalid, path)
	}
	switch path {
	case "/metrics":
		return route{kind: routeMetrics}, wantMethod(method, "GET")
	case "/healthz":
		return route{kind: routeHealth}, wantMethod(method, "GET")
	}
	seg := strings.Split(path[1:], "/")
	if len(seg) >= 3 && seg[0] == "api" && seg[1] == "models" {
		if len(seg) < 4 {
			return route{}, fmt.Errorf("path %q: %w", path, ErrNotFound)
		}
		rt := route{repo: seg[2] + "/" + seg[3]}
		ns, _, err := ParseRepoID(rt.repo)
		if err != nil {
			return route{}, err
		}
		rt.ns = ns
		rest := seg[4:]
		switch {
		case len(rest) == 0:
			rt.kind, rt.revision = routeInfo, "main"
			return rt, wantMethod(method, "GET")
		case len(rest) == 2 && rest[0] == "revision":
			rt.kind, rt.revision = routeInfo, rest[1]
			if err := checkRevision(rt.revision); err != nil {
				return route{}, err
			}
			return rt, wantMethod(method, "GET")
		case len(rest) == 1 && rest[0] == "preupload":
			rt.kind = routePreupload
			return rt, wantMethod(method, "POST")
		case len(rest) == 1 && rest[0] == "commit":
			rt.kind = routeCommit
			return rt, wantMethod(method, "POST")
		case len(rest) == 1 && rest[0] == "settings":
			rt.kind = routeSettings
			return rt, wantMethod(method, "PUT")
		case len(rest) == 2 && rest[0] == "blobs":
			rt.kind, rt.sha = routeBlob, rest[1]
			if !ValidSHA256(rt.sha) {
				return route{}, fmt.Errorf("%w blob id %q: want 64 lowercase hex", ErrInvalid, rt.sha)
			}
			return rt, wantMethod(method, "PUT")
		}
		return route{}, fmt.Errorf("path %q: %w", path, ErrNotFound)
	}
	if len(seg) >= 5 && seg[2] == "resolve" {
		rt := route{kind: routeResolve, repo: seg[0] + "/" + seg[1], revision: seg[3], file: strings.Join(seg[4:], "/")}
		ns, _, err := ParseRepoID(rt.repo)
		if err != nil {
			return route{}, err
		}
		rt.ns = ns
		if err := checkRevision(rt.revision); err != nil {
			return route{}, err
		}
		if err := ValidatePath(rt.file); err != nil {
			return route{}, err
		}
		return rt, wantMethod(method, "GET", "HEAD")
	}
	return route{}, fmt.Errorf("path %q: %w", path, ErrNotFound)
}

func checkRevision(rev string) error {
	if rev == "main" || ValidRevisionID(rev) {
		return nil
	}
	return fmt.Errorf("%w revision %q: want main or 40 lowercase hex", ErrInvalid, rev)
}

func wantMethod(method string, allowed ...string) error {
	for _, a := range allowed {
		if method == a {
			return nil
		}
	}
	return errMethod{allow: strings.Join(allowed, ", ")}
}
