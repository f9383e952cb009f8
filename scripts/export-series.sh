#!/usr/bin/env bash
# Export the applied series with git format-patch -vN --cover-letter into
# out/series/ (vN-0000-cover-letter.patch, vN-0001-*.patch, ...; N from
# series/version). The cover letter's subject and body come from
# series/cover-letter, with its @PATCHES@ and @CASES@ counted in the tree
# and its @FIGURES@ from the last runs (scripts/measurements.py cover),
# then series/changes-vN and the base the series applies to; To: and Cc:
# come from scripts/series-recipients.sh.
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
# And the figures from the last runs recorded in out/ (@FIGURES@), never
# typed: run make check (and make bench), then make, before sending.
figures=$("$top/scripts/measurements.py" cover --out "$OUT")
text=${text//@FIGURES@/$figures}
v=$(series_version)
if [ "$v" -gt 1 ]; then
	[ -f "$top/series/changes-v$v" ] ||
		die "series/version is $v, but series/changes-v$v is missing"
	text+=$'\n\n'$(cat "$top/series/changes-v$v")
fi
# The base, in words: Debian's tree has no upstream commit for --base.
deb=$(dpkg-query -W -f '${Version}' linux-source-6.12 2>/dev/null || true)
if [ -n "$deb" ] && grep -q '^tarball /usr/src/linux-source-6.12' "$BUILD_ROOT/base-ident" 2>/dev/null; then
	base_words="Linux $ver from Debian's linux-source-6.12 $deb"
else
	base_words="Linux $ver ($(head -n 1 "$BUILD_ROOT/base-ident" 2>/dev/null | cut -d' ' -f1-2))"
fi
text+=$'\n\n'"The series applies to $base_words. That tree is a release tarball,
not an upstream commit, so the patches carry no base-commit: line."
[[ $text != *@[A-Z]*@* ]] || die "series/cover-letter: a placeholder is left: $(grep -o '@[A-Z]*@' <<<"$text" | head -n 1)"
# format-patch takes the cover letter from the branch description: first
# paragraph as the subject, the rest as the body.
git -C "$tree" config branch.series.description "$text"
git -C "$tree" format-patch -q --cover-letter \
	--cover-from-description=subject -v "$v" \
	--subject-prefix="PATCH" -o "$dest" base..series
"$top/scripts/series-recipients.sh"
n=$(series_patches | wc -l)
say "v$v: $n patches and a cover letter for $base_words in $dest"
# Whether MAINTAINERS names the sender, and why (not).
for r in "$top"/series/[0-9][0-9]-*/30-reviewer.sh; do
	say "$(cd "$tree" && REVIEWER=${REVIEWER:-0} bash "$r" --why)"
done
ls "$dest" | sed 's/^/  /'
