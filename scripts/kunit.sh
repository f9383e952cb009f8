#!/usr/bin/env bash
# Build and run our KUnit suite in one configuration, scan the kernel log,
# and record the result for the summary of make check.
#
# usage: scripts/kunit.sh CONFIG [kunit.py options...]
#   CONFIG names configs/CONFIG.kunitconfig, added to the suite's own
#   lib/test_mmu_notifier.kunitconfig; the build tree is build/kunit-CONFIG.
#   Extra options go to kunit.py build and exec (e.g. --arch=x86_64).
# env: KUNIT_TIMEOUT (seconds, default 900), KUNIT_FILTER (a kunit.py
#   filter_glob, default: the whole suite), BUILD_ONLY=1 (build, do not run),
#   EXPECTED_LOG_LINES (the declared log lines, default
#   tests/expected-log-lines; /dev/null declares none)
# Prints "N passed, N failed[, N skipped]" last; exits non-zero on any
# failed case or log finding.
set -euo pipefail
cfg=${1:?usage: $0 CONFIG [kunit.py options...]}
shift
TAG=$cfg
. "$(dirname "$0")/lib.sh"

[ -f "$top/configs/$cfg.kunitconfig" ] || die "no configs/$cfg.kunitconfig"
tree=$(base_tree)
objdir=$BUILD_ROOT/kunit-$cfg
blog=$LOG_DIR/$cfg-build.log
rlog=$LOG_DIR/$cfg.log
klog=$LOG_DIR/$cfg-kernel.log
json=$LOG_DIR/$cfg.json

arch=$(printf '%s\n' "$@" | sed -n 's/^--arch=//p')
say "building $(basename "$tree") ${arch:-um} kernel in $objdir (log: $blog)"
kunit_build "$tree" "$objdir" "$blog" "$@" \
	--kunitconfig="$tree/lib/test_mmu_notifier.kunitconfig" \
	--kunitconfig="$top/configs/$cfg.kunitconfig" ||
	die "build failed; see $blog"
if [ "${BUILD_ONLY:-}" = 1 ]; then
	say "built $objdir/linux"
	exit 0
fi

say "running the suite (log: $rlog, kernel log: $klog, results: $json)"
rc=0
kunit_exec "$tree" "$objdir" "$rlog" "$json" "$klog" "$@" \
	--timeout "${KUNIT_TIMEOUT:-900}" ${KUNIT_FILTER:+"$KUNIT_FILTER"} || rc=$?
# Counted from kunit.py's own JSON (scripts/kunit-results.py).
counts=$("$top/scripts/kunit-results.py" "$json" | tail -n 1) || true
count() { awk -v w="$1" '{ for (i = 1; i < NF; i++) if ($(i + 1) ~ "^" w) print $i }' <<<"$counts"; }
passed=$(count passed)
failed=$(count failed)
skipped=$(count skipped)
passed=${passed:-0}
failed=${failed:-1}
skipped=${skipped:-0}
if [ ! -s "$json" ]; then
	say "kunit.py wrote no results (exit $rc): the kernel crashed or hung"
	tail -n 20 "$klog" | sed 's/^/  | /'
elif [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then
	# kunit.py failed the run (a crash, a case missing from a plan).
	failed=1
fi
# Each failed case with the assertion that failed it.
awk '/(EXPECTATION|ASSERTION) FAILED at/ { show = 1 }
	show { print "  " $0 }
	/\[(FAILED|CRASHED)\]/ { if (!show) print "  " $0; show = 0 }' "$rlog"

say "scanning the kernel log"
scan=$LOG_DIR/$cfg-scan.log
if "$top/scripts/scan-log.py" "$klog" \
	"${EXPECTED_LOG_LINES:-$top/tests/expected-log-lines}" > "$scan"; then
	findings=0
else
	findings=$(sed -n 's/^log scan: \([0-9]*\) findings.*/\1/p' "$scan")
	sed 's/^/  /' "$scan"
fi
say "$(tail -n 1 "$scan")"

failed=$((failed + findings))
line="$passed passed, $failed failed"
[ "$skipped" -gt 0 ] && line="$line, $skipped skipped"
echo "$line"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
