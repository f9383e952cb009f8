#!/usr/bin/env bash
# Build the benchmark kernel of one implementation for one platform, and
# boot it RUNS times, keeping each boot's kernel log.
#
# usage: scripts/bench-run.sh base|series|control uml|qemu [RUNS]
#   uml:  UML, one CPU, native speed
#   qemu: QEMU x86_64 under TCG, two vCPUs (-smp 2)
# Logs: out/bench/logs/<platform>-<impl>-<run>.log (the kernel's output)
#   and out/logs/bench-<platform>-<impl>-build.log.
# env: BUILD_ONLY=1 (build, do not run), RUN_ONLY=1 (boot the kernel built
#   before, do not rebuild), RUN_FIRST=N (number the runs from
#   N, so that runs of the two implementations can be interleaved),
#   BENCH_CPU (the host CPU UML runs on, default 1), KEEP_TREE=1 (build
#   the worktree as it is, edits made in it included, instead of setting
#   it to the series; scripts/bench-ab.sh), BENCH_FILTER (kunit filter
#   glob, default the whole suite), BENCH_LOGS (where the kernel logs go,
#   default out/bench/logs; kunit.py's own logs go to out/logs, named
#   after the directory's parent).
set -euo pipefail
impl=${1:?usage: $0 base|series|control uml|qemu [RUNS]}
plat=${2:?usage: $0 base|series|control uml|qemu [RUNS]}
runs=${3:-1}
TAG=bench-$plat-$impl
. "$(dirname "$0")/lib.sh"

# UML boots pinned to one host CPU: left free to migrate, a boot ran
# either fast or up to 1.8 times slower, at random.
case $plat in
uml) opts=() pin="taskset -c ${BENCH_CPU:-1}" ;;
qemu) opts=(--arch=x86_64 --qemu_args=-smp\ 2) pin="" ;;
*) die "unknown platform '$plat' (uml or qemu)" ;;
esac
objdir=$BUILD_ROOT/bench/$impl/$plat
if [ "${RUN_ONLY:-}" = 1 ] || [ "${KEEP_TREE:-}" = 1 ]; then
	tree=$(bench_tree "$impl")
	[ -f "$objdir/.config" ] ||
		die "no kernel built in $objdir; run 'make bench' first"
else
	tree=$("$top/scripts/bench-tree.sh" "$impl")
fi
logs=${BENCH_LOGS:-$OUT/bench/logs}
kind=$(basename "$(dirname "$logs")")
mkdir -p "$logs"
blog=$LOG_DIR/$kind-$plat-$impl-build.log

if [ "${RUN_ONLY:-}" != 1 ]; then
	say "building the $impl benchmark kernel in $objdir (log: $blog)"
	kunit_build "$tree" "$objdir" "$blog" "${opts[@]}" \
		--kunitconfig="$top/bench/bench.kunitconfig" \
		--kunitconfig="$top/bench/bench-$plat.kunitconfig" ||
		die "build failed; see $blog"
	[ "${BUILD_ONLY:-}" = 1 ] && exit 0
fi

first=${RUN_FIRST:-1}
for ((r = first; r < first + runs; r++)); do
	log=$logs/$plat-$impl-$r.log
	say "run $r: booting (kernel log: $log)"
	rc=0
	klog=$LOG_DIR/$kind-$plat-$impl-$r.log
	KUNIT_EXEC_PREFIX=$pin kunit_exec "$tree" "$objdir" \
		"$klog" "$logs/$plat-$impl-$r.json" "$log" "${opts[@]}" \
		--timeout 900 "${BENCH_FILTER:-mmu_notifier_bench}" || rc=$?
	if [ "$rc" -ne 0 ]; then
		grep -a -B2 -A8 'FAILED\|not ok' "$klog" |
			head -n 40 | sed 's/^/  | /'
		die "run $r failed (exit $rc); see $klog"
	fi
	say "run $r: $(grep -ac ' BENCH ' "$log") figures"
done
