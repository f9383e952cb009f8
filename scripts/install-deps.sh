#!/usr/bin/env bash
# Make sure every Debian package the workspace needs is installed.
# As root, install what is missing; otherwise print the one apt-get line to
# run and stop.
#
# usage: scripts/install-deps.sh [EXTRA_PACKAGE...]
set -euo pipefail
. "$(dirname "$0")/lib.sh"

pkgs=(
	linux-source-6.12	# the base tree
	build-essential bc bison flex libelf-dev libssl-dev cpio kmod rsync
	xz-utils python3 git	# kernel build and kunit.py
	ccache			# warm rebuilds
	qemu-system-x86		# the x86_64 KUnit runs
	qemu-system-arm gcc-aarch64-linux-gnu	# the arm64 KUnit run
	gcc-i686-linux-gnu	# the 32-bit build (compile-configs.sh)
	sparse coccinelle	# lint and the treewide conversion
	busybox-static		# the guest's initramfs
	spin			# the protocol model
	gnuplot-nox		# make bench: out/bench.png
	clang lld llvm		# make lint: the clang build
	python3-sphinx python3-sphinx-rtd-theme	# make lint: htmldocs
	python3-ply python3-git	# make lint: checkpatch (spdxcheck.py)
	b4 git-email		# make check: the series as mail (b4 am, send-email)
	"$@"
)

missing=()
for p in "${pkgs[@]}"; do
	if ! dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null |
	     grep -q '^ii'; then
		missing+=("$p")
	fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "Missing Debian packages; as root, run:" >&2
	echo "  apt-get update && apt-get install -y ${missing[*]}" >&2
	exit 1
fi

say "installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
logged "$LOG_DIR/apt-get-update.log" apt-get update
logged "$LOG_DIR/apt-get-install.log" apt-get install -y "${missing[@]}"
say "packages installed"
