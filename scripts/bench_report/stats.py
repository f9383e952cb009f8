# SPDX-License-Identifier: GPL-2.0
"""The figures computed from the runs: no verdict, no formatting.

1-CPU ops: best (minimum) over runs, ours/6.12, the noise of the best
(spread), the layout noise from the control runs and the kernel noise of
the control op. 2-CPU: median ops/ms per CPU and the scaling. Growth:
least-squares fits of ns = a + b*log2(n) and of log2(ns) against log2(n).
"""
import dataclasses
import math
import statistics

from .parse import IMPLS, collect_notes, run_value, run_values

OP_ORDER = ('inval_miss', 'inval_empty', 'inval_hit', 'read_retry',
            'remove_insert', 'remove_insert_lowest', 'remove_missing_stream', 'inval_dev_one_pass',
            'inval_dev_two_pass', 'classic_inval', 'teardown', 'munmap64m')
GROWTH_OPS = ('inval_miss', 'remove_insert')
# Ops whose best ns per n is kept (Results.best): the growth fits, the
# teardown table and the picture's panel (plot.PLOT_OPS).
BEST_OPS = GROWTH_OPS + ('teardown',)
SCALING_TESTS = ('retry2', 'inval2', 'mixed', 'lock2')
# Waits under a stream of overlapping invalidations elsewhere in the mm
# (bench_liveness): each run prints the median of its waits, in us.
LIVE_OPS = ('live_read_miss', 'live_read_hit', 'live_insert_read_miss',
            'live_insert_read_hit', 'live_remove_hit')
# Liveness rows shown without a target: the limit of the design (two CPUs
# whose walks overlap without a gap hold a remove up, as in 6.12).
LIVE_INFO_OPS = ('live_remove_two_walkers',)
# The longest single invalidation of those streams, per run: what a caller
# may have to wait for when one is running as it asks.
LIVE_STREAM_OP = 'live_stream_inval'


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
class LiveRow:
    """One liveness wait on one platform: medians over runs, and the
    worst run of ours."""
    platform: str
    op: str
    base: float | None
    ours: float | None
    worst: float | None
    stream: float | None = None  # ours: the longest stream invalidation
    informational: bool = False  # shown, no target


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
    live: list = dataclasses.field(default_factory=list)


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


def has_scaling_lines(runs):
    for run in runs:
        for op, _, unit in run.values:
            if unit == 'ops_per_ms' and op in SCALING_TESTS:
                return True
    return False


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
        for op in BEST_OPS:
            best[impl][op] = best_by_n(uml_runs[impl], op)
    return best


def compute_fits(best):
    fits = []
    for op in GROWTH_OPS:
        for impl in IMPLS:
            fits.append(fit_growth(op, impl, best[impl][op]))
    return fits


def median_or_none(values):
    return statistics.median(values) if values else None


def compute_live(runs):
    """One LiveRow per liveness op and platform that printed it."""
    rows = []
    for platform, key in (('UML', 'uml'), ('QEMU', 'qemu')):
        stream = run_values(runs[key]['series'], LIVE_STREAM_OP, 1,
                            'wait_us')
        for op in LIVE_OPS + LIVE_INFO_OPS:
            base = run_values(runs[key]['base'], op, 1, 'wait_us')
            ours = run_values(runs[key]['series'], op, 1, 'wait_us')
            if not base and not ours:
                continue
            rows.append(LiveRow(platform, op, median_or_none(base),
                                median_or_none(ours),
                                max(ours) if ours else None,
                                max(stream) if stream else None,
                                op in LIVE_INFO_OPS))
    return rows


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
                   notes=collect_notes(runs) + size_notes,
                   live=compute_live(runs))
