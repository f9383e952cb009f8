# The workspace: from Debian's linux-source-6.12 to a tested kernel and a
# patch series. `make` builds, `make test` tests; see README.md.
#
#   make                 install packages, unpack the base, apply the series,
#                        build the UML KUnit kernel, export out/series/
#   make test            KUnit suite under UML with lockdep, KASAN, ...
#   make check           every check: test, QEMU x86_64 -smp 2 (lockdep,
#                        KCSAN, soak), QEMU arm64, 32-bit and
#                        !MMU_NOTIFIER builds, mutations, protocol model,
#                        litmus tests, git am, lint, HMM selftests, API
#                        users, patch-by-patch
#   make lint|mutations|model|litmus|compile|hmm|users|bisect   one alone
#   make bench           6.12 and the series side by side (UML, QEMU -smp 2):
#                        out/bench.md, out/bench.png
#   make measurements    MEASUREMENTS.md from what the last runs left in
#                        out/ (make check and make bench rewrite it too)
#   make series          only apply the series
#   make clean           remove build/ and out/ (the ccache stays)
#
# KERNEL_SRC=<6.12 tarball or tree> uses another base than Debian's.

SHELL := /bin/bash
.SHELLFLAGS := -eo pipefail -c
.ONESHELL:
.PHONY: all deps tree series export applied exported test check lint model \
	litmus compile mutations hmm users bisect bench measurements clean

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

# The targets below work on the tree `make` built: re-apply the series if
# kernel/ or series/ changed (a no-op otherwise), and re-export it.
applied:
	@scripts/apply-series.sh

exported: applied
	@scripts/export-series.sh

test: applied
	@scripts/kunit.sh uml-debug

# check and bench rewrite MEASUREMENTS.md from out/ at their end, whatever
# their result, and exit as their script did.
check: exported
	@rc=0
	scripts/check.sh || rc=$$?
	scripts/measurements.py || echo "make: MEASUREMENTS.md not rewritten" >&2
	exit $$rc

lint: exported
	@scripts/lint.sh

mutations: applied
	@scripts/mutation-test.sh

hmm: applied
	@scripts/hmm-selftests.sh

users: applied
	@scripts/compile-users.sh

bisect: applied
	@scripts/bisect-build.sh

# From a fresh clone too: `series` installs, unpacks and applies first.
bench: series
	@rc=0
	scripts/bench.sh || rc=$$?
	scripts/measurements.py || echo "make: MEASUREMENTS.md not rewritten" >&2
	exit $$rc

measurements:
	@scripts/measurements.py
	echo "make: MEASUREMENTS.md rewritten from out/"

model:
	@scripts/model-check.sh

# The LKMM litmus tests of tests/litmus: their format always, and herd7's
# verdict on each when herd7 is on PATH (or HERD7=/path/to/herd7).
litmus:
	@scripts/litmus-check.sh

compile: applied
	@scripts/compile-configs.sh

clean:
	rm -rf build out
