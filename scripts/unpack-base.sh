#!/usr/bin/env bash
# Unpack the base kernel into build/src-<version> and make it a git
# repository whose first commit (tag "base") is the pristine tree.
#
# The base is Debian's linux-source-6.12 tarball, or KERNEL_SRC: a 6.12
# tarball or a 6.12 source directory of the user's. The tree is keyed by the
# base version, so a new 6.12.y gets a new tree; an existing tree is reused.
#
# usage: scripts/unpack-base.sh      (env: KERNEL_SRC)
set -euo pipefail
. "$(dirname "$0")/lib.sh"

src=${KERNEL_SRC:-$BASE_TARBALL}
[ -e "$src" ] || {
	if [ -z "${KERNEL_SRC:-}" ]; then
		die "$src is missing: install the Debian package linux-source-6.12"
	fi
	die "KERNEL_SRC=$src does not exist"
}
src=$(realpath "$src")

# kernel_version DIR: "6.12.N" from a tree's top Makefile, or nothing.
kernel_version() {
	local mk=$1/Makefile
	[ -f "$mk" ] || return 0
	awk -F'= *' '/^VERSION *=/ {v=$2} /^PATCHLEVEL *=/ {p=$2}
		/^SUBLEVEL *=/ {s=$2}
		END { if (v != "" && p != "") print v "." p "." (s == "" ? 0 : s) }' "$mk"
}

if [ -f "$src" ]; then
	ident="tarball $src $(stat -c '%s %Y' "$src")"
else
	[ -d "$src" ] || die "KERNEL_SRC=$src is neither a tarball nor a directory"
	ident="directory $src"
fi

mkdir -p "$BUILD_ROOT"
# Known source: reuse its tree.
if [ -f "$BUILD_ROOT/base-ident" ] &&
   [ "$(head -n 1 "$BUILD_ROOT/base-ident")" = "$ident" ]; then
	ver=$(sed -n 2p "$BUILD_ROOT/base-ident")
	if [ -d "$BUILD_ROOT/src-$ver/.git" ] &&
	   git -C "$BUILD_ROOT/src-$ver" rev-parse -q --verify base >/dev/null; then
		echo "$ver" > "$BUILD_ROOT/current-version"
		say "base $ver: tree $BUILD_ROOT/src-$ver (cached)"
		exit 0
	fi
fi

tmp=$BUILD_ROOT/unpack.tmp
rm -rf "$tmp"
need_disk 4 "the base tree (1.5 GiB unpacked, as much again in git objects)"
mkdir -p "$tmp"
if [ -f "$src" ]; then
	say "unpacking $src (about a minute)"
	logged "$LOG_DIR/unpack.log" tar -xf "$src" -C "$tmp" \
		--strip-components=1 ||
		die "$src is not a readable tarball"
else
	say "copying $src"
	logged "$LOG_DIR/unpack.log" rsync -a --exclude=/.git "$src/" "$tmp/" ||
		die "cannot copy $src"
fi

ver=$(kernel_version "$tmp")
if [ -z "$ver" ] || [ ! -f "$tmp/mm/mmu_notifier.c" ] ||
   [ ! -x "$tmp/tools/testing/kunit/kunit.py" ]; then
	rm -rf "$tmp"
	die "$src is not a Linux source tree (no top Makefile with VERSION and PATCHLEVEL, mm/mmu_notifier.c and tools/testing/kunit/kunit.py)"
fi
case $ver in
"$BASE_SERIES".*) ;;
*)
	rm -rf "$tmp"
	die "$src holds Linux $ver; this series is for Linux $BASE_SERIES.y"
	;;
esac

tree=$BUILD_ROOT/src-$ver
if [ -d "$tree/.git" ] &&
   git -C "$tree" rev-parse -q --verify base >/dev/null; then
	# Same version from another source: keep the existing tree.
	rm -rf "$tmp"
	say "base $ver: tree $tree exists, reusing it"
else
	rm -rf "$tree"
	mv "$tmp" "$tree"
	say "base $ver: committing the pristine tree"
	(
		cd "$tree"
		git init -q -b series
		git config gc.auto 0
		# The mutation test hard-links the tree, which changes ctimes.
		git config core.trustctime false
		git config core.abbrev 12
		# The tree's own .gitignore files must not hide base files.
		git add -A -f .
		git commit -q --no-verify -m "Linux $ver" \
			-m "Pristine base from $src."
		git tag base
	) > "$LOG_DIR/base-commit.log" 2>&1 ||
		die "could not commit the base tree; see $LOG_DIR/base-commit.log"
fi
printf '%s\n%s\n' "$ident" "$ver" > "$BUILD_ROOT/base-ident"
echo "$ver" > "$BUILD_ROOT/current-version"
say "base $ver: tree $tree"
