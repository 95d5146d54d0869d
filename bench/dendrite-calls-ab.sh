#!/usr/bin/env bash
# A/B of the dendrite's own cost per call: bench/dendrite-calls-ab.sh OLD [RUNS]
# (through scripts/bench.sh dendrite-calls-ab, which keeps the raw output). Builds the
# synapse test binary twice, from the work tree and with synapse/ as bench/oldtree.sh
# makes it from OLD (revert:C1,... takes those commits back out of HEAD), the old
# tree getting the current synapse/dendrite_alloc_test.go so both run the same
# benchmark, then runs BenchmarkDendriteFanOut64 alternately RUNS times (default 3):
# a 64-way fan-out against replay servers of a real axon's response, so the
# allocations and bytes are the dendrite's alone (the process CPU also has the
# replay servers' reads and writes). Each run becomes a BENCH row of per-call figures.
set -euo pipefail
cd "$(dirname "$0")/.."
old="${1:?usage: bench/dendrite-calls-ab.sh OLD-REVISION [RUNS]}"
runs="${2:-3}"
tmp="$(mktemp -d)"
trap 'git worktree remove --force "$tmp/src" >/dev/null 2>&1 || true; rm -rf "$tmp"' EXIT
. bench/oldtree.sh
ab_synapse_tests "$tmp" "$old" synapse/dendrite_alloc_test.go
# metric LINE UNIT DIV prints the value before UNIT in a go test -bench line, over DIV.
metric() { awk -v u="$2" -v d="$3" '{for (i = 1; i < NF; i++) if ($(i+1) == u) printf "%.1f", $i / d}' <<<"$1"; }
for i in $(seq 1 "$runs"); do
  for v in old new; do
    echo "## run $i $v (load $(cut -d' ' -f1-3 /proc/loadavg))"
    line="$("$tmp/$v.test" -test.run '^$' -test.bench 'DendriteFanOut64' -test.benchtime 400x -test.benchmem 2>&1 | grep '^Benchmark')"
    echo "$line"
    printf 'BENCH\t%s, run %s\tallocs per call=%s\tbytes per call=%s\tprocess CPU per call=%s µs\n' \
      "$v" "$i" "$(metric "$line" allocs/op 64)" "$(metric "$line" B/op 64)" "$(metric "$line" cpu-ns/op 64000)"
  done
done
