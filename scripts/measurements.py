#!/usr/bin/env python3
"""Build MEASUREMENTS.md, the page of measured figures, from what the last
runs left in out/.

usage: scripts/measurements.py [--out DIR] [--page FILE]
         write the page (defaults: <repo>/out and <repo>/MEASUREMENTS.md)
       scripts/measurements.py stamp
         print the stamp of a run that starts now (scripts/check.sh and
         scripts/bench.sh keep one beside their output)
       scripts/measurements.py cover [--out DIR]
         print the cover letter's paragraph of figures: the last make
         check and make bench recorded in DIR (scripts/export-series.sh)

`make check` and `make bench` rewrite the page at their end, `make
measurements` from out/ alone. No figure is typed in here: each is read
from a log, and each part says when it was measured, at which commit and
on what machine. A part with nothing in out/ says "not run since the last
clean" (make clean removes out/).

Sources (LOG is DIR/logs):
  make check  the steps and their order: scripts/check.sh. For each step,
              LOG/check-<step>.log (its output; the last line is "N
              passed, N failed[, N skipped]") and LOG/check-<step>.stamp
              (written by check.sh after the step: the run's stamp, the
              step's result, seconds and end). The figures the steps
              print along the way, as check.sh's summary gathers them.
  KUnit       LOG/<config>.json, kunit.py's JSON results, for every
              configs/<config>.kunitconfig (uml-bisect: LOG/bisect-<N>-
              suite.json), read by scripts/kunit-results.py: the suites,
              their case counts, the result line.
  HMM         LOG/hmm-summary.txt (its totals) and
              LOG/hmm-series-<mode>-trace-summary.txt (scripts/check-trace.py).
  make bench  DIR/bench.md (scripts/bench-report.py's page) and
              DIR/bench.stamp (written by bench.sh at its end).

A stamp is key=value lines: started (UTC), commit (git rev-parse --short
HEAD), dirty (yes or no: changes git sees, MEASUREMENTS.md aside), nproc,
memory; check and bench add seconds, ended and (check) step, result. A
file whose time falls within a stamped run (its start to its end) is
credited to that run's commit. Any other file, a log from before stamps
existed for instance, gets its modification time and, marked as a guess,
the last commit made before that time on the HEAD of the checkout DIR
belongs to (DIR/..).
"""
import argparse
import datetime
import importlib.util
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PAGE = 'MEASUREMENTS.md'
NOT_RUN = 'not run since the last clean'
RESULT = re.compile(r'^(\d+) passed, (\d+) failed(?:, (\d+) skipped)?')
PROGRESS = re.compile(r'^\[\S+\s+(\d+)s\] ')
STEP = re.compile(r'^\s*"([a-z0-9-]+)\|', re.M)
# The figures check.sh's summary gathers: (file glob under LOG, pattern).
FIGURES = (
    ('*-kernel.log',
     re.compile(r'fault_alloc_fails_in_turn: \d+ faults injected.*')),
    ('uml-debug-kernel.log', re.compile(r'conc_random_model: seed \d+: .*')),
    ('qemu-*-kernel.log', re.compile(r'conc_random_model: seed \d+: .*')),
    ('check-kcsan-soak.log', re.compile(r'soak: \d+ boots .*')),
    ('check-model.log', re.compile(r'^model: .*')),
    ('check-mutations.log', re.compile(r'mutations: \d+ caught.*')),
)


def git(*args, where=REPO):
    """Output of git in the checkout WHERE, stripped; '' if git fails."""
    try:
        return subprocess.run(['git', '-C', str(where), *args], text=True,
                              capture_output=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return ''


def utc(ts):
    return datetime.datetime.fromtimestamp(ts, datetime.timezone.utc)


def iso(ts):
    return utc(ts).strftime('%Y-%m-%dT%H:%M:%SZ')


def when(ts):
    return utc(ts).strftime('%Y-%m-%d %H:%M UTC')


def parse_iso(text):
    return datetime.datetime.strptime(text, '%Y-%m-%dT%H:%M:%SZ').replace(
        tzinfo=datetime.timezone.utc).timestamp()


def machine():
    mem = '?'
    try:
        for line in Path('/proc/meminfo').read_text().splitlines():
            if line.startswith('MemTotal:'):
                mem = f'{int(line.split()[1]) / 1048576:.1f} GiB'
    except OSError:
        pass
    return str(len(os.sched_getaffinity(0))), mem


def stamp_now():
    changed = git('status', '--porcelain', '--', '.', f':(exclude){PAGE}')
    nproc, mem = machine()
    return {'started': iso(datetime.datetime.now().timestamp()),
            'commit': git('rev-parse', '--short', 'HEAD') or 'unknown',
            'dirty': 'yes' if changed else 'no',
            'nproc': nproc, 'memory': mem}


def read_stamp(path):
    try:
        pairs = (ln.split('=', 1) for ln in path.read_text().splitlines()
                 if '=' in ln)
        st = {k: v for k, v in pairs}
        st['_end'] = parse_iso(st['ended'])
        st['_start'] = st['_end'] - int(st.get('seconds', 0))
        return st
    except (OSError, KeyError, ValueError):
        return None


def stamped(st):
    """A stamp's commit as the page shows it."""
    dirty = ', dirty' if st.get('dirty') == 'yes' else ''
    return f'`{st.get("commit", "?")}`{dirty}'


class Runs:
    """The stamped runs in out/, and who measured a file."""

    def __init__(self, out):
        # A guess is made in the checkout that out/ belongs to.
        self.checkout = out.parent
        self.stamps = [s for p in sorted(out.glob('logs/check-*.stamp')) +
                       [out / 'bench.stamp'] if (s := read_stamp(p))]

    def of(self, path):
        """(time, commit text, stamp or None) for a file of out/."""
        mtime = path.stat().st_mtime
        for st in self.stamps:
            if st['_start'] - 2 <= mtime <= st['_end'] + 2:
                return mtime, stamped(st), st
        guess = git('log', '-1', '--format=%h', f'--before={iso(mtime)}',
                    'HEAD', where=self.checkout)
        return mtime, (f'`{guess}`?' if guess else '?'), None

    def machines(self, used):
        """The 'Machine: ...' line of a part that read the files USED
        (their stamps, None for a file without one); '' if it read none."""
        if not used:
            return ''
        seen = sorted({(s['nproc'], s['memory']) for s in used if s})
        if not seen:
            nproc, mem = machine()
            return (f'Machine: not recorded (no stamp); this page was '
                    f'written on {nproc} CPUs, {mem} memory.')
        text = '; '.join(f'{n} CPUs, {m} memory' for n, m in seen)
        if None in used:
            text += ' (where recorded)'
        return f'Machine: {text}.'


def last_line(path):
    lines = [ln for ln in path.read_text(errors='replace').splitlines()
             if ln.strip()]
    return lines[-1] if lines else ''


def summed(results):
    p = f = s = 0
    for r in results:
        m = RESULT.match(r)
        if m:
            p, f, s = p + int(m[1]), f + int(m[2]), s + int(m[3] or 0)
    return f'{p} passed, {f} failed' + (f', {s} skipped' if s else '')


def check_part(out, runs, rel):
    log_dir = out / 'logs'
    steps = STEP.findall((REPO / 'scripts/check.sh').read_text())
    rows, results, used, total, lower = [], [], [], 0, False
    for name in steps:
        log = log_dir / f'check-{name}.log'
        if not log.exists():
            rows.append(f'| `{name}` | {NOT_RUN} | | | |')
            continue
        st = read_stamp(log_dir / f'check-{name}.stamp')
        if st and st['_end'] + 2 >= log.stat().st_mtime:
            result, secs = st['result'], st.get('seconds', '')
            mtime, commit = st['_end'], stamped(st)
        else:
            mtime, commit, st = runs.of(log)
            result = last_line(log)
            if not RESULT.match(result):
                result = 'stopped early (no summary line)'
            ticks = [int(m[1]) for ln in log.read_text(errors='replace')
                     .splitlines() if (m := PROGRESS.match(ln))]
            secs = f'{ticks[-1]}*' if ticks else ''
            lower |= bool(ticks)
        used.append(st)
        total += int(secs.rstrip('*') or 0)
        results.append(result)
        rows.append(f'| `{name}` | {rel(result)} | {secs} | {when(mtime)} '
                    f'| {commit} |')
    if not results:
        return ['## `make check`', '', f'{NOT_RUN.capitalize()}.', '']
    text = ['## `make check`', '',
            'One row per step, in the order `scripts/check.sh` runs them; '
            'each row is the last run of that step, by `make check` or '
            '`scripts/check.sh STEP`.', '',
            runs.machines(used), '',
            '| step | result | time (s) | finished | commit |',
            '|---|---|---:|---|---|', *rows,
            f'| sum | {summed(results)} | {total} | | |', '']
    if lower:
        text += ['`*` no stamp: the step\'s last progress line, a lower '
                 'bound.', '']
    figures = []
    for pattern, regex in FIGURES:
        for path in sorted(log_dir.glob(pattern)):
            for ln in path.read_text(errors='replace').splitlines():
                if (m := regex.search(ln)):
                    figures.append(f'{path.name}, {when(runs.of(path)[0])}: '
                                   f'{m[0]}')
    if figures:
        text += ['The figures the steps printed (file, its date: line):', '',
                 '```', *dict.fromkeys(rel(f) for f in figures), '```', '']
    return text


def kunit_results():
    """scripts/kunit-results.py as a module: the one reader of kunit.py's
    JSON."""
    spec = importlib.util.spec_from_file_location(
        'kunit_results', REPO / 'scripts' / 'kunit-results.py')
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def kunit_part(out, runs, rel):
    kr = kunit_results()
    log_dir = out / 'logs'
    configs = sorted(p.name[:-len('.kunitconfig')]
                     for p in (REPO / 'configs').glob('*.kunitconfig'))
    rows, used = [], []
    for cfg in configs:
        if cfg == 'uml-bisect':
            found = sorted(log_dir.glob('bisect-*-suite.json'),
                           key=lambda p: int(p.name.split('-')[1]))
            named = [(f'{cfg} (patch {p.name.split("-")[1]})', p)
                     for p in found]
        else:
            named = [(cfg, log_dir / f'{cfg}.json')]
        named = [(n, p) for n, p in named if p.exists()]
        if not named:
            rows.append(f'| `{cfg}` | {NOT_RUN} | | | |')
        for label, path in named:
            found = kr.load(path)
            if found:
                suites = ', '.join(f'`{s}` {n}' for s, n in kr.suites(path))
                result = kr.result_line(*kr.tally(found))
            else:
                suites, result = '-', 'no results (crashed or hung)'
            mtime, commit, st = runs.of(path)
            used.append(st)
            rows.append(f'| `{label}` | {suites} | {result} | '
                        f'{when(mtime)} | {commit} |')
    return ['## KUnit cases', '',
            'The last run of each configuration (`configs/*.kunitconfig`), '
            'from kunit.py\'s JSON results (`scripts/kunit-results.py`): '
            'the suites with their case counts, and the result.', '',
            runs.machines(used), '',
            '| configuration | suites (cases) | result | date | commit |',
            '|---|---|---|---|---|', *rows, '']


def hmm_part(out, runs, rel):
    log_dir = out / 'logs'
    text = ['## HMM selftests and their trace', '']
    summary = log_dir / 'hmm-summary.txt'
    traces = sorted(log_dir.glob('hmm-series-*-trace-summary.txt'))
    if not summary.exists() and not traces:
        return text + [f'{NOT_RUN.capitalize()}.', '']
    used = []
    if summary.exists():
        mtime, commit, st = runs.of(summary)
        used.append(st)
        totals = [ln for ln in summary.read_text().splitlines()
                  if ln.startswith('totals ')]
        text += [f'`hmm-summary.txt` of {when(mtime)}, commit {commit}:', '',
                 '```', *totals, '```', '']
    if traces:
        text += ['The series\' `mmu_notifier` trace of each boot, checked '
                 'by `scripts/check-trace.py`:', '',
                 '| boot | events | checks | date | commit |',
                 '|---|---|---|---|---|']
        for path in traces:
            mode = path.name[len('hmm-series-'):-len('-trace-summary.txt')]
            lines = path.read_text().splitlines()
            events = re.match(r'(\d+) events', lines[0]) if lines else None
            mtime, commit, st = runs.of(path)
            used.append(st)
            text.append(f'| {mode} | {events[1] if events else "?"} | '
                        f'{lines[-1] if lines else "?"} | {when(mtime)} | '
                        f'{commit} |')
        text.append('')
    return text + [runs.machines(used), '']


def bench_part(out, runs, rel):
    page = out / 'bench.md'
    text = ['## `make bench`', '']
    if not page.exists():
        return text + [f'{NOT_RUN.capitalize()}.', '']
    mtime, commit, st = runs.of(page)
    text += [f'`out/bench.md` of {when(mtime)}, commit {commit}, as '
             '`scripts/bench-report.py` wrote it (its picture left out).',
             runs.machines([st]), '']
    for ln in page.read_text().splitlines():
        if ln.startswith('# ') or ln.startswith('!['):
            continue
        text.append(rel('#' + ln if ln.startswith('#') else ln))
    return text + ['']


def page(out):
    out = out.resolve()
    runs = Runs(out)

    def rel(line):
        return line.replace(f'{out}/', 'out/')

    text = ['# Measurements', '',
            'Generated by `scripts/measurements.py` from what the last runs '
            'left in `out/`: `make check` and `make bench` rewrite this page '
            'at their end, `make measurements` from `out/` alone. Do not '
            'edit it by hand.', '',
            'Each part gives the date (UTC) and the commit it was measured '
            'at. "dirty": the tree held changes that were not committed. '
            'A commit with "?" was not recorded (the run left no stamp): it '
            'is the last commit made before the log was written, a guess, '
            'and the tree may have held changes.', '']
    for part in (check_part, kunit_part, hmm_part, bench_part):
        text += part(out, runs, rel)
    return re.sub(r'\n{3,}', '\n\n', '\n'.join(text)).rstrip('\n') + '\n'


# The lines of out/bench.md (scripts/bench_report) the cover letter quotes.
BENCH_SUMMARY = re.compile(r'^\*\*bench: (.*)\*\*$', re.M)
BENCH_TWO_CPU = re.compile(
    r'^\| (retry2|inval2) 2-CPU throughput, cpu0 \+ cpu1, ours / 6\.12 '
    r'\(QEMU\) >= [0-9.]+ \| (\d+) / (\d+) = ([0-9.]+) \|', re.M)


def cover(out):
    """The cover letter's paragraph of figures, from the stamped runs in
    OUT: the sum of make check's steps and make bench's verdicts and 2-CPU
    throughput, each with its date and commits. Plain text, 72 columns."""
    log_dir = out / 'logs'
    steps = STEP.findall((REPO / 'scripts/check.sh').read_text())
    stamps = [st for name in steps
              if (st := read_stamp(log_dir / f'check-{name}.stamp'))]
    text = []
    if stamps:
        days = sorted({utc(st['_end']).strftime('%Y-%m-%d') for st in stamps})
        commits = sorted({st.get('commit', '?') +
                          (' (dirty)' if st.get('dirty') == 'yes' else '')
                          for st in stamps})
        text.append(f'make check, {len(stamps)} of its {len(steps)} steps, '
                    f'last run {" to ".join(days[::len(days) - 1 or 1])} at '
                    f'commit {", ".join(commits)}: '
                    f'{summed(st["result"] for st in stamps)}.')
    bench, st = out / 'bench.md', read_stamp(out / 'bench.stamp')
    if bench.exists() and st:
        body = bench.read_text(errors='replace')
        line = (f'make bench of {utc(st["_end"]).strftime("%Y-%m-%d")} at '
                f'commit {st.get("commit", "?")} (UML on one CPU; QEMU '
                f'x86_64 with TCG, not hardware, for two CPUs)')
        if (m := BENCH_SUMMARY.search(body)):
            line += f': {m[1]}'
        names = {'retry2': 'the collision-retry loop',
                 'inval2': 'disjoint invalidations'}
        two = [f'{names[m[1]]} {m[3]} for 6.12 and {m[2]} for the series '
               f'({m[4]}x)' for m in BENCH_TWO_CPU.finditer(body)]
        if two:
            line += ('; operations per ms of both CPUs together, ' +
                     ', '.join(two))
        text.append(line + '.')
    if not text:
        return textwrap.fill('No make check or make bench run was recorded '
                             'in the tree this was exported from.', 72)
    text.insert(0, 'The last runs in the tree this was exported from:')
    return textwrap.fill(' '.join(text), 72)


def main():
    ap = argparse.ArgumentParser(
        description='Build MEASUREMENTS.md from out/ (see the header).')
    ap.add_argument('mode', nargs='?', choices=('page', 'stamp', 'cover'),
                    default='page')
    ap.add_argument('--out', type=Path, default=REPO / 'out',
                    help='the output folder to read (default <repo>/out)')
    ap.add_argument('--page', type=Path, default=REPO / PAGE,
                    help=f'the page to write (default <repo>/{PAGE})')
    args = ap.parse_args()
    if args.mode == 'stamp':
        for key, value in stamp_now().items():
            print(f'{key}={value}')
        return 0
    if args.mode == 'cover':
        print(cover(args.out))
        return 0
    # Silent: make check's and make bench's last line stays their own.
    args.page.write_text(page(args.out))
    return 0


if __name__ == '__main__':
    sys.exit(main())
