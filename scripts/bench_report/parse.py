# SPDX-License-Identifier: GPL-2.0
"""Read the benchmark's kernel logs: one Run per log (one boot).

A log is read line by line for "BENCH <op> <param> <unit> <value>"
anywhere in a line; the KTAP structure around those lines is not needed
and not checked (kunit.py checked the boot when it ran). Odd lines become
notes, not errors; a log without any BENCH line is bad input.
"""
import dataclasses
import math
import re
import statistics

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
    elif unit == 'wait_us':
        if param != '1':
            run.notes.append(f'{run.path}:{number}: {op} param "{param}" is '
                             f'not 1, line ignored')
            return
        param = 1
    elif unit != 'ops_per_ms':
        run.notes.append(f'{run.path}:{number}: unknown unit "{unit}", '
                         f'line ignored')
        return
    run.values.setdefault((op, param, unit), []).append(value)


def load_runs(paths):
    return [read_log(path) for path in paths]


def load_all(args):
    """{platform: {impl: [Run]}}; raises BadInput."""
    return {
        'uml': {'base': load_runs(args.uml_base),
                'series': load_runs(args.uml_series)},
        'qemu': {'base': load_runs(args.qemu_base),
                 'series': load_runs(args.qemu_series)},
        'uml_control': load_runs(args.uml_control),
    }


def run_value(run, op, param, unit):
    """The value of one measurement in one run, None if absent.

    A log normally prints each measurement once; if it repeats one, ns and
    bytes take the smallest (the best), ops_per_ms the median, wait_us the
    largest (the worst).
    """
    values = run.values.get((op, param, unit))
    if not values:
        return None
    if unit == 'ops_per_ms':
        return statistics.median(values)
    if unit == 'wait_us':
        return max(values)
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
