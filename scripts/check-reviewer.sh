#!/bin/bash
# Check the series' MAINTAINERS reviewer rule
# (series/NN-*/30-reviewer.sh): on a small MAINTAINERS, with each
# identity of tests/reviewer/identities, the file it leaves must be the
# one that identity's line names (added: the R: line after the section's
# M: line; unchanged: nothing added), with and without REVIEWER=1.
#
# usage: scripts/check-reviewer.sh
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
script=$(ls "$top"/series/[0-9][0-9]-*/30-reviewer.sh)
cases=$top/tests/reviewer/identities
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

maintainers() {
	printf '%s\n' 'ARM PORT' 'M:	Someone <a@b.org>' '' \
		'MEMORY MANAGEMENT' 'M:	Andrew Morton <akpm@linux-foundation.org>' \
		'L:	linux-mm@kvack.org' 'F:	mm/' '' \
		'NETWORKING' 'M:	Other <o@b.org>'
}

n=0 bad=0
while IFS='|' read -r verdict name email; do
	case $verdict in '' | '#'*) continue ;; esac
	for reviewer in 0 1; do
		rm -rf "$tmp/t" && mkdir "$tmp/t" && cd "$tmp/t"
		git init -q && git config user.name "$name" &&
			git config user.email "$email"
		maintainers >MAINTAINERS
		REVIEWER=$reviewer bash "$script" 2>/dev/null
		maintainers >want
		if [ "$reviewer" = 1 ] && [ "$verdict" = added ]; then
			sed -i "/^M:	Andrew Morton/a R:	$name <$email>" want
		fi
		n=$((n + 1))
		if ! diff -u want MAINTAINERS >"$tmp/diff"; then
			echo "REVIEWER=$reviewer, $name <$email> (expected: $verdict):"
			cat "$tmp/diff"
			bad=$((bad + 1))
		fi
	done
done <"$cases"
cd "$top"
if [ "$bad" -gt 0 ]; then
	echo "reviewer: $bad of $n identities handled otherwise than tests/reviewer/identities says" >&2
	exit 1
fi
echo "$n identities handled as expected"
