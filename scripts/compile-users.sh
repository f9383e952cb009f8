#!/usr/bin/env bash
# Compile every in-tree user of the MMU notifier API, with W=1, on the
# pristine base and on the series, and compare the warnings object by object.
#
# Which objects: the .c files of each tree that
#   - #include <linux/mmu_notifier.h> or <linux/mmu_range_notifier.h>, or
#   - use the API by name: mmu_range_*, mmu_interval_*, mmu_notifier*, the
#     *_notify() page-table helpers (a file that only mentions a name in a
#     comment is in too; compiling it costs little),
# over both trees (union), minus the code no x86_64 configuration can build
# (the list `skip` below, each with its reason). Headers that include the
# API headers (kvm_host.h, ib_verbs.h, asm/tlbflush.h ...) are not followed:
# they reach most of the kernel, and each of them is compiled by the users
# above anyway. A source maps to its object at the same path; kbuild may
# name it from another directory (arch/x86/kvm builds virt/kvm/*.c as
# ../../../virt/kvm/*.o, amdgpu builds ../amdkfd/*.o): the name kbuild uses
# is looked up and built.
#
# Configuration: x86_64_defconfig + configs/users-x86_64.config; every
# option of the fragment must take (options the tree does not define at
# all are let go with a note: the base lacks the series' KUnit option).
# Each object must be one the configuration builds: the Makefile of its
# directory, or of one above it, lists it in obj-y/obj-m (or in a composite
# object that is), and every directory above is descended into (asked of
# kbuild itself: scripts/Makefile.build of the directory, read with a
# makefile that prints real-obj-y/m and subdir-ym). An object that is not (a user left out of the configuration) is a
# failure naming it and the Makefile line that would build it: the done
# criterion is that no user of the API is left out.
#
# Each object is built with `make O=... W=1 path/file.o` (all in one make,
# -j$JOBS, output grouped per target); its warnings are kept per object in
# the O dir, so a warm run, which recompiles nothing, still compares. A
# warning is compared without line and column numbers and with tree paths
# stripped; a warning the series has and the base has not, for the same
# object, fails the object.
#
# usage: scripts/compile-users.sh [base|series|both]   (default both)
# env:   USERS_SERIES_TREE, USERS_SERIES_OBJ: build "series" from another
#        tree into another O dir (scripts/bisect-build.sh does, per commit);
#        USERS_CONFIG: another fragment (to show what a user left out of it
#        does); USERS_LOG_PREFIX (default users); JOBS, BUILD_ROOT, LOG_DIR
# trees: base = worktree build/base-pristine/src-<version> at tag `base`,
#        objects in build/base-pristine/users; series = the patched tree,
#        objects in build/users-series. (The base worktree and its O dirs
#        sit side by side as the series tree and its O dirs do, so both
#        compile with the same relative paths and share ccache entries.)
# logs:  LOG_DIR/users-<tree>-build.log{,.config,.prepare},
#        users-warnings.txt (the new warnings)
# Last line "N passed, N failed": one per object; passed = in the
# configuration, built on every tree asked for, no new W=1 warning.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

which_trees "${1:-both}"
frag=${USERS_CONFIG:-$top/configs/users-x86_64.config}
src=$(base_tree)
[ -d "$src/.git" ] || die "$src is not a git tree: run 'make' first"

# Users that x86_64 cannot build: "regex reason".
skip=(
	'^arch/(powerpc|riscv|s390|arm64|arm)/ another architecture'
	'^drivers/iommu/arm/ ARM_SMMU_V3 depends on ARM64'
	'^drivers/misc/ocxl/ OCXL depends on HOTPLUG_PCI_POWERNV (powerpc)'
	'^tools/ user space (the KVM selftests), not kernel code'
)
api='#include <linux/(mmu_notifier|mmu_range_notifier)\.h>|\bmmu_(range|interval)_[a-z_]+|\bmmu_notifier[a-z_]*\b|\b(ptep|pmdp|pudp)_[a-z_]*_notify\b|\bset_pte_at_notify\b'

declare -A tree_of obj_of
for t in "${trees[@]}"; do
	case $t in
	base)
		tree_of[$t]=$(base_worktree)
		obj_of[$t]=$BUILD_ROOT/base-pristine/users
		;;
	series)
		tree_of[$t]=${USERS_SERIES_TREE:-$src}
		obj_of[$t]=${USERS_SERIES_OBJ:-$BUILD_ROOT/users-series}
		;;
	esac
done

# The users: sources of every tree asked for, then objects.
sources() {
	git -C "$1" grep -l -E "$api" HEAD -- '*.c' | sed 's/^HEAD://'
}
declare -A skipped
objects=()
while read -r f; do
	for s in "${skip[@]}"; do
		if [[ $f =~ ${s%% *} ]]; then
			skipped[$f]=${s#* }
			continue 2
		fi
	done
	objects+=("${f%.c}.o")
done < <(for t in "${trees[@]}"; do sources "${tree_of[$t]}"; done | sort -u)
say "${#objects[@]} objects use the API; ${#skipped[@]} sources left out:"
for f in $(printf '%s\n' "${!skipped[@]}" | sort); do
	say "  $f: ${skipped[$f]}"
done

# kbuild's own answer to "what does this directory build?": Makefile.build
# of the directory, read with one more makefile that prints its lists.
members_mk() {
	cat <<'EOF'
kbuild-members:
	@echo 'obj: $(real-obj-y) $(lib-y) $(real-obj-m)'
	@echo 'dir: $(subdir-ym)'
EOF
}
# normpath (awk): a/b/../c -> a/c, as a kbuild object name resolves
normpath_awk='function normpath(p,   n, i, k, part, out) {
	n = split(p, part, "/"); k = 0
	for (i = 1; i <= n; i++) {
		if (part[i] == "..") { if (k > 0) k--; continue }
		if (part[i] == "." || part[i] == "") continue
		out[++k] = part[i]
	}
	p = ""; for (i = 1; i <= k; i++) p = p (i > 1 ? "/" : "") out[i]
	return p
}'
declare -A dir_done dir_subdirs kname_of kdir_of
# members T DIR: what DIR builds; fills kname_of[T:object] (the object as
# kbuild names it, e.g. drivers/gpu/drm/amd/amdgpu/../amdkfd/kfd_svm.o,
# keyed by its resolved path), kdir_of[T:object] (DIR) and
# dir_subdirs[T:DIR].
members() {
	local t=$1 d=$2 out norm kb
	[ -n "${dir_done[$t:$d]:-}" ] && return
	dir_done[$t:$d]=1
	dir_subdirs[$t:$d]=" "
	[ -f "${tree_of[$t]}/$d/Makefile" ] || [ -f "${tree_of[$t]}/$d/Kbuild" ] ||
		return 0
	out=$(make -s -C "${obj_of[$t]}" -f "${tree_of[$t]}/scripts/Makefile.build" \
		-f "${obj_of[$t]}/.kbuild-members.mk" obj="$d" \
		srctree="${tree_of[$t]}" objtree=. VPATH="${tree_of[$t]}" \
		building_out_of_srctree=1 ARCH=x86 SRCARCH=x86 CC=gcc \
		need-builtin=1 need-modorder=1 kbuild-members 2>/dev/null) || true
	dir_subdirs[$t:$d]=" $(sed -n 's/^dir: //p' <<<"$out") "
	while read -r norm kb; do
		if [ -z "$norm" ] || [ -n "${kname_of[$t:$norm]:-}" ]; then
			continue
		fi
		kname_of[$t:$norm]=$kb
		kdir_of[$t:$norm]=$d
	done < <(sed -n 's/^obj: //p' <<<"$out" | tr ' ' '\n' | grep '\.o$' |
		awk "$normpath_awk"' { print normpath($0), $0 }')
	return 0
}
# in_config T OBJECT: 0 if the configuration of T builds OBJECT (a resolved
# path), else 1 with the reason in $why. An object may be listed by the
# Makefile of its directory or of one above it (kvm-y += mmu/mmu.o), or, for
# virt/kvm, by arch/x86/kvm. Then every directory from there up must be
# descended into by the nearest directory above it that has a Makefile.
# (Not run in a subshell: it fills the caches above.)
in_config() {
	local t=$1 o=$2 d found="" up
	local cand=()
	d=$(dirname "$o")
	while :; do
		cand+=("$d")
		[[ $d == */* ]] || break
		d=$(dirname "$d")
	done
	case $o in virt/kvm/*) cand+=(arch/x86/kvm) ;; esac
	for d in "${cand[@]}"; do
		members "$t" "$d"
		if [ -n "${kname_of[$t:$o]:-}" ]; then
			found=${kdir_of[$t:$o]}
			break
		fi
	done
	if [ -z "$found" ]; then
		why="no Makefile of $(dirname "$o") or above builds it in this configuration; $(
			cd "${tree_of[$t]}" && grep -n -w "$(basename "$o")" \
			"${cand[@]/%//Makefile}" 2>/dev/null | head -n 1 | grep . ||
			echo 'no Makefile line names it')"
		return 1
	fi
	d=$found
	while [[ $d == */* ]] && [ "$d" != arch/x86 ]; do
		up=$(dirname "$d")
		while [[ $up == */* ]] && [ ! -f "${tree_of[$t]}/$up/Makefile" ] &&
			[ ! -f "${tree_of[$t]}/$up/Kbuild" ]; do
			up=$(dirname "$up")
		done
		members "$t" "$up"
		if [[ ${dir_subdirs[$t:$up]} != *" $d "* ]]; then
			why="$up does not descend into $d; $(cd "${tree_of[$t]}" &&
				grep -n -m1 "${d#"$up"/}/" "$up/Makefile" 2>/dev/null ||
				echo 'no Makefile line names it')"
			return 1
		fi
		d=$up
	done
}

# normalize TREE: warnings of one object, comparable across trees.
normalize() {
	local tree=$1
	{ grep -E 'warning:|error:' || true; } |
		sed -E -e "s#$tree/##g" -e "s#(\.\./)*$(basename "$tree")/##g" \
			-e 's#(\.\./)+##g' \
			-e 's#:[0-9]+:[0-9]+:#:#g' -e 's#:[0-9]+:#:#g' \
			-e 's#\+0x[0-9a-f]+#+OFF#g' |
		LC_ALL=C sort -u
}

# split_warnings OBJ < LOG: each "CC" line of the log starts the output of
# that object (make -O groups each target's output); keep it per object as
# OBJ/.users-warnings/<object>.txt.new
split_warnings() {
	awk -v dir="$1/.users-warnings" "$normpath_awk"'
		/^  CC( \[M\])? +[^ ]+\.o$/ { cur = normpath($NF)
			file = dir "/" cur ".txt.new"
			system("mkdir -p \"$(dirname \"" file "\")\""); printf "" > file; next }
		/^  [A-Z0-9_]+( \[M\])? / || /^make(\[[0-9]+\])?: / { cur = ""; next }
		cur != "" { print >> file }
	'
}

declare -A built warns failed_build
for t in "${trees[@]}"; do
	tree=${tree_of[$t]}
	obj=${obj_of[$t]}
	blog=$LOG_DIR/${USERS_LOG_PREFIX:-users}-$t-build.log
	mkdir -p "$obj/.users-warnings"
	members_mk >"$obj/.kbuild-members.mk"
	say "$t: configuring and preparing $obj (log: $blog)"
	{
		FRAGMENT_LET_GO=1 logged "$blog.config" configure_fragment \
			"$tree" "$obj" x86_64_defconfig "$frag" &&
			logged "$blog.prepare" make -C "$tree" O="$obj" W=1 \
				CC="ccache gcc" -j"$JOBS" modules_prepare
	} || {
		grep -A 12 'did not take' "$blog.config" | sed 's/^/  /' >&2 || true
		die "$t: configuration failed; see $blog.config / $blog.prepare"
	}
	grep 'let go' "$blog.config" | sed "s/^/  $t: /" || true

	todo=() targets=()
	for o in "${objects[@]}"; do
		[ -f "$tree/${o%.o}.c" ] || continue # source not in this tree
		if ! in_config "$t" "$o"; then
			say "$t: NOT IN CONFIG: $o ($why)"
			continue
		fi
		todo+=("$o")
		targets+=("${kname_of[$t:$o]}")
		# no kept warnings: build it again to get them
		[ -f "$obj/.users-warnings/$o.txt" ] || rm -f "$obj/$o"
	done
	say "$t: building ${#todo[@]} objects with W=1"
	find "$obj/.users-warnings" -name '*.txt.new' -delete
	declare -A bad=()
	pass=1
	while [ ${#targets[@]} -gt 0 ]; do
		log=$blog
		[ $pass = 1 ] || log=$blog.pass$pass
		logged "$log" make -C "$tree" O="$obj" W=1 CC="ccache gcc" \
			-j"$JOBS" -k --output-sync=target "${targets[@]}" || true
		split_warnings "$obj" <"$log"
		# Who failed, by make's own words. An object that failed keeps
		# no stale .o from an earlier build (a warm run must not take
		# it for built). Goals that make left alone only because another
		# goal of their directory failed get one more pass without it.
		again=()
		while read -r kind kn; do
			o=$(awk "$normpath_awk"' { print normpath($0) }' <<<"$kn")
			case $kind in
			E) bad[$o]=1 ;;
			N) [ -n "${bad[$o]:-}" ] || again+=("$kn") ;;
			esac
		done < <(sed -n -E \
			-e 's/^make(\[[0-9]+\])?: \*\*\* \[[^]]*: ([^] ]+\.o)\] Error.*/E \2/p' \
			-e "s/^make(\\[[0-9]+\\])?: Target '([^']+\\.o)' not remade because of errors\\./N \\2/p" \
			"$log" | sort -u)
		for o in "${!bad[@]}"; do rm -f "$obj/$o"; done
		[ $pass -lt 3 ] || break
		targets=("${again[@]}")
		pass=$((pass + 1))
	done
	for kn in "${targets[@]}"; do # still left alone after the last pass
		o=$(awk "$normpath_awk"' { print normpath($0) }' <<<"$kn")
		bad[$o]=1
		rm -f "$obj/$o"
	done
	for o in "${todo[@]}"; do
		w=$obj/.users-warnings/$o.txt
		[ -f "$w.new" ] && mv "$w.new" "$w"
		if [ -z "${bad[$o]:-}" ] && [ -f "$obj/$o" ] && [ -f "$w" ]; then
			built[$t:$o]=1
			warns[$t:$o]=$(normalize "$tree" <"$w")
		else
			failed_build[$t:$o]=1
			say "$t: $o did not build:"
			{ grep -E 'error:' "$w" 2>/dev/null || true; } | head -n 3 |
				sed 's/^/  | /'
			rm -f "$w"
		fi
	done
	unset bad
done

# One verdict per object.
newlog=$LOG_DIR/${USERS_LOG_PREFIX:-users}-warnings.txt
: >"$newlog"
passed=0 failed=0
last=${trees[-1]}
say "objects (per tree: ok / NOT IN CONFIG / BUILD FAILED / -, W=1 warnings):"
for o in "${objects[@]}"; do
	verdict=ok cols=""
	for t in "${trees[@]}"; do
		if [ ! -f "${tree_of[$t]}/${o%.o}.c" ]; then
			cols="$cols $(printf '%-16s' "$t:-")"
		elif [ -n "${built[$t:$o]:-}" ]; then
			n=$(grep -c . <<<"${warns[$t:$o]}" || true)
			cols="$cols $(printf '%-16s' "$t:ok,${n}w")"
		elif [ -n "${failed_build[$t:$o]:-}" ]; then
			cols="$cols $(printf '%-16s' "$t:BUILD-FAILED")"
			verdict=FAIL
		else
			cols="$cols $(printf '%-16s' "$t:NOT-IN-CONFIG")"
			verdict=FAIL
		fi
	done
	if [ ${#trees[@]} -eq 2 ] && [ -n "${built[series:$o]:-}" ]; then
		new=$(LC_ALL=C comm -13 <(printf '%s\n' "${warns[base:$o]:-}") \
			<(printf '%s\n' "${warns[series:$o]}") | grep . || true)
		if [ -n "$new" ]; then
			verdict=FAIL
			cols="$cols NEW WARNINGS: $(grep -c . <<<"$new")"
			{ echo "== $o"; echo "$new"; } >>"$newlog"
		fi
	fi
	printf '  %-4s %-60s%s\n' "$verdict" "$o" "$cols"
	if [ $verdict = ok ]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
done
[ -s "$newlog" ] && { say "new W=1 warnings on the series ($newlog):"; sed 's/^/  /' "$newlog"; }
say "${#objects[@]} objects: $passed ok, $failed failed (trees: ${trees[*]}; last built: $last)"
summary
