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
 * Range notifiers sit in an interval tree. The fields that drive them, and
 * the lock or ordering each is accessed under, are described once, in the
 * kernel-doc of struct mmu_notifier_subscriptions below; mrn->invalidate_seq
 * is always odd, the generation of the last invalidation that hit the
 * subscription, and bit 0 of mrn->ops is the claim of the remove that
 * proceeds (cmpxchg(), so that of two racing removes exactly one does).
 *
 * An invalidation of [start, end) takes subs->lock, counts itself in the
 * current generation and, if the tree holds a subscription that overlaps
 * the range, gives the generation out (makes it odd) and counts itself a
 * walker. It drops the lock and calls every overlapping subscription with
 * that odd value as cur_seq; each callback stores it in its subscription
 * under the driver lock and tears down the device mappings. The walk is
 * then over, but the invalidation stays counted as a walker until its end,
 * which saves a lock round trip, unless something is queued: then it
 * counts itself out at once. Its end leaves the generation.
 *
 * Two rules, kept apart:
 *
 *   for readers                          for the tree
 *   -----------                          ------------
 *   a subscription hit by generation X   the tree changes only while no
 *   may be read again once X, and every  walk is in it: inserts and
 *   generation before it, has drained:   removes that find a walker queue,
 *   done_seq >= X.                       and the last walker out applies
 *                                        the queue.
 *   A reader that finds X running and    A walk is short (the callbacks of
 *   current asks for a flip: later       one invalidation), so under a
 *   invalidations join X + 1, and X      stream of overlapping
 *   drains in the time its members       invalidations the tree is still
 *   take, however many start after.      free between two walks, unless
 *   If the generation before X still     the walks themselves overlap
 *   runs, the flip waits for it to       without a gap.
 *   drain (two slots, as SRCU's two
 *   counters), so a reader waits at
 *   most for two generations of
 *   invalidations that were running
 *   when it asked.
 *
 * When the current generation drains and was given out, done_seq moves to
 * it and cur_seq to the next generation's even value. A generation never
 * given out drains silently: nobody holds its value.
 *
 * A subscription inserted while no walk is in the tree joins it at once.
 * If invalidations run, it starts at the current generation, given out: it
 * collides with them (one of them may have changed its pages before it
 * could be found in the tree), not with any that starts later; else it
 * starts at done_seq. A subscription inserted while a walk is in the tree
 * is queued, takes the current generation and holds it open (counts in
 * its slot) so that it reads as colliding until it is in the tree; when
 * the queue is applied, it gives the hold back and starts anew as above,
 * since the invalidations that ran meanwhile did not see it either.
 *
 * A remove takes the subscription out at once while no walk is in the
 * tree; drops a queued insert; or queues the removal and sleeps until the
 * last walker out has applied it. Then no invalidation can still call the
 * subscription, and mmu_range_notifier_remove() returns. Invalidations
 * whose walks are done, or that found nothing, do not hold it up.
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
 * The read side takes no mm-wide lock and writes nothing shared unless it
 * has to wait. The orderings, each with what it pairs with
 * (mmu_range_read_begin() has the ladder; tests/litmus/ of the series
 * holds one LKMM test per pairing):
 *
 *  (1) mmu_range_read_begin() loads mrn->invalidate_seq with acquire. It
 *      pairs with the release in mmu_range_set_seq(). For the wait decision
 *      alone a plain load would do: done_seq only grows, and a reader that
 *      has not seen an invalidation's publication reads an older done_seq
 *      and waits. But a queued insert joins the tree with a value that may
 *      already have drained: a reader that sees that value must see the
 *      page tables as the invalidations that ran while it was queued left
 *      them, which the applier saw under subs->lock before its release.
 *  (2) It then loads subs->done_seq with acquire. It pairs with the
 *      release in mrn_settle(), which comes after the ends of every
 *      invalidation of the drained generations: each end took subs->lock
 *      after its page-table change, and the store is made under that lock
 *      later, so a reader that sees the generation drained (and so does
 *      not sleep) reads the changed page tables in its section. A plain
 *      load here would let the section's page-table loads be satisfied
 *      before it on a weakly-ordered CPU, and the driver would map a page
 *      the invalidation is freeing.
 *  (3) A reader that loads an older mrn->invalidate_seq returns it; if the
 *      invalidation then reaches the subscription, mmu_range_read_retry()
 *      under the driver lock sees the new value and the driver retries. If
 *      the callback comes after that check, it takes the driver lock after
 *      the driver and removes what the driver just installed.
 *  (4) Readers sleep on subs->wq until done_seq reaches their generation;
 *      the condition is the acquire load of (2). Removers sleep until the
 *      queue no longer holds their subscription, a condition checked under
 *      subs->lock, which orders every walker's access before the return.
 *  (5) The waker looks at the queue with wq_has_sleeper(), whose full
 *      barrier pairs with the one in prepare_to_wait_event(): a sleeper is
 *      either seen on the queue or sees the new value. Most updates have
 *      no sleeper and skip the queue's lock.
 *  (6) mm->notifier_subscriptions is published with a release store under
 *      mm_take_all_locks() and read with acquire by lockless users.
 *  (7) subs->nr_deferred is read by a walker without the lock: a stale zero
 *      only keeps the walker counted until its end, which counts it out
 *      and applies the queue; the next walker's look comes after the
 *      queueing under the lock, and sees it.
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

/**
 * struct mmu_notifier_subscriptions - the notifier state of one mm
 * @lock: protects every field below but @has_itree, for the accesses this
 *	list does not say are lockless.
 * @list: classic notifiers; changed under @lock, walked under SRCU.
 * @has_itree: set, under mm_take_all_locks(), by the first range insert;
 *	never cleared, so start and end agree on whether to use the tree.
 * @want_flip: a waiter asked for the current generation to be closed as
 *	soon as the one before it has drained.
 * @walkers: invalidations whose walk may be in the tree: calling back, or
 *	done calling but not yet counted out.
 * @nr_deferred: entries on @deferred; written with WRITE_ONCE() under
 *	@lock and also read without it by a walker done calling back.
 * @cur_seq: the generation that starting invalidations join. Generation k
 *	has two values: 2k while no subscription has been given it, 2k + 1
 *	once one has (an invalidation found a subscription, or an insert
 *	collided with it).
 * @done_seq: every generation up to this odd value has drained; only
 *	grows. Written under @lock with smp_store_release(), read without the
 *	lock by mmu_range_read_begin() with smp_load_acquire().
 * @active: invalidations between start and end, and queued inserts,
 *	counted in the slot of their generation (bit 1 of its value). At most
 *	two generations run: the current one and the one before it.
 * @itree: the range subscriptions; changed under @lock and only while
 *	@walkers is zero, walked without the lock by the walkers, which count
 *	themselves in before they leave the lock.
 * @deferred: inserts and removes that arrived while a walk was in the tree;
 *	applied by whoever counts the last walker out.
 * @wq: readers waiting for a generation to drain, removers for the
 *	deferred list to be applied.
 */
struct mmu_notifier_subscriptions {
	/*
	 * What invalidations, inserts and removes touch comes first: the
	 * first 64 bytes on 64-bit without lock debugging, which the
	 * alignment below keeps in one cache line (the object is
	 * kmalloc-128, naturally aligned). @deferred and @wq serve only the
	 * slow paths.
	 */
	spinlock_t lock;	/* see the field list above */
	unsigned int walkers;
	unsigned long cur_seq;
	unsigned long done_seq;
	unsigned int active[2];
	struct rb_root_cached itree;
	struct hlist_head list;
	unsigned int nr_deferred;
	bool has_itree;
	bool want_flip;
	struct hlist_head deferred;
	wait_queue_head_t wq;
} ____cacheline_aligned;

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

/*
 * Generations. Both values of a generation, 2k (no subscription has been
 * given it yet) and 2k + 1 (given to one), share the slot of subs->active.
 */
static __always_inline unsigned int mrn_slot(unsigned long seq)
{
	return (seq >> 1) & 1;
}

/* The generation before the current one, whether drained or not. */
static __always_inline unsigned long
mrn_prev_seq(struct mmu_notifier_subscriptions *subs)
{
	return (subs->cur_seq | 1) - 2;
}

/*
 * Has every invalidation of generation @seq ended? Lockless. The acquire
 * pairs with the smp_store_release() in mrn_settle(): a caller that sees
 * the generation drained also sees the page-table changes its invalidations
 * made, and the tree updates made before it was published.
 */
static __always_inline bool
mrn_gen_done(struct mmu_notifier_subscriptions *subs, unsigned long seq)
{
	/* Pairs with smp_store_release() in mrn_settle(). */
	return (long)(seq - smp_load_acquire(&subs->done_seq)) <= 0;
}

/*
 * The value a subscription entering the tree now starts at: the current
 * generation, given out, if any invalidation runs (one of them may have
 * changed the span's pages before the subscription could be found), else a
 * generation that has drained. Under subs->lock.
 */
static unsigned long mrn_join_seq(struct mmu_notifier_subscriptions *subs)
{
	if (!subs->active[0] && !subs->active[1])
		return subs->done_seq;
	subs->cur_seq |= 1;
	return subs->cur_seq;
}

/*
 * Apply the queued inserts and removes; under subs->lock, with no walker
 * in the tree. A queued insert held its generation open so that it read as
 * colliding; it now gives that hold back and starts anew at the generation
 * of the invalidations running now, which did not see it either.
 */
static void mrn_apply_deferred(struct mmu_notifier_subscriptions *subs)
{
	struct mmu_range_notifier *mrn;
	struct hlist_node *tmp;

	hlist_for_each_entry(mrn, &subs->deferred, deferred_item)
		if (RB_EMPTY_NODE(&mrn->interval_tree.rb))
			subs->active[mrn_slot(mrn->invalidate_seq)]--;

	hlist_for_each_entry_safe(mrn, tmp, &subs->deferred, deferred_item) {
		hlist_del_init(&mrn->deferred_item);
		if (!RB_EMPTY_NODE(&mrn->interval_tree.rb)) {
			interval_tree_remove(&mrn->interval_tree, &subs->itree);
			continue;
		}
		interval_tree_insert(&mrn->interval_tree, &subs->itree);
		mmu_range_set_seq(mrn, mrn_join_seq(subs));
	}
	WRITE_ONCE(subs->nr_deferred, 0);
}

/*
 * Bring the tree and the generations up to date after a walker left, an
 * invalidation ended or a hold was given back. Under subs->lock. Returns
 * true if a sleeper may now see something new.
 */
static noinline bool mrn_settle(struct mmu_notifier_subscriptions *subs)
{
	unsigned long prev = mrn_prev_seq(subs);
	unsigned long done = subs->done_seq;
	bool moved = false;

	if (!subs->walkers && subs->nr_deferred) {
		mrn_apply_deferred(subs);
		moved = true;
	}
	/* The older generation, closed by a waiter, has drained. */
	if (done != prev && !subs->active[mrn_slot(prev)])
		done = prev;
	/* Only the current generation can still run: has it been given out? */
	if (done == prev && (subs->cur_seq & 1)) {
		if (!subs->active[mrn_slot(subs->cur_seq)]) {
			/* Drained as well: later invalidations start afresh. */
			done = subs->cur_seq++;
			subs->want_flip = false;
		} else if (subs->want_flip) {
			/*
			 * Close it: later invalidations join the next one, so
			 * that it drains however many keep starting.
			 */
			subs->cur_seq++;
			subs->want_flip = false;
		}
	}
	/*
	 * Release: every end of the drained generations (each under this
	 * lock, after its page-table change) and the tree updates above
	 * before the new value.
	 */
	if (done != subs->done_seq) {
		/* Pairs with smp_load_acquire() in mrn_gen_done(). */
		smp_store_release(&subs->done_seq, done);
		moved = true;
	}
	return moved;
}

/* Wake the readers and removers after mrn_settle() moved something. */
static void mrn_wake(struct mmu_notifier_subscriptions *subs)
{
	/*
	 * The full barrier of wq_has_sleeper() pairs with the one in
	 * prepare_to_wait_event(): a sleeper is either on the queue by now,
	 * or checks its condition after it and sees the new state. Most
	 * calls have no sleeper and skip the wait-queue lock.
	 */
	if (wq_has_sleeper(&subs->wq))
		wake_up_all(&subs->wq);
}

/*
 * Settle, drop subs->lock and wake. Out of line, so that the common end
 * stays small.
 */
static noinline void mrn_settle_unlock(struct mmu_notifier_subscriptions *subs)
	__releases(&subs->lock)
{
	bool moved = mrn_settle(subs);

	spin_unlock(&subs->lock);
	if (moved)
		mrn_wake(subs);
}

/*
 * Nothing to publish: the current generation was given to no subscription,
 * no older one runs and nothing is queued. Under subs->lock.
 */
static __always_inline bool mrn_quiet(struct mmu_notifier_subscriptions *subs)
{
	return !(subs->cur_seq & 1) && subs->done_seq == mrn_prev_seq(subs) &&
	       !subs->nr_deferred;
}

/*
 * The end of an invalidation that used the tree: leave its generation and,
 * if it still counts as one, the walkers. Inlined: it is on the path of
 * every invalidation.
 */
static __always_inline void mrn_end(struct mmu_notifier_subscriptions *subs,
				    const struct mmu_notifier_range *range)
{
	unsigned int slot = !!(range->flags & __MMU_NOTIFIER_RANGE_GEN1);
	unsigned long left;

	spin_lock(&subs->lock);
	/* An end without its start: the count would wrap and never drain. */
	VM_WARN_ON_ONCE(!subs->active[slot]);
	left = --subs->active[slot];
	if (range->flags & __MMU_NOTIFIER_RANGE_WALK)
		subs->walkers--;
	if (likely(left ? subs->walkers || !subs->nr_deferred :
		   mrn_quiet(subs))) {
		spin_unlock(&subs->lock);
		return;
	}
	mrn_settle_unlock(subs);
}

/*
 * The walk of @range is over but its end may be far: something is queued
 * for the tree, so stop counting as a walker now. Out of line: rare.
 */
static noinline void mrn_walk_leave(struct mmu_notifier_subscriptions *subs,
				    struct mmu_notifier_range *range)
{
	spin_lock(&subs->lock);
	range->flags &= ~__MMU_NOTIFIER_RANGE_WALK;
	if (--subs->walkers) {
		spin_unlock(&subs->lock);
		return;
	}
	mrn_settle_unlock(subs);
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
 * const. Returns -EAGAIN if a callback of a non-blocking range refused;
 * every second pass asked for has been made then too.
 */
static __always_inline int
mrn_invalidate(struct mmu_range_notifier *mrn,
	       const struct mmu_notifier_range *range, unsigned long seq)
{
	bool blockable = mmu_notifier_range_blockable(range);
	unsigned long start = range->start, last = range->end - 1;
	struct llist_node *second = NULL;
	int ret = 0;

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
		ret = -EAGAIN;
		break;
	}
	if (unlikely(second))
		mrn_second_pass(second, blockable);
	return ret;
}

/*
 * The start of an invalidation: join the current generation and call every
 * subscription overlapping @range; records in @range what the end must
 * undo. Returns -EAGAIN, with the invalidation ended again, if a callback
 * of a non-blocking invalidation refused. Inlined, as mrn_end().
 */
static __always_inline int
mrn_start(struct mmu_notifier_subscriptions *subs,
	  struct mmu_notifier_range *range)
{
	struct mmu_range_notifier *mrn;
	unsigned long seq;
	int ret;

	spin_lock(&subs->lock);
	seq = subs->cur_seq;
	subs->active[mrn_slot(seq)]++;
	mrn = mrn_first(subs, range);
	if (mrn) {
		/* Give the generation out, and keep the tree as it is. */
		seq |= 1;
		subs->cur_seq = seq;
		subs->walkers++;
	}
	spin_unlock(&subs->lock);

	if (mrn_slot(seq))
		range->flags |= __MMU_NOTIFIER_RANGE_GEN1;
	if (!mrn)
		return 0;
	range->flags |= __MMU_NOTIFIER_RANGE_WALK;
	ret = mrn_invalidate(mrn, range, seq);
	if (unlikely(ret)) {
		mrn_end(subs, range);
		return ret;
	}
	/*
	 * A lockless look, (7) at the top: pairs with the WRITE_ONCE()s of
	 * nr_deferred under subs->lock (mrn_add(), mmu_range_notifier_remove(),
	 * mrn_apply_deferred()) and orders nothing. A queue made after this
	 * start's lock and missed here waits for this invalidation's end, or
	 * for the next walker, whose start takes the lock after the queueing.
	 */
	if (unlikely(READ_ONCE(subs->nr_deferred)))
		mrn_walk_leave(subs, range);
	return 0;
}

static void mrn_release(struct mmu_notifier_subscriptions *subs,
			struct mm_struct *mm)
{
	struct mmu_notifier_range range;

	mmu_notifier_range_init(&range, MMU_NOTIFY_RELEASE,
				MMU_NOTIFIER_RANGE_BLOCKABLE, mm, 0, ULONG_MAX);
	mrn_start(subs, &range);
	mrn_end(subs, &range);
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
				mrn_end(subs, range);
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
		mrn_end(subs, range);
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
	WARN_ON_ONCE(subs->active[0] || subs->active[1]);
	kfree(subs);
	mm->notifier_subscriptions = NULL;
}

/* ---------------------------------------------------------------------- */
/* Registration                                                            */
/* ---------------------------------------------------------------------- */

/* Hold the mmap lock of an mm for write for the rest of a scope. */
DEFINE_GUARD(mn_mmap_write, struct mm_struct *, mmap_write_lock(_T),
	     mmap_write_unlock(_T))

/*
 * Take every lock of @mm (mm_take_all_locks()), so that no invalidation is
 * between its start and its end, with the notifier state of @mm set up:
 * allocated and published by the first registration. The mmap lock is held
 * for write; on success the caller changes the state, then calls
 * mm_drop_all_locks(). Returns the state, or an ERR_PTR().
 */
static struct mmu_notifier_subscriptions *mn_lock_all(struct mm_struct *mm)
{
	struct mmu_notifier_subscriptions *subs = mm->notifier_subscriptions;
	struct mmu_notifier_subscriptions *fresh = NULL;
	int ret;

	mmap_assert_write_locked(mm);
	if (!atomic_read(&mm->mm_users))
		return ERR_PTR(-ESRCH);

	if (!subs) {
		fresh = kzalloc(sizeof(*fresh), GFP_KERNEL);
		if (!fresh)
			return ERR_PTR(-ENOMEM);
		spin_lock_init(&fresh->lock);
		INIT_HLIST_HEAD(&fresh->list);
		fresh->itree = RB_ROOT_CACHED;
		INIT_HLIST_HEAD(&fresh->deferred);
		init_waitqueue_head(&fresh->wq);
		/*
		 * Generation 2 is current and nothing given out; 1 counts as
		 * drained. Any such pair would do.
		 */
		fresh->cur_seq = 2;
		fresh->done_seq = 1;
	}

	ret = mm_take_all_locks(mm);
	if (ret) {
		kfree(fresh);
		return ERR_PTR(ret);
	}
	if (fresh) {
		/* Pairs with smp_load_acquire() in the lockless readers. */
		smp_store_release(&mm->notifier_subscriptions, fresh);
		subs = fresh;
	}
	return subs;
}

/* Register the classic notifier @sub on @mm; the mmap lock is held. */
static int mn_register(struct mmu_notifier *sub, struct mm_struct *mm)
{
	struct mmu_notifier_subscriptions *subs;

	/*
	 * A secondary MMU either shares the CPU page tables and follows their
	 * TLB flushes, or mirrors them and follows start/end: not both.
	 */
	if (WARN_ONCE(sub->ops->arch_invalidate_secondary_tlbs &&
		      (sub->ops->invalidate_range_start ||
		       sub->ops->invalidate_range_end),
		      "%ps: a notifier gets secondary TLB flushes or range start/end, not both\n",
		      sub->ops->arch_invalidate_secondary_tlbs))
		return -EINVAL;

	subs = mn_lock_all(mm);
	if (IS_ERR(subs))
		return PTR_ERR(subs);
	mmgrab(mm);
	sub->mm = mm;
	sub->users = 1;
	spin_lock(&subs->lock);
	hlist_add_head_rcu(&sub->hlist, &subs->list);
	spin_unlock(&subs->lock);
	mm_drop_all_locks(mm);
	return 0;
}

/*
 * Set up the range tree of @mm for its first range subscription; the mmap
 * lock is held. From here on every invalidation of @mm uses the tree.
 */
static int mrn_enable_tree(struct mm_struct *mm)
{
	struct mmu_notifier_subscriptions *subs = mn_lock_all(mm);

	if (IS_ERR(subs))
		return PTR_ERR(subs);
	WRITE_ONCE(subs->has_itree, true);
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
	if (subs->walkers) {
		/*
		 * A walk may be in the tree: queue. Until it joins the tree, the
		 * subscription holds the current generation open, so that it
		 * reads as colliding. The cleared node tells the queued insert
		 * from a queued remove.
		 */
		subs->cur_seq |= 1;
		seq = subs->cur_seq;
		subs->active[mrn_slot(seq)]++;
		RB_CLEAR_NODE(&mrn->interval_tree.rb);
		hlist_add_head(&mrn->deferred_item, &subs->deferred);
		WRITE_ONCE(subs->nr_deferred, subs->nr_deferred + 1);
	} else {
		/* Collide with the invalidations running now, if any. */
		seq = mrn_join_seq(subs);
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
 * collides with them, not with those that start later: until they have
 * ended, mmu_range_read_begin() waits. If one of them is walking the tree,
 * the subscription joins it when no walk is left, and collides with what
 * runs then. Pins @mm until mmu_range_notifier_remove(). May sleep: the
 * first range insert on an mm takes its mmap lock for write; the caller
 * must not hold it (see mmu_range_notifier_insert_locked()).
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
	/* Pairs with smp_store_release() in mn_lock_all(). */
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
		ret = mrn_enable_tree(mm);
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

/* Is @mrn off the deferred list, its queued removal applied? */
static bool mrn_unqueued(struct mmu_notifier_subscriptions *subs,
			 struct mmu_range_notifier *mrn)
{
	bool unqueued;

	/* The lock orders every walker's access to @mrn before the return. */
	spin_lock(&subs->lock);
	unqueued = hlist_unhashed(&mrn->deferred_item);
	spin_unlock(&subs->lock);
	return unqueued;
}

/**
 * mmu_range_notifier_remove - end a subscription
 * @mrn: a subscription inserted by mmu_range_notifier_insert().
 *
 * Returns only once no invalidation can call @mrn any more: if a walk of
 * the tree may be in progress, waits until no walk is (an invalidation
 * whose callbacks are done does not hold it up, nor do invalidations that
 * found nothing to call). The caller may then free @mrn. Drops the pin on
 * the mm and sets @mrn->mm to NULL; until then the invalidate callback
 * still sees @mrn->mm. Removing a subscription that is not inserted
 * (never, removed already, or being removed by another thread) is a driver
 * bug: it is reported once and otherwise ignored. May sleep; must not be
 * called from the invalidate callback, nor with a lock held that the
 * callback takes.
 */
void mmu_range_notifier_remove(struct mmu_range_notifier *mrn)
{
	struct mmu_notifier_subscriptions *subs;
	struct mm_struct *mm;
	bool in_use = false, moved = false;

	might_sleep();
	mn_may_wait_for_invalidation();

	mm = mrn_claim(mrn);
	if (WARN_ONCE(!mm, "removing a range notifier that is not inserted\n"))
		return;
	subs = mm->notifier_subscriptions;

	spin_lock(&subs->lock);
	if (!subs->walkers) {
		/*
		 * No walk can be in the tree, nor anything queued. The node is
		 * left as it is: only an insert reads it again, and rewrites it.
		 */
		interval_tree_remove(&mrn->interval_tree, &subs->itree);
	} else if (RB_EMPTY_NODE(&mrn->interval_tree.rb)) {
		/* A queued insert: no invalidation can have seen it. */
		hlist_del_init(&mrn->deferred_item);
		WRITE_ONCE(subs->nr_deferred, subs->nr_deferred - 1);
		subs->active[mrn_slot(mrn->invalidate_seq)]--;
		moved = mrn_settle(subs);
	} else {
		/* In the tree and maybe being called: queue the removal. */
		hlist_add_head(&mrn->deferred_item, &subs->deferred);
		WRITE_ONCE(subs->nr_deferred, subs->nr_deferred + 1);
		in_use = true;
	}
	spin_unlock(&subs->lock);

	if (moved)
		mrn_wake(subs);
	if (in_use)
		wait_event(subs->wq, mrn_unqueued(subs, mrn));

	WRITE_ONCE(mrn->mm, NULL);
	mmdrop(mm);
}
EXPORT_SYMBOL_GPL(mmu_range_notifier_remove);

/*
 * Wait until the generation of @mrn's sequence has drained, closing it
 * first if it is the current one, so that invalidations starting later
 * join the next and cannot hold the reader up. Out of line, so that
 * readers that need not wait carry no wait-queue entry on their stack.
 */
static noinline unsigned long
mrn_read_wait(struct mmu_range_notifier *mrn,
	      struct mmu_notifier_subscriptions *subs, unsigned long seq)
{
	bool moved;

	do {
		spin_lock(&subs->lock);
		moved = false;
		if (seq == subs->cur_seq) {
			subs->want_flip = true;
			moved = mrn_settle(subs);
		}
		spin_unlock(&subs->lock);
		if (moved)
			mrn_wake(subs);
		wait_event(subs->wq, mrn_gen_done(subs, seq));
		/*
		 * A queued insert starts anew when it joins the tree. Pairs
		 * with smp_store_release() in mmu_range_set_seq().
		 */
		seq = smp_load_acquire(&mrn->invalidate_seq);
	} while (!mrn_gen_done(subs, seq));
	return seq;
}

/**
 * mmu_range_read_begin - begin a read section of a subscription
 * @mrn: the subscription.
 *
 * Starts the collision-retry pattern: read the pages of the span (for
 * instance with hmm_range_fault()), then take the driver lock and call
 * mmu_range_read_retry() with the returned value before using them. If an
 * invalidation that hit @mrn is running, waits for it to end first, so
 * that the section does not start on pages that are going away. The wait
 * covers the invalidations that ran alongside the one that hit @mrn, never
 * those that start while it waits.
 *
 * Takes no mm-wide lock and writes no shared memory unless it has to wait.
 * May sleep; must not be called with a lock held that the invalidate
 * callback takes.
 *
 * Return: the value to pass to mmu_range_read_retry().
 */
unsigned long mmu_range_read_begin(struct mmu_range_notifier *mrn)
{
	struct mmu_notifier_subscriptions *subs = mrn->mm->notifier_subscriptions;
	unsigned long seq;

	/*
	 * The check of might_sleep() without its voluntary preemption point,
	 * as __might_fault() has it: a section that need not wait returns at
	 * once; wait_event() in mrn_read_wait() is the point for one that does.
	 */
	__might_sleep(__FILE__, __LINE__);
	mn_may_wait_for_invalidation();

	/*
	 *   invalidation (CPU0)                 read side (CPU1)
	 *   -------------------                 ----------------
	 *   lock; join generation X,
	 *     give it out; unlock
	 *   callback: driver lock;
	 *     release: mrn seq = X    --(1)-->  acquire: s = mrn seq
	 *     zap device; driver unlock
	 *   core mm changes the PTEs
	 *   end: lock; leave X; the last
	 *     of X (or of an older one)
	 *     releases done = X       --(2)-->  acquire: d = done
	 *                                       s > d: wait until d >= s
	 *                                       (acquire in the condition, (4))
	 *                                       read PTEs (hmm_range_fault())
	 *                                       driver lock; retry if
	 *                                       mrn seq != s (3)
	 *
	 * (2) d >= X implies the PTE loads below see the change: it may not be
	 * a plain load on a weakly-ordered CPU. A stale d is only smaller, and
	 * makes the reader wait.
	 */
	/* (1): pairs with smp_store_release() in mmu_range_set_seq(). */
	seq = smp_load_acquire(&mrn->invalidate_seq);
	/* (2): mrn_gen_done() pairs with the release in mrn_settle(). */
	if (unlikely(!mrn_gen_done(subs, seq)))
		seq = mrn_read_wait(mrn, subs, seq);
	return seq;
}
EXPORT_SYMBOL_GPL(mmu_range_read_begin);
