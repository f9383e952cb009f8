#!/bin/bash
# kernel/ holds the core and header with two-pass invalidation, which
# patch 08 adds as a diff: take that diff back here (after the checks'
# diff, which patch 09 makes on top of it), so that every range
# subscription of this patch has one invalidate callback.
set -euo pipefail

diff=$(dirname "$0")/../08-mm-mmu_notifier-two-pass/10-two-pass.diff
git apply -R "$diff"
