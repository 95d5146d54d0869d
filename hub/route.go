package hub

import (
	"fmt"
	"strings"
)

// routeKind names the endpoints of the hub's HTTP API.
type routeKind int

const (
	routeResolve     routeKind = iota + 1 // GET|HEAD /{ns}/{name}/resolve/{rev}/{file...}
	routeRaw                              // GET|HEAD /{ns}/{name}/raw/{rev}/{file...}
	routeInfo                             // GET /api/models/{ns}/{name}[/revision/{rev}]
	routeTree                             // GET /api/models/{ns}/{name}/tree/{rev}[/{path...}]
	routePathsInfo                        // POST /api/models/{ns}/{name}/paths-info/{rev}
	routePreupload                        // POST /api/models/{ns}/{name}/preupload (signed manifest)
	routeHFPreupload                      // POST /api/models/{ns}/{name}/preupload/{rev} (Hub protocol)
	routeBlob                             // PUT /api/models/{ns}/{name}/blobs/{sha256}
	routeCommit                           // POST /api/models/{ns}/{name}/commit (signed manifest)
	routeHFCommit                         // POST /api/models/{ns}/{name}/commit/{rev} (NDJSON)
	routeSettings                         // PUT /api/models/{ns}/{name}/settings
	routeCreate                           // POST /api/repos/create
	routeWhoami                           // GET /api/whoami-v2
	routeChallenge                        // POST /api/auth/challenge
	routeToken                            // POST /api/auth/token
	routeTag                              // POST /api/models/{ns}/{name}/tag/{rev}
	routeRefs                             // GET /api/models/{ns}/{name}/refs
	routeLFSBatch                         // POST /{ns}/{name}.git/info/lfs/objects/batch
	routeLFSPut                           // PUT /api/lfs/{ns}/{name}/{oid}?… (batch action href)
	routeLFSVerify                        // POST /api/lfs/{ns}/{name}/{oid}/verify?…
	routeMetrics                          // GET /metrics
	routeHealth                           // GET /healthz
)

var routeNames = map[routeKind]string{
	routeResolve: "resolve", routeRaw: "raw", routeInfo: "info", routeTree: "tree", routePathsInfo: "paths-info",
	routePreupload: "preupload", routeHFPreupload: "hf-preupload", routeBlob: "blob", routeCommit: "commit",
	routeHFCommit: "hf-commit", routeSettings: "settings", routeCreate: "create", routeWhoami: "whoami",
	routeChallenge: "challenge", routeToken: "token", routeLFSBatch: "lfs-batch", routeLFSPut: "lfs-put",
	routeLFSVerify: "lfs-verify", routeMetrics: "metrics", routeHealth: "healthz", routeTag: "tag", routeRefs: "refs",
}

func (k routeKind) String() string {
	if n, ok := routeNames[k]; ok {
		return n
	}
	return "unknown"
}

// writes reports whether the route changes the store (its failures are logged).
func (k routeKind) writes() bool {
	switch k {
	case routePreupload, routeHFPreupload, routeBlob, routeCommit, routeHFCommit, routeSettings,
		routeCreate, routeLFSBatch, routeLFSPut, routeLFSVerify, routeTag:
		return true
	}
	return false
}

// route is a parsed request path.
type route struct {
	kind     routeKind
	repo     string // namespace/name
	ns       string
	revision string // "main", "HEAD", a ref name or 40 hex
	file     string // validated file path (resolve, raw) or tree path ("" = root)
	sha      string // blob sha256 (blob, lfs)
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
	case "/api/repos/create":
		return route{kind: routeCreate}, wantMethod(method, "POST")
	case "/api/whoami-v2":
		return route{kind: routeWhoami}, wantMethod(method, "GET")
	case "/api/auth/challenge":
		return route{kind: routeChallenge}, wantMethod(method, "POST")
	case "/api/auth/token":
		return route{kind: routeToken}, wantMethod(method, "POST")
	}
	seg := strings.Split(path[1:], "/")
	switch {
	case len(seg) >= 4 && seg[0] == "api" && seg[1] == "models":
		return parseAPIRoute(method, path, seg[2], seg[3], seg[4:])
	case len(seg) >= 5 && seg[0] == "api" && seg[1] == "lfs":
		return parseLFSRoute(method, path, seg[2], seg[3], seg[4:])
	case len(seg) == 6 && strings.HasSuffix(seg[1], ".git") && seg[2] == "info" && seg[3] == "lfs" && seg[4] == "objects" && seg[5] == "batch":
		rt, err := repoRoute(routeLFSBatch, seg[0], strings.TrimSuffix(seg[1], ".git"))
		if err != nil {
			return route{}, err
		}
		return rt, wantMethod(method, "POST")
	case len(seg) >= 5 && (seg[2] == "resolve" || seg[2] == "raw"):
		kind := routeResolve
		if seg[2] == "raw" {
			kind = routeRaw
		}
		rt, err := repoRoute(kind, seg[0], seg[1])
		if err != nil {
			return route{}, err
		}
		rt.revision, rt.file = seg[3], strings.Join(seg[4:], "/")
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

func repoRoute(kind routeKind, ns, name string) (route, error) {
	rt := route{kind: kind, repo: ns + "/" + name}
	var err error
	if rt.ns, _, err = ParseRepoID(rt.repo); err != nil {
		return route{}, err
	}
	return rt, nil
}

// parseAPIRoute parses /api/models/{ns}/{name}/{rest...}.
func parseAPIRoute(method, path, ns, name string, rest []string) (route, error) {
	rt, err := repoRoute(0, ns, name)
	if err != nil {
		return route{}, err
	}
	withRev := func(kind routeKind, rev string, m ...string) (route, error) {
		rt.kind, rt.revision = kind, rev
		if err := checkRevision(rev); err != nil {
			return route{}, err
		}
		return rt, wantMethod(method, m...)
	}
	switch {
	case len(rest) == 0:
		return withRev(routeInfo, "HEAD", "GET")
	case len(rest) == 2 && rest[0] == "revision":
		return withRev(routeInfo, rest[1], "GET")
	case len(rest) >= 2 && rest[0] == "tree":
		rt.file = strings.TrimSuffix(strings.Join(rest[2:], "/"), "/")
		if rt.file != "" {
			if err := ValidatePath(rt.file); err != nil {
				return route{}, err
			}
		}
		return withRev(routeTree, rest[1], "GET")
	case len(rest) == 2 && rest[0] == "paths-info":
		return withRev(routePathsInfo, rest[1], "POST")
	case len(rest) == 2 && rest[0] == "preupload":
		return withRev(routeHFPreupload, rest[1], "POST")
	case len(rest) == 2 && rest[0] == "commit":
		return withRev(routeHFCommit, rest[1], "POST")
	case len(rest) == 2 && rest[0] == "tag":
		return withRev(routeTag, rest[1], "POST")
	case len(rest) == 1 && rest[0] == "refs":
		rt.kind = routeRefs
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

// parseLFSRoute parses /api/lfs/{ns}/{name}/{oid}[/verify], the targets of
// the LFS batch answer's upload and verify actions.
func parseLFSRoute(method, path, ns, name string, rest []string) (route, error) {
	rt, err := repoRoute(routeLFSPut, ns, name)
	if err != nil {
		return route{}, err
	}
	rt.sha = rest[0]
	if !ValidSHA256(rt.sha) {
		return route{}, fmt.Errorf("%w LFS oid %q: want 64 lowercase hex", ErrInvalid, rt.sha)
	}
	switch {
	case len(rest) == 1:
		return rt, wantMethod(method, "PUT")
	case len(rest) == 2 && rest[1] == "verify":
		rt.kind = routeLFSVerify
		return rt, wantMethod(method, "POST")
	}
	return route{}, fmt.Errorf("path %q: %w", path, ErrNotFound)
}

// checkRevision accepts "main", "HEAD", a 40-hex commit and other ref names
// (1-96 characters of [A-Za-z0-9._-], resolved or answered RevisionNotFound
// by the store).
func checkRevision(rev string) error {
	if rev == "main" || rev == "HEAD" || ValidRevisionID(rev) || validName(rev) == nil {
		return nil
	}
	return fmt.Errorf("%w revision %q: want a branch, HEAD or a 40-hex commit", ErrInvalid, rev)
}

func wantMethod(method string, allowed ...string) error {
	for _, a := range allowed {
		if method == a {
			return nil
		}
	}
	return errMethod{allow: strings.Join(allowed, ", ")}
}
