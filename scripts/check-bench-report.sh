#!/usr/bin/env bash
# Check the verdicts of the benchmark report on recorded logs: run
# scripts/bench-report.py on the boots kept in tests/bench-report/ and
# compare its verdicts with tests/bench-report/expected-verdicts.
#
# usage: scripts/check-bench-report.sh [--update]
#   --update  write the expected file from this run instead of comparing
#             (after a deliberate change of a target bound or of the
#             report's arithmetic; review the diff before committing it)
#
# The logs are real boots of make bench, trimmed to the kernel's KTAP
# output (the expected file's header says which): UML 2 boots each of
# base, series and control, QEMU -smp 2 one boot each of base and series.
# Two cases run on them:
#   recorded  the logs as make bench passes them;
#   swapped   6.12's logs passed as the series and the series' as 6.12,
#             so that ours is the slower one and firm targets are missed.
# Compared per case: every "target: ... : met|NOT MET" line, the summary
# line "bench: N targets met, M not met" and the exit status. Exits 1,
# showing the diff, when one differs; the last line says what was checked.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
fixtures=$top/tests/bench-report
expected=$fixtures/expected-verdicts
update=0
case ${1:-} in
'') ;;
--update) update=1 ;;
*) echo "usage: $0 [--update]" >&2; exit 2 ;;
esac

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# Relative log paths: the report's output does not depend on where the
# checkout is.
cd "$fixtures"

# run_case NAME ARGS...: the report on the logs; print the case's verdict
# lines and exit status.
run_case() {
	local name=$1 rc=0
	shift
	"$top/scripts/bench-report.py" "$@" --out "$tmp/$name" \
		> "$tmp/$name.out" 2> "$tmp/$name.err" || rc=$?
	if [ "$rc" -ge 2 ]; then
		sed 's/^/  /' "$tmp/$name.err" >&2
		echo "check-bench-report: the report failed on case $name (exit $rc)" >&2
		exit 1
	fi
	echo "case $name"
	grep -E '^(target: |bench: )' "$tmp/$name.out"
	echo "exit $rc"
}

{
	run_case recorded \
		--uml-base uml-base-*.log --uml-series uml-series-*.log \
		--uml-control uml-control-*.log \
		--qemu-base qemu-base-*.log --qemu-series qemu-series-*.log
	run_case swapped \
		--uml-base uml-series-*.log --uml-series uml-base-*.log \
		--uml-control uml-control-*.log \
		--qemu-base qemu-series-*.log --qemu-series qemu-base-*.log
} > "$tmp/verdicts"

if [ "$update" = 1 ]; then
	{
		grep '^#' "$expected" 2>/dev/null || true
		cat "$tmp/verdicts"
	} > "$tmp/expected"
	mv "$tmp/expected" "$expected"
	echo "wrote $expected"
	exit 0
fi

if ! diff -u <(grep -v '^#' "$expected") "$tmp/verdicts" \
	--label expected-verdicts --label "this run" > "$tmp/diff"; then
	cat "$tmp/diff"
	echo "check-bench-report: verdicts differ from $expected (above: - expected, + this run)"
	exit 1
fi
echo "$(grep -c '^case ' "$tmp/verdicts") cases (recorded, swapped), $(grep -c "^target: " "$tmp/verdicts") target lines as expected"
