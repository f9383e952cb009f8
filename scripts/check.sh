#!/usr/bin/env bash
# make check: run every check of the project, each to its end even when an
# earlier one failed, then print one table and the summed last line
# "N passed, N failed[, N skipped]". Exits non-zero if anything failed.
#
# Each step is a script whose last output line is "N passed, N failed".
# usage: scripts/check.sh [STEP...]   (default: all; names as in the table)
set -uo pipefail
TAG=check
. "$(dirname "$0")/lib.sh"

steps=(
	"uml-debug|scripts/kunit.sh uml-debug"
	"uml-default|env EXPECTED_LOG_LINES=/dev/null scripts/kunit.sh uml-default"
	"qemu-lockdep|scripts/kunit.sh qemu-lockdep --arch=x86_64 --qemu_args=-smp 2"
	"qemu-kcsan|scripts/kunit.sh qemu-kcsan --arch=x86_64 --qemu_args=-smp 2"
	"kcsan-soak|scripts/kcsan-soak.sh"
	"qemu-arm64|scripts/kunit.sh qemu-arm64 --arch=arm64 --cross_compile=aarch64-linux-gnu- --qemu_args=-smp 2"
	"compile|scripts/compile-configs.sh"
	"mutations|scripts/mutation-test.sh"
	"model|scripts/model-check.sh"
	"litmus|scripts/litmus-check.sh"
	"series-am|scripts/check-series-am.sh"
	"series-mail|scripts/check-series-mail.sh"
	"lint|scripts/lint.sh"
	"hmm-selftests|scripts/hmm-selftests.sh"
	"users|scripts/compile-users.sh"
	"bisect|env BISECT_USERS=0 scripts/bisect-build.sh"
)

# Each step makes its trees as it goes (about 7 GiB over a cold run, on top
# of the 4 GiB make left); a step that runs out of space part way stops
# with an error that may not say so, hence the word here and in the table.
free0=$(free_gib)
[ $# -gt 0 ] || [ "$free0" -ge 8 ] ||
	say "warning: $free0 GiB free on the file system of $BUILD_ROOT; a cold make check needs about 7 GiB more"

# The run's stamp (date, commit, machine), kept with each step's log as
# check-<step>.stamp for scripts/measurements.py (MEASUREMENTS.md).
stamp=$("$top/scripts/measurements.py" stamp) || stamp=
want=" $* "
tp=0 tf=0 ts=0
table=()
for s in "${steps[@]}"; do
	name=${s%%|*}
	cmd=${s#*|}
	[ $# -gt 0 ] && [[ $want != *" $name "* ]] && continue
	log=$LOG_DIR/check-$name.log
	say "=== $name: $cmd"
	t=$SECONDS
	# Word splitting of $cmd is wanted, except for the QEMU arguments.
	if [[ $cmd == *--qemu_args=* ]]; then
		read -r -a argv <<<"${cmd%% --qemu_args=*}"
		argv+=("--qemu_args=${cmd#* --qemu_args=}")
	else
		read -r -a argv <<<"$cmd"
	fi
	(cd "$top" && _T0=$_t0 "${argv[@]}") 2>&1 | tee "$log"
	last=$(tail -n 1 "$log")
	p=$(sed -n 's/^\([0-9]*\) passed.*/\1/p' <<<"$last")
	f=$(sed -n 's/.* \([0-9]*\) failed.*/\1/p' <<<"$last")
	sk=$(sed -n 's/.* \([0-9]*\) skipped.*/\1/p' <<<"$last")
	if [ -z "$p" ] || [ -z "$f" ]; then
		# The step stopped before its summary: count it as one failure.
		p=0 f=1
		last="stopped early (see $log; $(free_gib) GiB free)"
	fi
	sk=${sk:-0}
	tp=$((tp + p)) tf=$((tf + f)) ts=$((ts + sk))
	secs=$((SECONDS - t))
	table+=("$(printf '%-14s %-40s %5ds' "$name" "$last" "$secs")")
	printf '%s\nstep=%s\nresult=%s\nseconds=%d\nended=%s\n' "$stamp" \
		"$name" "$last" "$secs" "$(date -u +%FT%TZ)" \
		>"$LOG_DIR/check-$name.stamp"
done

echo
echo "check summary (logs in $LOG_DIR; disk: $free0 GiB free at the start, $(free_gib) GiB at the end):"
printf '  %s\n' "${table[@]}"
# The figures the steps printed along the way, in one place.
{
	grep -h 'fault_alloc_fails_in_turn: [0-9]* faults injected' \
		"$LOG_DIR"/*-kernel.log 2>/dev/null | sed 's/^ *# /  faults: /' | sort -u
	grep -h 'conc_random_model: seed [0-9]*: ' "$LOG_DIR"/uml-debug-kernel.log \
		"$LOG_DIR"/qemu-*-kernel.log 2>/dev/null | sed 's/^ *# /  random model: /'
	grep -h '^\[kcsan-soak.*soak:' "$LOG_DIR"/check-kcsan-soak.log 2>/dev/null |
		sed 's/^\[[^]]*\] /  /'
	grep -h '^model:' "$LOG_DIR"/check-model.log 2>/dev/null | sed 's/^/  /'
	grep -h '^\[mutation.*mutations:' "$LOG_DIR"/check-mutations.log 2>/dev/null |
		sed 's/^\[[^]]*\] /  /'
} || true
line="$tp passed, $tf failed"
[ "$ts" -gt 0 ] && line="$line, $ts skipped"
echo "$line"
[ "$tf" -eq 0 ]
