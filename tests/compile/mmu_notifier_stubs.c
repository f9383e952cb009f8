// SPDX-License-Identifier: GPL-2.0-only
/*
 * Built by scripts/compile-configs.sh against a kernel configured with
 * CONFIG_MMU_NOTIFIER=n: every inline of <linux/mmu_notifier.h> that the
 * core mm calls must have a stub that compiles (W=1, no warning) and
 * leaves no reference to the notifier core, and <linux/mmu_range_notifier.h>
 * must compile too. Not part of the series.
 */
#include <linux/mm.h>
#include <linux/mmu_notifier.h>
#include <linux/mmu_range_notifier.h>
#include <linux/module.h>

#ifdef CONFIG_MMU_NOTIFIER
#error "build this probe with CONFIG_MMU_NOTIFIER=n only"
#endif

int mn_stubs_probe(struct vm_area_struct *vma, pte_t *ptep);

int mn_stubs_probe(struct vm_area_struct *vma, pte_t *ptep)
{
	struct mm_struct *mm = vma->vm_mm;
	struct mmu_notifier_range range;
	int r = 0;

	mmu_notifier_range_init(&range, MMU_NOTIFY_CLEAR, 0, mm, 0, PAGE_SIZE);
	mmu_notifier_range_init_owner(&range, MMU_NOTIFY_MIGRATE, 0, mm, 0,
				      PAGE_SIZE, NULL);
	mmu_notifier_invalidate_range_start(&range);
	mmu_notifier_invalidate_range_end(&range);
	r |= mmu_notifier_invalidate_range_start_nonblock(&range);
	r |= !mmu_notifier_range_blockable(&range);
	mmu_notifier_arch_invalidate_secondary_tlbs(mm, range.start, range.end);
	r |= mmu_notifier_clear_flush_young(mm, 0, PAGE_SIZE);
	r |= mmu_notifier_clear_young(mm, 0, PAGE_SIZE);
	r |= mmu_notifier_test_young(mm, 0);
	r |= mm_has_notifiers(mm);
	r |= ptep_clear_flush_young_notify(vma, 0, ptep);
	r |= ptep_clear_young_notify(vma, 0, ptep);
	mmu_notifier_release(mm);
	mmu_notifier_subscriptions_init(mm);
	mmu_notifier_subscriptions_destroy(mm);
	mmu_notifier_synchronize();
	return r + (int)sizeof(struct mmu_range_notifier);
}

MODULE_DESCRIPTION("compile probe: the !CONFIG_MMU_NOTIFIER stubs");
MODULE_LICENSE("GPL");
