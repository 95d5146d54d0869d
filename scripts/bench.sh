#!/usr/bin/env bash
# Runs benchmarks and keeps their raw output: scripts/bench.sh [name ...]
# (default: all). Each run writes bench/results/<name>/<UTC time>-<commit>.txt
# with the machine, date, commit, command, load before and after, and the
# benchmark's full output; then BENCHMARKS.md's generated tables are rebuilt
# from every file under bench/results (go run ./bench/tables).
#
# Adding a benchmark: add a case below that prints the command to run, and
# make the program print "BENCH<TAB>row<TAB>column=value<TAB>..." lines for
# the table (see bench/tables); then put <!-- bench:<name> --> and
# <!-- /bench:<name> --> markers where its table goes in BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
export GOFLAGS="${GOFLAGS:--buildvcs=false}"

command_for() {
  case "$1" in
    # GPT-2 124M, B=4 T=256, 2 threads: Go engine vs the standard torch.nn
    # module (Debian python3-torch), measured in the same run.
    lm) echo "go run ./bench/lm -arch gpt2 -size 124m -B 4 -T 256 -iters 3 -threads 2 -ref nn" ;;
    matmul) echo "go run ./bench/matmul -threads 2 -time 1s -shapes all" ;;
    # set_weights through the JSON API into one real node, 1 s blocks; CPU
    # per committed tx is the figure that holds on a shared machine.
    node) echo "go run ./bench/node -txs 20000 -latency 20" ;;
    # 256 real axons over loopback in one process, 50 ms handlers; 3 runs of
    # 100 rounds (so the p99 is a p99, not the slowest of 30).
    fanout) echo "bench/fanout.sh 3 100" ;;
    # Diagnosis of the p99: the same fan-out with GOMAXPROCS 2 and 3, alternately.
    fanout-procs) echo "bench/fanout.sh 3 100 2,3" ;;
    # Diagnosis of the p99 by round: one ROUND line per fan-out (overhead, when its
    # last handler started, its slowest return, GC cycles, CPU), 100 rounds.
    fanout-rounds) echo "go run ./cmd/taonet synapse bench --axons 256 --sleep 50ms --rounds 100 --round-log -" ;;
    # The whole tree at the start of session 4 (872363b) and now, alternately,
    # 100 rounds each: the session's fan-out work as one before/after.
    fanout-session) echo "bench/fanout-ab.sh 872363b 4 100 all" ;;
    # The whole tree at the start of session 5 (96adf02: net/http's server on the
    # axon) and now, alternately, 100 rounds each.
    fanout-session5) echo "bench/fanout-ab.sh 96adf02 5 100 all" ;;
    # The same, synapse/ before session 3's fan-out work (868148d, net/http
    # dendrite) and now, alternately: the before/after that holds under load.
    fanout-ab) echo "bench/fanout-ab.sh 868148d 4" ;;
    # The dendrite's allocations per call (session 5: pooled signing scratch, the
    # response head parsed in place, one context watch per fan-out): HEAD without
    # those commits and now, alternately, 100 rounds each. d6541ab (their test) and
    # 7e82cbc (a later refactor of the same field parser) go too, so it still
    # applies at HEAD.
    dendalloc-ab) echo "bench/fanout-ab.sh revert:75980b9,0aed3fb,6009f6f,3f2fb52,d6541ab,7e82cbc 3 100" ;;
    # The same commits on the dendrite alone: allocations, bytes and CPU per call in
    # a 64-way fan-out against replayed axon responses, alternately.
    dendrite-calls-ab) echo "bench/dendrite-calls-ab.sh revert:75980b9,0aed3fb,6009f6f,3f2fb52,7e82cbc 3" ;;
    # The dendrite without its copy of each response's header fields (session 5:
    # the head parsed in place, KeepHeaders opt-in): HEAD without those commits and
    # now, alternately, per call in the 64-way replay fan-out.
    dendheaders-ab) echo "bench/dendrite-calls-ab.sh revert:ed26ffe,8474904 3" ;;
    # The same for the response and body in each call's pooled state (h1's
    # DoViewIn): HEAD without that commit and now, alternately.
    dendslot-ab) echo "bench/dendrite-calls-ab.sh revert:db36d7f 3" ;;
    # All of session 5's dendrite allocation work at once (the two above, the
    # target's repeated response strings kept once, 4661924, and the one-argument
    # call goroutine, 1524b29; 2d769df, a test on the same file as db36d7f's, goes
    # too).
    dendrite-session5-ab) echo "bench/dendrite-calls-ab.sh revert:ed26ffe,8474904,db36d7f,2d769df,4661924,1524b29 3" ;;
    # The axon's allocations per request (session 5: pooled call and scratch, lazy
    # request context, the request head in a reused buffer): HEAD without those
    # commits (b749667 their test; 6adbec2, 86f5591 the pooled deadline timer) and now,
    # alternately, BenchmarkAxonConn (also with a handler waiting on ctx.Done())
    # and BenchmarkAxonServe only.
    axonalloc-ab) echo "bench/axon-calls-ab.sh revert:ceb7535,d65f186,b749667,6adbec2,86f5591 3" ;;
    # decode-ab and axon-ab take commits back out of HEAD (revert:...); later
    # commits on the same lines stop that, so each reruns at the commit its log
    # names (bench/oldtree.sh says which commit could not be taken out).
    # The dendrite's response decoding: HEAD without the one-pass body decoders
    # and the header-parsing commits, and now, alternately, 100 rounds each.
    decode-ab) echo "bench/fanout-ab.sh revert:060a216,379333c,eab04b9,bfc3c76 4 100" ;;
    # The axon's CPU per request: the tree without the axon pass's commits and
    # now, alternately, on the fan-out (the axons' CPU share) and
    # BenchmarkAxonServe / BenchmarkAxonHandler.
    axon-ab) echo "bench/axon-ab.sh revert:933a8cf,0b2ce50,7033a87 4 100" ;;
    # The axon on net/http's server (HEAD without the commits that moved it to
    # synapse/h1's server) and now, alternately: the fan-out's axon CPU,
    # BenchmarkAxonServe, BenchmarkAxonHandler and BenchmarkAxonConn (dddee18 adds a
    # test that needs the h1 path, so it goes too, and 05625ea, a later refactor of
    # the tests it added).
    axon-h1-ab) echo "bench/axon-ab.sh revert:2eba6b9,113b895,4372634,1c1a9e7,dddee18,05625ea 3 100" ;;
    # The Yuma epoch on one core (target: n=4096 under 100 ms); the cpu time
    # column is the single-core cost even on a loaded machine.
    yuma) echo "go test -run '^\$' -bench 'Epoch|NNZPass' -benchtime 20x -benchmem -cpu 1 ./yuma/ | go run ./bench/gobench" ;;
    # sr25519 sign/verify: the current code beside the previous
    # gtank/ristretto255-based one and go-schnorrkel, in the same run.
    # keys/ before the allocation-free Merlin transcript (2bdc812) and now,
    # alternately.
    keys-ab) echo "bench/keys-ab.sh 2bdc812 3" ;;
    # Sign one at a time against SignMany's batches, alternately.
    keys-batch) echo "bench/keys-batch.sh 6" ;;
    # The group operations under signing: R's encoding one at a time and in
    # batches (per point), the fixed-base multiplication ours and edwards25519's.
    ristretto) echo "go test -run '^\$' -bench 'Encode\$|DoubleAndEncodeBatch|ScalarBaseMult' -benchtime 20000x -benchmem -cpu 1 ./keys/internal/ristretto/ | go run ./bench/gobench" ;;
    # Sign and kept-key verification with keys/ before this session's signing
    # work (872363b) and now, alternately.
    keys-sign-ab) echo "bench/keys-ab.sh 872363b 6" ;;
    # The fan-out with keys/ before batch signing (872363b: the dendrite signs
    # one at a time) and now, alternately.
    keys-fanout-ab) echo "bench/fanout-ab.sh 872363b 6 30 keys/" ;;
    keys) echo "go test -run '^\$' -bench 'Sign|Verify' -benchtime 20000x -benchmem -cpu 1 ./keys/ | go run ./bench/gobench" ;;
    *) return 1 ;;
  esac
}
all=(lm matmul node fanout yuma keys)

names=("$@")
[ ${#names[@]} -eq 0 ] && names=("${all[@]}")
for name in "${names[@]}"; do
  cmd="$(command_for "$name")" || { echo "unknown benchmark $name (have: ${all[*]})" >&2; exit 2; }
  commit="$(git rev-parse --short=12 HEAD)"
  git diff --quiet HEAD -- . ':!bench/results' ':!BENCHMARKS.md' || commit="$commit-dirty"
  stamp="$(date -u +%Y%m%dT%H%M%SZ)"
  dir="bench/results/$name"
  mkdir -p "$dir"
  out="$dir/$stamp-$commit.txt"
  tmp="$out.tmp"
  {
    echo "# bench: $name"
    echo "# date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "# commit: $commit"
    echo "# machine: $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ //'), $(nproc) CPUs, $(uname -sr), $(go version | cut -d' ' -f3-)"
    echo "# command: $cmd"
    echo "# load before: $(cut -d' ' -f1-3 /proc/loadavg)"
  } >"$tmp"
  echo "== $name: $cmd"
  # The benchmark's own output goes to the file and the terminal.
  if ! bash -c "$cmd" 2>&1 | tee -a "$tmp"; then
    echo "# failed" >>"$tmp"
    mv "$tmp" "$out"
    echo "benchmark $name failed; raw output in $out" >&2
    exit 1
  fi
  echo "# load after: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$tmp"
  mv "$tmp" "$out"
  echo "== raw output: $out"
done
go run ./bench/tables -results bench/results -md BENCHMARKS.md
