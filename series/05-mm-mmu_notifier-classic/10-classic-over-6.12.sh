#!/bin/bash
# This patch rewrites the classic notifiers and keeps 6.12's interval
# notifier, which the next patch replaces. kernel/ holds our core at the end
# of the series: take the later patches' diffs back from a copy of it (as
# the next patch's scripts do), then let hybrid.py put our classic code and
# the interval notifier of the tree (6.12's, at this point) together.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

mkdir -p "$tmp/mm"
cp "$top/kernel/mm/mmu_notifier.c" "$tmp/mm/"
for d in 09-mm-mmu_notifier-misuse-checks/10-misuse-checks.diff \
	 08-mm-mmu_notifier-two-pass/10-two-pass.diff \
	 07-mm-mmu_notifier-lockless-read-begin/10-lockless-read-begin.diff; do
	(cd "$tmp" && git apply -R --include=mm/mmu_notifier.c "$here/../$d")
done

python3 "$here/hybrid.py" \
	"$tmp/mm/mmu_notifier.c" "$top/kernel/include/linux/mmu_notifier.h" \
	mm/mmu_notifier.c include/linux/mmu_notifier.h \
	"$tmp/mmu_notifier.c" "$tmp/mmu_notifier.h"
mv "$tmp/mmu_notifier.c" mm/mmu_notifier.c
mv "$tmp/mmu_notifier.h" include/linux/mmu_notifier.h
