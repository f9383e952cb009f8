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
.PHONY: all deps tree series export test check lint model litmus compile \
	mutations hmm users bisect bench measurements clean

all: export
	@BUILD_ONLY=1 scripts/kunit.sh uml-debug
	echo "make: done; the series is in out/series/, run 'make test' next"

deps:
	@scripts/install-deps.sh

tree: deps
	@scripts/unpack-base.sh

# Every target below starts from these: packages (a check when they are
# there), the base (kept when unpacked), and the series, re-applied when
# kernel/ or series/ changed since (a no-op otherwise).
series: tree
	@scripts/apply-series.sh

export: series
	@scripts/export-series.sh

test: series
	@scripts/kunit.sh uml-debug

# $(call measured,SCRIPT): run SCRIPT, rewrite MEASUREMENTS.md from out/
# whatever its result, and exit as SCRIPT did (check and bench).
define measured
	@rc=0
	$(1) || rc=$$?
	scripts/measurements.py || echo "make: MEASUREMENTS.md not rewritten" >&2
	exit $$rc
endef

check: export
	$(call measured,scripts/check.sh)

lint: export
	@scripts/lint.sh

mutations: series
	@scripts/mutation-test.sh

hmm: series
	@scripts/hmm-selftests.sh

users: series
	@scripts/compile-users.sh

bisect: series
	@scripts/bisect-build.sh

bench: series
	$(call measured,scripts/bench.sh)

measurements:
	@scripts/measurements.py
	echo "make: MEASUREMENTS.md rewritten from out/"

model:
	@scripts/model-check.sh

# The LKMM litmus tests of tests/litmus: their format always, and herd7's
# verdict on each when herd7 is on PATH (or HERD7=/path/to/herd7).
litmus:
	@scripts/litmus-check.sh

compile: series
	@scripts/compile-configs.sh

clean:
	rm -rf build out
