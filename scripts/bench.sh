#!/usr/bin/env bash
# make bench: the benchmark side by side, unmodified 6.12 against the
# series, under UML (one CPU, native speed) and QEMU x86_64 -smp 2 (TCG:
# only ratios count), then the table, the targets and the picture.
#
# Boots of the implementations alternate (base, series, base, ...) so that
# a slow period of the machine hits both; every figure is the best (1 CPU)
# or median (2 CPUs) over the boots, and the noise of the best is measured
# by splitting the boots in two halves. Under UML a third kernel, the
# base again with its text moved (the `control`), measures how much the
# figures move with code layout alone.
#
# env: UML_RUNS (boots per implementation, default 12), QEMU_RUNS (default
#   4), BENCH_QEMU=0 (UML only)
# Writes out/bench.md and out/bench.png (data, gnuplot script and the
# kernels' logs in out/bench/), and out/bench.stamp (the run's date, commit
# and machine, for scripts/measurements.py); exits non-zero if a firm
# target is missed.
set -euo pipefail
TAG=bench
. "$(dirname "$0")/lib.sh"
stamp=$("$top/scripts/measurements.py" stamp) || stamp=

uml_runs=${UML_RUNS:-12}
qemu_runs=${QEMU_RUNS:-4}
logs=$OUT/bench/logs
rm -rf "$logs"
mkdir -p "$logs"

# platform runs impl...: build the kernels, then boot them in turn.
bench_platform() {
	local plat=$1 runs=$2 impl r
	shift 2
	for impl in "$@"; do
		BUILD_ONLY=1 _T0=$_t0 "$top/scripts/bench-run.sh" "$impl" "$plat"
	done
	say "$plat: $runs boots of each of $*, alternating"
	for ((r = 1; r <= runs; r++)); do
		for impl in "$@"; do
			RUN_ONLY=1 RUN_FIRST=$r _T0=$_t0 \
				"$top/scripts/bench-run.sh" "$impl" "$plat" 1
		done
	done
}

bench_platform uml "$uml_runs" base series control
qemu=()
if [ "${BENCH_QEMU:-1}" != 0 ]; then
	bench_platform qemu "$qemu_runs" base series
	qemu=(--qemu-base "$logs"/qemu-base-*.log
	      --qemu-series "$logs"/qemu-series-*.log)
fi

say "report (log: $LOG_DIR/bench-report.log)"
rc=0
"$top/scripts/bench-report.py" \
	--uml-base "$logs"/uml-base-*.log --uml-series "$logs"/uml-series-*.log \
	--uml-control "$logs"/uml-control-*.log \
	"${qemu[@]}" --out "$OUT/bench" --elapsed $((SECONDS - _t0)) \
	--title "MMU notifier: Linux $(basename "$(base_tree)" | sed 's/^src-//') vs the range notifier series" \
	| tee "$LOG_DIR/bench-report.log" || rc=$?
cp "$OUT/bench/bench.md" "$OUT/bench.md"
[ -f "$OUT/bench/bench.png" ] && cp "$OUT/bench/bench.png" "$OUT/bench.png"
printf '%s\nseconds=%d\nended=%s\n' "$stamp" $((SECONDS - _t0)) \
	"$(date -u +%FT%TZ)" >"$OUT/bench.stamp"
say "wrote $OUT/bench.md and $OUT/bench.png in $((SECONDS - _t0)) s"
exit "$rc"
