#!/usr/bin/env bash
# The README's main command: installs what localnet needs (idempotently), builds
# taonet and runs the whole network on this machine. Extra arguments go to
# `taonet localnet` (see `taonet localnet --help`).
set -euo pipefail
cd "$(dirname "$0")/.."
export GOFLAGS="${GOFLAGS:--buildvcs=false}"
command -v go >/dev/null || { echo "Go is required (https://go.dev/dl)"; exit 1; }
bash scripts/setup.sh run
mkdir -p bin
echo "== building bin/taonet"
go build -o bin/taonet ./cmd/taonet
exec ./bin/taonet localnet "$@"
