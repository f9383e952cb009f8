#!/usr/bin/env bash
# Check the LKMM litmus tests of tests/litmus/. Always, without herd7: each
# test has one "Result: Never" or "Result: Sometimes" line and a "C" name
# equal to its file name; each Never test NAME has a twin NAME-NO-WHAT
# with Result: Sometimes, and each Sometimes test is such a twin of a
# Never test; the README lists every test (and no missing one). Then, if
# herd7 and the kernel's tools/memory-model are at hand, runs herd7 on
# each test and checks its Observation against the Result line; else says
# in one line why that was skipped and counts each verdict as skipped.
# herd7 logs go to OUTDIR.
#
# usage: scripts/litmus-check.sh [OUTDIR]   (default: <project>/out/litmus)
# env:   HERD7    herd7 binary (default: herd7 on PATH; herdtools7, not Debian)
#        LKMM_DIR a kernel tree's tools/memory-model (default: the unpacked
#                 base tree, build/src-6.12*/tools/memory-model)
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
outdir=${1:-$top/out/litmus}
dir=$top/tests/litmus
readme=$dir/README

passed=0
failed=0
ok() { passed=$((passed + 1)); }
fail() { echo "litmus: FAIL $*"; failed=$((failed + 1)); }

shopt -s nullglob
tests=("$dir"/*.litmus)
shopt -u nullglob
[ ${#tests[@]} -gt 0 ] || { echo "litmus: no tests in $dir" >&2; exit 2; }

# result FILE: the test's Result (Never, Sometimes, or what else it says).
result() {
	sed -n 's/^[[:space:]]*\*[[:space:]]*Result:[[:space:]]*\([A-Za-z]*\).*/\1/p' "$1"
}

# Format, without herd7: one unit per test.
for t in "${tests[@]}"; do
	f=$(basename "$t")
	name=${f%.litmus}
	errs=()
	res=$(result "$t")
	case $res in
	Never | Sometimes) ;;
	'') errs+=("no 'Result:' line") ;;
	*) errs+=("Result must be one line, Never or Sometimes: '${res//$'\n'/ }'") ;;
	esac
	cname=$(awk 'NF { if ($1 == "C") print $2; exit }' "$t")
	[ "$cname" = "$name" ] || errs+=("C name '${cname}' is not the file name '$name'")
	if [ "$res" = Never ]; then
		twins=0
		for w in "$dir/$name"-NO-*.litmus; do
			[ -e "$w" ] || continue
			twins=$((twins + 1))
			[ "$(result "$w")" = Sometimes ] ||
				errs+=("twin $(basename "$w") is not Result: Sometimes")
		done
		[ "$twins" -gt 0 ] || errs+=("Never test without a twin $name-NO-*.litmus")
	elif [ "$res" = Sometimes ]; then
		base=${name%-NO-*}
		if [ "$base" = "$name" ]; then
			errs+=("Sometimes test not named as a twin, BASE-NO-WHAT")
		elif [ ! -e "$dir/$base.litmus" ]; then
			errs+=("twin without its base $base.litmus")
		elif [ "$(result "$dir/$base.litmus")" != Never ]; then
			errs+=("its base $base.litmus is not Result: Never")
		fi
	fi
	grep -qF "$f" "$readme" 2>/dev/null || errs+=("not listed in tests/litmus/README")
	if [ ${#errs[@]} = 0 ]; then
		ok
	else
		msg=$(printf '%s; ' "${errs[@]}")
		fail "$f: ${msg%; }"
	fi
done
# The README lists no test that is gone.
if [ -f "$readme" ]; then
	while read -r f; do
		[ -e "$dir/$f" ] || fail "README lists $f, which does not exist"
	done < <(grep -o '[^[:space:]:]*\.litmus' "$readme" | grep -v '[*/]' | sort -u)
fi
echo "litmus: format of ${#tests[@]} tests checked"

# herd7, if at hand.
herd7=${HERD7:-$(command -v herd7 || true)}
if [ -z "${LKMM_DIR:-}" ]; then
	for d in "$top"/build/src-6.12*/tools/memory-model; do
		[ -f "$d/linux-kernel.cfg" ] && LKMM_DIR=$d
	done
fi
lkmm=${LKMM_DIR:-}
skipped=0
if [ -z "$herd7" ] || [ ! -x "$herd7" ]; then
	echo "litmus: herd7 run skipped: no herd7 (not on PATH, HERD7 unset or not executable; build it from herdtools7)"
	skipped=${#tests[@]}
elif [ -z "$lkmm" ] || [ ! -f "$lkmm/linux-kernel.cfg" ]; then
	echo "litmus: herd7 run skipped: no tools/memory-model (LKMM_DIR unset or without linux-kernel.cfg; no build/src-6.12*)"
	skipped=${#tests[@]}
else
	mkdir -p "$outdir"
	outdir=$(cd "$outdir" && pwd)
	echo "litmus: $("$herd7" -version | head -1), model $lkmm, logs in $outdir"
	for t in "${tests[@]}"; do
		f=$(basename "$t")
		name=${f%.litmus}
		log=$outdir/$name.log
		(cd "$lkmm" && "$herd7" -conf linux-kernel.cfg "$t") > "$log" 2>&1 || true
		obs=$(awk -v n="$name" '$1 == "Observation" && $2 == n { print $3 }' "$log")
		want=$(result "$t")
		if [ "$obs" = "$want" ]; then
			echo "litmus: ok   $name: $want"
			ok
		else
			fail "$name: herd7 says '${obs:-nothing}' (see $log), Result says '$want'"
		fi
	done
fi

# Without herd7 each test's verdict is one skipped unit, so that the
# summary says the ordering itself was not checked here.
if [ "$skipped" -gt 0 ]; then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
[ "$failed" = 0 ]
