#!/usr/bin/env bash
# make lint: the checks mm maintainers run before reading a series.
#
#   checkpatch   scripts/checkpatch.pl --strict on every patch in out/series/;
#                a patch made by a semantic patch may keep the messages its
#                renamed lines had in the base (see step_checkpatch)
#   kernel-doc   scripts/kernel-doc -Wall -none on both headers and the core
#   gcc-W1-C2    x86_64 build of our objects with W=1 and sparse (C=2)
#   clang        the same objects built with LLVM=1 and W=1
#   coccicheck   make coccicheck MODE=report over mm/ and lib/, our files
#   htmldocs     make htmldocs SPHINXDIRS=mm, no warning from our files
#   cocci-message  scripts/check-cocci-message.sh: the commit message of the
#                treewide patch quotes its semantic patch exactly
#   bench-report scripts/check-bench-report.sh: the benchmark report's
#                verdicts on the recorded boots of tests/bench-report/ are
#                those of its expected-verdicts file
#   kunit-results  scripts/check-kunit-results.sh: scripts/kunit-results.py,
#                which counts every KUnit result, on a recorded JSON file
#   scan-log     scripts/check-scan-log.sh: the log scan's rule for KCSAN
#                reports in base-kernel code only, on recorded reports
#   reviewer     scripts/check-reviewer.sh: MAINTAINERS names the sender
#                (as R:) only when asked and only for a real identity
#
# usage: scripts/lint.sh [STEP...]     (default: all)
# Each step counts as one; the last line is "N passed, N failed".
set -uo pipefail
TAG=lint
. "$(dirname "$0")/lib.sh"

tree=$(base_tree)
ours_c=(mm/mmu_notifier.c lib/test_mmu_notifier.c)
ours_h=(include/linux/mmu_notifier.h include/linux/mmu_range_notifier.h)
objs=(mm/mmu_notifier.o lib/test_mmu_notifier.o)
# Lines of compiler, sparse or tool output that name one of our files.
ours_re='(mmu_notifier\.[ch]|mmu_range_notifier\.h|test_mmu_notifier\.c)'

# checkpatch's helpers (spdxcheck.py) need Debian's python3 modules.
export PATH=/usr/bin:$PATH

passed=0
failed=0
report() {	# report STEP OK|FAIL DETAIL
	say "$1: $2${3:+ ($3)}"
	if [ "$2" = ok ]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
}

# checkpatch_file FILE: "TYPE: message" lines of checkpatch --strict -f.
checkpatch_file() {
	"$tree/scripts/checkpatch.pl" --strict --no-summary --terse -q -f "$1" \
		2>/dev/null | sed -n 's/^[^:]*:[0-9]*: //p' | sort
}

# A patch made by a semantic patch (its folder holds a *.cocci) renames
# identifiers in lines it did not write: checkpatch may report what those
# lines already had. Such a message is kept, and listed, when the base
# version of the file has at least as many of it as the patched one.
step_checkpatch() {
	local log=$LOG_DIR/lint-checkpatch.log p i=0 dirs f msgs bad=0
	local kept=0 tmp
	mapfile -t dirs < <(ls -d "$top"/series/[0-9][0-9]-*/)
	tmp=$(mktemp -d)
	: > "$log"
	for p in $(series_patches); do
		i=$((i + 1))
		msgs=$("$tree/scripts/checkpatch.pl" --strict --no-summary \
			--showfile --terse -q "$p" 2>&1 || true)
		[ -n "$msgs" ] || continue
		printf '%s:\n%s\n' "$(basename "$p")" "$msgs" >> "$log"
		if ! ls "${dirs[i - 1]}"*.cocci >/dev/null 2>&1; then
			printf '%s\n' "$msgs" | sed "s|^|  $(basename "$p"): |"
			bad=1
			continue
		fi
		# Generated patch: compare each file it has messages for with
		# the same file in the base.
		for f in $(printf '%s\n' "$msgs" | cut -d: -f1 | sort -u); do
			mkdir -p "$tmp/a/$(dirname "$f")" "$tmp/b/$(dirname "$f")"
			git -C "$tree" show "base:$f" > "$tmp/a/$f" 2>/dev/null || : > "$tmp/a/$f"
			git -C "$tree" show "series~$(( ${#dirs[@]} - i )):$f" > "$tmp/b/$f"
			new=$(comm -13 <(checkpatch_file "$tmp/a/$f") \
				       <(checkpatch_file "$tmp/b/$f"))
			if [ -n "$new" ]; then
				printf '%s\n' "$new" | sed "s|^|  $(basename "$p"): $f: new: |"
				bad=1
			fi
		done
		kept=$((kept + $(printf '%s\n' "$msgs" | wc -l)))
		printf '%s\n' "$msgs" | sed "s|^|  kept (the base line had it): |" >> "$log"
	done
	rm -rf "$tmp"
	if [ "$bad" = 0 ]; then
		report checkpatch ok "$i patches; $kept messages kept on renamed lines, listed in $log"
	else
		report checkpatch FAIL "see $log"
	fi
}

step_kerneldoc() {
	local log=$LOG_DIR/lint-kernel-doc.log
	(cd "$tree" && scripts/kernel-doc -Wall -none "${ours_h[@]}" mm/mmu_notifier.c) \
		> "$log" 2>&1
	if [ -s "$log" ]; then
		sed 's/^/  /' "$log" | head -n 40
		report kernel-doc FAIL "see $log"
	else
		report kernel-doc ok "${#ours_h[@]} headers, mm/mmu_notifier.c"
	fi
}

# objbuild NAME MAKEARGS...: configure build/lint-NAME (x86_64 defconfig and
# configs/lint-x86_64.config), then rebuild our objects with MAKEARGS; the
# output lines that name our files are the findings.
objbuild() {
	local name=$1 dir log o
	dir=$BUILD_ROOT/lint-$name
	log=$LOG_DIR/lint-$name.log
	shift
	mkdir -p "$dir"
	if [ ! -f "$dir/.config" ] || [ "$top/configs/lint-x86_64.config" -nt "$dir/.config" ]; then
		logged "$log" configure_fragment "$tree" "$dir" defconfig \
			"$top/configs/lint-x86_64.config" ARCH=x86_64 "$@" ||
			{ report "$name" FAIL "configure failed, see $log"; return; }
	fi
	rm -f "${objs[@]/#/$dir/}"
	if ! logged "$log" make -C "$tree" O="$dir" ARCH=x86_64 -j"$JOBS" "$@" \
		W=1 "${objs[@]}"; then
		report "$name" FAIL "build failed, see $log"
		return
	fi
	local left
	left=$(grep -E "$ours_re" "$log" | grep -E -i 'warning|error|note:' || true)
	if [ -n "$left" ]; then
		printf '%s\n' "$left" | sed 's/^/  /' | head -n 40
		report "$name" FAIL "see $log"
	else
		report "$name" ok "${objs[*]}"
	fi
}

step_gcc() { objbuild gcc-W1-C2 CC="ccache gcc" C=2; }
step_clang() { objbuild clang LLVM=1 CC="ccache clang"; }

# coccicheck takes a directory (M=); give it one that holds only our files,
# so that the tree's other findings and run time stay out.
step_coccicheck() {
	local log=$LOG_DIR/lint-coccicheck.log dir=$BUILD_ROOT/lint-gcc-W1-C2
	local m=$BUILD_ROOT/lint-cocci left f
	[ -f "$dir/.config" ] || step_gcc
	rm -rf "$m"
	mkdir -p "$m"
	for f in "${ours_c[@]}" "${ours_h[@]}"; do
		cp "$tree/$f" "$m/"
	done
	if ! logged "$log" make -C "$tree" O="$dir" MODE=report M="$m" \
		J="$JOBS" coccicheck; then
		report coccicheck FAIL "see $log"
		return
	fi
	left=$(grep -E "^$m/" "$log" || true)
	if [ -n "$left" ]; then
		printf '%s\n' "$left" | sed "s|$m/||; s/^/  /" | head -n 40
		report coccicheck FAIL "see $log"
	else
		report coccicheck ok "$(grep -c '^/usr/bin/spatch' "$log") semantic patches over ${#ours_c[@]} files and ${#ours_h[@]} headers"
	fi
}

step_htmldocs() {
	if "$top/scripts/docs-build.sh" "$tree" "$BUILD_ROOT/docs" \
		> "$LOG_DIR/lint-htmldocs.log" 2>&1; then
		report htmldocs ok "$(tail -n 1 "$LOG_DIR/lint-htmldocs.log")"
	else
		sed 's/^/  /' "$LOG_DIR/lint-htmldocs.log" | tail -n 20
		report htmldocs FAIL "see $LOG_DIR/lint-htmldocs.log"
	fi
}

# script_step NAME WHY CMD...: a step that is one of our check scripts: ok
# with the script's last line, or the tail of its output and WHY.
script_step() {
	local name=$1 why=$2 out
	shift 2
	if out=$("$@" 2>&1); then
		report "$name" ok "$(tail -n 1 <<<"$out")"
	else
		sed 's/^/  /' <<<"$out" | tail -n 40
		report "$name" FAIL "$why"
	fi
}

step_cocci-message() {
	script_step cocci-message "the quoted semantic patch differs" \
		"$top/scripts/check-cocci-message.sh"
}

step_bench-report() {
	script_step bench-report \
		"verdicts differ from tests/bench-report/expected-verdicts" \
		"$top/scripts/check-bench-report.sh"
}

step_kunit-results() {
	script_step kunit-results \
		"its counts differ from tests/kunit-results/expected" \
		"$top/scripts/check-kunit-results.sh"
}

step_scan-log() {
	script_step scan-log \
		"verdicts differ from tests/scan-log/expected" \
		"$top/scripts/check-scan-log.sh"
}

step_reviewer() {
	script_step reviewer \
		"identities handled otherwise than tests/reviewer/identities says" \
		"$top/scripts/check-reviewer.sh"
}

all=(checkpatch kerneldoc gcc clang coccicheck htmldocs cocci-message bench-report
     kunit-results scan-log reviewer)
for s in "${@:-${all[@]}}"; do
	say "=== $s"
	"step_$s"
done
summary
