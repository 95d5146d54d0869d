#!/usr/bin/env bash
# The README's test command. Installs what the tests need (idempotently), then
# checks formatting, vets, and runs the whole test suite. CI runs exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."

export GOFLAGS="${GOFLAGS:--buildvcs=false}"
command -v go >/dev/null || { echo "Go is required (https://go.dev/dl)"; exit 1; }

# Test-time dependencies are installed by scripts/setup.sh (idempotent).
bash scripts/setup.sh test

echo "== gofmt"
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './node_modules/*'))
if [ -n "$unformatted" ]; then
  echo "gofmt would change:"; echo "$unformatted"; exit 1
fi

echo "== go vet"
go vet ./...

echo "== go test"
# Packages with concurrency run under the race detector as well; the list grows
# with the code (only directories that exist are passed).
race_pkgs=()
for p in keys synapse node client hub localnet subnets/prompting subnets/finetuning netserve subtensor/rpc subtensor/e2e; do
  [ -d "$p" ] && race_pkgs+=("./$p/...")
done
# The subtensor client's head followers (the package alone; its rpc and e2e are above).
[ -d subtensor ] && race_pkgs+=("./subtensor")
# The dashboard browser test (localnet) saves its screenshot here; printed below.
export TAONET_SCREENSHOT="${TMPDIR:-/tmp}/taonet-dashboard-$$.png"
rm -f "$TAONET_SCREENSHOT"
go test -count=1 -timeout 20m ./...
if [ ${#race_pkgs[@]} -gt 0 ]; then
  echo "== go test -race ${race_pkgs[*]}"
  go test -count=1 -race -timeout 20m "${race_pkgs[@]}"
fi
[ -f "$TAONET_SCREENSHOT" ] && echo "dashboard screenshot (headless Chromium): $TAONET_SCREENSHOT"
echo "== all tests passed"
