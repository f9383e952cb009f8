#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Scan a kernel log for findings, as ../shared/design.md specifies.

A line is a finding when it holds one of the failure markers below and no
entry of tests/expected-log-lines matches it. Each finding is printed with
its line number and the line before it; the exit status is 1 when there is
any, 0 otherwise. "not ok" lines are printed too (they show which case
failed) but counted apart, since kunit.py already counts failed cases.

An entry is "regex<TAB>reason": the regex is searched in the line. An entry
whose regex starts with "base-only:" declares KCSAN data-race reports that
lie wholly in base-kernel code: the rest of its regex must match the
report's title line, and the report must show both accesses (not "race at
unknown origin") with no function of ours in either stack above the first
frame that leaves the racing context (a scheduler, sleep or task-exit
entry, an interrupt or softirq entry). Functions of ours are those defined
in the files under kernel/ (our files, at their in-tree paths) and any name
holding mmu_notifier, mmu_range or mmu_interval (tracepoint helpers). Such a
report is printed with the innermost frames of both stacks, and counted
apart.

usage: scripts/scan-log.py KERNEL_LOG [EXPECTED_FILE]
"""
import os
import re
import sys

MARKERS = ('BUG:', 'WARNING:', 'KASAN:', 'KCSAN:',
           'possible circular locking', 'inconsistent lock state',
           'suspicious RCU usage', 'Kernel panic', 'not ok')

BASE_ONLY = 'base-only:'
# Console prefixes kunit.py may leave: "[   12.345678] ", "[T123] ".
PREFIX = re.compile(r'^(\[[^\]]*\] ?)+')
# An access of a KCSAN report (kernel/kcsan/report.c): "read to 0x... of
# 8 bytes by task 12 on cpu 1:", "write (marked) to ...", and the one-stack
# form "race at unknown origin, with read to ...".
ACCESS = re.compile(r'^(race at unknown origin, with )?[a-z -]+( \([a-z, ]+\))?'
                    r' to 0x[0-9a-f]+ of \d+ bytes by .* on cpu \d+:$')
# A frame as stack_trace_print() writes it (%pS), or KCSAN's weak-memory
# note of where the access was reordered to.
FRAME = re.compile(r'^\s*(?:\+-> reordered to: )?([A-Za-z_][\w.]*)\+0x[0-9a-f]+/0x[0-9a-f]+')
# Frames where the racing context ends: below them lies code that merely
# slept, exited or was interrupted, not code that made the access.
BOUNDARY = re.compile(
    r'^(__)?schedule(_\w+)?$|^preempt_schedule\w*$|^__cond_resched\w*$'
    r'|^(usleep_range|msleep|ssleep)\w*$|^do_nanosleep$'
    r'|^(do_exit|do_group_exit|kthread_exit)$'
    r'|^(asm_|__)?sysvec_\w+$|^asm_(common_interrupt|exc_\w+)$'
    r'|^(__)?irq_exit\w*$|^handle_softirqs$|^__do_softirq$|^do_softirq\w*$'
    r'|^run_ksoftirqd$')
OURS_NAME = re.compile(r'mmu_notifier|mmu_range|mmu_interval')
# A definition in kernel coding style: type and name at column 0.
DEFINITION = re.compile(r'^(?!typedef|struct \w+ \{|#)[A-Za-z_][^;(]*?\b([A-Za-z_]\w*)\(')


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
            base_only = regex.startswith(BASE_ONLY)
            if base_only:
                regex = regex[len(BASE_ONLY):]
            entries.append((re.compile(regex), reason, base_only))
    return entries


def our_functions(top):
    names = set()
    for root, _, files in os.walk(os.path.join(top, 'kernel')):
        for name in files:
            if not name.endswith(('.c', '.h')):
                continue
            with open(os.path.join(root, name), errors='replace') as f:
                for line in f:
                    m = DEFINITION.match(line)
                    if m:
                        names.add(m.group(1))
    return names


def kcsan_report(lines, i):
    """The access stacks of the KCSAN report whose title is lines[i]:
    a list of (access line, [function names, innermost first])."""
    stacks = []
    for line in lines[i + 1:i + 400]:
        line = PREFIX.sub('', line)
        if line.startswith('=' * 20):
            break
        if ACCESS.match(line.strip()):
            stacks.append((line.strip(), []))
            continue
        m = FRAME.match(line)
        if m and stacks:
            stacks[-1][1].append(m.group(1))
    return stacks


def base_only_report(lines, i, ours):
    """None if the report at lines[i] is charged to our code, else the
    innermost frames of its two stacks (for the scan's output)."""
    if 'BUG: KCSAN: data-race in ' not in lines[i]:
        return None
    stacks = kcsan_report(lines, i)
    if len(stacks) != 2 or any(a.startswith('race at unknown origin')
                               for a, _ in stacks):
        return None
    shown = []
    for _, frames in stacks:
        if not frames:
            return None
        walked = []
        for fn in frames:
            if BOUNDARY.match(fn):
                break
            walked.append(fn)
        if any(fn in ours or OURS_NAME.search(fn) for fn in walked):
            return None
        shown.append(' < '.join(frames[:4]))
    return shown


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__.strip().splitlines()[-1])
    log = sys.argv[1]
    top = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    expected = load_expected(sys.argv[2] if len(sys.argv) == 3 else
                             os.path.join(top, 'tests/expected-log-lines'))
    with open(log, errors='replace') as f:
        lines = f.read().splitlines()
    ours = our_functions(top) if any(e[2] for e in expected) else set()

    findings = not_ok = base = 0
    seen = set()
    for n, line in enumerate(lines, 1):
        marker = next((m for m in MARKERS if m in line), None)
        if not marker:
            continue
        hit = None
        for regex, _, base_only in expected:
            if not regex.search(line):
                continue
            if not base_only:
                hit = regex
                break
            frames = base_only_report(lines, n - 1, ours)
            if frames is not None:
                hit = regex
                base += 1
                print(f'{log}:{n}: base-kernel code only: {line.strip()}')
                for f in frames:
                    print(f'    {f}')
                break
        if hit:
            seen.add(hit.pattern)
            continue
        if marker == 'not ok':
            not_ok += 1
        else:
            findings += 1
        print(f'{log}:{n}: {line.strip()}')
        if n > 1 and lines[n - 2].strip():
            print(f'    (line {n - 1}: {lines[n - 2].strip()})')
    for regex, reason, base_only in expected:
        if regex.pattern in seen:
            kind = BASE_ONLY if base_only else ''
            print(f'expected, not counted: {kind}/{regex.pattern}/ ({reason})')
    print(f'log scan: {findings} findings, {not_ok} "not ok" lines, '
          f'{len(seen)} expected lines seen, '
          f'{base} KCSAN reports in base-kernel code only')
    return 1 if findings or not_ok else 0


if __name__ == '__main__':
    sys.exit(main())
