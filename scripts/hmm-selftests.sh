#!/usr/bin/env bash
# Run the kernel's own HMM selftests (tools/testing/selftests/mm/hmm-tests,
# the only 6.12 tests that drive mmu_interval/mmu_range notifiers from user
# space) on the pristine base and on the series, and compare them test by
# test.
#
# For each tree: an x86_64 kernel from allnoconfig + configs/hmm-guest.config
# (every option of the fragment is checked to have taken), TEST_HMM built in;
# hmm-tests linked statically against the tree's installed uapi headers; an
# initramfs with busybox-static and an /init that mounts proc, sys, devtmpfs
# and debugfs, reserves 64 huge pages, makes the /dev/hmm_dmirror* nodes the
# way test_hmm.sh does (major from /proc/devices), runs hmm-tests, prints the
# result between markers and powers off. QEMU runs it under `timeout`.
#
# test_hmm.sh has two modes, "smoke" (module loaded without parameters: two
# DEVICE_PRIVATE mirrors) and "smoke SPM0 SPM1" (two more DEVICE_COHERENT
# mirrors backed by special-purpose memory at those physical addresses).
# With TEST_HMM built in, module parameters become boot parameters, so each
# mode is one boot:
#   smoke  no parameters: the 29 device_coherent variants SKIP, as on any
#          machine without such memory.
#   spm    memmap=512M$0x60000000 keeps the top 512 MiB of the guest's 2 GiB
#          out of the kernel's hands (e820 reserved) and
#          test_hmm.spm_addr_dev0/1 point the two coherent mirrors at its
#          halves, so the device_coherent variants run as well.
# HMM_MODES picks the boots (default "smoke spm").
#
# Two choices in the guest's configuration change the figures of
# ../shared/design.md (25 pass, 3 fail, 30 skip on the base): DEBUG_FS and
# GUP_TEST, so hmm_gup_test runs instead of skipping; and THP "madvise"
# instead of allnoconfig's "always": with "always" the test buffers become
# huge pages, make_device_exclusive_range() in 6.12 refuses their tail pages
# (PageTail), and exclusive, exclusive_mprotect and exclusive_cow fail with
# -EBUSY on the base too. The huge-page tests madvise(MADV_HUGEPAGE)
# themselves. Now the smoke boot gives 29 pass, 0 fail, 29 skip on both.
#
# usage: scripts/hmm-selftests.sh [base|series|both]   (default both)
# env:   HMM_MODES ("smoke spm"), HMM_TIMEOUT (seconds per boot, 600),
#        HMM_ACCEL (tcg, the default, or kvm: nested KVM on the project's
#        build VM aborts or hangs QEMU, so TCG it is; the whole run of 58
#        tests takes seconds either way),
#        JOBS, BUILD_ROOT, LOG_DIR (lib.sh)
# trees: base = worktree build/base-pristine/src-<version> at tag `base`
#        (made here if missing), objects in build/base-pristine/hmm;
#        series = the patched tree (branch series), objects in
#        build/hmm-series.
# logs:  LOG_DIR/hmm-<tree>-build.log, hmm-<tree>-console.log (all boots of
#        that tree), hmm-<tree>-<mode>.tap (the harness output),
#        hmm-<tree>-<mode>-kernel.log and -scan.log (the guest's dmesg and
#        scripts/scan-log.py on it), hmm-summary.txt (the table below);
#        for the series, hmm-series-<mode>-trace.txt (the mmu_notifier
#        events recorded during the run, tracefs) and -trace-summary.txt
#        (scripts/check-trace.py on it: events by count, and its checks).
#
# Result: a table "test  base  series" per mode (PASS/FAIL/SKIP/-), the
# totals, then the last line "N passed, N failed":
#   passed = tests the series passes (over all boots);
#   failed = tests that pass on the base but not on the series
#          + boots that produced no harness result (hang, crash, timeout)
#          + findings of scripts/scan-log.py in the series' kernel log
#          + failed checks of scripts/check-trace.py on the series' trace
#          + 1 if the series passes fewer tests than the base in total
#          + skips of the series that tests/hmm-skips does not explain
#            (mode, test regex, reason: why each expected skip happens).
# A test that fails on the base too does not count as failed: it is the
# base's behaviour, not a regression, and it shows in the table. With only
# one tree asked for there is nothing to compare: failed is that tree's
# failed tests, missing results, log findings and unexplained skips.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

which_trees "${1:-both}"
read -r -a modes <<<"${HMM_MODES:-smoke spm}"
timeout_s=${HMM_TIMEOUT:-600}
frag=$top/configs/hmm-guest.config
src=$(base_tree)
# kunit.py of the base tree parses the selftests' TAP (results below).
kunit_py=$src/tools/testing/kunit/kunit.py
[ -d "$src/.git" ] || die "$src is not a git tree: run 'make' first"
if ! file -L /bin/busybox 2>/dev/null | grep -q 'statically linked'; then
	die "need a static /bin/busybox (Debian package busybox-static)"
fi
HMM_ACCEL=${HMM_ACCEL:-tcg}
case $HMM_ACCEL in
tcg) cpu=max ;;
kvm) cpu=host ;;
*) die "HMM_ACCEL must be tcg or kvm" ;;
esac

tree_dir() {
	case $1 in
	base) base_worktree ;;
	series) echo "$src" ;;
	esac
}

build_tree() {
	local obj=$1 tree=$2
	# (runs under logged ... ||, where set -e is off: chain by hand)
	configure_fragment "$tree" "$obj" allnoconfig "$frag" || return 1
	make -C "$tree" O="$obj" -j"$JOBS" CC="ccache gcc" bzImage || return 1
	make -C "$tree" O="$obj" headers_install INSTALL_HDR_PATH="$obj/hdr" ||
		return 1
	# as tools/testing/selftests/mm/Makefile: CFLAGS, LDLIBS, include paths
	gcc -static -Wall -O2 -U_FORTIFY_SOURCE -I "$tree" \
		-isystem "$obj/hdr/include" -isystem "$tree/tools/include/uapi" \
		-I "$tree/tools/testing/selftests" \
		-o "$obj/hmm-tests.new" \
		"$tree/tools/testing/selftests/mm/hmm-tests.c" -lrt -lpthread -lm ||
		return 1
	mv "$obj/hmm-tests.new" "$obj/hmm-tests"
}

write_init() {
	cat <<'EOF'
#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin
mkdir -p /proc /sys /dev /tmp
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mount -t debugfs debugfs /sys/kernel/debug
mount -t tmpfs tmpfs /tmp
mount -t tracefs tracefs /sys/kernel/tracing
tr=/sys/kernel/tracing
mode=smoke
ndev=2
for a in $(cat /proc/cmdline); do
	case $a in hmm_mode=*) mode=${a#hmm_mode=} ;; esac
done
[ "$mode" = spm ] && ndev=4
echo 64 > /proc/sys/vm/nr_hugepages
echo "hmm-init: mode $mode, huge pages: $(cat /proc/sys/vm/nr_hugepages)"
# test_hmm.sh: the driver's major from /proc/devices, one node per mirror
major=$(awk '$2 == "HMM_DMIRROR" { print $1 }' /proc/devices)
if [ -z "$major" ]; then
	echo "hmm-init: no HMM_DMIRROR in /proc/devices"
else
	i=0
	while [ $i -lt $ndev ]; do
		[ -e /dev/hmm_dmirror$i ] || mknod /dev/hmm_dmirror$i c "$major" $i
		i=$((i + 1))
	done
fi
ls -l /dev/hmm_dmirror* 2>&1 | sed 's/^/hmm-init: /'
# The series' tracepoints (the base has none): on for the run, then dumped.
if [ -d $tr/events/mmu_notifier ]; then
	echo 16384 > $tr/buffer_size_kb
	echo 1 > $tr/events/mmu_notifier/enable
	echo "hmm-init: mmu_notifier events enabled"
fi
cd /tmp
/hmm-tests > /tmp/hmm.tap 2>&1
rc=$?
dmesg -n 1
echo "=== hmm-tests $mode begin"
cat /tmp/hmm.tap
echo "=== hmm-tests $mode end (exit $rc)"
if [ -d $tr/events/mmu_notifier ]; then
	echo 0 > $tr/events/mmu_notifier/enable
	echo "=== trace begin"
	cat $tr/trace
	echo "=== trace end"
fi
echo "=== kernel log begin"
dmesg
echo "=== kernel log end"
sync
poweroff -f
EOF
}

make_initramfs() {
	local obj=$1 root=$1/initramfs
	rm -rf "$root"
	mkdir -p "$root/bin" "$root/dev" "$root/proc" "$root/sys" "$root/tmp"
	cp /bin/busybox "$root/bin/busybox"
	cp "$obj/hmm-tests" "$root/hmm-tests"
	write_init >"$root/init"
	chmod 755 "$root/init"
	(cd "$root" && find . | LC_ALL=C sort | cpio --quiet -o -H newc -R 0:0) |
		gzip -n -9 >"$obj/initramfs.cpio.gz"
}

# boot OBJ MODE CONSOLE_LOG: one QEMU run, its console appended to the log.
boot() {
	local obj=$1 mode=$2 clog=$3 append rc=0 out=$1/console-$2.log
	append="console=ttyS0 panic=-1 hmm_mode=$mode"
	if [ "$mode" = spm ]; then
		# the top 512 MiB of the 2 GiB, reserved; 256 MiB
		# (DEVMEM_CHUNK_SIZE) for each coherent mirror
		append="$append memmap=512M\$0x60000000"
		append="$append test_hmm.spm_addr_dev0=0x60000000"
		append="$append test_hmm.spm_addr_dev1=0x70000000"
	fi
	timeout --foreground -k 10 "$timeout_s" qemu-system-x86_64 \
		-M pc -accel "$HMM_ACCEL" -cpu "$cpu" -smp 2 -m 2G \
		-nographic -no-reboot \
		-kernel "$obj/arch/x86/boot/bzImage" \
		-initrd "$obj/initramfs.cpio.gz" -append "$append" \
		</dev/null >"$out" 2>&1 || rc=$?
	tr -d '\r' <"$out" >"$out.tmp" && mv "$out.tmp" "$out"
	{ echo "##### boot $mode (qemu exit $rc) #####"; cat "$out"; } >>"$clog"
	return $rc
}

# extract OUT MODE TAP: the harness output between the markers.
extract() {
	sed -n "/^=== hmm-tests $2 begin/,/^=== hmm-tests $2 end/p" "$1" |
		sed '1d;$d' >"$3"
	grep -q "^=== hmm-tests $2 end" "$1"
}

# results TAP: "name RESULT" per test (PASS, FAIL or SKIP), as kunit.py's
# own parser reads the kselftest TAP (kunit.py parse --json, next to the
# TAP file) and scripts/kunit-results.py lists it.
results() {
	local json

	# Absolute paths: kunit.py works from the top of its kernel tree.
	json=$(realpath -m "${1%.tap}.json")
	rm -f "$json"
	"$kunit_py" parse --json="$json" "$(realpath "$1")" >/dev/null 2>&1 ||
		true
	"$top/scripts/kunit-results.py" --cases "$json" |
		awk '{ print $2, ($1 == "ERROR" ? "FAIL" : $1) }'
}

declare -A res     # res[tree/mode/test] = PASS|FAIL|SKIP
declare -A bootok  # bootok[tree/mode] = 1 if the harness result came out
declare -A findings
tests=()

for t in "${trees[@]}"; do
	tree=$(tree_dir "$t")
	case $t in
	base) obj=$BUILD_ROOT/base-pristine/hmm ;;
	series) obj=$BUILD_ROOT/hmm-series ;;
	esac
	blog=$LOG_DIR/hmm-$t-build.log
	clog=$LOG_DIR/hmm-$t-console.log
	say "$t: building the guest kernel and hmm-tests in $obj (log: $blog)"
	logged "$blog" build_tree "$obj" "$tree" || {
		grep -A 12 'did not take' "$blog" | sed 's/^/  /' >&2 || true
		die "$t: build failed; see $blog"
	}
	make_initramfs "$obj"
	: >"$clog"
	for m in "${modes[@]}"; do
		say "$t: booting ($m, $HMM_ACCEL, timeout ${timeout_s}s; console: $clog)"
		rc=0
		boot "$obj" "$m" "$clog" || rc=$?
		tap=$LOG_DIR/hmm-$t-$m.tap
		if extract "$obj/console-$m.log" "$m" "$tap"; then
			bootok[$t/$m]=1
		else
			bootok[$t/$m]=0
			if [ "$rc" -eq 124 ]; then
				say "$t: $m boot timed out after ${timeout_s}s; last 30 console lines:"
			else
				say "$t: $m boot gave no result (qemu exit $rc); last 30 console lines:"
			fi
			tail -n 30 "$obj/console-$m.log" | sed 's/^/  | /'
		fi
		while read -r name r; do
			res[$t/$m/$name]=$r
			tests+=("$m $name")
		done < <(results "$tap")
		say "$t: $m: $(grep -E '^# (PASSED|FAILED):' "$tap" | tail -n 1 || echo 'no summary')"
		# the kernel's log of this boot, for the project's log scan
		sed -n '/^=== kernel log begin/,/^=== kernel log end/p' \
			"$obj/console-$m.log" >"$LOG_DIR/hmm-$t-$m-kernel.log"
		f=0
		"$top/scripts/scan-log.py" "$LOG_DIR/hmm-$t-$m-kernel.log" \
			>"$LOG_DIR/hmm-$t-$m-scan.log" ||
			f=$(sed -n 's/^log scan: \([0-9]*\) findings.*/\1/p' \
				"$LOG_DIR/hmm-$t-$m-scan.log")
		findings[$t/$m]=${f:-0}
		[ "${f:-0}" -eq 0 ] || sed 's/^/  /' "$LOG_DIR/hmm-$t-$m-scan.log"
		# the series' tracepoints during the run: kept, summed up, checked
		[ "$t" = series ] || continue
		trace=$LOG_DIR/hmm-$t-$m-trace.txt
		sed -n '/^=== trace begin/,/^=== trace end/p' \
			"$obj/console-$m.log" | sed '1d;$d' >"$trace"
		f=0
		"$top/scripts/check-trace.py" "$trace" \
			>"$LOG_DIR/hmm-$t-$m-trace-summary.txt" ||
			f=$(sed -n 's/^trace: [0-9]* checks passed, \([0-9]*\) failed$/\1/p' \
				"$LOG_DIR/hmm-$t-$m-trace-summary.txt")
		say "$t: $m: trace of the run: $(tail -n 1 "$LOG_DIR/hmm-$t-$m-trace-summary.txt") (summary: $LOG_DIR/hmm-$t-$m-trace-summary.txt)"
		[ "${f:-1}" -eq 0 ] || sed 's/^/  /' "$LOG_DIR/hmm-$t-$m-trace-summary.txt"
		findings[$t/$m]=$((${findings[$t/$m]} + ${f:-1}))
	done
done

# The table: one row per (mode, test), in the order the harness ran them.
# (No pipeline around the loop: tot[] must stay in this shell.)
summary=$LOG_DIR/hmm-summary.txt
rows=()
[ ${#tests[@]} -eq 0 ] ||
	mapfile -t rows < <(printf '%s\n' "${tests[@]}" | awk '!seen[$0]++')
passed=0 failed=0
declare -A tot
{
	printf '%-6s %-52s' mode test
	for t in "${trees[@]}"; do printf ' %-6s' "$t"; done
	echo
} >"$summary"
for row in "${rows[@]}"; do
	m=${row%% *} name=${row#* }
	printf '%-6s %-52s' "$m" "$name"
	for t in "${trees[@]}"; do
		r=${res[$t/$m/$name]:--}
		printf ' %-6s' "$r"
		tot[$t/$r]=$((${tot[$t/$r]:-0} + 1))
	done
	if [ ${#trees[@]} -eq 2 ] && [ "${res[base/$m/$name]:-}" = PASS ] &&
		[ "${res[series/$m/$name]:-}" != PASS ]; then
		printf '  <- REGRESSION'
	fi
	echo
done >>"$summary"
for t in "${trees[@]}"; do
	printf 'totals %-7s %3d pass, %3d fail, %3d skip, %3d missing (boots: %s)\n' \
		"$t" "${tot[$t/PASS]:-0}" "${tot[$t/FAIL]:-0}" \
		"${tot[$t/SKIP]:-0}" "${tot[$t/-]:-0}" "${modes[*]}"
done >>"$summary"
cat "$summary"

last=${trees[-1]}  # series, or the only tree asked for
passed=${tot[$last/PASS]:-0}
for m in "${modes[@]}"; do
	[ "${bootok[$last/$m]}" = 1 ] || failed=$((failed + 1))
	failed=$((failed + ${findings[$last/$m]}))
done
# every SKIP of the tree judged needs a reason in tests/hmm-skips
skips=$top/tests/hmm-skips
for row in "${rows[@]}"; do
	m=${row%% *} name=${row#* }
	[ "${res[$last/$m/$name]:-}" = SKIP ] || continue
	explained=0
	while IFS=$'\t' read -r sm sre _; do
		case $sm in '#'* | '') continue ;; esac
		[ "$sm" = "$m" ] && [[ $name =~ $sre ]] && explained=1 && break
	done <"$skips"
	if [ $explained = 0 ]; then
		say "$last: $m: $name skipped, and tests/hmm-skips gives no reason"
		failed=$((failed + 1))
	fi
done
if [ ${#trees[@]} -eq 2 ]; then
	for row in "${rows[@]}"; do
		m=${row%% *} name=${row#* }
		[ "${res[base/$m/$name]:-}" = PASS ] &&
			[ "${res[series/$m/$name]:-}" != PASS ] && failed=$((failed + 1))
	done
	if [ "${tot[series/PASS]:-0}" -lt "${tot[base/PASS]:-0}" ]; then
		say "the series passes fewer tests than the base"
		failed=$((failed + 1))
	fi
else
	failed=$((failed + ${tot[$last/FAIL]:-0}))
fi
say "summary in $summary"
summary
