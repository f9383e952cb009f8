# SPDX-License-Identifier: GPL-2.0
"""Print the sections and targets as aligned text (stdout), and lay them
out as the markdown document out/bench.md."""
import datetime

from .fmt import fmt_elapsed, verdict
from .parse import IMPL_NAMES, IMPLS, parse_value


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


def print_text(sections, targets, summary):
    for section in sections:
        for line in section_text(section):
            print(line)
        print()
    for target in targets:
        print(target_line(target))
    print(summary)
