#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Compare the MMU notifier benchmark of the series against Linux 6.12.

The entry point scripts/bench.sh calls; the work is done by the package
scripts/bench_report/ (its __init__.py says what is read, computed and
written, and which module does what). `--help` prints the usage.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from bench_report.__main__ import main  # noqa: E402 (after the path)

if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
