/* SPDX-License-Identifier: GPL-2.0 */
/*
 * MMU notifiers: let a secondary MMU (a device, a hypervisor, an IOMMU)
 * follow changes made to the page tables of a process.
 *
 * This header holds the classic notifier API: a struct mmu_notifier with a
 * table of callbacks, registered on an mm and called for every change of
 * that mm. Drivers that mirror only some ranges of an address space should
 * use the range notifier in <linux/mmu_range_notifier.h> instead.
 *
 * See Documentation/mm/mmu_notifier.rst.
 */
#ifndef _LINUX_MMU_NOTIFIER_H
#define _LINUX_MMU_NOTIFIER_H

#include <linux/list.h>
#include <linux/lockdep.h>
#include <linux/mm_types.h>
#include <linux/mmap_lock.h>
#include <linux/spinlock.h>
#include <linux/srcu.h>

struct mmu_notifier;
struct mmu_notifier_range;
struct mmu_notifier_subscriptions;

/**
 * enum mmu_notifier_event - why the primary page tables are changing
 * @MMU_NOTIFY_UNMAP: the range goes away: munmap(), or mremap() moving it.
 * @MMU_NOTIFY_CLEAR: page table entries are cleared for another reason
 *	(madvise(), a page being replaced, reclaim, ...).
 * @MMU_NOTIFY_PROTECTION_VMA: the protection of the whole range changes to
 *	the vma's vm_page_prot (mprotect()); the new protection can be taken
 *	from the vma rather than from each entry.
 * @MMU_NOTIFY_PROTECTION_PAGE: the read/write permission of some entries in
 *	the range changes; a mirror must look at the CPU page table to learn
 *	which.
 * @MMU_NOTIFY_SOFT_DIRTY: the soft-dirty bits are being cleared; the pages
 *	and their permissions stay. A mirror that can write should mark its
 *	pages soft-dirty again so that such writes are not missed.
 * @MMU_NOTIFY_RELEASE: the last user of the mm is gone and the whole address
 *	space is being torn down; sent to range notifiers once, at exit.
 * @MMU_NOTIFY_MIGRATE: pages are being migrated by migrate_vma_*(); a driver
 *	may ignore the event when the range's owner is its own device-private
 *	pagemap owner.
 * @MMU_NOTIFY_EXCLUSIVE: a device is losing (or, with a non-NULL owner from
 *	make_device_exclusive(), gaining) exclusive access to a page.
 */
enum mmu_notifier_event {
	MMU_NOTIFY_UNMAP		= 0,
	MMU_NOTIFY_CLEAR		= 1,
	MMU_NOTIFY_PROTECTION_VMA	= 2,
	MMU_NOTIFY_PROTECTION_PAGE	= 3,
	MMU_NOTIFY_SOFT_DIRTY		= 4,
	MMU_NOTIFY_RELEASE		= 5,
	MMU_NOTIFY_MIGRATE		= 6,
	MMU_NOTIFY_EXCLUSIVE		= 7,
};

/* Set in mmu_notifier_range.flags when the callbacks are allowed to sleep. */
#define MMU_NOTIFIER_RANGE_BLOCKABLE	BIT(0)

/*
 * Private to mm/mmu_notifier.c: what the start of an invalidation did, so
 * that its end undoes exactly that, whatever was registered in between.
 * The start clears them all before it looks at the mm.
 */
#define __MMU_NOTIFIER_RANGE_WALK	BIT(28)	/* still counted as a walker */
#define __MMU_NOTIFIER_RANGE_GEN1	BIT(29)	/* counted in generation slot 1 */
#define __MMU_NOTIFIER_RANGE_TREE	BIT(30)	/* counted in the range tree */
#define __MMU_NOTIFIER_RANGE_CLASSIC	BIT(31)	/* walked the classic list */
#define __MMU_NOTIFIER_RANGE_STARTED	(__MMU_NOTIFIER_RANGE_TREE | \
					 __MMU_NOTIFIER_RANGE_CLASSIC)
#define __MMU_NOTIFIER_RANGE_PRIVATE	(__MMU_NOTIFIER_RANGE_STARTED | \
					 __MMU_NOTIFIER_RANGE_GEN1 | \
					 __MMU_NOTIFIER_RANGE_WALK)

/**
 * struct mmu_notifier_ops - callbacks of a classic notifier
 *
 * Every callback is optional. Unless said otherwise a callback runs inside
 * an SRCU read-side section, with the mmap lock or an rmap lock of the mm
 * held by the caller, and may run concurrently with any other callback of
 * the same notifier.
 *
 * @release: the mm is being torn down (exit_mmap()) or the notifier is being
 *	unregistered, whichever comes first; both may race, so the callback
 *	may be called twice. After it returns the secondary MMU must stop
 *	using the mm: every mapping is about to be freed. May sleep.
 * @clear_flush_young: clear the accessed state of the secondary mappings in
 *	[start, end) and flush them; return non-zero if any was young. Called
 *	from reclaim under a page table lock: must not sleep.
 * @clear_young: as @clear_flush_young without the flush. Must not sleep.
 * @test_young: return non-zero if the secondary mapping of @address is
 *	young, without clearing it. Must not sleep.
 * @invalidate_range_start: the primary page table entries in
 *	[range->start, range->end) are about to change. Until the matching
 *	@invalidate_range_end the secondary MMU must not create new mappings
 *	of the range and must drop the ones it has before returning. May
 *	sleep if mmu_notifier_range_blockable(@range); otherwise it must not,
 *	and returns -EAGAIN when it cannot do its work without sleeping (any
 *	other error is a bug). Returns 0 on success. A notifier whose start
 *	may return -EAGAIN must not have @invalidate_range_end.
 * @invalidate_range_end: the change announced by @invalidate_range_start is
 *	complete. Also called, right away and without sleeping, when another
 *	notifier refused a non-blocking start: every start of that range was
 *	called, and every notifier with an end gets it. May sleep if
 *	mmu_notifier_range_blockable(@range).
 * @arch_invalidate_secondary_tlbs: called when the CPU TLBs of [start, end)
 *	are flushed, for secondary MMUs that share the CPU page tables (IOMMU
 *	SVA) and so must flush their own TLBs at the same moment. Runs under
 *	the page table lock: must not sleep.
 * @alloc_notifier: allocate a notifier for mmu_notifier_get(); called with
 *	the mmap lock held for write. Return an ERR_PTR() on failure.
 * @free_notifier: free a notifier allocated by @alloc_notifier, after its
 *	last mmu_notifier_put() and an SRCU grace period. Runs from an SRCU
 *	callback: must not sleep.
 */
struct mmu_notifier_ops {
	void (*release)(struct mmu_notifier *mn, struct mm_struct *mm);
	int (*clear_flush_young)(struct mmu_notifier *mn, struct mm_struct *mm,
				 unsigned long start, unsigned long end);
	int (*clear_young)(struct mmu_notifier *mn, struct mm_struct *mm,
			   unsigned long start, unsigned long end);
	int (*test_young)(struct mmu_notifier *mn, struct mm_struct *mm,
			  unsigned long address);
	int (*invalidate_range_start)(struct mmu_notifier *mn,
				      const struct mmu_notifier_range *range);
	void (*invalidate_range_end)(struct mmu_notifier *mn,
				     const struct mmu_notifier_range *range);
	void (*arch_invalidate_secondary_tlbs)(struct mmu_notifier *mn,
					       struct mm_struct *mm,
					       unsigned long start, unsigned long end);
	struct mmu_notifier *(*alloc_notifier)(struct mm_struct *mm);
	void (*free_notifier)(struct mmu_notifier *mn);
};

/**
 * struct mmu_notifier - a classic notifier registered on one mm
 * @hlist: link in the mm's notifier list (SRCU protected). First, so that
 *	the list walk of every invalidation needs no offset from link to
 *	notifier.
 * @ops: the callbacks.
 * @mm: the mm registered on; pinned with mmgrab() while registered.
 * @users: references taken by mmu_notifier_get(), under the mm's
 *	subscription lock.
 * @rcu: used to free a notifier from mmu_notifier_put() after SRCU.
 *
 * Embed it in a driver structure; set nothing but what the register or get
 * call takes as arguments.
 */
struct mmu_notifier {
	struct hlist_node hlist;
	const struct mmu_notifier_ops *ops;
	struct mm_struct *mm;
	unsigned int users;
	struct rcu_head rcu;
};

#ifdef CONFIG_MMU_NOTIFIER

/*
 * A lockdep map standing for "inside invalidate_range_start()". It is taken
 * around every start and end, and the page allocator takes it under
 * fs_reclaim (fs_reclaim_acquire()), so lockdep learns that the callbacks
 * can run from reclaim and reports a callback that takes a lock held around
 * an allocation.
 */
extern struct lockdep_map __mmu_notifier_invalidate_range_start_map;

/**
 * struct mmu_notifier_range - one change of the primary page tables
 * @start: first address of the change.
 * @end: first address past the change.
 * @mm: the mm being changed.
 * @event: why the change happens.
 * @flags: %MMU_NOTIFIER_RANGE_BLOCKABLE when callbacks may sleep; the
 *	start also records in it, in bits private to the core, what it did.
 * @owner: for %MMU_NOTIFY_MIGRATE and %MMU_NOTIFY_EXCLUSIVE, the owner
 *	passed by the caller (a device-private pagemap owner), else NULL.
 */
struct mmu_notifier_range {
	unsigned long start, end;
	struct mm_struct *mm;
	enum mmu_notifier_event event;
	unsigned int flags;
	void *owner;
};

int __mmu_notifier_register(struct mmu_notifier *subscription,
			    struct mm_struct *mm);
int mmu_notifier_register(struct mmu_notifier *subscription,
			  struct mm_struct *mm);
void mmu_notifier_unregister(struct mmu_notifier *subscription,
			     struct mm_struct *mm);
struct mmu_notifier *mmu_notifier_get_locked(const struct mmu_notifier_ops *ops,
					     struct mm_struct *mm);
void mmu_notifier_put(struct mmu_notifier *subscription);
void mmu_notifier_synchronize(void);

/* Out-of-line halves of the hooks below, called only when notifiers exist. */
void __mmu_notifier_release(struct mm_struct *mm);
int __mmu_notifier_clear_flush_young(struct mm_struct *mm,
				     unsigned long start, unsigned long end);
int __mmu_notifier_clear_young(struct mm_struct *mm,
			       unsigned long start, unsigned long end);
int __mmu_notifier_test_young(struct mm_struct *mm, unsigned long address);
int __mmu_notifier_invalidate_range_start(struct mmu_notifier_range *range);
void __mmu_notifier_invalidate_range_end(struct mmu_notifier_range *range);
void __mmu_notifier_arch_invalidate_secondary_tlbs(struct mm_struct *mm,
						   unsigned long start,
						   unsigned long end);
void __mmu_notifier_subscriptions_destroy(struct mm_struct *mm);

/**
 * mm_has_notifiers - does anything listen to changes of @mm?
 * @mm: the mm.
 *
 * Return: true once a notifier of either kind was registered on @mm; it
 * stays true until the mm is freed.
 */
static inline bool mm_has_notifiers(struct mm_struct *mm)
{
	return unlikely(READ_ONCE(mm->notifier_subscriptions));
}

struct mmu_notifier *mmu_notifier_get(const struct mmu_notifier_ops *ops,
				      struct mm_struct *mm);

/**
 * mmu_notifier_range_blockable - may the callbacks for @range sleep?
 * @range: the range being invalidated.
 *
 * Return: true for mmu_notifier_invalidate_range_start(), false for
 * mmu_notifier_invalidate_range_start_nonblock().
 */
static inline bool
mmu_notifier_range_blockable(const struct mmu_notifier_range *range)
{
	return range->flags & MMU_NOTIFIER_RANGE_BLOCKABLE;
}

/**
 * mmu_notifier_range_init - describe a change of the primary page tables
 * @range: the range to fill in.
 * @event: why the change happens.
 * @flags: initial flags; the start calls set or clear
 *	%MMU_NOTIFIER_RANGE_BLOCKABLE themselves.
 * @mm: the mm being changed.
 * @start: first address.
 * @end: first address past the change.
 */
static inline void mmu_notifier_range_init(struct mmu_notifier_range *range,
					   enum mmu_notifier_event event,
					   unsigned int flags,
					   struct mm_struct *mm,
					   unsigned long start,
					   unsigned long end)
{
	*range = (struct mmu_notifier_range) {
		.mm = mm,
		.start = start,
		.end = end,
		.flags = flags,
		.event = event,
	};
}

/**
 * mmu_notifier_range_init_owner - mmu_notifier_range_init() with an owner
 * @range: the range to fill in.
 * @event: why the change happens.
 * @flags: initial flags.
 * @mm: the mm being changed.
 * @start: first address.
 * @end: first address past the change.
 * @owner: the device-private pagemap owner the change is made for.
 */
static inline void
mmu_notifier_range_init_owner(struct mmu_notifier_range *range,
			      enum mmu_notifier_event event,
			      unsigned int flags, struct mm_struct *mm,
			      unsigned long start, unsigned long end,
			      void *owner)
{
	mmu_notifier_range_init(range, event, flags, mm, start, end);
	range->owner = owner;
}

/**
 * mmu_notifier_release - tell every notifier that @mm is going away
 * @mm: the mm, whose last user is gone (called from exit_mmap()).
 */
static inline void mmu_notifier_release(struct mm_struct *mm)
{
	if (!mm_has_notifiers(mm))
		return;
	__mmu_notifier_release(mm);
}

/**
 * mmu_notifier_clear_flush_young - age the secondary mappings of a range
 * @mm: the mm.
 * @start: first address.
 * @end: first address past the range.
 *
 * Return: non-zero if any notifier found a young mapping.
 */
static inline int mmu_notifier_clear_flush_young(struct mm_struct *mm,
						 unsigned long start, unsigned long end)
{
	return mm_has_notifiers(mm) ?
		__mmu_notifier_clear_flush_young(mm, start, end) : 0;
}

/**
 * mmu_notifier_clear_young - age the secondary mappings without a flush
 * @mm: the mm.
 * @start: first address.
 * @end: first address past the range.
 *
 * Return: non-zero if any notifier found a young mapping.
 */
static inline int mmu_notifier_clear_young(struct mm_struct *mm,
					   unsigned long start, unsigned long end)
{
	return mm_has_notifiers(mm) ?
		__mmu_notifier_clear_young(mm, start, end) : 0;
}

/**
 * mmu_notifier_test_young - is a secondary mapping of @address young?
 * @mm: the mm.
 * @address: the address.
 *
 * Return: non-zero if any notifier reports the address young.
 */
static inline int mmu_notifier_test_young(struct mm_struct *mm,
					  unsigned long address)
{
	return mm_has_notifiers(mm) ? __mmu_notifier_test_young(mm, address) : 0;
}

static inline int __mmu_notifier_start(struct mmu_notifier_range *range,
				       bool blockable)
{
	int ret = 0;

	lock_map_acquire(&__mmu_notifier_invalidate_range_start_map);
	range->flags &= ~__MMU_NOTIFIER_RANGE_PRIVATE;
	if (mm_has_notifiers(range->mm)) {
		if (blockable)
			range->flags |= MMU_NOTIFIER_RANGE_BLOCKABLE;
		else
			range->flags &= ~MMU_NOTIFIER_RANGE_BLOCKABLE;
		ret = __mmu_notifier_invalidate_range_start(range);
	}
	lock_map_release(&__mmu_notifier_invalidate_range_start_map);
	return ret;
}

/**
 * mmu_notifier_invalidate_range_start - announce a change of @range
 * @range: the change, set up with mmu_notifier_range_init().
 *
 * Called before the primary page table entries change, with the mmap lock
 * or an rmap lock held; must be followed by
 * mmu_notifier_invalidate_range_end() once the change is done. May sleep.
 */
static inline void
mmu_notifier_invalidate_range_start(struct mmu_notifier_range *range)
{
	might_sleep();
	__mmu_notifier_start(range, true);
}

/**
 * mmu_notifier_invalidate_range_start_nonblock - announce without sleeping
 * @range: the change, set up with mmu_notifier_range_init().
 *
 * As mmu_notifier_invalidate_range_start(), but no callback may sleep. Used
 * by the OOM reaper.
 *
 * Return: 0, to be followed by mmu_notifier_invalidate_range_end(); or
 * -EAGAIN when a notifier could not proceed without sleeping, in which case
 * everything started has been ended again and the caller must not call
 * mmu_notifier_invalidate_range_end().
 */
static inline int __must_check
mmu_notifier_invalidate_range_start_nonblock(struct mmu_notifier_range *range)
{
	return __mmu_notifier_start(range, false);
}

/**
 * mmu_notifier_invalidate_range_end - the change of @range is complete
 * @range: the range passed to the start call.
 *
 * Ends what the start of @range began, and only that: a notifier registered
 * between the two calls gets no end for a start it never saw. Runs under
 * the same lockdep map as the start, so an end callback that waits on
 * reclaim is reported too.
 */
static inline void
mmu_notifier_invalidate_range_end(struct mmu_notifier_range *range)
{
	if (mmu_notifier_range_blockable(range))
		might_sleep();
	lock_map_acquire(&__mmu_notifier_invalidate_range_start_map);
	if (range->flags & __MMU_NOTIFIER_RANGE_STARTED)
		__mmu_notifier_invalidate_range_end(range);
	lock_map_release(&__mmu_notifier_invalidate_range_start_map);
}

/**
 * mmu_notifier_arch_invalidate_secondary_tlbs - flush secondary TLBs
 * @mm: the mm.
 * @start: first address.
 * @end: first address past the range.
 *
 * Called by architectures when they flush the CPU TLB of a range, for
 * secondary MMUs that walk the CPU page tables themselves.
 */
static inline void
mmu_notifier_arch_invalidate_secondary_tlbs(struct mm_struct *mm,
					    unsigned long start, unsigned long end)
{
	if (unlikely(mm_has_notifiers(mm)))
		__mmu_notifier_arch_invalidate_secondary_tlbs(mm, start, end);
}

/**
 * mmu_notifier_subscriptions_init - a new mm starts with no notifiers
 * @mm: the mm being set up (fork, exec).
 */
static inline void mmu_notifier_subscriptions_init(struct mm_struct *mm)
{
	mm->notifier_subscriptions = NULL;
}

/**
 * mmu_notifier_subscriptions_destroy - free the notifier state of @mm
 * @mm: the mm being freed (__mmdrop()).
 */
static inline void mmu_notifier_subscriptions_destroy(struct mm_struct *mm)
{
	if (!mm_has_notifiers(mm))
		return;
	__mmu_notifier_subscriptions_destroy(mm);
}

/*
 * Clear the accessed bit of a primary entry and of every secondary mapping
 * of the same span; the result is non-zero if any of them was young. The
 * arguments are evaluated once.
 */
#define __mmu_notifier_age(__prim, __sec, __vma, __addr, __entry, __span) \
({									\
	struct vm_area_struct *__mn_vma = (__vma);			\
	unsigned long __mn_addr = (__addr);				\
	int __mn_young = __prim(__mn_vma, __mn_addr, __entry);		\
									\
	__mn_young | (__sec)(__mn_vma->vm_mm, __mn_addr,		\
			     __mn_addr + (__span));			\
})

#define ptep_clear_flush_young_notify(vma, addr, ptep)			\
	__mmu_notifier_age(ptep_clear_flush_young,			\
			   mmu_notifier_clear_flush_young,		\
			   vma, addr, ptep, PAGE_SIZE)
#define pmdp_clear_flush_young_notify(vma, addr, pmdp)			\
	__mmu_notifier_age(pmdp_clear_flush_young,			\
			   mmu_notifier_clear_flush_young,		\
			   vma, addr, pmdp, PMD_SIZE)
#define ptep_clear_young_notify(vma, addr, ptep)			\
	__mmu_notifier_age(ptep_test_and_clear_young,			\
			   mmu_notifier_clear_young,			\
			   vma, addr, ptep, PAGE_SIZE)
#define pmdp_clear_young_notify(vma, addr, pmdp)			\
	__mmu_notifier_age(pmdp_test_and_clear_young,			\
			   mmu_notifier_clear_young,			\
			   vma, addr, pmdp, PMD_SIZE)

#else /* !CONFIG_MMU_NOTIFIER */

/* Without notifiers a range only carries its bounds. */
struct mmu_notifier_range {
	unsigned long start, end;
};

static inline void mmu_notifier_range_init(struct mmu_notifier_range *range,
					   enum mmu_notifier_event event,
					   unsigned int flags,
					   struct mm_struct *mm,
					   unsigned long start, unsigned long end)
{
	*range = (struct mmu_notifier_range) { .start = start, .end = end };
}

/* The owner has nowhere to go; it is still evaluated once. */
#define mmu_notifier_range_init_owner(range, event, flags, mm, start, end, \
				      owner)				      \
	do {								      \
		(void)(owner);						      \
		mmu_notifier_range_init(range, event, flags, mm, start, end); \
	} while (0)

static inline bool
mmu_notifier_range_blockable(const struct mmu_notifier_range *range)
{
	return true;
}

static inline bool mm_has_notifiers(struct mm_struct *mm)
{
	return false;
}

static inline void mmu_notifier_release(struct mm_struct *mm) { }

static inline int mmu_notifier_clear_flush_young(struct mm_struct *mm,
						 unsigned long start, unsigned long end)
{ return 0; }
static inline int mmu_notifier_clear_young(struct mm_struct *mm,
					   unsigned long start, unsigned long end)
{ return 0; }
static inline int mmu_notifier_test_young(struct mm_struct *mm,
					  unsigned long address)
{ return 0; }

static inline void
mmu_notifier_invalidate_range_start(struct mmu_notifier_range *range) { }

static inline int
mmu_notifier_invalidate_range_start_nonblock(struct mmu_notifier_range *range)
{
	return 0;
}

static inline void
mmu_notifier_invalidate_range_end(struct mmu_notifier_range *range) { }

static inline void
mmu_notifier_arch_invalidate_secondary_tlbs(struct mm_struct *mm,
					    unsigned long start,
					    unsigned long end) { }

static inline void mmu_notifier_subscriptions_init(struct mm_struct *mm) { }
static inline void mmu_notifier_subscriptions_destroy(struct mm_struct *mm) { }
static inline void mmu_notifier_synchronize(void) { }

#define ptep_clear_flush_young_notify ptep_clear_flush_young
#define pmdp_clear_flush_young_notify pmdp_clear_flush_young
#define ptep_clear_young_notify ptep_test_and_clear_young
#define pmdp_clear_young_notify pmdp_test_and_clear_young

#endif /* CONFIG_MMU_NOTIFIER */

#endif /* _LINUX_MMU_NOTIFIER_H */
