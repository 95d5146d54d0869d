#!/usr/bin/env bash
# The fan-out benchmark, RUNS times in a row: bench/fanout.sh [RUNS] [ROUNDS] [PROCS]
# (through scripts/bench.sh fanout or fanout-procs, which keep the raw output). Each
# run is `taonet synapse bench --axons 256 --sleep 50ms --rounds ROUNDS` (default 3
# runs of 100 rounds): 256 real axons over loopback and one dendrite in one process,
# 50 ms handlers. With 100 rounds the p99 is the 99th of 100 fan-outs (nearest rank);
# with 30 it would be the slowest one. Rows are named "run 1", "run 2", ... so the
# table shows the spread between runs rather than one lucky or unlucky run.
#
# PROCS (e.g. "2,3") runs each round of runs once per GOMAXPROCS value, alternately,
# rows named "GOMAXPROCS=p, run i". It is a diagnosis, not a setting: on the 2-core
# machine a third P mostly adds a thread that finds the network poller's ready
# connections while the other two run goroutines, so the difference in overhead is
# how long ready responses wait for the Go scheduler on saturated cores.
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-3}"
rounds="${2:-100}"
procs="${3:-}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/taonet" ./cmd/taonet
bench() { "$tmp/taonet" synapse bench --axons 256 --sleep 50ms --rounds "$rounds" 2>&1; }
for i in $(seq 1 "$runs"); do
  if [ -z "$procs" ]; then
    echo "## run $i (load $(cut -d' ' -f1-3 /proc/loadavg))"
    bench | sed "s/^BENCH\t[^\t]*/BENCH\trun $i: 256 axons, 50ms handlers, $rounds rounds/"
    continue
  fi
  for p in ${procs//,/ }; do
    echo "## run $i GOMAXPROCS=$p (load $(cut -d' ' -f1-3 /proc/loadavg))"
    GOMAXPROCS=$p bench | sed "s/^BENCH\t[^\t]*/BENCH\tGOMAXPROCS=$p, run $i/"
  done
done
