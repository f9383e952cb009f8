#!/bin/bash
# This patch rewrites the classic notifiers and keeps 6.12's interval
# notifier, which the next patch replaces. kernel/ holds our core at the end
# of the series: in a scratch copy of the files the later diffs touch, run
# the next patch's own scripts that take those diffs back, then let
# hybrid.py put our classic code and the interval notifier of the tree
# (6.12's, at this point) together.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

for f in mm/mmu_notifier.c include/linux/mmu_range_notifier.h; do
	mkdir -p "$tmp/$(dirname "$f")"
	cp "$top/kernel/$f" "$tmp/$f"
done
for s in "$here"/../06-*/3[0-9]-*.sh; do
	(cd "$tmp" && bash "$s")
done

python3 "$here/hybrid.py" \
	"$tmp/mm/mmu_notifier.c" "$top/kernel/include/linux/mmu_notifier.h" \
	mm/mmu_notifier.c include/linux/mmu_notifier.h \
	"$tmp/mmu_notifier.c" "$tmp/mmu_notifier.h"
mv "$tmp/mmu_notifier.c" mm/mmu_notifier.c
mv "$tmp/mmu_notifier.h" include/linux/mmu_notifier.h
