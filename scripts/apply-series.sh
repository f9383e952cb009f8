#!/usr/bin/env bash
# Apply the project's series to the base tree as real commits.
#
# The series is built in a scratch worktree (build/apply-<version>) from the
# pristine base, one commit per series/NN-* folder, with the author and
# Signed-off-by of the user's git config. The build tree then checks the new
# head out, which rewrites only the files whose content changed, so a warm
# build recompiles only what the edit touched.
#
# A build tree holding changes made by hand (edits, commits) is never
# overwritten: the script stops and says how to keep or drop them.
#
# usage: scripts/apply-series.sh [--upto NN]   (stop after folder NN-*)
set -euo pipefail
. "$(dirname "$0")/lib.sh"

upto=
if [ "${1:-}" = --upto ]; then
	upto=${2:?--upto needs a patch number}
fi

tree=$(base_tree)
ver=$(basename "$tree")
ver=${ver#src-}
wt=$BUILD_ROOT/apply-$ver
state=$tree/.git/mmu-series

git config user.name >/dev/null && git config user.email >/dev/null ||
	die "git config user.name and user.email are not set: the series is authored and signed off as you (git config --global user.name 'Your Name'; git config --global user.email you@example.org)"

# The inputs of the series: every file of series/ and kernel/ and this script.
stamp=$( (cd "$top" && find series kernel -type f -print0 | sort -z |
	xargs -0 sha1sum; sha1sum scripts/apply-series.sh; echo "$ver $upto"
	# Who signs off, and whether MAINTAINERS names them (30-reviewer.sh).
	git config user.name; git config user.email; echo "${REVIEWER:-0}") |
	sha1sum | cut -d' ' -f1)

# Hand edits in the build tree: stop, say how to keep or drop them.
recorded=$(sed -n 's/^head //p' "$state" 2>/dev/null || true)
head=$(git -C "$tree" rev-parse HEAD)
if ! git -C "$tree" diff --quiet HEAD --; then
	git -C "$tree" status --short --untracked-files=no | head -n 20 >&2
	die "the build tree $tree holds changes made by hand (above).
  To keep them, move them into the project (kernel/ holds our files at their
  in-tree paths; series/ the edits to base files):
    git -C $tree diff > my-change.patch
  To drop them:
    git -C $tree reset --hard && make"
fi
if [ -n "$recorded" ] && [ "$head" != "$recorded" ]; then
	git -C "$tree" log --oneline "$recorded..$head" | head -n 20 >&2 || true
	die "the build tree $tree is not at the series make applied (HEAD $head, expected $recorded): commits or a checkout made by hand.
  To keep them: git -C $tree format-patch $recorded..HEAD, and move them into the project.
  To drop them: git -C $tree checkout -B series $recorded && make"
fi
if [ -z "$recorded" ] && [ "$head" != "$(git -C "$tree" rev-parse base)" ]; then
	die "the build tree $tree has commits make did not make; remove it (rm -rf $tree) or reset it to its base (git -C $tree checkout -B series base)"
fi

if [ "$(sed -n 's/^stamp //p' "$state" 2>/dev/null)" = "$stamp" ]; then
	say "series up to date in $tree"
	exit 0
fi

detached_worktree "$wt" base pristine
cd "$wt"

n=0
for dir in "$top"/series/[0-9][0-9]-*/; do
	dir=${dir%/}
	name=$(basename "$dir")
	[ -f "$dir/message" ] || die "series/$name has no message"
	log=$LOG_DIR/series-$name.log
	: > "$log"

	if [ -f "$dir/files" ]; then
		while read -r f; do
			[ -n "$f" ] || continue
			[ -f "$top/kernel/$f" ] ||
				die "series/$name/files names kernel/$f, which does not exist"
			mkdir -p "$(dirname "$f")"
			cp "$top/kernel/$f" "$f"
		done < "$dir/files"
	fi

	for d in "$dir"/*.diff; do
		[ -e "$d" ] || continue
		if ! git apply --whitespace=nowarn "$d" >>"$log" 2>&1; then
			sed 's/^/  | /' "$log" >&2
			die "patch series/$name/$(basename "$d") does not apply to Linux $ver (the failing file is named above)"
		fi
	done

	for c in "$dir"/*.cocci; do
		[ -e "$c" ] || continue
		[ -f "$dir/targets" ] || die "series/$name has $(basename "$c") but no targets"
		# The identifiers: targets' own, and the old names of names.
		ids=$({ grep -v '^:' "$dir/targets" || true
			[ ! -f "$dir/names" ] ||
				sed 's/#.*//' "$dir/names" | awk 'NF { print $1 }'
		      } | sed '/^$/d' | sed 's/^/-e\n/')
		mapfile -t specs < <(grep '^:' "$dir/targets" || true)
		mapfile -t idargs <<<"$ids"
		mapfile -t files < <(git grep -l -w "${idargs[@]}" -- \
			'*.c' '*.h' "${specs[@]}" || true)
		[ ${#files[@]} -gt 0 ] || die "series/$name: no file names the identifiers in targets"
		say "$name: spatch $(basename "$c") over ${#files[@]} files (log: $log)"
		logged "$log" spatch --sp-file "$c" --in-place --no-includes \
			--very-quiet --jobs "$JOBS" "${files[@]}" ||
			die "spatch failed in series/$name"
	done

	for s in "$dir"/*.sh; do
		[ -e "$s" ] || continue
		if ! bash "$s" >>"$log" 2>&1; then
			sed 's/^/  | /' "$log" >&2
			die "script series/$name/$(basename "$s") failed"
		fi
	done

	git add -A -f .
	git diff --cached --quiet && die "series/$name changes nothing"
	git commit -q -s --no-verify -F "$dir/message"
	n=$((n + 1))
	say "$name: $(git log -1 --format=%s) ($(git diff --shortstat HEAD~1 | sed 's/^ //'))"
	if [ -n "$upto" ] && [ "${name%%-*}" = "$upto" ]; then
		break
	fi
done
new=$(git rev-parse HEAD)

cd "$tree"
git checkout -q -B series "$new"
printf 'stamp %s\nhead %s\n' "$stamp" "$new" > "$state"
say "series applied: $n patches on Linux $ver in $tree"
