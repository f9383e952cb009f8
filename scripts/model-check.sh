#!/usr/bin/env bash
# Model-check the range notifier's sequence protocol with spin: every
# property of tests/model/mmu_range.pml must verify (0 errors, full search)
# in both memory modes of the model, SC (sequentially consistent) and weak
# (spin -DWEAK: release/acquire views, see the model's header), and every
# mutation of tests/model/mutations/ must be caught, in the mode it names,
# by each property its "expect:" line names, for the right reason
# (assertion, invalid end state or acceptance cycle). Logs and trails go
# to OUTDIR.
# A mutation file holds "# why" comment lines, "expect: PROP...",
# "sed: EXPR", an expression that must change exactly one model line, and
# optionally "mode: sc|weak" (default sc).
#
# usage: scripts/model-check.sh [OUTDIR]   (default: <project>/out/model)
# env:   MODEL_DEPTH (pan -m, default 10000), MODEL_JOBS (searches run at
#        once, default 2)
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
# read_mutation and mutate: the mutation-file format, shared with
# mutation-test.sh.
. "$top/scripts/lib.sh"
outdir=${1:-$top/out/model}
model=$top/tests/model/mmu_range.pml
mutdir=$top/tests/model/mutations
depth=${MODEL_DEPTH:-10000}
jobs=${MODEL_JOBS:-2}

if ! command -v spin >/dev/null 2>&1; then
	echo "model-check: spin not found: install Debian package spin" >&2
	exit 2
fi
if ! command -v gcc >/dev/null 2>&1; then
	echo "model-check: gcc not found: install Debian package gcc" >&2
	exit 2
fi

mkdir -p "$outdir"
outdir=$(cd "$outdir" && pwd)
work=$outdir/work
rm -rf "$work"
mkdir -p "$work"
rm -f "$outdir"/good-*.log "$outdir"/mut-*.log "$outdir"/summary.txt

t0=$SECONDS
say() { printf '[model %ds] %s\n' $((SECONDS - t0)) "$*"; }

# Each property of the model and how pan checks it:
#   assert    compiled in with -DCHECK_<name>; safety search, pan -E
#   endstate  no checks compiled in; safety search for invalid end states
#   ltl       the model's "ltl <name>" block; acceptance cycles, weak fairness
declare -A kind=(
	[mirror_fresh]=assert
	[no_deadlock]=endstate
	[progress]=ltl
	[deferred_applied]=assert
	[remove_safe]=assert
	[tree_frozen]=assert
	[subs_ready]=assert
	[start_clean]=assert
	[stream_progress]=ltl
)
# Properties checked on a variant of the model: stream_progress runs with a
# stream of invalidations that never stops (-DSTREAM), whose generation
# values wrap modulo 16 to keep the state space finite.
declare -A extra=([stream_progress]='-DSTREAM -DMODV=16')
order=(mirror_fresh no_deadlock progress deferred_applied remove_safe tree_frozen subs_ready start_clean stream_progress)
modes=(sc weak)
declare -A modedef=([sc]='' [weak]='-DWEAK')
declare -A reason=(
	[assert]='assertion violated'
	[endstate]='invalid end state'
	[ltl]='acceptance cycle'
)

# run_pan PML PROP MODE DIR: run spin + gcc + pan, output in DIR/pan.log
# and the seconds it took in DIR/seconds; sets no variable, so that several
# may run at once.
run_pan() {
	local pml=$1 prop=$2 mode=$3 dir=$4
	local k=${kind[$prop]}
	local defs=() more=() cflags=(-O2 -w) pflags=("-m$depth" -c1)

	[ -n "${modedef[$mode]}" ] && defs+=("${modedef[$mode]}")
	[ -n "${extra[$prop]:-}" ] && read -r -a more <<< "${extra[$prop]}" && defs+=("${more[@]}")
	case $k in
	assert)   defs+=("-DCHECK_$prop"); cflags+=(-DSAFETY); pflags+=(-E) ;;
	endstate) cflags+=(-DSAFETY) ;;
	ltl)      defs+=("-DCHECK_$prop"); pflags+=(-a -f) ;;
	esac
	rm -rf "$dir"
	mkdir -p "$dir"
	cp "$pml" "$dir/model.pml"
	echo "${defs[*]}" > "$dir/defs"
	(
		cd "$dir"
		spin "${defs[@]}" -a model.pml > spin.log 2>&1 &&
			gcc "${cflags[@]}" -o pan pan.c > gcc.log 2>&1
	) || { echo "spin or gcc failed in $dir" >&2; cat "$dir"/spin.log "$dir"/gcc.log >&2 || true; exit 1; }
	local t0=$SECONDS
	(cd "$dir" && ./pan "${pflags[@]}" > pan.log 2>&1) || true
	echo $((SECONDS - t0)) > "$dir/seconds"
}

# read_pan DIR: sets errors, states, trans, first_error and search_ok from
# DIR/pan.log.
read_pan() {
	local dir=$1

	errors=$(sed -n 's/.*errors: \([0-9][0-9]*\).*/\1/p' "$dir/pan.log" | tail -1)
	# pan prints counts above 1e8 as 1.8e+08: make integers of them
	states=$(awk '/states, stored/ { printf "%d\n", $1; exit }' "$dir/pan.log")
	trans=$(awk '/transitions \(= / { printf "%d\n", $1; exit }' "$dir/pan.log")
	first_error=$(grep -m1 '^pan:1: ' "$dir/pan.log" || true)
	search_ok=1
	if [ -z "$errors" ] || [ -z "$states" ] ||
	   grep -q 'max search depth too small' "$dir/pan.log"; then
		search_ok=0
	fi
	: "${errors:=?}" "${states:=0}" "${trans:=0}"
}

# trail DIR LOG: replay the counterexample with spin -t into LOG; prints the
# number of steps in the trail.
trail() {
	local dir=$1 log=$2
	local defs
	read -r -a defs < "$dir/defs" || true
	(cd "$dir" && spin ${defs[@]+"${defs[@]}"} -t -p -g -l model.pml) > "$log" 2>&1 || true
	grep -vc '^-' "$dir/model.pml.trail" 2>/dev/null || echo 0
}

# The steps of a trail that say what happened, without the bookkeeping of
# the weak mode's views.
steps_of() {
	grep '^ *[0-9][0-9]*:[[:space:]]*proc' "$1" |
		grep -vE '\[(v_|ms_|mm_|ls_|ld_|g_|_a = |a = |IF\]|\.\(goto\)|else\]|\(1\)\]|h_[a-z]+\[[12]\] = )' || true
}

passed=0
failed=0
verified=0
total_states=0
total_trans=0
declare -A nverified=([sc]=0 [weak]=0)

# check PML PROP MODE DIR: run_pan, then read_pan.
check() {
	run_pan "$@"
	read_pan "$4"
}

say "spin $(spin -V | sed -n 's/^Spin Version \([^ ]*\).*/\1/p'), model $model, pan -m$depth, $jobs at a time"
# The properties' searches are independent: run them $jobs at a time (each
# weak-mode search holds about 4 GB), then report them in order.
for mode in "${modes[@]}"; do
	for prop in "${order[@]}"; do
		while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do
			wait -n || true
		done
		run_pan "$model" "$prop" "$mode" "$work/good-$mode-$prop" &
	done
done
wait
for mode in "${modes[@]}"; do
	for prop in "${order[@]}"; do
		read_pan "$work/good-$mode-$prop"
		cp "$work/good-$mode-$prop/pan.log" "$outdir/good-$mode-$prop.log"
		total_states=$((total_states + states))
		total_trans=$((total_trans + trans))
		if [ "$search_ok" = 1 ] && [ "$errors" = 0 ]; then
			say "ok   $prop $mode (${kind[$prop]}): 0 errors, $states states, $trans transitions, $(cat "$work/good-$mode-$prop/seconds")s"
			passed=$((passed + 1))
			verified=$((verified + 1))
			nverified[$mode]=$((nverified[$mode] + 1))
		else
			tlog=$outdir/good-$mode-$prop.trail.log
			steps=$(trail "$work/good-$mode-$prop" "$tlog")
			say "FAIL $prop $mode (${kind[$prop]}): errors $errors: ${first_error:-incomplete search}; $steps-step trail in $tlog"
			failed=$((failed + 1))
		fi
	done
done

caught=0
nmut=0
for m in "$mutdir"/*; do
	name=$(basename "$m")
	[ "$name" = README ] && continue
	nmut=$((nmut + 1))
	if ! read_mutation "$m"; then
		say "FAIL mutation $name: $mut_error"
		failed=$((failed + 1))
		continue
	fi
	expr=$mut_sed expect=$mut_expect mmode=$mut_mode
	: "${mmode:=sc}"
	if [ -z "${modedef[$mmode]+x}" ]; then
		say "FAIL mutation $name: unknown mode '$mmode' (sc or weak)"
		failed=$((failed + 1))
		continue
	fi
	mutant=$work/$name.pml
	if ! mutate "$expr" "$model" "$mutant"; then
		say "FAIL mutation $name: $mut_error"
		failed=$((failed + 1))
		continue
	fi
	{
		echo "mutation $name, $mmode mode"
		diff "$model" "$mutant" || true
	} > "$outdir/mut-$name.log"

	ok=1
	for prop in $expect; do
		if [ -z "${kind[$prop]+x}" ]; then
			say "FAIL mutation $name: unknown property $prop"
			ok=0
			continue
		fi
		t1=$SECONDS
		check "$mutant" "$prop" "$mmode" "$work/mut-$name-$prop"
		{
			echo
			echo "=== $prop (${kind[$prop]}, $mmode)"
			cat "$work/mut-$name-$prop/pan.log"
		} >> "$outdir/mut-$name.log"
		want=${reason[${kind[$prop]}]}
		if [ "$errors" != "?" ] && [ "$errors" -gt 0 ] && [[ "$first_error" == *"$want"* ]]; then
			tlog=$outdir/mut-$name-$prop.trail.log
			steps=$(trail "$work/mut-$name-$prop" "$tlog")
			say "caught $name ($mmode) by $prop: ${first_error#pan:1: }; $steps-step trail, $((SECONDS - t1))s"
			{
				echo "--- counterexample ($steps steps, full replay in $tlog)"
				steps_of "$tlog" | head -120
			} >> "$outdir/mut-$name.log"
		else
			say "MISSED $name ($mmode) by $prop: errors $errors, wanted '$want', got '${first_error:-nothing}'"
			ok=0
		fi
	done
	if [ "$ok" = 1 ]; then
		caught=$((caught + 1))
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
	fi
done

say "logs in $outdir"
summary="model: $verified properties verified (${nverified[sc]} SC, ${nverified[weak]} weak), $total_states states, $total_trans transitions; $caught mutations caught"
[ "$caught" = "$nmut" ] || summary="$summary of $nmut"
{
	echo "$summary"
	echo "$passed passed, $failed failed"
} | tee "$outdir/summary.txt"
[ "$failed" = 0 ]
