# SPDX-License-Identifier: GPL-2.0
"""The picture: data files bench-*.dat, the gnuplot script bench.gp, and
gnuplot run on it to draw bench.png (a warning if gnuplot is missing).

Left panel: UML ns per operation against n. Right panel: the QEMU 2-CPU
scaling when QEMU ran, else the UML ratios ours/6.12 with their noise.
"""
import os
import shutil
import subprocess
import sys

from .parse import IMPL_NAMES, IMPLS
from .stats import SCALING_TESTS
from .targets import RETRY2_TARGET

PLOT_OPS = ('inval_miss', 'remove_insert', 'teardown')
PLOT_COLORS = {'inval_miss': '#1f77b4', 'remove_insert': '#d62728',
               'teardown': '#2ca02c'}


def write_file(path, text):
    with open(path, 'w') as f:
        f.write(text)


def growth_data(best):
    lines = ['# n ns (UML best of runs), n >= 1 only']
    for n in sorted(best):
        if n >= 1:
            lines.append(f'{n} {best[n]:.6g}')
    return '\n'.join(lines) + '\n'


def scaling_data(scalings):
    lines = ['# test 6.12-scaling ours-scaling ("?" = missing)']
    for test in SCALING_TESTS:
        values = []
        for impl in IMPLS:
            scaling = scalings[impl][test].scaling
            values.append('?' if scaling is None else f'{scaling:.4f}')
        lines.append(f'{test} {values[0]} {values[1]}')
    return '\n'.join(lines) + '\n'


def ratio_data(rows):
    lines = ['# "op n" ours/6.12 1+noise (UML, "?" = missing)']
    for row in rows:
        if row.ratio is None:
            continue
        noise = row.noise if row.noise is not None else 0.0
        lines.append(f'"{row.op} {row.n}" {row.ratio:.4f} {1 + noise:.4f}')
    return '\n'.join(lines) + '\n'


def gnuplot_header():
    return [
        '# Re-plot with: cd DIR && gnuplot bench.gp',
        'if (strstrt(GPVAL_TERMINALS, "pngcairo") > 0) {',
        '    set terminal pngcairo size 1400,600 enhanced '
        'font "DejaVu Sans,11"',
        '} else {',
        '    set terminal png size 1400,600 enhanced',
        '}',
        'set output "bench.png"',
        'set datafile missing "?"',
        'set multiplot layout 1,2',
    ]


def gnuplot_growth_panel(data_files):
    lines = [
        'set title "UML, 1 CPU: ns per operation" noenhanced',
        'set logscale xy 2',
        'set format x "2^{%L}"',
        'set logscale y 10',
        'set format y "10^{%L}"',
        'set xlabel "n (subscriptions)"',
        'set ylabel "ns per operation (teardown: per whole teardown)"',
        'set grid xtics ytics',
        'set key top left box opaque noenhanced samplen 3 spacing 1.1',
        'set offsets graph 0.03, graph 0.03, 0, 0',
    ]
    plots = []
    for op, impl, name in data_files:
        color = PLOT_COLORS[op]
        if impl == 'base':
            style = f'lw 2 dt 2 pt 6 ps 1.3 lc rgb "{color}"'
        else:
            style = f'lw 2 dt 1 pt 7 ps 1.3 lc rgb "{color}"'
        plots.append(f'"{name}" using 1:2 with linespoints {style} '
                     f'title "{op} {IMPL_NAMES[impl]}"')
    if plots:
        lines.append('plot ' + ', \\\n     '.join(plots))
    else:
        lines.append('set label 1 "no data" at graph 0.5, graph 0.5 center')
        lines.append('plot 1 notitle lc rgb "white"')
    lines += ['unset logscale', 'unset format', 'unset offsets',
              'unset label', 'set format x "% h"', 'set format y "% h"',
              'unset xlabel']
    return lines


def gnuplot_bar_common():
    return [
        'set style data histogram',
        'set style histogram clustered gap 1',
        'set style fill solid 0.85 border -1',
        'set boxwidth 0.9',
        'set grid noxtics ytics',
        'set key top right box opaque noenhanced',
        'set xtics nomirror noenhanced',
    ]


def gnuplot_scaling_panel():
    lines = ['set title "QEMU -smp 2: 2-CPU throughput / 1 CPU"']
    lines += gnuplot_bar_common()
    lines += [
        'set ylabel "scaling (2.0 = perfect)"',
        'set yrange [0:2.4]',
        'set arrow 1 from graph 0, first 1.0 to graph 1, first 1.0 '
        'nohead lw 1.5 lc rgb "gray40" front',
        'set arrow 2 from graph 0, first 2.0 to graph 1, first 2.0 '
        'nohead lw 1.5 lc rgb "gray40" front',
        f'set arrow 3 from first -0.45, first {RETRY2_TARGET} '
        f'to first 0.45, first {RETRY2_TARGET} '
        'nohead lw 3 lc rgb "#b00000" front',
        f'set ytics add ("target {RETRY2_TARGET}" {RETRY2_TARGET})',
        'set label 2 "1 CPU" at graph 0.99, first 1.05 right front '
        'tc rgb "gray40"',
        'set label 3 "perfect" at graph 0.99, first 2.05 right front '
        'tc rgb "gray40"',
        'plot "bench-scaling.dat" using 2:xtic(1) title "6.12" '
        'lc rgb "#999999", \\',
        '     "" using 3 title "ours" lc rgb "#1f77b4"',
    ]
    return lines


def ratio_panel_top(rows):
    """A y range top leaving the upper fifth free for the key."""
    highest = 1.0
    for row in rows:
        if row.ratio is None:
            continue
        noise = row.noise if row.noise is not None else 0.0
        highest = max(highest, row.ratio, 1.0 + noise)
    return highest * 1.25


def gnuplot_ratio_panel(rows):
    top = ratio_panel_top(rows)
    lines = ['set title "UML, 1 CPU: ours / 6.12 (ns ratio; '
             'QEMU -smp 2 not run)"']
    lines += gnuplot_bar_common()
    lines += [
        'set style histogram clustered gap 0.6',
        'set ylabel "ours / 6.12 (lower is better)"',
        f'set yrange [0:{top:.2f}]',
        'set xtics rotate by 45 right',
        'set bmargin 8',
        'set arrow 1 from graph 0, first 1.0 to graph 1, first 1.0 '
        'nohead lw 1.5 lc rgb "black" front',
        'plot "bench-ratio.dat" using 2:xtic(1) title "ours / 6.12" '
        'lc rgb "#1f77b4", \\',
        '     "" using 3 title "1 + noise (limit)" lc rgb "#cccccc"',
    ]
    return lines


def write_plot_files(out, rows, best, scalings, ran_qemu):
    """Write bench-*.dat and bench.gp into out; return the script name."""
    data_files = []
    for op in PLOT_OPS:
        for impl in IMPLS:
            points = {n: v for n, v in best[impl].get(op, {}).items()
                      if n >= 1}
            if not points:
                continue
            name = f'bench-{op}-{IMPL_NAMES[impl]}.dat'
            write_file(os.path.join(out, name), growth_data(points))
            data_files.append((op, impl, name))
    lines = gnuplot_header() + gnuplot_growth_panel(data_files)
    if ran_qemu:
        write_file(os.path.join(out, 'bench-scaling.dat'),
                   scaling_data(scalings))
        lines += gnuplot_scaling_panel()
    else:
        write_file(os.path.join(out, 'bench-ratio.dat'), ratio_data(rows))
        lines += gnuplot_ratio_panel(rows)
    lines += ['unset multiplot', 'set output']
    write_file(os.path.join(out, 'bench.gp'), '\n'.join(lines) + '\n')
    return 'bench.gp'


def run_gnuplot(out, script):
    """Draw bench.png; a warning, not a failure, if gnuplot is missing."""
    gnuplot = shutil.which('gnuplot')
    if gnuplot is None:
        print('warning: gnuplot not found, bench.png not drawn',
              file=sys.stderr)
        return
    result = subprocess.run([gnuplot, script], cwd=out,
                            capture_output=True, text=True)
    if result.returncode != 0:
        print(f'warning: gnuplot failed, bench.png not drawn:\n'
              f'{result.stderr.strip()}', file=sys.stderr)
    elif result.stderr.strip():
        print(f'gnuplot: {result.stderr.strip()}', file=sys.stderr)
