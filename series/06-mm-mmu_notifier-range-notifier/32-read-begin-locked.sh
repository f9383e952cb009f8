#!/bin/bash
# kernel/mm/mmu_notifier.c holds the core with its lockless read side, which
# the next patch adds as a diff: take that diff back here, last (it was
# made on the one-pass core), so that this patch's mmu_range_read_begin()
# decides under the notifier lock.
set -euo pipefail

diff=$(dirname "$0")/../07-mm-mmu_notifier-lockless-read-begin/10-lockless-read-begin.diff
git apply -R "$diff"
