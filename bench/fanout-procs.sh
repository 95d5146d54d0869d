#!/usr/bin/env bash
# A diagnosis, not a setting: the fan-out benchmark with GOMAXPROCS=2 (the default on
# the 2-core machine) and GOMAXPROCS=3, alternately: bench/fanout-procs.sh [RUNS]
# [ROUNDS] (through scripts/bench.sh fanout-procs, which keeps the raw output). The
# same work on the same two cores; a third P mostly adds a thread that finds the
# network poller's ready connections while the other two run goroutines. The
# difference in overhead is how long ready responses wait for the Go scheduler when
# the 256 axons and the dendrite saturate both cores in one process.
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-3}"
rounds="${2:-100}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/taonet" ./cmd/taonet
for i in $(seq 1 "$runs"); do
  for p in 2 3; do
    echo "## run $i GOMAXPROCS=$p (load $(cut -d' ' -f1-3 /proc/loadavg))"
    GOMAXPROCS=$p "$tmp/taonet" synapse bench --axons 256 --sleep 50ms --rounds "$rounds" 2>&1 |
      sed "s/^BENCH\t[^\t]*/BENCH\tGOMAXPROCS=$p, run $i/"
  done
done
