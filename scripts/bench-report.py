#!/usr/bin/env python3
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
"""
import argparse
import dataclasses
import datetime
import math
import os
import re
import shutil
import statistics
import subprocess
import sys

OP_ORDER = ('inval_miss', 'inval_empty', 'inval_hit', 'read_retry',
            'remove_insert', 'remove_insert_lowest', 'remove_missing_stream', 'inval_dev_one_pass',
            'inval_dev_two_pass', 'classic_inval', 'teardown', 'munmap64m')
GROWTH_OPS = ('inval_miss', 'remove_insert')
PLOT_OPS = ('inval_miss', 'remove_insert', 'teardown')
PLOT_COLORS = {'inval_miss': '#1f77b4', 'remove_insert': '#d62728',
               'teardown': '#2ca02c'}
SCALING_TESTS = ('retry2', 'inval2', 'mixed', 'lock2')
RETRY2_TARGET = 1.80
INVAL2_TARGET = 1.50
# Absolute 2-CPU throughput, both CPUs' ops/ms added, ours / 6.12 from the
# same run: the lockless read side should approach two independent CPUs
# where 6.12 serializes on the mm's lock; disjoint invalidations should be
# at least as fast as 6.12.
RETRY2_ABS_TARGET = 2.50
INVAL2_ABS_TARGET = 1.00
SIZEOF_TARGET = 88
# Two-pass invalidation: 16 devices whose teardown takes 50 us each, all
# hit by one invalidation, must take less than two device waits (ours
# only; 6.12 has no two passes).
DEV_OPS = ('inval_dev_one_pass', 'inval_dev_two_pass')
DEV_WAIT_NS = 50000
TWO_PASS_TARGET_NS = 2 * DEV_WAIT_NS
# Growth with n: the exponent k of a power-law fit ns ~ n^k. Logarithmic
# growth gives a small k that shrinks as n grows; linear growth gives 1.
GROWTH_LIMIT = 0.25
IMPLS = ('base', 'series')
IMPL_NAMES = {'base': '6.12', 'series': 'ours'}

BENCH_RE = re.compile(r'\bBENCH\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)')


class BadInput(Exception):
    """A log that cannot be used: the run stops with exit status 2."""


@dataclasses.dataclass
class Run:
    """The BENCH lines of one log (one boot)."""
    path: str
    values: dict      # (op, param, unit) -> list of values, in log order
    skipped: list     # (op, param) printed as skipped
    notes: list       # oddities worth telling the reader


@dataclasses.dataclass
class Row:
    """One line of a 1-CPU comparison table."""
    op: str
    n: int
    base: float | None
    ours: float | None
    ratio: float | None
    noise: float | None
    skipped: bool     # a missing side was printed as skipped in every run
    layout: float | None = None  # |control/6.12 - 1|: same code, moved
    kernel: float | None = None  # the control op's |ours/6.12 - 1|
    control: bool = False        # this row is the control op


@dataclasses.dataclass
class Scaling:
    """2-CPU figures of one test for one implementation (medians)."""
    test: str
    per_cpu: dict     # param -> median ops/ms
    scaling: float | None


@dataclasses.dataclass
class Fit:
    """Least-squares fit ns = a + b*log2(n) of one op, one implementation."""
    op: str
    impl: str
    a: float | None
    b: float | None
    max_residual: float | None
    growth: float | None  # exponent k of ns ~ n^k


@dataclasses.dataclass
class Target:
    """One verdict: firm targets decide the exit status, stretch ones not."""
    what: str
    measured: str
    met: bool
    stretch: bool = False


@dataclasses.dataclass
class Section:
    """A titled table plus free text lines, printed as text or markdown."""
    title: str
    headers: list
    rows: list
    lines: list


# ---------------------------------------------------------------- parsing

def parse_args(argv):
    description = __doc__.split('\nusage:')[0]
    parser = argparse.ArgumentParser(
        description=description,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--uml-base', nargs='+', required=True, metavar='LOG',
                        help='UML logs of 6.12, one boot each')
    parser.add_argument('--uml-series', nargs='+', required=True,
                        metavar='LOG', help='UML logs of the series')
    parser.add_argument('--uml-control', nargs='+', default=[],
                        metavar='LOG',
                        help='UML logs of 6.12 again, its text moved (the '
                        'layout control)')
    parser.add_argument('--qemu-base', nargs='+', default=[], metavar='LOG',
                        help='QEMU -smp 2 logs of 6.12')
    parser.add_argument('--qemu-series', nargs='+', default=[], metavar='LOG',
                        help='QEMU -smp 2 logs of the series')
    parser.add_argument('--out', required=True, metavar='DIR',
                        help='directory for bench.md, bench.png, bench.gp')
    parser.add_argument('--title', metavar='TEXT',
                        default='MMU notifier benchmark: '
                        'series against Linux 6.12', help='report title')
    parser.add_argument('--elapsed', type=float, metavar='SECONDS',
                        help='wall time the benchmark took, for the header')
    return parser.parse_args(argv)


def parse_value(text):
    """The value of a BENCH line as a float, or None if it is no number."""
    try:
        value = float(text)
    except ValueError:
        return None
    if not math.isfinite(value):
        return None
    return value


def read_log(path):
    """Read one log into a Run; raise BadInput if unusable."""
    try:
        with open(path, errors='replace') as f:
            lines = f.read().splitlines()
    except OSError as e:
        raise BadInput(f'{path}: cannot read: {e.strerror}') from e
    run = Run(path=path, values={}, skipped=[], notes=[])
    found = 0
    for number, line in enumerate(lines, 1):
        match = BENCH_RE.search(line)
        if not match:
            continue
        found += 1
        add_bench_line(run, number, *match.groups())
    if found == 0:
        raise BadInput(f'{path}: no BENCH line in this log')
    return run


def add_bench_line(run, number, op, param, unit, text):
    """Record one BENCH line of a log into run."""
    if unit == 'skipped':
        run.skipped.append((op, param))
        return
    value = parse_value(text)
    if value is None:
        run.notes.append(f'{run.path}:{number}: value "{text}" of {op} '
                         f'{param} is not a number, line ignored')
        return
    if unit in ('ns', 'bytes'):
        if not param.isdigit():
            run.notes.append(f'{run.path}:{number}: {op} param "{param}" is '
                             f'not a count, line ignored')
            return
        param = int(param)
    elif unit != 'ops_per_ms':
        run.notes.append(f'{run.path}:{number}: unknown unit "{unit}", '
                         f'line ignored')
        return
    run.values.setdefault((op, param, unit), []).append(value)


def load_runs(paths):
    return [read_log(path) for path in paths]


def run_value(run, op, param, unit):
    """The value of one measurement in one run, None if absent.

    A log normally prints each measurement once; if it repeats one, ns and
    bytes take the smallest (the best), ops_per_ms the median.
    """
    values = run.values.get((op, param, unit))
    if not values:
        return None
    if unit == 'ops_per_ms':
        return statistics.median(values)
    return min(values)


def run_values(runs, op, param, unit):
    """The values of one measurement over runs, absent ones left out."""
    values = []
    for run in runs:
        value = run_value(run, op, param, unit)
        if value is not None:
            values.append(value)
    return values


def repeat_notes(runs):
    notes = []
    for run in runs:
        for (op, param, unit), values in run.values.items():
            if len(values) > 1 and len(set(values)) > 1:
                notes.append(f'{run.path}: {op} {param} printed '
                             f'{len(values)} times, using the '
                             f'{"median" if unit == "ops_per_ms" else "best"}')
    return notes


def skip_notes(runs, platform, impl):
    notes = []
    for run in runs:
        for op, param in run.skipped:
            notes.append(f'{platform} {IMPL_NAMES[impl]}: {op} {param} '
                         f'skipped in {run.path}')
    return notes


# ------------------------------------------------------------ computation

def op_sort_key(op):
    if op in OP_ORDER:
        return (OP_ORDER.index(op), op)
    return (len(OP_ORDER), op)


def ns_keys(runs_by_impl):
    """All (op, n) with unit ns in any run, in table order."""
    keys = set()
    for runs in runs_by_impl.values():
        for run in runs:
            for op, param, unit in run.values:
                if unit == 'ns':
                    keys.add((op, param))
    return sorted(keys, key=lambda key: (op_sort_key(key[0]), key[1]))


def spread(values):
    """The noise of the best-of estimate itself: the runs split in two
    halves (alternate runs), the best of each half, and how far apart
    those two bests are (max/min - 1). None with fewer than two runs.
    """
    if len(values) < 2 or min(values) <= 0:
        return None
    halves = [min(values[0::2]), min(values[1::2])]
    return max(halves) / min(halves) - 1


def combined_noise(spreads):
    known = [value for value in spreads if value is not None]
    if not known:
        return None
    return max(known)


def ratio_of(ours, base):
    if ours is None or base is None or base <= 0:
        return None
    return ours / base


def best_of(values):
    if not values:
        return None
    return min(values)


def skipped_in_all(runs, op, n):
    """True if every run printed (op, n) as skipped."""
    if not runs:
        return False
    for run in runs:
        if (op, str(n)) not in run.skipped:
            return False
    return True


def side_skipped(runs_by_impl, op, n, base, ours):
    """True if a missing side of a row is explained by skipped lines."""
    if base is None and skipped_in_all(runs_by_impl['base'], op, n):
        return True
    if ours is None and skipped_in_all(runs_by_impl['series'], op, n):
        return True
    return False


def compare_ns(runs_by_impl, control=()):
    """One Row per (op, n): best of runs, ratio, noise and, with control
    runs, the layout noise."""
    rows = []
    for op, n in ns_keys(runs_by_impl):
        base_values = run_values(runs_by_impl['base'], op, n, 'ns')
        ours_values = run_values(runs_by_impl['series'], op, n, 'ns')
        base = best_of(base_values)
        ours = best_of(ours_values)
        noise = combined_noise([spread(base_values), spread(ours_values)])
        skipped = side_skipped(runs_by_impl, op, n, base, ours)
        moved = best_of(run_values(control, op, n, 'ns'))
        layout = ratio_of(moved, base)
        layout = abs(layout - 1) if layout is not None else None
        rows.append(Row(op, n, base, ours, ratio_of(ours, base), noise,
                        skipped, layout))
    return rows


# An op that runs no notifier code (the mm has no subscription): whatever
# separates 6.12 and ours there is a difference between two kernels.
CONTROL_OP = ('munmap64m', 0)


def mark_control(rows):
    """Give every row the control op's |ours/6.12 - 1| as kernel noise."""
    kernel = None
    for row in rows:
        if (row.op, row.n) == CONTROL_OP and row.ratio is not None:
            kernel = abs(row.ratio - 1)
            row.control = True
    for row in rows:
        if not row.control:
            row.kernel = kernel
    return rows


def allowed(row):
    """The largest noise measured for a row: runs, layout or kernel."""
    return max(row.noise or 0.0, row.layout or 0.0, row.kernel or 0.0)


def ratio_met(row):
    """ratio <= 1.00 + the larger noise (0 when unknown); False if no
    ratio."""
    if row.ratio is None:
        return False
    return row.ratio <= 1.0 + allowed(row)


def scaling_params(test):
    if test == 'mixed':
        return ('alone_read', 'alone_inval', 'read', 'inval')
    return ('alone', 'cpu0', 'cpu1')


def scaling_value(test, per_cpu):
    """The 2-CPU scaling from per-CPU medians, None if a figure is missing."""
    params = scaling_params(test)
    if any(per_cpu.get(param) is None for param in params):
        return None
    if test == 'mixed':
        if per_cpu['alone_read'] <= 0 or per_cpu['alone_inval'] <= 0:
            return None
        return (per_cpu['read'] / per_cpu['alone_read'] +
                per_cpu['inval'] / per_cpu['alone_inval'])
    if per_cpu['alone'] <= 0:
        return None
    return (per_cpu['cpu0'] + per_cpu['cpu1']) / per_cpu['alone']


def compute_scaling(runs, test):
    per_cpu = {}
    for param in scaling_params(test):
        values = run_values(runs, test, param, 'ops_per_ms')
        per_cpu[param] = statistics.median(values) if values else None
    return Scaling(test, per_cpu, scaling_value(test, per_cpu))


def best_by_n(runs, op):
    """{n: best ns} of one op over runs."""
    result = {}
    for run in runs:
        for key_op, n, unit in run.values:
            if key_op != op or unit != 'ns':
                continue
            value = run_value(run, op, n, unit)
            if n not in result or value < result[n]:
                result[n] = value
    return result


def least_squares(xs, ys):
    """(a, b) of y = a + b*x, None if the xs do not vary."""
    mean_x = statistics.fmean(xs)
    mean_y = statistics.fmean(ys)
    sxx = sum((x - mean_x) ** 2 for x in xs)
    if sxx == 0:
        return None
    sxy = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys))
    b = sxy / sxx
    return mean_y - b * mean_x, b


def max_relative_residual(xs, ys, a, b):
    worst = 0.0
    for x, y in zip(xs, ys):
        if y > 0:
            worst = max(worst, abs(a + b * x - y) / y)
    return worst


def fit_growth(op, impl, best):
    """Fit ns = a + b*log2(n) over the n >= 1 present."""
    points = sorted((n, ns) for n, ns in best.items() if n >= 1)
    xs = [math.log2(n) for n, _ in points]
    ys = [ns for _, ns in points]
    growth = None
    if len(xs) >= 2 and min(ys) > 0:
        power = least_squares(xs, [math.log2(ns) for ns in ys])
        growth = power[1] if power is not None else None
    coefficients = least_squares(xs, ys) if len(xs) >= 2 else None
    if coefficients is None:
        return Fit(op, impl, None, None, None, growth)
    a, b = coefficients
    return Fit(op, impl, a, b, max_relative_residual(xs, ys, a, b), growth)


def sizeof_value(runs):
    """The largest sizeof printed in runs (they should all agree)."""
    values = run_values(runs, 'sizeof', 0, 'bytes')
    if not values:
        return None, []
    notes = []
    if len(set(values)) > 1:
        notes.append(f'sizeof differs between logs: {sorted(set(values))}, '
                     f'using the largest')
    return max(values), notes


# ------------------------------------------------------------- formatting

def fmt_ns(value):
    if value is None:
        return '-'
    if value < 10:
        return f'{value:.2f}'
    if value < 1000:
        return f'{value:.1f}'
    return f'{value:.0f}'


def fmt_fraction(value, digits=3):
    if value is None:
        return 'n/a'
    return f'{value:.{digits}f}'


def fmt_ops(value):
    if value is None:
        return '-'
    return f'{value:.0f}'


def fmt_bytes(value):
    if value is None:
        return 'missing'
    return f'{value:.0f}'


def verdict(met):
    return 'met' if met else 'NOT MET'


def fmt_elapsed(seconds):
    minutes, secs = divmod(int(round(seconds)), 60)
    hours, minutes = divmod(minutes, 60)
    if hours:
        return f'{seconds:.0f} s ({hours} h {minutes} min {secs} s)'
    if minutes:
        return f'{seconds:.0f} s ({minutes} min {secs} s)'
    return f'{seconds:.0f} s'


# ---------------------------------------------------------------- sections

def uml_section(rows):
    table = []
    for row in rows:
        target = uml_row_target(row)
        table.append([row.op, str(row.n), fmt_ns(row.base), fmt_ns(row.ours),
                      fmt_fraction(row.ratio), fmt_fraction(row.noise),
                      fmt_fraction(row.layout), target])
    return Section('UML, 1 CPU: best of runs, ns per operation '
                   '(target: ratio <= 1.00 + max(noise, layout, kernel))',
                   ['op', 'n', '6.12(ns)', 'ours(ns)', 'ratio', 'noise',
                    'layout', 'target'], table,
                   [noise_summary(rows), layout_summary(rows),
                    kernel_summary(rows)])


def uml_row_target(row):
    """The target cell of a UML row."""
    if row.skipped:
        return 'skipped'
    if row.control:
        return 'control'
    if row.base is None:
        return 'no 6.12'
    if row.ours is None:
        return 'NOT MET (missing)'
    return verdict(ratio_met(row))


def spread_summary(rows, field, what, missing):
    """Median and max of one noise field over the rows."""
    known = [getattr(row, field) for row in rows
             if getattr(row, field) is not None]
    if not known:
        return f'{field}: {missing}'
    return (f'{field} ({what}): median {statistics.median(known):.3f}, '
            f'max {max(known):.3f} over {len(known)} of {len(rows)} (op, n)')


def noise_summary(rows):
    return spread_summary(rows, 'noise',
                          'best of alternate halves of the runs, max/min - 1',
                          'unknown (fewer than 2 runs per implementation)')


def layout_summary(rows):
    return spread_summary(rows, 'layout',
                          '6.12 built again with its text moved by 1088 '
                          'bytes, |moved/6.12 - 1|',
                          'not measured (no control runs)')


def kernel_summary(rows):
    for row in rows:
        if row.control:
            return (f'kernel ({row.op} n={row.n} runs no notifier code, '
                    f'|ours/6.12 - 1|): {abs(row.ratio - 1):.3f}')
    return 'kernel: no control op measured'


def qemu_ns_section(rows, have_logs):
    title = 'QEMU (TCG), 1 CPU: best of runs, ns per operation ' \
            '(informational, no verdict)'
    headers = ['op', 'n', '6.12(ns)', 'ours(ns)', 'ratio', 'noise']
    if not have_logs:
        return Section(title, headers, [], ['not run'])
    table = []
    for row in rows:
        table.append([row.op, str(row.n), fmt_ns(row.base), fmt_ns(row.ours),
                      fmt_fraction(row.ratio), fmt_fraction(row.noise)])
    lines = [] if table else ['no 1-CPU figure in the QEMU logs']
    return Section(title, headers, table, lines)


def scaling_target_text(test):
    if test == 'retry2':
        return f'>= {RETRY2_TARGET:.2f}'
    if test == 'inval2':
        return f'>= {INVAL2_TARGET:.2f} (stretch)'
    if test == 'lock2':
        return 'ceiling'
    return 'reported only'


def scaling_verdict(test, ours, ours_ran):
    if test in ('mixed', 'lock2'):
        return '-'
    if not ours_ran:
        return 'not run'
    if ours.scaling is None:
        return 'NOT MET (missing)'
    limit = RETRY2_TARGET if test == 'retry2' else INVAL2_TARGET
    return verdict(ours.scaling >= limit)


def fmt_per_cpu(scaling):
    """'alone | cpu0 + cpu1' in ops/ms.

    mixed: 'alone_read / alone_inval | read + inval'.
    """
    values = scaling.per_cpu
    if scaling.test == 'mixed':
        alone = f'{fmt_ops(values["alone_read"])} / ' \
                f'{fmt_ops(values["alone_inval"])}'
        both = f'{fmt_ops(values["read"])} + {fmt_ops(values["inval"])}'
    else:
        alone = fmt_ops(values['alone'])
        both = f'{fmt_ops(values["cpu0"])} + {fmt_ops(values["cpu1"])}'
    return f'{alone} | {both}'


def scaling_section(scalings, ran, ours_ran):
    title = 'QEMU -smp 2: 2-CPU throughput / 1 CPU (median of runs)'
    headers = ['test', '6.12 scaling', 'ours scaling', 'target', 'verdict',
               '6.12 ops/ms', 'ours ops/ms']
    if not ran:
        return Section(title, headers, [], ['not run'])
    table = []
    for test in SCALING_TESTS:
        base = scalings['base'][test]
        ours = scalings['series'][test]
        table.append([test, fmt_fraction(base.scaling, 2),
                      fmt_fraction(ours.scaling, 2),
                      scaling_target_text(test),
                      scaling_verdict(test, ours, ours_ran),
                      fmt_per_cpu(base), fmt_per_cpu(ours)])
    lines = ['ops/ms columns: alone | cpu0 + cpu1 (mixed: alone read / '
             'alone inval | read + inval); scaling 2.00 is perfect',
             'lock2: each CPU only takes and drops its own driver lock, no '
             'notifier call: the scaling this TCG host allows such a loop',
             'for reference, design.md has 6.12 at about 0.65 on retry2 '
             'and about 0.86 on inval2 (hardware, not TCG)']
    return Section(title, headers, table, lines)


def growth_section(fits):
    table = []
    for fit in fits:
        table.append([fit.op, IMPL_NAMES[fit.impl], fmt_fraction(fit.a, 1),
                      fmt_fraction(fit.b, 2),
                      fmt_fraction(fit.max_residual, 3),
                      fmt_fraction(fit.growth, 3)])
    return Section('Growth with n (UML best): ns = a + b*log2(n), and the '
                   'exponent k of ns ~ n^k',
                   ['op', 'impl', 'a(ns)', 'b(ns/doubling)', 'max rel resid',
                    'k'],
                   table,
                   [f'logarithmic: k <= {GROWTH_LIMIT:.2f} (linear growth '
                    f'gives k = 1; past the cache size every level of the '
                    f'tree walk costs more, so the log fit bends up)'])


def teardown_section(best_base, best_ours):
    table = []
    for n in sorted(set(best_base) | set(best_ours)):
        if n <= 0:
            continue
        base = best_base.get(n)
        ours = best_ours.get(n)
        table.append([str(n), fmt_ns(base / n if base is not None else None),
                      fmt_ns(ours / n if ours is not None else None)])
    lines = ['linear in n is expected: every subscription gets a release '
             'callback (informational)']
    if not table:
        lines = ['no teardown figure']
    return Section('Teardown (UML best): ns per subscription',
                   ['n', '6.12(ns/sub)', 'ours(ns/sub)'], table, lines)


def notes_section(notes):
    return Section('Notes', [], [], notes)


# ----------------------------------------------------------------- targets

def uml_targets(rows):
    targets = []
    for row in rows:
        if row.base is None or row.skipped or row.control:
            continue  # nothing to compare with, or the control
        targets.append(Target(
            f'UML {row.op} n={row.n} ours/6.12 <= 1.00 + max(noise '
            f'{fmt_fraction(row.noise)}, layout {fmt_fraction(row.layout)}, '
            f'kernel {fmt_fraction(row.kernel)}) = {1.0 + allowed(row):.3f}',
            fmt_fraction(row.ratio) if row.ours is not None else 'missing',
            ratio_met(row)))
    return targets


def growth_targets(fits):
    targets = []
    for fit in fits:
        if fit.impl != 'series':
            continue
        measured = 'missing' if fit.growth is None else f'{fit.growth:.3f}'
        met = fit.growth is not None and fit.growth <= GROWTH_LIMIT
        targets.append(Target(
            f'{fit.op} grows logarithmically (ours, UML): ns ~ n^k, '
            f'k <= {GROWTH_LIMIT:.2f}', measured, met))
    return targets


def scaling_targets(ours):
    retry2 = ours['retry2'].scaling
    inval2 = ours['inval2'].scaling
    return [
        Target(f'retry2 2-CPU scaling (ours, QEMU) >= {RETRY2_TARGET:.2f}',
               fmt_fraction(retry2, 2) if retry2 is not None else 'missing',
               retry2 is not None and retry2 >= RETRY2_TARGET),
        Target(f'inval2 2-CPU scaling (ours, QEMU) >= {INVAL2_TARGET:.2f} '
               f'(stretch)',
               fmt_fraction(inval2, 2) if inval2 is not None else 'missing',
               inval2 is not None and inval2 >= INVAL2_TARGET,
               stretch=True),
    ]


def absolute_value(scaling):
    """Both CPUs' ops/ms added, None if a figure is missing."""
    cpu0 = scaling.per_cpu.get('cpu0')
    cpu1 = scaling.per_cpu.get('cpu1')
    return None if cpu0 is None or cpu1 is None else cpu0 + cpu1


def absolute_targets(scalings):
    targets = []
    for test, limit in (('retry2', RETRY2_ABS_TARGET),
                        ('inval2', INVAL2_ABS_TARGET)):
        base = absolute_value(scalings['base'][test])
        ours = absolute_value(scalings['series'][test])
        ratio = ours / base if base and ours is not None else None
        measured = 'missing' if ratio is None else \
            f'{fmt_ops(ours)} / {fmt_ops(base)} = {ratio:.2f}'
        targets.append(Target(
            f'{test} 2-CPU throughput, cpu0 + cpu1, ours / 6.12 (QEMU) '
            f'>= {limit:.2f}', measured,
            ratio is not None and ratio >= limit))
    return targets


def two_pass_target(uml_rows, qemu_rows):
    """The two-pass row against two device waits, the one-pass row as
    the measured contrast: from UML if it ran there, else from QEMU
    (UML without high-resolution timers prints the rows skipped)."""
    platform, value, one, n = 'UML', None, None, 16
    for name, rows in (('UML', uml_rows), ('QEMU', qemu_rows)):
        ours = {row.op: row for row in rows if row.op in DEV_OPS}
        two = ours.get('inval_dev_two_pass')
        if two is not None and two.ours is not None:
            platform, value, n = name, two.ours, two.n
            one = ours.get('inval_dev_one_pass')
            break
    contrast = (f'; one pass {fmt_ns(one.ours)} ns'
                if one is not None and one.ours is not None else '')
    return Target(f'{platform} invalidation hitting {n} devices of '
                  f'{DEV_WAIT_NS // 1000} us each, two passes (ours) < '
                  f'{TWO_PASS_TARGET_NS // 1000} us{contrast}',
                  f'{fmt_ns(value)} ns' if value is not None else 'missing',
                  value is not None and value < TWO_PASS_TARGET_NS)


def sizeof_target(ours, base):
    base_text = fmt_bytes(base) if base is not None else 'not printed'
    return Target(f'sizeof(struct mmu_range_notifier) <= {SIZEOF_TARGET} '
                  f'bytes (6.12: {base_text})',
                  fmt_bytes(ours), ours is not None and ours <= SIZEOF_TARGET)


def summary_line(targets):
    met = sum(1 for target in targets if target.met)
    not_met = len(targets) - met
    stretch_not_met = sum(1 for target in targets
                          if target.stretch and not target.met)
    line = f'bench: {met} targets met, {not_met} not met'
    if stretch_not_met:
        line += f' ({stretch_not_met} stretch not met)'
    return line


def firm_targets_met(targets):
    return all(target.met for target in targets if not target.stretch)


# ------------------------------------------------------------------ output

def text_table(headers, rows):
    """Aligned plain-text lines: text left, numbers right."""
    widths = [len(header) for header in headers]
    for row in rows:
        for column, cell in enumerate(row):
            widths[column] = max(widths[column], len(cell))
    lines = [format_text_row(headers, widths, rows)]
    lines.append('  '.join('-' * width for width in widths))
    for row in rows:
        lines.append(format_text_row(row, widths, rows))
    return lines


def column_is_numeric(rows, column):
    for row in rows:
        cell = row[column]
        if cell in ('-', 'n/a'):
            continue
        if parse_value(cell) is None:
            return False
    return True


def format_text_row(cells, widths, rows):
    parts = []
    for column, cell in enumerate(cells):
        if rows and column_is_numeric(rows, column):
            parts.append(cell.rjust(widths[column]))
        else:
            parts.append(cell.ljust(widths[column]))
    return '  '.join(parts).rstrip()


def section_text(section):
    lines = [section.title]
    if section.rows:
        lines += text_table(section.headers, section.rows)
    lines += section.lines
    return lines


def markdown_escape(cell):
    return cell.replace('|', '\\|')


def markdown_table(headers, rows):
    lines = ['| ' + ' | '.join(headers) + ' |']
    aligns = []
    for column in range(len(headers)):
        aligns.append('---:' if column_is_numeric(rows, column) else '---')
    lines.append('| ' + ' | '.join(aligns) + ' |')
    for row in rows:
        cells = [markdown_escape(cell) for cell in row]
        lines.append('| ' + ' | '.join(cells) + ' |')
    return lines


def section_markdown(section):
    lines = [f'## {section.title}', '']
    if section.rows:
        lines += markdown_table(section.headers, section.rows)
        lines.append('')
    for line in section.lines:
        prefix = '- ' if section.title == 'Notes' else ''
        lines.append(prefix + markdown_escape(line) + '  ')
    if section.lines:
        lines.append('')
    return lines


def target_line(target):
    return f'target: {target.what} : {target.measured} : ' \
           f'{verdict(target.met)}'


def targets_markdown(targets):
    rows = []
    for target in targets:
        rows.append([target.what, target.measured, verdict(target.met)])
    lines = ['## Targets', '']
    lines += markdown_table(['target', 'measured', 'verdict'], rows)
    lines.append('')
    return lines


def run_counts(runs):
    """'UML: 6.12 2 runs, ours 2 runs; QEMU: ...' for the header."""
    parts = []
    for platform in ('uml', 'qemu'):
        counts = []
        for impl in IMPLS:
            counts.append(f'{IMPL_NAMES[impl]} {len(runs[platform][impl])}')
        parts.append(f'{platform.upper()}: ' + ', '.join(counts))
    return 'Runs (one boot each): ' + '; '.join(parts)


def markdown_document(args, runs, sections, targets, summary):
    now = datetime.datetime.now().astimezone()
    lines = [f'# {args.title}', '',
             f'Date: {now.strftime("%Y-%m-%d %H:%M %Z")}  ',
             run_counts(runs) + '  ']
    if args.elapsed is not None:
        lines.append(f'Elapsed: {fmt_elapsed(args.elapsed)}  ')
    lines += ['', '![bench](bench.png)', '']
    for section in sections:
        lines += section_markdown(section)
    lines += targets_markdown(targets)
    lines += [f'**{summary}**', '']
    return '\n'.join(lines)


# -------------------------------------------------------------------- plot

def write_file(path, text):
    with open(path, 'w') as f:
        f.write(text)


def growth_data(best):
    lines = ['# n ns (UML best of runs), n >= 1 only']
    for n in sorted(best):
        if n >= 1:
            lines.append(f'{n} {best[n]:.6g}')
    return '\n'.join(lines) + '\n'


def scaling_data(scalings):
    lines = ['# test 6.12-scaling ours-scaling ("?" = missing)']
    for test in SCALING_TESTS:
        values = []
        for impl in IMPLS:
            scaling = scalings[impl][test].scaling
            values.append('?' if scaling is None else f'{scaling:.4f}')
        lines.append(f'{test} {values[0]} {values[1]}')
    return '\n'.join(lines) + '\n'


def ratio_data(rows):
    lines = ['# "op n" ours/6.12 1+noise (UML, "?" = missing)']
    for row in rows:
        if row.ratio is None:
            continue
        noise = row.noise if row.noise is not None else 0.0
        lines.append(f'"{row.op} {row.n}" {row.ratio:.4f} {1 + noise:.4f}')
    return '\n'.join(lines) + '\n'


def gnuplot_header():
    return [
        '# Re-plot with: cd DIR && gnuplot bench.gp',
        'if (strstrt(GPVAL_TERMINALS, "pngcairo") > 0) {',
        '    set terminal pngcairo size 1400,600 enhanced '
        'font "DejaVu Sans,11"',
        '} else {',
        '    set terminal png size 1400,600 enhanced',
        '}',
        'set output "bench.png"',
        'set datafile missing "?"',
        'set multiplot layout 1,2',
    ]


def gnuplot_growth_panel(data_files):
    lines = [
        'set title "UML, 1 CPU: ns per operation" noenhanced',
        'set logscale xy 2',
        'set format x "2^{%L}"',
        'set logscale y 10',
        'set format y "10^{%L}"',
        'set xlabel "n (subscriptions)"',
        'set ylabel "ns per operation (teardown: per whole teardown)"',
        'set grid xtics ytics',
        'set key top left box opaque noenhanced samplen 3 spacing 1.1',
        'set offsets graph 0.03, graph 0.03, 0, 0',
    ]
    plots = []
    for op, impl, name in data_files:
        color = PLOT_COLORS[op]
        if impl == 'base':
            style = f'lw 2 dt 2 pt 6 ps 1.3 lc rgb "{color}"'
        else:
            style = f'lw 2 dt 1 pt 7 ps 1.3 lc rgb "{color}"'
        plots.append(f'"{name}" using 1:2 with linespoints {style} '
                     f'title "{op} {IMPL_NAMES[impl]}"')
    if plots:
        lines.append('plot ' + ', \\\n     '.join(plots))
    else:
        lines.append('set label 1 "no data" at graph 0.5, graph 0.5 center')
        lines.append('plot 1 notitle lc rgb "white"')
    lines += ['unset logscale', 'unset format', 'unset offsets',
              'unset label', 'set format x "% h"', 'set format y "% h"',
              'unset xlabel']
    return lines


def gnuplot_bar_common():
    return [
        'set style data histogram',
        'set style histogram clustered gap 1',
        'set style fill solid 0.85 border -1',
        'set boxwidth 0.9',
        'set grid noxtics ytics',
        'set key top right box opaque noenhanced',
        'set xtics nomirror noenhanced',
    ]


def gnuplot_scaling_panel():
    lines = ['set title "QEMU -smp 2: 2-CPU throughput / 1 CPU"']
    lines += gnuplot_bar_common()
    lines += [
        'set ylabel "scaling (2.0 = perfect)"',
        'set yrange [0:2.4]',
        'set arrow 1 from graph 0, first 1.0 to graph 1, first 1.0 '
        'nohead lw 1.5 lc rgb "gray40" front',
        'set arrow 2 from graph 0, first 2.0 to graph 1, first 2.0 '
        'nohead lw 1.5 lc rgb "gray40" front',
        f'set arrow 3 from first -0.45, first {RETRY2_TARGET} '
        f'to first 0.45, first {RETRY2_TARGET} '
        'nohead lw 3 lc rgb "#b00000" front',
        f'set ytics add ("target {RETRY2_TARGET}" {RETRY2_TARGET})',
        'set label 2 "1 CPU" at graph 0.99, first 1.05 right front '
        'tc rgb "gray40"',
        'set label 3 "perfect" at graph 0.99, first 2.05 right front '
        'tc rgb "gray40"',
        'plot "bench-scaling.dat" using 2:xtic(1) title "6.12" '
        'lc rgb "#999999", \\',
        '     "" using 3 title "ours" lc rgb "#1f77b4"',
    ]
    return lines


def ratio_panel_top(rows):
    """A y range top leaving the upper fifth free for the key."""
    highest = 1.0
    for row in rows:
        if row.ratio is None:
            continue
        noise = row.noise if row.noise is not None else 0.0
        highest = max(highest, row.ratio, 1.0 + noise)
    return highest * 1.25


def gnuplot_ratio_panel(rows):
    top = ratio_panel_top(rows)
    lines = ['set title "UML, 1 CPU: ours / 6.12 (ns ratio; '
             'QEMU -smp 2 not run)"']
    lines += gnuplot_bar_common()
    lines += [
        'set style histogram clustered gap 0.6',
        'set ylabel "ours / 6.12 (lower is better)"',
        f'set yrange [0:{top:.2f}]',
        'set xtics rotate by 45 right',
        'set bmargin 8',
        'set arrow 1 from graph 0, first 1.0 to graph 1, first 1.0 '
        'nohead lw 1.5 lc rgb "black" front',
        'plot "bench-ratio.dat" using 2:xtic(1) title "ours / 6.12" '
        'lc rgb "#1f77b4", \\',
        '     "" using 3 title "1 + noise (limit)" lc rgb "#cccccc"',
    ]
    return lines


def write_plot_files(out, rows, best, scalings, ran_qemu):
    """Write bench-*.dat and bench.gp into out; return the script name."""
    data_files = []
    for op in PLOT_OPS:
        for impl in IMPLS:
            points = {n: v for n, v in best[impl].get(op, {}).items()
                      if n >= 1}
            if not points:
                continue
            name = f'bench-{op}-{IMPL_NAMES[impl]}.dat'
            write_file(os.path.join(out, name), growth_data(points))
            data_files.append((op, impl, name))
    lines = gnuplot_header() + gnuplot_growth_panel(data_files)
    if ran_qemu:
        write_file(os.path.join(out, 'bench-scaling.dat'),
                   scaling_data(scalings))
        lines += gnuplot_scaling_panel()
    else:
        write_file(os.path.join(out, 'bench-ratio.dat'), ratio_data(rows))
        lines += gnuplot_ratio_panel(rows)
    lines += ['unset multiplot', 'set output']
    write_file(os.path.join(out, 'bench.gp'), '\n'.join(lines) + '\n')
    return 'bench.gp'


def run_gnuplot(out, script):
    """Draw bench.png; a warning, not a failure, if gnuplot is missing."""
    gnuplot = shutil.which('gnuplot')
    if gnuplot is None:
        print('warning: gnuplot not found, bench.png not drawn',
              file=sys.stderr)
        return
    result = subprocess.run([gnuplot, script], cwd=out,
                            capture_output=True, text=True)
    if result.returncode != 0:
        print(f'warning: gnuplot failed, bench.png not drawn:\n'
              f'{result.stderr.strip()}', file=sys.stderr)
    elif result.stderr.strip():
        print(f'gnuplot: {result.stderr.strip()}', file=sys.stderr)


# -------------------------------------------------------------------- main

def load_all(args):
    """{platform: {impl: [Run]}}; raises BadInput."""
    return {
        'uml': {'base': load_runs(args.uml_base),
                'series': load_runs(args.uml_series)},
        'qemu': {'base': load_runs(args.qemu_base),
                 'series': load_runs(args.qemu_series)},
        'uml_control': load_runs(args.uml_control),
    }


def collect_notes(runs):
    notes = []
    for platform in ('uml', 'qemu'):
        for impl in IMPLS:
            platform_runs = runs[platform][impl]
            notes += skip_notes(platform_runs, platform.upper(), impl)
            notes += repeat_notes(platform_runs)
            for run in platform_runs:
                notes += run.notes
    return notes


def has_scaling_lines(runs):
    for run in runs:
        for op, _, unit in run.values:
            if unit == 'ops_per_ms' and op in SCALING_TESTS:
                return True
    return False


@dataclasses.dataclass
class Results:
    """Everything computed from the logs."""
    uml_rows: list
    qemu_rows: list
    scalings: dict    # impl -> test -> Scaling
    best: dict        # impl -> op -> {n: best UML ns}
    fits: list
    sizeof_ours: float | None
    sizeof_base: float | None
    notes: list


def compute_scalings(qemu_runs):
    scalings = {}
    for impl in IMPLS:
        scalings[impl] = {}
        for test in SCALING_TESTS:
            scalings[impl][test] = compute_scaling(qemu_runs[impl], test)
    return scalings


def compute_best(uml_runs):
    best = {}
    for impl in IMPLS:
        best[impl] = {}
        for op in set(GROWTH_OPS + PLOT_OPS):
            best[impl][op] = best_by_n(uml_runs[impl], op)
    return best


def compute_fits(best):
    fits = []
    for op in GROWTH_OPS:
        for impl in IMPLS:
            fits.append(fit_growth(op, impl, best[impl][op]))
    return fits


def compute(runs):
    best = compute_best(runs['uml'])
    sizeof_ours, size_notes = sizeof_value(runs['uml']['series'] +
                                           runs['qemu']['series'])
    sizeof_base, _ = sizeof_value(runs['uml']['base'] +
                                  runs['qemu']['base'])
    return Results(uml_rows=mark_control(compare_ns(runs['uml'],
                                                    runs['uml_control'])),
                   qemu_rows=compare_ns(runs['qemu']),
                   scalings=compute_scalings(runs['qemu']),
                   best=best, fits=compute_fits(best),
                   sizeof_ours=sizeof_ours, sizeof_base=sizeof_base,
                   notes=collect_notes(runs) + size_notes)


def build_sections(args, results, ran_qemu):
    have_qemu = bool(args.qemu_base or args.qemu_series)
    notes = list(results.notes)
    if have_qemu and not ran_qemu:
        notes.append('QEMU logs given but no 2-CPU line in them')
    sections = [uml_section(results.uml_rows),
                qemu_ns_section(results.qemu_rows, have_qemu),
                scaling_section(results.scalings, ran_qemu,
                                bool(args.qemu_series)),
                growth_section(results.fits),
                teardown_section(results.best['base']['teardown'],
                                 results.best['series']['teardown'])]
    if notes:
        sections.append(notes_section(notes))
    return sections


def build_targets(args, results):
    targets = uml_targets(results.uml_rows) + growth_targets(results.fits)
    targets.append(two_pass_target(results.uml_rows, results.qemu_rows))
    if args.qemu_series:
        targets += scaling_targets(results.scalings['series'])
        if args.qemu_base:
            targets += absolute_targets(results.scalings)
    targets.append(sizeof_target(results.sizeof_ours, results.sizeof_base))
    return targets


def report(args, runs):
    """Print the report, write bench.md and the plot; return exit status."""
    results = compute(runs)
    ran_qemu = (has_scaling_lines(runs['qemu']['base']) or
                has_scaling_lines(runs['qemu']['series']))
    sections = build_sections(args, results, ran_qemu)
    targets = build_targets(args, results)
    summary = summary_line(targets)

    print_text(sections, targets, summary)
    write_file(os.path.join(args.out, 'bench.md'),
               markdown_document(args, runs, sections, targets, summary))
    script = write_plot_files(args.out, results.uml_rows, results.best,
                              results.scalings, ran_qemu)
    run_gnuplot(args.out, script)
    return 0 if firm_targets_met(targets) else 1


def print_text(sections, targets, summary):
    for section in sections:
        for line in section_text(section):
            print(line)
        print()
    for target in targets:
        print(target_line(target))
    print(summary)


def main(argv):
    args = parse_args(argv)
    try:
        runs = load_all(args)
        os.makedirs(args.out, exist_ok=True)
    except BadInput as e:
        print(f'bench-report: {e}', file=sys.stderr)
        return 2
    except OSError as e:
        print(f'bench-report: {args.out}: cannot create: {e.strerror}',
              file=sys.stderr)
        return 2
    return report(args, runs)


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
