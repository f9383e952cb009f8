#!/usr/bin/env bash
# Apply each deliberate bug of tests/mutations/ to a scratch copy of the
# patched kernel tree, build UML, and run the KUnit cases the mutation names:
# every one of them must fail. A mutation whose cases all pass means the suite
# no longer catches that bug, and this script fails.
#
# usage: scripts/mutation-test.sh [PATCHED_TREE]  (default: the tree make built)
set -euo pipefail
TAG=mutation
. "$(dirname "$0")/lib.sh"

tree=${1:-$(base_tree)}
tree=$(cd "$tree" && pwd)
log_dir=$LOG_DIR
# The scratch tree and its objects sit side by side as the patched tree and
# build/kunit-uml-debug do, and the mutants are built with make test's own
# configuration: ccache (CCACHE_BASEDIR, lib.sh) then finds every object
# but the mutated one from make's build, even with an empty cache before it.
scratch=$BUILD_ROOT/mutant/$(basename "$tree")
objdir=$BUILD_ROOT/mutant/kunit
src_file=mm/mmu_notifier.c

# A scratch copy that shares every unchanged file with the patched tree.
say "scratch copy of $tree"
rm -rf "$scratch"
mkdir -p "$(dirname "$scratch")"
cp -al "$tree" "$scratch"
rm -f "$scratch/$src_file"
cp "$tree/$src_file" "$scratch/$src_file"

kunitconfigs=(--kunitconfig="$scratch/lib/test_mmu_notifier.kunitconfig"
	      --kunitconfig="$top/configs/uml-debug.kunitconfig")

for m in "$top"/tests/mutations/*; do
	name=$(basename "$m")
	[ "$name" = README ] && continue
	read_mutation "$m" || die "mutation $name: $mut_error"
	cases=$mut_expect

	rm -f "$scratch/$src_file"
	mutate "$mut_sed" "$tree/$src_file" "$scratch/$src_file" ||
		die "mutation $name: $mut_error (tests/mutations/$name)"

	log=$log_dir/mutation-$name.log
	say "$name: building UML ($log)"
	if ! kunit_build "$scratch" "$objdir" "$log" "${kunitconfigs[@]}"; then
		echo "mutation $name: the mutant does not build; see $log" >&2
		exit 2
	fi

	killed=()
	survived=()
	# Each expected case runs in seconds on an unmutated kernel (its waits
	# are bounded at 5 s); 60 s is for a mutant that crashes or hangs it.
	for c in $cases; do
		out=$log_dir/mutation-$name-$c.log
		json=$log_dir/mutation-$name-$c.json
		kunit_exec "$scratch" "$objdir" "$out" "$json" \
			"$log_dir/mutation-$name-$c-kernel.log" --timeout=60 \
			"mmu_notifier*.$c" || true
		# The case, in whichever suite of the file it is.
		status=$("$top/scripts/kunit-results.py" --cases "$json" |
			awk -v c="$c" '{ n = $2; sub(/^[^.]*\./, "", n) }
				       n == c { print $1 }')
		case $status in
		PASS) survived+=("$c") ;;
		FAIL | ERROR) killed+=("$c") ;;
		# No result at all: a crash or a hang, which also counts as
		# caught, but say so.
		*) killed+=("$c(no result)") ;;
		esac
	done
	# A mutation passes this step when it is caught: no case survives it.
	tally "${#survived[@]}" "$name: caught by ${killed[*]}" \
		"$name: MISSED, passing with the bug: ${survived[*]}"
done

rm -rf "$scratch"
say "mutations: $passed caught, $failed missed"
summary
