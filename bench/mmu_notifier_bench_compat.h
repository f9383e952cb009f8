/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The benchmark's names on unmodified Linux 6.12, where range notifiers
 * are called interval notifiers. Copied next to the benchmark only in the
 * base tree; the series tree has <linux/mmu_range_notifier.h> instead.
 */
#ifndef MMU_NOTIFIER_BENCH_COMPAT_H
#define MMU_NOTIFIER_BENCH_COMPAT_H

#include <linux/mmu_notifier.h>

#define mmu_range_notifier		mmu_interval_notifier
#define mmu_range_notifier_ops		mmu_interval_notifier_ops
#define mmu_range_notifier_insert	mmu_interval_notifier_insert
#define mmu_range_notifier_remove	mmu_interval_notifier_remove
#define mmu_range_read_begin		mmu_interval_read_begin
#define mmu_range_read_retry		mmu_interval_read_retry
#define mmu_range_set_seq		mmu_interval_set_seq

#endif /* MMU_NOTIFIER_BENCH_COMPAT_H */
