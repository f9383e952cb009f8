/*
 * A Promela model of the range notifier's sequence protocol, as
 * kernel/mm/mmu_notifier.c and kernel/include/linux/mmu_range_notifier.h
 * implement it (see THE PROTOCOL at the top of mmu_notifier.c).
 *
 * Actors (all run concurrently, every interleaving is explored):
 *   invalidator x2  __mmu_notifier_invalidate_range_start/end over a range
 *                   that may or may not overlap M and N; the page-table
 *                   change (munmap removing M's page) lands before or after
 *                   the callbacks; M's callback takes the driver lock,
 *                   calls mmu_range_set_seq() and zaps the mirror. M is a
 *                   two-pass subscription whose first pass either stops the
 *                   device at once (what a one-pass callback does) or
 *                   leaves the device's TLB flush running and asks for a
 *                   second pass, which waits for it after the walk and
 *                   before the start returns. The last end bumps the
 *                   sequence and wakes the sleepers.
 *   reader          the driver's fault path on M: read_begin (sleeps while
 *                   M is being invalidated), fault and snapshot the page
 *                   table without locks, driver lock, read_retry, install
 *                   or retry.
 *   insrem          the driver's life cycle of M: the lockless look-up of
 *                   the mm's notifier state, insert, hand M to the reader
 *                   or not, tear the mirror down, remove (waits while an
 *                   invalidation may still call M), then "free" M.
 *   registrar       the first registration of the mm: initialises the
 *                   per-mm state and publishes it with a release store.
 * Subscription N belongs to another driver and sits in the tree all along,
 * so that invalidations walk the tree while M is inserted and removed.
 *
 * The generations and the walkers follow the rule of the kernel's comment:
 * an invalidation joins the current generation (cur), counts in act[] by
 * slot and, if its walk finds a subscription, gives the generation out
 * (odd) and counts itself a walker. Readers wait until done_seq reaches
 * the generation of M's seq, closing it first (want_flip) if it is the
 * current one. The tree changes only while no walker is counted: insert
 * queues M (holding its generation open) while a walker is, else joins the
 * tree at once, colliding with whatever runs; remove takes M out at once,
 * drops a queued insert, or queues the removal and sleeps until the last
 * walker out has applied it. A walker that finds something queued once its
 * walk is over counts itself out at once.
 *
 * Properties, one compiled in per run (spin -DCHECK_<name>):
 *   mirror_fresh      (a) the mirror never holds a page that an ended
 *                         invalidation removed from the page table
 *   no_deadlock       (b) no invalid end state: nobody sleeps forever
 *                         (a lost wakeup shows here). Every process must
 *                         reach its closing brace; the one valid end label
 *                         is the reader's wait for a subscription the
 *                         driver chose never to fault on.
 *   progress          (b) LTL <>(rmdone && (rdone || !inserted)) under
 *                         weak fairness: read_begin and remove return, and
 *                         the retry loop does not spin forever, once the
 *                         invalidations stop
 *   deferred_applied  (c) after the last end nothing remains deferred
 *   remove_safe       (d) no invalidation touches M after remove returned
 *                         and, in the weak mode, every access of an
 *                         invalidation to M (the walk, the callback, the
 *                         deferred list and tree updates) happens before
 *                         the free (the remover's view holds them all)
 *   tree_frozen           the tree never changes while a walk is in it
 *   start_clean           when the start of an invalidation that hit M
 *                         returns (before the page-table change), the
 *                         device neither maps nor caches a page of M: every
 *                         second pass is done
 *   subs_ready            a lockless user of mm->notifier_subscriptions
 *                         never reads a field of it before its
 *                         initialisation
 *   stream_progress       (b) with -DSTREAM (a second invalidator that
 *                         never stops, see streamer()): the progress LTL
 *                         still holds, read_begin and remove return while
 *                         invalidations that do not hit M keep running
 *
 * MEMORY MODES
 * ============
 * By default (SC) every load returns the latest store: sequential
 * consistency. With -DWEAK the same code runs on a view-based model of
 * release/acquire memory in the style of the "promising"/ORC11 operational
 * models, restricted to what this protocol uses:
 *
 *  - Each shared location keeps a history of its last NHIST writes (3 by
 *    default, -DNHIST=2 also works; SC is NHIST=1), newest first. Ages:
 *    0 is the newest write, NHIST-1 the oldest kept.
 *  - Each process has a view per location: the age of the oldest write it
 *    may still read. A plain load (READ_ONCE, plain C) returns any write at
 *    or newer than the view and moves the view there (coherence). A store
 *    appends a write and sets the writer's view to it; the modification
 *    order of a location is the order in which the stores execute.
 *  - A release store (smp_store_release) records the writer's view with the
 *    write; an acquire load (smp_load_acquire) that reads it joins that view
 *    into its own: message passing. Lock release/acquire do the same through
 *    a view kept with the lock (subs->lock, the driver lock). A plain store
 *    made inside a critical section carries the view the lock gave its
 *    writer: LKMM's po-unlock-lock-po is cumulative, so an acquire that
 *    reads such a store sees everything done before the previous unlocks.
 *    (Without that, an acquire of a "sseq |= 1" written by a later
 *    invalidator would not see the earlier invalidator's page-table store.)
 *  - smp_mb() (inside wq_has_sleeper() and prepare_to_wait_event()) joins
 *    the process's view with a global fence view and stores the result
 *    back, as SC fences do in those models: of two fenced processes, the
 *    later one sees what the earlier one did before its fence. That forbids
 *    the store-buffering outcome of the wait-queue handshake.
 *  - Locations: the mm's done_seq (sseq), M->invalidate_seq (mseq), the page-table
 *    entry of M's page (pt), the wait queue's "who is queued" (wq), a ghost
 *    location "M's memory" (muse) that every access of an invalidation to M
 *    writes, and the published pointer and initialisation of the per-mm
 *    state (two one-write locations, modelled by hand with the same rules;
 *    subs->has_itree, written once after the publication, is folded into
 *    the pointer: the lockless insert path needs both).
 *    cur, act[], walkers, want_flip, the tree, the deferred list and the
 *    mirror are only accessed under their locks and are kept sequentially
 *    consistent (the walker's lockless look at subs->nr_deferred is
 *    modelled by what it may return: a queue made before the walker's
 *    start is seen); so is pt under
 *    the page-table lock (every pt store is made under it): only the
 *    reader's lockless page-table walk reads pt weakly.
 *  - Processes execute in program order; the weakness is in which value
 *    each load returns. Reordering of a store before an earlier access is
 *    only modelled through what later loads may read.
 *
 * Limits of the weak mode (what it does not show):
 *  - bounded histories: a load cannot return a write older than the
 *    NHIST-1 writes after it; the views are clamped to the oldest kept
 *    write (clamping only makes loads fresher: fewer behaviours).
 *  - stores join the end of their location's modification order, in
 *    execution order; no load-buffering (a load reading a store that is
 *    po-later in another thread that read the first load's value), no
 *    out-of-thin-air, no 2+2W. Loads return only stores already executed.
 *  - the views are per process, not per CPU write buffer: no finer
 *    non-multi-copy-atomic effects than the views give. The fence view
 *    covers sseq and wq only, the two locations of the store-buffering
 *    handshake: an smp_mb() orders nothing else in this model.
 *  - views are kept only where the protocol needs them, and dropped (made
 *    "may read anything") where a process no longer reads a location: a
 *    dropped view only adds behaviours. Release messages carry: the bump
 *    and the other sseq stores carry pt, muse and mseq (a queued insert's
 *    new seq is written under subs->lock before its generation can
 *    drain), mmu_range_set_seq() carries sseq and pt; lock views carry pt,
 *    muse, mseq (subs->lock) and mseq (the driver lock); the fence view carries sseq and wq. Address and control
 *    dependencies order nothing here: every ordering the protocol needs is
 *    an explicit acquire, release, lock or smp_mb.
 *  - no compiler reordering, merging or tearing beyond what the loads and
 *    stores above allow; a load is not delayed past a later lock acquire
 *    (the "roach motel" move, which could only let it return a newer
 *    store); sequence numbers are bytes and never wrap.
 *  - bounded scenario: two invalidations, one range notifier M besides N,
 *    one insert and one remove of M, one reader; invalidations start only
 *    after the registration (an earlier one has no notifier to call). The
 *    driver hands M to its fault path with the inserter's view (its own
 *    hand-over orders that); the plain loads of mrn->mm and of the subs
 *    pointer by the reader and the remover are not modelled.
 *  - wait_event()'s first condition check before prepare_to_wait_event() is
 *    left out (the check after it sees at least as much); wake_up_all() is
 *    autoremove: it takes the sleepers off the queue, and a woken task sees
 *    what the waker did before the wakeup (the wait-queue lock).
 *
 * Lines that tests/model/mutations/ change carry a "M:<name>" marker.
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
#ifdef CHECK_subs_ready
#define subs_ready(c)		assert(c)
#else
#define subs_ready(c)		skip
#endif
#ifdef CHECK_start_clean
#define start_clean(c)		assert(c)
#else
#define start_clean(c)		skip
#endif

/* --- memory mode -------------------------------------------------------- */
#ifdef WEAK
#ifndef NHIST
#define NHIST	3
#endif
#else
#undef NHIST
#define NHIST	1
#endif
#if NHIST == 3
#define KM1	2
#define SHIFT(h)	h[2] = h[1]; h[1] = h[0]
#define AGEK(m)		OLDER(m[0]); OLDER(m[1]); OLDER(m[2])
#elif NHIST == 2
#define KM1	1
#define SHIFT(h)	h[1] = h[0]
#define AGEK(m)		OLDER(m[0]); OLDER(m[1])
#elif NHIST == 1
#define KM1	0
#define SHIFT(h)	skip
#define AGEK(m)		skip
#else
#error "NHIST must be 1, 2 or 3"
#endif

/* --- code switches (the mutations flip these) ------------------------- */
/* mrn_settle(): the deferred list is applied only when no walker is left */
#define APPLY_OK		(walkers == 0)		/* M:deferred-insert-early */
/* mmu_range_read_retry(): the subscription's seq moved since read_begin */
#define RETRY_CHECK		(m != s)		/* M:retry-vs-mm-seq */
/* mmu_range_set_seq(): smp_store_release(&mrn->invalidate_seq, seq) */
#define SET_SEQ(p, v)		RELEASE_MSEQ(p, v)	/* M:set-seq-release */
/* mrn_invalidate(): the second passes run after the walk, before the start
 * returns (1), not after the page-table change (0) */
#define SECOND_IN_START		1			/* M:second-pass-late */

/*
 * Generation values are bytes that wrap (mod MODV, 256 by default; the
 * stream scenario, whose values grow without bound, uses 16); a <= b is
 * decided on the difference, as the kernel does with (long)(a - b).
 */
#ifndef MODV
#define MODV	256
#endif
#define SEQ_LE(a, b)	((((b) - (a) + MODV) % MODV) < MODV / 2)
#define SLOT(v)		(((v) >> 1) & 1)
#define PREV		(((cur | 1) + MODV - 2) % MODV)
#define NEXT(v)		(((v) + 1) % MODV)

#define DQ_NONE	0
#define DQ_INS	1
#define DQ_REM	2

/* Process numbers, for the views: the invalidators are _pid 0 and 1. */
#define P_READER	2
#define P_INSREM	3

/* --- shared memory: histories (newest first) -------------------------- */
byte h_sseq[NHIST] = 1;	/* subs->done_seq: every generation up to it drained */
byte h_mseq[NHIST] = 0;	/* M->invalidate_seq */
byte h_pt[NHIST] = 1;	/* M's page: 0 absent, g = page generation g */
byte h_wq[NHIST] = 0;	/* subs->wq: bit 1 the reader, bit 2 the remover */
/* views: v_x[p], the age of the oldest write of x that process p may read */
byte v_sseq[4] = 0;
byte v_mseq[4] = 0;	/* the invalidators drop theirs after the callback */
byte v_pt[4] = 0;	/* insrem drops its own once M is handed over */
byte v_muse[4] = 0;	/* [P_READER] unused: the reader never touches it */
/* views carried by the writes of sseq and of mseq, per history slot */
byte ms_pt[NHIST] = KM1;
byte ms_muse[NHIST] = KM1;
byte ms_mseq[NHIST] = KM1;
byte mm_sseq[NHIST] = KM1;
byte mm_pt[NHIST] = KM1;
/* views released with subs->lock and with the driver lock */
byte ls_pt = KM1;
byte ls_muse = KM1;
byte ls_mseq = KM1;
byte ld_mseq = KM1;
/* the fence view of smp_mb() */
byte g_sseq = KM1;
byte g_wq = KM1;
bool handed = false;	/* insrem is past the hand-over: drops pt, mseq */

#define OLDER(a)	a = ((a) < KM1 -> (a) + 1 : KM1)
#define JOIN(a, b)	a = ((b) < (a) -> (b) : (a))
#define TR_PT(p)	((p) != P_INSREM || !handed)
#define TR_MSEQ(p)	((p) != P_INSREM || !handed)
#define TR_MUSE(p)	((p) != P_READER)
#define JOIN_PT(p, b)	if :: TR_PT(p) -> JOIN(v_pt[p], b) :: else fi
#define JOIN_MSEQ(p, b)	if :: TR_MSEQ(p) -> JOIN(v_mseq[p], b) :: else fi
#define JOIN_MUSE(p, b)	if :: TR_MUSE(p) -> JOIN(v_muse[p], b) :: else fi

/* a write of x makes every view of x one write older */
#define AGE_SSEQ	OLDER(v_sseq[0]); OLDER(v_sseq[1]); OLDER(v_sseq[2]); \
			OLDER(v_sseq[3]); AGEK(mm_sseq); OLDER(g_sseq)
#define AGE_MSEQ	OLDER(v_mseq[0]); OLDER(v_mseq[1]); OLDER(v_mseq[2]); \
			OLDER(v_mseq[3]); OLDER(ld_mseq); AGEK(ms_mseq); \
			OLDER(ls_mseq)
#define AGE_PT		OLDER(v_pt[0]); OLDER(v_pt[1]); OLDER(v_pt[2]); \
			OLDER(v_pt[3]); AGEK(ms_pt); AGEK(mm_pt); OLDER(ls_pt)
#define AGE_MUSE	OLDER(v_muse[0]); OLDER(v_muse[1]); OLDER(v_muse[3]); \
			AGEK(ms_muse); OLDER(ls_muse)

/* stores; "val" is evaluated after SHIFT, which keeps [0] */
#define WRITE_SSEQ(p, val, mpt, mmuse, mmseq) \
	SHIFT(h_sseq); SHIFT(ms_pt); SHIFT(ms_muse); SHIFT(ms_mseq); \
	h_sseq[0] = (val); ms_pt[0] = (mpt); ms_muse[0] = (mmuse); \
	ms_mseq[0] = (mmseq); AGE_SSEQ; v_sseq[p] = 0
/* smp_store_release() of sseq: carries the writer's view */
#define RELEASE_SSEQ(p, val)	WRITE_SSEQ(p, val, v_pt[p], v_muse[p], v_mseq[p])
/* WRITE_ONCE() of sseq, always under subs->lock: carries the lock's view */
#define STORE_SSEQ(p, val)	WRITE_SSEQ(p, val, ls_pt, ls_muse, ls_mseq)
#define WRITE_MSEQ(p, val, msseq, mpt) \
	SHIFT(h_mseq); SHIFT(mm_sseq); SHIFT(mm_pt); \
	h_mseq[0] = (val); mm_sseq[0] = (msseq); mm_pt[0] = (mpt); \
	AGE_MSEQ; v_mseq[p] = 0
#define RELEASE_MSEQ(p, val)	WRITE_MSEQ(p, val, v_sseq[p], v_pt[p])
/* a plain store of mseq (only the set-seq-release mutation makes one): it
 * carries nothing, the driver lock's view having no sseq here */
#define STORE_MSEQ(p, val)	WRITE_MSEQ(p, val, KM1, KM1)
#define WRITE_PT(p, val) \
	SHIFT(h_pt); h_pt[0] = (val); AGE_PT; v_pt[p] = 0
#define WRITE_MUSE(p)	AGE_MUSE; v_muse[p] = 0
#define WRITE_WQ(val)	SHIFT(h_wq); h_wq[0] = (val); OLDER(g_wq)

/* loads: pick a write at or newer than the view (_a is a local of each
 * process, 0 between steps) */
#define PICK(lim) \
	if \
	:: _a = 0 \
	:: NHIST > 1 && (lim) > 0 -> _a = 1 \
	:: NHIST > 2 && (lim) > 1 -> _a = 2 \
	fi
#define LOAD_PT(p, dst) \
	atomic { PICK(v_pt[p]); v_pt[p] = _a; dst = h_pt[_a]; _a = 0 }
#define LOAD_MSEQ(p, dst) \
	atomic { PICK(v_mseq[p]); v_mseq[p] = _a; dst = h_mseq[_a]; _a = 0 }
#define ACQ_LOAD_MSEQ(p, dst) \
	atomic { PICK(v_mseq[p]); v_mseq[p] = _a; dst = h_mseq[_a]; \
		 JOIN(v_sseq[p], mm_sseq[_a]); JOIN_PT(p, mm_pt[_a]); _a = 0 }
#define LOAD_SSEQ(p, dst) \
	atomic { PICK(v_sseq[p]); v_sseq[p] = _a; dst = h_sseq[_a]; _a = 0 }
#define ACQ_LOAD_SSEQ(p, dst) \
	atomic { PICK(v_sseq[p]); v_sseq[p] = _a; dst = h_sseq[_a]; \
		 JOIN_PT(p, ms_pt[_a]); JOIN_MUSE(p, ms_muse[_a]); \
		 JOIN_MSEQ(p, ms_mseq[_a]); _a = 0 }

/* subs->lock: every store of sseq is made under it, so a holder reads the
 * newest; the lock also carries the holders' views of pt and muse */
#define SUBS_LOCK(p) \
	v_sseq[p] = 0; JOIN_PT(p, ls_pt); JOIN_MUSE(p, ls_muse); \
	JOIN_MSEQ(p, ls_mseq)
#define SUBS_UNLOCK(p) \
	JOIN(ls_pt, v_pt[p]); JOIN(ls_muse, v_muse[p]); JOIN(ls_mseq, v_mseq[p])
/* the driver lock; an invalidator drops its view of mseq afterwards */
bool dlock = false;
#define DL_LOCK(p) \
	atomic { dlock == false -> dlock = true; JOIN_MSEQ(p, ld_mseq) }
#define DL_UNLOCK(p) \
	d_step { JOIN(ld_mseq, v_mseq[p]); dlock = false; \
		 if :: (p) < 2 -> v_mseq[p] = KM1 :: else fi }
/* smp_mb(): the view of sseq joins the fence view and is stored back */
#define FENCE_SSEQ(p)	JOIN(v_sseq[p], g_sseq); g_sseq = v_sseq[p]
/* the smp_mb() in wq_has_sleeper(): then "is anybody queued" may read the
 * writes of wq up to the fence view */
#define WAKER_MB(p)	FENCE_SSEQ(p); _l = g_wq
/* wake_up_all() under the wait-queue lock: wake and dequeue everybody on
 * the queue; a woken sleeper sees what the waker saw */
#define WAKE_Q(q, qb, p) \
	if \
	:: (h_wq[0] & (qb)) != 0 -> \
		woken = woken | (qb); JOIN(v_sseq[q], v_sseq[p]); \
		JOIN_PT(q, v_pt[p]); JOIN_MUSE(q, v_muse[p]) \
	:: else \
	fi
#define WAKE_ALL(p) \
	d_step { WAKE_Q(P_READER, 1, p); WAKE_Q(P_INSREM, 2, p); \
		 if :: h_wq[0] != 0 -> WRITE_WQ(0) :: else fi }

#define LATEST_SSEQ	h_sseq[0]

/* --- struct mmu_notifier_subscriptions, under subs->lock --------------- */
byte cur = 2;		/* subs->cur_seq: 2k not given out, 2k + 1 given out */
byte act[2];		/* subs->active[]: members of a generation, by slot */
byte walkers = 0;	/* subs->walkers */
bool want_flip = false;	/* subs->want_flip */
/* --- struct mmu_range_notifier M, its tree and deferred links ---------- */
bool m_intree = false;	/* M is in subs->itree */
byte m_dq = DQ_NONE;	/* M's entry on subs->deferred, and what it asks */
/* --- publication of the per-mm state ---------------------------------- */
bool subs_init = false;	/* the registrar initialised the fields of subs */
bool subs_pub = false;	/* mm->notifier_subscriptions points to subs */
bool pub_msg = false;	/* the pointer's store carries the initialisation */
bool reg_done = false;	/* the registration dropped its locks */
/* --- the driver ------------------------------------------------------- */
byte mirror = 0;	/* device mapping of M's page: 0 none, g = page g */
byte devtlb = 0;	/* the device's TLB entry for it: 0 none, g = page g */
byte woken = 0;		/* sleepers a wake_up_all() woke: bits as in h_wq */
/* --- the process's page table ----------------------------------------- */
byte gen = 1;		/* last page generation handed out */
/* --- ghosts, for the properties only ----------------------------------- */
byte dead = 0;		/* bit g: an invalidation that removed page g ended */
byte walking = 0;	/* invalidations whose walk is in the tree */
bool inserted = false;	/* handoff insrem -> reader */
bool rdone = false;	/* reader finished */
bool freed = false;	/* remove returned: M may be freed */
bool rmdone = false;	/* insrem finished */

#define MIRROR_OK	((mirror == 0 || (dead & (1 << mirror)) == 0) && \
			 (devtlb == 0 || (dead & (1 << devtlb)) == 0))

#define TREE_INSERT	tree_frozen(walking == 0); m_intree = true
#define TREE_REMOVE	tree_frozen(walking == 0); m_intree = false

#ifdef CHECK_progress
ltl progress { <> (rmdone && (rdone || !inserted)) }
#endif
#ifdef CHECK_stream_progress
/* the same, while a stream of invalidations never stops (-DSTREAM) */
ltl stream_progress { <> (rmdone && (rdone || !inserted)) }
#endif

/*
 * mrn_join_seq(): the value M starts at when it enters the tree now: the
 * current generation, given out, if any invalidation runs, else done_seq.
 */
#define JOIN_SEQ(dst) \
	if \
	:: act[0] == 0 && act[1] == 0 -> \
		dst = LATEST_SSEQ			/* M:even-new-seq */ \
	:: else -> \
		cur = cur | 1;				/* M:insert-no-odd */ \
		dst = cur \
	fi

/*
 * mrn_settle() for process p, under subs->lock: apply the deferred list if
 * no walker is left, drain the older generation, then the current one or
 * close it for a waiter; publish done_seq with release. Uses the caller's
 * locals moved, _d and _j.
 */
#define SETTLE(p) \
	if \
	:: APPLY_OK && m_dq != DQ_NONE -> \
		if \
		:: m_dq == DQ_INS -> \
			act[SLOT(h_mseq[0])]--; TREE_INSERT; \
			JOIN_SEQ(_j); SET_SEQ(p, _j); _j = 0 \
		:: else -> TREE_REMOVE \
		fi; \
		WRITE_MUSE(p); m_dq = DQ_NONE; moved = true \
	:: else \
	fi; \
	_d = LATEST_SSEQ; \
	if \
	:: _d != PREV && act[SLOT(PREV)] == 0 -> _d = PREV \
	:: else \
	fi; \
	if \
	:: _d == PREV && (cur & 1) && act[SLOT(cur)] == 0 -> \
		_d = cur; cur = NEXT(cur); want_flip = false \
	:: _d == PREV && (cur & 1) && act[SLOT(cur)] != 0 && want_flip -> \
		cur = NEXT(cur); want_flip = false \
	:: else \
	fi; \
	if \
	:: _d != LATEST_SSEQ -> \
		RELEASE_SSEQ(p, _d); moved = true	/* M:bump-release */ \
	:: else \
	fi; \
	_d = 0

/*
 * mrn_wake(): if (wq_has_sleeper(&subs->wq)) wake_up_all(); after a settle
 * that moved something. Uses the caller's locals moved, r, _a and _l.
 */
inline wake_if_moved(p)
{
	if
	:: moved ->
		atomic {
			WAKER_MB(p);			/* M:wake-mb */
			PICK(_l);
			r = h_wq[_a];
			_a = 0
		};
		if
		:: r != 0 -> WAKE_ALL(p)
		:: else
		fi
	:: else
	fi;
	d_step { moved = false; r = 0; _l = KM1 }
}

/* prepare_to_wait_event(): queue, set_current_state(): smp_mb() */
#define PREPARE_WAIT(p, qb) \
	woken = woken & ~(qb); \
	WRITE_WQ(h_wq[0] | (qb)); \
	g_wq = 0; FENCE_SSEQ(p)			/* M:wait-mb */
/* finish_wait() */
#define FINISH_WAIT(qb) \
	if \
	:: (h_wq[0] & (qb)) != 0 -> WRITE_WQ(h_wq[0] & ~(qb)) \
	:: else \
	fi

/*
 * wait_event(subs->wq, mrn_gen_done(subs, s)) for the reader: uses its
 * locals w and _a.
 */
inline wait_done(p, qb, s)
{
	do
	:: atomic { PREPARE_WAIT(p, qb) };
	   ACQ_LOAD_SSEQ(p, w);
	   if
	   :: SEQ_LE(s, w) -> break
	   :: else -> (woken & (qb)) != 0	/* schedule() */
	   fi
	od;
	atomic { FINISH_WAIT(qb); w = 0 }
}

/*
 * wait_event(subs->wq, mrn_unqueued(subs, mrn)) for the remover: the
 * condition is checked under subs->lock. Uses its locals w and _a.
 */
inline wait_unqueued(p, qb)
{
	do
	:: atomic { PREPARE_WAIT(p, qb) };
	   d_step { SUBS_LOCK(p); w = (m_dq == DQ_NONE); SUBS_UNLOCK(p) };
	   if
	   :: w -> break
	   :: else -> (woken & (qb)) != 0	/* schedule() */
	   fi
	od;
	atomic { FINISH_WAIT(qb); w = 0 }
}

#ifdef STREAM
active [1] proctype invalidator()
#else
active [2] proctype invalidator()
#endif
{
	bool ovl_m = false, ovl_n = false, early = false, hit_m = false;
	bool walks = false, counted = false, moved = false, second = false;
	byte sl = 0, c = 0, q0 = DQ_NONE, gone = 0, r = 0;
	byte _a = 0, _l = KM1, _d = 0, _j = 0;

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
	reg_done;	/* under the mmap or rmap locks, after the registration */

	/* mrn_start(), under subs->lock: join the current generation */
	d_step {
		SUBS_LOCK(_pid);
		sl = SLOT(cur);
		act[sl]++;
		hit_m = ovl_m && m_intree;
		walks = hit_m || ovl_n;
		if
		:: walks ->
			cur = cur | 1;
			walkers++;
			walking++;
			counted = true
		:: else
		fi;
		c = cur;
		q0 = m_dq;
		SUBS_UNLOCK(_pid)
	}

	if
	:: early -> d_step { gone = h_pt[0]; WRITE_PT(_pid, 0) }
	:: else
	fi;

	/* M's ops->invalidate_start(), called from the lockless walk */
	if
	:: hit_m ->
		DL_LOCK(_pid);
		/* atomic, not d_step: the choice below is nondeterministic */
		atomic {
			SET_SEQ(_pid, c);	/* mmu_range_set_seq() */
			mirror = 0;		/* tear the device mapping down */
			if
			:: devtlb = 0		/* flushed now: no second pass */
			:: second = true	/* flush running: finish later */
			fi
		};
		DL_UNLOCK(_pid)
	:: else
	fi;
	/* the walk leaves M (mrn_next() reads M's node) and the tree; then
	 * the second passes: M's invalidate_finish() waits for the flush */
	if
	:: walks ->
		d_step {
			if
			:: hit_m -> remove_safe(!freed); WRITE_MUSE(_pid)
			:: else
			fi;
			walking--;
			if
			:: SECOND_IN_START && second -> devtlb = 0; second = false
			:: else
			fi
		}
	:: else
	fi;

	/*
	 * if (READ_ONCE(subs->nr_deferred)) mrn_walk_leave(): a queue made
	 * before this start's lock is seen; a later one may be missed (stale
	 * zero) as long as the queue has not changed since.
	 */
	if
	:: counted && m_dq != DQ_NONE ->
		d_step {
			SUBS_LOCK(_pid);
			counted = false;
			walkers--;
			if
			:: walkers == 0 -> SETTLE(_pid)
			:: else
			fi;
			SUBS_UNLOCK(_pid)
		}
	:: !counted || m_dq == DQ_NONE || q0 != m_dq -> skip	/* M:walk-leave */
	fi;
	wake_if_moved(_pid);

	/* mmu_notifier_invalidate_range_start() has returned */
	start_clean(!hit_m || (mirror == 0 && devtlb == 0));
	if
	:: ovl_m && !early -> d_step { gone = h_pt[0]; WRITE_PT(_pid, 0) }
	:: else
	fi;
	if
	:: second -> devtlb = 0; second = false
	:: else
	fi;

	/* mrn_end(), under subs->lock: leave the generation and the walkers */
	d_step {
		SUBS_LOCK(_pid);
		act[sl]--;
		if
		:: counted -> walkers--; counted = false
		:: else
		fi;
		if
		:: act[sl] > 0 && (walkers > 0 || m_dq == DQ_NONE) -> skip
		:: act[sl] == 0 && (cur & 1) == 0 && LATEST_SSEQ == PREV &&
		   m_dq == DQ_NONE -> skip
		:: else -> SETTLE(_pid)
		fi;
		deferred_applied(walkers > 0 || m_dq == DQ_NONE);
		if
		:: gone > 0 -> dead = dead | (1 << gone)
		:: else
		fi;
		mirror_fresh(MIRROR_OK);
		SUBS_UNLOCK(_pid)
	}
	wake_if_moved(_pid);
	d_step {
		v_sseq[_pid] = KM1; v_pt[_pid] = KM1; v_muse[_pid] = KM1;
		ovl_m = false; ovl_n = false; early = false; hit_m = false;
		walks = false; second = false; sl = 0; c = 0; q0 = 0;
		gone = 0
	}
}

#ifdef STREAM
/*
 * -DSTREAM: _pid 1 is a stream of invalidations that never stops, each
 * starting before the previous one ends (start Y, end X, Y becomes X),
 * all of them hitting N (so always walking) and never M's page. The
 * liveness property asks that the reader and the remover still get
 * through: nothing may wait for the stream to end.
 */
active proctype streamer()
{
	bool cx = false, cy = false, moved = false;
	byte sx = 0, sy = 0, q0 = DQ_NONE, r = 0;
	byte _a = 0, _l = KM1, _d = 0, _j = 0;

	reg_done;
	d_step {
		SUBS_LOCK(_pid);
		sx = SLOT(cur); act[sx]++; cur = cur | 1; walkers++;
		cx = true;
		SUBS_UNLOCK(_pid)
	}
	do
	:: /* start Y, which walks to N and back */
	   d_step {
		SUBS_LOCK(_pid);
		sy = SLOT(cur); act[sy]++; cur = cur | 1; walkers++;
		cy = true; q0 = m_dq;
		tree_frozen(walking == 0);
		SUBS_UNLOCK(_pid)
	   };
	   if
	   :: cy && m_dq != DQ_NONE ->
		d_step {
			SUBS_LOCK(_pid);
			cy = false;
			walkers--;
			if
			:: walkers == 0 -> SETTLE(_pid)
			:: else
			fi;
			SUBS_UNLOCK(_pid)
		}
	   :: !cy || m_dq == DQ_NONE || q0 != m_dq -> skip	/* M:stream-walk-leave */
	   fi;
	   wake_if_moved(_pid);
	   /* end X */
	   d_step {
		SUBS_LOCK(_pid);
		act[sx]--;
		if
		:: cx -> walkers--
		:: else
		fi;
		if
		:: act[sx] > 0 && (walkers > 0 || m_dq == DQ_NONE) -> skip
		:: act[sx] == 0 && (cur & 1) == 0 && LATEST_SSEQ == PREV &&
		   m_dq == DQ_NONE -> skip
		:: else -> SETTLE(_pid)
		fi;
		SUBS_UNLOCK(_pid)
	   };
	   wake_if_moved(_pid);
	   d_step { sx = sy; cx = cy; sy = 0; cy = false; q0 = 0 }
	od
}
#endif

active proctype reader()
{
	byte s = 0, t = 0, snap = 0, m = 0, w = 0, r = 0;
	byte _a = 0, _l = KM1, _d = 0, _j = 0;
	bool moved = false;

end_unused:
	inserted;		/* valid end: the driver removed M unused */
again:
	/* mmu_range_read_begin() */
	ACQ_LOAD_MSEQ(P_READER, s);	/* M:mseq-acquire */
	ACQ_LOAD_SSEQ(P_READER, t);	/* M:sseq-acquire */
	if
	:: !SEQ_LE(s, t) ->
		/* mrn_read_wait(): close the generation if current, wait */
		do
		:: d_step {
			SUBS_LOCK(P_READER);
			if
			:: s == cur -> want_flip = true; SETTLE(P_READER)	/* M:flip */
			:: else
			fi;
			SUBS_UNLOCK(P_READER)
		   };
		   wake_if_moved(P_READER);
		   wait_done(P_READER, 1, s);
		   ACQ_LOAD_MSEQ(P_READER, s);
		   ACQ_LOAD_SSEQ(P_READER, t);
		   if
		   :: SEQ_LE(s, t) -> break
		   :: else
		   fi
		od
	:: else
	fi;

	/* hmm_range_fault(): walk the page table without locks; if the page
	 * is gone, fault it in under the page-table lock and walk again */
	LOAD_PT(P_READER, snap);
	if
	:: snap == 0 ->
		d_step {
			if
			:: h_pt[0] == 0 -> gen++; WRITE_PT(P_READER, gen)
			:: else
			fi;
			v_pt[P_READER] = 0;
			snap = h_pt[0]
		}
	:: else
	fi;

	DL_LOCK(P_READER);
	LOAD_MSEQ(P_READER, m);		/* READ_ONCE() in read_retry */
	if
	:: RETRY_CHECK -> DL_UNLOCK(P_READER); goto again
	:: else ->
		atomic { mirror = snap; devtlb = snap; mirror_fresh(MIRROR_OK) };
		DL_UNLOCK(P_READER)
	fi;
	d_step {
		rdone = true;
		v_sseq[P_READER] = KM1; v_mseq[P_READER] = KM1;
		v_pt[P_READER] = KM1;
		s = 0; t = 0; snap = 0; m = 0
	}
}

active proctype insrem()
{
	byte rs = 0, w = 0, r = 0, _a = 0, _l = KM1, _d = 0, _j = 0;
	bool in_use = false, moved = false, p = false, seen = false, iv = false;

	/* mmu_range_notifier_insert():
	 * subs = smp_load_acquire(&mm->notifier_subscriptions) */
	atomic {
		if
		:: subs_pub -> p = true;
			seen = pub_msg		/* M:subs-acquire */
		:: NHIST > 1 || !subs_pub -> p = false	/* (still) NULL */
		fi
	}
	if
	:: p ->
		/* the lockless path reads subs->has_itree, subs->lock, ... */
		atomic {
			if
			:: iv = subs_init
			:: NHIST > 1 && !seen -> iv = false
			fi;
			subs_ready(iv);
			p = false; seen = false; iv = false
		}
	:: else ->
		reg_done	/* the mmap lock, for write: after the registration */
	fi;

	/* mrn_add(), under subs->lock */
	d_step {
		SUBS_LOCK(P_INSREM);
		if
		:: walkers > 0 ->
			/* a walk may be in the tree: queue, hold the generation */
			cur = cur | 1;
			SET_SEQ(P_INSREM, cur);
			act[SLOT(cur)]++;
			m_dq = DQ_INS			/* M:insert-no-defer */
		:: else ->
			/* collide with the running invalidations, if any */
			JOIN_SEQ(_j);
			SET_SEQ(P_INSREM, _j);
			_j = 0;
			TREE_INSERT
		fi;
		SUBS_UNLOCK(P_INSREM)
	}
	/* The driver faults through M (handing it over), or removes it
	 * unused; either way insrem no longer needs its views of pt, mseq. */
	if
	:: d_step {
		inserted = true;
		JOIN(v_sseq[P_READER], v_sseq[P_INSREM]);
		JOIN(v_mseq[P_READER], v_mseq[P_INSREM]);
		JOIN(v_pt[P_READER], v_pt[P_INSREM]);
		handed = true; v_pt[P_INSREM] = KM1; v_mseq[P_INSREM] = KM1
	   };
	   rdone
	:: d_step { handed = true; v_pt[P_INSREM] = KM1; v_mseq[P_INSREM] = KM1 }
	fi;

	/* Tear the mirror down, then remove. */
	DL_LOCK(P_INSREM);
	d_step { mirror = 0; devtlb = 0 };
	DL_UNLOCK(P_INSREM);

	/* mmu_range_notifier_remove(), under subs->lock */
	d_step {
		SUBS_LOCK(P_INSREM);
		if
		:: walkers == 0 ->
			TREE_REMOVE
		:: walkers > 0 && m_dq == DQ_INS ->
			/* a queued insert: give its hold back */
			m_dq = DQ_NONE;
			act[SLOT(h_mseq[0])]--;
			SETTLE(P_INSREM)
		:: walkers > 0 && m_dq == DQ_NONE ->
			m_dq = DQ_REM;
			in_use = true
		fi;
		SUBS_UNLOCK(P_INSREM)
	}
	wake_if_moved(P_INSREM);
	if
	:: in_use -> wait_unqueued(P_INSREM, 2)	/* M:remove-no-wait */
	:: else
	fi;
	d_step {
		/* every access of an invalidation to M happened before */
		remove_safe(v_muse[P_INSREM] == 0);
		freed = true;
		rmdone = true;
		v_sseq[P_INSREM] = KM1; v_muse[P_INSREM] = KM1;
		rs = 0; in_use = false
	}
}

active proctype registrar()
{
	/* mn_lock_all(): kzalloc() and initialise the fields: plain stores */
	subs_init = true;
	/* smp_store_release(&mm->notifier_subscriptions, fresh) */
	d_step { subs_pub = true; pub_msg = true };	/* M:subs-release */
	/* WRITE_ONCE(subs->has_itree, true), mm_drop_all_locks() */
	reg_done = true
}
