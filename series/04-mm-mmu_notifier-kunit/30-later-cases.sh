#!/bin/bash
# kernel/lib/test_mmu_notifier.c is the suite at the end of the series.
# The cases of behaviour that later patches bring join with them, each
# patch's as a diff (the rewrite's, two-pass invalidation's, the misuse
# checks', the tracepoints'): take those diffs back here, newest first,
# so that this patch's suite is the one that passes on 6.12's
# implementation.
set -euo pipefail

s=$(dirname "$0")/..
for d in 12-mm-mmu_notifier-tracepoints/30-kunit-cases.diff \
	 08-mm-mmu_notifier-misuse-checks/20-kunit-cases.diff \
	 07-mm-mmu_notifier-two-pass/20-kunit-cases.diff \
	 05-mm-mmu_notifier-range-notifier/40-kunit-cases.diff; do
	git apply -R "$s/$d"
done
