// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for MMU notifiers: the range notifier's interval tree and
 * sequence protocol, and the classic notifier API. One suite per topic,
 * each in a section of this file: mmu_notifier_range, _blocking,
 * _two_pass, _page_tables, _concurrency, _faults, _classic and _trace.
 *
 * Each test works on an mm of its own from mm_alloc(); invalidations are
 * driven directly through mmu_notifier_invalidate_range_start()/_end(),
 * as the core mm would. Tests that need a second thread use a kthread and
 * bounded waits, so a protocol bug shows as a failed expectation rather
 * than a hung run.
 */

#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/kthread.h>
#include <linux/mman.h>
#include <linux/mmu_range_notifier.h>
#include <linux/moduleparam.h>
#include <linux/mount.h>
#include <linux/namei.h>
#include <linux/prandom.h>
#include <linux/random.h>
#include <linux/sched/mm.h>
#include <linux/uaccess.h>
#include <linux/slab.h>

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);

#define T_BASE		0x100000UL
#define T_SLEEP_MS	50
#define T_WAIT_MS	5000

/* A range subscriber that records what it is told. */
struct trn {
	struct mmu_range_notifier mrn;
	spinlock_t lock;		/* the "driver lock" */
	unsigned int calls;
	unsigned int releases;
	unsigned long cur_seq;
	unsigned long start, end;
	enum mmu_notifier_event event;
	bool blockable;
	bool refuse_nonblock;		/* return false when !blockable */
	bool mapped;			/* the "device mapping" */
};

static bool trn_invalidate(struct mmu_range_notifier *mrn,
			   const struct mmu_notifier_range *range,
			   unsigned long cur_seq)
{
	struct trn *t = container_of(mrn, struct trn, mrn);

	if (t->refuse_nonblock && !mmu_notifier_range_blockable(range))
		return false;

	spin_lock(&t->lock);
	mmu_range_set_seq(mrn, cur_seq);
	t->calls++;
	if (range->event == MMU_NOTIFY_RELEASE)
		t->releases++;
	t->cur_seq = cur_seq;
	t->start = range->start;
	t->end = range->end;
	t->event = range->event;
	t->blockable = mmu_notifier_range_blockable(range);
	t->mapped = false;
	spin_unlock(&t->lock);
	return true;
}

static const struct mmu_range_notifier_ops trn_ops = {
	.invalidate = trn_invalidate,
};

struct tctx {
	struct mm_struct *mm;
};

/* The case's mm, unless the case dropped it itself (and said so). */
static void t_mm_put(void *data)
{
	struct tctx *ctx = data;

	if (ctx->mm)
		mmput(ctx->mm);
}

/*
 * Every case gets an mm of its own. Its put is the first action, so it
 * runs last: after the joins of the case's threads and the removes of
 * what it left inserted.
 */
static int t_init(struct kunit *test)
{
	struct tctx *ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, ctx);
	ctx->mm = mm_alloc();
	KUNIT_ASSERT_NOT_NULL(test, ctx->mm);
	test->priv = ctx;
	return kunit_add_action_or_reset(test, t_mm_put, ctx);
}

static struct mm_struct *t_mm(struct kunit *test)
{
	return ((struct tctx *)test->priv)->mm;
}

/*
 * At the end of a case, remove a subscription the case left inserted: one
 * whose case failed an assertion before its own remove. Runs before the
 * case's mm is put (t_init()), or after the case dropped it itself: the
 * subscription's pin keeps the notifier state, and a remove after the mm's
 * release is allowed. A subscription never inserted, or removed already,
 * has no mm: nothing to do.
 */
static void t_remove_left(void *data)
{
	struct mmu_range_notifier *mrn = data;

	if (READ_ONCE(mrn->mm))
		mmu_range_notifier_remove(mrn);
}

/* @mrn, in memory the case allocated before, is removed when it ends. */
static void t_remove_at_end(struct kunit *test, struct mmu_range_notifier *mrn)
{
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, t_remove_left, mrn));
}

/* A subscription, not inserted yet; removed at the end if the case left it. */
static struct trn *t_trn(struct kunit *test)
{
	struct trn *t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, t);
	spin_lock_init(&t->lock);
	t_remove_at_end(test, &t->mrn);
	return t;
}

static struct trn *t_insert(struct kunit *test, unsigned long start,
			    unsigned long length)
{
	struct trn *t = t_trn(test);
	int ret;

	ret = mmu_range_notifier_insert(&t->mrn, t_mm(test), start, length,
					&trn_ops);
	KUNIT_ASSERT_EQ(test, ret, 0);
	return t;
}

static void t_start(struct mm_struct *mm, struct mmu_notifier_range *r,
		    unsigned long start, unsigned long end)
{
	mmu_notifier_range_init(r, MMU_NOTIFY_CLEAR, 0, mm, start, end);
	mmu_notifier_invalidate_range_start(r);
}

/* One whole invalidation of [start, end). */
static void t_inval(struct mm_struct *mm, unsigned long start,
		    unsigned long end)
{
	struct mmu_notifier_range r;

	t_start(mm, &r, start, end);
	mmu_notifier_invalidate_range_end(&r);
}

/* The collision-retry read side, as a driver writes it; true if mapped. */
static bool t_map(struct trn *t)
{
	unsigned long seq = mmu_range_read_begin(&t->mrn);
	bool ok;

	spin_lock(&t->lock);
	ok = !mmu_range_read_retry(&t->mrn, seq);
	if (ok)
		t->mapped = true;
	spin_unlock(&t->lock);
	return ok;
}

/*
 * A case that misuses the API on purpose makes the core warn once
 * (WARN_ONCE), with a backtrace: a kernel booted with panic_on_warn stops
 * there, and test bots report it. Such cases run only with
 * CONFIG_MMU_NOTIFIER_KUNIT_TEST_MISUSE; otherwise they skip, and the
 * compiler drops what follows the skip.
 */
#define T_MISUSE(test)							\
	do {								\
		if (!IS_ENABLED(CONFIG_MMU_NOTIFIER_KUNIT_TEST_MISUSE))	\
			kunit_skip(test, "%s", T_MISUSE_WHY);		\
	} while (0)
#define T_MISUSE_WHY \
	"misuses the API on purpose: needs CONFIG_MMU_NOTIFIER_KUNIT_TEST_MISUSE"

/* ---- worker threads: started, waited for with a bound, always joined ---- */

/*
 * A kthread running @fn(@data), then completing @done. The worker and its
 * join are kunit resources: whatever way the case ends, a failed assertion
 * included, the join action waits for the thread before the memory it
 * uses (allocated before it with kunit_kzalloc(), so freed after it) goes.
 *
 * The join's wait is bounded (T_WAIT_MS): a worker stuck in the API (an
 * implementation that lost a wake-up) would otherwise stop the whole run,
 * since KUnit cannot end a cleanup waiting without bound (its timeout
 * kthread_stop()s the cleanup thread and waits for it). Past the bound
 * the case fails, saying which worker is still running, and its memory is
 * freed under that worker: a KASAN report may follow, after a failure
 * that already names the cause.
 */
struct t_worker {
	struct completion done;
	void (*fn)(void *data);
	void *data;
	struct task_struct *task;	/* not pinned: gone once it returned */
	const char *name;
	struct kunit *test;
};

static int t_worker_fn(void *p)
{
	struct t_worker *w = p;

	w->fn(w->data);
	/* A state, not a token: every bounded wait and the join see it. */
	complete_all(&w->done);
	return 0;
}

static void t_worker_join(void *p)
{
	struct t_worker *w = p;

	if (!wait_for_completion_timeout(&w->done,
					 msecs_to_jiffies(T_WAIT_MS)))
		KUNIT_FAIL(w->test, "worker %s still running %u ms after the case ended",
			   w->name, T_WAIT_MS);
}

/*
 * Start @fn(@data) in a kthread called @name (a string that outlives the
 * case); it is joined at case end.
 */
static struct t_worker *t_worker_run(struct kunit *test,
				     void (*fn)(void *data), void *data,
				     const char *name)
{
	struct t_worker *w = kunit_kzalloc(test, sizeof(*w), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, w);
	init_completion(&w->done);
	w->fn = fn;
	w->data = data;
	w->name = name;
	w->test = test;
	w->task = kthread_run(t_worker_fn, w, "%s", name);
	KUNIT_ASSERT_FALSE(test, IS_ERR(w->task));
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, t_worker_join, w));
	return w;
}

/* Whether @w has returned within @ms. */
static bool t_worker_done_within(struct t_worker *w, unsigned int ms)
{
	return wait_for_completion_timeout(&w->done, msecs_to_jiffies(ms));
}

/* One API call on a subscription, made from a second thread. */
struct t_async {
	void (*fn)(struct t_async *a);
	struct trn *t;
	unsigned long seq;
	struct t_worker *w;
};

static void t_async_fn(void *data)
{
	struct t_async *a = data;

	a->fn(a);
}

static struct t_async *t_async_start(struct kunit *test,
				     void (*fn)(struct t_async *a),
				     struct trn *t)
{
	struct t_async *a = kunit_kzalloc(test, sizeof(*a), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, a);
	a->fn = fn;
	a->t = t;
	a->w = t_worker_run(test, t_async_fn, a, "mmu-notifier-test");
	return a;
}

static bool t_async_done_within(struct t_async *a, unsigned int ms)
{
	return t_worker_done_within(a->w, ms);
}

static void t_async_read_begin(struct t_async *a)
{
	a->seq = mmu_range_read_begin(&a->t->mrn);
}

static void t_async_remove(struct t_async *a)
{
	mmu_range_notifier_remove(&a->t->mrn);
}

/* ====================================================================== */
/* mmu_notifier_range: the tree and the sequence, one thread               */
/* ====================================================================== */

/* Only an invalidation that overlaps the span, by even one byte, calls it. */
static void range_overlap_boundaries(struct kunit *test)
{
	struct mm_struct *mm = t_mm(test);
	struct trn *t = t_insert(test, T_BASE, 2 * PAGE_SIZE);

	/* [T_BASE, T_BASE + 2 * PAGE_SIZE) is covered; its neighbours are not. */
	t_inval(mm, T_BASE - PAGE_SIZE, T_BASE);
	t_inval(mm, T_BASE + 2 * PAGE_SIZE, T_BASE + 3 * PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, t->calls, 0);

	t_inval(mm, T_BASE - PAGE_SIZE, T_BASE + 1);
	KUNIT_EXPECT_EQ(test, t->calls, 1);
	t_inval(mm, T_BASE + 2 * PAGE_SIZE - 1, T_BASE + 2 * PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, t->calls, 2);
	t_inval(mm, T_BASE + PAGE_SIZE, T_BASE + PAGE_SIZE + 1);
	KUNIT_EXPECT_EQ(test, t->calls, 3);
	t_inval(mm, 0, ULONG_MAX);
	KUNIT_EXPECT_EQ(test, t->calls, 4);
	KUNIT_EXPECT_EQ(test, t->start, 0UL);
	KUNIT_EXPECT_EQ(test, t->end, ULONG_MAX);
	KUNIT_EXPECT_EQ(test, t->event, MMU_NOTIFY_CLEAR);

	mmu_range_notifier_remove(&t->mrn);
}

/* An empty or wrapping span is refused, and no notifier state is set up. */
static void range_bad_spans_refused(struct kunit *test)
{
	struct mm_struct *mm = t_mm(test);
	struct trn *t = t_trn(test);

	KUNIT_EXPECT_EQ(test, mmu_range_notifier_insert(&t->mrn, mm, T_BASE, 0,
							&trn_ops), -EOVERFLOW);
	KUNIT_EXPECT_EQ(test, mmu_range_notifier_insert(&t->mrn, mm,
							ULONG_MAX - (PAGE_SIZE - 1),
							2 * PAGE_SIZE, &trn_ops),
			-EOVERFLOW);
	/* One byte past the top. */
	KUNIT_EXPECT_EQ(test, mmu_range_notifier_insert(&t->mrn, mm,
							ULONG_MAX - (PAGE_SIZE - 1),
							PAGE_SIZE + 1, &trn_ops),
			-EOVERFLOW);
	/* Nothing changed: no notifier state was even set up. */
	KUNIT_EXPECT_FALSE(test, mm_has_notifiers(mm));
	KUNIT_EXPECT_NULL(test, t->mrn.mm);
}

/* A span may end at the very top of the address space (last byte ULONG_MAX). */
static void range_span_may_end_at_top(struct kunit *test)
{
	struct mm_struct *mm = t_mm(test);
	struct trn *t = t_trn(test);
	unsigned long top_page = ULONG_MAX - PAGE_SIZE + 1;

	KUNIT_ASSERT_EQ(test, mmu_range_notifier_insert(&t->mrn, mm, top_page,
							PAGE_SIZE, &trn_ops), 0);
	KUNIT_EXPECT_EQ(test, t->mrn.interval_tree.last, ULONG_MAX);
	t_inval(mm, top_page, ULONG_MAX);
	KUNIT_EXPECT_EQ(test, t->calls, 1);
	t_inval(mm, top_page - PAGE_SIZE, top_page);
	KUNIT_EXPECT_EQ(test, t->calls, 1);
	t_inval(mm, 0, ULONG_MAX);
	KUNIT_EXPECT_EQ(test, t->calls, 2);
	mmu_range_notifier_remove(&t->mrn);
}

/* Sequences are odd; one invalidation gives all it hits one new value. */
static void range_seq_always_odd(struct kunit *test)
{
	struct mm_struct *mm = t_mm(test);
	struct trn *a = t_insert(test, T_BASE, PAGE_SIZE);
	struct trn *b = t_insert(test, T_BASE + PAGE_SIZE / 2, PAGE_SIZE);
	unsigned long first;

	KUNIT_EXPECT_TRUE(test, a->mrn.invalidate_seq & 1);
	KUNIT_EXPECT_TRUE(test, b->mrn.invalidate_seq & 1);

	/* One invalidation hands the same odd cur_seq to every hit. */
	t_inval(mm, T_BASE, T_BASE + 2 * PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, a->calls, 1);
	KUNIT_EXPECT_EQ(test, b->calls, 1);
	KUNIT_EXPECT_TRUE(test, a->cur_seq & 1);
	KUNIT_EXPECT_EQ(test, a->cur_seq, b->cur_seq);
	first = a->cur_seq;

	/* The next one uses a new value. */
	t_inval(mm, T_BASE, T_BASE + 16);
	KUNIT_EXPECT_TRUE(test, a->cur_seq & 1);
	KUNIT_EXPECT_NE(test, a->cur_seq, first);
	KUNIT_EXPECT_EQ(test, b->calls, 1);

	mmu_range_notifier_remove(&a->mrn);
	mmu_range_notifier_remove(&b->mrn);
}

/* A read section with no invalidation since read_begin needs no retry. */
static void range_read_retry_idle(struct kunit *test)
{
	struct trn *t = t_insert(test, T_BASE, PAGE_SIZE);
	unsigned long seq = mmu_range_read_begin(&t->mrn);

	KUNIT_EXPECT_TRUE(test, seq & 1);
	KUNIT_EXPECT_FALSE(test, mmu_range_check_retry(&t->mrn, seq));
	KUNIT_EXPECT_FALSE(test, mmu_range_read_retry(&t->mrn, seq));
	KUNIT_EXPECT_TRUE(test, t_map(t));
	mmu_range_notifier_remove(&t->mrn);
}

/* A section retries after an overlapping invalidation; a later one does not. */
static void range_read_retry_collision(struct kunit *test)
{
	struct mm_struct *mm = t_mm(test);
	struct trn *t = t_insert(test, T_BASE, PAGE_SIZE);
	unsigned long seq = mmu_range_read_begin(&t->mrn);

	t_inval(mm, T_BASE + PAGE_SIZE - 16, T_BASE + 2 * PAGE_SIZE);
	KUNIT_EXPECT_TRUE(test, mmu_range_check_retry(&t->mrn, seq));
	KUNIT_EXPECT_TRUE(test, mmu_range_read_retry(&t->mrn, seq));

	/* A new section after the invalidation ended does not collide. */
	seq = mmu_range_read_begin(&t->mrn);
	KUNIT_EXPECT_FALSE(test, mmu_range_read_retry(&t->mrn, seq));
	mmu_range_notifier_remove(&t->mrn);
}

/* Invalidating a neighbouring span neither calls it nor makes it retry. */
static void range_read_retry_disjoint(struct kunit *test)
{
	struct mm_struct *mm = t_mm(test);
	struct trn *t = t_insert(test, T_BASE, PAGE_SIZE);
	struct trn *other = t_insert(test, T_BASE + PAGE_SIZE, PAGE_SIZE);
	unsigned long seq = mmu_range_read_begin(&t->mrn);

	t_inval(mm, T_BASE + PAGE_SIZE, T_BASE + 2 * PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, other->calls, 1);
	KUNIT_EXPECT_EQ(test, t->calls, 0);
	KUNIT_EXPECT_FALSE(test, mmu_range_check_retry(&t->mrn, seq));
	KUNIT_EXPECT_FALSE(test, mmu_range_read_retry(&t->mrn, seq));
	mmu_range_notifier_remove(&t->mrn);
	mmu_range_notifier_remove(&other->mrn);
}

/* A section collides once an invalidation starts, and still after its end. */
static void range_collision_inside_section(struct kunit *test)
{
	struct mm_struct *mm = t_mm(test);
	struct trn *t = t_insert(test, T_BASE, PAGE_SIZE);
	struct mmu_notifier_range r;
	unsigned long seq = mmu_range_read_begin(&t->mrn);

	/* An invalidation starts while the driver is faulting. */
	t_start(mm, &r, T_BASE, T_BASE + PAGE_SIZE);
	KUNIT_EXPECT_TRUE(test, mmu_range_check_retry(&t->mrn, seq));
	KUNIT_EXPECT_TRUE(test, mmu_range_read_retry(&t->mrn, seq));
	mmu_notifier_invalidate_range_end(&r);
	KUNIT_EXPECT_TRUE(test, mmu_range_read_retry(&t->mrn, seq));
	mmu_range_notifier_remove(&t->mrn);
}

/* An insert during a walk is queued until its end, and collides until then. */
static void range_insert_deferred(struct kunit *test)
{
	struct mm_struct *mm = t_mm(test);
	struct trn *old = t_insert(test, T_BASE, PAGE_SIZE);
	struct mmu_notifier_range r;
	struct trn *t;
	unsigned long seq;

	t_start(mm, &r, T_BASE, T_BASE + 4 * PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, old->calls, 1);

	/* Inserted while the invalidation runs: queued, and colliding. */
	t = t_insert(test, T_BASE + 2 * PAGE_SIZE, PAGE_SIZE);
	seq = t->mrn.invalidate_seq;
	KUNIT_EXPECT_TRUE(test, seq & 1);
	KUNIT_EXPECT_EQ(test, seq, old->cur_seq);

	/* A second invalidation now does not find it in the tree. */
	t_inval(mm, T_BASE + 2 * PAGE_SIZE, T_BASE + 3 * PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, t->calls, 0);

	mmu_notifier_invalidate_range_end(&r);

	/* Applied when the last walker left: found, and no longer colliding. */
	seq = mmu_range_read_begin(&t->mrn);
	KUNIT_EXPECT_FALSE(test, mmu_range_read_retry(&t->mrn, seq));
	t_inval(mm, T_BASE + 2 * PAGE_SIZE, T_BASE + 3 * PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, t->calls, 1);
	KUNIT_EXPECT_TRUE(test, mmu_range_read_retry(&t->mrn, seq));

	mmu_range_notifier_remove(&t->mrn);
	mmu_range_notifier_remove(&old->mrn);
}

/* An insert while an invalidation hits nothing has an odd seq and is found. */
static void range_insert_during_missing_invalidation(struct kunit *test)
{
	struct mm_struct *mm = t_mm(test);
	struct mmu_notifier_range r;
	struct trn *t;

	/* Tree in use but empty: the invalidation hits nothing. */
	t = t_insert(test, T_BASE, PAGE_SIZE);
	mmu_range_notifier_remove(&t->mrn);
	t_start(mm, &r, T_BASE, T_BASE + PAGE_SIZE);

	t = t_insert(test, T_BASE, PAGE_SIZE);
	KUNIT_EXPECT_TRUE(test, t->mrn.invalidate_seq & 1);
	mmu_notifier_invalidate_range_end(&r);

	t_inval(mm, T_BASE, T_BASE + PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, t->calls, 1);
	mmu_range_notifier_remove(&t->mrn);
}

/* A queued insert joins when the walk ends, colliding with what still runs. */
static void range_nested_invalidations(struct kunit *test)
{
	struct mm_struct *mm = t_mm(test);
	struct trn *a = t_insert(test, T_BASE, PAGE_SIZE);
	struct mmu_notifier_range r1, r2;
	struct t_async *ra;
	struct trn *t;

	t_start(mm, &r1, T_BASE, T_BASE + PAGE_SIZE);
	t_start(mm, &r2, T_BASE + 16 * PAGE_SIZE, T_BASE + 17 * PAGE_SIZE);
	t = t_insert(test, T_BASE + 16 * PAGE_SIZE, PAGE_SIZE);

	/*
	 * r1 walked the tree and is still counted as a walker: the insert is
	 * queued. Its end leaves no walk in the tree (r2 found nothing), so
	 * the insert joins, colliding with r2, which may have changed the
	 * span's pages before the subscription could be found.
	 */
	mmu_notifier_invalidate_range_end(&r1);
	ra = t_async_start(test, t_async_read_begin, t);
	KUNIT_EXPECT_FALSE(test, t_async_done_within(ra, T_SLEEP_MS));
	mmu_notifier_invalidate_range_end(&r2);
	KUNIT_EXPECT_TRUE(test, t_async_done_within(ra, T_WAIT_MS));

	t_inval(mm, T_BASE + 16 * PAGE_SIZE, T_BASE + 17 * PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, t->calls, 1);
	KUNIT_EXPECT_EQ(test, a->calls, 1);

	mmu_range_notifier_remove(&t->mrn);
	mmu_range_notifier_remove(&a->mrn);
}

/* Removing a queued insert cancels it at once; it never joins the tree. */
static void range_remove_queued_insert(struct kunit *test)
{
	struct mm_struct *mm = t_mm(test);
	struct trn *keep = t_insert(test, T_BASE, PAGE_SIZE);
	struct mmu_notifier_range r;
	struct trn *t;

	t_start(mm, &r, T_BASE, T_BASE + PAGE_SIZE);
	t = t_insert(test, T_BASE + PAGE_SIZE, PAGE_SIZE);
	/* Never in the tree: removal cancels it without waiting. */
	mmu_range_notifier_remove(&t->mrn);
	KUNIT_EXPECT_NULL(test, t->mrn.mm);
	mmu_notifier_invalidate_range_end(&r);

	t_inval(mm, T_BASE, T_BASE + 2 * PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, t->calls, 0);
	KUNIT_EXPECT_EQ(test, keep->calls, 2);
	mmu_range_notifier_remove(&keep->mrn);
}

/* A removed subscription may be reinserted and is called for its new span. */
static void range_remove_then_reinsert(struct kunit *test)
{
	struct mm_struct *mm = t_mm(test);
	struct trn *t = t_insert(test, T_BASE, PAGE_SIZE);

	mmu_range_notifier_remove(&t->mrn);
	t_inval(mm, T_BASE, T_BASE + PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, t->calls, 0);

	KUNIT_ASSERT_EQ(test, 0, mmu_range_notifier_insert(&t->mrn, mm,
							   T_BASE + 8 * PAGE_SIZE,
							   PAGE_SIZE, &trn_ops));
	t_inval(mm, T_BASE, T_BASE + PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, t->calls, 0);
	t_inval(mm, T_BASE + 8 * PAGE_SIZE, T_BASE + 9 * PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, t->calls, 1);
	mmu_range_notifier_remove(&t->mrn);
}

/* A second remove, or one of a never-inserted subscription, is ignored. */
static void range_double_remove_ignored(struct kunit *test)
{
	struct mm_struct *mm = t_mm(test);
	struct trn *a, *b, *never;

	T_MISUSE(test);
	a = t_insert(test, T_BASE, PAGE_SIZE);
	b = t_insert(test, T_BASE, PAGE_SIZE);
	never = t_trn(test);

	mmu_range_notifier_remove(&a->mrn);
	/* Expected warning (tests/expected-log-lines): reported once. */
	mmu_range_notifier_remove(&a->mrn);
	mmu_range_notifier_remove(&never->mrn);

	/* The tree is intact: b is still called, a is not. */
	t_inval(mm, T_BASE, T_BASE + PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, a->calls, 0);
	KUNIT_EXPECT_EQ(test, b->calls, 1);
	mmu_range_notifier_remove(&b->mrn);
}

/* Insert under the mmap write lock sets up the tree and checks spans too. */
static void range_insert_locked(struct kunit *test)
{
	struct mm_struct *mm = t_mm(test);
	struct trn *a = t_trn(test), *b = t_trn(test);

	int ret[3];

	mmap_write_lock(mm);
	/* The first one also sets up the mm's notifier state. */
	ret[0] = mmu_range_notifier_insert_locked(&a->mrn, mm, T_BASE, PAGE_SIZE,
						  &trn_ops);
	ret[1] = mmu_range_notifier_insert_locked(&b->mrn, mm, T_BASE + PAGE_SIZE,
						  PAGE_SIZE, &trn_ops);
	ret[2] = mmu_range_notifier_insert_locked(&b->mrn, mm, T_BASE, 0,
						  &trn_ops);
	mmap_write_unlock(mm);
	KUNIT_EXPECT_EQ(test, ret[0], 0);
	KUNIT_EXPECT_EQ(test, ret[1], 0);
	KUNIT_EXPECT_EQ(test, ret[2], -EOVERFLOW);

	t_inval(mm, T_BASE + PAGE_SIZE - 1, T_BASE + PAGE_SIZE + 1);
	KUNIT_EXPECT_EQ(test, a->calls, 1);
	KUNIT_EXPECT_EQ(test, b->calls, 1);
	mmu_range_notifier_remove(&a->mrn);
	mmu_range_notifier_remove(&b->mrn);
}

/* The last mmput() releases each subscription once; inserts get -ESRCH. */
static void range_release_once_each(struct kunit *test)
{
	struct tctx *ctx = test->priv;
	struct mm_struct *mm = ctx->mm;
	struct trn *t[3];
	int i;

	for (i = 0; i < 3; i++)
		t[i] = t_insert(test, T_BASE + i * 0x100000, PAGE_SIZE);

	/* The last user goes; the subscriptions keep the mm allocated. */
	ctx->mm = NULL;
	mmput(mm);

	for (i = 0; i < 3; i++) {
		KUNIT_EXPECT_EQ(test, t[i]->calls, 1);
		KUNIT_EXPECT_EQ(test, t[i]->releases, 1);
		KUNIT_EXPECT_EQ(test, t[i]->event, MMU_NOTIFY_RELEASE);
		KUNIT_EXPECT_EQ(test, t[i]->start, 0UL);
		KUNIT_EXPECT_EQ(test, t[i]->end, ULONG_MAX);
		KUNIT_EXPECT_TRUE(test, t[i]->blockable);
	}

	/* Inserting now is refused; removing is allowed. */
	KUNIT_EXPECT_EQ(test, mmu_range_notifier_insert(&t_trn(test)->mrn, mm,
							T_BASE, PAGE_SIZE,
							&trn_ops), -ESRCH);
	for (i = 0; i < 3; i++)
		mmu_range_notifier_remove(&t[i]->mrn);
}

/* A refused non-blocking start returns -EAGAIN and leaves the mm idle. */
static void range_nonblock_refused(struct kunit *test)
{
	struct mm_struct *mm = t_mm(test);
	struct trn *ok = t_insert(test, T_BASE, PAGE_SIZE);
	struct trn *no = t_insert(test, T_BASE + PAGE_SIZE, PAGE_SIZE);
	struct mmu_notifier_range r;
	struct t_async *a;
	struct trn *t;

	no->refuse_nonblock = true;
	mmu_notifier_range_init(&r, MMU_NOTIFY_CLEAR, 0, mm, T_BASE,
				T_BASE + 2 * PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, mmu_notifier_invalidate_range_start_nonblock(&r),
			-EAGAIN);

	/* Left as if it never ran: the mm is idle again. */
	t = t_insert(test, T_BASE + 4 * PAGE_SIZE, PAGE_SIZE);
	t_inval(mm, T_BASE + 4 * PAGE_SIZE, T_BASE + 5 * PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, t->calls, 1);

	a = t_async_start(test, t_async_read_begin, no);
	KUNIT_EXPECT_TRUE(test, t_async_done_within(a, T_WAIT_MS));
	a = t_async_start(test, t_async_read_begin, ok);
	KUNIT_EXPECT_TRUE(test, t_async_done_within(a, T_WAIT_MS));

	mmu_range_notifier_remove(&t->mrn);
	mmu_range_notifier_remove(&ok->mrn);
	mmu_range_notifier_remove(&no->mrn);
}

/* A callback sees a non-blocking start as not blockable, others as blocking. */
static void range_nonblock_flag(struct kunit *test)
{
	struct mm_struct *mm = t_mm(test);
	struct trn *t = t_insert(test, T_BASE, PAGE_SIZE);
	struct mmu_notifier_range r;

	mmu_notifier_range_init(&r, MMU_NOTIFY_CLEAR, 0, mm, T_BASE,
				T_BASE + PAGE_SIZE);
	KUNIT_ASSERT_EQ(test, mmu_notifier_invalidate_range_start_nonblock(&r),
			0);
	KUNIT_EXPECT_FALSE(test, t->blockable);
	mmu_notifier_invalidate_range_end(&r);

	t_inval(mm, T_BASE, T_BASE + PAGE_SIZE);
	KUNIT_EXPECT_TRUE(test, t->blockable);
	KUNIT_EXPECT_EQ(test, t->calls, 2);
	mmu_range_notifier_remove(&t->mrn);
}

/* struct mmu_range_notifier takes at most 11 longs. */
static void range_struct_size(struct kunit *test)
{
	kunit_info(test, "sizeof(struct mmu_range_notifier) = %zu\n",
		   sizeof(struct mmu_range_notifier));
	KUNIT_EXPECT_LE(test, sizeof(struct mmu_range_notifier),
			11 * sizeof(long));
}

/* Random inserts, removes and invalidations against a brute-force model. */
#define RM_SUBS		64
#define RM_SPACE	(256 * PAGE_SIZE)
#define RM_STEPS	4000

/* Each subscription is called exactly as often as a brute-force model says. */
static void range_random_model(struct kunit *test)
{
	struct mm_struct *mm = t_mm(test);
	unsigned long s[RM_SUBS], e[RM_SUBS];
	unsigned int expect[RM_SUBS];
	bool in[RM_SUBS] = { };
	struct rnd_state rnd;
	struct trn **t;
	int i, step;

	t = kunit_kcalloc(test, RM_SUBS, sizeof(*t), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t);
	for (i = 0; i < RM_SUBS; i++) {
		t[i] = t_trn(test);
		expect[i] = 0;
	}
	prandom_seed_state(&rnd, 0x6d6d755f72616e67ULL);

	for (step = 0; step < RM_STEPS; step++) {
		unsigned int op = prandom_u32_state(&rnd) % 4;
		unsigned long a = prandom_u32_state(&rnd) % RM_SPACE;
		unsigned long len = 1 + prandom_u32_state(&rnd) % (RM_SPACE / 8);

		i = prandom_u32_state(&rnd) % RM_SUBS;
		if (op == 0 && !in[i]) {
			KUNIT_ASSERT_EQ(test, 0,
					mmu_range_notifier_insert(&t[i]->mrn,
								  mm,
								  T_BASE + a,
								  len,
								  &trn_ops));
			s[i] = a;
			e[i] = a + len;
			in[i] = true;
		} else if (op == 1 && in[i]) {
			mmu_range_notifier_remove(&t[i]->mrn);
			in[i] = false;
		} else {
			int k;

			t_inval(mm, T_BASE + a, T_BASE + a + len);
			for (k = 0; k < RM_SUBS; k++)
				if (in[k] && s[k] < a + len && a < e[k])
					expect[k]++;
		}
		for (i = 0; i < RM_SUBS; i++)
			if (t[i]->calls != expect[i])
				break;
		if (i < RM_SUBS) {
			KUNIT_FAIL(test, "step %d: sub %d called %u times, model says %u",
				   step, i, t[i]->calls, expect[i]);
			break;
		}
	}
	for (i = 0; i < RM_SUBS; i++)
		if (in[i])
			mmu_range_notifier_remove(&t[i]->mrn);
}

/* ====================================================================== */
/* mmu_notifier_blocking: read_begin and remove that wait                  */
/* ====================================================================== */

/* read_begin sleeps until the invalidation that hit it ends, then is clean. */
static void range_read_begin_sleeps(struct kunit *test)
{
	struct mm_struct *mm = t_mm(test);
	struct trn *t = t_insert(test, T_BASE, PAGE_SIZE);
	struct mmu_notifier_range r;
	struct t_async *a;

	t_start(mm, &r, T_BASE, T_BASE + PAGE_SIZE);
	a = t_async_start(test, t_async_read_begin, t);
	KUNIT_EXPECT_FALSE(test, t_async_done_within(a, T_SLEEP_MS));
	mmu_notifier_invalidate_range_end(&r);
	KUNIT_ASSERT_TRUE(test, t_async_done_within(a, T_WAIT_MS));
	/* It returned the invalidation's value, and the section is clean. */
	KUNIT_EXPECT_EQ(test, a->seq, t->cur_seq);
	KUNIT_EXPECT_FALSE(test, mmu_range_read_retry(&t->mrn, a->seq));
	mmu_range_notifier_remove(&t->mrn);
}

/* read_begin does not wait for an invalidation that hits only another sub. */
static void range_read_begin_other_sub(struct kunit *test)
{
	struct mm_struct *mm = t_mm(test);
	struct trn *hit = t_insert(test, T_BASE, PAGE_SIZE);
	struct trn *t = t_insert(test, T_BASE + PAGE_SIZE, PAGE_SIZE);
	struct mmu_notifier_range r;
	struct t_async *a;

	t_start(mm, &r, T_BASE, T_BASE + PAGE_SIZE);
	a = t_async_start(test, t_async_read_begin, t);
	KUNIT_EXPECT_TRUE(test, t_async_done_within(a, T_WAIT_MS));
	mmu_notifier_invalidate_range_end(&r);
	KUNIT_EXPECT_EQ(test, hit->calls, 1);
	mmu_range_notifier_remove(&t->mrn);
	mmu_range_notifier_remove(&hit->mrn);
}

/* read_begin of a sub inserted mid-invalidation waits for that invalidation. */
static void range_read_begin_queued_insert(struct kunit *test)
{
	struct mm_struct *mm = t_mm(test);
	struct mmu_notifier_range r;
	struct t_async *a;
	struct trn *keep, *t;

	/*
	 * An invalidation that hits nothing leaves the tree free: the insert
	 * joins at once, but collides with it.
	 */
	keep = t_insert(test, T_BASE + 16 * PAGE_SIZE, PAGE_SIZE);
	t_start(mm, &r, T_BASE, T_BASE + PAGE_SIZE);
	t = t_insert(test, T_BASE, PAGE_SIZE);

	/* A subscription inserted mid-invalidation waits for its end. */
	a = t_async_start(test, t_async_read_begin, t);
	KUNIT_EXPECT_FALSE(test, t_async_done_within(a, T_SLEEP_MS));
	mmu_notifier_invalidate_range_end(&r);
	KUNIT_EXPECT_TRUE(test, t_async_done_within(a, T_WAIT_MS));
	KUNIT_EXPECT_EQ(test, keep->calls, 0);
	mmu_range_notifier_remove(&t->mrn);
	mmu_range_notifier_remove(&keep->mrn);
}

/* A remove waits for the walk that hit it, and is still called until then. */
static void range_remove_waits(struct kunit *test)
{
	struct mm_struct *mm = t_mm(test);
	struct trn *t = t_insert(test, T_BASE, PAGE_SIZE);
	struct trn *other = t_insert(test, T_BASE + PAGE_SIZE, PAGE_SIZE);
	struct mmu_notifier_range r;
	struct t_async *a;

	t_start(mm, &r, T_BASE, T_BASE + 2 * PAGE_SIZE);
	a = t_async_start(test, t_async_remove, t);
	KUNIT_EXPECT_FALSE(test, t_async_done_within(a, T_SLEEP_MS));
	/* Still in the tree until the end: a nested start still finds it. */
	t_inval(mm, T_BASE, T_BASE + PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, t->calls, 2);
	mmu_notifier_invalidate_range_end(&r);
	KUNIT_EXPECT_TRUE(test, t_async_done_within(a, T_WAIT_MS));

	t_inval(mm, T_BASE, T_BASE + 2 * PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, t->calls, 2);
	KUNIT_EXPECT_EQ(test, other->calls, 2);
	mmu_range_notifier_remove(&other->mrn);
}

/* An invalidation that found nothing to call does not hold a remove up. */
static void range_remove_does_not_wait_for_missing(struct kunit *test)
{
	struct mm_struct *mm = t_mm(test);
	struct trn *t = t_insert(test, T_BASE, PAGE_SIZE);
	struct mmu_notifier_range r;
	struct t_async *a;

	t_start(mm, &r, T_BASE + 8 * PAGE_SIZE, T_BASE + 9 * PAGE_SIZE);
	a = t_async_start(test, t_async_remove, t);
	KUNIT_EXPECT_TRUE(test, t_async_done_within(a, T_WAIT_MS));
	KUNIT_EXPECT_NULL(test, t->mrn.mm);
	mmu_notifier_invalidate_range_end(&r);
	if (!completion_done(&a->w->done))
		t_async_done_within(a, T_WAIT_MS);
	t_inval(mm, T_BASE, T_BASE + PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, t->calls, 0);
}

/*
 * A subscription inserted while only invalidations that found nothing run
 * joins the tree at once, and collides with them until they end.
 */
static void range_insert_during_missing_joins_tree(struct kunit *test)
{
	struct mm_struct *mm = t_mm(test);
	struct trn *keep = t_insert(test, T_BASE + 16 * PAGE_SIZE, PAGE_SIZE);
	struct mmu_notifier_range r;
	struct t_async *a;
	struct trn *t;

	t_start(mm, &r, T_BASE + 8 * PAGE_SIZE, T_BASE + 9 * PAGE_SIZE);
	t = t_insert(test, T_BASE, PAGE_SIZE);
	/* Colliding: a section waits for the running invalidation. */
	a = t_async_start(test, t_async_read_begin, t);
	KUNIT_EXPECT_FALSE(test, t_async_done_within(a, T_SLEEP_MS));
	/* A nested invalidation finds it in the tree already. */
	t_inval(mm, T_BASE, T_BASE + PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, t->calls, 1);
	mmu_notifier_invalidate_range_end(&r);

	KUNIT_ASSERT_TRUE(test, t_async_done_within(a, T_WAIT_MS));
	KUNIT_EXPECT_FALSE(test, mmu_range_read_retry(&t->mrn, a->seq));
	KUNIT_EXPECT_EQ(test, keep->calls, 0);
	mmu_range_notifier_remove(&t->mrn);
	mmu_range_notifier_remove(&keep->mrn);
}

/*
 * An end undoes what its start did: a range tree set up between the two
 * is not ended, and its count of running invalidations stays intact.
 */
static void range_end_undoes_only_what_start_did(struct kunit *test)
{
	struct mm_struct *mm = t_mm(test);
	struct mmu_notifier_range r;
	struct t_async *a, *b;
	struct trn *t, *u;

	/* No notifier state when it starts; the first insert comes next. */
	t_start(mm, &r, T_BASE, T_BASE + PAGE_SIZE);
	t = t_insert(test, T_BASE, PAGE_SIZE);
	mmu_notifier_invalidate_range_end(&r);

	t_inval(mm, T_BASE, T_BASE + PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, t->calls, 1);
	/* That invalidation has ended: a new section need not wait. */
	a = t_async_start(test, t_async_read_begin, t);
	KUNIT_ASSERT_TRUE(test, t_async_done_within(a, T_WAIT_MS));
	KUNIT_EXPECT_FALSE(test, mmu_range_read_retry(&t->mrn, a->seq));
	/* Inserts reach the tree again. */
	u = t_insert(test, T_BASE + 4 * PAGE_SIZE, PAGE_SIZE);
	t_inval(mm, T_BASE + 4 * PAGE_SIZE, T_BASE + 5 * PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, u->calls, 1);

	a = t_async_start(test, t_async_remove, t);
	b = t_async_start(test, t_async_remove, u);
	KUNIT_EXPECT_TRUE(test, t_async_done_within(a, T_WAIT_MS));
	KUNIT_EXPECT_TRUE(test, t_async_done_within(b, T_WAIT_MS));
}

/*
 * A second remove that arrives after the last walker applied the first is
 * ignored: the tree stays intact and the mm's pin is dropped once.
 */
static void range_remove_racing_remove_ignored(struct kunit *test)
{
	struct mm_struct *mm = t_mm(test);
	struct mmu_notifier_range r;
	struct trn *t, *other;
	struct t_async *a;
	int pins;

	T_MISUSE(test);
	t = t_insert(test, T_BASE, PAGE_SIZE);
	other = t_insert(test, T_BASE + PAGE_SIZE, PAGE_SIZE);
	pins = atomic_read(&mm->mm_count);

	t_start(mm, &r, T_BASE, T_BASE + 2 * PAGE_SIZE);
	a = t_async_start(test, t_async_remove, t);
	KUNIT_EXPECT_FALSE(test, t_async_done_within(a, T_SLEEP_MS));
	/* Takes t out of the tree and wakes the first remove ... */
	mmu_notifier_invalidate_range_end(&r);
	/* ... which has not run yet on one CPU when the second one comes. */
	mmu_range_notifier_remove(&t->mrn);
	KUNIT_EXPECT_TRUE(test, t_async_done_within(a, T_WAIT_MS));
	KUNIT_EXPECT_EQ(test, atomic_read(&mm->mm_count), pins - 1);

	t_inval(mm, T_BASE, T_BASE + 2 * PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, t->calls, 1);
	KUNIT_EXPECT_EQ(test, other->calls, 2);
	mmu_range_notifier_remove(&other->mrn);
	KUNIT_EXPECT_EQ(test, atomic_read(&mm->mm_count), pins - 2);
}

/* Every subscription on one span is called once, with the same sequence. */
static void range_many_on_one_span(struct kunit *test)
{
	struct mm_struct *mm = t_mm(test);
	struct trn *t[32];
	int i;

	for (i = 0; i < ARRAY_SIZE(t); i++)
		t[i] = t_insert(test, T_BASE, PAGE_SIZE);
	t_inval(mm, T_BASE + PAGE_SIZE / 2, T_BASE + PAGE_SIZE / 2 + 1);
	for (i = 0; i < ARRAY_SIZE(t); i++) {
		KUNIT_EXPECT_EQ(test, t[i]->calls, 1);
		KUNIT_EXPECT_EQ(test, t[i]->cur_seq, t[0]->cur_seq);
		mmu_range_notifier_remove(&t[i]->mrn);
	}
}

/* ====================================================================== */
/* mmu_notifier_two_pass: invalidate_start, invalidate_finish              */
/* ====================================================================== */

/*
 * A two-pass subscriber: the first pass does what trn_invalidate() does and
 * leaves its "device" busy (@busy) with a finish object handed back; the
 * second pass waits for the device, here by clearing @busy. Each pass
 * stamps the step it ran at from one clock, so the order of passes across
 * subscriptions can be checked. Single-threaded cases only.
 */
struct tpn {
	struct trn t;
	struct mmu_range_notifier_finish finish;
	bool hand_back;			/* ask for a second pass */
	bool busy;			/* the device may still use the pages */
	bool bad_finish;		/* finish->notifier was not ours */
	bool second_non_block;		/* inside non_block_start() */
	unsigned int firsts, seconds;
	unsigned int first_at, second_at;
};

static unsigned int tp_clock;

/*
 * Is the current task in a non_block_start() section? Only known with
 * CONFIG_DEBUG_ATOMIC_SLEEP, which counts them.
 */
static bool t_in_non_block(void)
{
#ifdef CONFIG_DEBUG_ATOMIC_SLEEP
	return current->non_block_count;
#else
	return false;
#endif
}

static bool tpn_start(struct mmu_range_notifier *mrn,
		      const struct mmu_notifier_range *range,
		      unsigned long cur_seq,
		      struct mmu_range_notifier_finish **finish)
{
	struct tpn *p = container_of(mrn, struct tpn, t.mrn);

	if (*finish)
		p->bad_finish = true;
	if (!trn_invalidate(mrn, range, cur_seq))
		return false;
	p->firsts++;
	p->first_at = ++tp_clock;
	if (p->hand_back) {
		p->busy = true;
		*finish = &p->finish;
	}
	return true;
}

static void tpn_finish(struct mmu_range_notifier_finish *finish)
{
	struct tpn *p = container_of(finish, struct tpn, finish);

	if (finish->notifier != &p->t.mrn)
		p->bad_finish = true;
	p->second_non_block = t_in_non_block();
	p->busy = false;
	p->seconds++;
	p->second_at = ++tp_clock;
}

static const struct mmu_range_notifier_ops tpn_ops = {
	.invalidate_start = tpn_start,
	.invalidate_finish = tpn_finish,
};

static struct tpn *tp_insert(struct kunit *test, unsigned long start,
			     unsigned long length, bool hand_back)
{
	struct tpn *p = kunit_kzalloc(test, sizeof(*p), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, p);
	spin_lock_init(&p->t.lock);
	p->hand_back = hand_back;
	t_remove_at_end(test, &p->t.mrn);
	KUNIT_ASSERT_EQ(test, mmu_range_notifier_insert(&p->t.mrn, t_mm(test),
							start, length,
							&tpn_ops), 0);
	return p;
}

/* Every first pass of an invalidation runs before any second pass. */
static void range_two_pass_first_passes_before_finishes(struct kunit *test)
{
	struct mm_struct *mm = t_mm(test);
	unsigned int last_first = 0, first_second = UINT_MAX, prev = 0;
	struct tpn *p[4];
	int i;

	tp_clock = 0;
	for (i = 0; i < ARRAY_SIZE(p); i++)
		p[i] = tp_insert(test, T_BASE + i * PAGE_SIZE, PAGE_SIZE, true);
	t_inval(mm, T_BASE, T_BASE + ARRAY_SIZE(p) * PAGE_SIZE);

	for (i = 0; i < ARRAY_SIZE(p); i++) {
		KUNIT_EXPECT_EQ(test, p[i]->firsts, 1);
		KUNIT_EXPECT_EQ(test, p[i]->seconds, 1);
		last_first = max(last_first, p[i]->first_at);
		first_second = min(first_second, p[i]->second_at);
		/* Second passes in the order of the first passes. */
		KUNIT_EXPECT_GT(test, p[i]->second_at, prev);
		prev = p[i]->second_at;
	}
	KUNIT_EXPECT_LT(test, last_first, first_second);
	for (i = 0; i < ARRAY_SIZE(p); i++)
		mmu_range_notifier_remove(&p[i]->t.mrn);
}

/*
 * Each finish object handed back gets exactly one second pass, with the
 * notifier set; a first pass that hands none back gets none.
 */
static void range_two_pass_each_finish_once(struct kunit *test)
{
	struct mm_struct *mm = t_mm(test);
	struct tpn *with = tp_insert(test, T_BASE, PAGE_SIZE, true);
	struct tpn *without = tp_insert(test, T_BASE + PAGE_SIZE, PAGE_SIZE,
					false);
	int i;

	tp_clock = 0;
	for (i = 0; i < 3; i++)
		t_inval(mm, T_BASE, T_BASE + 2 * PAGE_SIZE);
	/* Hits only the first one. */
	t_inval(mm, T_BASE, T_BASE + 1);

	KUNIT_EXPECT_EQ(test, with->firsts, 4);
	KUNIT_EXPECT_EQ(test, with->seconds, 4);
	KUNIT_EXPECT_EQ(test, without->firsts, 3);
	KUNIT_EXPECT_EQ(test, without->seconds, 0);
	KUNIT_EXPECT_FALSE(test, with->bad_finish);
	KUNIT_EXPECT_FALSE(test, without->bad_finish);
	KUNIT_EXPECT_PTR_EQ(test, with->finish.notifier, &with->t.mrn);
	mmu_range_notifier_remove(&with->t.mrn);
	mmu_range_notifier_remove(&without->t.mrn);
}

/* The second passes are over when the start returns, before any end. */
static void range_two_pass_finish_before_start_returns(struct kunit *test)
{
	struct mm_struct *mm = t_mm(test);
	struct tpn *p = tp_insert(test, T_BASE, PAGE_SIZE, true);
	struct mmu_notifier_range r;

	t_start(mm, &r, T_BASE, T_BASE + PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, p->firsts, 1);
	KUNIT_EXPECT_EQ(test, p->seconds, 1);
	KUNIT_EXPECT_FALSE(test, p->busy);
	KUNIT_EXPECT_FALSE(test, p->second_non_block);
	mmu_notifier_invalidate_range_end(&r);
	KUNIT_EXPECT_EQ(test, p->seconds, 1);
	mmu_range_notifier_remove(&p->t.mrn);
}

/*
 * A non-blocking invalidation refused by a later subscription still runs
 * the second pass of every first pass it made, in the non-blocking
 * context, and leaves the mm idle.
 */
static void range_two_pass_refused_nonblock_finishes_started(struct kunit *test)
{
	struct mm_struct *mm = t_mm(test);
	struct tpn *started = tp_insert(test, T_BASE, PAGE_SIZE, true);
	struct trn *no = t_insert(test, T_BASE + PAGE_SIZE, PAGE_SIZE);
	struct mmu_notifier_range r;
	struct t_async *a;

	no->refuse_nonblock = true;
	mmu_notifier_range_init(&r, MMU_NOTIFY_CLEAR, 0, mm, T_BASE,
				T_BASE + 2 * PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, mmu_notifier_invalidate_range_start_nonblock(&r),
			-EAGAIN);
	KUNIT_EXPECT_EQ(test, started->firsts, 1);
	KUNIT_EXPECT_EQ(test, started->seconds, 1);
	KUNIT_EXPECT_FALSE(test, started->busy);
	KUNIT_EXPECT_EQ(test, started->second_non_block,
			IS_ENABLED(CONFIG_DEBUG_ATOMIC_SLEEP));
	KUNIT_EXPECT_EQ(test, no->calls, 0);

	/* Nothing is left running: a section of either starts at once. */
	a = t_async_start(test, t_async_read_begin, &started->t);
	KUNIT_EXPECT_TRUE(test, t_async_done_within(a, T_WAIT_MS));
	a = t_async_start(test, t_async_read_begin, no);
	KUNIT_EXPECT_TRUE(test, t_async_done_within(a, T_WAIT_MS));
	mmu_range_notifier_remove(&started->t.mrn);
	mmu_range_notifier_remove(&no->mrn);
}

/*
 * One-pass and two-pass subscriptions share an invalidation: each is
 * called once with the same sequence, and a collision is seen by both.
 */
static void range_two_pass_mixed_with_one_pass(struct kunit *test)
{
	struct mm_struct *mm = t_mm(test);
	struct trn *one = t_insert(test, T_BASE, PAGE_SIZE);
	struct tpn *two = tp_insert(test, T_BASE + PAGE_SIZE, PAGE_SIZE, true);
	unsigned long s1 = mmu_range_read_begin(&one->mrn);
	unsigned long s2 = mmu_range_read_begin(&two->t.mrn);

	t_inval(mm, T_BASE, T_BASE + 2 * PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, one->calls, 1);
	KUNIT_EXPECT_EQ(test, two->t.calls, 1);
	KUNIT_EXPECT_EQ(test, two->seconds, 1);
	KUNIT_EXPECT_EQ(test, one->cur_seq, two->t.cur_seq);
	KUNIT_EXPECT_TRUE(test, mmu_range_read_retry(&one->mrn, s1));
	KUNIT_EXPECT_TRUE(test, mmu_range_read_retry(&two->t.mrn, s2));
	KUNIT_EXPECT_TRUE(test, t_map(one));
	KUNIT_EXPECT_TRUE(test, t_map(&two->t));
	mmu_range_notifier_remove(&one->mrn);
	mmu_range_notifier_remove(&two->t.mrn);
}

static bool tp_first_noop(struct mmu_range_notifier *mrn,
			  const struct mmu_notifier_range *range,
			  unsigned long cur_seq,
			  struct mmu_range_notifier_finish **finish)
{
	return true;
}

static void tp_nothing(struct mmu_range_notifier_finish *finish)
{
}

/* Insert takes one pass or both halves of two, nothing else. */
static void range_two_pass_insert_refuses_bad_ops(struct kunit *test)
{
	static const struct mmu_range_notifier_ops bad[] = {
		{ .invalidate = trn_invalidate, .invalidate_start = tp_first_noop },
		{ .invalidate = trn_invalidate, .invalidate_finish = tp_nothing },
		{ .invalidate = trn_invalidate, .invalidate_start = tp_first_noop,
		  .invalidate_finish = tp_nothing },
		{ .invalidate_start = tp_first_noop },
		{ .invalidate_finish = tp_nothing },
		{ },
	};
	struct mm_struct *mm = t_mm(test);
	struct trn *t = t_trn(test);
	struct trn *u = t_trn(test);
	int i, ret;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		ret = mmu_range_notifier_insert(&u->mrn, mm, T_BASE, PAGE_SIZE,
						&bad[i]);
		KUNIT_EXPECT_EQ_MSG(test, ret, -EINVAL, "ops %d", i);
		KUNIT_EXPECT_NULL(test, u->mrn.mm);
	}
	/* Nothing changed: no notifier state was even set up. */
	KUNIT_EXPECT_FALSE(test, mm_has_notifiers(mm));

	/* And with the tree set up, through the locked variant too. */
	t = t_insert(test, T_BASE, PAGE_SIZE);
	mmap_write_lock(mm);
	ret = mmu_range_notifier_insert_locked(&u->mrn, mm, T_BASE, PAGE_SIZE,
					       &bad[3]);
	mmap_write_unlock(mm);
	KUNIT_EXPECT_EQ(test, ret, -EINVAL);
	ret = mmu_range_notifier_insert(&u->mrn, mm, T_BASE, PAGE_SIZE, &bad[0]);
	KUNIT_EXPECT_EQ(test, ret, -EINVAL);
	KUNIT_EXPECT_NULL(test, u->mrn.mm);
	t_inval(mm, T_BASE, T_BASE + PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, t->calls, 1);
	mmu_range_notifier_remove(&t->mrn);
}

/* The release at the last mmput() runs both passes of every subscription. */
static void range_two_pass_release_runs_both(struct kunit *test)
{
	struct tctx *ctx = test->priv;
	struct mm_struct *mm = ctx->mm;
	struct trn *one = t_insert(test, T_BASE, PAGE_SIZE);
	struct tpn *p[2];
	int i;

	tp_clock = 0;
	for (i = 0; i < ARRAY_SIZE(p); i++)
		p[i] = tp_insert(test, T_BASE + (i + 1) * 0x100000, PAGE_SIZE,
				 true);
	ctx->mm = NULL;
	mmput(mm);

	KUNIT_EXPECT_EQ(test, one->releases, 1);
	for (i = 0; i < ARRAY_SIZE(p); i++) {
		KUNIT_EXPECT_EQ(test, p[i]->t.releases, 1);
		KUNIT_EXPECT_EQ(test, p[i]->firsts, 1);
		KUNIT_EXPECT_EQ(test, p[i]->seconds, 1);
		KUNIT_EXPECT_FALSE(test, p[i]->busy);
		KUNIT_EXPECT_LT(test, p[i]->first_at, p[0]->second_at);
	}
	mmu_range_notifier_remove(&one->mrn);
	for (i = 0; i < ARRAY_SIZE(p); i++)
		mmu_range_notifier_remove(&p[i]->t.mrn);
}

/* ====================================================================== */
/* mmu_notifier_page_tables: the core mm drives the invalidations          */
/* ====================================================================== */

#define PT_PAGES	16
#define PT_LEN		(PT_PAGES * PAGE_SIZE)

/*
 * Make the test thread a user of a fresh mm, with one mapping in it; the
 * case ends it with pt_teardown(). A case that fails an assertion first
 * ends its thread still using the mm, and the thread's exit puts that
 * user (exit_mm()); a cleanup action could not: actions run in another
 * thread, and only the thread that uses an mm can stop using it.
 */
static unsigned long pt_setup(struct kunit *test)
{
	struct mm_struct *mm = t_mm(test);
	unsigned long addr;
	int i;

	mm->task_size = TASK_SIZE;
	arch_pick_mmap_layout(mm, &current->signal->rlim[RLIMIT_STACK]);
	mmget(mm);
	kthread_use_mm(mm);
	addr = vm_mmap(NULL, 0, PT_LEN, PROT_READ | PROT_WRITE,
		       MAP_ANONYMOUS | MAP_PRIVATE, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR_VALUE(addr));
	/* Touch every page so that there is something to tear down. */
	for (i = 0; i < PT_PAGES; i++)
		KUNIT_ASSERT_EQ(test, 0, put_user(i, (int __user *)(addr +
							   i * PAGE_SIZE)));
	return addr;
}

static void pt_teardown(struct kunit *test)
{
	struct mm_struct *mm = t_mm(test);

	kthread_unuse_mm(mm);
	mmput(mm);
}

/* munmap calls an overlapping subscription with UNMAP, not one outside. */
static void pt_munmap(struct kunit *test)
{
	unsigned long addr = pt_setup(test);
	struct trn *t = t_insert(test, addr + PAGE_SIZE, PAGE_SIZE);
	struct trn *out = t_insert(test, addr + PT_LEN + 16 * PAGE_SIZE,
				   PAGE_SIZE);

	KUNIT_EXPECT_EQ(test, 0, vm_munmap(addr, PT_LEN));
	KUNIT_EXPECT_GE(test, t->calls, 1);
	KUNIT_EXPECT_EQ(test, t->event, MMU_NOTIFY_UNMAP);
	KUNIT_EXPECT_LE(test, t->start, addr + PAGE_SIZE);
	KUNIT_EXPECT_GE(test, t->end, addr + 2 * PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, out->calls, 0);

	mmu_range_notifier_remove(&t->mrn);
	mmu_range_notifier_remove(&out->mrn);
	pt_teardown(test);
}

/* MADV_DONTNEED calls the subscription with CLEAR over the advised range. */
static void pt_madvise_dontneed(struct kunit *test)
{
	unsigned long addr = pt_setup(test);
	struct trn *t = t_insert(test, addr, PT_LEN);

	KUNIT_EXPECT_EQ(test, 0, do_madvise(t_mm(test), addr + 4 * PAGE_SIZE,
					    2 * PAGE_SIZE, MADV_DONTNEED));
	KUNIT_EXPECT_GE(test, t->calls, 1);
	KUNIT_EXPECT_EQ(test, t->event, MMU_NOTIFY_CLEAR);
	KUNIT_EXPECT_LE(test, t->start, addr + 4 * PAGE_SIZE);
	KUNIT_EXPECT_GE(test, t->end, addr + 6 * PAGE_SIZE);

	mmu_range_notifier_remove(&t->mrn);
	pt_teardown(test);
}

/* A fault does not collide with a read section; a munmap of the span does. */
static void pt_fault_then_munmap(struct kunit *test)
{
	unsigned long addr = pt_setup(test);
	struct trn *t = t_insert(test, addr, PT_LEN);
	unsigned long seq;

	/* Fault a page in inside a read section: no collision. */
	seq = mmu_range_read_begin(&t->mrn);
	KUNIT_EXPECT_EQ(test, 0, put_user(1, (int __user *)addr));
	KUNIT_EXPECT_FALSE(test, mmu_range_read_retry(&t->mrn, seq));

	/* The same section after the pages went away must retry. */
	KUNIT_EXPECT_EQ(test, 0, vm_munmap(addr, PT_LEN));
	KUNIT_EXPECT_TRUE(test, mmu_range_read_retry(&t->mrn, seq));

	mmu_range_notifier_remove(&t->mrn);
	pt_teardown(test);
}

/* Dropping a user makes no call; the last user's exit releases it once. */
static void pt_exit_release_first(struct kunit *test)
{
	struct tctx *ctx = test->priv;
	unsigned long addr = pt_setup(test);
	struct mm_struct *mm = ctx->mm;
	struct trn *t = t_insert(test, addr, PT_LEN);

	kthread_unuse_mm(mm);
	mmput(mm);
	KUNIT_EXPECT_EQ(test, t->calls, 0);

	/* The last user goes: RELEASE first, for the whole address space. */
	ctx->mm = NULL;
	mmput(mm);
	KUNIT_EXPECT_EQ(test, t->releases, 1);
	KUNIT_EXPECT_GE(test, t->calls, 1);
	mmu_range_notifier_remove(&t->mrn);
}

/* ====================================================================== */
/* mmu_notifier_concurrency: racing threads, streams that never stop       */
/* ====================================================================== */

#define CC_SUBS		4
#define CC_SPAN		(4 * PAGE_SIZE)
#define CC_MS		300
#define CC_STALE	ULONG_MAX

/*
 * A mirror model: each subscription mirrors one "page" whose content is a
 * generation number. Readers copy it into their mirror through the
 * collision-retry loop; the invalidator, between start and end, bumps the
 * generation. After any end, a mirror that is not invalid must hold the
 * current generation: an older one is a stale device mapping.
 */
struct cc {
	struct kunit *test;
	struct mm_struct *mm;
	struct trn *t[CC_SUBS];
	unsigned long gen[CC_SUBS];
	unsigned long mirror[CC_SUBS];
	unsigned long deadline;
	atomic_t maps, retries, invals, churn, stale;
	struct t_worker *w[3];
};

static bool cc_invalidate(struct mmu_range_notifier *mrn,
			  const struct mmu_notifier_range *range,
			  unsigned long cur_seq)
{
	struct trn *t = container_of(mrn, struct trn, mrn);

	spin_lock(&t->lock);
	mmu_range_set_seq(mrn, cur_seq);
	t->calls++;
	t->mapped = false;
	spin_unlock(&t->lock);
	return true;
}

static const struct mmu_range_notifier_ops cc_ops = {
	.invalidate = cc_invalidate,
};

static void cc_reader(void *data)
{
	struct cc *cc = data;
	unsigned int n = 0;

	while (time_before(jiffies, cc->deadline)) {
		int i = n++ % CC_SUBS;
		struct trn *t = cc->t[i];
		unsigned long seq, page;

		seq = mmu_range_read_begin(&t->mrn);
		page = READ_ONCE(cc->gen[i]);		/* "fault" */
		cond_resched();
		spin_lock(&t->lock);
		if (mmu_range_read_retry(&t->mrn, seq)) {
			atomic_inc(&cc->retries);
		} else {
			WRITE_ONCE(cc->mirror[i], page);
			t->mapped = true;
			atomic_inc(&cc->maps);
		}
		spin_unlock(&t->lock);
	}
}

static void cc_invalidator(void *data)
{
	struct cc *cc = data;
	unsigned int n = 0;

	while (time_before(jiffies, cc->deadline)) {
		int i = n++ % CC_SUBS;
		unsigned long start = T_BASE + i * CC_SPAN;
		struct mmu_notifier_range r;
		struct trn *t = cc->t[i];

		t_start(cc->mm, &r, start, start + PAGE_SIZE);
		/* The primary page changes between start and end. */
		WRITE_ONCE(cc->gen[i], READ_ONCE(cc->gen[i]) + 1);
		cond_resched();
		mmu_notifier_invalidate_range_end(&r);
		atomic_inc(&cc->invals);

		spin_lock(&t->lock);
		if (t->mapped && READ_ONCE(cc->mirror[i]) != READ_ONCE(cc->gen[i]))
			atomic_inc(&cc->stale);
		spin_unlock(&t->lock);
	}
}

/* Inserts and removes subscriptions on spans the readers also use. */
static void cc_churn(void *data)
{
	struct cc *cc = data;
	struct trn *x = kzalloc(sizeof(*x), GFP_KERNEL);
	unsigned int n = 0;

	if (x) {
		spin_lock_init(&x->lock);
		while (time_before(jiffies, cc->deadline)) {
			unsigned long start = T_BASE + (n++ % CC_SUBS) * CC_SPAN;

			if (mmu_range_notifier_insert(&x->mrn, cc->mm, start,
						      PAGE_SIZE, &cc_ops))
				break;
			cond_resched();
			mmu_range_notifier_remove(&x->mrn);
			atomic_inc(&cc->churn);
		}
		kfree(x);
	}
}

/* Readers that honour read_retry never keep a stale mapping under races. */
static void conc_collision_retry_mirror(struct kunit *test)
{
	void (*fn[3])(void *) = { cc_reader, cc_invalidator, cc_churn };
	struct cc *cc = kunit_kzalloc(test, sizeof(*cc), GFP_KERNEL);
	int i;

	KUNIT_ASSERT_NOT_NULL(test, cc);
	cc->test = test;
	cc->mm = t_mm(test);
	for (i = 0; i < CC_SUBS; i++) {
		cc->t[i] = t_trn(test);
		KUNIT_ASSERT_EQ(test, 0,
				mmu_range_notifier_insert(&cc->t[i]->mrn, cc->mm,
							  T_BASE + i * CC_SPAN,
							  PAGE_SIZE, &cc_ops));
	}
	cc->deadline = jiffies + msecs_to_jiffies(CC_MS);
	for (i = 0; i < 3; i++)
		cc->w[i] = t_worker_run(test, fn[i], cc, "mmu-notifier-cc");
	for (i = 0; i < 3; i++)
		KUNIT_EXPECT_TRUE(test, t_worker_done_within(cc->w[i],
							     CC_MS + T_WAIT_MS));

	kunit_info(test, "maps %d retries %d invalidations %d churn %d\n",
		   atomic_read(&cc->maps), atomic_read(&cc->retries),
		   atomic_read(&cc->invals), atomic_read(&cc->churn));
	KUNIT_EXPECT_EQ(test, atomic_read(&cc->stale), 0);
	KUNIT_EXPECT_GT(test, atomic_read(&cc->maps), 0);
	KUNIT_EXPECT_GT(test, atomic_read(&cc->invals), 0);
	KUNIT_EXPECT_GT(test, atomic_read(&cc->churn), 0);
	for (i = 0; i < CC_SUBS; i++)
		mmu_range_notifier_remove(&cc->t[i]->mrn);
}

/*
 * The last mmput() racing with inserts and removes on the same mm. The
 * churning thread holds a user reference across each insert, as a driver
 * must, and may itself be the one whose mmput() tears the mm down.
 */
static void cc_teardown_churn(void *data)
{
	struct cc *cc = data;
	struct trn *x = kzalloc(sizeof(*x), GFP_KERNEL);
	int gone = 0;

	if (x) {
		spin_lock_init(&x->lock);
		while (time_before(jiffies, cc->deadline)) {
			int ret;

			if (!mmget_not_zero(cc->mm)) {
				gone++;
				usleep_range(500, 1000);
				continue;
			}
			ret = mmu_range_notifier_insert(&x->mrn, cc->mm,
							T_BASE, PAGE_SIZE,
							&cc_ops);
			mmput(cc->mm);
			if (ret) {
				atomic_inc(&cc->stale);
				break;
			}
			cond_resched();
			mmu_range_notifier_remove(&x->mrn);
			atomic_inc(&cc->churn);
		}
		kfree(x);
	}
	if (gone)
		atomic_inc(&cc->retries);
}

/* An insert under a user reference never fails while the last mmput() races. */
static void conc_teardown_race(struct kunit *test)
{
	struct tctx *ctx = test->priv;
	struct cc *cc = kunit_kzalloc(test, sizeof(*cc), GFP_KERNEL);
	struct mm_struct *mm = ctx->mm;

	KUNIT_ASSERT_NOT_NULL(test, cc);
	cc->mm = mm;
	cc->t[0] = t_insert(test, T_BASE, PAGE_SIZE);
	cc->deadline = jiffies + msecs_to_jiffies(CC_MS);
	mmgrab(mm);
	cc->w[0] = t_worker_run(test, cc_teardown_churn, cc, "mmu-notifier-td");
	msleep(CC_MS / 3);
	ctx->mm = NULL;
	mmput(mm);
	KUNIT_EXPECT_TRUE(test, t_worker_done_within(cc->w[0],
						     CC_MS + T_WAIT_MS));
	KUNIT_EXPECT_EQ(test, atomic_read(&cc->stale), 0);
	KUNIT_EXPECT_EQ(test, cc->t[0]->releases, 1);
	/* The inserter saw the users leave. */
	KUNIT_EXPECT_EQ(test, atomic_read(&cc->retries), 1);
	mmu_range_notifier_remove(&cc->t[0]->mrn);
	mmdrop(mm);
}

/*
 * The last mmput() racing with the collision-retry read side. The reader
 * owns its subscription (which pins the mm, not its users) and, like a
 * driver calling hmm_range_fault(), takes a user reference only for the
 * "fault"; an invalidator does the same around each invalidation. Either
 * of them, or the test, drops the last user. mmu_range_read_begin() must
 * keep returning once the release has ended, and no mapping made with a
 * sequence from before the release may survive it.
 */
static void cc_teardown_reader(void *data)
{
	struct cc *cc = data;
	struct trn *t = cc->t[0];

	while (time_before(jiffies, cc->deadline)) {
		unsigned long seq = mmu_range_read_begin(&t->mrn);

		if (!mmget_not_zero(cc->mm)) {
			atomic_inc(&cc->retries);	/* users gone */
			usleep_range(200, 400);
			continue;
		}
		cond_resched();				/* "fault" */
		mmput(cc->mm);
		spin_lock(&t->lock);
		if (!mmu_range_read_retry(&t->mrn, seq)) {
			t->mapped = true;
			atomic_inc(&cc->maps);
		}
		spin_unlock(&t->lock);
	}
}

static void cc_teardown_invalidator(void *data)
{
	struct cc *cc = data;

	/*
	 * Start once the reader has mapped: a stream of invalidations of its
	 * span may keep it retrying for as long as the stream runs (nothing
	 * bounds that), and the mappings made before the users leave are what
	 * the release must take down. A reader that can never map shows as
	 * no invalidation at all.
	 */
	while (!atomic_read(&cc->maps) && time_before(jiffies, cc->deadline))
		usleep_range(100, 200);
	while (time_before(jiffies, cc->deadline)) {
		if (!mmget_not_zero(cc->mm)) {
			usleep_range(200, 400);
			continue;
		}
		mmap_read_lock(cc->mm);
		t_inval(cc->mm, T_BASE, T_BASE + PAGE_SIZE);
		mmap_read_unlock(cc->mm);
		atomic_inc(&cc->invals);
		mmput(cc->mm);
		cond_resched();
	}
}

/* read_begin returns after a racing release, and no mapping survives it. */
static void conc_read_begin_teardown_race(struct kunit *test)
{
	void (*fn[2])(void *) = { cc_teardown_reader, cc_teardown_invalidator };
	struct tctx *ctx = test->priv;
	struct cc *cc = kunit_kzalloc(test, sizeof(*cc), GFP_KERNEL);
	struct mm_struct *mm = ctx->mm;
	int i;

	KUNIT_ASSERT_NOT_NULL(test, cc);
	cc->mm = mm;
	cc->t[0] = t_insert(test, T_BASE, PAGE_SIZE);
	cc->deadline = jiffies + msecs_to_jiffies(CC_MS);
	mmgrab(mm);
	for (i = 0; i < 2; i++)
		cc->w[i] = t_worker_run(test, fn[i], cc, "mmu-notifier-tr");
	msleep(CC_MS / 3);
	ctx->mm = NULL;
	mmput(mm);
	for (i = 0; i < 2; i++)
		KUNIT_EXPECT_TRUE(test, t_worker_done_within(cc->w[i],
							     CC_MS + T_WAIT_MS));

	kunit_info(test, "maps %d invalidations %d reads after exit %d\n",
		   atomic_read(&cc->maps), atomic_read(&cc->invals),
		   atomic_read(&cc->retries));
	KUNIT_EXPECT_EQ(test, cc->t[0]->releases, 1);
	KUNIT_EXPECT_FALSE(test, cc->t[0]->mapped);
	KUNIT_EXPECT_GT(test, atomic_read(&cc->maps), 0);
	KUNIT_EXPECT_GT(test, atomic_read(&cc->invals), 0);
	/* The reader ran after the users left; the waits above catch a hang. */
	KUNIT_EXPECT_GT(test, atomic_read(&cc->retries), 0);
	mmu_range_notifier_remove(&cc->t[0]->mrn);
	mmdrop(mm);
}

/*
 * Randomized model test: RT_THREADS kthreads, each owning RT_SUBS
 * subscriptions, run a seeded random mix of inserts, removes, plain and
 * nested invalidations and collision-retry reads on one mm. A model kept
 * beside the API calls says what must have happened:
 *  - a subscription in the tree before an invalidation started and not
 *    being removed before it ended was called by it if it overlaps its
 *    span; no subscription is called for a span it does not overlap;
 *  - no callback runs for a subscription once its remove has returned;
 *  - a read whose subscription was called after read_begin must retry.
 * The seed is printed; test_mmu_notifier.rand_seed=N on the kernel command
 * line (kunit.py --kernel_args) replays it.
 */
static ulong rand_seed;
module_param(rand_seed, ulong, 0444);
MODULE_PARM_DESC(rand_seed, "seed of conc_random_model (0: random)");

#define RT_THREADS	3
#define RT_SUBS		6
#define RT_PAGES	48
#define RT_STEPS	1000

struct rt_sub {
	struct trn t;
	spinlock_t book;		/* guards the model fields below */
	unsigned long lo, hi;		/* span of the current insertion */
	long insert_t;			/* clock once inserted and in the tree */
	long remove_t;			/* clock when remove began */
	bool in;			/* owner's view: inserted */
	bool removed;			/* remove returned, not re-inserted */
	atomic_t seen[RT_THREADS];	/* callbacks run by each invalidator */
};

struct rt {
	struct kunit *test;
	struct mm_struct *mm;
	u64 seed;
	atomic_long_t clock;
	atomic_t bad, ops, invals, reads, retries, inserts;
	atomic_t active;		/* invalidations between start and end */
	atomic_t yields;
	struct task_struct *task[RT_THREADS];
	struct completion go;
	struct t_worker *w[RT_THREADS];
	struct rt_sub sub[RT_THREADS][RT_SUBS];
};

static struct rt *rt_cur;

static int rt_who(struct rt *rt)
{
	int i;

	for (i = 0; i < RT_THREADS; i++)
		if (rt->task[i] == current)
			return i;
	return -1;
}

static void rt_bad(struct rt *rt, const char *what, int w, int k)
{
	if (atomic_inc_return(&rt->bad) <= 5)
		pr_err("conc_random_model: seed %llu: %s (thread %d sub %d)\n",
		       rt->seed, what, w, k);
}

static bool rt_invalidate(struct mmu_range_notifier *mrn,
			  const struct mmu_notifier_range *range,
			  unsigned long cur_seq)
{
	struct rt_sub *x = container_of(mrn, struct rt_sub, t.mrn);
	struct rt *rt = rt_cur;
	int who = rt_who(rt);
	int n = x - &rt->sub[0][0];

	if (READ_ONCE(x->removed))
		rt_bad(rt, "callback after remove returned", n / RT_SUBS,
		       n % RT_SUBS);
	if (range->event != MMU_NOTIFY_RELEASE &&
	    !(range->start < x->t.mrn.interval_tree.last + 1 &&
	      x->t.mrn.interval_tree.start < range->end))
		rt_bad(rt, "callback for a span it does not overlap",
		       n / RT_SUBS, n % RT_SUBS);
	if (who >= 0)
		atomic_inc(&x->seen[who]);
	/* Now and then sleep in the callback, to let the other threads in. */
	if (mmu_notifier_range_blockable(range) &&
	    atomic_inc_return(&rt->yields) % 8 == 0) {
		usleep_range(5, 10);
		if (READ_ONCE(x->removed))
			rt_bad(rt, "remove returned during its callback",
			       n / RT_SUBS, n % RT_SUBS);
	}
	return trn_invalidate(mrn, range, cur_seq);
}

static const struct mmu_range_notifier_ops rt_ops = {
	.invalidate = rt_invalidate,
};

static unsigned long rt_addr(unsigned long page)
{
	return T_BASE + page * PAGE_SIZE;
}

static void rt_insert(struct rt *rt, struct rnd_state *rnd, struct rt_sub *x)
{
	unsigned long lo = prandom_u32_state(rnd) % RT_PAGES;
	unsigned long len = 1 + prandom_u32_state(rnd) % 4;
	bool settled;

	/* Callbacks may run as soon as the insert is done, before it returns. */
	WRITE_ONCE(x->removed, false);
	if (mmu_range_notifier_insert(&x->t.mrn, rt->mm, rt_addr(lo),
				      len * PAGE_SIZE, &rt_ops)) {
		rt_bad(rt, "insert failed", rt_who(rt), -1);
		return;
	}
	/*
	 * An insert that met a running invalidation is deferred: the
	 * subscription reads as colliding, but is not in the tree until the
	 * last invalidation ends, so no invalidation has to call it before.
	 * Only when none ran after insert returned is it known to be in.
	 */
	settled = atomic_add_return(0, &rt->active) == 0;
	spin_lock(&x->book);
	x->lo = rt_addr(lo);
	x->hi = rt_addr(lo + len);
	x->insert_t = settled ? atomic_long_inc_return(&rt->clock) : 0;
	x->in = true;
	spin_unlock(&x->book);
	atomic_inc(&rt->inserts);
}

static void rt_remove(struct rt *rt, struct rt_sub *x)
{
	spin_lock(&x->book);
	x->remove_t = atomic_long_inc_return(&rt->clock);
	spin_unlock(&x->book);
	mmu_range_notifier_remove(&x->t.mrn);
	spin_lock(&x->book);
	x->in = false;
	WRITE_ONCE(x->removed, true);
	spin_unlock(&x->book);
}

/* One invalidation, or two nested ones, checked against the model. */
static void rt_invalidations(struct rt *rt, struct rnd_state *rnd, int me)
{
	static int snap[RT_THREADS][RT_THREADS][RT_SUBS];
	struct mmu_notifier_range r[2];
	unsigned long s[2], e[2];
	int n = prandom_u32_state(rnd) % 4 ? 1 : 2;
	long t0, t1;
	int i, w, k;

	for (i = 0; i < n; i++) {
		s[i] = prandom_u32_state(rnd) % RT_PAGES;
		e[i] = s[i] + 1 + prandom_u32_state(rnd) % 8;
		s[i] = rt_addr(s[i]);
		e[i] = rt_addr(e[i]);
	}
	for (w = 0; w < RT_THREADS; w++)
		for (k = 0; k < RT_SUBS; k++)
			snap[me][w][k] = atomic_read(&rt->sub[w][k].seen[me]);
	/*
	 * As the core mm does, invalidate under the mmap lock: it keeps the
	 * first range insert (which takes it for write) from changing the
	 * mm's notifier state between a start and its end.
	 */
	mmap_read_lock(rt->mm);
	atomic_inc(&rt->active);
	t0 = atomic_long_inc_return(&rt->clock);
	for (i = 0; i < n; i++) {
		t_start(rt->mm, &r[i], s[i], e[i]);
		if (prandom_u32_state(rnd) % 4 == 0)
			usleep_range(5, 10);
	}
	for (i = n - 1; i >= 0; i--)
		mmu_notifier_invalidate_range_end(&r[i]);
	t1 = atomic_long_inc_return(&rt->clock);
	atomic_dec(&rt->active);
	mmap_read_unlock(rt->mm);
	atomic_add(n, &rt->invals);

	for (w = 0; w < RT_THREADS; w++) {
		for (k = 0; k < RT_SUBS; k++) {
			struct rt_sub *x = &rt->sub[w][k];
			int got = atomic_read(&x->seen[me]) - snap[me][w][k];
			int want = 0;
			bool stable;

			spin_lock(&x->book);
			stable = x->insert_t && x->insert_t < t0 &&
				 (x->remove_t < x->insert_t || x->remove_t > t1);
			for (i = 0; i < n; i++)
				want += x->lo < e[i] && s[i] < x->hi;
			spin_unlock(&x->book);
			if (stable && got < want)
				rt_bad(rt, "an overlapping invalidation missed it", w, k);
		}
	}
}

/* The collision-retry read side; a callback after read_begin => retry. */
static void rt_read(struct rt *rt, struct rt_sub *x)
{
	unsigned long seq = mmu_range_read_begin(&x->t.mrn);
	unsigned int c0, c1;
	bool retry, hint;

	spin_lock(&x->t.lock);
	c0 = x->t.calls;
	spin_unlock(&x->t.lock);
	usleep_range(5, 10);
	spin_lock(&x->t.lock);
	retry = mmu_range_read_retry(&x->t.mrn, seq);
	c1 = x->t.calls;
	spin_unlock(&x->t.lock);
	hint = mmu_range_check_retry(&x->t.mrn, seq);
	if (c1 != c0 && (!retry || !hint))
		rt_bad(rt, "called after read_begin, but no retry", rt_who(rt),
		       x - rt->sub[rt_who(rt)]);
	atomic_inc(&rt->reads);
	if (retry)
		atomic_inc(&rt->retries);
}

static void rt_thread(void *data)
{
	struct rt *rt = data;
	int me = rt_who(rt), step;
	struct rnd_state rnd;

	wait_for_completion(&rt->go);
	me = rt_who(rt);
	prandom_seed_state(&rnd, rt->seed + me);
	for (step = 0; step < RT_STEPS && !atomic_read(&rt->bad); step++) {
		struct rt_sub *x = &rt->sub[me][prandom_u32_state(&rnd) % RT_SUBS];

		switch (prandom_u32_state(&rnd) % 4) {
		case 0:
			if (!x->in)
				rt_insert(rt, &rnd, x);
			else
				rt_remove(rt, x);
			break;
		case 1:
		case 2:
			rt_invalidations(rt, &rnd, me);
			break;
		case 3:
			if (x->in)
				rt_read(rt, x);
			break;
		}
		atomic_inc(&rt->ops);
		if (step % 16 == 0)
			cond_resched();
	}
	for (step = 0; step < RT_SUBS; step++)
		if (rt->sub[me][step].in)
			rt_remove(rt, &rt->sub[me][step]);
}

/* Racing threads see no missed, stray or late callback and no missed retry. */
static void conc_random_model(struct kunit *test)
{
	struct rt *rt = kunit_kzalloc(test, sizeof(*rt), GFP_KERNEL);
	int w, k;

	KUNIT_ASSERT_NOT_NULL(test, rt);
	rt->test = test;
	rt->mm = t_mm(test);
	rt->seed = rand_seed ? rand_seed : get_random_u64();
	kunit_info(test, "seed %llu (replay: test_mmu_notifier.rand_seed=%llu)\n",
		   rt->seed, rt->seed);
	init_completion(&rt->go);
	for (w = 0; w < RT_THREADS; w++) {
		for (k = 0; k < RT_SUBS; k++) {
			spin_lock_init(&rt->sub[w][k].t.lock);
			spin_lock_init(&rt->sub[w][k].book);
		}
	}
	rt_cur = rt;
	for (w = 0; w < RT_THREADS; w++) {
		rt->w[w] = t_worker_run(test, rt_thread, rt, "mmu-notifier-rt");
		rt->task[w] = rt->w[w]->task;
	}
	complete_all(&rt->go);
	for (w = 0; w < RT_THREADS; w++)
		KUNIT_ASSERT_TRUE(test, t_worker_done_within(rt->w[w], 60000));
	kunit_info(test, "seed %llu: %d ops, %d invalidations, %d inserts, %d reads (%d retried)\n",
		   rt->seed, atomic_read(&rt->ops), atomic_read(&rt->invals),
		   atomic_read(&rt->inserts), atomic_read(&rt->reads),
		   atomic_read(&rt->retries));
	KUNIT_EXPECT_EQ_MSG(test, atomic_read(&rt->bad), 0,
			    "seed %llu: replay with test_mmu_notifier.rand_seed=%llu",
			    rt->seed, rt->seed);
	KUNIT_EXPECT_GT(test, atomic_read(&rt->invals), 0);
	KUNIT_EXPECT_GT(test, atomic_read(&rt->reads), 0);
	rt_cur = NULL;
}

/* ---- liveness: a stream of invalidations that never lets the mm idle ---- */

/*
 * A kthread that keeps overlapping invalidations of [start, end) going:
 * each starts before the previous one ends, so at every moment one runs.
 */
struct t_stream {
	struct mm_struct *mm;
	unsigned long start, end;
	struct t_worker *w;
	bool stop;
	unsigned long rounds;
};

static void t_stream_fn(void *data)
{
	struct t_stream *st = data;
	struct mmu_notifier_range r[2];
	unsigned int i = 0;

	t_start(st->mm, &r[0], st->start, st->end);
	while (!READ_ONCE(st->stop)) {
		t_start(st->mm, &r[!i], st->start, st->end);
		usleep_range(100, 200);
		mmu_notifier_invalidate_range_end(&r[i]);
		i = !i;
		WRITE_ONCE(st->rounds, st->rounds + 1);
	}
	mmu_notifier_invalidate_range_end(&r[i]);
}

static void t_stream_stop_now(void *data)
{
	struct t_stream *st = data;

	WRITE_ONCE(st->stop, true);
}

/*
 * Start a stream over [start, end) of the case's mm. However the case ends,
 * the stream is told to stop (an action, run before the worker's join).
 */
static struct t_stream *t_stream_start(struct kunit *test,
				       unsigned long start, unsigned long end)
{
	struct t_stream *st = kunit_kzalloc(test, sizeof(*st), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, st);
	st->mm = t_mm(test);
	st->start = start;
	st->end = end;
	st->w = t_worker_run(test, t_stream_fn, st, "mmu-notifier-stream");
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test,
							   t_stream_stop_now,
							   st));
	/* Running: a few rounds overlapped already. */
	while (READ_ONCE(st->rounds) < 4)
		usleep_range(100, 200);
	return st;
}

static void t_stream_stop(struct kunit *test, struct t_stream *st)
{
	t_stream_stop_now(st);
	KUNIT_EXPECT_TRUE(test, t_worker_done_within(st->w, T_WAIT_MS));
}

/*
 * Run @fn on @t in a second thread while @st keeps invalidating, and
 * expect it to return while the stream still runs. Whatever happens, the
 * stream is stopped and the thread joined before the return.
 */
static void t_live(struct kunit *test, struct t_stream *st,
		   void (*fn)(struct t_async *a), struct trn *t)
{
	unsigned long before = READ_ONCE(st->rounds);
	struct t_async *a;
	bool in_time;

	a = t_async_start(test, fn, t);
	in_time = t_async_done_within(a, T_WAIT_MS);
	KUNIT_EXPECT_TRUE_MSG(test, in_time,
			      "held up by invalidations that did not hit it");
	/* The stream kept overlapping all along: it was never idle. */
	KUNIT_EXPECT_GT(test, READ_ONCE(st->rounds), before);
	t_stream_stop(test, st);
	if (!in_time)
		KUNIT_EXPECT_TRUE(test, t_async_done_within(a, T_WAIT_MS));
}

/*
 * Hit a subscription once while a stream of invalidations runs past it,
 * over a subscription of its own if @other, and read it back.
 */
static void t_live_read_begin(struct kunit *test, bool other)
{
	struct mm_struct *mm = t_mm(test);
	struct trn *t = t_insert(test, T_BASE, PAGE_SIZE);
	struct trn *o = NULL;
	struct t_stream *st;

	if (other)
		o = t_insert(test, T_BASE + 16 * PAGE_SIZE, PAGE_SIZE);
	st = t_stream_start(test, T_BASE + 16 * PAGE_SIZE,
			    T_BASE + 17 * PAGE_SIZE);
	t_inval(mm, T_BASE, T_BASE + PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, t->calls, 1);
	t_live(test, st, t_async_read_begin, t);
	mmu_range_notifier_remove(&t->mrn);
	if (o) {
		KUNIT_EXPECT_GT(test, o->calls, 4U);
		mmu_range_notifier_remove(&o->mrn);
	}
}

/*
 * read_begin waits for the invalidation that hit its subscription, not for
 * a stream of later invalidations that hit nothing.
 */
static void conc_live_read_begin_ignores_missing_stream(struct kunit *test)
{
	t_live_read_begin(test, false);
}

/*
 * read_begin waits for the invalidation that hit its subscription, not for
 * a stream of later invalidations that keep hitting another subscription.
 */
static void conc_live_read_begin_ignores_other_hits(struct kunit *test)
{
	t_live_read_begin(test, true);
}

/*
 * A subscription inserted while a stream hits another one joins the tree
 * and reads without waiting for the rest of the stream; invalidations of
 * its span then find it.
 */
static void conc_live_insert_joins_during_stream(struct kunit *test)
{
	struct mm_struct *mm = t_mm(test);
	struct trn *other = t_insert(test, T_BASE + 16 * PAGE_SIZE, PAGE_SIZE);
	struct t_stream *st;
	struct trn *t;

	st = t_stream_start(test, T_BASE + 16 * PAGE_SIZE,
			    T_BASE + 17 * PAGE_SIZE);
	t = t_insert(test, T_BASE, PAGE_SIZE);
	t_live(test, st, t_async_read_begin, t);
	t_inval(mm, T_BASE, T_BASE + PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, t->calls, 1);
	mmu_range_notifier_remove(&t->mrn);
	mmu_range_notifier_remove(&other->mrn);
}

/*
 * A remove returns while a stream keeps hitting it and another
 * subscription of the mm: it waits only until no walk can still call it.
 */
static void conc_live_remove_during_other_hits(struct kunit *test)
{
	struct mm_struct *mm = t_mm(test);
	struct trn *t = t_insert(test, T_BASE, PAGE_SIZE);
	struct trn *other = t_insert(test, T_BASE + 16 * PAGE_SIZE, PAGE_SIZE);
	struct t_stream *st;

	st = t_stream_start(test, T_BASE, T_BASE + 17 * PAGE_SIZE);
	t_live(test, st, t_async_remove, t);
	KUNIT_EXPECT_NULL(test, t->mrn.mm);
	/* Out of the tree: nothing calls it any more. */
	t->calls = 0;
	t_inval(mm, T_BASE, T_BASE + PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, t->calls, 0);
	mmu_range_notifier_remove(&other->mrn);
}

/* ====================================================================== */
/* mmu_notifier_classic: struct mmu_notifier and its callbacks             */
/* ====================================================================== */

struct tmn {
	struct mmu_notifier mn;
	atomic_t starts, ends, releases, frees;
	int young;
	bool refuse_nonblock;
	bool blockable;
	bool end_in_map;	/* the end ran under the start's lockdep map */
	bool registered;	/* by t_register_ops(), until t_unregister() */
};

static struct tmn *to_tmn(struct mmu_notifier *mn)
{
	return container_of(mn, struct tmn, mn);
}

/*
 * Two removes of one subscription racing each other, with and without an
 * invalidation holding the first one up: exactly one of them removes it,
 * the mm's pin is dropped once, and the tree stays intact.
 */
static void conc_double_remove_claims_once(struct kunit *test)
{
	struct mm_struct *mm = t_mm(test);
	unsigned int i, rounds = 64, calls = 0;
	struct trn *keep;

	T_MISUSE(test);
	keep = t_insert(test, T_BASE + PAGE_SIZE, PAGE_SIZE);

	for (i = 0; i < rounds; i++) {
		struct trn *t = t_insert(test, T_BASE, PAGE_SIZE);
		int pins = atomic_read(&mm->mm_count);
		struct mmu_notifier_range r;
		struct t_async *a, *b;
		bool held = i & 1;

		if (held)
			t_start(mm, &r, T_BASE, T_BASE + PAGE_SIZE);
		a = t_async_start(test, t_async_remove, t);
		b = t_async_start(test, t_async_remove, t);
		if (held) {
			if (i & 2)
				usleep_range(1000, 2000);
			mmu_notifier_invalidate_range_end(&r);
		}
		KUNIT_ASSERT_TRUE(test, t_async_done_within(a, T_WAIT_MS));
		KUNIT_ASSERT_TRUE(test, t_async_done_within(b, T_WAIT_MS));
		KUNIT_EXPECT_EQ(test, atomic_read(&mm->mm_count), pins - 1);
		KUNIT_EXPECT_NULL(test, t->mrn.mm);

		t_inval(mm, T_BASE, T_BASE + 2 * PAGE_SIZE);
		calls++;
		KUNIT_EXPECT_EQ(test, t->calls, held ? 1U : 0U);
		KUNIT_ASSERT_EQ(test, keep->calls, calls);
	}
	mmu_range_notifier_remove(&keep->mrn);
}

static int tmn_start(struct mmu_notifier *mn,
		     const struct mmu_notifier_range *range)
{
	struct tmn *t = to_tmn(mn);

	t->blockable = mmu_notifier_range_blockable(range);
	if (t->refuse_nonblock && !t->blockable)
		return -EAGAIN;
	atomic_inc(&t->starts);
	return 0;
}

static void tmn_end(struct mmu_notifier *mn,
		    const struct mmu_notifier_range *range)
{
#ifdef CONFIG_LOCKDEP
	to_tmn(mn)->end_in_map =
		lock_is_held(&__mmu_notifier_invalidate_range_start_map);
#endif
	atomic_inc(&to_tmn(mn)->ends);
}

static void tmn_release(struct mmu_notifier *mn, struct mm_struct *mm)
{
	atomic_inc(&to_tmn(mn)->releases);
}

static int tmn_young(struct mmu_notifier *mn, struct mm_struct *mm,
		     unsigned long start, unsigned long end)
{
	return to_tmn(mn)->young;
}

static int tmn_test_young(struct mmu_notifier *mn, struct mm_struct *mm,
			  unsigned long address)
{
	return to_tmn(mn)->young;
}

static atomic_t tmn_freed = ATOMIC_INIT(0);

static struct mmu_notifier *tmn_alloc(struct mm_struct *mm)
{
	struct tmn *t = kzalloc(sizeof(*t), GFP_KERNEL);

	return t ? &t->mn : ERR_PTR(-ENOMEM);
}

static void tmn_free(struct mmu_notifier *mn)
{
	atomic_inc(&tmn_freed);
	kfree(to_tmn(mn));
}

static const struct mmu_notifier_ops tmn_ops = {
	.release = tmn_release,
	.invalidate_range_start = tmn_start,
	.invalidate_range_end = tmn_end,
	.clear_flush_young = tmn_young,
	.clear_young = tmn_young,
	.test_young = tmn_test_young,
	.alloc_notifier = tmn_alloc,
	.free_notifier = tmn_free,
};

/* A notifier whose start may refuse has no end: the contract. */
static const struct mmu_notifier_ops tmn_refusing_ops = {
	.release = tmn_release,
	.invalidate_range_start = tmn_start,
	.alloc_notifier = tmn_alloc,
	.free_notifier = tmn_free,
};

/*
 * At the end of a case, unregister a notifier the case left registered:
 * one whose case failed an assertion before its own t_unregister().
 */
static void t_unregister_left(void *data)
{
	struct tmn *t = data;

	if (t->registered)
		mmu_notifier_unregister(&t->mn, t->mn.mm);
}

static struct tmn *t_register_ops(struct kunit *test,
				  const struct mmu_notifier_ops *ops)
{
	struct tmn *t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, t);
	t->mn.ops = ops;
	KUNIT_ASSERT_EQ(test, 0, mmu_notifier_register(&t->mn, t_mm(test)));
	t->registered = true;
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, t_unregister_left, t));
	return t;
}

static void t_unregister(struct tmn *t, struct mm_struct *mm)
{
	t->registered = false;
	mmu_notifier_unregister(&t->mn, mm);
}

static struct tmn *t_register(struct kunit *test)
{
	return t_register_ops(test, &tmn_ops);
}

/* Register brings start and end; unregister releases and stops callbacks. */
static void classic_register_invalidate_unregister(struct kunit *test)
{
	struct mm_struct *mm = t_mm(test);
	struct tmn *t;

	KUNIT_EXPECT_FALSE(test, mm_has_notifiers(mm));
	t = t_register(test);
	KUNIT_EXPECT_TRUE(test, mm_has_notifiers(mm));
	KUNIT_EXPECT_PTR_EQ(test, t->mn.mm, mm);

	t_inval(mm, T_BASE, T_BASE + PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, atomic_read(&t->starts), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&t->ends), 1);
	KUNIT_EXPECT_TRUE(test, t->blockable);

	t_unregister(t, mm);
	KUNIT_EXPECT_EQ(test, atomic_read(&t->releases), 1);
	t_inval(mm, T_BASE, T_BASE + PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, atomic_read(&t->starts), 1);
}

/* Every registered notifier gets its start, and its end only at the end. */
static void classic_several_paired(struct kunit *test)
{
	struct mm_struct *mm = t_mm(test);
	struct mmu_notifier_range r;
	struct tmn *t[3];
	int i;

	for (i = 0; i < 3; i++)
		t[i] = t_register(test);
	t_start(mm, &r, T_BASE, T_BASE + PAGE_SIZE);
	for (i = 0; i < 3; i++) {
		KUNIT_EXPECT_EQ(test, atomic_read(&t[i]->starts), 1);
		KUNIT_EXPECT_EQ(test, atomic_read(&t[i]->ends), 0);
	}
	mmu_notifier_invalidate_range_end(&r);
	for (i = 0; i < 3; i++) {
		KUNIT_EXPECT_EQ(test, atomic_read(&t[i]->ends), 1);
		t_unregister(t[i], mm);
	}
}

/* A refused non-blocking start ends the notifiers that started before it. */
static void classic_nonblock_unwinds(struct kunit *test)
{
	struct mm_struct *mm = t_mm(test);
	struct mmu_notifier_range r;
	struct tmn *no, *a, *b;

	/* New notifiers go first: b and a start before no refuses. */
	no = t_register_ops(test, &tmn_refusing_ops);
	no->refuse_nonblock = true;
	a = t_register(test);
	b = t_register(test);

	mmu_notifier_range_init(&r, MMU_NOTIFY_CLEAR, 0, mm, T_BASE,
				T_BASE + PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, mmu_notifier_invalidate_range_start_nonblock(&r),
			-EAGAIN);
	KUNIT_EXPECT_FALSE(test, a->blockable);
	KUNIT_EXPECT_EQ(test, atomic_read(&a->starts), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&a->ends), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&b->starts), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&b->ends), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&no->starts), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&no->ends), 0);

	t_unregister(b, mm);
	t_unregister(a, mm);
	t_unregister(no, mm);
}

/* A classic refusal also ends the range part, so readers do not wait. */
static void classic_nonblock_unwinds_range(struct kunit *test)
{
	struct mm_struct *mm = t_mm(test);
	struct trn *t = t_insert(test, T_BASE, PAGE_SIZE);
	struct tmn *no = t_register_ops(test, &tmn_refusing_ops);
	struct mmu_notifier_range r;
	struct t_async *a;

	no->refuse_nonblock = true;
	mmu_notifier_range_init(&r, MMU_NOTIFY_CLEAR, 0, mm, T_BASE,
				T_BASE + PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, mmu_notifier_invalidate_range_start_nonblock(&r),
			-EAGAIN);
	KUNIT_EXPECT_EQ(test, t->calls, 1);

	/* The range part was ended too: a new section does not wait. */
	a = t_async_start(test, t_async_read_begin, t);
	KUNIT_ASSERT_TRUE(test, t_async_done_within(a, T_WAIT_MS));
	KUNIT_EXPECT_FALSE(test, mmu_range_read_retry(&t->mrn, a->seq));
	t_unregister(no, mm);
	mmu_range_notifier_remove(&t->mrn);
}

/* A refusing start that takes its own notifier off the list first. */
static int tmn_refuse_and_put(struct mmu_notifier *mn,
			      const struct mmu_notifier_range *range)
{
	if (mmu_notifier_range_blockable(range))
		return 0;
	mmu_notifier_put(mn);
	return -EAGAIN;
}

/*
 * A refused non-blocking start ends exactly the notifiers it started, even
 * when the refusing notifier leaves the list during the walk.
 */
static void classic_unwind_survives_put_of_refuser(struct kunit *test)
{
	static const struct mmu_notifier_ops refuse_put_ops = {
		.invalidate_range_start = tmn_refuse_and_put,
		.alloc_notifier = tmn_alloc,
		.free_notifier = tmn_free,
	};
	struct mm_struct *mm = t_mm(test);
	struct mmu_notifier_range r;
	struct mmu_notifier *no;
	struct tmn *early, *late;

	/* The list runs late, no, early: new notifiers go first. */
	early = t_register(test);
	no = mmu_notifier_get(&refuse_put_ops, mm);
	KUNIT_ASSERT_FALSE(test, IS_ERR(no));
	late = t_register(test);

	mmu_notifier_range_init(&r, MMU_NOTIFY_CLEAR, 0, mm, T_BASE,
				T_BASE + PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, mmu_notifier_invalidate_range_start_nonblock(&r),
			-EAGAIN);
	KUNIT_EXPECT_EQ(test, atomic_read(&late->ends),
			atomic_read(&late->starts));
	KUNIT_EXPECT_EQ(test, atomic_read(&early->ends),
			atomic_read(&early->starts));
	KUNIT_EXPECT_LE(test, atomic_read(&late->ends), 1);

	mmu_notifier_synchronize();
	t_unregister(late, mm);
	t_unregister(early, mm);
}

/*
 * The end undoes what the start did even when the mm already had notifier
 * state: a start that walked only the classic list, then the first range
 * subscription (which sets up the tree), then the end. The new tree must
 * not get an end for an invalidation it never counted, or its count of
 * running invalidations goes wrong and read sections wait forever.
 */
static void range_end_after_classic_only_start(struct kunit *test)
{
	struct mm_struct *mm = t_mm(test);
	struct tmn *c = t_register(test);
	struct mmu_notifier_range r;
	struct t_async *a;
	struct trn *t;

	t_start(mm, &r, T_BASE, T_BASE + PAGE_SIZE);
	t = t_insert(test, T_BASE, PAGE_SIZE);
	mmu_notifier_invalidate_range_end(&r);
	KUNIT_EXPECT_EQ(test, atomic_read(&c->starts), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&c->ends), 1);
	KUNIT_EXPECT_EQ(test, t->calls, 0);

	/* The tree counts and ends its own invalidations as usual. */
	t_inval(mm, T_BASE, T_BASE + PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, t->calls, 1);
	a = t_async_start(test, t_async_read_begin, t);
	KUNIT_ASSERT_TRUE(test, t_async_done_within(a, T_WAIT_MS));
	KUNIT_EXPECT_FALSE(test, mmu_range_read_retry(&t->mrn, a->seq));
	/* And the next generation, counted in the other slot, too. */
	t_inval(mm, T_BASE, T_BASE + PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, t->calls, 2);
	a = t_async_start(test, t_async_read_begin, t);
	KUNIT_ASSERT_TRUE(test, t_async_done_within(a, T_WAIT_MS));
	KUNIT_EXPECT_FALSE(test, mmu_range_read_retry(&t->mrn, a->seq));
	a = t_async_start(test, t_async_remove, t);
	KUNIT_EXPECT_TRUE(test, t_async_done_within(a, T_WAIT_MS));
	t_unregister(c, mm);
}

/* A notifier registered between start and end gets no end for that start. */
static void classic_end_undoes_only_what_start_did(struct kunit *test)
{
	struct mm_struct *mm = t_mm(test);
	struct mmu_notifier_range r;
	struct tmn *t;

	t_start(mm, &r, T_BASE, T_BASE + PAGE_SIZE);
	t = t_register(test);
	mmu_notifier_invalidate_range_end(&r);
	KUNIT_EXPECT_EQ(test, atomic_read(&t->starts), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&t->ends), 0);

	t_inval(mm, T_BASE, T_BASE + PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, atomic_read(&t->starts), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&t->ends), 1);
	t_unregister(t, mm);
}

/*
 * The end runs under the lockdep map of the start, so lockdep checks end
 * callbacks against reclaim as it checks start callbacks.
 */
static void classic_end_under_lockdep_map(struct kunit *test)
{
#ifdef CONFIG_LOCKDEP
	struct mm_struct *mm = t_mm(test);
	struct tmn *t = t_register(test);

	t_inval(mm, T_BASE, T_BASE + PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, atomic_read(&t->ends), 1);
	KUNIT_EXPECT_TRUE(test, t->end_in_map);
	t_unregister(t, mm);
#else
	kunit_skip(test, "needs LOCKDEP");
#endif
}

static void tmn_tlbs(struct mmu_notifier *mn, struct mm_struct *mm,
		     unsigned long start, unsigned long end);

/*
 * A notifier that asks for secondary TLB flushes and for range start/end
 * is refused with -EINVAL, and nothing is set up.
 */
static void classic_conflicting_ops_refused(struct kunit *test)
{
	static const struct mmu_notifier_ops both_ops = {
		.arch_invalidate_secondary_tlbs = tmn_tlbs,
		.invalidate_range_start = tmn_start,
	};
	struct mm_struct *mm = t_mm(test);
	struct tmn *t;

	T_MISUSE(test);
	t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t);
	t->mn.ops = &both_ops;
	/* Expected warning (tests/expected-log-lines). */
	KUNIT_EXPECT_EQ(test, mmu_notifier_register(&t->mn, mm), -EINVAL);
	KUNIT_EXPECT_FALSE(test, mm_has_notifiers(mm));
	KUNIT_EXPECT_NULL(test, t->mn.mm);
}

/* Repeated gets share one notifier, freed only after the last put. */
static void classic_get_put(struct kunit *test)
{
	struct mm_struct *mm = t_mm(test);
	struct mmu_notifier *a, *b;
	int freed = atomic_read(&tmn_freed);

	a = mmu_notifier_get(&tmn_ops, mm);
	KUNIT_ASSERT_FALSE(test, IS_ERR(a));
	b = mmu_notifier_get(&tmn_ops, mm);
	KUNIT_EXPECT_PTR_EQ(test, a, b);
	KUNIT_EXPECT_EQ(test, a->users, 2U);

	t_inval(mm, T_BASE, T_BASE + PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, atomic_read(&to_tmn(a)->starts), 1);

	mmu_notifier_put(b);
	mmu_notifier_synchronize();
	KUNIT_EXPECT_EQ(test, atomic_read(&tmn_freed), freed);
	mmu_notifier_put(a);
	mmu_notifier_synchronize();
	KUNIT_EXPECT_EQ(test, atomic_read(&tmn_freed), freed + 1);
}

/* The young queries report young if any notifier says so. */
static void classic_young(struct kunit *test)
{
	struct mm_struct *mm = t_mm(test);
	struct tmn *a = t_register(test);
	struct tmn *b = t_register(test);

	KUNIT_EXPECT_EQ(test, mmu_notifier_clear_flush_young(mm, 0, PAGE_SIZE),
			0);
	KUNIT_EXPECT_EQ(test, mmu_notifier_test_young(mm, 0), 0);
	a->young = 1;
	KUNIT_EXPECT_EQ(test, mmu_notifier_clear_flush_young(mm, 0, PAGE_SIZE),
			1);
	KUNIT_EXPECT_EQ(test, mmu_notifier_clear_young(mm, 0, PAGE_SIZE), 1);
	KUNIT_EXPECT_EQ(test, mmu_notifier_test_young(mm, 0), 1);
	a->young = 0;
	b->young = 1;
	KUNIT_EXPECT_EQ(test, mmu_notifier_clear_young(mm, 0, PAGE_SIZE), 1);
	KUNIT_EXPECT_EQ(test, mmu_notifier_test_young(mm, 0), 1);

	t_unregister(a, mm);
	t_unregister(b, mm);
}

/* A notifier is released once; unregister after the mm's release adds none. */
static void classic_release_once(struct kunit *test)
{
	struct tctx *ctx = test->priv;
	struct mm_struct *mm = ctx->mm;
	struct tmn *t = t_register(test);

	ctx->mm = NULL;
	mmput(mm);
	KUNIT_EXPECT_EQ(test, atomic_read(&t->releases), 1);

	/* Unregister after release does not release again. */
	t_unregister(t, mm);
	KUNIT_EXPECT_EQ(test, atomic_read(&t->releases), 1);
}

/* Gets with different ops return different notifiers. */
static void classic_get_per_ops(struct kunit *test)
{
	static const struct mmu_notifier_ops other_ops = {
		.alloc_notifier = tmn_alloc,
		.free_notifier = tmn_free,
	};
	struct mm_struct *mm = t_mm(test);
	struct mmu_notifier *a, *b;

	a = mmu_notifier_get(&tmn_ops, mm);
	b = mmu_notifier_get(&other_ops, mm);
	KUNIT_ASSERT_FALSE(test, IS_ERR(a));
	KUNIT_ASSERT_FALSE(test, IS_ERR(b));
	KUNIT_EXPECT_PTR_NE(test, a, b);
	mmu_notifier_put(a);
	mmu_notifier_put(b);
	mmu_notifier_synchronize();
}

/* A put after the mm's release still frees the notifier. */
static void classic_put_after_release(struct kunit *test)
{
	struct tctx *ctx = test->priv;
	struct mm_struct *mm = ctx->mm;
	int freed = atomic_read(&tmn_freed);
	struct mmu_notifier *mn;

	mn = mmu_notifier_get(&tmn_ops, mm);
	KUNIT_ASSERT_FALSE(test, IS_ERR(mn));
	ctx->mm = NULL;
	mmput(mm);
	KUNIT_EXPECT_EQ(test, atomic_read(&to_tmn(mn)->releases), 1);
	mmu_notifier_put(mn);
	mmu_notifier_synchronize();
	KUNIT_EXPECT_EQ(test, atomic_read(&tmn_freed), freed + 1);
}

static unsigned long tlb_start, tlb_end;

static void tmn_tlbs(struct mmu_notifier *mn, struct mm_struct *mm,
		     unsigned long start, unsigned long end)
{
	tlb_start = start;
	tlb_end = end;
}

/* Secondary TLB flushes reach the notifier with the range; others skip it. */
static void classic_secondary_tlbs(struct kunit *test)
{
	static const struct mmu_notifier_ops tlb_ops = {
		.arch_invalidate_secondary_tlbs = tmn_tlbs,
	};
	struct mm_struct *mm = t_mm(test);
	struct tmn *t = t_register_ops(test, &tlb_ops);

	mmu_notifier_arch_invalidate_secondary_tlbs(mm, T_BASE,
						    T_BASE + 3 * PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, tlb_start, T_BASE);
	KUNIT_EXPECT_EQ(test, tlb_end, T_BASE + 3 * PAGE_SIZE);
	/* Notifiers without the other callbacks are simply skipped. */
	t_inval(mm, T_BASE, T_BASE + PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, mmu_notifier_test_young(mm, T_BASE), 0);
	t_unregister(t, mm);
}

/*
 * Teardown of classic notifiers racing with invalidations on another CPU:
 * unregister, and get/put/synchronize, as a module being unloaded would.
 * After unregister returns, or after synchronize once put dropped the last
 * reference, no callback may run; no end arrives without its start.
 */
struct td {
	struct mm_struct *mm;
	unsigned long deadline;
	struct t_worker *w;
	atomic_t invals;
};

static void td_invalidator(void *data)
{
	struct td *td = data;

	while (time_before(jiffies, td->deadline)) {
		mmap_read_lock(td->mm);
		t_inval(td->mm, T_BASE, T_BASE + PAGE_SIZE);
		mmap_read_unlock(td->mm);
		atomic_inc(&td->invals);
		cond_resched();
	}
}

static struct td *td_start(struct kunit *test)
{
	struct td *td = kunit_kzalloc(test, sizeof(*td), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, td);
	td->mm = t_mm(test);
	td->deadline = jiffies + msecs_to_jiffies(CC_MS);
	td->w = t_worker_run(test, td_invalidator, td, "mmu-notifier-td-inv");
	return td;
}

/* Once unregister returns no callback reaches it; no end lacks its start. */
static void conc_unregister_during_invalidations(struct kunit *test)
{
	struct td *td = td_start(test);
	int rounds = 0, bad = 0;

	while (time_before(jiffies, td->deadline)) {
		struct tmn *t = kzalloc(sizeof(*t), GFP_KERNEL);
		int starts, ends;

		KUNIT_ASSERT_NOT_NULL(test, t);
		t->mn.ops = &tmn_ops;
		KUNIT_ASSERT_EQ(test, 0, mmu_notifier_register(&t->mn, td->mm));
		usleep_range(50, 100);
		mmu_notifier_unregister(&t->mn, td->mm);
		starts = atomic_read(&t->starts);
		ends = atomic_read(&t->ends);
		/*
		 * Nothing may reach it from here on. An invalidation that was
		 * between its start and its end may not deliver the end, but
		 * no end comes without its start.
		 */
		usleep_range(50, 100);
		if (ends > starts || atomic_read(&t->starts) != starts ||
		    atomic_read(&t->ends) != ends)
			bad++;
		kfree(t);
		rounds++;
	}
	KUNIT_EXPECT_TRUE(test, t_worker_done_within(td->w, T_WAIT_MS));
	kunit_info(test, "%d register/unregister rounds against %d invalidations\n",
		   rounds, atomic_read(&td->invals));
	KUNIT_EXPECT_EQ(test, bad, 0);
	KUNIT_EXPECT_GT(test, rounds, 0);
	KUNIT_EXPECT_GT(test, atomic_read(&td->invals), 0);
}

/* put then synchronize frees the notifier each round, amid invalidations. */
static void conc_put_synchronize_during_invalidations(struct kunit *test)
{
	struct td *td = td_start(test);
	int freed = atomic_read(&tmn_freed);
	int rounds = 0;

	while (time_before(jiffies, td->deadline)) {
		struct mmu_notifier *mn = mmu_notifier_get(&tmn_ops, td->mm);

		KUNIT_ASSERT_FALSE(test, IS_ERR(mn));
		usleep_range(50, 100);
		mmu_notifier_put(mn);
		mmu_notifier_synchronize();
		rounds++;
		/* Freed once per round, by the time synchronize returns. */
		if (atomic_read(&tmn_freed) != freed + rounds)
			break;
	}
	KUNIT_EXPECT_TRUE(test, t_worker_done_within(td->w, T_WAIT_MS));
	kunit_info(test, "%d get/put/synchronize rounds against %d invalidations\n",
		   rounds, atomic_read(&td->invals));
	KUNIT_EXPECT_EQ(test, atomic_read(&tmn_freed), freed + rounds);
	KUNIT_EXPECT_GT(test, rounds, 0);
}

/* ====================================================================== */
/* mmu_notifier_faults: allocations that fail                              */
/* ====================================================================== */

#ifdef CONFIG_FAULT_INJECTION
/*
 * Write @val to, or read up to @len bytes from, the debugfs file @name,
 * through a private mount of debugfs (nothing is mounted while KUnit runs).
 * debugfs files only take user buffers: @ubuf is one in the test's mm.
 */
static int t_debugfs(const char *name, const char *val, char *buf, size_t len,
		     char __user *ubuf)
{
	struct file_system_type *type = get_fs_type("debugfs");
	struct vfsmount *mnt;
	struct file *file;
	struct path path;
	loff_t pos = 0;
	ssize_t n;
	int ret;

	if (!type)
		return -ENODEV;
	mnt = kern_mount(type);
	if (IS_ERR(mnt))
		return PTR_ERR(mnt);
	ret = vfs_path_lookup(mnt->mnt_root, mnt, name, 0, &path);
	if (ret)
		goto out;
	file = dentry_open(&path, val ? O_WRONLY : O_RDONLY, current_cred());
	path_put(&path);
	if (IS_ERR(file)) {
		ret = PTR_ERR(file);
		goto out;
	}
	if (val) {
		n = strlen(val);
		if (copy_to_user(ubuf, val, n))
			n = -EFAULT;
		else
			n = vfs_write(file, ubuf, n, &pos);
	} else {
		n = vfs_read(file, ubuf, len - 1, &pos);
		if (n >= 0 && copy_from_user(buf, ubuf, n))
			n = -EFAULT;
	}
	fput(file);
	if (n < 0) {
		ret = n;
	} else if (!val) {
		buf[n] = '\0';
		ret = n;
	}
out:
	kern_unmount(mnt);
	return ret;
}

/*
 * One of the allocating entry points, and how to undo it when it worked.
 * @buf is the test's own memory for it, allocated outside the window in
 * which allocations fail.
 */
struct fault_path {
	const char *name;
	int (*setup)(struct mm_struct *mm, void *buf, void **handle);
	void (*undo)(struct mm_struct *mm, void *handle);
};

static int fp_range_insert(struct mm_struct *mm, void *buf, void **handle)
{
	struct trn *t = buf;

	memset(t, 0, sizeof(*t));
	spin_lock_init(&t->lock);
	*handle = t;
	return mmu_range_notifier_insert(&t->mrn, mm, T_BASE, PAGE_SIZE,
					 &trn_ops);
}

static void fp_range_undo(struct mm_struct *mm, void *handle)
{
	mmu_range_notifier_remove(&((struct trn *)handle)->mrn);
}

static int fp_register(struct mm_struct *mm, void *buf, void **handle)
{
	struct tmn *t = buf;

	memset(t, 0, sizeof(*t));
	t->mn.ops = &tmn_ops;
	*handle = t;
	return mmu_notifier_register(&t->mn, mm);
}

static void fp_register_undo(struct mm_struct *mm, void *handle)
{
	mmu_notifier_unregister(&((struct tmn *)handle)->mn, mm);
}

static int fp_get(struct mm_struct *mm, void *buf, void **handle)
{
	struct mmu_notifier *mn = mmu_notifier_get(&tmn_ops, mm);

	if (IS_ERR(mn))
		return PTR_ERR(mn);
	*handle = mn;
	return 0;
}

static void fp_get_undo(struct mm_struct *mm, void *handle)
{
	mmu_notifier_put(handle);
	mmu_notifier_synchronize();
}

static const struct fault_path fault_paths[] = {
	{ "mmu_range_notifier_insert", fp_range_insert, fp_range_undo },
	{ "mmu_notifier_register", fp_register, fp_register_undo },
	{ "mmu_notifier_get", fp_get, fp_get_undo },
};

/*
 * FAILSLAB with fail-nth: on a fresh mm, make the n-th slab allocation of
 * each entry point fail, for n = 1, 2, ... until a call needs fewer than
 * n. A call whose allocation failed either copes with it (kmemleak's own
 * metadata allocations fall back to a pool) or returns -ENOMEM and leaves
 * nothing behind: the same call then succeeds and undoes cleanly, and
 * kmemleak (when built in) finds no new leak.
 */
static void fault_alloc_fails_in_turn(struct kunit *test)
{
	static char buf[512];
	static union {
		struct trn trn;
		struct tmn tmn;
	} mem;
	bool leakcheck = IS_ENABLED(CONFIG_DEBUG_KMEMLEAK);
	char __user *ubuf;
	int i, total = 0;

	if (!IS_ENABLED(CONFIG_FAILSLAB) ||
	    !IS_ENABLED(CONFIG_FAULT_INJECTION_DEBUG_FS))
		kunit_skip(test, "needs FAILSLAB and FAULT_INJECTION_DEBUG_FS");
	/* A user buffer for the debugfs files, in the test's own mm. */
	ubuf = (char __user *)pt_setup(test);

	/* GFP_KERNEL allocations can fail too; no stack dump for each. */
	KUNIT_ASSERT_EQ(test, 0, t_debugfs("failslab/ignore-gfp-wait", "N",
					   NULL, 0, ubuf));
	KUNIT_ASSERT_EQ(test, 0, t_debugfs("failslab/verbose", "0", NULL, 0,
					   ubuf));
	if (leakcheck)
		KUNIT_ASSERT_EQ(test, 0, t_debugfs("kmemleak", "clear", NULL, 0,
						   ubuf));

	for (i = 0; i < ARRAY_SIZE(fault_paths); i++) {
		const struct fault_path *fp = &fault_paths[i];
		int n, faults = 0, coped = 0;

		for (n = 1; n <= 16; n++) {
			struct mm_struct *mm = mm_alloc();
			void *handle = NULL;
			unsigned int left;
			int ret;

			KUNIT_ASSERT_NOT_NULL(test, mm);
			WRITE_ONCE(current->fail_nth, n);
			ret = fp->setup(mm, &mem, &handle);
			left = READ_ONCE(current->fail_nth);
			WRITE_ONCE(current->fail_nth, 0);

			if (!ret) {
				fp->undo(mm, handle);
				mmput(mm);
				/* Fewer than n allocations: all were tried. */
				if (left)
					break;
				coped++;
				continue;
			}
			faults++;
			KUNIT_EXPECT_EQ_MSG(test, ret, -ENOMEM,
					    "%s, allocation %d failed", fp->name, n);
			KUNIT_EXPECT_EQ_MSG(test, left, 0, "%s", fp->name);
			/* Nothing half done: the same call works now. */
			ret = fp->setup(mm, &mem, &handle);
			KUNIT_EXPECT_EQ_MSG(test, ret, 0,
					    "%s after a failed allocation %d",
					    fp->name, n);
			if (!ret)
				fp->undo(mm, handle);
			mmput(mm);
		}
		kunit_info(test, "%s: %d allocations failed in turn (%d of them coped with)\n",
			   fp->name, faults + coped, coped);
		KUNIT_EXPECT_GT_MSG(test, faults, 0, "%s", fp->name);
		total += faults + coped;
	}
	t_debugfs("failslab/ignore-gfp-wait", "Y", NULL, 0, ubuf);

	if (leakcheck) {
		/* kmemleak reports objects older than 5 s only. */
		msleep(6000);
		KUNIT_ASSERT_EQ(test, 0, t_debugfs("kmemleak", "scan", NULL, 0,
						   ubuf));
		KUNIT_ASSERT_GE(test, t_debugfs("kmemleak", NULL, buf,
						sizeof(buf), ubuf), 0);
		KUNIT_EXPECT_STREQ_MSG(test, buf, "", "kmemleak found leaks");
	}
	pt_teardown(test);
	kunit_info(test, "%d faults injected, kmemleak %s\n", total,
		   leakcheck ? "checked" : "not built in");
}
#else
static void fault_alloc_fails_in_turn(struct kunit *test)
{
	kunit_skip(test, "needs FAULT_INJECTION");
}
#endif /* CONFIG_FAULT_INJECTION */

/* ====================================================================== */
/* mmu_notifier_trace: the tracepoints                                     */
/* ====================================================================== */

#ifdef CONFIG_TRACEPOINTS
#include <trace/events/mmu_notifier.h>

/* What the probes saw of one mm: counts, and the fields of the last event. */
struct tt {
	struct mm_struct *mm;
	spinlock_t lock;		/* probes may run on any CPU */
	unsigned int starts, ends, refusals, waits, deferrals, inserts, removes;
	struct {
		const void *range;
		unsigned long start, end;
		unsigned int nr_range, nr_classic;
		u64 callbacks_ns;
		int event, ret;
		bool blockable;
	} start;
	struct {
		const void *range;
		unsigned long start, end;
		int watched_ends;	/* *watch_ends when the event fired */
	} end;
	const atomic_t *watch_ends;	/* a classic notifier's end count */
	struct {
		const void *callback;
		bool classic;
		int err;
	} refused;
	struct {
		const void *mrn;
		bool remove;
		u64 slept_ns;
	} wait;
	struct {
		unsigned int inserts, removes;
	} deferred;
	struct tt_change {
		const void *mrn;
		unsigned long start, last;
		int how;
	} insert, remove;
};

static void tt_start(void *data, const struct mmu_notifier_range *range,
		     unsigned int nr_range, unsigned int nr_classic,
		     u64 callbacks_ns, int ret)
{
	struct tt *tt = data;

	if (range->mm != tt->mm)
		return;
	spin_lock(&tt->lock);
	tt->starts++;
	tt->start.range = range;
	tt->start.start = range->start;
	tt->start.end = range->end;
	tt->start.nr_range = nr_range;
	tt->start.nr_classic = nr_classic;
	tt->start.callbacks_ns = callbacks_ns;
	tt->start.event = range->event;
	tt->start.ret = ret;
	tt->start.blockable = mmu_notifier_range_blockable(range);
	spin_unlock(&tt->lock);
}

static void tt_end(void *data, const struct mmu_notifier_range *range)
{
	struct tt *tt = data;

	if (range->mm != tt->mm)
		return;
	spin_lock(&tt->lock);
	tt->ends++;
	tt->end.range = range;
	tt->end.start = range->start;
	tt->end.end = range->end;
	if (tt->watch_ends)
		tt->end.watched_ends = atomic_read(tt->watch_ends);
	spin_unlock(&tt->lock);
}

static void tt_refused(void *data, const struct mmu_notifier_range *range,
		       const void *callback, bool classic, int err)
{
	struct tt *tt = data;

	if (range->mm != tt->mm)
		return;
	spin_lock(&tt->lock);
	tt->refusals++;
	tt->refused.callback = callback;
	tt->refused.classic = classic;
	tt->refused.err = err;
	spin_unlock(&tt->lock);
}

static void tt_wait(void *data, const struct mmu_range_notifier *mrn,
		    bool remove, u64 slept_ns)
{
	struct tt *tt = data;

	if (mrn->mm != tt->mm)
		return;
	spin_lock(&tt->lock);
	tt->waits++;
	tt->wait.mrn = mrn;
	tt->wait.remove = remove;
	tt->wait.slept_ns = slept_ns;
	spin_unlock(&tt->lock);
}

static void tt_deferred(void *data, const struct mm_struct *mm,
			unsigned int inserts, unsigned int removes)
{
	struct tt *tt = data;

	if (mm != tt->mm)
		return;
	spin_lock(&tt->lock);
	tt->deferrals++;
	tt->deferred.inserts = inserts;
	tt->deferred.removes = removes;
	spin_unlock(&tt->lock);
}

/* An insert or remove event: count it and keep its fields in @last. */
static void tt_change(struct tt *tt, unsigned int *count,
		      struct tt_change *last,
		      const struct mmu_range_notifier *mrn, int how)
{
	if (mrn->mm != tt->mm)
		return;
	spin_lock(&tt->lock);
	++*count;
	last->mrn = mrn;
	last->start = mrn->interval_tree.start;
	last->last = mrn->interval_tree.last;
	last->how = how;
	spin_unlock(&tt->lock);
}

static void tt_insert(void *data, const struct mmu_range_notifier *mrn,
		      int how)
{
	struct tt *tt = data;

	tt_change(tt, &tt->inserts, &tt->insert, mrn, how);
}

static void tt_remove(void *data, const struct mmu_range_notifier *mrn,
		      int how)
{
	struct tt *tt = data;

	tt_change(tt, &tt->removes, &tt->remove, mrn, how);
}

static void tt_detach(void *data)
{
	struct tt *tt = data;

	unregister_trace_mmu_notifier_range_remove(tt_remove, tt);
	unregister_trace_mmu_notifier_range_insert(tt_insert, tt);
	unregister_trace_mmu_notifier_range_deferred(tt_deferred, tt);
	unregister_trace_mmu_notifier_range_wait(tt_wait, tt);
	unregister_trace_mmu_notifier_invalidate_refused(tt_refused, tt);
	unregister_trace_mmu_notifier_invalidate_end(tt_end, tt);
	unregister_trace_mmu_notifier_invalidate_start(tt_start, tt);
	/* No probe runs on @tt any more once this returns. */
	tracepoint_synchronize_unregister();
	kfree(tt);
}

/*
 * Attach a probe to every event, for the events of the case's mm; detached
 * when the case ends, whether it passed or not (also if a registration
 * failed: unregistering a probe that is not there is harmless).
 */
static struct tt *tt_attach(struct kunit *test)
{
	struct tt *tt = kzalloc(sizeof(*tt), GFP_KERNEL);
	int err = 0;

	KUNIT_ASSERT_NOT_NULL(test, tt);
	tt->mm = t_mm(test);
	spin_lock_init(&tt->lock);
	err |= register_trace_mmu_notifier_invalidate_start(tt_start, tt);
	err |= register_trace_mmu_notifier_invalidate_end(tt_end, tt);
	err |= register_trace_mmu_notifier_invalidate_refused(tt_refused, tt);
	err |= register_trace_mmu_notifier_range_wait(tt_wait, tt);
	err |= register_trace_mmu_notifier_range_deferred(tt_deferred, tt);
	err |= register_trace_mmu_notifier_range_insert(tt_insert, tt);
	err |= register_trace_mmu_notifier_range_remove(tt_remove, tt);
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, tt_detach, tt));
	KUNIT_ASSERT_EQ(test, err, 0);
	return tt;
}

/*
 * Insert @mrn into the case's mm, or fail the case. @mrn is one that
 * t_remove_at_end() covers already (a t_trn()'s, or registered by hand).
 */
static void tt_insert_mrn(struct kunit *test, struct mmu_range_notifier *mrn,
			  unsigned long start, unsigned long length,
			  const struct mmu_range_notifier_ops *ops)
{
	int ret = mmu_range_notifier_insert(mrn, t_mm(test), start, length, ops);

	KUNIT_ASSERT_EQ(test, ret, 0);
}

/* A range callback that takes 2 ms: the start event measures it. */
static bool tt_slow_invalidate(struct mmu_range_notifier *mrn,
			       const struct mmu_notifier_range *range,
			       unsigned long cur_seq)
{
	u64 t0 = ktime_get_ns();

	mmu_range_set_seq(mrn, cur_seq);
	while (ktime_get_ns() - t0 < 2 * NSEC_PER_MSEC)
		cpu_relax();
	return true;
}

static const struct mmu_range_notifier_ops tt_slow_ops = {
	.invalidate = tt_slow_invalidate,
};

/*
 * The start event counts the range subscriptions and classic notifiers it
 * called, with the span, the event, blockability and the callbacks' time.
 */
static void trace_start_counts_callbacks(struct kunit *test)
{
	struct mm_struct *mm = t_mm(test);
	struct trn *a = t_insert(test, T_BASE, PAGE_SIZE);
	struct trn *b = t_insert(test, T_BASE + PAGE_SIZE, PAGE_SIZE);
	struct trn *out = t_insert(test, T_BASE + 4 * PAGE_SIZE, PAGE_SIZE);
	struct tmn *c = t_register(test);
	struct mmu_range_notifier *slow = kunit_kzalloc(test, sizeof(*slow),
							GFP_KERNEL);
	struct mmu_notifier_range r;
	struct tt *tt = tt_attach(test);

	KUNIT_ASSERT_NOT_NULL(test, slow);
	t_remove_at_end(test, slow);

	t_inval(mm, T_BASE, T_BASE + 2 * PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, tt->starts, 1U);
	KUNIT_EXPECT_EQ(test, tt->start.nr_range, 2U);
	KUNIT_EXPECT_EQ(test, tt->start.nr_classic, 1U);
	KUNIT_EXPECT_EQ(test, tt->start.start, T_BASE);
	KUNIT_EXPECT_EQ(test, tt->start.end, T_BASE + 2 * PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, tt->start.event, (int)MMU_NOTIFY_CLEAR);
	KUNIT_EXPECT_TRUE(test, tt->start.blockable);
	KUNIT_EXPECT_EQ(test, tt->start.ret, 0);

	/* Blockable, one slow subscription: at least its 2 ms are counted. */
	tt_insert_mrn(test, slow, T_BASE + 8 * PAGE_SIZE, PAGE_SIZE, &tt_slow_ops);
	mmu_notifier_range_init(&r, MMU_NOTIFY_UNMAP,
				MMU_NOTIFIER_RANGE_BLOCKABLE, mm,
				T_BASE + 8 * PAGE_SIZE, T_BASE + 9 * PAGE_SIZE);
	mmu_notifier_invalidate_range_start(&r);
	mmu_notifier_invalidate_range_end(&r);
	KUNIT_EXPECT_EQ(test, tt->starts, 2U);
	KUNIT_EXPECT_EQ(test, tt->start.nr_range, 1U);
	KUNIT_EXPECT_EQ(test, tt->start.event, (int)MMU_NOTIFY_UNMAP);
	KUNIT_EXPECT_TRUE(test, tt->start.blockable);
	KUNIT_EXPECT_GE(test, tt->start.callbacks_ns, 2 * NSEC_PER_MSEC);
	KUNIT_EXPECT_LT(test, tt->start.callbacks_ns, 10ULL * NSEC_PER_SEC);

	mmu_range_notifier_remove(slow);
	mmu_range_notifier_remove(&out->mrn);
	mmu_range_notifier_remove(&b->mrn);
	mmu_range_notifier_remove(&a->mrn);
	t_unregister(c, mm);
}

/*
 * Every successful start has one end, of the same range, reported before
 * the end callbacks run: the time from the start event to it is the core
 * mm's work alone.
 */
static void trace_end_pairs_start(struct kunit *test)
{
	struct mm_struct *mm = t_mm(test);
	struct trn *t = t_insert(test, T_BASE, PAGE_SIZE);
	struct tmn *c = t_register(test);
	struct tt *tt = tt_attach(test);
	struct mmu_notifier_range r;

	tt->watch_ends = &c->ends;
	tt->end.watched_ends = -1;
	t_start(mm, &r, T_BASE, T_BASE + PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, tt->starts, 1U);
	KUNIT_EXPECT_EQ(test, tt->ends, 0U);
	mmu_notifier_invalidate_range_end(&r);
	KUNIT_EXPECT_EQ(test, tt->ends, 1U);
	KUNIT_EXPECT_PTR_EQ(test, tt->end.range, (const void *)&r);
	KUNIT_EXPECT_PTR_EQ(test, tt->start.range, tt->end.range);
	KUNIT_EXPECT_EQ(test, tt->end.start, T_BASE);
	KUNIT_EXPECT_EQ(test, tt->end.end, T_BASE + PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, tt->end.watched_ends, 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&c->ends), 1);

	t_unregister(c, mm);
	mmu_range_notifier_remove(&t->mrn);
}

/*
 * A refused non-blocking start names the callback that refused, range or
 * classic; its start event carries -EAGAIN and no end follows.
 */
static void trace_refused_names_callback(struct kunit *test)
{
	struct mm_struct *mm = t_mm(test);
	struct trn *t = t_insert(test, T_BASE, PAGE_SIZE);
	struct tt *tt = tt_attach(test);
	struct mmu_notifier_range r;
	struct tmn *c;

	t->refuse_nonblock = true;
	mmu_notifier_range_init(&r, MMU_NOTIFY_CLEAR, 0, mm, T_BASE,
				T_BASE + PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, mmu_notifier_invalidate_range_start_nonblock(&r),
			-EAGAIN);
	KUNIT_EXPECT_EQ(test, tt->refusals, 1U);
	KUNIT_EXPECT_PTR_EQ(test, tt->refused.callback,
			    (const void *)trn_invalidate);
	KUNIT_EXPECT_FALSE(test, tt->refused.classic);
	KUNIT_EXPECT_EQ(test, tt->refused.err, -EAGAIN);
	KUNIT_EXPECT_EQ(test, tt->start.ret, -EAGAIN);
	KUNIT_EXPECT_FALSE(test, tt->start.blockable);
	KUNIT_EXPECT_EQ(test, tt->ends, 0U);
	mmu_range_notifier_remove(&t->mrn);

	c = t_register_ops(test, &tmn_refusing_ops);
	c->refuse_nonblock = true;
	mmu_notifier_range_init(&r, MMU_NOTIFY_CLEAR, 0, mm, T_BASE,
				T_BASE + PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, mmu_notifier_invalidate_range_start_nonblock(&r),
			-EAGAIN);
	KUNIT_EXPECT_EQ(test, tt->refusals, 2U);
	KUNIT_EXPECT_PTR_EQ(test, tt->refused.callback,
			    (const void *)tmn_refusing_ops.invalidate_range_start);
	KUNIT_EXPECT_TRUE(test, tt->refused.classic);
	KUNIT_EXPECT_EQ(test, tt->refused.err, -EAGAIN);
	KUNIT_EXPECT_EQ(test, tt->ends, 0U);
	t_unregister(c, mm);
}

/* A read_begin and a remove that slept say so, with how long. */
static void trace_wait_read_begin_and_remove(struct kunit *test)
{
	struct mm_struct *mm = t_mm(test);
	struct trn *t = t_insert(test, T_BASE, PAGE_SIZE);
	struct tt *tt = tt_attach(test);
	struct mmu_notifier_range r;
	struct t_async *a;

	t_start(mm, &r, T_BASE, T_BASE + PAGE_SIZE);
	a = t_async_start(test, t_async_read_begin, t);
	KUNIT_EXPECT_FALSE(test, t_async_done_within(a, T_SLEEP_MS));
	mmu_notifier_invalidate_range_end(&r);
	KUNIT_ASSERT_TRUE(test, t_async_done_within(a, T_WAIT_MS));
	KUNIT_EXPECT_EQ(test, tt->waits, 1U);
	KUNIT_EXPECT_PTR_EQ(test, tt->wait.mrn, (const void *)&t->mrn);
	KUNIT_EXPECT_FALSE(test, tt->wait.remove);
	KUNIT_EXPECT_GE(test, tt->wait.slept_ns, T_SLEEP_MS * NSEC_PER_MSEC / 2);

	/* An idle read_begin does not wait, and says nothing. */
	mmu_range_read_begin(&t->mrn);
	KUNIT_EXPECT_EQ(test, tt->waits, 1U);

	t_start(mm, &r, T_BASE, T_BASE + PAGE_SIZE);
	a = t_async_start(test, t_async_remove, t);
	KUNIT_EXPECT_FALSE(test, t_async_done_within(a, T_SLEEP_MS));
	mmu_notifier_invalidate_range_end(&r);
	KUNIT_ASSERT_TRUE(test, t_async_done_within(a, T_WAIT_MS));
	KUNIT_EXPECT_EQ(test, tt->waits, 2U);
	KUNIT_EXPECT_PTR_EQ(test, tt->wait.mrn, (const void *)&t->mrn);
	KUNIT_EXPECT_TRUE(test, tt->wait.remove);
	KUNIT_EXPECT_GE(test, tt->wait.slept_ns, T_SLEEP_MS * NSEC_PER_MSEC / 2);
}

/* The last walker out reports the queued inserts and removes it applied. */
static void trace_deferred_counts(struct kunit *test)
{
	struct mm_struct *mm = t_mm(test);
	struct trn *hit = t_insert(test, T_BASE, PAGE_SIZE);
	struct trn *late = t_trn(test);
	struct tt *tt = tt_attach(test);
	struct mmu_notifier_range r;
	struct t_async *a;

	t_start(mm, &r, T_BASE, T_BASE + PAGE_SIZE);
	tt_insert_mrn(test, &late->mrn, T_BASE + PAGE_SIZE, PAGE_SIZE, &trn_ops);
	a = t_async_start(test, t_async_remove, hit);
	KUNIT_EXPECT_FALSE(test, t_async_done_within(a, T_SLEEP_MS));
	KUNIT_EXPECT_EQ(test, tt->deferrals, 0U);
	mmu_notifier_invalidate_range_end(&r);
	KUNIT_ASSERT_TRUE(test, t_async_done_within(a, T_WAIT_MS));
	KUNIT_EXPECT_EQ(test, tt->deferrals, 1U);
	KUNIT_EXPECT_EQ(test, tt->deferred.inserts, 1U);
	KUNIT_EXPECT_EQ(test, tt->deferred.removes, 1U);

	/* An end with nothing queued reports nothing. */
	t_inval(mm, T_BASE, T_BASE + 2 * PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, tt->deferrals, 1U);
	mmu_range_notifier_remove(&late->mrn);
}

/* An insert says whether it joined at once, colliding, or deferred. */
static void trace_insert_how(struct kunit *test)
{
	struct mm_struct *mm = t_mm(test);
	struct trn *hit = t_insert(test, T_BASE, PAGE_SIZE);
	struct trn *x = t_trn(test), *y = t_trn(test), *z = t_trn(test);
	struct tt *tt = tt_attach(test);
	struct mmu_notifier_range r;

	tt_insert_mrn(test, &x->mrn, T_BASE + PAGE_SIZE, 2 * PAGE_SIZE, &trn_ops);
	KUNIT_EXPECT_EQ(test, tt->inserts, 1U);
	KUNIT_EXPECT_PTR_EQ(test, tt->insert.mrn, (const void *)&x->mrn);
	KUNIT_EXPECT_EQ(test, tt->insert.start, T_BASE + PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, tt->insert.last, T_BASE + 3 * PAGE_SIZE - 1);
	KUNIT_EXPECT_EQ(test, tt->insert.how, MMU_NOTIFIER_RANGE_AT_ONCE);

	/* An invalidation that hits nothing runs: joins, collides. */
	t_start(mm, &r, T_BASE + 16 * PAGE_SIZE, T_BASE + 17 * PAGE_SIZE);
	tt_insert_mrn(test, &y->mrn, T_BASE + 4 * PAGE_SIZE, PAGE_SIZE, &trn_ops);
	KUNIT_EXPECT_EQ(test, tt->insert.how, MMU_NOTIFIER_RANGE_COLLIDES);
	mmu_notifier_invalidate_range_end(&r);

	/* One that walks the tree runs: queued until its end. */
	t_start(mm, &r, T_BASE, T_BASE + PAGE_SIZE);
	tt_insert_mrn(test, &z->mrn, T_BASE + 5 * PAGE_SIZE, PAGE_SIZE, &trn_ops);
	KUNIT_EXPECT_EQ(test, tt->insert.how, MMU_NOTIFIER_RANGE_DEFERRED);
	mmu_notifier_invalidate_range_end(&r);
	KUNIT_EXPECT_EQ(test, tt->inserts, 3U);

	mmu_range_notifier_remove(&z->mrn);
	mmu_range_notifier_remove(&y->mrn);
	mmu_range_notifier_remove(&x->mrn);
	mmu_range_notifier_remove(&hit->mrn);
}

/* A remove says whether it left at once, unqueued its insert, or waits. */
static void trace_remove_how(struct kunit *test)
{
	struct mm_struct *mm = t_mm(test);
	struct trn *hit = t_insert(test, T_BASE, PAGE_SIZE);
	struct trn *x = t_insert(test, T_BASE + 2 * PAGE_SIZE, PAGE_SIZE);
	struct trn *q = t_trn(test);
	struct tt *tt = tt_attach(test);
	struct mmu_notifier_range r;
	struct t_async *a;

	mmu_range_notifier_remove(&x->mrn);
	KUNIT_EXPECT_EQ(test, tt->removes, 1U);
	KUNIT_EXPECT_PTR_EQ(test, tt->remove.mrn, (const void *)&x->mrn);
	KUNIT_EXPECT_EQ(test, tt->remove.start, T_BASE + 2 * PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, tt->remove.how, MMU_NOTIFIER_RANGE_AT_ONCE);

	t_start(mm, &r, T_BASE, T_BASE + PAGE_SIZE);
	tt_insert_mrn(test, &q->mrn, T_BASE + 4 * PAGE_SIZE, PAGE_SIZE, &trn_ops);
	mmu_range_notifier_remove(&q->mrn);
	KUNIT_EXPECT_EQ(test, tt->remove.how, MMU_NOTIFIER_RANGE_UNQUEUED);

	a = t_async_start(test, t_async_remove, hit);
	KUNIT_EXPECT_FALSE(test, t_async_done_within(a, T_SLEEP_MS));
	KUNIT_EXPECT_EQ(test, tt->removes, 3U);
	KUNIT_EXPECT_EQ(test, tt->remove.how, MMU_NOTIFIER_RANGE_DEFERRED);
	mmu_notifier_invalidate_range_end(&r);
	KUNIT_ASSERT_TRUE(test, t_async_done_within(a, T_WAIT_MS));
}

/* Release is one invalidation of the whole address space, start and end. */
static void trace_release_covers_address_space(struct kunit *test)
{
	struct tctx *ctx = test->priv;
	struct mm_struct *mm = t_mm(test);
	struct trn *t = t_insert(test, T_BASE, PAGE_SIZE);
	struct tmn *c = t_register(test);
	struct tt *tt = tt_attach(test);

	/* The last user goes: the mm stays, pinned by both subscribers. */
	ctx->mm = NULL;
	mmput(mm);
	KUNIT_EXPECT_EQ(test, tt->starts, 1U);
	KUNIT_EXPECT_EQ(test, tt->ends, 1U);
	KUNIT_EXPECT_EQ(test, tt->start.event, (int)MMU_NOTIFY_RELEASE);
	KUNIT_EXPECT_EQ(test, tt->start.start, 0UL);
	KUNIT_EXPECT_EQ(test, tt->start.end, ULONG_MAX);
	KUNIT_EXPECT_EQ(test, tt->start.nr_range, 1U);
	KUNIT_EXPECT_EQ(test, tt->start.nr_classic, 1U);
	KUNIT_EXPECT_TRUE(test, tt->start.blockable);
	KUNIT_EXPECT_PTR_EQ(test, tt->start.range, tt->end.range);

	mmu_range_notifier_remove(&t->mrn);
	t_unregister(c, mm);
}
#else
static void trace_needs_tracepoints(struct kunit *test)
{
	kunit_skip(test, "needs CONFIG_TRACEPOINTS");
}

#define trace_start_counts_callbacks		trace_needs_tracepoints
#define trace_end_pairs_start			trace_needs_tracepoints
#define trace_refused_names_callback		trace_needs_tracepoints
#define trace_wait_read_begin_and_remove	trace_needs_tracepoints
#define trace_deferred_counts			trace_needs_tracepoints
#define trace_insert_how			trace_needs_tracepoints
#define trace_remove_how			trace_needs_tracepoints
#define trace_release_covers_address_space	trace_needs_tracepoints
#endif /* CONFIG_TRACEPOINTS */

static struct kunit_case mmu_notifier_range_cases[] = {
	KUNIT_CASE(range_overlap_boundaries),
	KUNIT_CASE(range_bad_spans_refused),
	KUNIT_CASE(range_span_may_end_at_top),
	KUNIT_CASE(range_seq_always_odd),
	KUNIT_CASE(range_read_retry_idle),
	KUNIT_CASE(range_read_retry_collision),
	KUNIT_CASE(range_read_retry_disjoint),
	KUNIT_CASE(range_collision_inside_section),
	KUNIT_CASE(range_insert_deferred),
	KUNIT_CASE(range_insert_during_missing_invalidation),
	KUNIT_CASE(range_nested_invalidations),
	KUNIT_CASE(range_remove_queued_insert),
	KUNIT_CASE(range_remove_then_reinsert),
	KUNIT_CASE(range_double_remove_ignored),
	KUNIT_CASE(range_insert_locked),
	KUNIT_CASE(range_release_once_each),
	KUNIT_CASE(range_nonblock_refused),
	KUNIT_CASE(range_nonblock_flag),
	KUNIT_CASE(range_struct_size),
	KUNIT_CASE(range_random_model),
	{}
};

/* The interval tree and the sequence protocol, driven from one thread. */
static struct kunit_suite mmu_notifier_range_suite = {
	.name = "mmu_notifier_range",
	.init = t_init,
	.test_cases = mmu_notifier_range_cases,
};

static struct kunit_case mmu_notifier_blocking_cases[] = {
	KUNIT_CASE(range_read_begin_sleeps),
	KUNIT_CASE(range_read_begin_other_sub),
	KUNIT_CASE(range_read_begin_queued_insert),
	KUNIT_CASE(range_remove_waits),
	KUNIT_CASE(range_remove_does_not_wait_for_missing),
	KUNIT_CASE(range_insert_during_missing_joins_tree),
	KUNIT_CASE(range_end_undoes_only_what_start_did),
	KUNIT_CASE(range_remove_racing_remove_ignored),
	KUNIT_CASE(range_many_on_one_span),
	{}
};

/*
 * mmu_range_read_begin() and mmu_range_notifier_remove() that must wait,
 * or must not: a second thread and bounded waits.
 */
static struct kunit_suite mmu_notifier_blocking_suite = {
	.name = "mmu_notifier_blocking",
	.init = t_init,
	.test_cases = mmu_notifier_blocking_cases,
};

static struct kunit_case mmu_notifier_two_pass_cases[] = {
	KUNIT_CASE(range_two_pass_first_passes_before_finishes),
	KUNIT_CASE(range_two_pass_each_finish_once),
	KUNIT_CASE(range_two_pass_finish_before_start_returns),
	KUNIT_CASE(range_two_pass_refused_nonblock_finishes_started),
	KUNIT_CASE(range_two_pass_mixed_with_one_pass),
	KUNIT_CASE(range_two_pass_insert_refuses_bad_ops),
	KUNIT_CASE(range_two_pass_release_runs_both),
	{}
};

/*
 * Two-pass subscriptions: every first pass, then every second pass, all
 * before the start returns.
 */
static struct kunit_suite mmu_notifier_two_pass_suite = {
	.name = "mmu_notifier_two_pass",
	.init = t_init,
	.test_cases = mmu_notifier_two_pass_cases,
};

static struct kunit_case mmu_notifier_page_tables_cases[] = {
	KUNIT_CASE(pt_munmap),
	KUNIT_CASE(pt_madvise_dontneed),
	KUNIT_CASE(pt_fault_then_munmap),
	KUNIT_CASE(pt_exit_release_first),
	{}
};

/*
 * The core mm drives the invalidations of a real mm: munmap, madvise, a
 * fault, exit.
 */
static struct kunit_suite mmu_notifier_page_tables_suite = {
	.name = "mmu_notifier_page_tables",
	.init = t_init,
	.test_cases = mmu_notifier_page_tables_cases,
};

static struct kunit_case mmu_notifier_concurrency_cases[] = {
	KUNIT_CASE(conc_live_read_begin_ignores_missing_stream),
	KUNIT_CASE(conc_live_read_begin_ignores_other_hits),
	KUNIT_CASE(conc_live_insert_joins_during_stream),
	KUNIT_CASE(conc_live_remove_during_other_hits),
	KUNIT_CASE(conc_collision_retry_mirror),
	KUNIT_CASE(conc_teardown_race),
	KUNIT_CASE(conc_read_begin_teardown_race),
	KUNIT_CASE_SLOW(conc_random_model),
	KUNIT_CASE(conc_unregister_during_invalidations),
	KUNIT_CASE(conc_double_remove_claims_once),
	KUNIT_CASE(conc_put_synchronize_during_invalidations),
	{}
};

/*
 * Threads racing the notifier, on two CPUs under QEMU, and streams of
 * invalidations that never stop. The KCSAN soak of make check boots this
 * suite again and again.
 */
static struct kunit_suite mmu_notifier_concurrency_suite = {
	.name = "mmu_notifier_concurrency",
	.init = t_init,
	.test_cases = mmu_notifier_concurrency_cases,
};

static struct kunit_case mmu_notifier_faults_cases[] = {
	KUNIT_CASE_SLOW(fault_alloc_fails_in_turn),
	{}
};

/* Every allocation the notifier makes fails in turn. */
static struct kunit_suite mmu_notifier_faults_suite = {
	.name = "mmu_notifier_faults",
	.init = t_init,
	.test_cases = mmu_notifier_faults_cases,
};

static struct kunit_case mmu_notifier_classic_cases[] = {
	KUNIT_CASE(classic_register_invalidate_unregister),
	KUNIT_CASE(classic_several_paired),
	KUNIT_CASE(classic_nonblock_unwinds),
	KUNIT_CASE(classic_nonblock_unwinds_range),
	KUNIT_CASE(classic_unwind_survives_put_of_refuser),
	KUNIT_CASE(classic_end_undoes_only_what_start_did),
	KUNIT_CASE(classic_end_under_lockdep_map),
	KUNIT_CASE(classic_conflicting_ops_refused),
	KUNIT_CASE(classic_get_put),
	KUNIT_CASE(classic_young),
	KUNIT_CASE(classic_release_once),
	KUNIT_CASE(classic_get_per_ops),
	KUNIT_CASE(classic_put_after_release),
	KUNIT_CASE(classic_secondary_tlbs),
	KUNIT_CASE(range_end_after_classic_only_start),
	{}
};

/*
 * The classic API: register, get/put, start/end and the unwind of a
 * refused start, young, release, secondary TLBs.
 */
static struct kunit_suite mmu_notifier_classic_suite = {
	.name = "mmu_notifier_classic",
	.init = t_init,
	.test_cases = mmu_notifier_classic_cases,
};

static struct kunit_case mmu_notifier_trace_cases[] = {
	KUNIT_CASE(trace_start_counts_callbacks),
	KUNIT_CASE(trace_end_pairs_start),
	KUNIT_CASE(trace_refused_names_callback),
	KUNIT_CASE(trace_wait_read_begin_and_remove),
	KUNIT_CASE(trace_deferred_counts),
	KUNIT_CASE(trace_insert_how),
	KUNIT_CASE(trace_remove_how),
	KUNIT_CASE(trace_release_covers_address_space),
	{}
};

/* The tracepoints of <trace/events/mmu_notifier.h>, one case per event. */
static struct kunit_suite mmu_notifier_trace_suite = {
	.name = "mmu_notifier_trace",
	.init = t_init,
	.test_cases = mmu_notifier_trace_cases,
};

kunit_test_suites(&mmu_notifier_range_suite, &mmu_notifier_blocking_suite,
		  &mmu_notifier_two_pass_suite, &mmu_notifier_page_tables_suite,
		  &mmu_notifier_concurrency_suite, &mmu_notifier_faults_suite,
		  &mmu_notifier_classic_suite, &mmu_notifier_trace_suite);

MODULE_DESCRIPTION("KUnit tests for MMU notifiers");
MODULE_LICENSE("GPL");
