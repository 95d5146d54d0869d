#!/usr/bin/env bash
# A/B of the synapse package on the fan-out benchmark: bench/fanout-ab.sh OLD [RUNS] [ROUNDS] [DIR]
# (through scripts/bench.sh fanout-ab, which keeps the raw output). Builds taonet
# twice from the work tree, once with synapse/ (or DIR, e.g. keys/; "all" for the
# whole tree, benchmark included) as of revision OLD,
# or with OLD = revert:C1,C2,... without those commits' changes to it (everything
# else as now), runs both `synapse bench --axons 256 --sleep 50ms --rounds
# ROUNDS` (default 30) alternately RUNS times (default 4) and names each BENCH row after its binary and
# run ("old, run 1"), so the table in BENCHMARKS.md pairs them. On a shared machine the
# alternation matters more than the number of runs.
set -euo pipefail
cd "$(dirname "$0")/.."
old="${1:?usage: bench/fanout-ab.sh OLD-REVISION [RUNS]}"
runs="${2:-4}"
rounds="${3:-30}"
dir="${4:-synapse/}"
tmp="$(mktemp -d)"
trap 'git worktree remove --force "$tmp/src" >/dev/null 2>&1 || true; rm -rf "$tmp"' EXIT
git worktree add --detach "$tmp/src" HEAD >/dev/null 2>&1
. bench/oldtree.sh
what="$(old_tree "$tmp/src" "$old" "$dir")"
(cd "$tmp/src" && go build -o "$tmp/old" ./cmd/taonet)
go build -o "$tmp/new" ./cmd/taonet
echo "old: $what; new: the work tree"
for i in $(seq 1 "$runs"); do
  for v in old new; do
    echo "## run $i $v (load $(cut -d' ' -f1-3 /proc/loadavg))"
    "$tmp/$v" synapse bench --axons 256 --sleep 50ms --rounds "$rounds" 2>&1 |
      sed "s/^BENCH\t[^\t]*/BENCH\t$v, run $i/"
  done
done
