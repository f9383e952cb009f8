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
#include <linux/llist.h>
#include <linux/mmu_notifier.h>

struct mmu_range_notifier;

/**
 * struct mmu_range_notifier_finish - a second pass asked for by a first pass
 * @link: the core's list of second passes of one invalidation; the driver
 *	leaves it alone.
 * @notifier: set by the core to the subscription whose first pass handed
 *	the object back.
 *
 * Usually embedded in a driver structure that also holds what the second
 * pass waits for (a fence, a completion). One object serves one
 * invalidation at a time: it belongs to the core from the return of
 * @invalidate_start until @invalidate_finish is called with it.
 */
struct mmu_range_notifier_finish {
	struct llist_node link;
	struct mmu_range_notifier *notifier;
};

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
 * @invalidate_start: the first pass of a two-pass subscription, called
 *	instead of @invalidate and with the same duties, except that the
 *	device need not have stopped using the pages on return: the callback
 *	may start the teardown (queue a TLB flush, preempt a context), store
 *	a finish object in *@finish, which is NULL on entry, and return. It
 *	sleeps and refuses under the same rule as @invalidate; a refusing
 *	first pass should leave *@finish NULL (a finish object handed back
 *	anyway still gets its second pass).
 * @invalidate_finish: the second pass: wait until the device no longer uses
 *	the pages whose teardown the first pass started. Called exactly once
 *	for every finish object a first pass handed back, after the first
 *	pass of every subscription the invalidation hit, and before
 *	mmu_notifier_invalidate_range_start() returns; under the sleeping rule
 *	of the first pass. The object is the driver's again once it is called.
 *
 * A subscription provides either @invalidate alone or @invalidate_start and
 * @invalidate_finish together; one-pass and two-pass subscriptions may share
 * an mm and an invalidation. With N devices hit, two passes let the N
 * teardowns run at the same time instead of one after the other.
 */
struct mmu_range_notifier_ops {
	bool (*invalidate)(struct mmu_range_notifier *mrn,
			   const struct mmu_notifier_range *range,
			   unsigned long cur_seq);
	bool (*invalidate_start)(struct mmu_range_notifier *mrn,
				 const struct mmu_notifier_range *range,
				 unsigned long cur_seq,
				 struct mmu_range_notifier_finish **finish);
	void (*invalidate_finish)(struct mmu_range_notifier_finish *finish);
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
 *	the walks of the tree to end.
 * @invalidate_seq: the generation of the last invalidation that hit this
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
 * Call it only from the invalidate callback or the first pass
 * (@invalidate_start), under the driver lock that also covers
 * mmu_range_read_retry(). Any read section that began before
 * the call will then retry.
 *
 * The release store pairs with the acquire load in mmu_range_read_begin():
 * a reader that sees @cur_seq here also sees what the writer saw before,
 * such as the page tables as the invalidations before it left them.
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
