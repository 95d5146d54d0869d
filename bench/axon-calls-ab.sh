#!/usr/bin/env bash
# A/B of the axon's own allocations and time per request: bench/axon-calls-ab.sh OLD
# [RUNS] (through scripts/bench.sh axonalloc-ab, which keeps the raw output). Builds
# the synapse test binary twice, from the work tree and with synapse/ as
# bench/oldtree.sh makes it from OLD (revert:C1,... takes those commits back out of
# HEAD), the old tree getting the current synapse/axon_bench_test.go so both run the
# same benchmarks, then alternately RUNS times (default 3) runs, for each binary:
#   - BenchmarkAxonConn (the axon behind its HTTP server, requests read from and
#     responses written to a connection in memory, sr25519 stubbed): nearly every
#     allocation and byte is the axon's;
#   - BenchmarkAxonConnDone, the same with a handler that waits on ctx.Done() (as
#     the fan-out's sleeping handler does);
#   - BenchmarkAxonServe/conns=8 (verified requests over 8 keep-alive loopback
#     connections, signed before the timer; real sr25519 verify and sign).
# No fan-out: it is the lead's to run on a quiet machine. Each run becomes one BENCH
# row ("old, run 1", "new, run 1", ...).
set -euo pipefail
cd "$(dirname "$0")/.."
old="${1:?usage: bench/axon-calls-ab.sh OLD-REVISION [RUNS]}"
runs="${2:-3}"
tmp="$(mktemp -d)"
trap 'git worktree remove --force "$tmp/src" >/dev/null 2>&1 || true; rm -rf "$tmp"' EXIT
. bench/oldtree.sh
ab_synapse_tests "$tmp" "$old" synapse/axon_bench_test.go
# metric LINE UNIT DIV prints the value before UNIT in a go test -bench line, over DIV.
metric() { awk -v u="$2" -v d="$3" '{for (i = 1; i < NF; i++) if ($(i+1) == u) printf (d == 1 ? "%d" : "%.1f"), $i / d}' <<<"$1"; }
for i in $(seq 1 "$runs"); do
  for v in old new; do
    echo "## run $i $v (load $(cut -d' ' -f1-3 /proc/loadavg))"
    conn="$("$tmp/$v.test" -test.run '^$' -test.bench 'AxonConn$' -test.benchtime 50000x -test.benchmem 2>&1 | grep '^Benchmark')"
    cdone="$("$tmp/$v.test" -test.run '^$' -test.bench 'AxonConnDone$' -test.benchtime 50000x -test.benchmem 2>&1 | grep '^Benchmark')"
    serve="$("$tmp/$v.test" -test.run '^$' -test.bench 'AxonServe/conns=8' -test.benchtime 10000x -test.benchmem 2>&1 | grep '^Benchmark')"
    echo "$conn"
    echo "$cdone"
    echo "$serve"
    printf 'BENCH\t%s, run %s\tAxonConn per request=%s µs\tAxonConn allocs=%s\tAxonConn bytes=%s\tAxonConnDone per request=%s µs\tAxonConnDone allocs=%s\tAxonConnDone bytes=%s\tAxonServe CPU per request=%s µs\tAxonServe allocs=%s\tAxonServe bytes=%s\n' \
      "$v" "$i" "$(metric "$conn" ns/op 1000)" "$(metric "$conn" allocs/op 1)" "$(metric "$conn" B/op 1)" \
      "$(metric "$cdone" ns/op 1000)" "$(metric "$cdone" allocs/op 1)" "$(metric "$cdone" B/op 1)" \
      "$(metric "$serve" cpu-ns/op 1000)" "$(metric "$serve" allocs/op 1)" "$(metric "$serve" B/op 1)"
  done
done
