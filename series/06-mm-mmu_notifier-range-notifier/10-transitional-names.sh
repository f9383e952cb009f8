#!/bin/bash
# Map the 6.12 mmu_interval_* names onto the new ones at the end of
# <linux/mmu_notifier.h>, so that every user keeps building until the
# treewide conversion that follows (patch 10), whose names list gives
# the pairs; patch 11 drops the mapping.
set -euo pipefail

# shellcheck source=../10-treewide-convert/names.inc
. "$(dirname "$0")/../10-treewide-convert/names.inc"

h=include/linux/mmu_notifier.h
last='#endif /* _LINUX_MMU_NOTIFIER_H */'
[ "$(tail -n 1 "$h")" = "$last" ] || {
	echo "$0: $h does not end with: $last" >&2
	exit 1
}
{
	head -n -1 "$h"
	cat <<'COMMENT'
/*
 * Transitional: the range notifier under its 6.12 names, so that every
 * user keeps building until the treewide conversion that follows.
 */
#include <linux/mmu_range_notifier.h>
COMMENT
	names_pairs | while read -r old new; do
		echo "#define $old $new"
	done
	echo
	echo "$last"
} >"$h.new"
mv "$h.new" "$h"
