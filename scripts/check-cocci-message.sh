#!/bin/bash
# Check that each commit message quoting a semantic patch quotes it exactly.
#
# Usage: scripts/check-cocci-message.sh [series/NN-name ...]
#        (default: every series folder that holds a *.cocci file)
#
# In a folder's `message`, each *.cocci of the folder (in name order) is
# quoted in a block that follows a line ending in "semantic patch:" and a
# blank line: every line of the file indented by four spaces, empty lines
# left empty. The block ends at the first non-empty line not indented by
# four spaces, or at the end of the message. Where the folder has a
# names list (old new per line), the "- old" / "+ new" line pairs of the
# semantic patch must be exactly its pairs. Exits non-zero, with a diff,
# when a quoted block differs from its file or is missing, or the renames
# differ from the names list.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

if [ $# -eq 0 ]; then
	mapfile -t dirs < <(for c in series/*/*.cocci; do
		[ -e "$c" ] && dirname "$c"
	done | sort -u)
else
	dirs=("$@")
fi

# Print the n-th (1-based) quoted block of a message, unindented, without
# trailing empty lines. Prints nothing if there is no such block.
quoted_block() {
	awk -v want="$2" '
		state == 0 && /semantic patch:$/ { n++; state = (n == want) ? 1 : 0; next }
		state == 1 { if ($0 == "") { state = 2; next } else exit }
		state == 2 {
			if ($0 == "") { held = held "\n"; next }
			if (substr($0, 1, 4) != "    ") exit
			printf "%s%s\n", held, substr($0, 5)
			held = ""
		}
	' "$1" | sed -e 's/\r$//'
}

strip_trailing_empty() {
	sed -e ':a' -e '/^\n*$/{$d;N;ba' -e '}' "$1"
}

fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

for d in "${dirs[@]}"; do
	d=${d%/}
	msg=$d/message
	if [ ! -f "$msg" ]; then
		echo "$d: no message" >&2
		fail=1
		continue
	fi
	i=0
	for c in "$d"/*.cocci; do
		[ -e "$c" ] || continue
		i=$((i + 1))
		quoted_block "$msg" "$i" >"$tmp/quoted"
		strip_trailing_empty "$c" >"$tmp/cocci"
		if [ ! -s "$tmp/quoted" ]; then
			echo "$msg: semantic patch #$i ($c) is not quoted" >&2
			fail=1
		elif ! diff -u --label "$c" --label "$msg (quoted #$i)" \
			"$tmp/cocci" "$tmp/quoted"; then
			echo "$msg: quoted semantic patch #$i differs from $c" >&2
			fail=1
		else
			echo "$msg: semantic patch #$i matches $c"
		fi
		# The renames the semantic patch makes ("- old" then "+ new")
		# are the pairs of the folder's names list, no more, no fewer.
		[ -f "$d/names" ] || continue
		awk '/^- / { old = $2; next }
		     /^\+ / && old != "" { print old, $2 }
		     { old = "" }' "$c" | sort >"$tmp/renames"
		sed 's/#.*//' "$d/names" | awk 'NF { print $1, $2 }' |
			sort >"$tmp/names"
		if ! diff -u --label "$c (renames)" --label "$d/names" \
			"$tmp/renames" "$tmp/names"; then
			echo "$c: its renames differ from $d/names" >&2
			fail=1
		else
			echo "$c: renames the $(wc -l <"$tmp/names") pairs of $d/names"
		fi
	done
done

exit $fail
