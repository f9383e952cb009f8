#!/bin/bash
# Check scripts/scan-log.py's rule for KCSAN reports in base-kernel code
# only (the "base-only:" entries of tests/expected-log-lines) on recorded
# reports: which of tests/scan-log/*.log it charges to our code and which
# to the base kernel must be those of tests/scan-log/expected.
#
# usage: scripts/check-scan-log.sh
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
dir=$top/tests/scan-log
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

grep '^base-only:' "$top/tests/expected-log-lines" >"$tmp/rules" ||
	{ echo "scan-log: no base-only: entry in tests/expected-log-lines" >&2; exit 1; }
for f in "$dir"/*.log; do
	rc=0
	"$top/scripts/scan-log.py" "$f" "$tmp/rules" >"$tmp/out" || rc=$?
	echo "$(basename "$f"): $(tail -n 1 "$tmp/out"); exit $rc"
done >"$tmp/got"
grep -v '^#' "$dir/expected" >"$tmp/want"
if ! diff -u --label expected --label got "$tmp/want" "$tmp/got"; then
	echo "scan-log: verdicts differ from tests/scan-log/expected" >&2
	exit 1
fi
echo "$(wc -l <"$tmp/want") recorded reports judged as expected"
