#!/bin/bash
# kernel/ holds the core with its checks for misuse (range ops, racing or
# repeated removes, an end without its start), which patch 09 adds as a
# diff: take that diff back here, so that this patch has none of them.
set -euo pipefail

diff=$(dirname "$0")/../09-mm-mmu_notifier-misuse-checks/10-misuse-checks.diff
git apply -R "$diff"
