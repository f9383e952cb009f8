# SPDX-License-Identifier: GPL-2.0
"""The targets: their bounds, and one Target (a verdict) per target.

Firm targets decide the exit status, stretch ones are reported only.
Every bound the report checks is a constant or a function of this module.
"""
import dataclasses

from .fmt import fmt_bytes, fmt_fraction, fmt_ns, fmt_ops

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
# Liveness: a caller waiting under a stream of overlapping invalidations
# that do not hit its subscription waits less than this (ours, every
# run), on UML and on QEMU, or than the invalidations it may collide with
# where those are longer: two of the stream's longest (the generation that
# was running, and the one before it, or the walk an insert waits for).
LIVE_TARGET_US = 5000
LIVE_COLLIDING = 2
# Growth with n: the exponent k of a power-law fit ns ~ n^k. Logarithmic
# growth gives a small k that shrinks as n grows; linear growth gives 1.
GROWTH_LIMIT = 0.25


@dataclasses.dataclass
class Target:
    """One verdict: firm targets decide the exit status, stretch ones not."""
    what: str
    measured: str
    met: bool
    stretch: bool = False


def allowed(row):
    """The largest noise measured for a row: runs, layout or kernel."""
    return max(row.noise or 0.0, row.layout or 0.0, row.kernel or 0.0)


def ratio_met(row):
    """ratio <= 1.00 + the larger noise (0 when unknown); False if no
    ratio."""
    if row.ratio is None:
        return False
    return row.ratio <= 1.0 + allowed(row)


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


def live_bound(row):
    """The bound of one liveness row, us, and how it was made."""
    if row.stream is None or LIVE_COLLIDING * row.stream <= LIVE_TARGET_US:
        return LIVE_TARGET_US, f'{LIVE_TARGET_US} us'
    bound = LIVE_COLLIDING * row.stream
    return bound, (f'{LIVE_COLLIDING} x the longest stream invalidation '
                   f'{row.stream:.0f} us = {bound:.0f} us')


def live_targets(rows):
    targets = []
    for row in rows:
        if row.informational:
            continue
        bound, how = live_bound(row)
        base = f'{row.base:.0f} us' if row.base is not None else 'missing'
        measured = 'missing' if row.worst is None else \
            f'{row.worst:.0f} us worst, {row.ours:.0f} us median'
        targets.append(Target(
            f'{row.platform} {row.op}: wait under a stream of other '
            f'invalidations (ours, worst run) < max({LIVE_TARGET_US} us, '
            f'colliding) = {how} (6.12 median {base})', measured,
            row.worst is not None and row.worst < bound))
    return targets


def sizeof_target(ours, base):
    base_text = fmt_bytes(base) if base is not None else 'not printed'
    return Target(f'sizeof(struct mmu_range_notifier) <= {SIZEOF_TARGET} '
                  f'bytes (6.12: {base_text})',
                  fmt_bytes(ours), ours is not None and ours <= SIZEOF_TARGET)


def build_targets(args, results):
    targets = uml_targets(results.uml_rows) + growth_targets(results.fits)
    targets.append(two_pass_target(results.uml_rows, results.qemu_rows))
    targets += live_targets(results.live)
    if args.qemu_series:
        targets += scaling_targets(results.scalings['series'])
        if args.qemu_base:
            targets += absolute_targets(results.scalings)
    targets.append(sizeof_target(results.sizeof_ours, results.sizeof_base))
    return targets


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
