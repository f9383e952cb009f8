#!/bin/bash
# Add an "MMU NOTIFIER" section to MAINTAINERS, at its alphabetical place
# among the section titles (the order scripts/parse-maintainers.pl uses:
# titles compared upper-cased, byte by byte). The maintainer is whoever
# runs the series: the M: line comes from git config user.name and
# user.email. Run at the top of the kernel tree. Fails, changing nothing,
# if the section exists already or no identity is configured. The KUnit
# and documentation patches add their files to the section.
set -euo pipefail

title='MMU NOTIFIER'
file=MAINTAINERS

[ -f "$file" ] || { echo "$0: no $file here; run at the top of the tree" >&2; exit 1; }

name=$(git config user.name || true)
email=$(git config user.email || true)
if [ -z "$name" ] || [ -z "$email" ]; then
	echo "$0: git config user.name and user.email must be set: they give the M: line of the $title section" >&2
	exit 1
fi

if grep -qxF "$title" "$file"; then
	echo "$0: $file already has a section '$title'" >&2
	exit 1
fi

section=$(cat <<SECTION
$title
M:	$name <$email>
L:	linux-mm@kvack.org
S:	Maintained
F:	include/linux/mmu_notifier.h
F:	include/linux/mmu_range_notifier.h
F:	mm/mmu_notifier.c
SECTION
)

# A section title is a non-empty line after an empty one, followed by a
# "X:" line. Insert before the first title that sorts after ours, provided
# the title before it sorts before ours, so that a stray misplaced section
# elsewhere in the file cannot pull the new one to a wrong place.
tmp=$(mktemp "$file.XXXXXX")
trap 'rm -f "$tmp"' EXIT
TITLE=$title SECTION=$section LC_ALL=C perl -e '
	my $title = $ENV{TITLE};
	my @l = <STDIN>;
	my ($prev, $at) = ("", -1);
	for my $i (1 .. $#l - 1) {
		next unless $l[$i - 1] eq "\n" && $l[$i] =~ /^\S/ &&
			    $l[$i + 1] =~ /^[A-Z]:\t/;
		(my $t = uc $l[$i]) =~ s/\s+$//;
		$t =~ s/THE REST/ZZZZZZ/g;
		if ((uc $prev) lt uc $title && (uc $title) lt $t) {
			$at = $i;
			last;
		}
		$prev = $t;
	}
	die "no place found for \"$title\" between two section titles\n" if $at < 0;
	splice @l, $at, 0, "$ENV{SECTION}\n", "\n";
	print @l;
' <"$file" >"$tmp"

cat "$tmp" >"$file"
echo "$0: added '$title' to $file with M: $name <$email>"
