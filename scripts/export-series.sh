#!/usr/bin/env bash
# Export the applied series with git format-patch --cover-letter into
# out/series/ (0000-cover-letter.patch, 0001-*.patch, ...). The cover
# letter's subject and body come from series/cover-letter, with its
# @PATCHES@ and @CASES@ counted in the tree.
#
# usage: scripts/export-series.sh
set -euo pipefail
. "$(dirname "$0")/lib.sh"

tree=$(base_tree)
ver=$(basename "$tree")
ver=${ver#src-}
dest=$OUT/series
cover=$top/series/cover-letter
[ -f "$cover" ] || die "series/cover-letter is missing"

rm -rf "$dest"
mkdir -p "$dest"
# Counts in the cover letter come from the tree, never typed: @PATCHES@
# (commits of the series), @CASES@ (KUnit cases of the suite).
patches=$(git -C "$tree" rev-list --count base..series)
cases=$(grep -cE '^\s*KUNIT_CASE(_SLOW)?\(' "$tree/lib/test_mmu_notifier.c" || true)
text=$(sed -e "s/@PATCHES@/$patches/g" -e "s/@CASES@/$cases/g" "$cover")
[[ $text != *@[A-Z]*@* ]] || die "series/cover-letter: a placeholder is left: $(grep -o '@[A-Z]*@' <<<"$text" | head -n 1)"
# format-patch takes the cover letter from the branch description: first
# paragraph as the subject, the rest as the body.
git -C "$tree" config branch.series.description "$text"
git -C "$tree" format-patch -q --cover-letter \
	--cover-from-description=subject \
	--subject-prefix="PATCH" -o "$dest" base..series
n=$(find "$dest" -name '0*.patch' ! -name '0000-*' | wc -l)
say "$n patches and a cover letter for Linux $ver in $dest"
ls "$dest" | sed 's/^/  /'
