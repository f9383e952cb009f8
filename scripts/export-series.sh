#!/usr/bin/env bash
# Export the applied series with git format-patch --cover-letter into
# out/series/ (0000-cover-letter.patch, 0001-*.patch, ...). The cover
# letter's subject and body come from series/cover-letter.
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
# format-patch takes the cover letter from the branch description: first
# paragraph as the subject, the rest as the body.
git -C "$tree" config branch.series.description "$(cat "$cover")"
git -C "$tree" format-patch -q --cover-letter \
	--cover-from-description=subject \
	--subject-prefix="PATCH" -o "$dest" base..series
n=$(find "$dest" -name '0*.patch' ! -name '0000-*' | wc -l)
say "$n patches and a cover letter for Linux $ver in $dest"
ls "$dest" | sed 's/^/  /'
