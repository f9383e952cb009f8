#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Scan a kernel log for findings, as ../shared/design.md specifies.

A line is a finding when it holds one of the failure markers below and no
entry of tests/expected-log-lines (regex, tab, reason) matches it. Each
finding is printed with its line number and the line before it; the exit
status is 1 when there is any, 0 otherwise. "not ok" lines are printed too
(they show which case failed) but counted apart, since kunit.py already
counts failed cases.

usage: scripts/scan-log.py KERNEL_LOG [EXPECTED_FILE]
"""
import os
import re
import sys

MARKERS = ('BUG:', 'WARNING:', 'KASAN:', 'KCSAN:',
           'possible circular locking', 'inconsistent lock state',
           'suspicious RCU usage', 'Kernel panic', 'not ok')


def load_expected(path):
    entries = []
    with open(path) as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip('\n')
            if not line or line.startswith('#'):
                continue
            regex, sep, reason = line.partition('\t')
            if not sep or not reason.strip():
                sys.exit(f'{path}:{n}: entry needs "regex<TAB>reason"')
            entries.append((re.compile(regex), reason))
    return entries


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__.strip().splitlines()[-1])
    log = sys.argv[1]
    top = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    expected = load_expected(sys.argv[2] if len(sys.argv) == 3 else
                             os.path.join(top, 'tests/expected-log-lines'))
    with open(log, errors='replace') as f:
        lines = f.read().splitlines()

    findings = not_ok = 0
    seen = set()
    prev = ''
    for n, line in enumerate(lines, 1):
        marker = next((m for m in MARKERS if m in line), None)
        if marker:
            hit = next((e for e in expected if e[0].search(line)), None)
            if hit:
                seen.add(hit[0].pattern)
            else:
                if marker == 'not ok':
                    not_ok += 1
                else:
                    findings += 1
                print(f'{log}:{n}: {line.strip()}')
                if prev.strip():
                    print(f'    (line {n - 1}: {prev.strip()})')
        prev = line
    for regex, reason in expected:
        if regex.pattern in seen:
            print(f'expected, not counted: /{regex.pattern}/ ({reason})')
    print(f'log scan: {findings} findings, {not_ok} "not ok" lines, '
          f'{len(seen)} expected lines seen')
    return 1 if findings or not_ok else 0


if __name__ == '__main__':
    sys.exit(main())
