#!/usr/bin/env bash
# A/B of the keys package: bench/keys-ab.sh OLD [RUNS] (through scripts/bench.sh
# keys-ab, which keeps the raw output). Builds the keys test binary twice, once
# with keys/ as of revision OLD and once from the work tree, and runs
# BenchmarkSign and BenchmarkPublicKeyVerify of both alternately RUNS times
# (default 3), naming each BENCH row after its side and run ("old, run 1,
# Sign") so the table in BENCHMARKS.md pairs them. On a shared machine the
# alternation matters more than the number of runs; compare "cpu time per op".
set -euo pipefail
cd "$(dirname "$0")/.."
old="${1:?usage: bench/keys-ab.sh OLD-REVISION [RUNS]}"
runs="${2:-3}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/src"
git archive HEAD | tar -x -C "$tmp/src"
rm -rf "$tmp/src/keys"
git archive "$old" keys | tar -x -C "$tmp/src"
(cd "$tmp/src" && go test -c -o "$tmp/old.test" ./keys/)
go test -c -o "$tmp/new.test" ./keys/
echo "old: keys/ as of $(git rev-parse --short=12 "$old"); new: the work tree"
for i in $(seq 1 "$runs"); do
  for v in old new; do
    echo "## run $i $v (load $(cut -d' ' -f1-3 /proc/loadavg))"
    (cd keys && "$tmp/$v.test" -test.run '^$' -test.bench '^Benchmark(Sign|PublicKeyVerify)$' \
      -test.benchtime 20000x -test.benchmem -test.cpu 1) |
      go run ./bench/gobench | sed "s/^BENCH\t/BENCH\t$v, run $i, /"
  done
done
