# shellcheck shell=bash
# Common settings and helpers for the project's scripts; sourced, not run.
#
# Every path the scripts share is set here once: where the base tarball is,
# where build trees and logs go, where ccache keeps its cache (outside the
# checkout, so a fresh clone starts warm on the same machine).

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD_ROOT=${BUILD_ROOT:-$top/build}
OUT=${OUT:-$top/out}
LOG_DIR=${LOG_DIR:-$OUT/logs}
BASE_TARBALL=/usr/src/linux-source-6.12.tar.xz
BASE_SERIES=6.12
JOBS=${JOBS:-$(nproc)}

# ccache lives outside the checkout; root and users each get their own.
if [ -z "${CCACHE_DIR:-}" ]; then
	if [ "$(id -u)" = 0 ]; then
		CCACHE_DIR=/var/cache/mmu-notifier-ccache
	else
		CCACHE_DIR=${XDG_CACHE_HOME:-$HOME/.cache}/mmu-notifier-ccache
	fi
fi
export CCACHE_DIR
# Build-dir paths differ between trees of the same source; let ccache hit.
export CCACHE_BASEDIR=$BUILD_ROOT
export CCACHE_NOHASHDIR=true
export CCACHE_SLOPPINESS=time_macros,include_file_mtime,include_file_ctime

mkdir -p "$LOG_DIR"

_t0=${_T0:-$SECONDS}
_tag=${TAG:-$(basename "$0" .sh)}

# say MESSAGE: one progress line with the elapsed time of this script.
say() {
	printf '[%s %4ds] %s\n' "$_tag" $((SECONDS - _t0)) "$*"
}

# The mutation files of tests/mutations/ (KUnit) and tests/model/mutations/
# (spin model): "# why" comment lines, one "expect: WHAT..." line, one
# "sed: EXPR" line (a sed expression that must change exactly one line of
# the code or model it mutates) and at most one "mode: sc|weak" line.
#
# read_mutation FILE: sets mut_expect, mut_sed and mut_mode (empty when
# absent); returns 1 with mut_error set if the file is not of that form.
read_mutation() {
	local f=$1 n_sed n_expect n_mode

	mut_expect=$(sed -n 's/^expect: //p' "$f")
	mut_sed=$(sed -n 's/^sed: //p' "$f")
	mut_mode=$(sed -n 's/^mode: //p' "$f")
	n_sed=$(grep -c '^sed: ' "$f" || true)
	n_expect=$(grep -c '^expect: ' "$f" || true)
	n_mode=$(grep -c '^mode: ' "$f" || true)
	if [ "$n_sed" != 1 ] || [ "$n_expect" != 1 ] || [ "$n_mode" -gt 1 ] ||
	   [ -z "$mut_sed" ] || [ -z "$mut_expect" ]; then
		mut_error="needs exactly one 'sed:' and one 'expect:' line, at most one 'mode:'"
		return 1
	fi
}

# mutate EXPR IN OUT: OUT is IN with the sed expression applied; returns 1
# with mut_error set unless exactly one line changed (the mutation no
# longer fits IN, which must then be updated).
mutate() {
	local removed added

	if ! sed -e "$1" "$2" >"$3"; then
		mut_error="its sed expression does not apply"
		return 1
	fi
	removed=$(diff "$2" "$3" | grep -c '^<' || true)
	added=$(diff "$2" "$3" | grep -c '^>' || true)
	if [ "$removed" != 1 ] || [ "$added" != 1 ]; then
		mut_error="changes $removed line(s) of $(basename "$2"), not exactly one: update it to the current source"
		return 1
	fi
}

# die MESSAGE: say what went wrong and stop.
# tally STATUS OK_MESSAGE FAIL_MESSAGE: count one result of a step (STATUS
# 0 passed, anything else failed) in $passed / $failed and say which.
passed=0 failed=0
tally() {
	if [ "$1" -eq 0 ]; then
		say "$2"
		passed=$((passed + 1))
	else
		say "$3"
		failed=$((failed + 1))
	fi
}

# summary: a step's last line, "N passed, N failed"; false if one failed.
summary() {
	echo "$passed passed, $failed failed"
	[ "$failed" -eq 0 ]
}

die() {
	printf '%s: error: %s\n' "$_tag" "$*" >&2
	exit 1
}

# free_gib: whole GiB free on the file system that holds BUILD_ROOT.
free_gib() {
	mkdir -p "$BUILD_ROOT"
	df -Pk "$BUILD_ROOT" | awk 'NR == 2 { print int($4 / 1048576) }'
}

# need_disk GIB WHAT: stop, saying so, unless GIB GiB are free where the
# build trees go (a full kernel worktree takes about 1.5 GiB, its build
# tree up to 1 GiB more). A build that runs out of space half way fails
# in ways that do not say why.
need_disk() {
	local have
	have=$(free_gib)
	[ "$have" -ge "$1" ] ||
		die "only $have GiB free on the file system of $BUILD_ROOT; $2 needs about $1 GiB. Free some space (df -h $BUILD_ROOT; 'make clean' in another checkout of this project drops its build trees) and run again"
}

# logged LOG CMD...: run CMD with all its output in LOG; while it runs,
# print a heartbeat every 30 seconds with the log's last line (or, with
# LOGGED_OBJDIR set, the number of objects built there so far). On failure,
# show the last 25 lines and where the full log is (unless LOGGED_TAIL=0:
# the caller shows what matters itself).
logged() {
	local log=$1 pid rc=0 n=0 stamp
	shift
	mkdir -p "$(dirname "$log")"
	stamp=$(mktemp)
	"$@" >"$log" 2>&1 &
	pid=$!
	while kill -0 "$pid" 2>/dev/null; do
		sleep 1
		n=$((n + 1))
		if [ $((n % 30)) -eq 0 ] && [ -n "${LOGGED_OBJDIR:-}" ]; then
			say "  ... $((n / 60))m$((n % 60))s, $(find "$LOGGED_OBJDIR" -name '*.o' -newer "$stamp" 2>/dev/null | wc -l) objects (re)built in $LOGGED_OBJDIR"
		elif [ $((n % 30)) -eq 0 ]; then
			say "  ... $((n / 60))m$((n % 60))s: $(tail -n 1 "$log" | cut -c1-90)"
		fi
	done
	wait "$pid" || rc=$?
	rm -f "$stamp"
	if [ "$rc" -ne 0 ] && [ "${LOGGED_TAIL:-1}" = 1 ]; then
		printf '%s: command failed (exit %d): %s\n' "$_tag" "$rc" "$*" >&2
		tail -n 25 "$log" | sed 's/^/  | /' >&2
		printf '%s: full log: %s\n' "$_tag" "$log" >&2
	fi
	return "$rc"
}

# The series' version (series/version): format-patch -v, [PATCH vN m/n].
series_version() { cat "$top/series/version"; }

# series_cover / series_patches: the exported cover letter, and the
# exported patches in order (out/series/vN-0000-cover-letter.patch, ...).
series_cover() {
	find "$OUT/series" -name 'v*-0000-cover-letter.patch' | head -n 1
}
series_patches() {
	find "$OUT/series" -name 'v*-[0-9][0-9][0-9][0-9]-*.patch' \
		! -name 'v*-0000-*' | sort
}

# am_gives_series WORKTREE LOG MBOX...: git am of the MBOXes onto the
# pristine base in WORKTREE (made or reset here); true if they apply and the
# result is exactly the tree make built (branch series). Prints why not.
am_gives_series() {
	local wt=$1 log=$2
	shift 2
	git -C "$wt" am --abort >/dev/null 2>&1 || true
	detached_worktree "$wt" base pristine >>"$log" 2>&1
	if ! git -C "$wt" am -q "$@" >>"$log" 2>&1; then
		git -C "$wt" am --abort >/dev/null 2>&1 || true
		echo "git am failed (see $log)"
		return 1
	fi
	if [ "$(git -C "$wt" rev-parse 'HEAD^{tree}')" != \
	     "$(git -C "$(base_tree)" rev-parse 'series^{tree}')" ]; then
		echo "applies, but the result differs from the tree make built:"
		git -C "$wt" diff --stat HEAD series | tail -n 5
		return 1
	fi
}

# base_tree: the patched tree's path, from the version make recorded.
base_tree() {
	local ver
	ver=$(cat "$BUILD_ROOT/current-version" 2>/dev/null) ||
		die "no kernel tree yet: run 'make' first"
	echo "$BUILD_ROOT/src-$ver"
}

# new_worktree REPO DIR REV: make DIR, which must not exist, a detached
# worktree of the git tree REPO at REV, once the disk has room for it.
new_worktree() {
	local repo=$1 wt=$2 rev=$3
	need_disk 3 "the worktree $wt"
	mkdir -p "$(dirname "$wt")"
	git -C "$repo" worktree prune
	git -C "$repo" worktree add -q --detach "$wt" "$rev" ||
		die "git worktree add $wt $rev failed (above)"
}

# detached_worktree DIR REV [pristine]: DIR as a detached worktree of the
# series tree at REV. When it is elsewhere (or, with `pristine`, holds any
# edit or untracked file) it is reset to REV with nothing else in it;
# otherwise it is left alone, so files a script laid over it stay, and
# object trees built from it (O= only, never in it) stay warm.
detached_worktree() {
	local wt=$1 rev=$2 want src
	src=$(base_tree)
	want=$(git -C "$src" rev-parse "$rev^{commit}")
	if [ ! -f "$wt/.git" ]; then
		say "making the worktree $wt" >&2
		rm -rf "$wt"
		new_worktree "$src" "$wt" "$want"
	elif [ "$(git -C "$wt" rev-parse HEAD)" != "$want" ] ||
		{ [ "${3:-}" = pristine ] &&
		  [ -n "$(git -C "$wt" status --porcelain -unormal)" ]; }; then
		say "resetting the worktree $wt to $rev" >&2
		git -C "$wt" checkout -q -f --detach "$want" ||
			die "git checkout $rev in $wt failed"
		git -C "$wt" clean -q -fdx
	fi
}

# bench_tree IMPL: where scripts/bench-tree.sh keeps the worktree of IMPL.
bench_tree() {
	echo "$BUILD_ROOT/bench/$1/$(basename "$(base_tree)")"
}

# base_worktree: the pristine base, a detached worktree of the tree's tag
# `base`, for the side-by-side builds (hmm-selftests.sh, compile-users.sh).
# It is build/base-pristine/<name of the series tree>, with its O dirs
# beside it, so base and series compile with the same relative paths and
# share ccache entries.
base_worktree() {
	local wt
	wt=$BUILD_ROOT/base-pristine/$(basename "$(base_tree)")
	detached_worktree "$wt" base pristine
	echo "$wt"
}

# configure_fragment TREE OBJ DEFCONFIG FRAGMENT [MAKE_VAR=VALUE...]:
# configure the object tree OBJ of TREE as the make target DEFCONFIG plus
# FRAGMENT, with the tree's own scripts/kconfig/merge_config.sh. Its check
# of every merged value ("Value requested for ... not in final .config") is
# the one used, read for the fragment's own lines: a fragment value that
# did not take (a missing dependency) fails, naming it. Two of its reports
# are not failures: a value of DEFCONFIG that the fragment changed through
# a dependency, and a "# CONFIG_X is not set" that the final .config
# leaves out because X is not visible (which is also n). The
# MAKE_VAR=VALUE arguments (ARCH=, CROSS_COMPILE=, LLVM=) are exported for
# merge_config's make.
# With FRAGMENT_LET_GO=1 an option the tree does not define at all is let
# go with a note instead (the base tree lacks the series' own options).
configure_fragment() {
	local tree=$1 obj=$2 def=$3 frag=$4 log out opt
	shift 4
	mkdir -p "$obj"
	log=$obj/.merge-config.log
	(
		# shellcheck disable=SC2163 # the arguments are VAR=VALUE
		export "$@"
		make -C "$tree" O="$obj" "$def" >/dev/null &&
			cd "$tree" &&
			scripts/kconfig/merge_config.sh -O "$obj" "$obj/.config" "$frag"
	) >"$log" 2>&1 || {
		tail -n 20 "$log" >&2
		return 1
	}
	out=$(awk 'NR == FNR {
			if (match($0, /^(# )?CONFIG_[A-Za-z0-9_]+/)) {
				o = substr($0, RSTART, RLENGTH); sub(/^# /, "", o)
				ours[o] = 1
			}
			next
		}
		/^Value requested for / { o = $4; n = 3 }
		n == 2 { req = $0 }
		n == 1 {
			act = $0; sub(/^Actual value: */, "", act)
			sub(/^Requested value: */, "", req)
			if ((o in ours) && !(req ~ /is not set$/ && act == ""))
				print o "\t" "asked " req ", got " \
					(act == "" ? "no line (not visible)" : act)
		}
		n { n-- }' "$frag" "$log")
	for opt in $(cut -f1 <<<"$out"); do
		[ "${FRAGMENT_LET_GO:-}" = 1 ] || break
		git -C "$tree" grep -q -E \
			"^\s*(menu)?config ${opt#CONFIG_}\$" HEAD -- '*Kconfig*' &&
			continue
		echo "fragment option $opt: not defined in this tree, let go"
		out=$(grep -v "^$opt	" <<<"$out" || true)
	done
	if [ -n "$out" ]; then
		printf 'configure_fragment: %s did not take:\n%s\n' "$frag" "$out" >&2
		return 1
	fi
}

# kunit_build TREE OBJDIR LOG [kunit.py build options...]: build the KUnit
# kernel of TREE in OBJDIR with TREE's own kunit.py, through ccache, with
# $JOBS jobs; the output goes to LOG, progress (objects built) to the
# terminal. The compiler is ccache ${CROSS}gcc, CROSS from a
# --cross_compile= option among the options.
kunit_build() {
	local tree=$1 objdir=$2 log=$3 cross
	shift 3
	cross=$(printf '%s\n' "$@" | sed -n 's/^--cross_compile=//p')
	LOGGED_OBJDIR=$objdir logged "$log" \
		python3 "$tree/tools/testing/kunit/kunit.py" build \
		--build_dir="$objdir" --jobs "$JOBS" \
		--make_options CC="ccache ${cross}gcc" "$@"
}

# kunit_exec TREE OBJDIR LOG JSON KLOG [kunit.py exec options and filter]:
# boot the kernel built in OBJDIR and run its suites; kunit.py's console
# output goes to LOG, its results (kunit.py's JSON, read by
# scripts/kunit-results.py) to JSON, the kernel's own log to KLOG. Its
# exit status is kunit.py's; a failed run prints nothing here (the caller
# reports the cases from JSON). KUNIT_EXEC_PREFIX, if set, is a command
# kunit.py runs under (taskset -c 1: the benchmark's pinned UML).
#
# QEMU x86_64 boots with the PS/2 controller's ports left alone: its mouse
# is probed in the background, and its "input:" line once landed between
# a subtest's "KTAP version 1" and its "# Subtest:" line, which kunit.py
# then parsed as a test without a name (a make bench run of 2026-12-04
# failed so). No test uses a keyboard or a mouse.
kunit_exec() {
	local tree=$1 objdir=$2 log=$3 json=$4 klog=$5 rc=0 quiet=()
	shift 5
	case " $* " in
	*" --arch=x86_64 "*)
		quiet=(--kernel_args=i8042.nokbd --kernel_args=i8042.noaux) ;;
	esac
	rm -f "$json"
	# shellcheck disable=SC2086 # the prefix is a command and its words
	LOGGED_TAIL=0 logged "$log" ${KUNIT_EXEC_PREFIX:-} \
		python3 "$tree/tools/testing/kunit/kunit.py" exec \
		--build_dir="$objdir" --json="$json" "${quiet[@]}" "$@" || rc=$?
	cp "$objdir/test.log" "$klog" 2>/dev/null || : >"$klog"
	return "$rc"
}

# which_trees WHICH: the trees a script that compares the base with the
# series runs on: base, series or both (into the array trees).
which_trees() {
	case $1 in
	base) trees=(base) ;;
	series) trees=(series) ;;
	both) trees=(base series) ;;
	*) die "usage: $0 [base|series|both]" ;;
	esac
}
