# SPDX-License-Identifier: GPL-2.0
"""The command line and the order of the jobs: read the logs (parse),
compute (stats), judge (targets), print and write bench.md (sections,
render), write and draw the picture (plot); the exit status.

Run as scripts/bench-report.py (what scripts/bench.sh calls), or as
`python3 -m bench_report` from scripts/.
"""
import argparse
import os
import sys

from . import __doc__ as package_doc
from .parse import BadInput, load_all
from .plot import run_gnuplot, write_file, write_plot_files
from .render import markdown_document, print_text
from .sections import build_sections
from .stats import compute, has_scaling_lines
from .targets import build_targets, firm_targets_met, summary_line


def parse_args(argv):
    description = package_doc.split('\nusage:')[0]
    parser = argparse.ArgumentParser(
        description=description,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--uml-base', nargs='+', required=True, metavar='LOG',
                        help='UML logs of 6.12, one boot each')
    parser.add_argument('--uml-series', nargs='+', required=True,
                        metavar='LOG', help='UML logs of the series')
    parser.add_argument('--uml-control', nargs='+', default=[],
                        metavar='LOG',
                        help='UML logs of 6.12 again, its text moved (the '
                        'layout control)')
    parser.add_argument('--qemu-base', nargs='+', default=[], metavar='LOG',
                        help='QEMU -smp 2 logs of 6.12')
    parser.add_argument('--qemu-series', nargs='+', default=[], metavar='LOG',
                        help='QEMU -smp 2 logs of the series')
    parser.add_argument('--out', required=True, metavar='DIR',
                        help='directory for bench.md, bench.png, bench.gp')
    parser.add_argument('--title', metavar='TEXT',
                        default='MMU notifier benchmark: '
                        'series against Linux 6.12', help='report title')
    parser.add_argument('--elapsed', type=float, metavar='SECONDS',
                        help='wall time the benchmark took, for the header')
    return parser.parse_args(argv)


def report(args, runs):
    """Print the report, write bench.md and the plot; return exit status."""
    results = compute(runs)
    ran_qemu = (has_scaling_lines(runs['qemu']['base']) or
                has_scaling_lines(runs['qemu']['series']))
    sections = build_sections(args, results, ran_qemu)
    targets = build_targets(args, results)
    summary = summary_line(targets)

    print_text(sections, targets, summary)
    write_file(os.path.join(args.out, 'bench.md'),
               markdown_document(args, runs, sections, targets, summary))
    script = write_plot_files(args.out, results.uml_rows, results.best,
                              results.scalings, ran_qemu)
    run_gnuplot(args.out, script)
    return 0 if firm_targets_met(targets) else 1


def main(argv):
    args = parse_args(argv)
    try:
        runs = load_all(args)
        os.makedirs(args.out, exist_ok=True)
    except BadInput as e:
        print(f'bench-report: {e}', file=sys.stderr)
        return 2
    except OSError as e:
        print(f'bench-report: {args.out}: cannot create: {e.strerror}',
              file=sys.stderr)
        return 2
    return report(args, runs)


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
