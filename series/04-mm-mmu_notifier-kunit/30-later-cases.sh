#!/bin/bash
# kernel/lib/test_mmu_notifier.c is the suite at the end of the series.
# The cases of behaviour that later patches bring join with them, each
# patch's as its NN-kunit-cases.diff: take every one of those back here,
# newest patch first, so that this patch's suite is the one that passes on
# 6.12's implementation.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
mapfile -t diffs < <(ls -r "$here"/../[0-9][0-9]-*/[0-9][0-9]-kunit-cases.diff)
[ ${#diffs[@]} -gt 0 ] || {
	echo "$0: no later patch has a kunit-cases diff" >&2
	exit 1
}
for d in "${diffs[@]}"; do
	git apply -R "$d"
done
