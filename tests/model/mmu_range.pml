/*
 * A Promela model of the range notifier's sequence protocol, as
 * kernel/mm/mmu_notifier.c and kernel/include/linux/mmu_range_notifier.h
 * implement it (see THE PROTOCOL at the top of mmu_notifier.c).
 *
 * Actors (all run concurrently, every interleaving is explored):
 *   invalidator x2  __mmu_notifier_invalidate_range_start/end over a range
 *                   that may or may not overlap M and N; the page-table
 *                   change (munmap removing M's page) lands anywhere
 *                   between the start and the end, before or after the
 *                   callbacks; M's callback takes the driver lock, calls
 *                   mmu_range_set_seq() and zaps the mirror.
 *   reader          the driver's fault path on M: read_begin (sleeps while
 *                   M is being invalidated), fault and snapshot the page
 *                   table, driver lock, read_retry, install or retry.
 *   insrem          the driver's life cycle of M: insert (deferred while
 *                   invalidations run), hand M to the reader or not, tear
 *                   the mirror down when it is done, remove (waits while
 *                   an invalidation may still call M), then "free" M.
 * Subscription N belongs to another driver and sits in the tree all along,
 * so that invalidations walk the tree while M is inserted and removed.
 *
 * Properties, one compiled in per run (spin -DCHECK_<name>):
 *   mirror_fresh      (a) the mirror never holds a page that an ended
 *                         invalidation removed from the page table
 *   no_deadlock       (b) no invalid end state: nobody sleeps forever.
 *                         Every process must reach its closing brace; the
 *                         one valid end label is the reader's wait for a
 *                         subscription the driver chose never to fault on.
 *   progress          (b) LTL <>(rmdone && (rdone || !inserted)) under
 *                         weak fairness: read_begin and remove return, and
 *                         the retry loop does not spin forever, once the
 *                         invalidations stop
 *   deferred_applied  (c) after the last end nothing remains deferred
 *   remove_safe       (d) no callback runs for M after remove returned
 *   tree_frozen           the tree never changes while a walk is in it
 *
 * Lines that tests/model/mutations/ change carry a "M:<name>" marker.
 * Sequence numbers are bytes and never wrap in this bounded model.
 */

/* --- property switches ------------------------------------------------ */
#ifdef CHECK_mirror_fresh
#define mirror_fresh(c)		assert(c)
#else
#define mirror_fresh(c)		skip
#endif
#ifdef CHECK_deferred_applied
#define deferred_applied(c)	assert(c)
#else
#define deferred_applied(c)	skip
#endif
#ifdef CHECK_remove_safe
#define remove_safe(c)		assert(c)
#else
#define remove_safe(c)		skip
#endif
#ifdef CHECK_tree_frozen
#define tree_frozen(c)		assert(c)
#else
#define tree_frozen(c)		skip
#endif

/* --- code switches (the mutations flip these) ------------------------- */
/* mrn_end(): only the last running invalidation applies the deferred list */
#define LAST_END		(nactive == 0)		/* M:deferred-insert-early */
/* read_begin: without the acquire, the mm-wide load may be done first */
#define REORDERED_LOADS		false			/* M:read-side-no-barrier */
/* mmu_range_read_retry(): the subscription's seq moved since read_begin */
#define RETRY_CHECK		(mseq != s)		/* M:retry-vs-mm-seq */

#define DQ_NONE	0
#define DQ_INS	1
#define DQ_REM	2

/* --- struct mmu_notifier_subscriptions -------------------------------- */
byte sseq = 2;		/* subs->invalidate_seq: even idle, odd invalidating */
byte nactive = 0;	/* subs->active */
/* --- struct mmu_range_notifier M -------------------------------------- */
bool m_intree = false;	/* M is in subs->itree */
byte m_dq = DQ_NONE;	/* M's entry on subs->deferred, and what it asks */
byte mseq = 0;		/* M->invalidate_seq */
/* --- the driver ------------------------------------------------------- */
bool dlock = false;	/* the driver lock */
byte mirror = 0;	/* device mapping of M's page: 0 none, g = page g */
/* --- the process's page table ----------------------------------------- */
byte pt = 1;		/* M's page: 0 absent, g = page generation g */
byte gen = 1;		/* last page generation handed out */
/* --- ghosts, for the properties only ----------------------------------- */
byte dead = 0;		/* bit g: an invalidation that removed page g ended */
byte walking = 0;	/* invalidations whose walk is in the tree */
bool inserted = false;	/* handoff insrem -> reader */
bool rdone = false;	/* reader finished */
bool freed = false;	/* remove returned: M may be freed */
bool rmdone = false;	/* insrem finished */

#define MIRROR_OK	(mirror == 0 || (dead & (1 << mirror)) == 0)

#define TREE_INSERT	tree_frozen(walking == 0); m_intree = true
#define TREE_REMOVE	tree_frozen(walking == 0); m_intree = false

#define DRIVER_LOCK	atomic { dlock == false -> dlock = true }
#define DRIVER_UNLOCK	dlock = false

#ifdef CHECK_progress
ltl progress { <> (rmdone && (rdone || !inserted)) }
#endif

active [2] proctype invalidator()
{
	bool ovl_m = false, ovl_n = false, early = false, hit_m = false;
	bool walks = false;
	byte cur = 0, gone = 0;

	/* The range: does it overlap M's span (and so M's page)? N's? */
	if
	:: ovl_m = true; early = true	/* page-table change before callbacks */
	:: ovl_m = true			/* ... or after them */
	:: skip
	fi;
	if
	:: ovl_n = true
	:: skip
	fi;

	/* mrn_start(), under subs->lock */
	atomic {
		nactive++;
		hit_m = ovl_m && m_intree;
		walks = hit_m || ovl_n;
		if
		:: walks -> sseq = sseq | 1; walking++
		:: else
		fi;
		cur = sseq
	}

	if
	:: early -> atomic { gone = pt; pt = 0 }
	:: else
	fi;

	/* M's ops->invalidate(), called from the lockless walk */
	if
	:: hit_m ->
		remove_safe(!freed);
		DRIVER_LOCK;
		mseq = cur;		/* mmu_range_set_seq() */
		mirror = 0;		/* tear the device mapping down */
		DRIVER_UNLOCK
	:: else
	fi;
	if
	:: walks -> walking--
	:: else
	fi;

	if
	:: ovl_m && !early -> atomic { gone = pt; pt = 0 }
	:: else
	fi;

	/* mrn_end(), under subs->lock; the wakeup is the blocking guards */
	atomic {
		nactive--;
		if
		:: LAST_END && (sseq & 1) == 1 ->
			if
			:: m_dq == DQ_INS -> TREE_INSERT
			:: m_dq == DQ_REM -> TREE_REMOVE
			:: else
			fi;
			m_dq = DQ_NONE;
			sseq++
		:: else
		fi;
		deferred_applied(nactive > 0 || m_dq == DQ_NONE);
		if
		:: gone > 0 -> dead = dead | (1 << gone)
		:: else
		fi;
		mirror_fresh(MIRROR_OK)
	}
}

active proctype reader()
{
	byte s = 0, t = 0, snap = 0;

end_unused:
	inserted;		/* valid end: the driver removed M unused */
again:
	/* mmu_range_read_begin() */
	if
	:: s = mseq; t = sseq		/* acquire load of M's seq, then the mm's */
	:: REORDERED_LOADS -> t = sseq; s = mseq
	fi;
	if
	:: s == t -> (sseq != s)	/* wait_event(wq, mrn_seq_moved()) */
	:: else
	fi;

	/* hmm_range_fault(): fault the page in if it is gone, snapshot it */
	atomic {
		if
		:: pt == 0 -> gen++; pt = gen
		:: else
		fi;
		snap = pt
	}

	DRIVER_LOCK;
	if
	:: RETRY_CHECK -> DRIVER_UNLOCK; goto again
	:: else ->
		atomic { mirror = snap; mirror_fresh(MIRROR_OK) };
		DRIVER_UNLOCK
	fi;
	rdone = true
}

active proctype insrem()
{
	byte rs = 0;
	bool in_use = false;

	/* mmu_range_notifier_insert() -> mrn_add(), under subs->lock */
	atomic {
		if
		:: nactive > 0 ->
			sseq = sseq | 1;	/* M:deferred-no-odd */
			mseq = sseq;
			m_dq = DQ_INS		/* M:insert-no-defer */
		:: else ->
			mseq = sseq - 1;	/* M:even-new-seq */
			TREE_INSERT
		fi
	}
	/* The driver faults through M, or removes it unused. */
	if
	:: inserted = true; rdone
	:: skip
	fi;

	/* Tear the mirror down, then remove. */
	DRIVER_LOCK;
	mirror = 0;
	DRIVER_UNLOCK;

	/* mmu_range_notifier_remove(), under subs->lock */
	atomic {
		if
		:: nactive == 0 ->
			TREE_REMOVE
		:: nactive > 0 && m_dq == DQ_INS ->
			m_dq = DQ_NONE
		:: nactive > 0 && m_dq == DQ_NONE ->
			m_dq = DQ_REM;
			sseq = sseq | 1;
			rs = sseq;
			in_use = true
		fi
	}
	if
	:: in_use -> (sseq != rs)	/* M:remove-no-wait */
	:: else
	fi;
	freed = true;
	rmdone = true
}
