// SPDX-License-Identifier: GPL-2.0-only
/*
 * MMU notifiers: classic notifiers and the interval-tree range notifier.
 *
 * THE PROTOCOL
 * ============
 *
 * Every mm that ever had a notifier owns one struct mmu_notifier_subscriptions,
 * reached through mm->notifier_subscriptions. It is allocated by the first
 * registration, published with smp_store_release() while mm_take_all_locks()
 * is held, and freed only when the mm itself is freed. Code running under
 * the mmap lock or an rmap lock reads the pointer plainly (the publication
 * happened under those locks); lockless readers hold an mm_count reference
 * and use smp_load_acquire(), which pairs with that smp_store_release().
 *
 * Classic notifiers sit on an SRCU-protected hlist. The list is changed
 * under subs->lock and walked under srcu_read_lock(); removals are followed
 * by synchronize_srcu() or call_srcu() before anything is freed. Adding a
 * notifier is done under mm_take_all_locks(), which excludes every
 * invalidation whose caller holds the mmap lock or an rmap lock.
 *
 * What a start did is recorded in its range (__MMU_NOTIFIER_RANGE_TREE,
 * __MMU_NOTIFIER_RANGE_CLASSIC), and the end undoes exactly that rather
 * than looking at the mm again: a caller that holds neither lock (BPF
 * arena, a driver zapping another mm) may see the first registration of
 * the mm happen between its start and its end.
 *
 * A non-blocking start that a classic notifier refuses still calls every
 * other start, then ends every notifier that has an end callback. The
 * unwind so never has to find the refusing notifier again (it may be taken
 * off the list meanwhile), and a notifier that may refuse must not have an
 * invalidate_range_end: it could not tell its own refused start from
 * another notifier's.
 *
 * Range notifiers sit in an interval tree. The fields that drive them:
 *
 *   subs->invalidate_seq   written under subs->lock, read locklessly by
 *                          mmu_range_read_begin(). Even while no walk can
 *                          be in the tree. Made odd when an invalidation
 *                          finds a subscription (or an insert arrives while
 *                          invalidations run), and made even again, +1,
 *                          when the last running invalidation ends.
 *   subs->active           invalidations between start and end that use the
 *                          tree; under subs->lock.
 *   subs->itree            the tree; changed under subs->lock, and only while
 *                          subs->invalidate_seq is even. Walked without the
 *                          lock by invalidations, which is safe because a
 *                          walker made the sequence odd before it left the
 *                          lock, and it stays odd until the last end, so the
 *                          tree does not change under it.
 *   subs->deferred         inserts and removes that arrived while the
 *                          sequence was odd; under subs->lock, applied by
 *                          whoever ends the last running invalidation.
 *   mrn->invalidate_seq    always odd. Set at insert, then only by the
 *                          driver's invalidate callback via
 *                          mmu_range_set_seq() under the driver lock.
 *   mrn->ops               bit 0 set by the remove that claims the
 *                          subscription (cmpxchg()), so that of two removes
 *                          racing each other exactly one proceeds.
 *
 * An invalidation of [start, end) takes subs->lock, counts itself in
 * subs->active, makes the sequence odd if the tree holds a subscription that
 * overlaps the range, drops the lock and calls every overlapping
 * subscription with that odd value as cur_seq. Each callback stores cur_seq
 * in its subscription under the driver lock and tears down the device
 * mappings. At the end, the last invalidation applies the deferred list and
 * bumps the sequence to the next even value, then wakes the sleepers.
 *
 * A two-pass subscription (invalidate_start + invalidate_finish) does the
 * callback's work in its first pass but may leave the device's teardown
 * running and hand back a finish object. The walk calls every first pass,
 * then every finish in the same order, all before the start returns, so
 * the teardowns of several devices overlap and none is still running when
 * the core mm changes the pages. The list of finish objects lives on the
 * walker's stack; a refused non-blocking walk still calls the finish of
 * every first pass it made.
 *
 * Why the sequence is odd while invalidating: a reader that sees its
 * subscription's seq equal to the mm's seq knows an invalidation that hit
 * it is still running (nothing else can make the two equal: the mm's seq is
 * even while idle and subscriptions are always odd), and sleeps until the
 * mm's seq moves. A new subscription starts at the mm's seq minus one when
 * the mm is idle: an odd value that the mm's counter reaches again only
 * after wrapping. A subscription inserted while invalidations run starts at
 * the current odd value instead (made odd for it if no walk had), so it
 * reads as colliding until every running invalidation has ended: one of
 * them may have changed its pages before the subscription could be found
 * in the tree.
 *
 * Why the deferred list exists: invalidations walk the tree without the
 * lock, and callbacks may sleep, so the tree cannot change while any walk
 * may be in progress, that is while the sequence is odd. Then inserts are
 * queued and reach the tree at the last end; removes are queued, and the
 * remover sleeps until the last end has taken the subscription out of the
 * tree. Only then can no invalidation still call it, and
 * mmu_range_notifier_remove() returns. While the sequence is even, even
 * with invalidations running (they found nothing to call), inserts and
 * removes change the tree at once.
 *
 * The read side takes no mm-wide lock and writes nothing shared. The
 * orderings, each with what it pairs with (mmu_range_read_begin() has the
 * ladder; tests/litmus/ of the series holds one LKMM test per pairing):
 *
 *  (1) mmu_range_read_begin() loads mrn->invalidate_seq with acquire. It
 *      pairs with the release in mmu_range_set_seq(): the invalidation
 *      made subs->invalidate_seq odd before it called back, so a reader
 *      that sees the callback's value also sees the odd value, and sleeps.
 *  (2) It then loads subs->invalidate_seq with acquire. It pairs with the
 *      release of the bump in mrn_end_last(), which comes after the core
 *      mm changed the page tables: a reader that sees the bump (and so
 *      does not sleep) reads the changed page tables in its section. A
 *      plain load here would let the section's page-table loads be
 *      satisfied before it on a weakly-ordered CPU, and the driver would
 *      map a page the invalidation is freeing. The reader may instead load
 *      the odd value of a later invalidation: that store is a plain one,
 *      but it is made under subs->lock, which the bump's invalidation
 *      released after the bump, and an unlock followed by a lock orders
 *      everything before the unlock before everything after the lock, for
 *      every CPU (LKMM's po-unlock-lock-po). So it too implies the changed
 *      page tables; it must stay under the lock.
 *  (3) A reader that loads an older mrn->invalidate_seq returns it; if the
 *      invalidation then reaches the subscription, mmu_range_read_retry()
 *      under the driver lock sees the new value and the driver retries. If
 *      the callback comes after that check, it takes the driver lock after
 *      the driver and removes what the driver just installed.
 *  (4) Sleepers wait on subs->wq for subs->invalidate_seq to change; the
 *      condition is an acquire load that pairs with the bump's release, so
 *      a reader or remover that wakes sees the page tables and the tree and
 *      list updates made before the bump.
 *  (5) The waker looks at the queue with wq_has_sleeper(), whose full
 *      barrier pairs with the one in prepare_to_wait_event(): a sleeper is
 *      either seen on the queue or sees the new value. Most ends have no
 *      sleeper and skip the queue's lock.
 *  (6) mm->notifier_subscriptions is published with a release store under
 *      mm_take_all_locks() and read with acquire by lockless users.
 *
 * Sleeping: range callbacks (both passes), invalidate_range_start/end and
 * release may sleep when the range is blockable; under
 * mmu_notifier_invalidate_range_start_nonblock() they run inside
 * non_block_start()/non_block_end() and must not. The young callbacks and
 * arch_invalidate_secondary_tlbs run under page table locks and never
 * sleep. mmu_range_read_begin() and mmu_range_notifier_remove() may sleep
 * until an invalidation ends, so a driver must not call them with a lock
 * held that its invalidate callback takes; lockdep is told so through
 * __mmu_notifier_invalidate_range_start_map.
 */

#include <linux/err.h>
#include <linux/export.h>
#include <linux/interval_tree.h>
#include <linux/mm.h>
#include <linux/mmu_notifier.h>
#include <linux/mmu_range_notifier.h>
#include <linux/overflow.h>
#include <linux/rculist.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/srcu.h>
#include <linux/wait.h>

/* Guards the classic notifier lists of every mm. */
DEFINE_STATIC_SRCU(mn_srcu);

#ifdef CONFIG_LOCKDEP
struct lockdep_map __mmu_notifier_invalidate_range_start_map = {
	.name = "mmu_notifier_invalidate_range_start",
};
#endif

/*
 * struct mmu_notifier_subscriptions - the notifier state of one mm
 * @lock: protects @list changes, @active, @invalidate_seq writes, @itree
 *	changes and @deferred.
 * @list: classic notifiers; SRCU for readers.
 * @has_itree: set, under mm_take_all_locks(), by the first range insert;
 *	never cleared, so start and end agree on whether to use the tree.
 * @invalidate_seq: the mm-wide sequence; see the comment at the top.
 * @active: invalidations between start and end that use the tree.
 * @itree: the range subscriptions.
 * @deferred: inserts and removes waiting for @active to reach zero.
 * @wq: readers and removers waiting for @invalidate_seq to move.
 */
struct mmu_notifier_subscriptions {
	spinlock_t lock;	/* see the field list above */
	struct hlist_head list;
	bool has_itree;
	unsigned long invalidate_seq;
	unsigned long active;
	struct rb_root_cached itree;
	struct hlist_head deferred;
	wait_queue_head_t wq;
};

#define for_each_classic(sub, subs)					\
	hlist_for_each_entry_srcu(sub, &(subs)->list, hlist,		\
				  srcu_read_lock_held(&mn_srcu))

/* Tell lockdep that the caller may wait for a running invalidation. */
static inline void mn_may_wait_for_invalidation(void)
{
	lock_map_acquire(&__mmu_notifier_invalidate_range_start_map);
	lock_map_release(&__mmu_notifier_invalidate_range_start_map);
}

/* ---------------------------------------------------------------------- */
/* The range notifier                                                      */
/* ---------------------------------------------------------------------- */

static struct mmu_range_notifier *
mrn_of(struct interval_tree_node *node)
{
	return node ? container_of(node, struct mmu_range_notifier,
				   interval_tree) : NULL;
}

static struct mmu_range_notifier *
mrn_first(struct mmu_notifier_subscriptions *subs,
	  const struct mmu_notifier_range *range)
{
	if (unlikely(range->end <= range->start))
		return NULL;
	return mrn_of(interval_tree_iter_first(&subs->itree, range->start,
					       range->end - 1));
}

static struct mmu_range_notifier *
mrn_next(struct mmu_range_notifier *mrn, unsigned long start,
	 unsigned long last)
{
	return mrn_of(interval_tree_iter_next(&mrn->interval_tree, start, last));
}

/* Bit 0 of mrn->ops: a remove has claimed the subscription. */
#define MRN_OPS_REMOVING	1UL

/*
 * The callbacks of @mrn. A walk may meet a subscription whose remove has
 * claimed it and waits for the walk to end: READ_ONCE() pairs with the
 * cmpxchg() in mrn_claim(), and the claim bit is masked off.
 */
static __always_inline const struct mmu_range_notifier_ops *
mrn_ops(struct mmu_range_notifier *mrn)
{
	return (const void *)((unsigned long)READ_ONCE(mrn->ops) &
			      ~MRN_OPS_REMOVING);
}

/* Has the mm-wide sequence moved from @seq? Pairs with mrn_end_last(). */
static bool mrn_seq_moved(struct mmu_notifier_subscriptions *subs,
			  unsigned long seq)
{
	/* Pairs with smp_store_release() of the bump in mrn_end_last(). */
	return smp_load_acquire(&subs->invalidate_seq) != seq;
}

/*
 * Sleep until the mm-wide sequence moves away from @seq: the running
 * invalidation that holds it odd has ended. Out of line, so that readers
 * and removers that need not wait carry no wait-queue entry on their stack.
 */
static noinline void mrn_wait_moved(struct mmu_notifier_subscriptions *subs,
				    unsigned long seq)
{
	wait_event(subs->wq, mrn_seq_moved(subs, seq));
}

/* Make the sequence odd; caller holds subs->lock. Returns the odd value. */
static unsigned long mrn_seq_make_odd(struct mmu_notifier_subscriptions *subs)
{
	unsigned long seq = subs->invalidate_seq | 1;

	WRITE_ONCE(subs->invalidate_seq, seq);
	return seq;
}

/*
 * The last end: apply the deferred inserts and removes, move the sequence
 * to the next even value and wake the sleepers. Called with subs->lock
 * held; drops it. Out of line, so that the common end stays small.
 */
static noinline void mrn_end_last(struct mmu_notifier_subscriptions *subs)
	__releases(&subs->lock)
{
	struct mmu_range_notifier *mrn;
	struct hlist_node *tmp;

	hlist_for_each_entry_safe(mrn, tmp, &subs->deferred, deferred_item) {
		if (RB_EMPTY_NODE(&mrn->interval_tree.rb)) {
			interval_tree_insert(&mrn->interval_tree, &subs->itree);
		} else {
			interval_tree_remove(&mrn->interval_tree, &subs->itree);
			RB_CLEAR_NODE(&mrn->interval_tree.rb);
		}
		hlist_del_init(&mrn->deferred_item);
	}
	/* Release: the tree and list updates above before the new value. */
	smp_store_release(&subs->invalidate_seq, subs->invalidate_seq + 1);
	spin_unlock(&subs->lock);

	/*
	 * The full barrier of wq_has_sleeper() pairs with the one in
	 * prepare_to_wait_event(): a sleeper is either on the queue by now,
	 * or checks its condition after it and sees the new value. Most ends
	 * have no sleeper and skip the wait-queue lock.
	 */
	if (wq_has_sleeper(&subs->wq))
		wake_up_all(&subs->wq);
}

/*
 * The end of an invalidation that used the tree. The last one to end, if
 * the sequence is odd, finishes in mrn_end_last(). Inlined: it is on the
 * path of every invalidation.
 */
static __always_inline void mrn_end(struct mmu_notifier_subscriptions *subs)
{
	spin_lock(&subs->lock);
	/* An end without its start: the count would wrap and never drain. */
	VM_WARN_ON_ONCE(!subs->active);
	if (--subs->active || !(subs->invalidate_seq & 1)) {
		spin_unlock(&subs->lock);
		return;
	}
	mrn_end_last(subs);
}

/*
 * The first pass of a two-pass subscription. A finish object handed back is
 * put on *@list (newest first), a refusing pass's one included.
 */
static noinline bool mrn_first_pass(struct mmu_range_notifier *mrn,
				    const struct mmu_range_notifier_ops *ops,
				    const struct mmu_notifier_range *range,
				    unsigned long seq, struct llist_node **list)
{
	struct mmu_range_notifier_finish *finish = NULL;
	bool done;

	done = ops->invalidate_start(mrn, range, seq, &finish);
	if (finish) {
		finish->notifier = mrn;
		finish->link.next = *list;
		*list = &finish->link;
	}
	return done;
}

/*
 * The second passes, in the order of their first passes, in one non-blocking
 * section when the range may not sleep. The list is the invalidation's own
 * (on its stack): no other CPU sees it, and an object may be reused by its
 * driver as soon as its finish is called, so the next one is fetched before.
 */
static noinline void mrn_second_pass(struct llist_node *list, bool blockable)
{
	struct mmu_range_notifier_finish *finish, *next;

	if (!blockable)
		non_block_start();
	llist_for_each_entry_safe(finish, next, llist_reverse_order(list), link)
		mrn_ops(finish->notifier)->invalidate_finish(finish);
	if (!blockable)
		non_block_end();
}

/*
 * Call every subscription from @mrn on that overlaps @range, with @seq:
 * the one pass, or the first pass of every two-pass subscription and then
 * their second passes. The bounds are read once: the callbacks get @range
 * const.
 */
static __always_inline int
mrn_invalidate(struct mmu_notifier_subscriptions *subs,
	       struct mmu_range_notifier *mrn,
	       const struct mmu_notifier_range *range, unsigned long seq)
{
	bool blockable = mmu_notifier_range_blockable(range);
	unsigned long start = range->start, last = range->end - 1;
	struct llist_node *second = NULL;

	for (; mrn; mrn = mrn_next(mrn, start, last)) {
		const struct mmu_range_notifier_ops *ops = mrn_ops(mrn);
		bool done;

		if (!blockable)
			non_block_start();
		if (likely(ops->invalidate))
			done = ops->invalidate(mrn, range, seq);
		else
			done = mrn_first_pass(mrn, ops, range, seq, &second);
		if (!blockable)
			non_block_end();
		if (done)
			continue;
		/* Refusing is only allowed when the callback may not sleep. */
		if (WARN_ONCE(blockable, "%ps refused a blockable invalidation\n",
			      ops))
			continue;
		/* What was started is finished, then the whole is refused. */
		if (second)
			mrn_second_pass(second, blockable);
		mrn_end(subs);
		return -EAGAIN;
	}
	if (unlikely(second))
		mrn_second_pass(second, blockable);
	return 0;
}

/*
 * The start of an invalidation: call every subscription overlapping
 * @range. Returns -EAGAIN, with the invalidation ended again, if a callback
 * of a non-blocking invalidation refused. Inlined, as mrn_end().
 */
static __always_inline int
mrn_start(struct mmu_notifier_subscriptions *subs,
	  const struct mmu_notifier_range *range)
{
	struct mmu_range_notifier *mrn;
	unsigned long seq;

	spin_lock(&subs->lock);
	subs->active++;
	mrn = mrn_first(subs, range);
	seq = mrn ? mrn_seq_make_odd(subs) : subs->invalidate_seq;
	spin_unlock(&subs->lock);

	return mrn ? mrn_invalidate(subs, mrn, range, seq) : 0;
}

static void mrn_release(struct mmu_notifier_subscriptions *subs,
			struct mm_struct *mm)
{
	struct mmu_notifier_range range;

	mmu_notifier_range_init(&range, MMU_NOTIFY_RELEASE,
				MMU_NOTIFIER_RANGE_BLOCKABLE, mm, 0, ULONG_MAX);
	mrn_start(subs, &range);
	mrn_end(subs);
}

/* ---------------------------------------------------------------------- */
/* Classic notifiers                                                       */
/* ---------------------------------------------------------------------- */

static __always_inline void
classic_end(struct mmu_notifier_subscriptions *subs,
	    const struct mmu_notifier_range *range)
{
	bool blockable = mmu_notifier_range_blockable(range);
	struct mmu_notifier *sub;
	int idx;

	idx = srcu_read_lock(&mn_srcu);
	for_each_classic(sub, subs) {
		if (!sub->ops->invalidate_range_end)
			continue;
		if (!blockable)
			non_block_start();
		sub->ops->invalidate_range_end(sub, range);
		if (!blockable)
			non_block_end();
	}
	srcu_read_unlock(&mn_srcu, idx);
}

/*
 * A non-blocking start was refused: end every notifier that has an end.
 * Each of them started (a notifier that may refuse has no end), so this is
 * the ordinary end of the (non-blockable) range, and it needs nothing from
 * the first walk, which may have seen a notifier that is off the list by
 * now. Out of line: the unwind is rare.
 */
static noinline void classic_unwind(struct mmu_notifier_subscriptions *subs,
				    const struct mmu_notifier_range *range)
{
	classic_end(subs, range);
}

/* Report a refused start; returns the error to hand back. */
static noinline int classic_refused(const struct mmu_notifier *sub,
				    const struct mmu_notifier_range *range,
				    int err)
{
	const struct mmu_notifier_ops *ops = sub->ops;

	if (WARN_ONCE(mmu_notifier_range_blockable(range),
		      "%ps failed a blockable start: %d\n",
		      ops->invalidate_range_start, err))
		return 0;
	WARN_ONCE(err != -EAGAIN, "%ps returned %d, not -EAGAIN\n",
		  ops->invalidate_range_start, err);
	/* It will get an end from the unwind: it cannot tell it apart. */
	WARN_ONCE(ops->invalidate_range_end,
		  "%ps may refuse, so its notifier must not have an end\n",
		  ops->invalidate_range_start);
	return err;
}

static __always_inline int
classic_start(struct mmu_notifier_subscriptions *subs,
	      const struct mmu_notifier_range *range)
{
	bool blockable = mmu_notifier_range_blockable(range);
	struct mmu_notifier *sub;
	int ret = 0;
	int idx;

	idx = srcu_read_lock(&mn_srcu);
	for_each_classic(sub, subs) {
		int err;

		if (!sub->ops->invalidate_range_start)
			continue;
		if (!blockable)
			non_block_start();
		err = sub->ops->invalidate_range_start(sub, range);
		if (!blockable)
			non_block_end();
		if (unlikely(err))
			ret = classic_refused(sub, range, err) ?: ret;
	}
	srcu_read_unlock(&mn_srcu, idx);
	if (unlikely(ret))
		classic_unwind(subs, range);
	return ret;
}

static void classic_release(struct mmu_notifier_subscriptions *subs,
			    struct mm_struct *mm)
{
	struct mmu_notifier *sub;
	int idx;

	idx = srcu_read_lock(&mn_srcu);
	for_each_classic(sub, subs)
		if (sub->ops->release)
			sub->ops->release(sub, mm);
	srcu_read_unlock(&mn_srcu, idx);

	/*
	 * Unhash everything, so that a later mmu_notifier_unregister() or
	 * mmu_notifier_put() knows that release has already been called.
	 */
	spin_lock(&subs->lock);
	while (!hlist_empty(&subs->list))
		hlist_del_init_rcu(subs->list.first);
	spin_unlock(&subs->lock);

	/* No callback of any of them may still run once the pages go. */
	synchronize_srcu(&mn_srcu);
}

/* ---------------------------------------------------------------------- */
/* Hooks called by the core mm through <linux/mmu_notifier.h>              */
/* ---------------------------------------------------------------------- */

void __mmu_notifier_release(struct mm_struct *mm)
{
	struct mmu_notifier_subscriptions *subs = mm->notifier_subscriptions;

	if (READ_ONCE(subs->has_itree))
		mrn_release(subs, mm);
	if (!hlist_empty(&subs->list))
		classic_release(subs, mm);
}

/*
 * Records in @range what it started, for the end to undo; the caller has
 * cleared both bits. On -EAGAIN everything started is ended again and no
 * bit is set.
 */
int __mmu_notifier_invalidate_range_start(struct mmu_notifier_range *range)
{
	struct mmu_notifier_subscriptions *subs =
		range->mm->notifier_subscriptions;
	bool tree = READ_ONCE(subs->has_itree);
	int ret;

	if (tree) {
		ret = mrn_start(subs, range);
		if (ret)
			return ret;
	}
	if (!hlist_empty(&subs->list)) {
		ret = classic_start(subs, range);
		if (ret) {
			if (tree)
				mrn_end(subs);
			return ret;
		}
		range->flags |= __MMU_NOTIFIER_RANGE_CLASSIC;
	}
	if (tree)
		range->flags |= __MMU_NOTIFIER_RANGE_TREE;
	return 0;
}

/* Undo what the start recorded in @range; see above. */
void __mmu_notifier_invalidate_range_end(struct mmu_notifier_range *range)
{
	struct mmu_notifier_subscriptions *subs =
		range->mm->notifier_subscriptions;

	if (range->flags & __MMU_NOTIFIER_RANGE_TREE)
		mrn_end(subs);
	if (range->flags & __MMU_NOTIFIER_RANGE_CLASSIC)
		classic_end(subs, range);
}

/*
 * Age the secondary mappings of [@start, @end) through every notifier that
 * can: with a TLB flush (@flush) or without. Returns non-zero if any
 * mapping was young.
 */
static int classic_age(struct mm_struct *mm, unsigned long start,
		       unsigned long end, bool flush)
{
	struct mmu_notifier *sub;
	int young = 0;
	int idx;

	idx = srcu_read_lock(&mn_srcu);
	for_each_classic(sub, mm->notifier_subscriptions) {
		typeof(sub->ops->clear_young) age = flush ?
			sub->ops->clear_flush_young : sub->ops->clear_young;

		if (age)
			young |= age(sub, mm, start, end);
	}
	srcu_read_unlock(&mn_srcu, idx);
	return young;
}

int __mmu_notifier_clear_flush_young(struct mm_struct *mm,
				     unsigned long start, unsigned long end)
{
	return classic_age(mm, start, end, true);
}

int __mmu_notifier_clear_young(struct mm_struct *mm,
			       unsigned long start, unsigned long end)
{
	return classic_age(mm, start, end, false);
}

/* The first notifier that finds @address young answers. */
int __mmu_notifier_test_young(struct mm_struct *mm, unsigned long address)
{
	struct mmu_notifier *sub;
	int young = 0;
	int idx;

	idx = srcu_read_lock(&mn_srcu);
	for_each_classic(sub, mm->notifier_subscriptions) {
		if (sub->ops->test_young)
			young = sub->ops->test_young(sub, mm, address);
		if (young)
			break;
	}
	srcu_read_unlock(&mn_srcu, idx);
	return young;
}

void __mmu_notifier_arch_invalidate_secondary_tlbs(struct mm_struct *mm,
						   unsigned long start,
						   unsigned long end)
{
	struct mmu_notifier *sub;
	int idx;

	idx = srcu_read_lock(&mn_srcu);
	for_each_classic(sub, mm->notifier_subscriptions)
		if (sub->ops->arch_invalidate_secondary_tlbs)
			sub->ops->arch_invalidate_secondary_tlbs(sub, mm,
								 start, end);
	srcu_read_unlock(&mn_srcu, idx);
}

void __mmu_notifier_subscriptions_destroy(struct mm_struct *mm)
{
	struct mmu_notifier_subscriptions *subs = mm->notifier_subscriptions;

	/* Both kinds of subscription pin the mm: nothing can be left. */
	WARN_ON_ONCE(!hlist_empty(&subs->list));
	WARN_ON_ONCE(!RB_EMPTY_ROOT(&subs->itree.rb_root));
	WARN_ON_ONCE(!hlist_empty(&subs->deferred));
	kfree(subs);
	mm->notifier_subscriptions = NULL;
}

/* ---------------------------------------------------------------------- */
/* Registration                                                            */
/* ---------------------------------------------------------------------- */

/*
 * Teach lockdep, once per registration, that invalidate_range_start() can
 * be reached from reclaim: a callback that takes a lock which is also held
 * around a GFP_KERNEL allocation is then reported as a possible deadlock.
 */
static void mn_lockdep_teach_reclaim(void)
{
	if (!IS_ENABLED(CONFIG_LOCKDEP))
		return;
	fs_reclaim_acquire(GFP_KERNEL);
	lock_map_acquire(&__mmu_notifier_invalidate_range_start_map);
	lock_map_release(&__mmu_notifier_invalidate_range_start_map);
	fs_reclaim_release(GFP_KERNEL);
}

/* Hold the mmap lock of an mm for write for the rest of a scope. */
DEFINE_GUARD(mn_mmap_write, struct mm_struct *, mmap_write_lock(_T),
	     mmap_write_unlock(_T))

/*
 * Register @sub on @mm, or with @sub NULL enable the range tree of @mm.
 * The mmap lock is held for write.
 */
static int mn_register(struct mmu_notifier *sub, struct mm_struct *mm)
{
	struct mmu_notifier_subscriptions *subs = mm->notifier_subscriptions;
	struct mmu_notifier_subscriptions *fresh = NULL;
	int ret;

	mmap_assert_write_locked(mm);
	/*
	 * A secondary MMU either shares the CPU page tables and follows their
	 * TLB flushes, or mirrors them and follows start/end: not both.
	 */
	if (sub && WARN_ONCE(sub->ops->arch_invalidate_secondary_tlbs &&
			     (sub->ops->invalidate_range_start ||
			      sub->ops->invalidate_range_end),
			     "%ps: a notifier gets secondary TLB flushes or range start/end, not both\n",
			     sub->ops->arch_invalidate_secondary_tlbs))
		return -EINVAL;
	if (!atomic_read(&mm->mm_users))
		return -ESRCH;

	mn_lockdep_teach_reclaim();

	if (!subs) {
		fresh = kzalloc(sizeof(*fresh), GFP_KERNEL);
		if (!fresh)
			return -ENOMEM;
		spin_lock_init(&fresh->lock);
		INIT_HLIST_HEAD(&fresh->list);
		fresh->itree = RB_ROOT_CACHED;
		INIT_HLIST_HEAD(&fresh->deferred);
		init_waitqueue_head(&fresh->wq);
		/* Any even value would do; 2 keeps seq - 1 from being 0. */
		fresh->invalidate_seq = 2;
	}

	/* No invalidation is between its start and its end from here on. */
	ret = mm_take_all_locks(mm);
	if (ret) {
		kfree(fresh);
		return ret;
	}

	if (fresh) {
		/* Pairs with smp_load_acquire() in the lockless readers. */
		smp_store_release(&mm->notifier_subscriptions, fresh);
		subs = fresh;
	}

	if (sub) {
		mmgrab(mm);
		sub->mm = mm;
		sub->users = 1;
		spin_lock(&subs->lock);
		hlist_add_head_rcu(&sub->hlist, &subs->list);
		spin_unlock(&subs->lock);
	} else {
		WRITE_ONCE(subs->has_itree, true);
	}

	mm_drop_all_locks(mm);
	return 0;
}

/**
 * mmu_notifier_register - register a classic notifier on an mm
 * @subscription: the notifier, with @subscription->ops set.
 * @mm: the mm, with a user reference held by the caller.
 *
 * From the return on, every callback of @subscription->ops may be called;
 * no invalidation that started before is reported by an end alone. The
 * notifier pins @mm (mmgrab()) until mmu_notifier_unregister(). May sleep:
 * takes the mmap lock for write and every rmap lock of the mm.
 *
 * Return: 0, or a negative errno as for __mmu_notifier_register().
 */
int mmu_notifier_register(struct mmu_notifier *subscription,
			  struct mm_struct *mm)
{
	guard(mn_mmap_write)(mm);
	return mn_register(subscription, mm);
}
EXPORT_SYMBOL_GPL(mmu_notifier_register);

/**
 * __mmu_notifier_register - mmu_notifier_register() with the mmap lock held
 * @subscription: the notifier, with @subscription->ops set.
 * @mm: the mm, with a user reference held by the caller and its mmap lock
 *	held for write.
 *
 * Return: 0, -ENOMEM, -EINTR if a signal interrupted mm_take_all_locks(),
 * -ESRCH if @mm has no users left, or -EINVAL (with a warning) if the ops
 * ask for both arch_invalidate_secondary_tlbs and range start/end.
 */
int __mmu_notifier_register(struct mmu_notifier *subscription,
			    struct mm_struct *mm)
{
	return mn_register(subscription, mm);
}
EXPORT_SYMBOL_GPL(__mmu_notifier_register);

/* Find the notifier of @ops and take a reference; under subs->lock. */
static struct mmu_notifier *mn_find_get(struct mmu_notifier_subscriptions *subs,
					const struct mmu_notifier_ops *ops)
{
	struct mmu_notifier *sub;

	hlist_for_each_entry_rcu(sub, &subs->list, hlist,
				 lockdep_is_held(&subs->lock)) {
		if (sub->ops != ops)
			continue;
		if (sub->users == UINT_MAX)
			return ERR_PTR(-EOVERFLOW);
		sub->users++;
		return sub;
	}
	return NULL;
}

/**
 * mmu_notifier_get_locked - find or create the notifier of @ops on @mm
 * @ops: the callbacks; @alloc_notifier and @free_notifier are required.
 * @mm: the mm, with a user reference held and the mmap lock held for write.
 *
 * One notifier exists per @ops and @mm: the first call allocates it with
 * @ops->alloc_notifier and registers it, later calls return it with one
 * more reference. Each reference is dropped with mmu_notifier_put().
 *
 * Return: the notifier, or an ERR_PTR(): the allocator's error, -EOVERFLOW
 * for too many references, or a registration error.
 */
struct mmu_notifier *mmu_notifier_get_locked(const struct mmu_notifier_ops *ops,
					     struct mm_struct *mm)
{
	struct mmu_notifier_subscriptions *subs = mm->notifier_subscriptions;
	struct mmu_notifier *sub;
	int ret;

	mmap_assert_write_locked(mm);

	if (subs) {
		spin_lock(&subs->lock);
		sub = mn_find_get(subs, ops);
		spin_unlock(&subs->lock);
		if (sub)
			return sub;
	}

	sub = ops->alloc_notifier(mm);
	if (IS_ERR(sub))
		return sub;
	sub->ops = ops;
	ret = mn_register(sub, mm);
	if (ret) {
		ops->free_notifier(sub);
		return ERR_PTR(ret);
	}
	return sub;
}
EXPORT_SYMBOL_GPL(mmu_notifier_get_locked);

/**
 * mmu_notifier_get - find or create the notifier of @ops on @mm
 * @ops: the callbacks; must provide @alloc_notifier and @free_notifier.
 * @mm: the mm, with a user reference held by the caller.
 *
 * mmu_notifier_get_locked() with the mmap lock taken for write here. May
 * sleep.
 *
 * Return: the notifier with one more reference, or an ERR_PTR().
 */
struct mmu_notifier *mmu_notifier_get(const struct mmu_notifier_ops *ops,
				      struct mm_struct *mm)
{
	guard(mn_mmap_write)(mm);
	return mmu_notifier_get_locked(ops, mm);
}
EXPORT_SYMBOL_GPL(mmu_notifier_get);

static void mn_free_after_srcu(struct rcu_head *rcu)
{
	struct mmu_notifier *sub = container_of(rcu, struct mmu_notifier, rcu);
	struct mm_struct *mm = sub->mm;

	sub->ops->free_notifier(sub);
	/* The pin taken at registration. */
	mmdrop(mm);
}

/**
 * mmu_notifier_put - drop a reference taken by mmu_notifier_get()
 * @subscription: the notifier.
 *
 * The last put takes the notifier off its mm without calling @release
 * (a driver stops its secondary MMU before the last put) and frees it with
 * @free_notifier after an SRCU grace period, in which callbacks that were
 * already running finish. The free is asynchronous: a module that provides
 * @free_notifier must call mmu_notifier_synchronize() before it unloads.
 * Does not sleep.
 */
void mmu_notifier_put(struct mmu_notifier *subscription)
{
	struct mmu_notifier_subscriptions *subs =
		subscription->mm->notifier_subscriptions;

	spin_lock(&subs->lock);
	if (WARN_ON_ONCE(!subscription->users) || --subscription->users) {
		spin_unlock(&subs->lock);
		return;
	}
	hlist_del_init_rcu(&subscription->hlist);
	spin_unlock(&subs->lock);

	call_srcu(&mn_srcu, &subscription->rcu, mn_free_after_srcu);
}
EXPORT_SYMBOL_GPL(mmu_notifier_put);

/**
 * mmu_notifier_unregister - take a classic notifier off its mm
 * @subscription: a notifier registered with mmu_notifier_register().
 * @mm: the mm it was registered on.
 *
 * Calls @release unless mm teardown already did, takes the notifier off the
 * mm and waits until none of its callbacks is still running; the caller
 * may free it on return. Drops the pin on @mm. May sleep.
 */
void mmu_notifier_unregister(struct mmu_notifier *subscription,
			     struct mm_struct *mm)
{
	struct mmu_notifier_subscriptions *subs = mm->notifier_subscriptions;

	if (!hlist_unhashed_lockless(&subscription->hlist)) {
		int idx = srcu_read_lock(&mn_srcu);

		if (subscription->ops->release)
			subscription->ops->release(subscription, mm);
		srcu_read_unlock(&mn_srcu, idx);

		spin_lock(&subs->lock);
		hlist_del_init_rcu(&subscription->hlist);
		spin_unlock(&subs->lock);
	}

	synchronize_srcu(&mn_srcu);
	mmdrop(mm);
}
EXPORT_SYMBOL_GPL(mmu_notifier_unregister);

/**
 * mmu_notifier_synchronize - wait for every pending mmu_notifier_put() free
 *
 * Call before unloading a module whose notifiers are freed by
 * mmu_notifier_put(). May sleep.
 */
void mmu_notifier_synchronize(void)
{
	srcu_barrier(&mn_srcu);
}
EXPORT_SYMBOL_GPL(mmu_notifier_synchronize);

/* ---------------------------------------------------------------------- */
/* Range notifier API                                                      */
/* ---------------------------------------------------------------------- */

/*
 * Check the ops, the span and that @mm still has users; nothing is
 * changed. The span may end at the very top of the address space (@last
 * ULONG_MAX).
 */
static int mrn_check(struct mm_struct *mm, unsigned long start,
		     unsigned long length, unsigned long *last,
		     const struct mmu_range_notifier_ops *ops)
{
	/* One pass, or both halves of two passes: nothing else. */
	if (ops->invalidate ? ops->invalidate_start || ops->invalidate_finish :
	    !ops->invalidate_start || !ops->invalidate_finish)
		return -EINVAL;
	if (!length || check_add_overflow(start, length - 1, last))
		return -EOVERFLOW;
	if (!atomic_read(&mm->mm_users))
		return -ESRCH;
	return 0;
}

static __always_inline void
mrn_add(struct mmu_range_notifier *mrn, struct mm_struct *mm,
	unsigned long start, unsigned long last,
	const struct mmu_range_notifier_ops *ops)
{
	struct mmu_notifier_subscriptions *subs = mm->notifier_subscriptions;
	unsigned long seq;

	mrn->ops = ops;
	mrn->interval_tree.start = start;
	mrn->interval_tree.last = last;
	mmgrab(mm);
	WRITE_ONCE(mrn->mm, mm);

	spin_lock(&subs->lock);
	seq = subs->invalidate_seq;
	if (seq & 1) {
		/*
		 * A walk may be in the tree: queue, collide until the last end.
		 * The cleared node tells the queued insert from a queued remove.
		 */
		RB_CLEAR_NODE(&mrn->interval_tree.rb);
		hlist_add_head(&mrn->deferred_item, &subs->deferred);
	} else if (subs->active) {
		/*
		 * Invalidations run but none walks the tree: join it now, and
		 * collide until they have ended, as one of them may have changed
		 * the span's pages already.
		 */
		seq = mrn_seq_make_odd(subs);
		interval_tree_insert(&mrn->interval_tree, &subs->itree);
	} else {
		/* Idle: the sequence is even, seq - 1 is odd and far away. */
		seq--;
		interval_tree_insert(&mrn->interval_tree, &subs->itree);
	}
	mmu_range_set_seq(mrn, seq);
	spin_unlock(&subs->lock);
}

/**
 * mmu_range_notifier_insert - subscribe to changes of a span of an mm
 * @mrn: the subscription, zeroed or removed.
 * @mm: the mm, with a user reference held by the caller.
 * @start: first address of the span.
 * @length: length of the span in bytes.
 * @ops: the callbacks.
 *
 * From the return on, @ops->invalidate is called for every invalidation
 * of @mm that overlaps [@start, @start + @length), which may reach the top
 * of the address space. If invalidations are running, the subscription
 * collides with them: until the last of them ends, mmu_range_read_begin()
 * waits (and if one of them is walking the tree, the subscription joins
 * the tree only then). Pins @mm until
 * mmu_range_notifier_remove(). May sleep: the first range insert on an mm
 * takes its mmap lock for write; the caller must not hold it (see
 * mmu_range_notifier_insert_locked()).
 *
 * Return: 0; -EINVAL if @ops provides neither @invalidate alone nor
 * @invalidate_start and @invalidate_finish together; -EOVERFLOW for a zero
 * @length or a span that goes past the top of the address space; -ESRCH if
 * @mm has no users left; -ENOMEM or -EINTR from setting up the mm's
 * notifier state. On error nothing was changed.
 */
int mmu_range_notifier_insert(struct mmu_range_notifier *mrn,
			      struct mm_struct *mm, unsigned long start,
			      unsigned long length,
			      const struct mmu_range_notifier_ops *ops)
{
	struct mmu_notifier_subscriptions *subs;
	unsigned long last;
	int ret;

	might_lock(&mm->mmap_lock);
	/* Pairs with smp_store_release() in mn_register(). */
	subs = smp_load_acquire(&mm->notifier_subscriptions);
	if (!subs || !READ_ONCE(subs->has_itree)) {
		/* The first range subscription of @mm sets up its tree. */
		guard(mn_mmap_write)(mm);
		return mmu_range_notifier_insert_locked(mrn, mm, start, length,
							ops);
	}

	ret = mrn_check(mm, start, length, &last, ops);
	if (!ret)
		mrn_add(mrn, mm, start, last, ops);
	return ret;
}
EXPORT_SYMBOL_GPL(mmu_range_notifier_insert);

/**
 * mmu_range_notifier_insert_locked - mmu_range_notifier_insert(), mmap
 *	lock held
 * @mrn: the subscription, zeroed or removed.
 * @mm: the mm, with a user reference held and its mmap lock held for write.
 * @start: first address of the span.
 * @length: length of the span in bytes.
 * @ops: the callbacks.
 *
 * Return: as mmu_range_notifier_insert().
 */
int mmu_range_notifier_insert_locked(struct mmu_range_notifier *mrn,
				     struct mm_struct *mm, unsigned long start,
				     unsigned long length,
				     const struct mmu_range_notifier_ops *ops)
{
	struct mmu_notifier_subscriptions *subs = mm->notifier_subscriptions;
	unsigned long last;
	int ret;

	mmap_assert_write_locked(mm);
	ret = mrn_check(mm, start, length, &last, ops);
	if (ret)
		return ret;

	if (!subs || !subs->has_itree) {
		ret = mn_register(NULL, mm);
		if (ret)
			return ret;
	}

	mrn_add(mrn, mm, start, last, ops);
	return 0;
}
EXPORT_SYMBOL_GPL(mmu_range_notifier_insert_locked);

/*
 * Claim @mrn for its removal: its mm for exactly one remove of an inserted
 * subscription, however many race; NULL for the others. A successful
 * try_cmpxchg() is fully ordered: the claim comes before the loads of
 * @mrn->mm and of the tree state that follow. A failed one means another
 * remove claimed it first; nothing is touched then. (cmpxchg rather than
 * xchg: on x86 a kernel built without SMP drops the lock prefix of cmpxchg,
 * never xchg's.)
 */
static struct mm_struct *mrn_claim(struct mmu_range_notifier *mrn)
{
	const struct mmu_range_notifier_ops *ops = READ_ONCE(mrn->ops);

	if ((unsigned long)ops & MRN_OPS_REMOVING)
		return NULL;
	if (!try_cmpxchg(&mrn->ops, &ops,
			 (void *)((unsigned long)ops | MRN_OPS_REMOVING)))
		return NULL;
	return READ_ONCE(mrn->mm);
}

/**
 * mmu_range_notifier_remove - end a subscription
 * @mrn: a subscription inserted by mmu_range_notifier_insert().
 *
 * Returns only once no invalidation can call @mrn any more: if an
 * invalidation may be walking to it, waits for the last running
 * invalidation to end; invalidations that found nothing to call do not
 * hold it up. The caller may then free @mrn. Drops the pin on the mm and
 * sets @mrn->mm to NULL; until then the invalidate callback still sees
 * @mrn->mm. Removing a subscription that is not inserted (never, removed
 * already, or being removed by another thread) is a driver bug: it is
 * reported once and otherwise ignored. May sleep; must not be called from
 * the invalidate callback, nor with a lock held that the callback takes.
 */
void mmu_range_notifier_remove(struct mmu_range_notifier *mrn)
{
	struct mmu_notifier_subscriptions *subs;
	struct mm_struct *mm;
	unsigned long seq;
	bool in_use = false;

	might_sleep();
	mn_may_wait_for_invalidation();

	mm = mrn_claim(mrn);
	if (WARN_ONCE(!mm, "removing a range notifier that is not inserted\n"))
		return;
	subs = mm->notifier_subscriptions;

	spin_lock(&subs->lock);
	seq = subs->invalidate_seq;
	if (!(seq & 1)) {
		/*
		 * No walk can be in the tree (nor anything queued). The node is
		 * left as it is: only an insert reads it again, and rewrites it.
		 */
		interval_tree_remove(&mrn->interval_tree, &subs->itree);
	} else if (RB_EMPTY_NODE(&mrn->interval_tree.rb)) {
		/* A queued insert: no invalidation can have seen it. */
		hlist_del_init(&mrn->deferred_item);
	} else {
		/* In the tree and maybe being called: queue the removal. */
		hlist_add_head(&mrn->deferred_item, &subs->deferred);
		in_use = true;
	}
	spin_unlock(&subs->lock);

	if (in_use)
		mrn_wait_moved(subs, seq);

	WRITE_ONCE(mrn->mm, NULL);
	mmdrop(mm);
}
EXPORT_SYMBOL_GPL(mmu_range_notifier_remove);

/**
 * mmu_range_read_begin - begin a read section of a subscription
 * @mrn: the subscription.
 *
 * Starts the collision-retry pattern: read the pages of the span (for
 * instance with hmm_range_fault()), then take the driver lock and call
 * mmu_range_read_retry() with the returned value before using them. If an
 * invalidation that hit @mrn is running, waits for it to end first, so
 * that the section does not start on pages that are going away.
 *
 * Takes no mm-wide lock and writes no shared memory. May sleep; must not
 * be called with a lock held that the invalidate callback takes.
 *
 * Return: the value to pass to mmu_range_read_retry().
 */
unsigned long mmu_range_read_begin(struct mmu_range_notifier *mrn)
{
	struct mmu_notifier_subscriptions *subs = mrn->mm->notifier_subscriptions;
	unsigned long seq;

	might_sleep();
	mn_may_wait_for_invalidation();

	/*
	 *   invalidation (CPU0)                 read side (CPU1)
	 *   -------------------                 ----------------
	 *   lock; subs seq = X (odd); unlock
	 *   callback: driver lock;
	 *     release: mrn seq = X    --(1)-->  acquire: s = mrn seq
	 *     zap device; driver unlock
	 *   core mm changes the PTEs
	 *   last end: release:
	 *     subs seq = X + 1        --(2)-->  acquire: t = subs seq
	 *                                       s == t: sleep until it moves
	 *                                       (acquire in the condition, (4))
	 *                                       read PTEs (hmm_range_fault())
	 *                                       driver lock; retry if
	 *                                       mrn seq != s (3)
	 *
	 * (1) s == X implies t >= X: the reader waits for X's end. (2) t ==
	 * X + 1 implies the PTE loads below see the change. Neither may be a
	 * plain load on a weakly-ordered CPU.
	 */
	/* (1): pairs with smp_store_release() in mmu_range_set_seq(). */
	seq = smp_load_acquire(&mrn->invalidate_seq);
	/* (2): pairs with smp_store_release() of the bump in mrn_end_last(). */
	if (seq == smp_load_acquire(&subs->invalidate_seq))
		mrn_wait_moved(subs, seq);
	return seq;
}
EXPORT_SYMBOL_GPL(mmu_range_read_begin);
