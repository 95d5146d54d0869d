# Sourced by the A/B scripts (fanout-ab.sh, axon-ab.sh): the "old" side of an A/B.
#
# old_tree SRC OLD DIR [KEEP] turns SRC, a checkout of HEAD, into the old tree and
# prints what it is:
#   - OLD = revert:C1,C2,...: HEAD with exactly those commits' changes to DIR taken
#     back out, newest first, so old and new differ by those commits only;
#   - DIR = all: the whole tree at OLD (the benchmark included);
#   - otherwise DIR as of OLD, with the files DIR gained since removed (they would
#     build against the old ones).
# KEEP, a file under DIR, is then copied in from the work tree, so both sides run
# the same micro-benchmarks.
old_tree() {
  local src="$1" old="$2" dir="$3" keep="${4:-}" what
  if [[ "$dir" == all ]]; then
    (cd "$src" && git checkout -q --detach "$old")
    what="the whole tree as of $(git rev-parse --short=12 "$old")"
  elif [[ "$old" == revert:* ]]; then
    for c in $(tr ',' '\n' <<<"${old#revert:}" | tac); do
      git diff "$c^" "$c" -- "$dir" ${keep:+":!$keep"} >"$src.patch"
      # A later commit touching the same lines makes this fail: a revert: A/B runs
      # at the commits its log names, not necessarily at today's HEAD.
      (cd "$src" && git apply -R "$src.patch") || { echo "old_tree: cannot take $c out of HEAD's $dir" >&2; return 1; }
    done
    what="HEAD with ${old#revert:} reverted in $dir"
  else
    (cd "$src" && rm -rf "./$dir" && git checkout "$old" -- "$dir")
    what="$dir as of $(git rev-parse --short=12 "$old")"
  fi
  if [ -n "$keep" ]; then
    cp "$keep" "$src/$keep"
  fi
  echo "$what"
}

# ab_synapse_tests TMP OLD KEEP [WITH_TAONET] checks out HEAD into TMP/src, turns it into
# the old tree (old_tree OLD synapse/ KEEP), builds both sides' synapse test binaries
# (TMP/old.test from it, TMP/new.test from the work tree) and, with WITH_TAONET set,
# both taonet binaries (TMP/old, TMP/new); it prints which tree the old side is. The
# caller owns TMP and its cleanup (git worktree remove TMP/src).
ab_synapse_tests() {
  local tmp="$1" old="$2" keep="$3" with_taonet="${4:-}" what
  git worktree add --detach "$tmp/src" HEAD >/dev/null 2>&1
  what="$(old_tree "$tmp/src" "$old" synapse/ "$keep")" || return 1
  (cd "$tmp/src" && go test -c -o "$tmp/old.test" ./synapse/)
  go test -c -o "$tmp/new.test" ./synapse/
  if [ -n "$with_taonet" ]; then
    (cd "$tmp/src" && go build -o "$tmp/old" ./cmd/taonet)
    go build -o "$tmp/new" ./cmd/taonet
  fi
  echo "old: $what; new: the work tree"
}
