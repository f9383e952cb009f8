#!/usr/bin/env bash
# Prepare the source tree the benchmark is built from: a detached worktree
# of the pristine base (tag `base`) or of the applied series, with
# bench/mmu_notifier_bench.c added as lib/mmu_notifier_bench.c and its
# Kconfig entry and Makefile line appended. The base tree also gets
# bench/mmu_notifier_bench_compat.h, which maps our names to 6.12's.
# `control` is the base again with bench/mmu_notifier_bench_pad.c added in
# kernel/: the same code at other addresses, to measure layout noise.
#
# usage: scripts/bench-tree.sh base|series|control
# Prints the tree's path. Our files are rewritten only when their content
# changes, so a rebuild recompiles only what changed.
set -euo pipefail
impl=${1:?usage: $0 base|series}
TAG=bench-tree
. "$(dirname "$0")/lib.sh"

src=$(base_tree)
case $impl in
base | control) rev=$(git -C "$src" rev-parse 'base^{commit}') ;;
series) rev=$(git -C "$src" rev-parse 'HEAD^{commit}') ;;
*) die "unknown implementation '$impl' (base, series or control)" ;;
esac
wt=$(bench_tree "$impl")

# put FILE: write stdin to FILE in the worktree if its content differs.
put() {
	local tmp
	tmp=$(mktemp)
	cat >"$tmp"
	if cmp -s "$tmp" "$wt/$1"; then
		rm -f "$tmp"
	else
		mv "$tmp" "$wt/$1"
	fi
}

detached_worktree "$wt" "$rev"

# The base trees build the benchmark with the compat header.
{
	git -C "$wt" show "$rev:lib/Makefile"
	cat "$top/bench/Makefile.add"
	if [ "$impl" != series ]; then
		echo 'CFLAGS_mmu_notifier_bench.o += -DMMU_NOTIFIER_BENCH_COMPAT'
	fi
} | put lib/Makefile
{ git -C "$wt" show "$rev:lib/Kconfig.debug"; cat "$top/bench/Kconfig"; } |
	put lib/Kconfig.debug
put lib/mmu_notifier_bench.c <"$top/bench/mmu_notifier_bench.c"
if [ "$impl" != series ]; then
	# Our names on 6.12: the treewide patch's renames, the other way round.
	# Not patch 03's <linux/mmu_range_notifier.h>, although it maps the
	# same pairs: its remove also clears ->mm, a store 6.12 does not make,
	# and the base trees must time 6.12's own remove.
	# shellcheck source=../series/10-treewide-convert/names.inc
	. "$top/series/10-treewide-convert/names.inc"
	{
		cat <<'HEADER'
/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The benchmark's names on unmodified Linux 6.12, where range notifiers
 * are called interval notifiers. Written by scripts/bench-tree.sh from
 * series/10-treewide-convert/names, in the base trees only; the series
 * tree has <linux/mmu_range_notifier.h> instead.
 */
#ifndef MMU_NOTIFIER_BENCH_COMPAT_H
#define MMU_NOTIFIER_BENCH_COMPAT_H

#include <linux/mmu_notifier.h>

HEADER
		names_pairs | while read -r old new; do
			echo "#define $new $old"
		done
		printf '\n#endif /* MMU_NOTIFIER_BENCH_COMPAT_H */\n'
	} | put lib/mmu_notifier_bench_compat.h
fi
if [ "$impl" = control ]; then
	{ git -C "$wt" show "$rev:kernel/Makefile"
	  echo 'obj-y += mmu_notifier_bench_pad.o'; } | put kernel/Makefile
	put kernel/mmu_notifier_bench_pad.c \
		<"$top/bench/mmu_notifier_bench_pad.c"
fi
echo "$wt"
