#!/usr/bin/env bash
# A/B of the synapse package on the fan-out benchmark: bench/fanout-ab.sh OLD [RUNS]
# builds taonet twice from HEAD, once with synapse/ as of revision OLD (everything
# else, keys included, as at HEAD), runs both `synapse bench --axons 256 --sleep 50ms
# --rounds 30` alternately RUNS times (default 4), and writes the raw output to
# bench/results/fanout-ab/<UTC time>-<commit>.txt with each BENCH row named after
# its binary and run ("old, run 1"), so the table in BENCHMARKS.md pairs them. On a
# shared machine the alternation matters more than the number of runs.
set -euo pipefail
cd "$(dirname "$0")/.."
old="${1:?usage: bench/fanout-ab.sh OLD-REVISION [RUNS]}"
runs="${2:-4}"
export GOFLAGS="${GOFLAGS:--buildvcs=false}"
tmp="$(mktemp -d)"
trap 'git worktree remove --force "$tmp/src" >/dev/null 2>&1 || true; rm -rf "$tmp"' EXIT
git worktree add --detach "$tmp/src" HEAD >/dev/null
(cd "$tmp/src" && git checkout "$old" -- synapse/ && go build -o "$tmp/old" ./cmd/taonet)
go build -o "$tmp/new" ./cmd/taonet
commit="$(git rev-parse --short=12 HEAD)"
git diff --quiet HEAD -- . ':!bench/results' ':!BENCHMARKS.md' || commit="$commit-dirty"
mkdir -p bench/results/fanout-ab
out="bench/results/fanout-ab/$(date -u +%Y%m%dT%H%M%SZ)-$commit.txt"
{
  echo "# bench: fanout-ab"
  echo "# date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "# commit: $commit (new) vs the same with synapse/ as of $(git rev-parse --short=12 "$old") (old)"
  echo "# machine: $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ //'), $(nproc) CPUs, $(uname -sr), $(go version | cut -d' ' -f3-)"
  echo "# command: bench/fanout-ab.sh $old $runs (taonet synapse bench --axons 256 --sleep 50ms --rounds 30, old and new alternately)"
  echo "# load before: $(cut -d' ' -f1-3 /proc/loadavg)"
  for i in $(seq 1 "$runs"); do
    for v in old new; do
      echo "## run $i $v (load $(cut -d' ' -f1-3 /proc/loadavg))"
      "$tmp/$v" synapse bench --axons 256 --sleep 50ms --rounds 30 2>&1 |
        sed "s/^BENCH\t[^\t]*/BENCH\t$v, run $i/"
    done
  done
  echo "# load after: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$out"
go run ./bench/tables -results bench/results -md BENCHMARKS.md
echo "== raw output: $out"
