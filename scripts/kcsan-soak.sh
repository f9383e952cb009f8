#!/usr/bin/env bash
# KCSAN soak: boot the KCSAN kernel of make check (build/kunit-qemu-kcsan,
# QEMU x86_64 with two vCPUs) again and again, running only the suite
# mmu_notifier_concurrency, for a bounded time. Every kernel log is scanned; any KCSAN report
# (or other finding) fails the soak, unless tests/expected-log-lines
# declares it: a report seen before, or one that scripts/scan-log.py finds
# wholly in base-kernel code (printed here, whichever boot it came from).
#
# usage: scripts/kcsan-soak.sh        (run after scripts/kunit.sh qemu-kcsan)
# env:   SOAK_SECONDS (default 240): no new boot starts after that
# Last line: "N passed, N failed", one per boot.
set -euo pipefail
TAG=kcsan-soak
. "$(dirname "$0")/lib.sh"

tree=$(base_tree)
objdir=$BUILD_ROOT/kunit-qemu-kcsan
[ -f "$objdir/.config" ] && grep -q '^CONFIG_KCSAN=y' "$objdir/.config" ||
	die "no KCSAN kernel in $objdir: run scripts/kunit.sh qemu-kcsan --arch=x86_64 first"
budget=${SOAK_SECONDS:-240}
rm -f "$LOG_DIR"/kcsan-soak-*
passed=0 failed=0 maps=0 invals=0 churn=0 rops=0 boots=0
start=$SECONDS
while [ $((SECONDS - start)) -lt "$budget" ]; do
	boots=$((boots + 1))
	log=$LOG_DIR/kcsan-soak-$boots.log
	klog=$LOG_DIR/kcsan-soak-$boots-kernel.log
	json=$LOG_DIR/kcsan-soak-$boots.json
	rc=0
	kunit_exec "$tree" "$objdir" "$log" "$json" "$klog" --arch=x86_64 \
		--qemu_args='-smp 2' --timeout 600 'mmu_notifier_concurrency' ||
		rc=$?
	# Counted from kunit.py's JSON; a boot passes if every case did.
	cases=$("$top/scripts/kunit-results.py" "$json") || [ "$rc" -ne 0 ] || rc=1
	scan=0
	"$top/scripts/scan-log.py" "$klog" > "$klog.scan" || scan=$?
	grep -A2 'base-kernel code only:' "$klog.scan" | sed 's/^/  /' || true
	if [ "$rc" -eq 0 ] && [ "$scan" -eq 0 ]; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		sed -n 's/^not ok /  not ok /p' <<<"$cases"
		grep -E '(EXPECTATION|ASSERTION) FAILED' "$log" | sed 's/^/  /' || true
		sed 's/^/  /' "$klog.scan" | head -n 20
		say "boot $boots failed (exit $rc); logs: $log, $klog"
	fi
	# Operations the mirror case ran in this boot.
	read -r m i c < <(sed -n 's/.*conc_collision_retry_mirror: maps \([0-9]*\) retries [0-9]* invalidations \([0-9]*\) churn \([0-9]*\).*/\1 \2 \3/p' "$klog" | head -n 1; echo "0 0 0") || true
	maps=$((maps + m)) invals=$((invals + i)) churn=$((churn + c))
	# And the random model's.
	o=$(sed -n 's/.*conc_random_model: seed [0-9]*: \([0-9]*\) ops.*/\1/p' "$klog" | head -n 1)
	rops=$((rops + ${o:-0}))
	say "boot $boots: $(tail -n 1 <<<"$cases"); so far: $maps mirror maps, $invals invalidations, $churn inserts/removes, $rops random-model ops"
done
reports=$(cat "$LOG_DIR"/kcsan-soak-*-kernel.log | grep -c 'BUG: KCSAN' || true)
base=$(cat "$LOG_DIR"/kcsan-soak-*-kernel.log.scan | grep -c 'base-kernel code only:' || true)
say "soak: $boots boots in $((SECONDS - start))s, $maps mirror maps, $invals invalidations, $churn inserts/removes, $rops random-model ops, $reports KCSAN reports ($base by rule in base-kernel code only)"
summary
