// Package dashboard serves taonet's web dashboard: static files embedded in
// the binary (HTML, CSS, JavaScript and the vendored uPlot charting library,
// MIT, no build step) plus a reverse proxy to a node's JSON API, so the page
// reads the chain and follows its block stream (server-sent events) from one
// origin. A localnet adds its own endpoints under /api/localnet/ (processes,
// prompting challenges, finetuning leaderboard, dataset feed); without them
// the page shows the chain panels only.
package dashboard
