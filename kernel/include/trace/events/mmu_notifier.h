/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Tracepoints of the MMU notifier core (mm/mmu_notifier.c).
 *
 * They show where an invalidation's time goes and why a driver's fault
 * path retries or a remove sleeps. None is on the inline read side:
 * mmu_range_read_retry() stays two loads. Documentation/mm/mmu_notifier.rst
 * ("Tracing") has a worked example.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM mmu_notifier

#if !defined(_TRACE_MMU_NOTIFIER_H) || defined(TRACE_HEADER_MULTI_READ)
#define _TRACE_MMU_NOTIFIER_H

#include <linux/mmu_notifier.h>
#include <linux/mmu_range_notifier.h>
#include <linux/tracepoint.h>

TRACE_DEFINE_ENUM(MMU_NOTIFY_UNMAP);
TRACE_DEFINE_ENUM(MMU_NOTIFY_CLEAR);
TRACE_DEFINE_ENUM(MMU_NOTIFY_PROTECTION_VMA);
TRACE_DEFINE_ENUM(MMU_NOTIFY_PROTECTION_PAGE);
TRACE_DEFINE_ENUM(MMU_NOTIFY_SOFT_DIRTY);
TRACE_DEFINE_ENUM(MMU_NOTIFY_RELEASE);
TRACE_DEFINE_ENUM(MMU_NOTIFY_MIGRATE);
TRACE_DEFINE_ENUM(MMU_NOTIFY_EXCLUSIVE);

#define show_mmu_notifier_event(event)					\
	__print_symbolic(event,						\
			 { MMU_NOTIFY_UNMAP, "unmap" },			\
			 { MMU_NOTIFY_CLEAR, "clear" },			\
			 { MMU_NOTIFY_PROTECTION_VMA, "protection_vma" },	\
			 { MMU_NOTIFY_PROTECTION_PAGE, "protection_page" },	\
			 { MMU_NOTIFY_SOFT_DIRTY, "soft_dirty" },	\
			 { MMU_NOTIFY_RELEASE, "release" },		\
			 { MMU_NOTIFY_MIGRATE, "migrate" },		\
			 { MMU_NOTIFY_EXCLUSIVE, "exclusive" })

/*
 * How an insert joined the tree, and how a remove left it: the values of
 * the @how field of mmu_notifier_range_insert and mmu_notifier_range_remove.
 */
#define MMU_NOTIFIER_RANGE_AT_ONCE	0	/* no invalidation was running */
#define MMU_NOTIFIER_RANGE_COLLIDES	1	/* insert: joined, and collides */
#define MMU_NOTIFIER_RANGE_DEFERRED	2	/* queued for the last walker */
#define MMU_NOTIFIER_RANGE_UNQUEUED	3	/* remove: took back a queued insert */

#define show_mmu_notifier_how(how)					\
	__print_symbolic(how,						\
			 { MMU_NOTIFIER_RANGE_AT_ONCE, "at_once" },	\
			 { MMU_NOTIFIER_RANGE_COLLIDES, "collides" },	\
			 { MMU_NOTIFIER_RANGE_DEFERRED, "deferred" },	\
			 { MMU_NOTIFIER_RANGE_UNQUEUED, "unqueued" })

/*
 * mmu_notifier_invalidate_start - the start of an invalidation reached the
 * core and called its subscribers
 *
 * Emitted once the callbacks have returned, so @nr_range and @nr_classic are
 * the number of range subscriptions and classic notifiers called and
 * @callbacks_ns the time they took (0 if the event was enabled while the
 * start ran). @ret is 0, or -EAGAIN if a non-blocking start was refused, in
 * which case no mmu_notifier_invalidate_end follows. @range identifies the
 * invalidation: its end carries the same value, on the same task.
 */
TRACE_EVENT(mmu_notifier_invalidate_start,
	    TP_PROTO(const struct mmu_notifier_range *range, unsigned int nr_range,
		     unsigned int nr_classic, u64 callbacks_ns, int ret),
	    TP_ARGS(range, nr_range, nr_classic, callbacks_ns, ret),
	    TP_STRUCT__entry(__field(const void *, mm)
			     __field(const void *, range)
			     __field(unsigned long, start)
			     __field(unsigned long, end)
			     __field(u64, callbacks_ns)
			     __field(unsigned int, nr_range)
			     __field(unsigned int, nr_classic)
			     __field(int, event)
			     __field(int, ret)
			     __field(bool, blockable)),
	    TP_fast_assign(__entry->mm = range->mm;
			   __entry->range = range;
			   __entry->start = range->start;
			   __entry->end = range->end;
			   __entry->callbacks_ns = callbacks_ns;
			   __entry->nr_range = nr_range;
			   __entry->nr_classic = nr_classic;
			   __entry->event = range->event;
			   __entry->ret = ret;
			   __entry->blockable = mmu_notifier_range_blockable(range);),
	    TP_printk("mm=%p range=%p [%#lx, %#lx) event=%s blockable=%d nr_range=%u nr_classic=%u callbacks_ns=%llu ret=%d",
		      __entry->mm, __entry->range, __entry->start, __entry->end,
		      show_mmu_notifier_event(__entry->event),
		      __entry->blockable, __entry->nr_range, __entry->nr_classic,
		      __entry->callbacks_ns, __entry->ret)
);

/*
 * mmu_notifier_invalidate_end - the end of an invalidation whose start
 * succeeded
 *
 * Reported as the end begins, before the end callbacks run: the time from
 * the matching mmu_notifier_invalidate_start (same @range, same task) to
 * this event is the core mm's own work, the page tables changed while the
 * subscribers kept off. The range carries no start time: recording one
 * would grow every struct mmu_notifier_range on the stack of every caller,
 * and the two events' timestamps give it anyway.
 */
TRACE_EVENT(mmu_notifier_invalidate_end,
	    TP_PROTO(const struct mmu_notifier_range *range),
	    TP_ARGS(range),
	    TP_STRUCT__entry(__field(const void *, mm)
			     __field(const void *, range)
			     __field(unsigned long, start)
			     __field(unsigned long, end)
			     __field(int, event)),
	    TP_fast_assign(__entry->mm = range->mm;
			   __entry->range = range;
			   __entry->start = range->start;
			   __entry->end = range->end;
			   __entry->event = range->event;),
	    TP_printk("mm=%p range=%p [%#lx, %#lx) event=%s",
		      __entry->mm, __entry->range, __entry->start, __entry->end,
		      show_mmu_notifier_event(__entry->event))
);

/*
 * mmu_notifier_invalidate_refused - a callback refused a non-blocking
 * invalidation
 *
 * @callback is the callback that refused (printed with %ps), @classic tells
 * a classic notifier's invalidate_range_start() from a range subscription's
 * invalidate or invalidate_start, @err is what it returned.
 */
TRACE_EVENT(mmu_notifier_invalidate_refused,
	    TP_PROTO(const struct mmu_notifier_range *range, const void *callback,
		     bool classic, int err),
	    TP_ARGS(range, callback, classic, err),
	    TP_STRUCT__entry(__field(const void *, mm)
			     __field(const void *, callback)
			     __field(unsigned long, start)
			     __field(unsigned long, end)
			     __field(int, event)
			     __field(int, err)
			     __field(bool, classic)),
	    TP_fast_assign(__entry->mm = range->mm;
			   __entry->callback = callback;
			   __entry->start = range->start;
			   __entry->end = range->end;
			   __entry->event = range->event;
			   __entry->err = err;
			   __entry->classic = classic;),
	    TP_printk("mm=%p [%#lx, %#lx) event=%s by=%ps (%s) err=%d",
		      __entry->mm, __entry->start, __entry->end,
		      show_mmu_notifier_event(__entry->event),
		      __entry->callback, __entry->classic ? "classic" : "range",
		      __entry->err)
);

/*
 * mmu_notifier_range_wait - mmu_range_read_begin() slept until the
 * generation of invalidations that hit the subscription drained, or
 * mmu_range_notifier_remove() until no walk was left in the tree
 *
 * [@start, @last] is the subscription's span, @slept_ns how long the caller
 * waited.
 */
TRACE_EVENT(mmu_notifier_range_wait,
	    TP_PROTO(const struct mmu_range_notifier *mrn, bool remove,
		     u64 slept_ns),
	    TP_ARGS(mrn, remove, slept_ns),
	    TP_STRUCT__entry(__field(const void *, mm)
			     __field(const void *, mrn)
			     __field(unsigned long, start)
			     __field(unsigned long, last)
			     __field(u64, slept_ns)
			     __field(bool, remove)),
	    TP_fast_assign(__entry->mm = mrn->mm;
			   __entry->mrn = mrn;
			   __entry->start = mrn->interval_tree.start;
			   __entry->last = mrn->interval_tree.last;
			   __entry->slept_ns = slept_ns;
			   __entry->remove = remove;),
	    TP_printk("mm=%p mrn=%p [%#lx, %#lx] in=%s slept_ns=%llu",
		      __entry->mm, __entry->mrn, __entry->start, __entry->last,
		      __entry->remove ? "remove" : "read_begin", __entry->slept_ns)
);

/*
 * mmu_notifier_range_deferred - the last walker of an mm's tree left it
 * and applied the inserts and removes queued while the tree was being
 * walked
 */
TRACE_EVENT(mmu_notifier_range_deferred,
	    TP_PROTO(const struct mm_struct *mm, unsigned int inserts,
		     unsigned int removes),
	    TP_ARGS(mm, inserts, removes),
	    TP_STRUCT__entry(__field(const void *, mm)
			     __field(unsigned int, inserts)
			     __field(unsigned int, removes)),
	    TP_fast_assign(__entry->mm = mm;
			   __entry->inserts = inserts;
			   __entry->removes = removes;),
	    TP_printk("mm=%p inserts=%u removes=%u",
		      __entry->mm, __entry->inserts, __entry->removes)
);

DECLARE_EVENT_CLASS(mmu_notifier_range_change,
		    TP_PROTO(const struct mmu_range_notifier *mrn, int how),
		    TP_ARGS(mrn, how),
		    TP_STRUCT__entry(__field(const void *, mm)
				     __field(const void *, mrn)
				     __field(unsigned long, start)
				     __field(unsigned long, last)
				     __field(int, how)),
		    TP_fast_assign(__entry->mm = mrn->mm;
				   __entry->mrn = mrn;
				   __entry->start = mrn->interval_tree.start;
				   __entry->last = mrn->interval_tree.last;
				   __entry->how = how;),
		    TP_printk("mm=%p mrn=%p [%#lx, %#lx] %s",
			      __entry->mm, __entry->mrn, __entry->start, __entry->last,
			      show_mmu_notifier_how(__entry->how))
);

/*
 * mmu_notifier_range_insert - a range subscription was inserted: at once,
 * colliding with running invalidations, or deferred until no walk is left
 */
DEFINE_EVENT(mmu_notifier_range_change, mmu_notifier_range_insert,
	     TP_PROTO(const struct mmu_range_notifier *mrn, int how),
	     TP_ARGS(mrn, how)
);

/*
 * mmu_notifier_range_remove - a range subscription is being removed: at
 * once, by taking back its queued insert, or deferred (the remove then
 * waits, see mmu_notifier_range_wait)
 */
DEFINE_EVENT(mmu_notifier_range_change, mmu_notifier_range_remove,
	     TP_PROTO(const struct mmu_range_notifier *mrn, int how),
	     TP_ARGS(mrn, how)
);

#endif /* _TRACE_MMU_NOTIFIER_H */

/* This part must be outside protection */
#include <trace/define_trace.h>
