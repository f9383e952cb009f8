#!/usr/bin/env bash
# Build the mm part of the kernel documentation of a patched tree and fail
# if Sphinx or kernel-doc warned about the MMU notifier files.
#
# usage: scripts/docs-build.sh TREE OUTDIR
#   TREE    a kernel tree with the series applied
#   OUTDIR  build directory (O=); the html lands in
#           OUTDIR/Documentation/output/mm/, the log in OUTDIR/htmldocs.log
#
# Installs nothing: it only says what to install when sphinx-build is
# missing. Exit status: 0 clean, 1 warnings from our files or build failure,
# 2 bad usage or missing tools.
set -euo pipefail

t0=$SECONDS
say() { printf '[docs %ds] %s\n' $((SECONDS - t0)) "$*"; }
die() { printf 'docs-build: error: %s\n' "$1" >&2; exit "${2:-1}"; }

[ $# -eq 2 ] || die "usage: $0 TREE OUTDIR" 2
tree=$1
outdir=$2
[ -f "$tree/Documentation/Makefile" ] || die "$tree: not a kernel tree" 2
tree=$(cd "$tree" && pwd)
mkdir -p "$outdir"
outdir=$(cd "$outdir" && pwd)
log=$outdir/htmldocs.log

if ! command -v sphinx-build >/dev/null 2>&1; then
	printf 'docs-build: sphinx-build not found; install it with:\n' >&2
	printf '  apt-get install python3-sphinx python3-sphinx-rtd-theme\n' >&2
	printf '(the rtd theme is only used with DOCS_THEME=sphinx_rtd_theme)\n' >&2
	exit 2
fi
say "$(sphinx-build --version 2>&1 | head -n 1)"

# Sphinx only reports warnings for the pages it rebuilds: start afresh so
# that every warning of the mm pages shows up in this log.
rm -rf "$outdir/Documentation/output/mm" \
	"$outdir/Documentation/output/.doctrees/mm"

say "building htmldocs SPHINXDIRS=mm (log: $log)"
rc=0
make -C "$tree" O="$outdir" htmldocs SPHINXDIRS=mm >"$log" 2>&1 || rc=$?
if [ "$rc" -ne 0 ]; then
	tail -n 25 "$log" | sed 's/^/  | /' >&2
	die "make htmldocs failed (exit $rc), full log: $log"
fi

html=$outdir/Documentation/output/mm/mmu_notifier.html
[ -f "$html" ] || die "no $html after the build"
say "built $html"

# Our files: the page, both headers, mm/mmu_notifier.c; any warning or error
# line that names one of them counts.
ours='mmu_notifier|mmu_range_notifier'
bad=$(grep -E -i '(warning|error)' "$log" | grep -E "$ours" || true)
total=$(grep -E -c -i '(warning|error)' "$log" || true)
if [ -n "$bad" ]; then
	n=$(printf '%s\n' "$bad" | wc -l)
	printf '%s\n' "$bad" | sed 's/^/  | /' >&2
	die "$n warning/error line(s) from the MMU notifier files (of $total in all); log: $log"
fi
say "no warnings from the MMU notifier files ($total warning/error lines elsewhere in mm)"
