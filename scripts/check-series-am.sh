#!/usr/bin/env bash
# Check that the exported series (out/series/) applies with git am to the
# pristine base and gives exactly the tree make built.
#
# usage: scripts/check-series-am.sh
set -euo pipefail
TAG=series-am
. "$(dirname "$0")/lib.sh"

wt=$BUILD_ROOT/am-check
log=$LOG_DIR/series-am.log
mapfile -t patches < <(series_patches)
[ ${#patches[@]} -gt 0 ] || die "no patches in $OUT/series: run make first"

say "git am of ${#patches[@]} patches onto the pristine base (log: $log)"
: >"$log"
ok=0
if why=$(am_gives_series "$wt" "$log" "${patches[@]}"); then
	ok=1
	say "applies; the result is the tree make built"
else
	say "$why"
	sed 's/^/  | /' "$log" | tail -n 20
fi
echo "$ok passed, $((1 - ok)) failed"
[ "$ok" = 1 ]
