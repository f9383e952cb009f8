// SPDX-License-Identifier: GPL-2.0-only
/*
 * Benchmark of the MMU notifier paths that the core mm and device drivers
 * pay for. It is built into a KUnit kernel twice, from the same source:
 * on unmodified Linux 6.12 (with mmu_notifier_bench_compat.h, which maps
 * our names to 6.12's) and on the range notifier series. It is not part of
 * the series.
 *
 * Every figure is one line of the kernel log,
 *
 *	BENCH <op> <n> <unit> <value>
 *
 * read by scripts/bench-report.py. One-CPU figures are the best of
 * B_REPS timed batches, in ns per operation; two-CPU figures are the
 * median of B2_ROUNDS rounds, in operations per ms on each CPU.
 *
 * The invalidations are issued by hand on an mm without VMAs and without
 * the mmap lock. The contract of both implementations only asks that the
 * mm's first range subscription is not inserted concurrently with an
 * invalidation, and every subscription here is inserted before timing.
 */

#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/cpumask.h>
#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/uaccess.h>

#ifdef MMU_NOTIFIER_BENCH_COMPAT	/* pristine 6.12: see bench-tree.sh */
#include "mmu_notifier_bench_compat.h"
#else
#include <linux/mmu_range_notifier.h>
#endif

#define B_BASE		0x10000000UL
#define B_REPS		15
#define B_ITERS		5000
#define B2_MS		250
#define B2_ROUNDS	5
#define B2_BATCH	64
#define B_MUNMAP_LEN	(64UL << 20)
#define B_MUNMAP_SUBS	1024

/* A subscription with its driver lock, one per cache line or more. */
struct bsub {
	struct mmu_range_notifier mrn;
	spinlock_t lock;		/* the "driver lock": seq and calls */
	unsigned long calls;
} ____cacheline_aligned_in_smp;

static bool bsub_invalidate(struct mmu_range_notifier *mrn,
			    const struct mmu_notifier_range *range,
			    unsigned long cur_seq)
{
	struct bsub *b = container_of(mrn, struct bsub, mrn);

	spin_lock(&b->lock);
	mmu_range_set_seq(mrn, cur_seq);
	b->calls++;
	spin_unlock(&b->lock);
	return true;
}

static const struct mmu_range_notifier_ops bsub_ops = {
	.invalidate = bsub_invalidate,
};

static void b_print(struct kunit *test, const char *op, unsigned long n,
		    const char *unit, u64 hundredths)
{
	kunit_info(test, "BENCH %s %lu %s %llu.%02llu\n", op, n, unit,
		   hundredths / 100, hundredths % 100);
}

/* Best of B_REPS batches of @iters runs of @body; hundredths of ns/op. */
#define B_TIME(test, op, n, iters, body)				\
	do {								\
		const unsigned int __n = (iters);			\
		u64 __best = U64_MAX;					\
		int __r;						\
									\
		for (__r = 0; __r < B_REPS; __r++) {			\
			u64 __t0 = ktime_get_ns();			\
			unsigned int __i;				\
									\
			for (__i = 0; __i < __n; __i++) {		\
				body;					\
			}						\
			__best = min(__best, ktime_get_ns() - __t0);	\
			cond_resched();					\
		}							\
		b_print(test, op, n, "ns", div_u64(__best * 100, __n));	\
	} while (0)

static struct bsub *b_subs(struct kunit *test, unsigned int n)
{
	struct bsub *subs = kvcalloc(n, sizeof(*subs), GFP_KERNEL);
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, subs);
	for (i = 0; i < n; i++)
		spin_lock_init(&subs[i].lock);
	return subs;
}

static void b_insert(struct kunit *test, struct bsub *b, struct mm_struct *mm,
		     unsigned long start, unsigned long len)
{
	KUNIT_ASSERT_EQ(test, 0, mmu_range_notifier_insert(&b->mrn, mm, start,
							   len, &bsub_ops));
}

/* Subscription i covers page 2i above B_BASE: odd pages are gaps. */
static void b_insert_spaced(struct kunit *test, struct bsub *subs,
			    unsigned int n, struct mm_struct *mm)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		b_insert(test, &subs[i], mm, B_BASE + 2 * i * PAGE_SIZE,
			 PAGE_SIZE);
}

static void b_remove_all(struct bsub *subs, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		mmu_range_notifier_remove(&subs[i].mrn);
}

/* End a case's subscriptions, free them and drop the case's mm. */
static void b_free(struct bsub *subs, unsigned int n, struct mm_struct *mm)
{
	b_remove_all(subs, n);
	kvfree(subs);
	mmput(mm);
}

static void b_inval(struct mm_struct *mm, unsigned long start,
		    unsigned long end)
{
	struct mmu_notifier_range r;

	mmu_notifier_range_init(&r, MMU_NOTIFY_CLEAR, 0, mm, start, end);
	mmu_notifier_invalidate_range_start(&r);
	mmu_notifier_invalidate_range_end(&r);
}

static struct mm_struct *b_mm(struct kunit *test)
{
	struct mm_struct *mm = mm_alloc();

	KUNIT_ASSERT_NOT_NULL(test, mm);
	return mm;
}

/*
 * The sizes a case runs at, one KUnit parameter each (the case's log
 * names it "n=<size>"): tree sizes for the growth with n, three of them
 * for teardown, hit counts, registered classic notifiers, subscriptions
 * over the munmap()ed mapping.
 */
static const unsigned int b_sizes[] = { 1, 16, 256, 1024, 4096, 65536 };
static const unsigned int b_teardown_sizes[] = { 1, 1024, 65536 };
static const unsigned int b_lowest_sizes[] = { 1024, 65536 };
static const unsigned int b_hits[] = { 1, 16 };
static const unsigned int b_classic_counts[] = { 1, 8 };
static const unsigned int b_munmap_counts[] = { 0, B_MUNMAP_SUBS };

static void b_size_desc(const unsigned int *n, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "n=%u", *n);
}

KUNIT_ARRAY_PARAM(b_sizes, b_sizes, b_size_desc);
KUNIT_ARRAY_PARAM(b_teardown_sizes, b_teardown_sizes, b_size_desc);
KUNIT_ARRAY_PARAM(b_lowest_sizes, b_lowest_sizes, b_size_desc);
KUNIT_ARRAY_PARAM(b_hits, b_hits, b_size_desc);
KUNIT_ARRAY_PARAM(b_classic_counts, b_classic_counts, b_size_desc);
KUNIT_ARRAY_PARAM(b_munmap_counts, b_munmap_counts, b_size_desc);

/* The size this run of a parameterised case is for. */
static unsigned int b_param(struct kunit *test)
{
	return *(const unsigned int *)test->param_value;
}

/* An invalidation between two subscriptions, missing all n of them. */
static void bench_inval_miss(struct kunit *test)
{
	unsigned int n = b_param(test);
	struct mm_struct *mm = b_mm(test);
	struct bsub *subs = b_subs(test, n);
	unsigned long gap = B_BASE + (2 * (n / 2) + 1) * PAGE_SIZE;
	unsigned int i, calls = 0;

	b_insert_spaced(test, subs, n, mm);
	B_TIME(test, "inval_miss", n, B_ITERS,
	       b_inval(mm, gap, gap + PAGE_SIZE));
	for (i = 0; i < n; i++)
		calls += subs[i].calls;
	KUNIT_EXPECT_EQ(test, calls, 0);
	b_free(subs, n, mm);
}

/* An invalidation hitting 1 or 16 subscriptions of one span. */
static void bench_inval_hit(struct kunit *test)
{
	unsigned int n = b_param(test), i;
	struct mm_struct *mm = b_mm(test);
	struct bsub *subs = b_subs(test, n);

	for (i = 0; i < n; i++)
		b_insert(test, &subs[i], mm, B_BASE, PAGE_SIZE);
	B_TIME(test, "inval_hit", n, B_ITERS,
	       b_inval(mm, B_BASE, B_BASE + PAGE_SIZE));
	for (i = 0; i < n; i++)
		KUNIT_EXPECT_EQ(test, subs[i].calls, B_REPS * B_ITERS);
	b_free(subs, n, mm);
}

/* The driver's read side: read_begin, driver lock, read_retry. */
static bool b_read(struct bsub *b)
{
	unsigned long seq = mmu_range_read_begin(&b->mrn);
	bool retry;

	spin_lock(&b->lock);
	retry = mmu_range_read_retry(&b->mrn, seq);
	spin_unlock(&b->lock);
	return retry;
}

static void bench_read_retry(struct kunit *test)
{
	struct mm_struct *mm = b_mm(test);
	struct bsub *b = b_subs(test, 1);
	unsigned int retries = 0;

	b_insert(test, b, mm, B_BASE, PAGE_SIZE);
	B_TIME(test, "read_retry", 1, B_ITERS, retries += b_read(b));
	KUNIT_EXPECT_EQ(test, retries, 0);
	b_free(b, 1, mm);
}

/*
 * Remove subscription @i of a tree of @n (inserted by b_insert_spaced())
 * and insert it again, timed as @op.
 */
static void b_remove_insert(struct kunit *test, const char *op,
			    unsigned int n, unsigned int i)
{
	struct mm_struct *mm = b_mm(test);
	struct bsub *subs = b_subs(test, n);
	struct bsub *b = &subs[i];
	unsigned long start = B_BASE + 2 * i * PAGE_SIZE;
	int err = 0;

	b_insert_spaced(test, subs, n, mm);
	B_TIME(test, op, n, B_ITERS / 4,
	       mmu_range_notifier_remove(&b->mrn);
	       err |= mmu_range_notifier_insert(&b->mrn, mm, start, PAGE_SIZE,
						&bsub_ops));
	KUNIT_EXPECT_EQ(test, err, 0);
	b_free(subs, n, mm);
}

/* Remove the middle subscription of a tree of n and insert it again. */
static void bench_remove_insert(struct kunit *test)
{
	b_remove_insert(test, "remove_insert", b_param(test),
			b_param(test) / 2);
}

/*
 * The same with the lowest subscription: the tree's leftmost node, which
 * the cached rbtree keeps a pointer to, so its removal and insertion also
 * update that pointer.
 */
static void bench_remove_insert_lowest(struct kunit *test)
{
	b_remove_insert(test, "remove_insert_lowest", b_param(test), 0);
}

/*
 * An invalidation of an mm whose tree is empty again: one subscription
 * was inserted (which set the tree up) and removed.
 */
static void bench_inval_empty(struct kunit *test)
{
	struct mm_struct *mm = b_mm(test);
	struct bsub *b = b_subs(test, 1);

	b_insert(test, b, mm, B_BASE, PAGE_SIZE);
	mmu_range_notifier_remove(&b->mrn);
	B_TIME(test, "inval_empty", 0, B_ITERS,
	       b_inval(mm, B_BASE, B_BASE + PAGE_SIZE));
	KUNIT_EXPECT_EQ(test, b->calls, 0);
	kvfree(b);
	mmput(mm);
}

/*
 * A stream of invalidations that hit nothing, one always running: the
 * next starts before the previous one ends, with a sleep in between so
 * that other threads run while one is open. Stops when told to, or after
 * B2_MS, so that an implementation whose remove waits for the stream
 * still ends (with that wait in its figure).
 */
struct b_stream {
	struct mm_struct *mm;
	unsigned long start;
	bool stop;
	struct completion open, done;
	u64 longest;	/* ns, the longest start-to-end of one invalidation */
};

static int b_stream_fn(void *data)
{
	struct b_stream *st = data;
	u64 end = ktime_get_ns() + B2_MS * NSEC_PER_MSEC;
	struct mmu_notifier_range r[2];
	u64 started[2];
	unsigned int i;

	for (i = 0; ; i++) {
		struct mmu_notifier_range *cur = &r[i & 1];

		mmu_notifier_range_init(cur, MMU_NOTIFY_CLEAR, 0, st->mm,
					st->start, st->start + PAGE_SIZE);
		started[i & 1] = ktime_get_ns();
		mmu_notifier_invalidate_range_start(cur);
		if (i) {
			mmu_notifier_invalidate_range_end(&r[(i - 1) & 1]);
			st->longest = max(st->longest, ktime_get_ns() -
					  started[(i - 1) & 1]);
		} else {
			complete(&st->open);
		}
		if (READ_ONCE(st->stop) || ktime_get_ns() > end)
			break;
		usleep_range(20, 40);
	}
	mmu_notifier_invalidate_range_end(&r[i & 1]);
	complete(&st->done);
	return 0;
}

/*
 * Remove a subscription (inserted while the mm was idle) while the stream
 * runs: 6.12 removes at once, as no walk is in the tree.
 */
#define B_STREAM_SUBS	64
static void bench_remove_during_missing(struct kunit *test)
{
	struct mm_struct *mm = b_mm(test);
	struct bsub *subs = b_subs(test, B_STREAM_SUBS);
	struct b_stream st = { .mm = mm };
	u64 best = U64_MAX;
	int r;

	/* The stream's range lies past every subscription: it hits none. */
	st.start = B_BASE + 2 * (B_STREAM_SUBS + 1) * PAGE_SIZE;
	for (r = 0; r < B_REPS; r++) {
		struct task_struct *task;
		unsigned int i;
		u64 t0;

		b_insert_spaced(test, subs, B_STREAM_SUBS, mm);
		st.stop = false;
		init_completion(&st.open);
		init_completion(&st.done);
		task = kthread_run(b_stream_fn, &st, "mn-bench-stream");
		KUNIT_ASSERT_FALSE(test, IS_ERR(task));
		wait_for_completion(&st.open);
		t0 = ktime_get_ns();
		for (i = 0; i < B_STREAM_SUBS; i++)
			mmu_range_notifier_remove(&subs[i].mrn);
		best = min(best, ktime_get_ns() - t0);
		WRITE_ONCE(st.stop, true);
		wait_for_completion(&st.done);
	}
	b_print(test, "remove_missing_stream", 1, "ns",
		div_u64(best * 100, B_STREAM_SUBS));
	kvfree(subs);
	mmput(mm);
}

/*
 * Subscriptions standing for devices whose teardown takes B_DEV_NS after it
 * is started: starting it sets the device's deadline, waiting for it spins
 * on the clock until then (a timer would not do: UML, and the QEMU kernel
 * while KUnit runs, have no high-resolution timers). One pass starts and
 * waits in the callback, so an invalidation hitting n of them waits n
 * times in a row; two passes start in the first pass and wait in the
 * second, so the n waits overlap. 6.12 has no two passes: there both rows
 * print skipped.
 */
#define B_DEV_NS	50000
#define B_DEV_SUBS	16
#define B_DEV_ITERS	10

#ifndef MMU_NOTIFIER_BENCH_COMPAT
struct bdev {
	struct mmu_range_notifier mrn;
	spinlock_t lock;		/* the "driver lock" */
	u64 done_at;			/* the device's teardown ends then */
	struct mmu_range_notifier_finish finish;
	unsigned long calls;
	unsigned long waits;		/* teardowns waited for */
};

/* Record the invalidation and start the device's teardown. */
static void bdev_start(struct mmu_range_notifier *mrn, unsigned long cur_seq)
{
	struct bdev *d = container_of(mrn, struct bdev, mrn);

	spin_lock(&d->lock);
	mmu_range_set_seq(mrn, cur_seq);
	d->calls++;
	spin_unlock(&d->lock);
	d->done_at = ktime_get_ns() + B_DEV_NS;
}

/* Wait until the device's teardown has ended. */
static void bdev_wait(struct bdev *d)
{
	while (ktime_get_ns() < d->done_at)
		cpu_relax();
	d->waits++;
}

static bool bdev_one_pass(struct mmu_range_notifier *mrn,
			  const struct mmu_notifier_range *range,
			  unsigned long cur_seq)
{
	bdev_start(mrn, cur_seq);
	bdev_wait(container_of(mrn, struct bdev, mrn));
	return true;
}

static bool bdev_first_pass(struct mmu_range_notifier *mrn,
			    const struct mmu_notifier_range *range,
			    unsigned long cur_seq,
			    struct mmu_range_notifier_finish **finish)
{
	bdev_start(mrn, cur_seq);
	*finish = &container_of(mrn, struct bdev, mrn)->finish;
	return true;
}

static void bdev_second_pass(struct mmu_range_notifier_finish *finish)
{
	bdev_wait(container_of(finish, struct bdev, finish));
}

static const struct mmu_range_notifier_ops bdev_ops[2] = {
	{ .invalidate = bdev_one_pass },
	{ .invalidate_start = bdev_first_pass,
	  .invalidate_finish = bdev_second_pass },
};
#endif

static void bench_inval_devices(struct kunit *test)
{
	static const char *const op[2] = { "inval_dev_one_pass",
					   "inval_dev_two_pass" };
	int k;

#ifdef MMU_NOTIFIER_BENCH_COMPAT
	for (k = 0; k < 2; k++)
		kunit_info(test, "BENCH %s %u skipped 0\n", op[k], B_DEV_SUBS);
#else
	for (k = 0; k < 2; k++) {
		struct mm_struct *mm = b_mm(test);
		struct bdev *devs = kcalloc(B_DEV_SUBS, sizeof(*devs),
					    GFP_KERNEL);
		unsigned int i;

		KUNIT_ASSERT_NOT_NULL(test, devs);
		for (i = 0; i < B_DEV_SUBS; i++) {
			struct bdev *d = &devs[i];
			int ret;

			spin_lock_init(&d->lock);
			ret = mmu_range_notifier_insert(&d->mrn, mm, B_BASE,
							PAGE_SIZE, &bdev_ops[k]);
			KUNIT_ASSERT_EQ(test, ret, 0);
		}
		B_TIME(test, op[k], B_DEV_SUBS, B_DEV_ITERS,
		       b_inval(mm, B_BASE, B_BASE + PAGE_SIZE));
		for (i = 0; i < B_DEV_SUBS; i++) {
			KUNIT_EXPECT_EQ(test, devs[i].calls,
					B_REPS * B_DEV_ITERS);
			/* Each teardown was waited for before the end. */
			KUNIT_EXPECT_EQ(test, devs[i].waits, devs[i].calls);
			mmu_range_notifier_remove(&devs[i].mrn);
		}
		kfree(devs);
		mmput(mm);
	}
#endif
}

/* Classic notifiers that only count. */
struct bclassic {
	struct mmu_notifier mn;
	unsigned long starts, ends;
};

static int bclassic_start(struct mmu_notifier *mn,
			  const struct mmu_notifier_range *range)
{
	container_of(mn, struct bclassic, mn)->starts++;
	return 0;
}

static void bclassic_end(struct mmu_notifier *mn,
			 const struct mmu_notifier_range *range)
{
	container_of(mn, struct bclassic, mn)->ends++;
}

static const struct mmu_notifier_ops bclassic_ops = {
	.invalidate_range_start = bclassic_start,
	.invalidate_range_end = bclassic_end,
};

static void bench_classic_inval(struct kunit *test)
{
	unsigned int n = b_param(test), i;
	struct mm_struct *mm = b_mm(test);
	struct bclassic *c;

	c = kunit_kcalloc(test, n, sizeof(*c), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, c);
	for (i = 0; i < n; i++) {
		c[i].mn.ops = &bclassic_ops;
		KUNIT_ASSERT_EQ(test, 0, mmu_notifier_register(&c[i].mn, mm));
	}
	B_TIME(test, "classic_inval", n, B_ITERS,
	       b_inval(mm, B_BASE, B_BASE + PAGE_SIZE));
	for (i = 0; i < n; i++) {
		KUNIT_EXPECT_EQ(test, c[i].starts, B_REPS * B_ITERS);
		KUNIT_EXPECT_EQ(test, c[i].ends, B_REPS * B_ITERS);
		mmu_notifier_unregister(&c[i].mn, mm);
	}
	mmput(mm);
}

/*
 * Teardown of an mm holding n subscriptions: the last mmput() (release
 * reaches every subscription) and the driver's n removes.
 */
static void bench_teardown(struct kunit *test)
{
	unsigned int n = b_param(test);
	struct bsub *subs = b_subs(test, n);
	u64 best = U64_MAX;
	int r;

	for (r = 0; r < B_REPS; r++) {
		struct mm_struct *mm = b_mm(test);
		unsigned int i;
		u64 t0;

		/* Removed subscriptions can be inserted again. */
		b_insert_spaced(test, subs, n, mm);
		t0 = ktime_get_ns();
		mmput(mm);
		b_remove_all(subs, n);
		best = min(best, ktime_get_ns() - t0);
		for (i = 0; i < n; i++)
			KUNIT_EXPECT_EQ(test, subs[i].calls, r + 1);
		cond_resched();
	}
	b_print(test, "teardown", n, "ns", best * 100);
	kvfree(subs);
}

/*
 * munmap() of a populated 64 MiB anonymous mapping of a real mm, with no
 * subscription, then with B_MUNMAP_SUBS subscriptions covering it: what a
 * process pays for a device mirror.
 */
static void bench_munmap(struct kunit *test)
{
	unsigned int n = b_param(test), i;
	struct mm_struct *mm = b_mm(test);
	struct bsub *subs = b_subs(test, B_MUNMAP_SUBS);
	unsigned long len = B_MUNMAP_LEN / B_MUNMAP_SUBS;
	u64 best = U64_MAX;
	int r;

	mm->task_size = TASK_SIZE;
	arch_pick_mmap_layout(mm, &current->signal->rlim[RLIMIT_STACK]);
	kthread_use_mm(mm);
	for (r = 0; r < B_REPS; r++) {
		unsigned long addr;
		u64 t0;

		addr = vm_mmap(NULL, 0, B_MUNMAP_LEN, PROT_READ | PROT_WRITE,
			       MAP_ANONYMOUS | MAP_PRIVATE | MAP_POPULATE, 0);
		KUNIT_ASSERT_FALSE(test, IS_ERR_VALUE(addr));
		for (i = 0; i < n; i++)
			b_insert(test, &subs[i], mm, addr + i * len, len);
		t0 = ktime_get_ns();
		KUNIT_ASSERT_EQ(test, 0, vm_munmap(addr, B_MUNMAP_LEN));
		best = min(best, ktime_get_ns() - t0);
		b_remove_all(subs, n);
		cond_resched();
	}
	for (i = 0; i < n; i++)
		KUNIT_EXPECT_EQ(test, subs[i].calls, B_REPS);
	b_print(test, "munmap64m", n, "ns", best * 100);
	kthread_unuse_mm(mm);
	kvfree(subs);
	mmput(mm);
}

static void bench_struct_size(struct kunit *test)
{
	b_print(test, "sizeof", 0, "bytes",
		sizeof(struct mmu_range_notifier) * 100);
	KUNIT_EXPECT_LE(test, sizeof(struct mmu_range_notifier), 88);
}

/* ---- two CPUs ---- */

enum b2_kind { B2_READ, B2_INVAL, B2_LOCK };

struct b2_worker {
	struct b2_run *run;
	enum b2_kind kind;
	struct bsub *sub;
	u64 ops, ns;
	struct completion done;
} ____cacheline_aligned_in_smp;

struct b2_run {
	struct mm_struct *mm;
	atomic_t ready;
	int workers;
};

static int b2_fn(void *data)
{
	struct b2_worker *w = data;
	struct bsub *b = w->sub;
	unsigned long start = b->mrn.interval_tree.start;
	u64 t0, now, end;
	int i;

	/* Start together: both workers are on their CPUs. */
	atomic_inc(&w->run->ready);
	while (atomic_read(&w->run->ready) < w->run->workers)
		cpu_relax();

	t0 = ktime_get_ns();
	end = t0 + B2_MS * NSEC_PER_MSEC;
	do {
		for (i = 0; i < B2_BATCH; i++) {
			if (w->kind == B2_READ) {
				b_read(b);
			} else if (w->kind == B2_INVAL) {
				b_inval(w->run->mm, start, start + PAGE_SIZE);
			} else {
				spin_lock(&b->lock);
				spin_unlock(&b->lock);
			}
		}
		w->ops += B2_BATCH;
		now = ktime_get_ns();
	} while (now < end);
	w->ns = now - t0;
	complete(&w->done);
	return 0;
}

/* Run one worker per kind given, worker i bound to CPU i; ops per ms. */
static void b2_round(struct kunit *test, struct mm_struct *mm,
		     struct bsub *subs, const enum b2_kind *kinds, int n,
		     u64 *per_ms)
{
	struct b2_worker w[2] = {};
	struct b2_run run = { .mm = mm, .workers = n };
	int i;

	for (i = 0; i < n; i++) {
		struct task_struct *task;

		w[i].run = &run;
		w[i].kind = kinds[i];
		w[i].sub = &subs[i];
		init_completion(&w[i].done);
		task = kthread_create(b2_fn, &w[i], "mn-bench/%d", i);
		KUNIT_ASSERT_FALSE(test, IS_ERR(task));
		kthread_bind(task, cpumask_nth(i, cpu_online_mask));
		wake_up_process(task);
	}
	for (i = 0; i < n; i++) {
		wait_for_completion(&w[i].done);
		/* hundredths of an op per ms */
		per_ms[i] = div64_u64(w[i].ops * 100 * NSEC_PER_MSEC, w[i].ns);
	}
}

static int b2_cmp(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

static u64 b_median(u64 *v, unsigned int n)
{
	sort(v, n, sizeof(u64), b2_cmp, NULL);
	return v[n / 2];
}

static u64 b2_median(u64 *v)
{
	return b_median(v, B2_ROUNDS);
}

static void b2_print(struct kunit *test, const char *op, const char *label,
		     u64 hundredths)
{
	kunit_info(test, "BENCH %s %s ops_per_ms %llu.%02llu\n", op, label,
		   hundredths / 100, hundredths % 100);
}

/*
 * Median over B2_ROUNDS rounds, per worker, printed as op/label[i] and
 * stored in med[i].
 */
static void b2_measure(struct kunit *test, struct mm_struct *mm,
		       struct bsub *subs, const char *op,
		       const enum b2_kind *kinds, int n,
		       const char *const *labels, u64 *med)
{
	u64 v[2][B2_ROUNDS], per_ms[2];
	int r, i;

	for (r = 0; r < B2_ROUNDS; r++) {
		b2_round(test, mm, subs, kinds, n, per_ms);
		for (i = 0; i < n; i++)
			v[i][r] = per_ms[i];
	}
	for (i = 0; i < n; i++) {
		med[i] = b2_median(v[i]);
		b2_print(test, op, labels[i], med[i]);
	}
}

/*
 * A scaling test: in every round, one CPU alone and then both, so that
 * the two figures a scaling divides are taken close in time. Prints the
 * medians as op/alone, op/cpu0 and op/cpu1; the alone median in *alone.
 */
static void b2_scaling(struct kunit *test, struct mm_struct *mm,
		       struct bsub *subs, const char *op,
		       const enum b2_kind *kinds, u64 *alone)
{
	u64 v[3][B2_ROUNDS], per_ms[2];
	int r;

	for (r = 0; r < B2_ROUNDS; r++) {
		b2_round(test, mm, subs, kinds, 1, per_ms);
		v[0][r] = per_ms[0];
		b2_round(test, mm, subs, kinds, 2, per_ms);
		v[1][r] = per_ms[0];
		v[2][r] = per_ms[1];
	}
	*alone = b2_median(v[0]);
	b2_print(test, op, "alone", *alone);
	b2_print(test, op, "cpu0", b2_median(v[1]));
	b2_print(test, op, "cpu1", b2_median(v[2]));
	KUNIT_EXPECT_GT(test, v[1][0] + v[2][0], 0);
}

/*
 * Two CPUs on one mm, each on its own subscription: both running the
 * collision-retry read side; both invalidating their own (disjoint)
 * ranges; one of each. Each also alone, for the scaling. And the ceiling:
 * each CPU only taking its own driver lock, no notifier call at all.
 */
static void bench_two_cpus(struct kunit *test)
{
	static const enum b2_kind rr[] = { B2_READ, B2_READ };
	static const enum b2_kind ii[] = { B2_INVAL, B2_INVAL };
	static const enum b2_kind ri[] = { B2_READ, B2_INVAL };
	static const enum b2_kind ll[] = { B2_LOCK, B2_LOCK };
	static const char *const mixed[] = { "read", "inval" };
	u64 read_alone, inval_alone, lock_alone, med[2];
	struct mm_struct *mm;
	struct bsub *subs;

	if (num_online_cpus() < 2) {
		kunit_info(test, "BENCH two_cpus %u skipped 0\n",
			   num_online_cpus());
		kunit_skip(test, "needs 2 CPUs, %u online", num_online_cpus());
	}

	mm = b_mm(test);
	subs = b_subs(test, 2);
	b_insert(test, &subs[0], mm, B_BASE, PAGE_SIZE);
	b_insert(test, &subs[1], mm, B_BASE + 2 * PAGE_SIZE, PAGE_SIZE);

	b2_scaling(test, mm, subs, "retry2", rr, &read_alone);
	b2_scaling(test, mm, subs, "inval2", ii, &inval_alone);
	/* One of each; the alone figures are those of retry2 and inval2. */
	b2_print(test, "mixed", "alone_read", read_alone);
	b2_print(test, "mixed", "alone_inval", inval_alone);
	b2_measure(test, mm, subs, "mixed", ri, 2, mixed, med);
	b2_scaling(test, mm, subs, "lock2", ll, &lock_alone);

	KUNIT_EXPECT_GT(test, subs[0].calls + subs[1].calls, 0);
	b_free(subs, 2, mm);
}

/*
 * Liveness: how long a caller waits while a stream of overlapping
 * invalidations runs elsewhere in the mm, hitting nothing ("miss") or
 * another subscription ("hit"). In 6.12 the mm's sequence stays odd from
 * the first hit until no invalidation runs, so a reader of a subscription
 * whose own invalidation has ended, an insert's first read_begin and a
 * remove of a subscription in the tree all wait for the stream to end
 * (B2_MS at most, when it stops by itself). The median of B_LIVE_REPS
 * waits, in us; the report checks the worst run.
 */
#define B_LIVE_REPS	3
#define B_LIVE_OTHER	(B_BASE + 64 * PAGE_SIZE)

enum b_live_op { B_LIVE_READ, B_LIVE_INSERT_READ, B_LIVE_REMOVE };

/* One wait, in ns: @op on subscription @a while a stream runs. */
static u64 b_live_once(struct kunit *test, struct mm_struct *mm,
		       struct bsub *a, enum b_live_op op, u64 *longest)
{
	struct b_stream st = { .mm = mm, .start = B_LIVE_OTHER };
	struct task_struct *task;
	u64 t0, t;

	if (op != B_LIVE_INSERT_READ)
		b_insert(test, a, mm, B_BASE, PAGE_SIZE);
	init_completion(&st.open);
	init_completion(&st.done);
	task = kthread_run(b_stream_fn, &st, "mn-bench-live");
	KUNIT_ASSERT_FALSE(test, IS_ERR(task));
	wait_for_completion(&st.open);
	/* A few overlapping rounds first: the stream is in its stride. */
	usleep_range(200, 400);
	if (op == B_LIVE_READ)
		b_inval(mm, B_BASE, B_BASE + PAGE_SIZE);
	t0 = ktime_get_ns();
	switch (op) {
	case B_LIVE_READ:
		mmu_range_read_begin(&a->mrn);
		break;
	case B_LIVE_INSERT_READ:
		b_insert(test, a, mm, B_BASE, PAGE_SIZE);
		mmu_range_read_begin(&a->mrn);
		break;
	case B_LIVE_REMOVE:
		mmu_range_notifier_remove(&a->mrn);
		break;
	}
	t = ktime_get_ns() - t0;
	WRITE_ONCE(st.stop, true);
	wait_for_completion(&st.done);
	*longest = max(*longest, st.longest);
	if (op != B_LIVE_REMOVE)
		mmu_range_notifier_remove(&a->mrn);
	return t;
}

static void b_live(struct kunit *test, const char *name, enum b_live_op op,
		   bool hit, u64 *longest)
{
	struct mm_struct *mm = b_mm(test);
	struct bsub *subs = b_subs(test, 2);
	u64 waits[B_LIVE_REPS];
	unsigned int r;

	/* subs[1] sits under the stream when it is to hit something. */
	if (hit)
		b_insert(test, &subs[1], mm, B_LIVE_OTHER, PAGE_SIZE);
	else
		b_insert(test, &subs[1], mm, B_LIVE_OTHER + 2 * PAGE_SIZE,
			 PAGE_SIZE);
	for (r = 0; r < B_LIVE_REPS; r++)
		waits[r] = b_live_once(test, mm, &subs[0], op, longest);
	b_print(test, name, 1, "wait_us",
		div_u64(b_median(waits, B_LIVE_REPS), 10));
	mmu_range_notifier_remove(&subs[1].mrn);
	kvfree(subs);
	mmput(mm);
}

/*
 * live_stream_inval is the longest invalidation of the streams, from its
 * start to its end: the time a caller may have to wait for one that was
 * running when it asked (on UML, without high-resolution timers, each
 * lasts a jiffy: usleep_range() sleeps that long).
 */
static void bench_liveness(struct kunit *test)
{
	u64 longest = 0;

	b_live(test, "live_read_miss", B_LIVE_READ, false, &longest);
	b_live(test, "live_read_hit", B_LIVE_READ, true, &longest);
	b_live(test, "live_insert_read_miss", B_LIVE_INSERT_READ, false,
	       &longest);
	b_live(test, "live_insert_read_hit", B_LIVE_INSERT_READ, true,
	       &longest);
	b_live(test, "live_remove_hit", B_LIVE_REMOVE, true, &longest);
	b_print(test, "live_stream_inval", 1, "wait_us", div_u64(longest, 10));
}

/*
 * The limit of the walker rule, informational: two CPUs invalidate, with
 * no pause, a subscription whose callback takes B_SLOW_US, so that a walk
 * is in the tree nearly all the time. A remove of another subscription
 * waits for a moment with no walk, which need not come before the walkers
 * stop (B2_MS); 6.12 waits for a moment with no invalidation at all. Two
 * CPUs only: on one, the walks cannot overlap.
 */
#define B_SLOW_US	100

static bool bslow_invalidate(struct mmu_range_notifier *mrn,
			     const struct mmu_notifier_range *range,
			     unsigned long cur_seq)
{
	bsub_invalidate(mrn, range, cur_seq);
	udelay(B_SLOW_US);
	return true;
}

static const struct mmu_range_notifier_ops bslow_ops = {
	.invalidate = bslow_invalidate,
};

struct b_walker {
	struct mm_struct *mm;
	bool stop;
	struct completion done;
};

static int b_walker_fn(void *data)
{
	struct b_walker *wk = data;
	u64 end = ktime_get_ns() + B2_MS * NSEC_PER_MSEC;

	while (!READ_ONCE(wk->stop) && ktime_get_ns() < end) {
		b_inval(wk->mm, B_LIVE_OTHER, B_LIVE_OTHER + PAGE_SIZE);
		cond_resched();
	}
	complete(&wk->done);
	return 0;
}

/* One remove while two walkers run, one bound to each of two CPUs; ns. */
static u64 b_remove_two_walkers(struct kunit *test, struct mm_struct *mm,
				struct bsub *a)
{
	struct b_walker wk[2];
	unsigned int i;
	u64 t0, t;

	b_insert(test, a, mm, B_BASE, PAGE_SIZE);
	for (i = 0; i < 2; i++) {
		struct task_struct *task;

		wk[i] = (struct b_walker){ .mm = mm };
		init_completion(&wk[i].done);
		task = kthread_create(b_walker_fn, &wk[i], "mn-bench-walk/%u",
				      i);
		KUNIT_ASSERT_FALSE(test, IS_ERR(task));
		kthread_bind(task, cpumask_nth(i, cpu_online_mask));
		wake_up_process(task);
	}
	usleep_range(1000, 2000);
	t0 = ktime_get_ns();
	mmu_range_notifier_remove(&a->mrn);
	t = ktime_get_ns() - t0;
	for (i = 0; i < 2; i++) {
		WRITE_ONCE(wk[i].stop, true);
		wait_for_completion(&wk[i].done);
	}
	return t;
}

static void bench_live_remove_two_walkers(struct kunit *test)
{
	u64 waits[B_LIVE_REPS];
	struct mm_struct *mm;
	struct bsub *subs;
	unsigned int r;

	if (num_online_cpus() < 2) {
		kunit_info(test, "BENCH live_remove_two_walkers 1 skipped 0\n");
		return;
	}
	mm = b_mm(test);
	subs = b_subs(test, 2);
	KUNIT_ASSERT_EQ(test, 0, mmu_range_notifier_insert(&subs[1].mrn, mm,
							   B_LIVE_OTHER,
							   PAGE_SIZE,
							   &bslow_ops));
	for (r = 0; r < B_LIVE_REPS; r++)
		waits[r] = b_remove_two_walkers(test, mm, &subs[0]);
	b_print(test, "live_remove_two_walkers", 1, "wait_us",
		div_u64(b_median(waits, B_LIVE_REPS), 10));
	mmu_range_notifier_remove(&subs[1].mrn);
	kvfree(subs);
	mmput(mm);
}

/* A slow case run once per size of its array (see b_sizes). */
#define B_CASE_SIZES(name, gen)						\
	KUNIT_CASE_PARAM_ATTR(name, gen, { .speed = KUNIT_SPEED_SLOW })

static struct kunit_case mmu_notifier_bench_cases[] = {
	KUNIT_CASE(bench_struct_size),
	B_CASE_SIZES(bench_inval_miss, b_sizes_gen_params),
	B_CASE_SIZES(bench_inval_hit, b_hits_gen_params),
	KUNIT_CASE_SLOW(bench_read_retry),
	B_CASE_SIZES(bench_remove_insert, b_sizes_gen_params),
	B_CASE_SIZES(bench_remove_insert_lowest, b_lowest_sizes_gen_params),
	KUNIT_CASE_SLOW(bench_inval_empty),
	KUNIT_CASE_SLOW(bench_remove_during_missing),
	KUNIT_CASE_SLOW(bench_liveness),
	KUNIT_CASE_SLOW(bench_live_remove_two_walkers),
	KUNIT_CASE_SLOW(bench_inval_devices),
	B_CASE_SIZES(bench_classic_inval, b_classic_counts_gen_params),
	B_CASE_SIZES(bench_teardown, b_teardown_sizes_gen_params),
	B_CASE_SIZES(bench_munmap, b_munmap_counts_gen_params),
	KUNIT_CASE_SLOW(bench_two_cpus),
	{}
};

static struct kunit_suite mmu_notifier_bench_suite = {
	.name = "mmu_notifier_bench",
	.test_cases = mmu_notifier_bench_cases,
};

kunit_test_suite(mmu_notifier_bench_suite);

MODULE_DESCRIPTION("MMU notifier benchmark");
MODULE_LICENSE("GPL");
