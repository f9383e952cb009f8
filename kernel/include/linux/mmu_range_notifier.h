/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The range notifier: a driver that mirrors part of a process address space
 * subscribes to exactly the span it mirrors, and is called only for changes
 * that overlap it. Subscriptions of an mm are kept in an interval tree.
 *
 * A driver pairs the notifier with a sequence check (collision-retry):
 *
 *	again:
 *		seq = mmu_range_read_begin(mrn);
 *		... fault the pages in, e.g. hmm_range_fault() ...
 *		take the driver lock;
 *		if (mmu_range_read_retry(mrn, seq)) {
 *			drop the driver lock;
 *			goto again;
 *		}
 *		... program the device with the pages ...
 *		drop the driver lock;
 *
 * and its invalidate callback takes the same driver lock, calls
 * mmu_range_set_seq() and tears the device mappings of the range down.
 *
 * See Documentation/mm/mmu_notifier.rst.
 */
#ifndef _LINUX_MMU_RANGE_NOTIFIER_H
#define _LINUX_MMU_RANGE_NOTIFIER_H

#include <linux/interval_tree.h>
#include <linux/mmu_notifier.h>

struct mmu_range_notifier;

/**
 * struct mmu_range_notifier_ops - callbacks of a range notifier
 * @invalidate: the primary page tables of an address range overlapping the
 *	subscription are about to change. The callback takes the driver lock
 *	that also protects mmu_range_read_retry(), calls mmu_range_set_seq()
 *	with @cur_seq, and stops the device from using the pages of
 *	[range->start, range->end) before returning. It may sleep only if
 *	mmu_notifier_range_blockable(@range); when it is not allowed to and
 *	would have to, it returns false, and the whole invalidation is
 *	refused with -EAGAIN. Otherwise it returns true.
 */
struct mmu_range_notifier_ops {
	bool (*invalidate)(struct mmu_range_notifier *mrn,
			   const struct mmu_notifier_range *range,
			   unsigned long cur_seq);
};

/**
 * struct mmu_range_notifier - one subscription to a span of an mm
 * @interval_tree: the span [@interval_tree.start, @interval_tree.last], both
 *	inclusive, and the node in the mm's interval tree. Read-only for
 *	drivers.
 * @ops: the callbacks. Bit 0 is set by mmu_range_notifier_remove() to claim
 *	the subscription; only the core reads @ops.
 * @mm: the mm subscribed to; pinned with mmgrab() until removal, and still
 *	set while the invalidate callback may run.
 * @deferred_item: link in the mm's list of inserts and removes waiting for
 *	the running invalidations to end.
 * @invalidate_seq: the sequence value of the last invalidation that hit this
 *	subscription; always odd. Written by mmu_range_set_seq().
 *
 * The driver allocates it (zeroed, or freshly removed) and must not change
 * any field itself. 88 bytes on 64-bit.
 */
struct mmu_range_notifier {
	struct interval_tree_node interval_tree;
	const struct mmu_range_notifier_ops *ops;
	struct mm_struct *mm;
	struct hlist_node deferred_item;
	unsigned long invalidate_seq;
};

#ifdef CONFIG_MMU_NOTIFIER

int mmu_range_notifier_insert(struct mmu_range_notifier *mrn,
			      struct mm_struct *mm, unsigned long start,
			      unsigned long length,
			      const struct mmu_range_notifier_ops *ops);
int mmu_range_notifier_insert_locked(struct mmu_range_notifier *mrn,
				     struct mm_struct *mm, unsigned long start,
				     unsigned long length,
				     const struct mmu_range_notifier_ops *ops);
void mmu_range_notifier_remove(struct mmu_range_notifier *mrn);
unsigned long mmu_range_read_begin(struct mmu_range_notifier *mrn);

/**
 * mmu_range_set_seq - record that an invalidation hit @mrn
 * @mrn: the subscription passed to the invalidate callback.
 * @cur_seq: the @cur_seq passed to the invalidate callback.
 *
 * Call it only from the invalidate callback, under the driver lock that
 * also covers mmu_range_read_retry(). Any read section that began before
 * the call will then retry.
 *
 * The release store pairs with the acquire load in mmu_range_read_begin():
 * a reader that sees @cur_seq here also sees the mm-wide sequence that the
 * invalidation published before calling back, and waits for its end.
 */
static inline void mmu_range_set_seq(struct mmu_range_notifier *mrn,
				     unsigned long cur_seq)
{
	/* Pairs with smp_load_acquire() in mmu_range_read_begin(). */
	smp_store_release(&mrn->invalidate_seq, cur_seq);
}

/**
 * mmu_range_read_retry - must a read section be repeated?
 * @mrn: the subscription.
 * @seq: what mmu_range_read_begin() returned for the section.
 *
 * Call it under the driver lock that the invalidate callback takes, right
 * before making the pages read in the section visible to the device. If it
 * returns false, the pages are current and no invalidation can slip in
 * until the lock is dropped: the next one will call back and take it.
 *
 * Return: true if an invalidation collided with the section.
 */
static inline bool mmu_range_read_retry(struct mmu_range_notifier *mrn,
					unsigned long seq)
{
	return READ_ONCE(mrn->invalidate_seq) != seq;
}

/**
 * mmu_range_check_retry - has a read section already collided?
 * @mrn: the subscription.
 * @seq: what mmu_range_read_begin() returned for the section.
 *
 * A lockless hint for long read sections, to give up early. A false return
 * proves nothing: the section must still end with mmu_range_read_retry()
 * under the driver lock.
 *
 * Return: true if an invalidation has collided with the section.
 */
static inline bool mmu_range_check_retry(struct mmu_range_notifier *mrn,
					 unsigned long seq)
{
	return mmu_range_read_retry(mrn, seq);
}

#endif /* CONFIG_MMU_NOTIFIER */

#endif /* _LINUX_MMU_RANGE_NOTIFIER_H */
