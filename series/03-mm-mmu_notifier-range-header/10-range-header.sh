#!/bin/bash
# Write <linux/mmu_range_notifier.h> as it stands before the rewrite: the
# range API's names, each mapped onto its 6.12 mmu_interval_* name (the
# pairs of the treewide conversion's names list), and a remove that also
# clears the subscription's mm, as the range API promises. Patch 05
# replaces it with the header of the new implementation.
set -euo pipefail

# shellcheck source=../10-treewide-convert/names.inc
. "$(dirname "$0")/../10-treewide-convert/names.inc"

h=include/linux/mmu_range_notifier.h
[ ! -e "$h" ] || {
	echo "$0: $h exists already" >&2
	exit 1
}
{
	cat <<'HEAD'
/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The range notifier: a subscription to the invalidations of one span of
 * an mm's address space, for drivers that mirror a process's page tables
 * in a device (GPUs, RDMA NICs, the HMM test driver).
 *
 * This header gives the range API the names it was designed with (struct
 * mmu_range_notifier, mmu_range_read_begin(), ...). For now each of them
 * stands for its mmu_interval_* counterpart in <linux/mmu_notifier.h>,
 * where the implementation and its kernel-doc are.
 */
#ifndef _LINUX_MMU_RANGE_NOTIFIER_H
#define _LINUX_MMU_RANGE_NOTIFIER_H

#include <linux/mmu_notifier.h>

HEAD
	# "#define new<tabs>old", the old names lined up on column 48.
	names_pairs | while read -r old new; do
		[ "$new" != mmu_range_notifier_remove ] || continue
		echo "$new $old"
	done | awk '{
		s = "#define " $1; t = ""
		for (w = length(s); w < 48; w = (int(w / 8) + 1) * 8)
			t = t "\t"
		print s t $2
	}'
	cat <<'TAIL'

/**
 * mmu_range_notifier_remove - end a range subscription
 * @mrn: a subscription inserted with mmu_range_notifier_insert() or
 *	 mmu_range_notifier_insert_locked()
 *
 * Takes @mrn out of its mm's tree and waits until no invalidation can
 * call its ops any more, so it may sleep; it must not be called from an
 * invalidate callback. On return @mrn->mm is NULL: the range API tells an
 * inserted subscription from one that is not by its mm, and @mrn may be
 * freed or inserted again.
 */
static inline void mmu_range_notifier_remove(struct mmu_range_notifier *mrn)
{
	mmu_interval_notifier_remove(mrn);
	/* Nothing in the mm refers to @mrn now: no reader of ->mm is left. */
	mrn->mm = NULL;
}

#endif /* _LINUX_MMU_RANGE_NOTIFIER_H */
TAIL
} >"$h"
