# The workspace: from Debian's linux-source-6.12 to a tested kernel and a
# patch series. `make` builds, `make test` tests; see README.md.
#
#   make                 install packages, unpack the base, apply the series,
#                        build the UML KUnit kernel, export out/series/
#   make test            KUnit suite under UML with lockdep, KASAN, ...
#   make check           every check: test, QEMU x86_64 -smp 2 (lockdep,
#                        KCSAN), mutations, protocol model, git am
#   make series          only apply the series (and export it)
#   make clean           remove build/ and out/ (the ccache stays)
#
# KERNEL_SRC=<6.12 tarball or tree> uses another base than Debian's.

SHELL := /bin/bash
.SHELLFLAGS := -eo pipefail -c
.ONESHELL:
.PHONY: all deps tree series export test check lint model mutations hmm users bisect clean

all: series
	@scripts/export-series.sh
	BUILD_ONLY=1 scripts/kunit.sh uml-debug
	echo "make: done; the series is in out/series/, run 'make test' next"

deps:
	@scripts/install-deps.sh

tree: deps
	@scripts/unpack-base.sh

series: tree
	@scripts/apply-series.sh

export: series
	@scripts/export-series.sh

test:
	@scripts/apply-series.sh
	scripts/kunit.sh uml-debug

check:
	@scripts/apply-series.sh
	scripts/export-series.sh
	scripts/check.sh

model:
	@scripts/model-check.sh

mutations:
	@scripts/apply-series.sh
	scripts/mutation-test.sh

clean:
	rm -rf build out

lint:
	@scripts/apply-series.sh
	scripts/export-series.sh
	scripts/lint.sh

hmm:
	@scripts/apply-series.sh
	scripts/hmm-selftests.sh

users:
	@scripts/apply-series.sh
	scripts/compile-users.sh

bisect:
	@scripts/apply-series.sh
	scripts/bisect-build.sh
