#!/bin/bash
# Rename what the semantic patch cannot reach: the 6.12 interval notifier
# names in comments and in Documentation/ (kernel-doc, reST text and code
# blocks). Only the exact old names are rewritten (whole words; the plural
# "mmu_interval_notifiers" in one comment included). The core files,
# replaced by the first patch of the series, are left alone: the old names
# in <linux/mmu_notifier.h> are the mapping that the next patch removes.
set -euo pipefail

git rev-parse --is-inside-work-tree >/dev/null || {
	echo "$0: must run at the top of the kernel git tree" >&2
	exit 1
}

# shellcheck source=names.inc
. "$(dirname "$0")/names.inc"
old="mmu_interval_($(names_suffixes OLD)|notifiers)"

# git grep exits 1 when nothing matches, which is fine; anything else is not.
list=$(git grep -l -E "\\b${old}\\b" -- \
	':!mm/mmu_notifier.c' ':!include/linux/mmu_notifier.h') || [ $? -eq 1 ]
[ -n "$list" ] || exit 0

mapfile -t files <<<"$list"
sed -E -i "s/\\b${old}\\b/mmu_range_\\1/g" "${files[@]}"
