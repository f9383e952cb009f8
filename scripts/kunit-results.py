#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Count KUnit results from kunit.py's own JSON: the one place the test
scripts count cases.

kunit.py (the kernel tree's tools/testing/kunit/) parses a kernel log with
kunit_parser.py and writes what it found as JSON (kunit_json.py's format:
a group whose sub_groups are the suites, each with test_cases of a name
and a status, PASS, FAIL, SKIP or ERROR), with `kunit.py exec
--json=FILE` or `kunit.py parse --json=FILE LOG`. This script reads such
files; it parses no log itself.

usage: scripts/kunit-results.py [--cases] JSON [JSON...]

  default  one "not ok SUITE.CASE (STATUS)" line per case that did not
           pass or skip, then the last line "N passed, N failed" (with
           ", N skipped" when some were); exit 1 if a case failed or none
           ran
  --cases  "STATUS SUITE.CASE" for every case, nothing else (for scripts
           that look for named cases); exit 0

A file that is missing, unreadable or holds no case counts as one failed
case: the kernel crashed or hung before kunit.py could parse its log.
"""
import argparse
import json
import signal
import sys


def cases(group, prefix=''):
    """(qualified name, status) of every test case under a JSON group."""
    for case in group.get('test_cases', []):
        yield prefix + case['name'], case['status']
    for sub in group.get('sub_groups', []):
        yield from cases(sub, prefix + sub['name'] + '.')


def load(path):
    """The cases of one file; None if it holds none or cannot be read."""
    try:
        with open(path, encoding='utf-8') as f:
            found = list(cases(json.load(f)))
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return found or None


def tally(found):
    """(passed, failed, skipped) over (name, status) pairs: SKIP is not a
    failure, anything but PASS and SKIP is."""
    passed = sum(1 for _, status in found if status == 'PASS')
    skipped = sum(1 for _, status in found if status == 'SKIP')
    return passed, len(found) - passed - skipped, skipped


def result_line(passed, failed, skipped):
    """The log contract's line: "N passed, N failed[, N skipped]"."""
    line = f'{passed} passed, {failed} failed'
    return line + (f', {skipped} skipped' if skipped else '')


def suites(path):
    """(suite, number of cases) of each suite in a file, in its order."""
    with open(path, encoding='utf-8') as f:
        top = json.load(f)
    return [(s['name'], len(list(cases(s))))
            for s in top.get('sub_groups', [])]


def main():
    # Quietly stop when the reader does (| head).
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    parser = argparse.ArgumentParser(
        description='Count KUnit results from kunit.py JSON files.')
    parser.add_argument('--cases', action='store_true',
                        help='print "STATUS SUITE.CASE" for every case')
    parser.add_argument('json', nargs='+', help="kunit.py's JSON results")
    args = parser.parse_args()

    passed = failed = skipped = 0
    for path in args.json:
        found = load(path)
        if found is None:
            if not args.cases:
                print(f'not ok {path}: no results (the kernel crashed or '
                      f'hung before kunit.py could parse its log)')
            failed += 1
            continue
        for name, status in found:
            if args.cases:
                print(status, name)
            elif status not in ('PASS', 'SKIP'):
                print(f'not ok {name} ({status})')
        counts = tally(found)
        passed += counts[0]
        failed += counts[1]
        skipped += counts[2]
    if args.cases:
        return 0
    print(result_line(passed, failed, skipped))
    return 0 if failed == 0 and passed + skipped > 0 else 1


if __name__ == '__main__':
    sys.exit(main())
