# SPDX-License-Identifier: GPL-2.0
"""How figures and verdicts are printed, in the tables and the targets."""


def fmt_ns(value):
    if value is None:
        return '-'
    if value < 10:
        return f'{value:.2f}'
    if value < 1000:
        return f'{value:.1f}'
    return f'{value:.0f}'


def fmt_fraction(value, digits=3):
    if value is None:
        return 'n/a'
    return f'{value:.{digits}f}'


def fmt_ops(value):
    if value is None:
        return '-'
    return f'{value:.0f}'


def fmt_bytes(value):
    if value is None:
        return 'missing'
    return f'{value:.0f}'


def verdict(met):
    return 'met' if met else 'NOT MET'


def fmt_elapsed(seconds):
    minutes, secs = divmod(int(round(seconds)), 60)
    hours, minutes = divmod(minutes, 60)
    if hours:
        return f'{seconds:.0f} s ({hours} h {minutes} min {secs} s)'
    if minutes:
        return f'{seconds:.0f} s ({minutes} min {secs} s)'
    return f'{seconds:.0f} s'
