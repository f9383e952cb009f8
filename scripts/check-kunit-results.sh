#!/bin/bash
# Check scripts/kunit-results.py, which counts every KUnit result of make
# check, on a recorded file of kunit.py's JSON layout: its output and exit
# status must be those of tests/kunit-results/expected.
#
# usage: scripts/check-kunit-results.sh
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
dir=$top/tests/kunit-results
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

run() {
	local rc=0
	(cd "$dir" && "$top/scripts/kunit-results.py" "$@") || rc=$?
	echo "exit $rc"
}
{
	run sample.json
	run --cases sample.json
	run missing.json
} >"$tmp/got"
grep -v '^#' "$dir/expected" >"$tmp/want"
if ! diff -u --label expected --label got "$tmp/want" "$tmp/got"; then
	echo "kunit-results: output differs from tests/kunit-results/expected" >&2
	exit 1
fi
echo "$(grep -c '^exit' "$tmp/want") runs as expected"
