#!/usr/bin/env bash
# Build the series patch by patch, so that every commit of it builds (git
# bisect-ability), and name the first one that does not.
#
# For each commit of RANGE, oldest first, in a worktree of our own:
#   uml    the UML KUnit kernel, built incrementally with kunit.py from
#          configs/uml-bisect.kunitconfig, plus the suite's own
#          lib/test_mmu_notifier.kunitconfig and
#          configs/uml-bisect-suite.kunitconfig (the misuse cases) from
#          the commit that adds the suite.
#          MMU_NOTIFIER has no prompt; on UML only InfiniBand on-demand
#          paging can select it (see the kunitconfig), which also compiles
#          mm/hmm.c and the converted drivers/infiniband/core/umem_odp.c.
#          The build must leave CONFIG_MMU_NOTIFIER=y and mm/mmu_notifier.o.
#   suite  from the commit that adds the KUnit suite on: that kernel runs
#          it (kunit.py exec); every case must pass or skip (a case skips
#          only for a reason of its own, e.g. no tracepoints).
#   users  every in-tree user of the API on x86_64 (scripts/compile-users.sh
#          series, pointed at the worktree): the treewide conversion touches
#          GPU, RDMA and Xen drivers that UML cannot build. Skip with
#          BISECT_USERS=0.
# and prints "patch N/M <subject>: builds" or "...: BREAKS (<stage>)".
#
# usage: scripts/bisect-build.sh [RANGE]     (default: base..series)
#   RANGE is a git range of BISECT_REPO.
# env:   BISECT_REPO (default: the patched tree, build/src-<version>),
#        BISECT_DIR (default build/bisect: the worktree src-<version>, the
#        UML build dir kunit and the x86_64 O dir users; side by side as the
#        series tree and its O dirs are, so ccache entries are shared),
#        BISECT_USERS (1), JOBS, BUILD_ROOT, LOG_DIR (lib.sh)
# logs:  LOG_DIR/bisect-<N>-uml.log, bisect-<N>-suite.log (the run),
#        bisect-users-series-build.log (last
#        commit), bisect.txt (the per-commit lines)
# Last line "N passed, N failed": one per commit; a commit passes when every
# stage builds. Exits non-zero if any commit fails.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

src=$(base_tree)
repo=${BISECT_REPO:-$src}
range=${1:-base..series}
dir=${BISECT_DIR:-$BUILD_ROOT/bisect}
wt=$dir/$(basename "$src")
kdir=$dir/kunit
udir=$dir/users
users=${BISECT_USERS:-1}

mapfile -t commits < <(git -C "$repo" rev-list --reverse "$range")
[ ${#commits[@]} -gt 0 ] || die "no commits in $range of $repo"
n=${#commits[@]}

# The worktree: made once, then moved from commit to commit with checkout,
# which rewrites only the files that differ (so the builds are incremental).
common=$(git -C "$repo" rev-parse --path-format=absolute --git-common-dir)
if [ "$(git -C "$wt" rev-parse --path-format=absolute --git-common-dir 2>/dev/null)" != "$common" ]; then
	say "making the worktree $wt of $repo"
	rm -rf "$wt"
	new_worktree "$repo" "$wt" "${commits[0]}"
fi
[ -z "$(git -C "$wt" status --porcelain --untracked-files=no)" ] ||
	die "$wt has local changes; remove it to start over"

say "$n commits in $range of $repo; worktree $wt"
passed=0 failed=0 first=""
report=$LOG_DIR/bisect.txt
: >"$report"
# The logs of an earlier run, which may have had more patches.
rm -f "$LOG_DIR"/bisect-[0-9]*
for i in "${!commits[@]}"; do
	c=${commits[$i]}
	k=$((i + 1))
	subject=$(git -C "$repo" log -1 --format=%s "$c")
	git -C "$wt" checkout -q --detach "$c"
	broke=()

	cfgs=(--kunitconfig="$top/configs/uml-bisect.kunitconfig")
	[ -f "$wt/lib/test_mmu_notifier.kunitconfig" ] &&
		cfgs+=(--kunitconfig="$wt/lib/test_mmu_notifier.kunitconfig"
		       --kunitconfig="$top/configs/uml-bisect-suite.kunitconfig")
	ulog=$LOG_DIR/bisect-$k-uml.log
	say "patch $k/$n: uml build (${#cfgs[@]} kunitconfigs; log: $ulog)"
	if kunit_build "$wt" "$kdir" "$ulog" "${cfgs[@]}"; then
		if ! grep -q '^CONFIG_MMU_NOTIFIER=y' "$kdir/.config" ||
			[ ! -f "$kdir/mm/mmu_notifier.o" ]; then
			say "patch $k/$n: the UML kernel has no MMU notifier code"
			broke+=(uml-config)
		fi
	else
		broke+=(uml)
		grep -E '(error|Error):' "$ulog" | grep -v '^make' | head -n 3 |
			sed 's/^ERROR:root://; s/^/  | /' || true
	fi

	if [ ${#broke[@]} -eq 0 ] && [ -f "$wt/lib/test_mmu_notifier.kunitconfig" ]; then
		slog=$LOG_DIR/bisect-$k-suite.log
		sjson=$LOG_DIR/bisect-$k-suite.json
		say "patch $k/$n: running the suite (log: $slog)"
		src=0
		kunit_exec "$wt" "$kdir" "$slog" "$sjson" \
			"$LOG_DIR/bisect-$k-kernel.log" --timeout 900 || src=$?
		# Counted from kunit.py's JSON (scripts/kunit-results.py).
		if results=$("$top/scripts/kunit-results.py" "$sjson") &&
			[ "$src" -eq 0 ]; then
			say "patch $k/$n: suite: $(tail -n 1 <<<"$results")"
		else
			broke+=(suite)
			head -n 5 <<<"$results" | sed 's/^/  | /'
		fi
	fi

	if [ "$users" = 1 ]; then
		say "patch $k/$n: x86_64 users (scripts/compile-users.sh series)"
		uout=$LOG_DIR/bisect-$k-users.log
		if USERS_SERIES_TREE=$wt USERS_SERIES_OBJ=$udir \
			USERS_LOG_PREFIX=bisect-users TAG=users-$k _T0=$_t0 \
			"$top/scripts/compile-users.sh" series >"$uout" 2>&1; then
			say "patch $k/$n: users: $(tail -n 1 "$uout")"
		else
			say "patch $k/$n: users: $(tail -n 1 "$uout") (log: $uout)"
			grep -E 'NOT IN CONFIG|did not build|^  \| .*error:|^  FAIL' "$uout" |
				head -n 15 | sed 's/^/  /' || true
			broke+=(users)
		fi
	fi

	if [ ${#broke[@]} -eq 0 ]; then
		line="patch $k/$n $subject: builds"
		passed=$((passed + 1))
	else
		line="patch $k/$n $subject: BREAKS (${broke[*]})"
		failed=$((failed + 1))
		[ -n "$first" ] || first="patch $k/$n $subject ($(git -C "$repo" log -1 --format=%h "$c"))"
	fi
	say "$line"
	echo "$line" >>"$report"
done

echo
cat "$report"
if [ -n "$first" ]; then
	echo "first broken: $first"
else
	echo "every commit builds"
fi
summary
