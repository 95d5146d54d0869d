#!/usr/bin/env bash
# A/B of the axon's CPU per request: bench/axon-ab.sh OLD [RUNS] [ROUNDS]
# (through scripts/bench.sh axon-ab, which keeps the raw output). Builds taonet and
# the synapse test binary twice from the work tree, once with synapse/ as of revision
# OLD, or, with OLD = revert:C1,C2,..., with commits C1, C2, ... reverted from HEAD
# (so the old side differs from the new by exactly those commits); everything else,
# keys included, is as now, and the old tree gets the current
# synapse/axon_bench_test.go so both run the same micro-benchmarks. Then alternately
# RUNS times (default 4) runs, for each binary:
#   - `synapse bench --axons 256 --sleep 50ms --rounds ROUNDS` (default 100) with a
#     CPU profile, whose "axons" share is the axons' CPU per 256-way fan-out;
#   - BenchmarkAxonServe/conns=8 (5000 verified requests over 8 keep-alive loopback
#     connections, signed before the timer: the process CPU is nearly all the axon's);
#   - BenchmarkAxonHandler (the axon's own work per request in process: sr25519 stubbed,
#     no HTTP server);
#   - BenchmarkAxonConn (the same with the axon's HTTP server, whichever Serve runs,
#     reading the requests from and writing the responses to a connection in memory).
# With valgrind installed, BenchmarkAxonHandler's and BenchmarkAxonConn's
# instructions per request are also counted once per binary (callgrind, GOGC=off, the difference between 500 and 1500
# iterations): unlike times, that count does not move with the machine's load.
# Each pair becomes one BENCH row ("old, run 1", "new, run 1", ...).
set -euo pipefail
cd "$(dirname "$0")/.."
old="${1:?usage: bench/axon-ab.sh OLD-REVISION [RUNS] [ROUNDS]}"
runs="${2:-4}"
rounds="${3:-100}"
tmp="$(mktemp -d)"
trap 'git worktree remove --force "$tmp/src" >/dev/null 2>&1 || true; rm -rf "$tmp"' EXIT
. bench/oldtree.sh
ab_synapse_tests "$tmp" "$old" synapse/axon_bench_test.go with-taonet
# field LINE NAME prints the number after NAME in LINE ("axons 39.8 ms" -> 39.8).
field() { sed -n "s/.*$2[ =]\([0-9][0-9.]*\).*/\1/p" <<<"$1" | head -1; }
# instructions BIN BENCH prints benchmark BENCH's instructions per request, or "-".
instructions() {
  command -v valgrind >/dev/null || { echo -; return; }
  local n1=500 n2=1500 a b bench="$2"
  count() {
    GOGC=off GODEBUG=asyncpreemptoff=1 valgrind --tool=callgrind --callgrind-out-file=/dev/null \
      "$1" -test.run '^$' -test.bench "^$bench\$" -test.benchtime "$2x" -test.cpu 1 2>&1 |
      sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
  }
  a="$(count "$1" $n1)"
  b="$(count "$1" $n2)"
  echo $(((b - a) / (n2 - n1)))
}
ir_old="$(instructions "$tmp/old.test" BenchmarkAxonHandler)"
ir_new="$(instructions "$tmp/new.test" BenchmarkAxonHandler)"
echo "BenchmarkAxonHandler instructions per request (callgrind): old $ir_old, new $ir_new"
irconn_old="$(instructions "$tmp/old.test" BenchmarkAxonConn)"
irconn_new="$(instructions "$tmp/new.test" BenchmarkAxonConn)"
echo "BenchmarkAxonConn instructions per request (callgrind): old $irconn_old, new $irconn_new"
# metric LINE UNIT DIV prints the value before UNIT in a go test -bench line, over DIV.
metric() { awk -v u="$2" -v d="$3" '{for (i = 1; i < NF; i++) if ($(i+1) == u) printf (d == 1 ? "%d" : "%.1f"), $i / d}' <<<"$1"; }
for i in $(seq 1 "$runs"); do
  for v in old new; do
    echo "## run $i $v (load $(cut -d' ' -f1-3 /proc/loadavg))"
    fan="$("$tmp/$v" synapse bench --axons 256 --sleep 50ms --rounds "$rounds" --cpuprofile "$tmp/$v.prof" 2>&1)"
    echo "$fan" | grep -v '^BENCH'
    serve="$("$tmp/$v.test" -test.run '^$' -test.bench 'AxonServe/conns=8' -test.benchtime 5000x -test.benchmem 2>&1 | grep '^Benchmark')"
    handler="$("$tmp/$v.test" -test.run '^$' -test.bench 'AxonHandler' -test.benchtime 20000x -test.benchmem 2>&1 | grep '^Benchmark')"
    conn="$("$tmp/$v.test" -test.run '^$' -test.bench 'AxonConn' -test.benchtime 20000x -test.benchmem 2>&1 | grep '^Benchmark')"
    echo "$serve"
    echo "$handler"
    echo "$conn"
    printf 'BENCH\t%s, run %s\toverhead p50=%s ms\toverhead p99=%s ms\tCPU per fan-out=%s ms\taxons CPU per fan-out=%s ms\tdendrite CPU per fan-out=%s ms\tAxonServe CPU per request=%s µs\tAxonServe allocs per request=%s\tAxonHandler per request=%s µs\tAxonHandler allocs=%s\tAxonHandler instructions per request=%s\tAxonConn per request=%s µs\tAxonConn allocs=%s\tAxonConn instructions per request=%s\n' \
      "$v" "$i" "$(field "$fan" 'overhead p50')" "$(field "$fan" 'overhead p99')" \
      "$(field "$fan" '	CPU per fan-out')" "$(field "$fan" 'axons')" "$(field "$fan" 'dendrite CPU per fan-out')" \
      "$(metric "$serve" cpu-ns/op 1000)" "$(metric "$serve" allocs/op 1)" "$(metric "$handler" ns/op 1000)" "$(metric "$handler" allocs/op 1)" "$(eval echo "\$ir_$v")" \
      "$(metric "$conn" ns/op 1000)" "$(metric "$conn" allocs/op 1)" "$(eval echo "\$irconn_$v")"
  done
done
