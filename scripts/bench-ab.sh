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
# Boots and builds through scripts/bench-run.sh. Logs:
# out/bench-ab/logs/uml-<impl>-<run>.log (kernel), out/logs/bench-ab-*.
set -euo pipefail
TAG=bench-ab
. "$(dirname "$0")/lib.sh"

runs=${1:-16}
export BENCH_LOGS=$OUT/bench-ab/logs BENCH_FILTER=${BENCH_FILTER:-mmu_notifier_bench}
if [ "${REBUILD:-1}" != 0 ]; then
	KEEP_TREE=1 BUILD_ONLY=1 _T0=$_t0 "$top/scripts/bench-run.sh" series uml
fi
rm -rf "$BENCH_LOGS"
say "$runs boots of base and series, alternating, filter '$BENCH_FILTER'"
for ((r = 1; r <= runs; r++)); do
	for impl in base series; do
		RUN_ONLY=1 RUN_FIRST=$r _T0=$_t0 \
			"$top/scripts/bench-run.sh" "$impl" uml 1
	done
done
"$top/scripts/bench-ab.py" --base "$BENCH_LOGS"/uml-base-*.log \
	--series "$BENCH_LOGS"/uml-series-*.log
