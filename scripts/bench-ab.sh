#!/usr/bin/env bash
# A quick A/B of one change to the series against 6.12, on the UML
# benchmark kernels `make bench` built: rebuild the series kernel from its
# worktree (build/bench/series/src-*, where the change was made by hand),
# boot the two kernels alternately RUNS times on one pinned host CPU, and
# print each row's best of boots and the ratio. A tool for finding where
# a row's cost comes from, not a verdict: `make bench` stays the
# measurement of record (control kernel, noise, QEMU, targets).
#
# usage: scripts/bench-ab.sh [RUNS]   (default 16)
# env: BENCH_FILTER (kunit filter glob, default every case of the suite;
#   e.g. 'mmu_notifier_bench.bench_[rc]*' for remove + insert and the
#   classic invalidation), REBUILD=0 (boot the kernels as they are),
#   BENCH_CPU (the host CPU, default 1)
# Logs: out/bench-ab/logs/uml-<impl>-<run>.log.
set -euo pipefail
TAG=bench-ab
. "$(dirname "$0")/lib.sh"

runs=${1:-16}
filter=${BENCH_FILTER:-mmu_notifier_bench}
logs=$OUT/bench-ab/logs
for impl in base series; do
	[ -f "$BUILD_ROOT/bench/$impl/uml/.config" ] ||
		die "no $impl benchmark kernel in $BUILD_ROOT/bench/$impl/uml; run 'make bench' first"
done
if [ "${REBUILD:-1}" != 0 ]; then
	say "rebuilding the series benchmark kernel (log: $LOG_DIR/bench-ab-build.log)"
	kunit_build "$(bench_tree series)" "$BUILD_ROOT/bench/series/uml" \
		"$LOG_DIR/bench-ab-build.log" \
		--kunitconfig="$top/bench/bench.kunitconfig" \
		--kunitconfig="$top/bench/bench-uml.kunitconfig" ||
		die "build failed; see $LOG_DIR/bench-ab-build.log"
fi
rm -rf "$logs"
mkdir -p "$logs"
say "$runs boots of base and series, alternating, filter '$filter'"
for ((r = 1; r <= runs; r++)); do
	for impl in base series; do
		KUNIT_EXEC_PREFIX="taskset -c ${BENCH_CPU:-1}" kunit_exec \
			"$(bench_tree "$impl")" "$BUILD_ROOT/bench/$impl/uml" \
			"$logs/kunit-$impl-$r.log" "$logs/uml-$impl-$r.json" \
			"$logs/uml-$impl-$r.log" --timeout 900 "$filter" ||
			die "boot $r of $impl failed; see $logs/kunit-$impl-$r.log"
	done
done
"$top/scripts/bench-ab.py" --base "$logs"/uml-base-*.log \
	--series "$logs"/uml-series-*.log
