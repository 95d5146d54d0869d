#!/usr/bin/env bash
# Sign against SignMany (batches of 1, 32, 256): bench/keys-batch.sh [RUNS]
# (through scripts/bench.sh keys-batch, which keeps the raw output). One keys
# test binary runs BenchmarkSign and BenchmarkSignMany alternately RUNS times
# (default 3), each op one signature, rows named after their run ("run 1,
# Sign"). Sign is the one-at-a-time path SignMany replaces for a fan-out;
# compare "cpu time per op" (the thread's own CPU time per signature).
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-3}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
go test -c -o "$tmp/keys.test" ./keys/
for i in $(seq 1 "$runs"); do
  for b in Sign SignMany; do
    echo "## run $i $b (load $(cut -d' ' -f1-3 /proc/loadavg))"
    (cd keys && "$tmp/keys.test" -test.run '^$' -test.bench "^Benchmark$b\$" \
      -test.benchtime 20000x -test.benchmem -test.cpu 1) |
      go run ./bench/gobench | sed "s/^BENCH\t/BENCH\trun $i, /"
  done
done
