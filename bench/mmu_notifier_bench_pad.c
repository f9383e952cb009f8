// SPDX-License-Identifier: GPL-2.0-only
/*
 * The layout control of the benchmark: built only into a second copy of
 * the pristine base, as kernel/mmu_notifier_bench_pad.o, where it puts
 * 1088 bytes (17 cache lines, not a multiple of a page) of text before
 * mm/ in link order. The same code at other addresses: how much the
 * figures move with layout alone is the noise floor that the base and
 * the series, two different kernels, are compared against.
 */
asm(".pushsection .text, \"ax\"\n"
	"mmu_notifier_bench_pad:\n"
	".skip 1088, 0xcc\n"
	".popsection\n");
