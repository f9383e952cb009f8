#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Print the best of boots of every 'ns' row of two sets of benchmark logs
(6.12 and the series) and their ratio: the table of scripts/bench-ab.sh.
The logs are read with the benchmark report's own parser."""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from bench_report.parse import BadInput, load_runs, run_values  # noqa: E402


def rows(runs):
    """The (op, param) of every 'ns' measurement in runs, sorted."""
    keys = set()
    for run in runs:
        keys.update((op, param) for op, param, unit in run.values
                    if unit == 'ns')
    return sorted(keys)


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--base', nargs='+', required=True,
                        help='kernel logs of 6.12')
    parser.add_argument('--series', nargs='+', required=True,
                        help='kernel logs of the series')
    args = parser.parse_args(argv)
    try:
        base = load_runs(args.base)
        series = load_runs(args.series)
    except BadInput as e:
        print(f'bench-ab: {e}', file=sys.stderr)
        return 2
    print(f'best of {len(base)} boots (6.12) and {len(series)} (ours), '
          f'ns per operation')
    print(f'{"op":24} {"n":>6} {"6.12":>10} {"ours":>10} {"ratio":>6}')
    for op, param in rows(base + series):
        b = run_values(base, op, param, 'ns')
        s = run_values(series, op, param, 'ns')
        if not b or not s:
            continue
        print(f'{op:24} {param:>6} {min(b):10.2f} {min(s):10.2f} '
              f'{min(s) / min(b):6.3f}')
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
