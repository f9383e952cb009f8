#!/usr/bin/env bash
# Check that the exported series (out/series/) applies with git am to the
# pristine base and gives exactly the tree make built.
#
# usage: scripts/check-series-am.sh
set -euo pipefail
TAG=series-am
. "$(dirname "$0")/lib.sh"

tree=$(base_tree)
wt=$BUILD_ROOT/am-check
log=$LOG_DIR/series-am.log
mapfile -t patches < <(series_patches)
[ ${#patches[@]} -gt 0 ] || die "no patches in $OUT/series: run make first"

git -C "$wt" am --abort >/dev/null 2>&1 || true
detached_worktree "$wt" base pristine

say "git am of ${#patches[@]} patches onto the pristine base (log: $log)"
ok=0
if git -C "$wt" am -q "${patches[@]}" > "$log" 2>&1; then
	if [ "$(git -C "$wt" rev-parse 'HEAD^{tree}')" = \
	     "$(git -C "$tree" rev-parse 'series^{tree}')" ]; then
		ok=1
		say "applies; the result is the tree make built"
	else
		say "applies, but the result differs from the tree make built:"
		git -C "$wt" diff --stat HEAD series | tail -n 5
	fi
else
	sed 's/^/  | /' "$log"
	git -C "$wt" am --abort >/dev/null 2>&1 || true
fi
echo "$ok passed, $((1 - ok)) failed"
[ "$ok" = 1 ]
