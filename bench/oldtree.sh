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
