#!/usr/bin/env bash
# Build the series in configurations no KUnit run covers:
#
#   i386          mm/mmu_notifier.o and lib/test_mmu_notifier.o, 32-bit
#                 (i386_defconfig + configs/compile-i386.config, Debian's
#                 gcc-i686-linux-gnu), W=1: no warning in either object.
#   no-notifier   mm/ of x86_64 tinyconfig + configs/compile-no-notifier.config,
#                 where nothing selects CONFIG_MMU_NOTIFIER, W=1, and the
#                 probe tests/compile/mmu_notifier_stubs.c (every inline of
#                 both headers), compiled as an external module object (not
#                 linked: the kernel is not built). Checks that the
#                 option is off, that mm/mmu_notifier.o is not built, that
#                 no object of mm/ nor the probe references the notifier
#                 core (the stubs were used), that at least 5 objects of
#                 mm/ include <linux/mmu_notifier.h>, and no W=1 warning in
#                 the probe.
#
# usage: scripts/compile-configs.sh [i386|no-notifier ...]   (default: both)
# trees: objects in build/compile-<config>; logs in LOG_DIR/compile-<config>*.log
# Last line "N passed, N failed": one per configuration.
set -euo pipefail
TAG=compile
. "$(dirname "$0")/lib.sh"

tree=$(base_tree)
[ -d "$tree/.git" ] || die "$tree is not a git tree: run 'make' first"
configs=("$@")
[ ${#configs[@]} -gt 0 ] || configs=(i386 no-notifier)

# warnings LOG OBJECT...: the compiler warnings of the objects in LOG
warnings() {
	local log=$1 o pat=""
	shift
	for o in "$@"; do pat="$pat|${o%.o}\\.[ch]:"; done
	grep -E "(${pat#|}).*warning:" "$log" || true
}

build_i386() {
	local obj=$BUILD_ROOT/compile-i386 log=$LOG_DIR/compile-i386.log
	local objs=(mm/mmu_notifier.o lib/test_mmu_notifier.o) mk w
	mk=(ARCH=i386 CROSS_COMPILE=i686-linux-gnu-)
	command -v i686-linux-gnu-gcc >/dev/null ||
		{ echo "i686-linux-gnu-gcc missing: install gcc-i686-linux-gnu"; return 1; }
	say "i386: configuring $obj"
	configure_fragment "$tree" "$obj" i386_defconfig \
		"$top/configs/compile-i386.config" "${mk[@]}" || return 1
	say "i386: building ${objs[*]} with W=1 (log: $log)"
	LOGGED_OBJDIR=$obj logged "$log" make -C "$tree" O="$obj" "${mk[@]}" \
		CC="ccache i686-linux-gnu-gcc" W=1 -j"$JOBS" "${objs[@]}" || return 1
	for o in "${objs[@]}"; do
		[ -f "$obj/$o" ] || { echo "i386: $o not built"; return 1; }
	done
	w=$(warnings "$log" "${objs[@]}")
	[ -z "$w" ] || { echo "i386: W=1 warnings:"; echo "$w"; return 1; }
	say "i386: $(file -b "$obj/mm/mmu_notifier.o" | cut -d, -f1-2), no warning"
}

build_no_notifier() {
	local obj=$BUILD_ROOT/compile-no-notifier log=$LOG_DIR/compile-no-notifier.log
	local probe=$BUILD_ROOT/compile-no-notifier-probe o n refs w
	say "no-notifier: configuring $obj"
	configure_fragment "$tree" "$obj" tinyconfig \
		"$top/configs/compile-no-notifier.config" ARCH=x86_64 || return 1
	if grep -q '^CONFIG_MMU_NOTIFIER=' "$obj/.config"; then
		echo "no-notifier: CONFIG_MMU_NOTIFIER is set; something selects it"
		return 1
	fi
	say "no-notifier: building mm/ with W=1 (log: $log)"
	LOGGED_OBJDIR=$obj logged "$log" make -C "$tree" O="$obj" ARCH=x86_64 \
		CC="ccache gcc" W=1 -j"$JOBS" mm/ modules_prepare || return 1
	[ ! -e "$obj/mm/mmu_notifier.o" ] ||
		{ echo "no-notifier: mm/mmu_notifier.o was built"; return 1; }
	rm -rf "$probe"
	cp -r "$top/tests/compile" "$probe"
	say "no-notifier: building the stub probe (log: $log.probe)"
	logged "$log.probe" make -C "$tree" O="$obj" ARCH=x86_64 \
		CC="ccache gcc" W=1 M="$probe" mmu_notifier_stubs.o || return 1
	w=$(grep 'warning:' "$log.probe" || true)
	[ -z "$w" ] || { echo "no-notifier: W=1 warnings in the probe:"; echo "$w"; return 1; }
	refs=$(for o in "$obj"/mm/*.o "$probe"/mmu_notifier_stubs.o; do
		nm -u "$o" | grep -E '__mmu_notifier|mmu_range_|mmu_notifier_' |
			sed "s#^#${o#"$BUILD_ROOT"/}: #"
	done || true)
	[ -z "$refs" ] ||
		{ echo "no-notifier: references to the notifier core:"; echo "$refs"; return 1; }
	n=$(grep -l 'include/linux/mmu_notifier.h' "$obj"/mm/.*.o.cmd | wc -l)
	[ "$n" -ge 5 ] ||
		{ echo "no-notifier: only $n objects of mm/ include mmu_notifier.h"; return 1; }
	say "no-notifier: $n objects of mm/ and the probe built on the stubs, no reference to the core"
}

for c in "${configs[@]}"; do
	case $c in
	i386) fn=build_i386 ;;
	no-notifier) fn=build_no_notifier ;;
	*) die "unknown configuration $c (i386, no-notifier)" ;;
	esac
	rc=0
	$fn || rc=$?
	tally "$rc" "ok   $c" "FAIL $c"
done
summary
