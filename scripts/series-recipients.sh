#!/usr/bin/env bash
# Address the exported series: add To: and Cc: headers to every message
# of out/series/, computed, never typed.
#
# For each patch, with the patched tree's scripts/get_maintainer.pl and
# MAINTAINERS (which lists the series' new files):
#   To:  the maintainers of the files it touches;
#   Cc:  their reviewers and mailing lists; for a patch that touches the
#        classic API (include/linux/mmu_notifier.h), the lists of its main
#        users, KVM (virt/kvm/) and the IOMMU core (drivers/iommu/); and
#        the people of series/cc-people (the design thread's author and
#        reviewer), their addresses as MAINTAINERS has them.
# The cover letter goes to the union of all of them. Each header is one
# line (no folding).
#
# usage: scripts/series-recipients.sh
set -euo pipefail
TAG=recipients
. "$(dirname "$0")/lib.sh"

tree=$(base_tree)
gm() {	# gm ARGS...: get_maintainer.pl in the patched tree, one per line
	(cd "$tree" && ./scripts/get_maintainer.pl --no-git --no-git-fallback \
		--no-rolestats --no-tree "$@" 2>/dev/null) | sed '/^$/d; s/"//g'
}

# addr LINE...: the bare addresses ("Name <a@b>" gives a@b).
addr() { sed 's/.*<\(.*\)>.*/\1/'; }

# The cc-people, resolved in MAINTAINERS (first line naming them).
people=()
while read -r name; do
	case $name in '#'* | '') continue ;; esac
	addr=$(grep -m1 -F "$name <" "$tree/MAINTAINERS" |
		sed -n 's/^[A-Z]:[[:space:]]*//p')
	[ -n "$addr" ] || die "series/cc-people: '$name' is not in MAINTAINERS"
	people+=("$addr")
done <"$top/series/cc-people"
classic_lists=$(gm --no-m --no-r --l -f virt/kvm/kvm_main.c \
	-f drivers/iommu/iommu-sva.c)

# join LIST: the non-empty lines of LIST, one per address, joined by ", ".
join() {
	awk 'NF { a = $0; sub(/.*</, "", a); sub(/>.*/, "", a)
		  if (!seen[a]++) print }' | paste -sd, | sed 's/,/, /g'
}

# minus A B: the lines of A whose address is not in B.
minus() { grep -vF -f <(addr <<<"$2" | sed 's/.*/<&>/') <<<"$1" || true; }

# header FILE NAME VALUE: add "NAME: VALUE" after the Subject: header
# (and its folded lines), if VALUE is not empty.
header() {
	[ -n "$3" ] || return 0
	NAME=$2 VALUE=$3 perl -0pi -e '
		s/^(Subject:.*\n(?:[ \t].*\n)*)/$1$ENV{NAME}: $ENV{VALUE}\n/m
	' "$1"
}

all_to=() all_cc=()
mapfile -t patches < <(series_patches)
[ ${#patches[@]} -gt 0 ] || die "no patches in $OUT/series: run make first"
for p in "${patches[@]}"; do
	to=$(gm --m --no-r --no-l "$p")
	cc=$(gm --no-m --r --l "$p")
	if grep -q '^diff --git a/include/linux/mmu_notifier.h ' "$p"; then
		cc=$(printf '%s\n%s\n' "$cc" "$classic_lists")
	fi
	cc=$(minus "$(printf '%s\n' "$cc" "${people[@]}")" "$to")
	# each header goes right after Subject:, so Cc first, then To
	header "$p" Cc "$(join <<<"$cc")"
	header "$p" To "$(join <<<"$to")"
	mapfile -t -O "${#all_to[@]}" all_to <<<"$to"
	mapfile -t -O "${#all_cc[@]}" all_cc <<<"$cc"
	say "$(basename "$p"): to $(join <<<"$to" | tr -cd , | wc -c | awk '{print $1 + 1}'), cc $(join <<<"$cc" | tr -cd , | wc -c | awk '{print $1 + 1}')"
done
cover=$(series_cover)
to=$(printf '%s\n' "${all_to[@]}")
cc=$(minus "$(printf '%s\n' "${all_cc[@]}")" "$to")
header "$cover" Cc "$(join <<<"$cc")"
header "$cover" To "$(join <<<"$to")"
say "$(basename "$cover"): to and cc of every patch"
