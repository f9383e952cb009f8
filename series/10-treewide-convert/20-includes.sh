#!/bin/bash
# After this series <linux/mmu_notifier.h> does not declare the range
# notifier. The semantic patch adds <linux/mmu_range_notifier.h> next to
# every include of <linux/mmu_notifier.h> in a file that uses the API;
# the files below got the API some other way (the 6.12 <linux/hmm.h> only
# forward-declares the struct), so they get the include here, at a place
# chosen per file.
set -euo pipefail

# file | existing line | before/after | line to add
edits=(
	'include/rdma/ib_umem_odp.h|#include <rdma/ib_umem.h>|before|#include <linux/mmu_range_notifier.h>'
	'drivers/infiniband/hw/hfi1/user_exp_rcv.h|#include "hfi.h"|before|#include <linux/mmu_range_notifier.h>\n'
	'drivers/gpu/drm/nouveau/nouveau_svm.c|#include <linux/hmm.h>|after|#include <linux/mmu_range_notifier.h>'
)

for e in "${edits[@]}"; do
	IFS='|' read -r file anchor where add <<<"$e"
	[ -f "$file" ] || continue
	grep -qw -E "mmu_range_[a-z_]+" "$file" || continue
	inc=${add%\\n}
	grep -qxF "$inc" "$file" && continue
	if ! grep -qxF "$anchor" "$file"; then
		echo "$0: $file: no line '$anchor' to place '$inc'" >&2
		exit 1
	fi
	ANCHOR=$anchor ADD=$add WHERE=$where perl -i -ne '
		BEGIN { $add = $ENV{ADD}; $add =~ s/\\n$/\n/; $add .= "\n" }
		chomp(my $l = $_);
		if (!$done && $l eq $ENV{ANCHOR}) {
			print $add if $ENV{WHERE} eq "before";
			print;
			print $add if $ENV{WHERE} eq "after";
			$done = 1;
			next;
		}
		print;
	' "$file"
done
