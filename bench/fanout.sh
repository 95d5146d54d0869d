#!/usr/bin/env bash
# The fan-out benchmark, RUNS times in a row: bench/fanout.sh [RUNS] [ROUNDS]
# (through scripts/bench.sh fanout, which keeps the raw output). Each run is `taonet
# synapse bench --axons 256 --sleep 50ms --rounds ROUNDS` (default 3 runs of 100
# rounds): 256 real axons over loopback and one dendrite in one process, 50 ms
# handlers. With 100 rounds the p99 is the 99th of 100 fan-outs (nearest rank); with
# 30 it would be the slowest one. Rows are named "run 1", "run 2", ... so the table
# shows the spread between runs rather than one lucky or unlucky run.
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-3}"
rounds="${2:-100}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/taonet" ./cmd/taonet
for i in $(seq 1 "$runs"); do
  echo "## run $i (load $(cut -d' ' -f1-3 /proc/loadavg))"
  "$tmp/taonet" synapse bench --axons 256 --sleep 50ms --rounds "$rounds" 2>&1 |
    sed "s/^BENCH\t[^\t]*/BENCH\trun $i: 256 axons, 50ms handlers, $rounds rounds/"
done
