#!/usr/bin/env bash
# A/B of the synapse package on the fan-out benchmark: bench/fanout-ab.sh OLD [RUNS] [ROUNDS]
# (through scripts/bench.sh fanout-ab, which keeps the raw output). Builds taonet
# twice from the work tree, once with synapse/ as of revision OLD (everything else,
# keys included, as now), runs both `synapse bench --axons 256 --sleep 50ms --rounds
# ROUNDS` (default 30) alternately RUNS times (default 4) and names each BENCH row after its binary and
# run ("old, run 1"), so the table in BENCHMARKS.md pairs them. On a shared machine the
# alternation matters more than the number of runs.
set -euo pipefail
cd "$(dirname "$0")/.."
old="${1:?usage: bench/fanout-ab.sh OLD-REVISION [RUNS]}"
runs="${2:-4}"
rounds="${3:-30}"
tmp="$(mktemp -d)"
trap 'git worktree remove --force "$tmp/src" >/dev/null 2>&1 || true; rm -rf "$tmp"' EXIT
git worktree add --detach "$tmp/src" HEAD >/dev/null 2>&1
(cd "$tmp/src" && git checkout "$old" -- synapse/ && go build -o "$tmp/old" ./cmd/taonet)
go build -o "$tmp/new" ./cmd/taonet
echo "old: synapse/ as of $(git rev-parse --short=12 "$old"); new: the work tree"
for i in $(seq 1 "$runs"); do
  for v in old new; do
    echo "## run $i $v (load $(cut -d' ' -f1-3 /proc/loadavg))"
    "$tmp/$v" synapse bench --axons 256 --sleep 50ms --rounds "$rounds" 2>&1 |
      sed "s/^BENCH\t[^\t]*/BENCH\t$v, run $i/"
  done
done
