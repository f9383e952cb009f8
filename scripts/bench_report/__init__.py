# SPDX-License-Identifier: GPL-2.0
"""Compare the MMU notifier benchmark of the series against Linux 6.12.

Inputs: kernel logs of the KUnit benchmark, one boot (one run) per file.
Anywhere in a line the benchmark prints

    BENCH <op> <param> <unit> <value>

  unit ns          1-CPU cost of <op> with <param> = n subscriptions
                   (inval_miss, inval_hit, read_retry, remove_insert,
                   classic_inval, teardown, munmap64m; other ops are
                   accepted and listed after these);
  unit bytes       "BENCH sizeof 0 bytes V": sizeof(struct mmu_range_notifier);
  unit ops_per_ms  2-CPU throughput of one CPU, QEMU -smp 2 only:
                   retry2 and inval2 with param alone|cpu0|cpu1,
                   mixed with param alone_read|alone_inval|read|inval;
  unit skipped     the op did not run in that boot (noted, not counted).

Logs are given per platform and implementation: --uml-base and
--uml-series (required), --uml-control, --qemu-base and --qemu-series
(optional). "base" is 6.12, "series" (printed "ours") is this
implementation.

Computation: for 1-CPU ops the best (minimum) over runs, the ratio
ours/6.12 and the noise of that best: the runs of one implementation
split into two alternate halves, the best of each, max/min - 1 of the
two (the larger of the two implementations). The control runs are 6.12
built again with its text moved (bench/mmu_notifier_bench_pad.c): their
distance from 6.12, |moved/6.12 - 1|, is the layout noise, what two
different kernels differ by with no change to the code measured. The
control op, munmap64m n=0, runs no notifier code at all: its
|ours/6.12 - 1| is the kernel noise. UML ratios must stay within
1.00 + the largest of the three; QEMU (TCG) 1-CPU figures are
informational. 2-CPU scaling uses the median over runs: (cpu0 + cpu1) /
alone, and for mixed read/alone_read + inval/alone_inval. Growth with n
is fitted as ns = a + b*log2(n), and as a power law ns ~ n^k:
logarithmic growth must give k <= 0.25 (linear growth gives 1).
Two-pass invalidation (ours only): one invalidation hitting 16 devices
whose teardown takes 50 us must take under 100 us in two passes; the
one-pass figure is printed beside it (UML; QEMU if UML skipped them).

Outputs:
  stdout       aligned text tables, one "target: ..." line per target and
               the last line "bench: N targets met, M not met";
  DIR/bench.md the same as markdown, with a header and the picture;
  DIR/bench.png two gnuplot panels (skipped with a warning if gnuplot is
               missing), drawn by DIR/bench.gp from DIR/bench-*.dat.

Exit status: 0 when every firm target is met, 1 when one is not, 2 on bad
input (missing file, a log without any BENCH line).

usage: scripts/bench-report.py --uml-base LOG [LOG...]
       --uml-series LOG [LOG...] [--uml-control LOG...]
       [--qemu-base LOG...] [--qemu-series LOG...]
       --out DIR [--title TEXT] [--elapsed SECONDS]

The package, one module per job (scripts/bench-report.py runs __main__):
  parse.py     the logs: BENCH lines into one Run per boot, and the notes
               (skipped ops, repeated or odd lines);
  stats.py     best of runs, ratios, noise, layout and kernel noise,
               2-CPU scaling, the growth fits;
  targets.py   the target bounds and one verdict (Target) per target;
  fmt.py       how numbers and verdicts are printed;
  sections.py  the tables of the report (Section), built from the figures;
  render.py    sections and targets as aligned text and as bench.md;
  plot.py      bench-*.dat, bench.gp, and gnuplot drawing bench.png;
  __main__.py  the command line, and the order of the jobs.
The argparse help is this text up to the usage line.
"""
