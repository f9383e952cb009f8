#!/usr/bin/env bash
# Check the exported series (out/series/) as mail, the way maintainers
# take it:
#   b4-am       an mbox made of out/series/ as a mail transport delivers it
#               (one Message-Id per message, the patches in reply to the
#               cover letter, folded header lines unfolded: b4 0.12 cannot
#               parse the folded From: and Subject: lines git writes) goes
#               through `b4 am`, whose output applies with git am to the
#               pristine base and gives exactly the tree make built;
#   send-email  `git send-email --dry-run` accepts every message of
#               out/series/ (headers, line lengths, recipients), one check
#               per message.
#
# usage: scripts/check-series-mail.sh
set -euo pipefail
TAG=series-mail
. "$(dirname "$0")/lib.sh"

work=$BUILD_ROOT/mail-check
log=$LOG_DIR/series-mail.log
cover=$(series_cover)
mapfile -t patches < <(series_patches)
[ -n "$cover" ] && [ ${#patches[@]} -gt 0 ] ||
	die "no exported series in $OUT/series: run make first"
command -v b4 >/dev/null || die "b4 is not installed (scripts/install-deps.sh)"
git send-email --help >/dev/null 2>&1 ||
	die "git send-email is not installed (Debian package git-email)"

rm -rf "$work/out"
mkdir -p "$work/out"
: >"$log"
passed=0 failed=0
check() {	# check NAME OK DETAIL
	say "$1: $2${3:+ ($3)}"
	if [ "$2" = ok ]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
}

# The mbox: each file as one message, headers unfolded, with ids.
v=$(series_version)
id() { echo "<v$v-$1.mmu-range-notifier@series.invalid>"; }
mbox=$work/series.mbox
: >"$mbox"
n=0
for f in "$cover" "${patches[@]}"; do
	ID=$(id "$n") REPLY=$([ "$n" = 0 ] || id 0) perl -e '
		local $/; my $m = <STDIN>;
		my ($h, $b) = split /\n\n/, $m, 2;
		$h =~ s/\n[ \t]+/ /g;
		$h .= "\nMessage-Id: $ENV{ID}";
		$h .= "\nIn-Reply-To: $ENV{REPLY}\nReferences: $ENV{REPLY}"
			if $ENV{REPLY};
		print "$h\n\n$b";
		print "\n" unless $b =~ /\n\z/;
	' <"$f" >>"$mbox"
	n=$((n + 1))
done

say "b4 am of $n messages (log: $log)"
ok=fail detail=
if (cd "$work/out" && b4 am -m "$mbox" -o . "$(id 0)") >>"$log" 2>&1; then
	mbx=$(find "$work/out" -name '*.mbx' | head -n 1)
	got=$(grep -c '^Subject: \[PATCH' "$mbx" 2>/dev/null || true)
	if [ -z "$mbx" ]; then
		detail="b4 wrote no .mbx"
	elif detail=$(am_gives_series "$work/tree" "$log" "$mbx"); then
		ok=ok detail="$got patches out of b4, applied: the tree make built"
	else
		detail="b4's $got patches: $detail"
	fi
else
	detail="b4 am failed"
fi
[ "$ok" = ok ] || sed 's/^/  | /' "$log" | tail -n 20
check b4-am "$ok" "$detail"

from="$(git config user.name) <$(git config user.email)>"
for f in "$cover" "${patches[@]}"; do
	out=$(git send-email --dry-run --confirm=never --quiet \
		--from="$from" --suppress-cc=self --no-chain-reply-to \
		--to=dry-run@series.invalid "$f" 2>&1) && rc=0 || rc=$?
	printf '%s\n' "== $(basename "$f")" "$out" >>"$log"
	if [ "$rc" = 0 ] && grep -q '^Dry-Sent ' <<<"$out"; then
		check "send-email $(basename "$f")" ok
	else
		check "send-email $(basename "$f")" FAIL "$(tail -n 1 <<<"$out")"
	fi
done
summary
