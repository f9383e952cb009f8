#!/usr/bin/env python3
"""Sum up and check a tracefs dump of the mmu_notifier events.

usage: scripts/check-trace.py TRACE

TRACE is the text of /sys/kernel/tracing/trace, taken with only the
events of TRACE_SYSTEM mmu_notifier enabled (scripts/hmm-selftests.sh
records one per boot of the series). Prints the events by name and count,
then one line per check, then "trace: N checks passed, M failed"; exits 1
if a check failed. The checks:

  complete     the ring buffer lost nothing (entries-in-buffer equals
               entries-written), so the pairings below are meaningful
  present      the events every HMM run produces appeared: starts, ends,
               range inserts and removes
  paired       every start that succeeded (ret=0) has exactly one end of
               the same range on the same task, and every end its start
  refusals     a refused start carries -EAGAIN, and so does its refusal
  waits        every wait is non-negative and under 10 minutes
  release      every release covers the whole address space [0, ~0UL)
  balanced     every range subscription inserted was removed, each
               remove after its insert
"""
import re
import sys
from collections import Counter

LINE = re.compile(r'^\s*(?P<task>.+)-(?P<pid>\d+)\s+\[(?P<cpu>\d+)\]\s+'
                  r'(?:\S+\s+)?(?P<ts>\d+\.\d+): '
                  r'(?P<event>mmu_notifier_\w+): (?P<rest>.*)$')
SPAN = re.compile(r'\[(?P<a>0x[0-9a-f]+|0), (?P<b>0x[0-9a-f]+|0)[)\]]')
FIELD = re.compile(r'(\w+)=(\S+)')
LOST = re.compile(r'entries-in-buffer/entries-written: (\d+)/(\d+)')
TOP = (1 << 64) - 1
REQUIRED = ('mmu_notifier_invalidate_start', 'mmu_notifier_invalidate_end',
            'mmu_notifier_range_insert', 'mmu_notifier_range_remove')
EVENTS = REQUIRED + ('mmu_notifier_invalidate_refused',
                     'mmu_notifier_range_wait', 'mmu_notifier_range_deferred')


def parse(path):
    header, events = [], []
    with open(path, errors='replace') as f:
        for line in f:
            line = line.rstrip('\n')
            if line.startswith('#'):
                header.append(line)
                continue
            m = LINE.match(line)
            if not m:
                continue
            e = dict(FIELD.findall(m['rest']))
            e['_event'] = m['event']
            e['_pid'] = m['pid']
            s = SPAN.search(m['rest'])
            if s:
                e['_span'] = (int(s['a'], 16), int(s['b'], 16))
            events.append(e)
    return header, events


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__.split('\n\n')[1])
    header, events = parse(sys.argv[1])
    checks = []

    def check(name, ok, detail):
        checks.append((name, ok, detail))

    count = Counter(e['_event'] for e in events)
    print(f'{len(events)} events in {sys.argv[1]}')
    for name in EVENTS:
        print(f'  {name:34} {count[name]:7}')

    lost = [LOST.search(h) for h in header]
    lost = [m for m in lost if m]
    check('complete', bool(lost) and lost[0][1] == lost[0][2],
          f'entries-in-buffer/entries-written {lost[0][1]}/{lost[0][2]}'
          if lost else 'no entries-written line in the header')

    missing = [n for n in REQUIRED if not count[n]]
    check('present', not missing,
          'missing: ' + ' '.join(missing) if missing else
          'starts, ends, inserts and removes all seen')

    open_starts, bad = Counter(), []
    for e in events:
        key = (e['_pid'], e.get('range'))
        if e['_event'] == 'mmu_notifier_invalidate_start':
            if e.get('ret') == '0':
                open_starts[key] += 1
        elif e['_event'] == 'mmu_notifier_invalidate_end':
            if open_starts[key] <= 0:
                bad.append(f'end without start: pid {key[0]} range {key[1]}')
            open_starts[key] -= 1
    left = sum(v for v in open_starts.values() if v > 0)
    check('paired', not bad and not left,
          f'{count["mmu_notifier_invalidate_end"]} ends, '
          f'{len(bad)} without start, {left} starts without end'
          + (': ' + bad[0] if bad else ''))

    failed_starts = [e for e in events
                     if e['_event'] == 'mmu_notifier_invalidate_start'
                     and e.get('ret') != '0']
    refusals = [e for e in events
                if e['_event'] == 'mmu_notifier_invalidate_refused']
    check('refusals',
          all(e.get('ret') == '-11' for e in failed_starts) and
          all(e.get('err') == '-11' for e in refusals),
          f'{len(failed_starts)} refused starts, {len(refusals)} refusals')

    waits = [int(e.get('slept_ns', '-1')) for e in events
             if e['_event'] == 'mmu_notifier_range_wait']
    check('waits', all(0 <= w < 600 * 10**9 for w in waits),
          f'{len(waits)} waits, longest {max(waits, default=0)} ns')

    releases = [e for e in events
                if e['_event'] == 'mmu_notifier_invalidate_start'
                and e.get('event') == 'release']
    check('release', all(e.get('_span') == (0, TOP) for e in releases),
          f'{len(releases)} releases, '
          f'{sum(e.get("_span") == (0, TOP) for e in releases)} of '
          '[0, 0xffffffffffffffff)')

    inserted, bad = Counter(), []
    for e in events:
        if e['_event'] == 'mmu_notifier_range_insert':
            inserted[e.get('mrn')] += 1
        elif e['_event'] == 'mmu_notifier_range_remove':
            if inserted[e.get('mrn')] <= 0:
                bad.append(e.get('mrn'))
            inserted[e.get('mrn')] -= 1
    left = sum(v for v in inserted.values() if v > 0)
    check('balanced', not bad and not left,
          f'{count["mmu_notifier_range_insert"]} inserts, '
          f'{count["mmu_notifier_range_remove"]} removes, '
          f'{len(bad)} removes without insert, {left} never removed')

    for name, ok, detail in checks:
        print(f'{"ok" if ok else "FAILED":6} {name:9} {detail}')
    nfail = sum(not ok for _, ok, _ in checks)
    print(f'trace: {len(checks) - nfail} checks passed, {nfail} failed')
    return 1 if nfail else 0


if __name__ == '__main__':
    sys.exit(main())
